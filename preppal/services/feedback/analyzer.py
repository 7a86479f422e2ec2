"""The built-in analyzer: feedback of Gemini's shape from the scorecard, without a model.

Used when no Gemini key is configured (or the AI review failed). It scores the interview's
rubric competencies from the scorecard's evidence notes (recorded live by the offline
interviewer, or read from each answer with the rubric's heuristics for older interviews:
``services.feedback.scorecard_card``), so a technical round is judged on framing, approach, code,
testing and communication, never on STAR. Every strength and improvement quotes its own
evidence (no quote twice); a competency nobody heard evidence for is said to be missing,
not scored. Delivery (fillers, pace) comes from the measured metrics. The page labels the
result as heuristic.
"""

from __future__ import annotations

from preppal.rubric import STRONG, WEAK, Competency, split_sentences
from preppal.services.analysis.transcript_metrics import InterviewMetrics, find_fillers
from preppal.services.feedback.schema import CompetencyScore, FeedbackPoint, FeedbackResult, QuestionNote
from preppal.services.feedback.scorecard_card import LIVE, Card, Note
from preppal.unfinished import ends_mid_sentence

MAX_POINTS = 5
FILLERS_PER_MIN_NOTE = 3.0  # above this, filler words get an improvement of their own
PACE_RANGE = (105, 175)  # words per minute outside it get an improvement
SHORT_WORDS = 40  # a whole answer shorter than this gets "go one level deeper"
NO_CODE_REVIEW = (
    " The built-in analyzer does not judge the code you wrote in the editor; it is shown below as you left it "
    "(an AI review with a Gemini key scores it)."
)


def _clamp(value: float) -> int:
    return int(round(min(100.0, max(0.0, value))))


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _by_weight(card: Card, notes: list[Note]) -> list[Note]:
    """Heaviest competency first, then the order they were said in."""
    weight = {c.key: c.weight for c in card.rubric.competencies}
    return sorted(notes, key=lambda n: (-weight.get(n.competency, 1.0), n.at_ms))


def _one_per_competency(card: Card, notes: list[Note], used: set[str]) -> list[tuple[Competency, Note]]:
    """One note per competency, each with a quote no other point uses."""
    picked: list[tuple[Competency, Note]] = []
    seen: set[str] = set()
    for n in _by_weight(card, notes):
        c = card.rubric.competency(n.competency)
        if c is None or n.competency in seen or not n.quote or n.quote in used:
            continue
        seen.add(n.competency)
        used.add(n.quote)
        picked.append((c, n))
    return picked


def _where(n: Note) -> str:
    return f" (question {n.number})" if n.number else ""


def _competencies(card: Card) -> list[CompetencyScore]:
    out = []
    scores = card.scores
    for c in card.rubric.competencies:
        score = scores[c.key]
        if score is None:
            continue
        mine = [n for n in card.notes if n.competency == c.key]
        strong = sum(n.strength == STRONG for n in mine)
        weak = len(mine) - strong
        comment = f"{strong} strong and {weak} weak piece(s) of evidence. " + (c.asks if strong >= weak else c.weak)
        quotes = list(dict.fromkeys(n.quote for n in _by_weight(card, mine) if n.quote))[:3]
        out.append(CompetencyScore(key=c.key, score=score, comment=_clip(comment, 600), evidence=quotes))
    return out


def _strengths(card: Card, used: set[str]) -> list[FeedbackPoint]:
    strong = [n for n in card.notes if n.strength == STRONG]
    return [
        FeedbackPoint(title=c.label, detail=_clip(f"{n.why}{_where(n)}", 800), quote=n.quote, competency=c.key)
        for c, n in _one_per_competency(card, strong, used)[:MAX_POINTS]
    ]


def _delivery(metrics: InterviewMetrics, card: Card, used: set[str]) -> list[FeedbackPoint]:
    points = []
    sentences = [s for q in card.questions if q.answered for s in split_sentences(q.answer) if s not in used]
    if metrics.fillers and (metrics.fillers_per_min or 0) >= FILLERS_PER_MIN_NOTE and sentences:
        quote = max(sentences, key=lambda s: sum(find_fillers(s).values()))
        if sum(find_fillers(quote).values()):
            top = ", ".join(f"“{k}” ×{v}" for k, v in list(metrics.filler_words.items())[:3])
            used.add(quote)
            detail = f"You used {metrics.fillers} filler words ({top}); a silent pause sounds more sure."
            points.append(FeedbackPoint(title="Cut the filler words", detail=detail, quote=_clip(quote, 600)))
    # A short answer says too little to judge; one the interviewer cut off mid-sentence is short
    # through no fault of the candidate, and a request to repeat is no answer at all.
    short = [q for q in card.questions if q.answered and q.words < SHORT_WORDS and not ends_mid_sentence(q.answer)]
    if short:
        q = min(short, key=lambda x: x.words)
        quote = split_sentences(q.answer)[0]
        if quote not in used:
            used.add(quote)
            detail = f"{q.words} words is too brief to show your thinking; add context, what you did and why."
            points.append(FeedbackPoint(title="Go one level deeper", detail=detail, quote=_clip(quote, 600)))
    if metrics.unit == "words" and metrics.wpm and not PACE_RANGE[0] <= metrics.wpm <= PACE_RANGE[1]:
        detail = f"About {metrics.wpm:.0f} words per minute; 120-160 is easiest to follow."
        points.append(FeedbackPoint(title="Adjust your pace", detail=detail))
    return points


