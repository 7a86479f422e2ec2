"""Delivery metrics from audio, on generated speech with known fillers and silences.

The speech is the offline interviewer's own espeak-ng voice (no apt packages), each phrase
synthesised alone and trimmed, so where every word and silence is in the track is known.
The models are the real ones (Silero VAD, faster-whisper tiny.en) the analysis runs on.
"""

from __future__ import annotations

import numpy as np
import pytest

from preppal.live.offline.audio import pcm_to_float
from preppal.services.analysis import audio_metrics, speech_spans
from preppal.services.analysis.fillers import disfluent_prompt
from preppal.services.analysis.transcript_metrics import Segment
from tests.support.speech import speech_pcm

RATE = 16_000
HESITATIONS = {"um", "umm", "uh", "uhh", "er", "hmm"}


def _phrase(text: str) -> np.ndarray:
    audio = pcm_to_float(speech_pcm(text, lead_s=0, tail_s=0, wpm=150))
    loud = np.flatnonzero(np.abs(audio) > 1e-3)
    return audio[loud[0] : loud[-1] + 1]


def _silence(ms: int) -> np.ndarray:
    return np.zeros(ms * RATE // 1000, np.float32)


@pytest.fixture(scope="module")
def models() -> audio_metrics.SpeechModels:
    from preppal.speech.stt import Transcriber

    return audio_metrics.SpeechModels(words=Transcriber(threads=2))


class Labelled:
    """A one-question interview laid out piece by piece, remembering where things are."""

    def __init__(self) -> None:
        self.candidate: list[np.ndarray] = []
        self.interviewer: list[np.ndarray] = []
        self.ms = 0
        self.fillers: list[tuple[str, int]] = []
        self.pauses: list[tuple[int, int]] = []
        self.words = 0
        self.answer_start = self.question_end = 0

    def add(self, who: str, piece: np.ndarray) -> int:
        at = self.ms
        other = self.interviewer if who == "candidate" else self.candidate
        (self.candidate if who == "candidate" else self.interviewer).append(piece)
        other.append(np.zeros_like(piece))
        self.ms += len(piece) * 1000 // RATE
        return at

    def say(self, text: str, filler: str | None = None) -> None:
        at = self.add("candidate", _phrase(text))
        self.words += len(text.replace(",", " ").split())
        if filler:
            self.fillers.append((filler, at))

    def pause(self, ms: int) -> None:
        start = self.add("candidate", _silence(ms))
        if ms >= audio_metrics.PAUSE_MIN_MS:
            self.pauses.append((start, start + ms))

    def tracks(self) -> tuple[np.ndarray, np.ndarray]:
        noise = np.random.default_rng(7)
        cand, ai = np.concatenate(self.candidate), np.concatenate(self.interviewer)
        level = 10 ** (-55 / 20)  # a microphone is never digitally silent
        return (
            cand + noise.normal(0, level, cand.shape).astype(np.float32),
            ai + noise.normal(0, level, ai.shape).astype(np.float32),
        )


@pytest.fixture(scope="module")
def interview() -> Labelled:
    iv = Labelled()
    iv.add("candidate", _silence(500))
    iv.add("interviewer", _phrase("How would you design a system that handles a lot of traffic?"))
    iv.question_end = iv.ms
    iv.add("candidate", _silence(800))  # time to the first word
    iv.answer_start = iv.ms
    iv.say("I would start by clarifying the requirements.")
    iv.pause(1600)
    iv.say("Um,", filler="um")
    iv.add("candidate", _silence(90))
    iv.say("the system needs to handle a lot of traffic.")
    iv.pause(600)  # a short silence is speech time, not a pause
    iv.say("I would put a load balancer in front.")
    iv.pause(2400)
    iv.say("Uh,", filler="uh")
    iv.add("candidate", _silence(90))
    iv.say("we measured the latency first.")
    iv.answer_end = iv.ms
    iv.add("candidate", _silence(1500))
    return iv


def _entries(iv: Labelled) -> list[Segment]:
    # what the live transcript would hold: one segment per turn (the offline interviewer's way)
    return [
        Segment("AI", "How would you design a system that handles a lot of traffic?", 500, iv.question_end, 1),
        Segment("USER", "I would start by clarifying the requirements the system needs", iv.answer_start, iv.ms, 2),
    ]


def test_pauses_fillers_pace_and_first_word_from_audio(models, interview: Labelled) -> None:
    candidate, interviewer = interview.tracks()
    m = audio_metrics.analyze(candidate, _entries(interview), models, interviewer=interviewer)
    assert m["source"] == "audio"

    # every silence ≥ 1 s, at its place (±150 ms), and nothing else
    found = [(p["start_ms"], p["end_ms"]) for p in m["timeline"]["pauses"]]
    assert len(found) == len(interview.pauses) == 2
    for (s, e), (fs, fe) in zip(interview.pauses, found, strict=True):
        assert abs(fs - s) <= 150 and abs(fe - e) <= 150

    # "Um" and "Uh" are counted (the live transcript of such speech loses them), where said
    heard = [(f["word"], f["at_ms"]) for f in m["timeline"]["fillers"]]
    assert sorted(w for w, _ in heard) == ["uh", "um"]
    for word, at in interview.fillers:
        assert any(w == word and abs(a - at) <= 700 for w, a in heard)

    [answer] = m["answers_detail"]
    assert answer["fillers"] == 2 and answer["filler_words"] == {"um": 1, "uh": 1}
    assert answer["pauses"] == 2 and abs(answer["longest_pause_ms"] - 2400) <= 150
    # pace: words ÷ speaking time, the two pauses excluded (the 0.6 s silence is not one)
    speaking_s = (interview.answer_end - interview.answer_start - 1600 - 2400) / 1000
    assert abs(answer["speaking_s"] - speaking_s) <= 0.3
    label_wpm = interview.words * 60 / speaking_s
    assert abs(answer["wpm"] - label_wpm) / label_wpm <= 0.15
    assert abs(answer["response_delay_ms"] - 800) <= 150
    assert m["wpm"] == answer["wpm"] and m["fillers"] == 2 and m["longest_pause_ms"] == answer["longest_pause_ms"]


def test_whisper_keeps_hesitations_only_when_primed(models) -> None:
    """The claim the audio pass rests on: unprimed Whisper drops "um"/"uh", primed keeps them."""
    clip = np.concatenate(
        [
            _phrase("Well, um, I think the main problem was, uh, the database."),
            _silence(300),
            _phrase("Um, we added an index, and, uh, it got faster."),
        ]
    )

    def hesitations(prompt: str) -> int:
        words = models.words.words(clip, prompt)
        return sum(1 for w in words if w.text.strip(" ,.!?").lower() in HESITATIONS)

    primed = hesitations(disfluent_prompt("en-US"))
    unprimed = hesitations("")
    assert primed >= 3  # of the 4 said
    assert unprimed < primed


def test_span_edges_are_refined_to_the_samples() -> None:
    """Window-aligned VAD spans (32 ms) are moved to where the signal starts and stops."""
    tone = (0.3 * np.sin(np.arange(RATE) * 2 * np.pi * 220 / RATE)).astype(np.float32)
    pcm = np.concatenate([_silence(500), tone[: 700 * 16], _silence(1230), tone[: 400 * 16], _silence(700)])
    pcm = pcm + np.random.default_rng(1).normal(0, 1e-4, pcm.shape).astype(np.float32)
    w = speech_spans.WINDOW_MS
    coarse = [  # window-aligned VAD spans, one window late at the start and early at the end
        speech_spans.Span((start + w) // w * w, (end - w) // w * w) for start, end in ((500, 1200), (2430, 2830))
    ]
    spans = speech_spans.refine_edges(pcm, coarse)
    assert [(s.start_ms, s.end_ms) for s in spans] == [(500, 1200), (2430, 2830)]


def test_transcript_fallback_is_labelled_and_finds_gaps_between_segments() -> None:
    entries = [
        Segment("AI", "Tell me about yourself.", 0, 2000, 1),
        Segment("USER", "I build backend systems.", 3000, 5000, 2),
        Segment("USER", "Um, mostly payments.", 6500, 8000, 3),
    ]
    m = audio_metrics.transcript_metrics(entries)
    assert m["source"] == "transcript"
    assert m["timeline"] == {"pauses": [{"start_ms": 5000, "end_ms": 6500}], "fillers": []}
    assert m["fillers"] == 1 and m["longest_pause_ms"] == 1500


class LoopingModel:
    """A recogniser stuck in a repetition loop, as the multilingual model was on a Spanish answer
    of the browser walk: "…para de la familia de la familia …" 80 times in 8.7 s of speech."""

    def words(self, audio: np.ndarray, prompt: str = "", language: str = "en") -> list:
        from preppal.speech.stt import Word

        seconds = audio.size / RATE
        said = ["Trabajo", "con", "Python", "y", "Go"] + ["de", "la", "familia"] * 80
        step = seconds / len(said)
        return [Word(f" {w}", i * step, (i + 1) * step) for i, w in enumerate(said)]


def test_a_decode_stuck_in_a_loop_keeps_the_live_transcripts_words() -> None:
    """A second listen that heard more words than anyone can say keeps the live transcript's
    count (pace 1,238 words/min was shown for a 20-word answer); pauses and timing still come
    from the audio."""
    said = "Trabajo sobre todo con Python y PostgreSQL en servicios de backend."
    speech = pcm_to_float(speech_pcm(said, lead_s=0, tail_s=0, wpm=150, language="es-US"))
    candidate = np.concatenate([_silence(800), speech, _silence(800)])
    end_ms = len(candidate) * 1000 // RATE
    live = "Tremado saber todo con Pyson y PostgreSQL y servicios de backend."
    entries = [Segment("AI", "¿Con qué trabajas?", 0, 700, 1), Segment("USER", live, 800, end_ms, 2)]
    m = audio_metrics.analyze(
        candidate, entries, audio_metrics.SpeechModels(LoopingModel(), multilingual=True), language="es-US"
    )
    [answer] = m["answers_detail"]
    assert answer["words"] == len(live.split()), answer
    assert answer["wpm"] is not None and answer["wpm"] < 250, answer["wpm"]
    assert answer["heard"] is None  # what the loop heard is not shown as the answer
    assert m["source"] == "audio" and answer["speaking_s"] > 2


@pytest.mark.slow
def test_a_spanish_answer_is_listened_to_again_in_spanish() -> None:
    """Interviews in other languages get the second listen too, with the multilingual model."""
    from preppal.speech.stt import Transcriber
    from preppal.speech.whisper_models import BASE

    spanish = audio_metrics.SpeechModels(Transcriber(threads=2, model=BASE), multilingual=True)

    def phrase(text: str) -> np.ndarray:
        audio = pcm_to_float(speech_pcm(text, lead_s=0, tail_s=0, wpm=150, language="es-US"))
        loud = np.flatnonzero(np.abs(audio) > 1e-3)
        return audio[loud[0] : loud[-1] + 1]

    said = ["Mi equipo construyó un nuevo sistema de pagos.", "Luego medimos la latencia del servicio."]
    candidate = np.concatenate([_silence(800), phrase(said[0]), _silence(1500), phrase(said[1]), _silence(800)])
    end_ms = len(candidate) * 1000 // RATE
    entries = [Segment("AI", "¿Qué construiste?", 0, 700, 1), Segment("USER", " ".join(said), 800, end_ms, 2)]
    m = audio_metrics.analyze(candidate, entries, spanish, language="es-US")
    [answer] = m["answers_detail"]
    heard = answer["heard"].lower()
    assert sum(w in heard for w in ("equip", "sistema", "pagos", "latencia", "servicio")) >= 2, heard  # espeak voice
    assert answer["pauses"] == 1 and abs(answer["longest_pause_ms"] - 1500) <= 200
    assert 0.7 <= answer["words"] / 14 <= 1.3, answer["words"]  # 14 words said
