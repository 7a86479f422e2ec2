"""Interview feedback from a Gemini text model (google-genai ``generate_content``).

Structured output: the request carries :class:`FeedbackResult` as the response schema and
the answer is validated against it again here (a model can still return broken or
out-of-range JSON). Rate limits and server errors are retried with exponential backoff by
the SDK's own retry options; a malformed answer is asked for once more. When all of that
fails the caller gets :class:`FeedbackUnavailable` and records a retryable FAILED state —
the transcript is never touched.
"""

from __future__ import annotations

import random
import re
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

import httpx
from google import genai
from google.genai import errors as genai_errors
from google.genai import types
from pydantic import ValidationError

from preppal import display
from preppal.languages import DEFAULT_LANGUAGE, get_language
from preppal.services.analysis.transcript_metrics import EntryLike, InterviewMetrics
from preppal.services.feedback.review import (  # noqa: F401 - CUT_IN_MARK: where the prompt says so
    CUT_IN_MARK,
    REVIEW_RULES,
    reconcile,
    scorecard_section,
    transcript_lines,
)
from preppal.services.feedback.schema import FeedbackResult
from preppal.services.feedback.scorecard_card import Card
from preppal.services.interviews.code_snapshots import Snapshot
from preppal.settings import Settings, get_settings

RETRY_STATUS = [408, 429, 500, 502, 503, 504]
MAX_TRANSCRIPT_CHARS = 60_000  # ~15k tokens: a long interview fits, a runaway one is cut
MAX_CODE_CHARS = 70_000  # the final code (≤ 64 KiB) always fits; earlier versions while they do

SYSTEM_INSTRUCTION = (
    """You are an experienced interview coach reviewing a mock interview transcript.
Write feedback for the candidate (address them as "you"), honest and specific, kind but not flattering.
Rules:
- Scores are integers 0-100 where 50 is an average real candidate and 85+ is a strong hire signal.
- Give up to 5 strengths and up to 5 improvements (at least 2 of each when the answers allow). Each has a
  "quote": copy the candidate's own words VERBATIM from the transcript (a sentence or a phrase). Never
  quote the interviewer. Never invent words.
"""
    + REVIEW_RULES
    + """
- question_notes: "answer_quote" is a verbatim excerpt; "better_answer" sketches a stronger answer in 2-5
  sentences, shaped by the rubric's competencies for this kind of interview.
- Use the delivery metrics (pace, filler words, talk time) only as supporting evidence.
- Write every text field in the interview's language (named in the request); quotes stay verbatim.
- If a "Code editor" section follows the transcript, the candidate wrote it in a shared editor during the
  interview (it was never run). Judge it by reading it: correctness, edge cases, clarity, complexity. If the
  rubric lists code_quality, score it from the code; for each question where code was written give a
  "code_note" saying what works and what is wrong or missing. With no such section every code_note is ""."""
)


def _http_libraries() -> tuple[Any, ...]:
    """httpx, and httpx2 when installed (the SDK uses whichever it finds; same error classes)."""
    try:
        import httpx2
    except ImportError:
        return (httpx,)
    return (httpx, httpx2)


_HTTP_LIBRARIES = _http_libraries()


def dropped_connection(exc: BaseException) -> bool:
    """A connection lost mid-request (e.g. an HTTP/2 stream reset: ``RemoteProtocolError``).

    The SDK's retry options cover HTTP statuses, timeouts and failed connects, not these, so
    :func:`generate` retries them itself with the same backoff, like a 5xx.
    """
    return any(
        isinstance(exc, lib.TransportError) and not isinstance(exc, (lib.TimeoutException, lib.ConnectError))
        for lib in _HTTP_LIBRARIES
    )


