"""How likely the answer ends where its transcript stops, judged from the words by a small language model.

A sentence can hang on anything: a verb ("We decided to"), a preposition, "is that", a
number, a list ("Kafka, Redis, and"), an opening clause. A list of words always misses the
next one; a language model has seen how sentences go on. This asks SmolLM2-135M-Instruct
(:mod:`.text_model`) for the probability that the candidate's message ends right after the
last word: the chat template's end-of-message token or sentence-final punctuation.

- **The transcript's final punctuation is stripped first.** Whisper puts a period on any
  chunk; left in, "We cut the costs by." reads as finished. (A comma or "…" Whisper wrote is
  evidence of its own: :func:`.turn_policy.trails_off` keeps it.)
- **Only the last words count** (whole sentences, at most :data:`MAX_WORDS`): the ending is
  what matters, and a bounded prompt bounds the cost. The window starts at a sentence, so as
  the answer grows the prompt keeps its prefix and the model's prompt cache is reused.

Zero-shot, no fine-tuning: measured on the benchmark's answers in docs/performance.md.
"""

from __future__ import annotations

import re

from preppal.live.offline.text_model import USER, TextModel

MAX_WORDS = 40
_ENDINGS = frozenset({".", "!", "?", "<|im_end|>", "<|endoftext|>", ".\n", "!\n", "?\n", ".\n\n"})
_FINAL_PUNCTUATION = re.compile(r"[\s.!?。！？]+$")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_KEEP_CAPITAL = frozenset({"I", "OK"})


def last_words(text: str, max_words: int = MAX_WORDS) -> str:
    """The answer's last whole sentences within ``max_words`` (or the last sentence's last words)."""
    sentences = [s for s in _SENTENCE.split(text.strip()) if s]
    kept: list[str] = []
    count = 0
    for sentence in reversed(sentences):
        n = len(sentence.split())
        if kept and count + n > max_words:
            break
        kept.insert(0, sentence)
        count += n
    window = " ".join(kept)
    words = window.split()
    return " ".join(words[-max_words:]) if len(words) > max_words else window


def join_chunks(parts: list[str]) -> str:
    """One answer from the transcripts of its chunks, without the chunk boundaries' artefacts.

    The answer is transcribed in chunks cut at pauses, and Whisper ends every chunk with a
    period and starts the next with a capital: "I learned to ask for help. Before the
    deadline gets close." The judge would then read the last chunk as a fragment (an
    unfinished sentence). The boundary's period goes and the capital is lowered (not "I").
    """
    out = ""
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if out:
            out = out[:-1] if out.endswith(".") and not out.endswith("...") else out
            first = part.split(" ", 1)[0]
            if first[:1].isupper() and first not in _KEEP_CAPITAL and not first.startswith("I'"):
                part = part[0].lower() + part[1:]
            out += " "
        out += part
    return out


def strip_final_punctuation(text: str) -> str:
    return _FINAL_PUNCTUATION.sub("", text)


def prompt_for(answer: str) -> str:
    """The candidate's words as an unfinished chat message (the model predicts what follows)."""
    return USER + strip_final_punctuation(last_words(answer))


class TextJudge:
    """P(the answer ends here) from its transcript. Blocking: call it on a worker thread."""

    def __init__(self, model: TextModel) -> None:
        self._model = model

    def probability(self, answer: str) -> float:
        if not strip_final_punctuation(answer).strip():
            return 0.0
        top = self._model.next_token_probabilities(prompt_for(answer))
        return min(1.0, sum(p for token, p in top.items() if token in _ENDINGS))
