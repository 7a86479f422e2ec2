"""Offline interviewer follow-ups: relevant, grounded in the answer, never repeated.

Replays scripted turns (``bench/followups/*.json``: a question, what was said and asked on it
before, the editor, the brief, the candidate's answer) through the offline interviewer and
judges each reply against labels a person wrote (README there: the labelling rule):

- **relevant**: the reply's intent (its rule, and for a probe what it is about) is one the
  labels list for that answer;
- **grounded in the answer**: a follow-up (not moving on) that says back words from the answer
  which are neither in the question nor in the rules' fixed lines (``followups.json``; a
  concept's probe is said only because the answer named the concept, so its words count);
- **repeated questions**: a reply that asks again what was asked before on that question or,
  for a probe, about something already probed earlier in the interview.

``heldback.json`` was written before the follow-up engine and is never tuned on; the last
line is its result (or the only set run's):

    offline_followups: relevant R/N, grounded in the answer G/N, repeated questions D
 ``--source DIR`` imports ``preppal`` from another checkout (e.g. an older
revision in a ``git worktree``) to measure before and after with the same bench and labels.
``--ranker model`` lets the small text model reorder the rules' candidates (see
``preppal/live/offline/ranking.py``).

    .venv/bin/python bench/offline_followups.py [--set heldback|tuning|both] [--verbose]

The last line (``--set both``: the held-back set):

    offline_followups: relevant R/N, grounded in the answer G/N, repeated questions D
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SETS = {"tuning": HERE / "followups" / "tuning.json", "heldback": HERE / "followups" / "heldback.json"}
EDITOR = {"write", "walkthrough", "complexity", "edge_cases", "tests"}
NEXT = {"next", "close"}
_WORD = re.compile(r"[a-z0-9][a-z0-9'+#.]*")
# The judge's own small vocabulary (independent of the interviewer's): words that say nothing
# about a particular answer.
_STOP = frozenset(
    "the and for are but not you your yours with this that those these have has had was were will would could "
    "should can just about into from they them their there then than what when where which who why how its it's "
    "i'm i've i'd we're our out over very really also some any all been being did does doing done don't didn't "
    "yes yeah okay well like think know mean kind sort lot get got going one thing things much many more most "
    "maybe because so she her him his me my us said mentioned tell walk example time work".split()
)


def stems(text: str) -> set[str]:
    out = set()
    for word in _WORD.findall(text.lower()):
        word = word.strip(".")
        if len(word) < 3 or word in _STOP:
            continue
        for suffix in ("ations", "ation", "ings", "ing", "ers", "er", "ied", "ies", "ed", "es", "ly", "s"):
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                word = word[: -len(suffix)]
                break
        out.add(word)
    return out


def strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from strings(inner)


@dataclass
class System:
    """The interviewer under test, old or new, behind one small interface."""

    module: object
    brief_type: type
    fixed_words: set[str]  # stems of every fixed line it can say
    bank: dict  # type → difficulty → question dicts
    new: bool

    @classmethod
    def load(cls) -> System:
        from preppal.live import base
        from preppal.live.offline import interviewer

        try:
            from preppal.live.offline.language_pack import load_pack
        except ImportError:  # before language packs (main at cab0163 and earlier)
            from preppal.live.offline.questions import load_bank

            bank = load_bank()
            fixed = set().union(*(stems(s) for s in strings(bank["followups"])))
            return cls(interviewer, base.InterviewBrief, fixed, bank["questions"], new=False)
        pack = load_pack("en")
        # The rules' own lines; a concept's probes are said only when the answer named it.
        fixed = set().union(*(stems(s.replace("{", " ").replace("}", " ")) for s in strings(pack.followups)))
        return cls(interviewer, base.InterviewBrief, fixed, pack.questions, new=True)

    def question(self, item: dict) -> dict:
        """The bank's own entry for the item's question when it has one (code questions carry more)."""
        for cells in self.bank.values():
            for cell in cells.values():
                for q in cell:
                    if q["text"] == item["question"]["text"]:
                        return {k: v for k, v in q.items() if k != "needs_skill"}
        return {"text": item["question"]["text"], "kind": item["question"]["kind"], "tags": []}

    def seat(self, item: dict, ranker: object = None):  # -> an interviewer at this turn
        brief = self.brief_type(
            f"bench-{item['id']}",
            item["type"],
            item["role"],
            item["difficulty"],
            job_description=item.get("job_description", ""),
            resume_text=item.get("resume", ""),
        )
        Interviewer = self.module.Interviewer
        fresh = Interviewer(brief)
        state = fresh.snapshot()
        filler = {"text": "What else would you like to tell me about your work?", "kind": "open", "tags": []}
        state["questions"] = [self.question(item), filler]
        state["index"] = 0
        history = item.get("history", [])
        state["answers"] = [h["answer"] for h in history]
        rules = [h["asked"].split(":", 1) + [""] for h in history]
        if self.new:
            state["asked"] = [
                [r[1] if r[0] == "code" else r[0], r[1] if r[0] in ("probe", "jd") else ""] for r in rules
            ]
            state["probed"] = [e.split(":", 1)[1] for e in item.get("asked_earlier", []) if ":" in e]
            state["code_seen"] = item.get("code_seen", "")
            iv = Interviewer.restore(brief, state)
            iv.ranker = ranker
        else:
            state["followups_used"] = [r[1] if r[0] == "code" else r[0] for r in rules]
            iv = Interviewer.restore(brief, state)
            iv._code = iv._code_seen = item.get("code_seen", "")
        iv.note_code(item.get("code", item.get("code_seen", "")))
        return iv


def intent(reply) -> str:
    if reply.rule in NEXT:
        return "next"
    if reply.rule in EDITOR:
        return f"code:{reply.rule}"
    if reply.rule == "quantify_design":
        return "quantify"
    subject = getattr(reply, "subject", "")
    return f"{reply.rule}:{subject}" if reply.rule in ("probe", "jd") else reply.rule


def _about(label_thing: str, reply_text: str, subject: str) -> bool:
    """A probe or job-description link is about ``label_thing`` when the reply names it."""
    thing = label_thing.lower()
    return thing in reply_text.lower() or bool(stems(thing) & stems(reply_text)) or thing == subject.lower()


def judge(item: dict, reply, fixed_words: set[str]) -> tuple[bool, bool, bool]:
    """(relevant, grounded, repeated) for one reply."""
    said = intent(reply)
    family, _, subject = said.partition(":")
    labels = item["relevant"]
    relevant = said in labels
    if family in ("probe", "jd") and not relevant:
        relevant = any(
            label.startswith(family + ":") and _about(label.split(":", 1)[1], reply.text, subject) for label in labels
        )
    grounded = False
    if said != "next":
        own = stems(reply.text) - fixed_words - stems(item["question"]["text"])
        grounded = bool(own & stems(item["answer"]))
    before = [h["asked"] for h in item.get("history", [])]
    repeated = said in before or any(reply.text.strip() == h.get("text", "") for h in item.get("history", []))
    if family == "probe":
        earlier = [e.split(":", 1)[1] for e in item.get("asked_earlier", []) + before if e.startswith("probe:")]
        repeated = repeated or any(_about(thing, reply.text, subject) for thing in earlier)
    return relevant, grounded, repeated


def run(system: System, items: list[dict], verbose: bool, ranker: object = None) -> tuple[int, int, int, int]:
    relevant = grounded = repeated = 0
    for item in items:
        iv = system.seat(item, ranker)
        reply = iv.respond(item["answer"])
        r, g, d = judge(item, reply, system.fixed_words)
        relevant, grounded, repeated = relevant + r, grounded + g, repeated + d
        if verbose:
            marks = ("relevant" if r else "NOT RELEVANT") + (", grounded" if g else "") + (", REPEATED" if d else "")
            print(f"  {item['id']}: [{intent(reply)}] {marks}\n      {reply.text}\n      labels: {item['relevant']}")
    return relevant, grounded, repeated, len(items)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", choices=("heldback", "tuning", "both"), default="both")
    parser.add_argument("--limit", type=int, default=0, help="first N items of each set (the suite's smoke size)")
    parser.add_argument("--source", type=Path, help="import preppal from this checkout instead")
    parser.add_argument("--ranker", choices=("rules", "model"), default="rules")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(args.source.resolve() if args.source else HERE.parent))
    system = System.load()
    ranker = None
    if args.ranker == "model":
        from preppal.live.offline.ranking import model_ranker

        ranker = model_ranker()
    names = ["tuning", "heldback"] if args.set == "both" else [args.set]
    for name in names:
        items = json.loads(SETS[name].read_text(encoding="utf-8"))
        items = items[: args.limit] if args.limit else items
        if args.verbose:
            print(f"{name} ({len(items)} turns):")
        r, g, d, n = run(system, items, args.verbose, ranker)
        print(f"offline_followups[{name}]: relevant {r}/{n}, grounded in the answer {g}/{n}, repeated questions {d}")
    # The last line is the held-back set's (or the only set run), in the format.
    print(f"offline_followups: relevant {r}/{n}, grounded in the answer {g}/{n}, repeated questions {d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
