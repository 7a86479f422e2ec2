"""bench/offline_followups.py's judge and labels (its smoke run is in tests/bench)."""

from __future__ import annotations

import json

from bench import offline_followups

INTENTS = {
    "next", "steer", "example", "outcome", "quantify", "own_role", "tradeoff", "failure", "reflection", "clarify",
    "approach", "testing", "requirements", "components", "priorities", "pushback",
}  # fmt: skip


def test_every_label_is_a_known_intent() -> None:
    for path in offline_followups.SETS.values():
        for item in json.loads(path.read_text(encoding="utf-8")):
            for label in item["relevant"]:
                family = label.split(":", 1)[0]
                assert label in INTENTS or family in ("probe", "jd", "code"), (path.name, item["id"], label)


class _Reply:
    def __init__(self, rule: str, text: str, subject: str = "") -> None:
        self.rule, self.text, self.subject = rule, text, subject


def test_the_judge() -> None:
    item = {
        "question": {"text": "Tell me about a time you improved performance."},
        "answer": "I put Redis in front of the catalogue and the pages got faster.",
        "relevant": ["probe:redis", "quantify"],
        "history": [{"asked": "outcome", "text": "What was the outcome?"}],
    }
    fixed = offline_followups.stems("You mentioned {quote}. Can you put a number on that?")
    probe = _Reply("probe", "You mentioned Redis. What happens if it goes down?", "redis")
    assert offline_followups.judge(item, probe, fixed) == (True, True, False)
    plain = _Reply("quantify", "Can you put a number on that?")
    assert offline_followups.judge(item, plain, fixed) == (True, False, False)
    again = _Reply("outcome", "What was the outcome?")
    assert offline_followups.judge(item, again, fixed) == (False, False, True)
    moving_on = _Reply("next", "Thanks. Tell me about the catalogue.")
    assert offline_followups.judge(item, moving_on, fixed) == (False, False, False)
