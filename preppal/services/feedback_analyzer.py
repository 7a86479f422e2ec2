"""The built-in feedback analyzer: deterministic feedback from the transcript and metrics.

Used when no Gemini key is configured, so feedback works offline. It cannot judge
content the way a language model does; it scores what text can show cheaply — STAR
markers, numbers, technical vocabulary, overlap with the question and the job
description, hedging, filler words and pace — and quotes the candidate's own sentences.
The page labels its output as heuristic.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from preppal.services.feedback_schema import CategoryScores, FeedbackPoint, FeedbackResult, QuestionNote
from preppal.services.metrics import AnswerMetrics, InterviewMetrics, find_fillers, tokenize
from preppal.unfinished import ends_mid_sentence

_STAR = {
    "situation": r"\b(when i was|at my (previous|last|current)|in my (previous|last|current)|we had|there was|"
    r"the context|back in|last year|a few years ago|our team)\b",
    "task": r"\b(my (role|job|task|goal|responsibility) was|i was (responsible|asked|tasked)|we needed to|"
    r"i needed to|the goal was|had to|the challenge was|the problem was)\b",
    "action": r"\b(i (decided|built|led|wrote|designed|created|implemented|set up|organi[sz]ed|proposed|"
    r"introduced|worked|spoke|talked|added|changed|moved|started|refactored|analy[sz]ed|measured|ran))\b",
    "result": r"\b(as a result|resulted|result was|in the end|we (cut|reduced|increased|improved|saved|shipped|"
    r"launched|grew)|which (cut|reduced|increased|improved|saved)|outcome|impact|%|percent)\b",
}
_STAR_RE = {k: re.compile(v) for k, v in _STAR.items()}
_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|twenty|fifty|hundred|thousand|"
    r"million|half|double|twice)\b"
)
_HEDGES = re.compile(
    r"\b(i think|i guess|maybe|perhaps|sort of|kind of|probably|i'm not sure|not sure|"
    r"i suppose|hopefully|i believe)\b"
)
_TECH = set(
    "api apis database databases sql nosql index indexes latency throughput cache caching queue queues scale "
    "scaling scalability test tests testing deploy deployment pipeline ci architecture service services "
    "microservice microservices algorithm complexity memory cpu thread threads concurrency async lock "
    "protocol http grpc rest schema migration migrations kubernetes docker cloud aws gcp azure python java "
    "typescript javascript react frontend backend server client cluster shard sharding replica replication "
    "consistency availability partition load balancer monitoring metrics logging alert alerts incident "
    "rollback release feature flag debugging profiling performance optimisation optimization security auth "
    "encryption model data pipeline etl batch streaming kafka redis postgres trade-off tradeoff design "
    "requirements stakeholders roadmap prioritised prioritized okr kpi revenue budget experiment".split()
)
_STOP = set(
    "the a an and or but if then so to of in on at for with about from by as is are was were be been being it "
    "this that these those you your i me my we our they them their he she his her what which who whom how why "
    "when where can could would should will do did does have has had tell me describe give example time there "
    "any some more most very just also into over than".split()
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_WEIGHTS = {"communication": 0.2, "structure": 0.25, "technical_depth": 0.2, "relevance": 0.2, "confidence": 0.15}


@dataclass
class _Answer:
    metrics: AnswerMetrics
    lower: str
    sentences: list[str]
    star: dict[str, bool]
    has_number: bool
    tech: int
    hedges: int
    overlap: float  # share of the question's content words (stems) the answer uses
    context: float | None  # use of the role's / job description's words, None without them
    ownership: float  # "I/my" share among "I/my/we/our"


def _content_words(text: str) -> set[str]:
    return {t for t in tokenize(text) if t[0].isalpha() and len(t) > 3 and t not in _STOP}


def _stems(words: set[str]) -> set[str]:
    """Crude stems (first five letters): "improved" meets "improvement", "systems" meets "system"."""
    return {w[:5] for w in words}


def _analyse(a: AnswerMetrics, context_words: set[str]) -> _Answer:
    lower = a.text.lower()
    tokens = [t for t in tokenize(a.text) if t[0].isalnum()]
    q_stems = _stems(_content_words(a.question))
    a_stems = _stems(_content_words(a.text))
    context_hits = len(a_stems & _stems(context_words))
    i_count = sum(t in ("i", "my", "i'm", "i've", "i'd") for t in tokens)
    we_count = sum(t in ("we", "our", "we're", "we've") for t in tokens)
    return _Answer(
        metrics=a,
        lower=lower,
        sentences=[s.strip() for s in _SENTENCE.split(a.text) if len(s.split()) >= 4] or [a.text.strip()],
        star={k: bool(r.search(lower)) for k, r in _STAR_RE.items()},
        has_number=bool(_NUMBER.search(lower)),
        tech=sum(t in _TECH or t in context_words for t in tokens),
        hedges=len(_HEDGES.findall(lower)),
        overlap=len(q_stems & a_stems) / len(q_stems) if q_stems else 0.5,
        context=min(1.0, context_hits / 3) if context_words else None,
        ownership=i_count / (i_count + we_count) if i_count + we_count else 0.5,
    )


def _clamp(value: float) -> int:
    return int(round(min(100.0, max(0.0, value))))


def _scores(answers: list[_Answer], m: InterviewMetrics) -> CategoryScores:
    words = np.array([a.metrics.words for a in answers], dtype=np.float64)
    comm = 100.0
    if m.wpm is not None:
        comm -= min(30.0, max(0.0, 120 - m.wpm, m.wpm - 165) / 2)
    comm -= min(30.0, (m.fillers_per_min or 0.0) * 4)
    avg = float(words.mean())
    comm -= min(25.0, max(0.0, 40 - avg) * 0.6) + (10.0 if avg > 300 else 0.0)
    star = np.mean([sum(a.star.values()) / 4 for a in answers])
    numbers = np.mean([a.has_number for a in answers])
    depth = np.mean([min(1.0, a.tech / 6) * 0.6 + 0.2 * a.has_number + 0.2 * (a.metrics.words >= 60) for a in answers])
    relevance = np.mean(
        [
            min(1.0, a.overlap * 1.5) if a.context is None else 0.8 * min(1.0, a.overlap * 1.5) + 0.2 * a.context
            for a in answers
        ]
    )
    hedges_per_100 = 100 * sum(a.hedges for a in answers) / max(1.0, float(words.sum()))
    ownership = np.mean([a.ownership for a in answers])
    return CategoryScores(
        communication=_clamp(comm),
        structure=_clamp(20 + 70 * star + 10 * numbers),
        technical_depth=_clamp(25 + 75 * depth),
        relevance=_clamp(40 + 60 * relevance),
        confidence=_clamp(85 - 8 * hedges_per_100 - 2 * (m.fillers_per_min or 0.0) + 15 * (ownership - 0.5)),
    )


def _best_sentence(answers: Sequence[_Answer], key) -> tuple[float, str]:
    """The highest-scoring sentence over all answers by ``key(sentence_lower)``."""
    best: tuple[float, str] = (0.0, "")
    for a in answers:
        for s in a.sentences:
            score = float(key(s.lower()))
            if score > best[0]:
                best = (score, s)
    return best


def _quote(text: str, limit: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _finalize(
    found: list[tuple[float, FeedbackPoint]], fallbacks: list[tuple[str, str]], answers: list[_Answer]
) -> list[FeedbackPoint]:
    """The best 3–5 points; padding from ``fallbacks`` quotes sentences not quoted yet."""
    points = [p for _, p in sorted((f for f in found if f[0] > 0), key=lambda f: -f[0])][:5]
    used = {p.quote for p in points}
    spare = [_quote(s) for a in sorted(answers, key=lambda a: -a.metrics.words) for s in a.sentences]
    spare = [q for q in dict.fromkeys(spare) if q not in used] or [points[0].quote if points else spare[0]]
    for i, (title, detail) in enumerate(fallbacks):
        if len(points) >= 3:
            break
        points.append(FeedbackPoint(title=title, detail=detail, quote=spare[i % len(spare)]))
    return points


def _strengths(answers: list[_Answer], m: InterviewMetrics) -> list[FeedbackPoint]:
    found: list[tuple[float, FeedbackPoint]] = []

    def add(weight: float, title: str, detail: str, quote: str) -> None:
        if quote:
            found.append((weight, FeedbackPoint(title=title, detail=detail, quote=_quote(quote))))

    w, s = _best_sentence(answers, lambda t: bool(_NUMBER.search(t)) * (1 + bool(_STAR_RE["result"].search(t))))
    add(
        w + 1,
        "You quantified your impact",
        "Numbers make an outcome concrete and memorable; keep leading with them.",
        s,
    )
    w, s = _best_sentence(answers, lambda t: len(_STAR_RE["action"].findall(t)))
    add(w + 0.8, "You owned your actions", "Saying what you did, in the first person, shows initiative.", s)
    star_best = max(answers, key=lambda a: (sum(a.star.values()), a.metrics.words))
    if sum(star_best.star.values()) >= 3:
        add(
            2.5,
            "A well-structured answer",
            "This answer moved from context to action to result.",
            star_best.sentences[0],
        )
    w, s = _best_sentence(answers, lambda t: sum(tok in _TECH for tok in tokenize(t)))
    add(w * 0.5 + 0.5 if w >= 2 else 0, "Concrete technical detail", "Specific tools and trade-offs show depth.", s)
    if m.wpm and 115 <= m.wpm <= 170:
        calm = min(answers, key=lambda a: (a.metrics.fillers, -a.metrics.words))
        add(
            1.5,
            "A steady, clear pace",
            f"You spoke at about {m.wpm:.0f} words per minute — easy to follow.",
            calm.sentences[0],
        )
    on_topic = max(answers, key=lambda a: (a.overlap, a.metrics.words))
    if on_topic.overlap >= 0.3:
        add(
            1.2,
            "You stayed on the question",
            "Your answer picked up the interviewer's own terms.",
            on_topic.sentences[0],
        )
    fallbacks = [
        ("You stayed in the conversation", f"You answered {m.questions_answered} of {m.questions_asked} questions."),
        ("You finished a full practice run", "Completing whole interviews is the habit that builds fluency."),
        ("You gave real examples", "You answered from your own experience; keep building on these stories."),
    ]
    return _finalize(found, fallbacks, answers)


def _improvements(answers: list[_Answer], m: InterviewMetrics) -> list[FeedbackPoint]:
    found: list[tuple[float, FeedbackPoint]] = []

    def add(weight: float, title: str, detail: str, quote: str) -> None:
        if quote and weight > 0:
            found.append((weight, FeedbackPoint(title=title, detail=detail, quote=_quote(quote))))

    if m.fillers:
        top = ", ".join(f"“{k}” ×{v}" for k, v in list(m.filler_words.items())[:3])
        w, s = _best_sentence(answers, lambda t: sum(find_fillers(t).values()))
        add(
            1 + (m.fillers_per_min or 0) / 2,
            "Cut the filler words",
            f"You used {m.fillers} filler words ({top}). Pause silently instead.",
            s,
        )
    w, s = _best_sentence(answers, lambda t: len(_HEDGES.findall(t)))
    add(w * 1.5, "Drop the hedges", "“I think”, “maybe”, “sort of” undersell you; state what you did.", s)
    no_result = [a for a in answers if not a.star["result"] and a.metrics.words >= 15]
    if no_result:
        a = max(no_result, key=lambda x: x.metrics.words)
        add(
            2.5,
            "Finish with a result",
            "This answer stops before the outcome; close with what changed, ideally with a number.",
            a.sentences[-1],
        )
    # An answer the interviewer cut off mid-sentence is short through no fault of the candidate.
    short = [
        a for a in answers if a.metrics.question and a.metrics.words < 40 and not ends_mid_sentence(a.metrics.text)
    ]
    if short:
        a = min(short, key=lambda x: x.metrics.words)
        add(
            2.2,
            "Go one level deeper",
            f"{a.metrics.words} words is too brief to show your thinking; add context, what you did and why.",
            a.sentences[0],
        )
    long = [a for a in answers if a.metrics.words > 250]
    if long:
        a = max(long, key=lambda x: x.metrics.words)
        add(
            1.6,
            "Tighten long answers",
            f"{a.metrics.words} words loses the listener; aim for 1–2 minutes.",
            a.sentences[0],
        )
    if m.wpm and (m.wpm > 175 or m.wpm < 105):
        a = max(answers, key=lambda x: abs((x.metrics.wpm or 140) - 140))
        add(
            1.8,
            "Adjust your pace",
            f"About {m.wpm:.0f} words per minute; 120–160 is easiest to follow.",
            a.sentences[0],
        )
    we_heavy = [a for a in answers if a.ownership < 0.4]
    if we_heavy:
        a = min(we_heavy, key=lambda x: x.ownership)
        add(1.4, "Say what you did", "“We” hides your part; interviewers hire you, not the team.", a.sentences[0])
    if not any(a.has_number for a in answers):
        add(
            1.3,
            "Add numbers",
            "None of your answers had a figure: time saved, users, %, cost.",
            max(answers, key=lambda a: a.metrics.words).sentences[0],
        )
    fallbacks = [
        ("Prepare one more story", "Have a second example ready for each theme, so you can pick the best fit."),
        ("Link back to the role", "End answers by tying what you learned to the job you want."),
        ("Rehearse the opening", "Your first sentence sets the frame; practise a crisp one-line summary first."),
    ]
    return _finalize(found, fallbacks, answers)


def _note(a: _Answer, interview_type: str) -> QuestionNote:
    missing = [k for k, ok in a.star.items() if not ok]
    present = [k for k, ok in a.star.items() if ok]
    pace = f" at {a.metrics.wpm:.0f} wpm" if a.metrics.wpm else ""
    assessment = (
        f"{a.metrics.words} words{pace}, {a.metrics.fillers} filler word(s). "
        + (f"Covered: {', '.join(present)}. " if present else "No clear STAR structure. ")
        + (f"Missing: {', '.join(missing)}." if missing else "All four STAR parts are there.")
    )
    if interview_type in ("technical", "system_design"):
        sketch = (
            "Restate the problem and constraints in one sentence; outline your approach before detail; name the "
            "trade-off you chose (e.g. latency vs. consistency) and why; close with how you would test or measure it."
        )
    else:
        steps = {
            "situation": "one sentence of context (where, when, what was at stake)",
            "task": "what you specifically had to achieve",
            "action": "two or three concrete things you did, in order",
            "result": "the outcome with a number, and what you learned",
        }
        sketch = (
            "Structure it as STAR: "
            + "; ".join(
                (f"{k.capitalize()} (add this) — {v}" if k in missing else f"{k.capitalize()} — {v}")
                for k, v in steps.items()
            )
            + "."
        )
    return QuestionNote(
        question=_quote(a.metrics.question, 780) or "(opening)",
        answer_quote=_quote(a.metrics.text, 240),
        assessment=assessment,
        better_answer=sketch,
    )


NO_CODE_REVIEW = (
    " The built-in analyzer does not judge the code you wrote in the editor; it is shown below as you left it "
    "(an AI review with a Gemini key scores it)."
)


def analyze(
    metrics: InterviewMetrics,
    *,
    interview_type: str = "behavioural",
    role: str = "",
    job_description: str = "",
    has_code: bool = False,
) -> FeedbackResult:
    """Feedback of the same shape as Gemini's, from text features alone.

    Needs at least one candidate answer (the service handles an empty transcript). It never
    scores code (``code_quality`` stays None); with ``has_code`` the summary says so.
    """
    answered = [a for a in metrics.answer_list if a.words > 0]
    if not answered:
        raise ValueError("no candidate answers to analyse")
    context = _content_words(f"{role} {job_description}")
    answers = [_analyse(a, context) for a in answered]
    scores = _scores(answers, metrics)
    weighted = sum(getattr(scores, k) * w for k, w in _WEIGHTS.items())
    coverage = metrics.questions_answered / metrics.questions_asked if metrics.questions_asked else 1.0
    overall = _clamp(weighted * (0.6 + 0.4 * min(1.0, coverage)))
    best = max(_WEIGHTS, key=lambda k: getattr(scores, k)).replace("_", " ")
    worst = min(_WEIGHTS, key=lambda k: getattr(scores, k)).replace("_", " ")
    pace = f" at about {metrics.wpm:.0f} words per minute" if metrics.wpm else ""
    summary = (
        f"You answered {metrics.questions_answered} of {metrics.questions_asked} questions{pace}, with "
        f"{metrics.fillers} filler word(s). Your strongest area was {best}; the most room to grow is {worst}. "
        "These scores come from the built-in analyzer's text heuristics, not an AI review."
    ) + (NO_CODE_REVIEW if has_code else "")
    notes = [_note(a, interview_type) for a in answers if a.metrics.question][:20]
    return FeedbackResult(
        overall_score=overall,
        summary=summary,
        scores=scores,
        strengths=_strengths(answers, metrics),
        improvements=_improvements(answers, metrics),
        question_notes=notes,
    )