class FeedbackUnavailable(Exception):
    """Gemini could not produce valid feedback now; the user may retry later."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable


@dataclass(frozen=True)
class InterviewContext:
    interview_type: str
    role: str
    difficulty: str
    job_description: str = ""
    language: str = DEFAULT_LANGUAGE  # BCP-47 tag: the feedback is written in this language
    code: list[Snapshot] = field(default_factory=list)  # editor snapshots, oldest first
    card: Optional[Card] = None  # the interview's scorecard (rubric, questions, evidence notes)


def language_request(code: str) -> str:
    """The request line that asks for feedback in the interview's language."""
    lang = get_language(code)
    return (
        f"Interview language: {lang.name} ({lang.code}). Write the summary, titles, details, assessments and "
        f"better answers in {lang.name}; keep the JSON keys in English and copy quotes verbatim."
    )


def code_section(snapshots: Sequence[Snapshot], entries: Sequence[EntryLike]) -> str:
    """The editor for the prompt: the code as each question was left, then the final code.

    A version is the last snapshot before an interviewer line (the candidate moved on); the
    final one always fits, older ones are dropped first when the total is too long.
    """
    written = [s for s in snapshots if s.code.strip()]
    if not written:
        return ""
    asked = [e.start_ms for e in entries if str(getattr(e.speaker, "value", e.speaker)).upper() == "AI"]
    versions: list[Snapshot] = []
    for at in asked:
        before = [s for s in written if s.at_ms <= at]
        if before and (not versions or before[-1] != versions[-1]):
            versions.append(before[-1])
    if not versions or versions[-1] != written[-1]:
        versions.append(written[-1])
    blocks: list[str] = []
    budget = MAX_CODE_CHARS
    for i, snap in enumerate(reversed(versions)):
        title = "Final code" if i == 0 else "Earlier version"
        where = f"[{display.clock(snap.at_ms)}] ({display.code_language_label(snap.language)})"
        block = f"{title} at {where}:\n{snap.code.rstrip()}\n"
        if i and len(block) > budget:
            break
        blocks.insert(0, block[: max(budget, 0)] if i == 0 else block)
        budget -= len(block)
    return "\nCode editor (oldest first; never run):\n" + "\n".join(blocks)


def build_prompt(ctx: InterviewContext, entries: Sequence[EntryLike], metrics: InterviewMetrics) -> str:
    transcript = "\n".join(transcript_lines(entries, ctx.card))[-MAX_TRANSCRIPT_CHARS:]
    m = metrics
    unit = get_language(ctx.language).unit
    delivery = (
        f"questions asked {m.questions_asked}, answered {m.questions_answered}; pace {m.wpm or 'n/a'} {unit}/min; "
        f"filler words {m.fillers} ({m.fillers_per_min or 'n/a'}/min: {m.filler_words}); "
        f"candidate/interviewer talk-time ratio {m.talk_ratio or 'n/a'}; longest pause {m.longest_pause_ms} ms; "
        f"average answer {m.avg_answer_words or 0} {unit}"
    )
    jd = ctx.job_description.strip()[:6000]
    return (
        f"Interview type: {ctx.interview_type}. Role: {ctx.role}. Difficulty: {ctx.difficulty}.\n"
        + language_request(ctx.language)
        + "\n"
        + (f"Job description:\n{jd}\n" if jd else "")
        + f"Delivery metrics: {delivery}.\n\n"
        + (scorecard_section(ctx.card) + "\n\n" if ctx.card is not None else "")
        + f"Transcript:\n{transcript}\n"
        + code_section(ctx.code, entries)
    )


