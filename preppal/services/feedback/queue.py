"""Feedback for a finished interview: the state machine and its background runner.

One Feedback row per COMPLETED interview moves PENDING → RUNNING → READY | FAILED.
Claiming a run is a compare-and-set on the row, so two workers (or two browser tabs, or the
relay's trigger racing the page's on_load) never generate twice; a RUNNING row whose
worker died (no update for ``STALE_RUNNING_AFTER``) can be claimed again. A FAILED run
keeps the delivery metrics and never touches the transcript; the user may retry it.

One place starts feedback: the interview's move to COMPLETED creates its PENDING row in the
same transaction (``services.interviews.lifecycle``). Everything else only reads that queue: the jobs
(services/feedback/jobs.py) poll it for PENDING and stale RUNNING rows, the page and the export read
the row. Where runs happen (``PREPPAL_JOBS``): by default the web process polls and runs each
job on a short-lived daemon thread (at most ``MAX_CONCURRENT`` at once; the audio analysis
itself in a niced child process, see services/analysis/speech_delivery.py); with ``PREPPAL_JOBS=worker``,
``preppal worker`` processes do. Either way each claim bumps ``attempts``, and that number
fences the run: its heartbeat and its result only apply while the row is still its claim,
so a run that was presumed dead and reclaimed can never overwrite the new one.

Feedback never comes back empty: when Gemini fails after its retries the built-in analyzer's
feedback is stored (READY, source "analyzer", ``error`` saying why) and the page offers
"Retry AI feedback". FAILED is left for our own bugs.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import Any, Optional

import sqlalchemy as sa
from sqlmodel import col, select

from preppal import display
from preppal.db import session_scope
from preppal.languages import DEFAULT_LANGUAGE, get_language
from preppal.models import Feedback, FeedbackStatus, Interview, InterviewStatus, utcnow
from preppal.services.analysis import speech_delivery
from preppal.services.analysis.transcript_metrics import InterviewMetrics
from preppal.services.errors import Conflict, NotFound
from preppal.services.feedback import analyzer, gemini, model_retirements, scorecard_card
from preppal.services.feedback.schema import FeedbackResult
from preppal.services.interviews import code_snapshots, lifecycle, scorecard_entries, transcripts
from preppal.settings import get_settings

log = logging.getLogger("preppal.feedback")
F = FeedbackStatus
STALE_RUNNING_AFTER = timedelta(minutes=5)
MAX_CONCURRENT = 2
HEARTBEAT_S = 60.0  # a run touches its row this often (well inside STALE_RUNNING_AFTER)
UNAVAILABLE = "Feedback is unavailable right now"
ANALYZER_ENGLISH_ONLY = (
    "Written feedback on a {language} interview needs a Gemini API key: the built-in analyzer reads English "
    "only. Your transcript and the delivery metrics (pace, filler words, pauses) below are measured in {language}."
)
AI_UNAVAILABLE = "AI feedback is unavailable right now"  # prefix of a fallback row's error
# Retry policy for the Gemini call (see feedback_gemini.generate); tests shorten the delays.
DEFAULT_GEMINI_OPTIONS: dict[str, Any] = {"attempts": 4, "initial_delay_s": 1.0, "timeout_s": 90.0}

_slots = threading.BoundedSemaphore(MAX_CONCURRENT)
_in_flight: set[str] = set()
_in_flight_lock = threading.Lock()


def _row(interview_id: str) -> Optional[Feedback]:
    with session_scope() as session:
        return session.exec(select(Feedback).where(Feedback.interview_id == interview_id)).first()


def _claimable() -> Any:
    stale = utcnow() - STALE_RUNNING_AFTER
    return sa.or_(Feedback.status == F.PENDING, sa.and_(Feedback.status == F.RUNNING, Feedback.updated_at < stale))


def _claim(interview_id: str) -> Optional[int]:
    """PENDING (or stale RUNNING) → RUNNING as a compare-and-set on ``attempts``; returns the
    attempt number this caller now owns (its fencing token), None if someone else has it."""
    row = _row(interview_id)
    if row is None:
        return None
    with session_scope() as session:
        result = session.exec(
            sa.update(Feedback)
            .where(Feedback.interview_id == interview_id, Feedback.attempts == row.attempts, _claimable())
            .values(status=F.RUNNING, attempts=row.attempts + 1, error=None, updated_at=utcnow())
        )
        return row.attempts + 1 if result.rowcount == 1 else None


def _mine(interview_id: str, attempt: int) -> Any:
    return sa.and_(Feedback.interview_id == interview_id, Feedback.status == F.RUNNING, Feedback.attempts == attempt)


def _finish(interview_id: str, attempt: int, status: FeedbackStatus, **values: Any) -> None:
    """RUNNING → READY | FAILED, only if the row is still this claim (a no-op if the run was
    reclaimed meanwhile or the interview deleted)."""
    with session_scope() as session:
        session.exec(
            sa.update(Feedback).where(_mine(interview_id, attempt)).values(status=status, updated_at=utcnow(), **values)
        )


class _Heartbeat:
    """Touches a RUNNING row every ``HEARTBEAT_S`` while its run is alive (analysis of a long
    interview can outlast ``STALE_RUNNING_AFTER``); a dead worker stops beating and its row
    becomes claimable again."""

    def __init__(self, interview_id: str, attempt: int) -> None:
        self._id, self._attempt = interview_id, attempt
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"feedback-beat-{interview_id[:8]}", daemon=True)

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT_S):
            try:
                with session_scope() as session:
                    session.exec(sa.update(Feedback).where(_mine(self._id, self._attempt)).values(updated_at=utcnow()))
            except Exception:
                log.exception("feedback heartbeat for %s failed", self._id)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()


def _result_values(result: FeedbackResult, card: scorecard_card.Card) -> dict[str, Any]:
    data = result.model_dump()
    return {
        "overall_score": data["overall_score"],
        "summary": data["summary"],
        "scores": result.scores,  # rubric competency → score (the history charts read these)
        "strengths": data["strengths"],
        "improvements": data["improvements"],
        "question_notes": data["question_notes"],
        "scorecard": {**card.to_dict(), "review": data["competencies"]},
    }


def run_feedback(
    interview_id: str,
    *,
    gemini_options: Optional[dict[str, Any]] = None,
    isolate_analysis: bool = True,
    audio: speech_delivery.AudioSource = speech_delivery.recorded_tracks,
) -> Optional[Feedback]:
    """Generate feedback now, in this thread, if this caller wins the claim.

    Returns the row as it stands afterwards (whoever produced it). ``gemini_options`` tune
    the retry policy (tests use short delays); ``isolate_analysis`` runs the audio analysis
    in a niced child process (web processes) rather than here (``preppal worker``);
    ``audio`` gives the recording (tests pass their own).
    """
    run_job(interview_id, gemini_options=gemini_options, isolate_analysis=isolate_analysis, audio=audio)
    return _row(interview_id)


def run_job(
    interview_id: str,
    *,
    gemini_options: Optional[dict[str, Any]] = None,
    isolate_analysis: bool = True,
    audio: speech_delivery.AudioSource = speech_delivery.recorded_tracks,
) -> bool:
    """Claim and produce one interview's feedback; False when there was nothing to do or
    another worker has it."""
    previous = _row(interview_id)
    if previous is None:  # not COMPLETED (or deleted): nothing is owed
        return False
    attempt = _claim(interview_id)
    if attempt is None:
        return False
    try:
        with _Heartbeat(interview_id, attempt):
            _produce(interview_id, attempt, previous, gemini_options, isolate_analysis, audio)
    except Exception:  # never leave a row RUNNING because of a bug
        log.exception("feedback for %s failed", interview_id)
        _finish(
            interview_id, attempt, F.FAILED, error=f"{UNAVAILABLE}: something went wrong on our side. Please try again."
        )
    return True


def _produce(
    interview_id: str,
    attempt: int,
    previous: Optional[Feedback],
    gemini_options: Optional[dict[str, Any]],
    isolate_analysis: bool,
    audio: speech_delivery.AudioSource,
) -> None:
    settings = get_settings()
    interview = lifecycle.get_interview_any(interview_id)
    if interview is None:
        return
    entries = transcripts.get_transcript(interview_id)
    code = code_snapshots.list_snapshots(interview_id)
    old = previous.metrics if previous is not None else None
    if old and old.get("source") == "audio":  # a retry: the recording has not changed
        stored_metrics = {k: v for k, v in old.items() if k != "model"}
    else:
        stored_metrics = speech_delivery.measure(
            interview_id, entries, interview.language, isolate=isolate_analysis, audio=audio
        )
    card = scorecard_card.build_card(
        interview.interview_type.value,
        interview.difficulty.value,
        entries,
        scorecard_entries.list_entries(interview_id),
        job_description=interview.job_description,
        role=interview.role,
        language=interview.language,
    )
    if card.questions:  # asked and answered as the scorecard split them (requests are not answers)
        stored_metrics.update(questions_asked=len(card.questions), questions_answered=card.answered)
    metrics = InterviewMetrics.from_dict(stored_metrics)
    if metrics.candidate_words == 0:
        _finish(
            interview_id,
            attempt,
            F.READY,
            source="analyzer",
            overall_score=None,
            summary="No answers were recorded in this interview, so there is nothing to give feedback on yet.",
            metrics=stored_metrics,
            scorecard=card.to_dict(),
        )
        return
    ai_error = None
    gone = model_retirements.retired(settings.feedback_model) if settings.gemini_api_key else None
    if gone is not None:  # never call a retired model: Google re-routes it to a weaker one
        log.warning("AI feedback for %s skipped: the feedback model %s", interview_id, gone.sentence())
        ai_error = f"{AI_UNAVAILABLE}: the configured AI model {gone.model} was retired"
    elif settings.gemini_api_key:
        ctx = gemini.InterviewContext(
            interview_type=interview.interview_type.value,
            role=interview.role,
            difficulty=interview.difficulty.value,
            job_description=interview.job_description,
            language=interview.language,
            code=code,
            card=card,
        )
        try:
            result = gemini.generate(
                ctx, entries, metrics, settings=settings, **(gemini_options or DEFAULT_GEMINI_OPTIONS)
            )
        except gemini.FeedbackUnavailable as exc:
            log.warning(
                "AI feedback for %s unavailable from model %s, using the built-in analyzer: %s",
                interview_id,
                settings.feedback_model,
                exc.message,
            )
            ai_error = f"{AI_UNAVAILABLE}: {exc.message}"[:500]
        else:
            stored_metrics["model"] = settings.feedback_model
            _finish(
                interview_id, attempt, F.READY, source="gemini", metrics=stored_metrics, **_result_values(result, card)
            )
            return
    if (language := get_language(interview.language)).code != DEFAULT_LANGUAGE:
        # The analyzer's content checks (STAR phrases, hedges, vocabulary) read English
        # only: scoring a Spanish answer with them would be wrong, so say so instead.
        _finish(
            interview_id,
            attempt,
            F.READY,
            source="analyzer",
            error=ai_error,
            overall_score=None,
            summary=ANALYZER_ENGLISH_ONLY.format(language=language.name),
            metrics=stored_metrics,
            scorecard=card.to_dict(),
        )
        return
    result = analyzer.analyze(metrics, card, has_code=any(s.code.strip() for s in code))
    _finish(
        interview_id,
        attempt,
        F.READY,
        source="analyzer",
        error=ai_error,
        metrics=stored_metrics,
        **_result_values(result, card),
    )


def is_fallback(row: Optional[Feedback]) -> bool:
    """READY with the built-in analyzer because the AI feedback failed (retryable)."""
    return row is not None and row.status == F.READY and row.source == "analyzer" and bool(row.error)


def _worker(interview_id: str) -> None:
    try:
        with _slots:
            run_feedback(interview_id)
    except Exception:
        log.exception("feedback worker for %s crashed", interview_id)
    finally:
        with _in_flight_lock:
            _in_flight.discard(interview_id)


def start(interview_id: str) -> None:
    """Run one owed job on a daemon thread of this process (the in-process jobs: at most
    ``MAX_CONCURRENT`` run at once; a job already running here is not started twice)."""
    with _in_flight_lock:
        if interview_id in _in_flight:
            return
        _in_flight.add(interview_id)
    threading.Thread(target=_worker, args=(interview_id,), name=f"feedback-{interview_id[:8]}", daemon=True).start()


def pending_ids(limit: int = 20) -> list[str]:
    """The queue: interviews whose feedback is owed, a PENDING row or a stale RUNNING one
    (oldest first: first come, first served). Rows are created by the COMPLETED transition."""
    with session_scope() as session:
        ids = session.exec(
            select(Feedback.interview_id)
            .join(Interview, col(Feedback.interview_id) == col(Interview.id))
            .where(_claimable())
            .order_by(col(Interview.ended_at))
            .limit(limit)
        ).all()
    return list(ids)


def get_feedback_any(interview_id: str) -> Optional[Feedback]:
    """Any interview's feedback row (workers and tests; no owner check)."""
    return _row(interview_id)


