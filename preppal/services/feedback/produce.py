"""Making one interview's feedback: claim the job, measure, review, store.

:func:`run_job` claims the interview's queued row (:mod:`.queue`; the claim's attempt number
fences everything it writes), keeps it beating while it works, and :func:`_produce` does the
work: the delivery metrics (:mod:`preppal.services.analysis.speech_delivery`, measured once:
a retry keeps them), the scorecard card (:mod:`.scorecard_card`), then the review: Gemini
(:mod:`.gemini`) when a key is set and the model is not retired (:mod:`.model_retirements`),
else the built-in :mod:`.analyzer`.

Feedback never comes back empty: when Gemini fails after its retries the built-in analyzer's
feedback is stored (READY, source "analyzer", ``error`` saying why) and the page offers
"Retry AI feedback". FAILED is left for our own bugs.
"""

from __future__ import annotations

import logging
from typing import Any, Optional

from preppal.languages import DEFAULT_LANGUAGE, get_language
from preppal.models import Feedback, FeedbackStatus
from preppal.services.analysis import speech_delivery
from preppal.services.analysis.transcript_metrics import InterviewMetrics
from preppal.services.feedback import analyzer, gemini, model_retirements, scorecard_card
from preppal.services.feedback.queue import Heartbeat, claim, finish, get_feedback_any
from preppal.services.feedback.schema import FeedbackResult
from preppal.services.interviews import code_snapshots, lifecycle, scorecard_entries, transcripts
from preppal.services.recordings.store import RecordingStore
from preppal.settings import get_settings

log = logging.getLogger("preppal.feedback")
F = FeedbackStatus
UNAVAILABLE = "Feedback is unavailable right now"
ANALYZER_ENGLISH_ONLY = (
    "Written feedback on a {language} interview needs a Gemini API key: the built-in analyzer reads English "
    "only. Your transcript and the delivery metrics (pace, filler words, pauses) below are measured in {language}."
)
AI_UNAVAILABLE = "AI feedback is unavailable right now"  # prefix of a fallback row's error
# Retry policy for the Gemini call (see gemini.generate); tests shorten the delays.
DEFAULT_GEMINI_OPTIONS: dict[str, Any] = {"attempts": 4, "initial_delay_s": 1.0, "timeout_s": 90.0}


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
    recordings: Optional[RecordingStore] = None,
    *,
    gemini_options: Optional[dict[str, Any]] = None,
    isolate_analysis: bool = True,
    audio: Optional[speech_delivery.AudioSource] = None,
) -> Optional[Feedback]:
    """Generate feedback now, in this thread, if this caller wins the claim.

    Returns the row as it stands afterwards (whoever produced it). ``recordings``: the
    process's recording store, where the delivery metrics are measured from (None: no
    recording is read, the transcript's timing is used); ``gemini_options`` tune the retry
    policy (tests use short delays); ``isolate_analysis`` runs the audio analysis in a niced
    child process (web processes) rather than here (``preppal worker``); ``audio`` gives the
    recording's voices instead of the store (tests pass their own).
    """
    run_job(interview_id, recordings, gemini_options=gemini_options, isolate_analysis=isolate_analysis, audio=audio)
    return get_feedback_any(interview_id)


def run_job(
    interview_id: str,
    recordings: Optional[RecordingStore],
    *,
    gemini_options: Optional[dict[str, Any]] = None,
    isolate_analysis: bool = True,
    audio: Optional[speech_delivery.AudioSource] = None,
) -> bool:
    """Claim and produce one interview's feedback; False when there was nothing to do or
    another worker has it."""
    previous = get_feedback_any(interview_id)
    if previous is None:  # not COMPLETED (or deleted): nothing is owed
        return False
    attempt = claim(interview_id)
    if attempt is None:
        return False
    try:
        with Heartbeat(interview_id, attempt):
            _produce(interview_id, attempt, previous, gemini_options, isolate_analysis, recordings, audio)
    except Exception:  # never leave a row RUNNING because of a bug
        log.exception("feedback for %s failed", interview_id)
        finish(
            interview_id, attempt, F.FAILED, error=f"{UNAVAILABLE}: something went wrong on our side. Please try again."
        )
    return True


def _produce(
    interview_id: str,
    attempt: int,
    previous: Optional[Feedback],
    gemini_options: Optional[dict[str, Any]],
    isolate_analysis: bool,
    recordings: Optional[RecordingStore],
    audio: Optional[speech_delivery.AudioSource],
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
            interview_id, entries, interview.language, isolate=isolate_analysis, recordings=recordings, audio=audio
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
        finish(
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
            finish(
                interview_id, attempt, F.READY, source="gemini", metrics=stored_metrics, **_result_values(result, card)
            )
            return
    if (language := get_language(interview.language)).code != DEFAULT_LANGUAGE:
        # The analyzer's content checks (STAR phrases, hedges, vocabulary) read English
        # only: scoring a Spanish answer with them would be wrong, so say so instead.
        finish(
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
    finish(
        interview_id,
        attempt,
        F.READY,
        source="analyzer",
        error=ai_error,
        metrics=stored_metrics,
        **_result_values(result, card),
    )
