"""Scorecard: question/answer segmentation and evidence recall on scripted interviews.

Plays fixed scripted interviews (``bench/scorecard_sets/*.json``: the interviewer's questions with
their boundaries, the candidate's turns, requests to repeat or skip, and planted evidence
labelled by the rule in README there) through two paths (``bench/scorecard_paths.py``):

- **offline**: the offline interviewer and its scorecard, stored through the relay's recorder;
  its notes come from the rubric's heuristics, so recall measures what they hear;
- **standin**: "Gemini" played by the Live-API stand-in (real SDK, relay, database), calling
  the note tools with exactly the planted evidence: recall measures the pipeline (stored once,
  dated, attached to the right question), not a model's judgement.

Then feedback's own code builds the card (services/analysis/answers.py, scorecard_card.py) and it is
judged against the script: an answer is *matched* when its line lands in the question it
answered; a *false answer* is a request the split counted as an answer; *evidence recall* is
the share of planted items found as a note of the same competency and strength, quoting the
planted words, on the right question.

``heldback.json`` was written before this bench first ran and is never tuned on; both sets
are printed, and the last line is the held-back set over the paths run (default both).

    .venv/bin/python bench/scorecard.py [--set both|tuning|heldback] [--path both|offline|standin]
        [--model gemini-3.8-live] [--limit N] [--verbose]

The last line is exactly:

    scorecard: segmentation X/Y answers matched, evidence recall R, false answers F
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
SETS = {"tuning": HERE / "scorecard_sets" / "tuning.json", "heldback": HERE / "scorecard_sets" / "heldback.json"}
_WORDS = re.compile(r"[\w']+")


@dataclass
class Tally:
    matched: int = 0
    answers: int = 0
    found: int = 0
    planted: int = 0
    false_answers: int = 0
    requests: int = 0

    def add(self, other: Tally) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def recall(self) -> float:
        return self.found / self.planted if self.planted else float("nan")

    def line(self) -> str:
        return (
            f"segmentation {self.matched}/{self.answers} answers matched, evidence recall {self.recall:.2f}, "
            f"false answers {self.false_answers}"
        )


def _words(text: str) -> list[str]:
    return _WORDS.findall((text or "").lower().replace("’", "'").rstrip("…"))


def quotes(note_quote: str, phrase: str) -> bool:
    """The note quotes the planted words: one contains the other, or most of the phrase is there."""
    have, want = " ".join(_words(note_quote)), " ".join(_words(phrase))
    if want in have or (have and have in want):
        return True
    shared = set(_words(note_quote)) & set(_words(phrase))
    return len(shared) >= 0.6 * max(1, len(set(_words(phrase))))


def judge(iid: str, turns: list, verbose: bool, label: str) -> Tally:
    from preppal.services.feedback.scorecard_card import build_card
    from preppal.services.interviews import lifecycle, scorecard_entries, transcripts

    interview = lifecycle.get_interview_any(iid)
    entries = transcripts.get_transcript(iid)
    card = build_card(
        interview.interview_type.value,
        interview.difficulty.value,
        entries,
        scorecard_entries.list_entries(iid),
        job_description=interview.job_description,
        role=interview.role,
        language=interview.language,
    )
    said = [e for e in entries if e.speaker.value == "USER"]
    question_of = {seq: q.number for q in card.questions for seq in q.sequences}
    t = Tally()
    if len(said) != len(turns) and verbose:
        print(f"  {label}: {len(said)} candidate lines for {len(turns)} scripted turns")
    for turn, line in zip(turns, said, strict=False):
        got = question_of.get(line.sequence)
        if turn.gold is None:
            t.requests += 1
            t.false_answers += got is not None
            continue
        t.answers += 1
        t.matched += got == turn.gold
        if verbose and got != turn.gold:
            print(f"  {label}: “{turn.say[:50]}” in question {got}, answers {turn.gold}")
        for competency, strength, phrase in turn.evidence:
            t.planted += 1
            hit = any(
                n.competency == competency
                and n.strength == strength
                and n.number == turn.gold
                and quotes(n.quote, phrase)
                for n in card.notes
            )
            t.found += hit
            if verbose and not hit:
                print(f"  {label}: missed {strength} {competency}: “{phrase[:60]}”")
    t.answers += sum(1 for turn in turns[len(said) :] if turn.gold is not None)  # lines that never arrived
    return t


def _setup_database(workdir: Path) -> int:
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.db'}"
    os.environ["PREPPAL_DATA_DIR"] = str(workdir)
    os.environ.pop("GEMINI_API_KEY", None)
    from sqlmodel import SQLModel

    from preppal.db import get_engine
    from preppal.services.accounts import auth
    from preppal.settings import reset_settings

    reset_settings()
    SQLModel.metadata.create_all(get_engine())
    return auth.sign_up("bench@example.com", "Scorecard-bench-9", "Bench").id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", choices=("both", "tuning", "heldback"), default="both")
    parser.add_argument("--path", choices=("both", "offline", "standin"), default="both")
    parser.add_argument("--model", default="gemini-3.8-live", help="the Live model the stand-in plays")
    parser.add_argument("--limit", type=int, default=0, help="interviews per set (0: all)")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    from bench.scorecard_paths import run_offline, run_standin

    sets = ["tuning", "heldback"] if args.set == "both" else [args.set]
    paths = ["offline", "standin"] if args.path == "both" else [args.path]
    last = Tally()
    with tempfile.TemporaryDirectory() as tmp:
        user_id = _setup_database(Path(tmp))
        for name in sets:
            scripts = json.loads(SETS[name].read_text())[: args.limit or None]
            pooled = Tally()
            for path in paths:
                tally = Tally()
                for script in scripts:
                    if path == "offline":
                        iid, turns = run_offline(user_id, script)
                    else:
                        iid, turns = run_standin(user_id, script, args.model)
                    tally.add(judge(iid, turns, args.verbose, f"{path}/{script['id']}"))
                print(f"{path:8s}{name:9s} {tally.line()} (requests {tally.requests}, planted {tally.planted})")
                pooled.add(tally)
            if name == sets[-1]:
                last = pooled
    print(f"scorecard: {last.line()}")


if __name__ == "__main__":
    main()
