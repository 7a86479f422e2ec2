"""Words that show a sentence was left unfinished, without a model: one home for the rule.

Used where no language model is at hand: by the offline end of turn when its text judge is
missing (preppal/live/offline/turn_policy.py), and by the built-in feedback, which must not
call an answer "too brief" when the interviewer took the turn in the middle of its sentence
(preppal/services/feedback_analyzer.py). English only; other languages get the punctuation.
"""

from __future__ import annotations

import re

# Conjunctions, articles, determiners, fillers, and the prepositions an answer almost never
# ends on (English ends on "with", "for", "about", "that", "so" … often enough).
TRAILING = frozenset(
    "and but or because although though while since if than whereas the a an my our their your "
    "by into um uh er erm".split()
)
_LAST_WORD = re.compile(r"([A-Za-z']+)\W*$")


def punctuated_unfinished(text: str) -> bool:
    """The transcript says so itself: "…", a comma, a dash, a colon (or there are no words)."""
    stripped = text.rstrip()
    return not stripped or stripped.endswith(("...", "…", ",", "-", ";", ":"))


def ends_mid_sentence(text: str) -> bool:
    """The words stop mid-sentence: the punctuation above, or a conjunction, article, filler …"""
    if punctuated_unfinished(text):
        return True
    last = _LAST_WORD.search(text.rstrip())
    return last is not None and last.group(1).lower() in TRAILING