def get_feedback(user_id: int, interview_id: str) -> Optional[Feedback]:
    """The user's own interview's feedback (NotFound for anyone else's interview)."""
    lifecycle.get_interview(user_id, interview_id)
    return _row(interview_id)


def retry_feedback(user_id: int, interview_id: str) -> Feedback:
    """FAILED, or READY from the analyzer because AI feedback failed → PENDING, and start
    again (owner only). The audio metrics are kept, not measured again."""
    interview = lifecycle.get_interview(user_id, interview_id)
    if interview.status != InterviewStatus.COMPLETED:
        raise Conflict("Feedback is produced once the interview is completed.")
    row = _row(interview_id)
    if row is None:
        raise NotFound("That interview does not exist.")
    if row.status == F.FAILED or is_fallback(row):
        with session_scope() as session:
            session.exec(
                sa.update(Feedback)
                .where(
                    Feedback.interview_id == interview_id, Feedback.status == row.status, Feedback.error == row.error
                )
                .values(status=F.PENDING, error=None, updated_at=utcnow())
            )
    return _row(interview_id) or row  # PENDING again: the jobs pick it up


def feedback_for(user_id: int, interview_ids: list[str]) -> dict[str, Feedback]:
    """Feedback rows of the user's interviews among ``interview_ids`` (for the history list)."""
    if not interview_ids:
        return {}
    with session_scope() as session:
        rows = session.exec(
            select(Feedback)
            .join(Interview, col(Interview.id) == col(Feedback.interview_id))
            .where(Interview.user_id == user_id, col(Feedback.interview_id).in_(interview_ids))
        ).all()
    return {row.interview_id: row for row in rows}


def score_history(user_id: int, limit: int = 30) -> list[dict[str, Any]]:
    """The user's last ``limit`` READY feedbacks, oldest first: points for the progress charts."""
    with session_scope() as session:
        rows = session.exec(
            select(Interview, Feedback)
            .join(Feedback, col(Feedback.interview_id) == col(Interview.id))
            .where(Interview.user_id == user_id, Feedback.status == F.READY)
            .order_by(col(Interview.created_at).desc())
            .limit(limit)
        ).all()
    points = []
    for interview, fb in reversed(rows):
        m = fb.metrics or {}
        points.append(
            {
                "interview_id": interview.id,
                "date": display.day(interview.created_at),
                "role": interview.role,
                "score": fb.overall_score,
                # The chart's pace is words/min: a Japanese or Chinese interview (characters) stays off it.
                "wpm": m.get("wpm") if m.get("unit", "words") == "words" else None,
                "fillers_per_min": m.get("fillers_per_min"),
                "talk_ratio": m.get("talk_ratio"),
                "type": interview.interview_type.value,  # rubric competencies per type (history charts)
                "competencies": dict(fb.scores or {}),
            }
        )
    return points