def rest_client(
    settings: Settings, attempts: int = 1, initial_delay_s: float = 1.0, timeout_s: float = 10.0
) -> genai.Client:
    """An SDK client for the REST endpoints (generateContent, models), with our retries and
    timeout; also used by the model check and ``preppal doctor``. Close it after use."""
    client_args = {}
    if settings.gemini_ca_file:
        client_args["verify"] = ssl.create_default_context(cafile=settings.gemini_ca_file)
    options = types.HttpOptions(
        api_version=settings.api_version,
        base_url=settings.gemini_base_url or None,
        timeout=int(timeout_s * 1000),
        client_args=client_args or None,
        retry_options=types.HttpRetryOptions(
            attempts=attempts,
            initial_delay=initial_delay_s,
            max_delay=16.0,
            jitter=initial_delay_s,
            http_status_codes=RETRY_STATUS,
        ),
    )
    return genai.Client(vertexai=settings.gemini_vertex, api_key=settings.gemini_api_key, http_options=options)


_WORDS = re.compile(r"[\w']+")  # any script: a Japanese or Hindi quote is checked too


def _normal(text: str) -> str:
    return " ".join(_WORDS.findall(text.lower().replace("’", "'")))


def keep_verbatim_quotes(result: FeedbackResult, candidate_text: str) -> FeedbackResult:
    """Blank any quote that is not the candidate's words (models sometimes paraphrase)."""
    said = _normal(candidate_text)
    for point in [*result.strengths, *result.improvements]:
        if point.quote and _normal(point.quote) not in said:
            point.quote = ""
    for note in result.question_notes:
        if note.answer_quote and _normal(note.answer_quote) not in said:
            note.answer_quote = ""
    for score in result.competencies:
        score.evidence = [q for q in score.evidence if _normal(q) in said]
    return result


def generate(
    ctx: InterviewContext,
    entries: Sequence[EntryLike],
    metrics: InterviewMetrics,
    *,
    settings: Settings | None = None,
    attempts: int = 4,
    initial_delay_s: float = 1.0,
    timeout_s: float = 90.0,
    parse_attempts: int = 2,
) -> FeedbackResult:
    """One validated :class:`FeedbackResult` from Gemini, or :class:`FeedbackUnavailable`."""
    settings = settings or get_settings()
    if not settings.gemini_api_key:
        raise FeedbackUnavailable("No Gemini API key is configured.", retryable=False)
    client = rest_client(settings, attempts, initial_delay_s, timeout_s)
    config = types.GenerateContentConfig(
        system_instruction=SYSTEM_INSTRUCTION,
        response_mime_type="application/json",
        response_schema=FeedbackResult,
        temperature=0.3,
    )
    prompt = build_prompt(ctx, entries, metrics)
    candidate_text = " ".join(
        e.text for e in entries if str(getattr(e.speaker, "value", e.speaker)).upper() == "USER" and e.text
    )
    problem = "The AI feedback service returned an unreadable answer."

    def call() -> types.GenerateContentResponse:
        for attempt in range(1, max(1, attempts) + 1):
            try:
                return client.models.generate_content(model=settings.feedback_model, contents=prompt, config=config)
            except Exception as exc:
                if not dropped_connection(exc) or attempt >= attempts:
                    raise
                time.sleep(min(16.0, initial_delay_s * 2 ** (attempt - 1)) + random.uniform(0, initial_delay_s))
        raise AssertionError("unreachable")

    try:
        for _ in range(max(1, parse_attempts)):
            try:
                response = call()
            except genai_errors.APIError as exc:
                retryable = exc.code in RETRY_STATUS or exc.code is None
                reason = "is busy or unavailable" if retryable else "refused the request"
                raise FeedbackUnavailable(
                    f"The AI feedback service {reason} (HTTP {exc.code}).", retryable=retryable
                ) from exc
            except Exception as exc:  # network failures after the retries
                raise FeedbackUnavailable(f"Could not reach the AI feedback service ({type(exc).__name__}).") from exc
            try:
                result = FeedbackResult.model_validate_json(response.text or "")
            except (ValidationError, ValueError):
                continue  # malformed or off-schema JSON: ask once more
            result = keep_verbatim_quotes(result, candidate_text)
            return reconcile(result, ctx.card) if ctx.card is not None else result
        raise FeedbackUnavailable(problem)
    finally:
        client.close()
