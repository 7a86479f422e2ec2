"""Spoken answers for the turn-taking benchmark: espeak-ng from text, and human read speech.

**espeak** (:func:`espeak_answers`): each text set is spoken by the interviewer's own voice.
The part before a mid-thought pause is spoken as its own utterance, ending with espeak's
continuation intonation when it ends in a comma, else a level one.

**human** (:func:`human_answers`): LibriVox public-domain read speech (one reader, Jane
Austen's *Sense and Sensibility*), as shipped by Debian's ``pocketsphinx-testdata``
(BSD-2 packaging; the recordings are LibriVox's, public domain) under
``/usr/share/pocketsphinx/test/data/librivox``. Read at bench time from the installed
package, never copied into the project. Each clip is one whole answer, and also cut inside
its sentence at word boundaries (Whisper's word times) at about 30, 50 and 70 % of its
words, with a pause inserted there: the voice before the pause keeps its real mid-sentence
intonation. The cut points are chosen by that rule only, never by looking at the judge.
No package in the registries has conversational speech with fillers (checked: see
docs/performance.md), so this set is read prose, not interview answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np

from preppal.live.offline.audio import pcm_to_float, silence
from tests.support.speech import speech_pcm

RATE = 16_000
LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")
HUMAN_PAUSES_MS = (700, 1000, 1300)
HUMAN_CUTS = (0.3, 0.5, 0.7)


@dataclass
class Answer:
    text: str
    pcm: bytes
    speech_end_s: float  # last voiced sample, from the start of ``pcm``
    mid_thought: bool
    request: bool = False
    reference: str = ""  # what was said, for the transcript's word error rate ("": ``text`` without the pause)

    @property
    def said(self) -> str:
        return self.reference or re.sub(r"\s*\[\d+ ms\]\s*", " ", self.text).strip()


def voiced_end_s(pcm: bytes) -> float:
    """Where the spoken words end (last sample above a quiet threshold)."""
    loud = np.nonzero(np.abs(pcm_to_float(pcm)) > 0.02)[0]
    return (loud[-1] + 1) / RATE


def _answer(text: str, pcm: bytes, mid: bool, request: bool = False, reference: str = "") -> Answer:
    return Answer(text, pcm, voiced_end_s(pcm), mid, request, reference)


def _readings() -> dict[str, str]:
    """Each LibriVox clip's transcription as shipped with it (lower case, no punctuation)."""
    shipped = (LIBRIVOX / "transcription").read_text()
    return {m.group(2): m.group(1) for m in re.finditer(r"<s> (.*?) </s> \((.*?)\)", shipped)}


def espeak_answers(module: ModuleType) -> list[Answer]:
    """A text set (FINISHED / MID_THOUGHT, optionally REQUESTS) spoken by espeak-ng."""
    out = [_answer(t, speech_pcm(t, lead_s=0.2, tail_s=0.0), False) for t in module.FINISHED]
    for first, pause_ms, rest in module.MID_THOUGHT:
        pcm = speech_pcm(first, lead_s=0.2, tail_s=pause_ms / 1000) + speech_pcm(rest, lead_s=0.0, tail_s=0.0)
        out.append(_answer(f"{first} [{pause_ms} ms] {rest}", pcm, True))
    for text in getattr(module, "REQUESTS", []):
        out.append(_answer(text, speech_pcm(text, lead_s=0.2, tail_s=0.0), False, request=True))
    return out


def human_available() -> bool:
    return (LIBRIVOX / "transcription").is_file()


def _read_wav(path: Path) -> bytes:
    import wave

    with wave.open(str(path), "rb") as w:
        if w.getframerate() != RATE or w.getnchannels() != 1 or w.getsampwidth() != 2:
            raise ValueError(f"{path}: expected 16 kHz mono PCM16")
        return w.readframes(w.getnframes())


def human_answers(transcriber, limit: int | None = None) -> list[Answer]:  # transcriber: stt.Transcriber
    """The LibriVox clips whole, and each cut mid-sentence with a pause (see the module docstring)."""
    if not human_available():
        raise FileNotFoundError(f"{LIBRIVOX} not found: apt-get install pocketsphinx-testdata")
    lead = silence(0.2, RATE)
    out: list[Answer] = []
    clips = sorted(LIBRIVOX.glob("*.wav"))[:limit]
    readings = _readings()
    for n, clip in enumerate(clips):
        pcm = _read_wav(clip)
        audio = pcm_to_float(pcm)
        words = transcriber.words(audio)
        text = "".join(w.text for w in words).strip()
        reference = readings.get(clip.stem, "")
        out.append(_answer(text, lead + pcm, False, reference=reference))
        for k, share in enumerate(HUMAN_CUTS):
            i = max(1, min(len(words) - 2, round(len(words) * share)))  # cut after word i-1
            if i < 1 or i >= len(words) - 1:
                continue
            # cut halfway between the two words' Whisper times, so neither word is clipped
            cut_s = (words[i - 1].end_s + words[i].start_s) / 2
            at = int(cut_s * RATE) * 2
            pause_ms = HUMAN_PAUSES_MS[(n + k) % len(HUMAN_PAUSES_MS)]
            before = "".join(w.text for w in words[:i]).strip()
            after = "".join(w.text for w in words[i:]).strip()
            spliced = lead + pcm[:at] + silence(pause_ms / 1000, RATE) + pcm[at:]
            out.append(_answer(f"{before} [{pause_ms} ms] {after}", spliced, True, reference=reference))
    return out