def _improvements(metrics: InterviewMetrics, card: Card, used: set[str]) -> list[FeedbackPoint]:
    weak = [n for n in card.notes if n.strength == WEAK]
    points = [
        FeedbackPoint(
            title=c.label,
            detail=_clip(f"{n.why}{_where(n)} What strong sounds like: {c.strong}", 800),
            quote=n.quote,
            competency=c.key,
        )
        for c, n in _one_per_competency(card, weak, used)
    ]
    points += _delivery(metrics, card, used)
    heard = {n.competency for n in card.notes}
    for c in card.rubric.lacking(card.notes):
        if c.key not in heard:
            detail = f"None of your answers showed this yet. What strong sounds like: {c.strong}"
            points.append(FeedbackPoint(title=f"{c.label}: not heard yet", detail=_clip(detail, 800), competency=c.key))
    return points[:MAX_POINTS]


def _question_notes(card: Card) -> list[QuestionNote]:
    notes = []
    for q in card.questions:
        if not q.answered:
            continue
        mine = card.notes_for(q.number)
        strong = list(dict.fromkeys(card.rubric.label(n.competency) for n in mine if n.strength == STRONG))
        weak = [n for n in mine if n.strength == WEAK]
        parts = [f"{q.words} words."]
        parts.append(f"Strong evidence: {', '.join(strong)}." if strong else "No strong evidence in this answer.")
        parts += [f"Weak: {n.why}" for n in weak[:3]]
        missing = [card.rubric.competency(n.competency) for n in weak]
        if q.competency and q.competency not in {n.competency for n in mine}:
            missing.append(card.rubric.competency(q.competency))
        wanted = list(dict.fromkeys(c for c in missing if c is not None))
        better = (
            "A stronger answer would add: " + " ".join(f"{c.label} — {c.strong}" for c in wanted[:3])
            if wanted
            else "This answer already has the rubric's strong evidence; keep the shape and keep it brief."
        )
        notes.append(
            QuestionNote(
                question=_clip(q.text or "(question)", 780),
                answer_quote=_clip(q.answer, 240),
                assessment=_clip(" ".join(parts), 1200),
                better_answer=_clip(better, 1500),
            )
        )
    return notes[:20]


def _summary(metrics: InterviewMetrics, card: Card, result: list[CompetencyScore], has_code: bool) -> str:
    asked = len(card.questions)
    pace = f" at about {metrics.wpm:.0f} words per minute" if metrics.wpm and metrics.unit == "words" else ""
    text = f"You answered {card.answered} of {asked} question(s){pace}, with {metrics.fillers} filler word(s). "
    if result:
        best, worst = max(result, key=lambda c: c.score), min(result, key=lambda c: c.score)
        text += f"Strongest: {card.rubric.label(best.key)} ({best.score}). "
        unheard = [c.label for c in card.rubric.competencies if card.scores[c.key] is None]
        if worst.score < best.score:
            text += f"Most room to grow: {card.rubric.label(worst.key)} ({worst.score}). "
        if unheard:
            text += f"Not heard yet: {', '.join(unheard)}. "
    else:
        text += "No rubric evidence was heard in your answers, so the score reflects how many you answered. "
    heard = "in the notes the interviewer kept during the call" if card.source == LIVE else "in your answers"
    text += f"These scores come from the built-in analyzer's reading of the rubric's cues {heard}, not an AI review."
    return text + (NO_CODE_REVIEW if has_code else "")


def analyze(metrics: InterviewMetrics, card: Card, *, has_code: bool = False) -> FeedbackResult:
    """Feedback of Gemini's shape from the scorecard and the delivery metrics.

    Needs at least one candidate answer (the service handles an empty transcript). It never
    scores the code itself; with ``has_code`` the summary says so.
    """
    if not any(q.words for q in card.questions) and not metrics.candidate_words:
        raise ValueError("no candidate answers to analyse")
    competencies = _competencies(card)
    coverage = card.answered / len(card.questions) if card.questions else 1.0
    base = card.overall if card.overall is not None else 50
    used: set[str] = set()
    return FeedbackResult(
        overall_score=_clamp(base * (0.6 + 0.4 * min(1.0, coverage))),
        summary=_summary(metrics, card, competencies, has_code),
        competencies=competencies,
        strengths=_strengths(card, used),
        improvements=_improvements(metrics, card, used),
        question_notes=_question_notes(card),
    )
