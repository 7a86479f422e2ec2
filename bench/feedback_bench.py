"""How long the after-call work takes for a long interview: metrics, the built-in analyzer,
Markdown and PDF export. Prints numbers (no assertions).

    .venv/bin/python bench/feedback_bench.py [minutes] [--repeat 5]   # the suite runs 1 --repeat 1

The last line holds the medians:

    feedback_bench: M min interview: metrics C ms, analyzer A ms, Markdown K ms, PDF P ms
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from preppal.models import Difficulty, Interview, InterviewStatus, InterviewType, Speaker, TranscriptEntry
from preppal.services.analysis.transcript_metrics import compute_metrics
from preppal.services.exports import render
from preppal.services.feedback.analyzer import analyze
from preppal.services.feedback.report import FeedbackSnapshot
from preppal.services.feedback.scorecard_card import build_card

QUESTION = "Tell me about a time you had to make a difficult technical decision under pressure?"
ANSWER = (
    "Um, so at my previous company our billing close took five days. My role was to shorten it. "
    "I designed a new reconciliation pipeline and, like, I wrote the migration with tests for every edge case. "
    "As a result we cut the close from five days to one, which basically saved forty hours a month."
)


def transcript(minutes: int) -> list[TranscriptEntry]:
    """Alternating questions (5 s) and two-segment answers (40 s) for ``minutes`` minutes."""
    rows, t, seq = [], 0, 0
    while t < minutes * 60_000:
        seq += 1
        rows.append(
            TranscriptEntry(
                interview_id="b", sequence=seq, speaker=Speaker.AI, text=QUESTION, start_ms=t, end_ms=t + 5_000
            )
        )
        t += 6_000
        for _ in range(2):
            seq += 1
            rows.append(
                TranscriptEntry(
                    interview_id="b", sequence=seq, speaker=Speaker.USER, text=ANSWER, start_ms=t, end_ms=t + 20_000
                )
            )
            t += 20_800
    return rows


def timed(fn, repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("minutes", type=int, nargs="?", default=60)
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (the PDF: at most 3)")
    args = parser.parse_args()
    minutes, repeat = args.minutes, args.repeat
    rows = transcript(minutes)
    metrics = compute_metrics(rows)
    card = build_card("behavioural", "standard", rows, role="Backend engineer")
    result = analyze(metrics, card)
    interview = Interview(
        id="b",
        user_id=1,
        status=InterviewStatus.COMPLETED,
        interview_type=InterviewType.BEHAVIOURAL,
        role="Backend engineer",
        difficulty=Difficulty.STANDARD,
        created_at=datetime.now(UTC),
    )
    fb = SimpleNamespace(
        status="READY",
        source="analyzer",
        overall_score=result.overall_score,
        summary=result.summary,
        error=None,
        metrics=metrics.to_dict(),
        **result.model_dump(exclude={"overall_score", "summary"}),
    )
    fb.scores = result.scores
    fb.scorecard = {**card.to_dict(), "review": [c.model_dump() for c in result.competencies]}
    report = FeedbackSnapshot(interview=interview, transcript=rows, feedback=fb, metrics=metrics.to_dict())
    print(
        f"transcript: {minutes} min, {len(rows)} segments, {metrics.answers} answers, {metrics.candidate_words} words"
    )
    times = {
        "metrics": timed(lambda: compute_metrics(rows), repeat),
        # the analyzer's work now includes the scorecard (segmentation, heuristic notes per answer)
        "analyzer": timed(
            lambda: analyze(metrics, build_card("behavioural", "standard", rows, role="Backend engineer")), repeat
        ),
        "Markdown": timed(lambda: render.to_markdown(report), repeat),
        "PDF": timed(lambda: render.to_pdf(report), min(repeat, 3)),
    }
    for name, ms in times.items():
        print(f"{name:<10} median {ms:8.1f} ms")
    print(f"PDF size: {len(render.to_pdf(report)) // 1024} KiB")
    print(
        f"feedback_bench: {minutes} min interview: metrics {times['metrics']:.1f} ms, "
        f"analyzer {times['analyzer']:.1f} ms, Markdown {times['Markdown']:.1f} ms, PDF {times['PDF']:.1f} ms"
    )


if __name__ == "__main__":
    main()
