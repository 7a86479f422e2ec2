"""The AI review and the scorecard: what Gemini's post-call review is given and held to.

The review gets the interview's rubric, the scorecard the interviewer kept (main questions,
follow-ups, evidence notes and the scores they make) and a transcript marked with where each
question starts, so it knows which question the interviewer meant as the main one and which
lines were follow-ups or requests. Its answer is then reconciled with the scorecard:

- only the rubric's competencies are kept; one it left out is filled from the scorecard;
- a score more than ``DIFFERS_BY`` points from the scorecard's must say why
  (``differs_because``); without a reason the scorecard's score stands and the comment
  says so;
- no quote backs two points: a repeat is blanked (the point stays, its quote goes);
- with one note per answered question, each note's heading is the question as the scorecard has it.
"""

from __future__ import annotations

from collections.abc import Sequence

from preppal import display
from preppal.services.analysis.transcript_metrics import EntryLike
from preppal.services.feedback.schema import DIFFERS_BY, CompetencyScore, FeedbackResult
from preppal.services.feedback.scorecard_card import LIVE, Card
from preppal.unfinished import ends_mid_sentence

# After a candidate line the interviewer took over mid-sentence (preppal/unfinished.py).
CUT_IN_MARK = "[the interviewer cut in here, mid-sentence: do not judge this answer's length]"

REVIEW_RULES = f"""- competencies: one entry per rubric key listed under "Rubric", scored from the evidence. The
  interviewer's scorecard gives its own score per competency: agree with it, or if your score differs by
  more than {DIFFERS_BY} points, say why in "differs_because" (e.g. a note the transcript contradicts).
  "evidence" quotes the candidate verbatim. Never score a competency the rubric does not list.
- Every strength and improvement names its rubric key in "competency" ("" for delivery) and quotes its
  own evidence: never use the same quote for two points, and never write a point without substance
  (no "you finished the interview").
- question_notes follow the scorecard's main questions in order; "question" is the question as asked
  (not a greeting). Lines marked as requests to repeat or skip a question are not answers."""


def scorecard_section(card: Card) -> str:
    """The rubric and the scorecard as the review reads them."""
    r = card.rubric
    kept = (
        "recorded by the interviewer during the call"
        if card.source == LIVE
        else "read from the answers by heuristics (the interviewer kept no notes)"
    )
    lines = [r.prompt_text(), "", f"Interviewer's scorecard ({kept}):"]
    for q in card.questions:
        label = f" [{r.label(q.competency)}]" if q.competency else ""
        state = "answered" if q.answered else "not answered"
        lines.append(f"Question {q.number}{label} at {display.clock(q.at_ms)} ({state}): {q.text}")
        for f in q.followups:
            lines.append(f"  follow-up at {display.clock(f.at_ms)}: {f.text}")
    if card.notes:
        lines.append("Evidence notes:")
        for n in card.notes:
            where = f"Q{n.number}" if n.number else "Q?"
            lines.append(f"- {where} {n.competency} {n.strength}: “{n.quote}” — {n.why}")
    scores = card.scores
    shown = ", ".join(f"{k} {v}" for k, v in scores.items() if v is not None) or "none (no evidence)"
    lines.append(f"Scorecard scores: {shown}.")
    return "\n".join(lines)


def transcript_lines(entries: Sequence[EntryLike], card: Card | None) -> list[str]:
    """The transcript for the review, with a line where each question and follow-up starts and
    requests to repeat or skip marked as such."""
    marks: list[tuple[int, str]] = []
    requests: set[int] = set()
    if card is not None:
        for q in card.questions:
            marks.append((q.at_ms, f"--- Question {q.number} (main) ---"))
            marks += [(f.at_ms, f"--- Follow-up on question {q.number} ---") for f in q.followups]
            requests.update(q.requests)
        marks.sort(key=lambda m: m[0])
    out: list[str] = []
    for i, e in enumerate(entries):
        if not (e.text or "").strip():
            continue
        ai = str(getattr(e.speaker, "value", e.speaker)).upper() == "AI"
        # A marker made while the interviewer spoke heads that line (it is the question).
        until = int(e.end_ms or e.start_ms or 0) if ai else int(e.start_ms or 0)
        while marks and marks[0][0] <= until:
            out.append(marks.pop(0)[1])
        who = "Interviewer" if ai else "Candidate"
        flag = " (request: not an answer)" if int(getattr(e, "sequence", 0) or 0) in requests else ""
        text = e.text.strip()
        if not ai and i + 1 < len(entries) and ends_mid_sentence(text):
            text += f" {CUT_IN_MARK}"  # not the candidate's brevity: do not grade it as such
        out.append(f"[{display.clock(e.start_ms)}] {who}{flag}: {text}")
    return out


def reconcile(result: FeedbackResult, card: Card) -> FeedbackResult:
    """Hold the review to the rubric and the scorecard (see the module docstring)."""
    r = card.rubric
    reference = card.scores
    kept: dict[str, CompetencyScore] = {}
    for c in result.competencies:
        if r.competency(c.key) is None or c.key in kept:
            continue
        ref = reference.get(c.key)
        if ref is not None and abs(c.score - ref) > DIFFERS_BY and not c.differs_because.strip():
            note = f"The AI review gave {c.score} without saying why it differs; the scorecard's {ref} stands."
            c = c.model_copy(update={"score": ref, "comment": f"{c.comment} {note}".strip()[:600]})
        kept[c.key] = c
    for c in r.competencies:
        if c.key not in kept and reference.get(c.key) is not None:
            kept[c.key] = CompetencyScore(
                key=c.key, score=reference[c.key], comment="From the interviewer's scorecard (the review left it out)."
            )
    result.competencies = [kept[c.key] for c in r.competencies if c.key in kept]
    answered = [q for q in card.questions if q.answered and q.text]
    if len(answered) == len(result.question_notes):  # one note per answered question: the headings are theirs
        for note, q in zip(result.question_notes, answered, strict=True):
            note.question = q.text[:800]
    used: set[str] = set()
    for point in [*result.strengths, *result.improvements]:
        if point.competency and r.competency(point.competency) is None:
            point.competency = ""
        key = " ".join(point.quote.lower().split())
        if key and key in used:
            point.quote = ""
        used.add(key)
    return result
