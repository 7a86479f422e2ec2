"""Answers for the end-of-turn benchmarks (bench/offline_latency.py, bench/turn_judge.py).

Two sets, each written fresh for issue 19, before the text judge existed:
- :mod:`.dev`: the judge's prompt and thresholds were chosen looking at these;
- :mod:`.held_back`: never looked at while tuning; scored only to report. Do not tune on it.
  If you change the judge because of a held-back result, move those answers to ``dev`` and
  write new held-back ones.

A third, :mod:`.openers`, written later for the short-answer rule and never tuned on: a
short finished first sentence, a pause between sentences, the rest of the answer.

Each mid-thought answer is ``(before, pause_ms, after)``: the sentence hangs at the pause
(a verb, a preposition, "is that", a number, a list, an opening clause …). Finished answers
are whole answers, some ending on words that often start a continuation ("… worked on.").
"""
