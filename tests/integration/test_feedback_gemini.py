"""Feedback through the real google-genai SDK against a local stand-in for generateContent.

The stand-in is a plain HTTP server speaking the REST shape of
``POST /{version}/models/{model}:generateContent``; the SDK accepts an http:// base URL for
the non-live client. Each test scripts the stand-in's answers (valid JSON, malformed JSON,
429/500/403, a connection dropped without an answer) and checks the state the feedback
service ends in — feedback is never empty (the built-in analyzer's, labelled, when Gemini
fails) and the transcript is always still there.
"""

from __future__ import annotations

import json
import logging
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Optional

import pytest

from preppal.models import FeedbackStatus, InterviewStatus, Speaker
from preppal.services.feedback import produce, queue
from preppal.services.interviews import lifecycle, transcripts
from preppal.services.interviews.transcripts import TranscriptLine
from preppal.settings import reset_settings
from tests.support.live_api_standin import make_self_signed
from tests.support.users import make_user

FAST = {"initial_delay_s": 0.05, "attempts": 3, "timeout_s": 10}
CANDIDATE = "I led the billing migration and we cut the monthly close from five days to one."
LINES = [
    TranscriptLine(1, Speaker.AI, "Tell me about a project you are proud of?", 0, 3_000),
    TranscriptLine(2, Speaker.USER, CANDIDATE, 4_000, 10_000),
]


def valid_feedback(quote: str = "we cut the monthly close from five days to one") -> dict:
    point = {"title": "Quantified impact", "detail": "Numbers make it concrete.", "quote": quote}
    return {
        "overall_score": 81,
        "summary": "A clear, quantified story.",
        "competencies": [
            {"key": "action_ownership", "score": 80, "comment": "First person throughout."},
            {"key": "result_measurement", "score": 85, "evidence": [quote]},
        ],
        "strengths": [point] * 3,
        "improvements": [point | {"title": "Name your part"}] * 3,
        "question_notes": [
            {
                "question": "Tell me about a project you are proud of?",
                "answer_quote": "I led the billing migration",
                "assessment": "Good result, thin on actions.",
                "better_answer": "Situation, task, two actions, the five-to-one result.",
            }
        ],
    }


def text_reply(text: str) -> tuple[int, dict]:
    return 200, {
        "candidates": [{"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP"}],
        "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 10, "totalTokenCount": 20},
    }


def error_reply(code: int, status: str) -> tuple[int, dict]:
    return code, {"error": {"code": code, "message": f"stand-in {status}", "status": status}}


DROP = (0, {})  # close the connection without answering (the client sees RemoteProtocolError)


@dataclass
class StandIn:
    replies: list[tuple[int, dict]] = field(default_factory=list)
    requests: list[dict] = field(default_factory=list)
    port: int = 0

    def script(self, *replies: tuple[int, dict]) -> None:
        self.replies[:] = list(replies)


@contextmanager
def serve_standin(cert: Optional[tuple[Path, Path]] = None) -> Iterator[StandIn]:
    """Serve scripted generateContent answers over HTTP, or HTTPS with ``cert``."""
    state = StandIn()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
            state.requests.append(
                {"path": self.path, "key": self.headers.get("x-goog-api-key"), "body": body, "t": time.monotonic()}
            )
            code, payload = state.replies.pop(0) if state.replies else error_reply(500, "INTERNAL")
            if code == 0:
                self.close_connection = True
                return
            data = json.dumps(payload).encode()
            self.send_response(code)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if cert is not None:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*cert)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    state.port = server.server_port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def standin() -> Iterator[StandIn]:
    with serve_standin() as state:
        yield state


@pytest.fixture
def gemini_env(db, standin: StandIn, monkeypatch: pytest.MonkeyPatch) -> StandIn:
    monkeypatch.setenv("GEMINI_API_KEY", "test-key")
    monkeypatch.setenv("GEMINI_BASE_URL", f"http://127.0.0.1:{standin.port}")
    monkeypatch.setenv("GEMINI_API_VERSION", "v1beta")
    monkeypatch.setenv("GEMINI_FEEDBACK_MODEL", "feedback-test-model")
    reset_settings()
    return standin


def _completed_interview() -> tuple[int, str]:
    user = make_user(name="Ada")
    interview = lifecycle.create_interview(user.id, interview_type="behavioural", role="Backend engineer")
    lifecycle.update_status(interview.id, InterviewStatus.IN_PROGRESS)
    transcripts.submit_transcript(interview.id, LINES)
    return user.id, interview.id


def _transcript_intact(interview_id: str) -> None:
    assert [(e.sequence, e.text) for e in transcripts.get_transcript(interview_id)] == [
        (line.sequence, line.text) for line in LINES
    ]


def test_valid_structured_result_is_stored(gemini_env: StandIn) -> None:
    gemini_env.script(text_reply(json.dumps(valid_feedback())))
    _, interview_id = _completed_interview()
    row = produce.run_feedback(interview_id, gemini_options=FAST)
    assert row.status == FeedbackStatus.READY and row.source == "gemini"
    assert row.overall_score == 81 and row.scores["result_measurement"] == 85
    # The scorecard it stands on: the rubric's competencies, the question, the review's comments.
    assert [c["key"] for c in row.scorecard["competencies"]][:2] == ["situation_task", "action_ownership"]
    assert row.scorecard["questions"][0]["text"] == "Tell me about a project you are proud of?"
    assert row.scorecard["review"][0]["comment"] == "First person throughout."
    assert row.strengths[0]["quote"] == "we cut the monthly close from five days to one"
    assert row.metrics["model"] == "feedback-test-model" and row.metrics["candidate_words"] == 16
    [request] = gemini_env.requests
    assert request["path"] == "/v1beta/models/feedback-test-model:generateContent"
    assert request["key"] == "test-key"
    config = request["body"]["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    assert set(config["responseSchema"]["properties"]) >= {
        "overall_score",
        "competencies",
        "strengths",
        "question_notes",
    }
    prompt = request["body"]["contents"][0]["parts"][0]["text"]
    assert CANDIDATE in prompt and "Role: Backend engineer" in prompt
    assert "Rubric for this behavioural interview" in prompt and "Interviewer's scorecard" in prompt


def test_invented_quotes_are_dropped(gemini_env: StandIn) -> None:
    gemini_env.script(text_reply(json.dumps(valid_feedback(quote="I single-handedly saved the company"))))
    _, interview_id = _completed_interview()
    row = produce.run_feedback(interview_id, gemini_options=FAST)
    assert row.status == FeedbackStatus.READY
    assert all(p["quote"] == "" for p in row.strengths)


def test_malformed_json_is_asked_again(gemini_env: StandIn) -> None:
    gemini_env.script(text_reply('{"overall_score": 81, "summary": "cut o'), text_reply(json.dumps(valid_feedback())))
    _, interview_id = _completed_interview()
    row = produce.run_feedback(interview_id, gemini_options=FAST)
    assert row.status == FeedbackStatus.READY and len(gemini_env.requests) == 2


def _is_analyzer_fallback(row, reason: str) -> None:
    """READY with the built-in analyzer's feedback, saying why the AI's is missing."""
    assert row.status == FeedbackStatus.READY and row.source == "analyzer"
    assert queue.is_fallback(row)
    assert row.error.startswith(produce.AI_UNAVAILABLE) and reason in row.error
    assert row.overall_score is not None and row.strengths and row.summary  # never empty
    assert row.metrics["questions_answered"] == 1 and row.metrics["source"] == "transcript"


def test_persistently_malformed_or_off_schema_falls_back_to_the_analyzer(gemini_env: StandIn) -> None:
    off_schema = valid_feedback() | {"overall_score": 150}
    gemini_env.script(text_reply("not json at all"), text_reply(json.dumps(off_schema)))
    _, interview_id = _completed_interview()
    row = produce.run_feedback(interview_id, gemini_options=FAST)
    _is_analyzer_fallback(row, "unreadable answer")
    _transcript_intact(interview_id)


def test_dropped_connection_is_retried_like_a_server_error(gemini_env: StandIn) -> None:
    gemini_env.script(DROP, DROP, text_reply(json.dumps(valid_feedback())))
    _, interview_id = _completed_interview()
    row = produce.run_feedback(interview_id, gemini_options=FAST)
    assert row.status == FeedbackStatus.READY and row.source == "gemini" and row.error is None
    times = [r["t"] for r in gemini_env.requests]
    assert len(times) == 3
    assert times[1] - times[0] >= FAST["initial_delay_s"] * 0.9  # backed off like a 5xx


def test_connection_dropped_every_time_falls_back_then_retry_gets_ai_feedback(gemini_env: StandIn) -> None:
    gemini_env.script(*[DROP] * FAST["attempts"])
    owner, interview_id = _completed_interview()
    row = produce.run_feedback(interview_id, gemini_options=FAST)
    assert len(gemini_env.requests) == FAST["attempts"]
    _is_analyzer_fallback(row, "RemoteProtocolError")
    _transcript_intact(interview_id)

    gemini_env.script(text_reply(json.dumps(valid_feedback())))
    assert queue.retry_feedback(owner, interview_id).status == FeedbackStatus.PENDING  # queued again
    produce.run_feedback(interview_id, gemini_options=FAST)  # the jobs' turn
    row = queue._row(interview_id)
    assert row.status == FeedbackStatus.READY and row.source == "gemini" and row.error is None
    assert row.attempts == 2 and row.metrics["source"] == "transcript"


def test_rate_limit_is_retried_with_backoff(gemini_env: StandIn) -> None:
    gemini_env.script(
        error_reply(429, "RESOURCE_EXHAUSTED"),
        error_reply(429, "RESOURCE_EXHAUSTED"),
        text_reply(json.dumps(valid_feedback())),
    )
    _, interview_id = _completed_interview()
    row = produce.run_feedback(interview_id, gemini_options=FAST)
    assert row.status == FeedbackStatus.READY
    times = [r["t"] for r in gemini_env.requests]
    assert len(times) == 3
    assert times[1] - times[0] >= FAST["initial_delay_s"] * 0.9  # waited before retrying
    assert times[2] - times[1] >= FAST["initial_delay_s"] * 0.9


def test_server_errors_fall_back_to_the_analyzer_and_can_be_retried(gemini_env: StandIn) -> None:
    gemini_env.script(*[error_reply(500, "INTERNAL")] * 3)
    owner, interview_id = _completed_interview()
    row = produce.run_feedback(interview_id, gemini_options=FAST)
    assert row.attempts == 1
    assert len(gemini_env.requests) == FAST["attempts"]
    _is_analyzer_fallback(row, "HTTP 500")
    _transcript_intact(interview_id)

    # the user asks for AI feedback again once the service is back: → PENDING → RUNNING → READY
    gemini_env.script(text_reply(json.dumps(valid_feedback())))
    assert queue.retry_feedback(owner, interview_id).status == FeedbackStatus.PENDING  # queued again
    produce.run_feedback(interview_id, gemini_options=FAST)  # the jobs' turn
    row = queue._row(interview_id)
    assert row.status == FeedbackStatus.READY and row.attempts == 2 and row.error is None
    assert row.source == "gemini" and row.overall_score == 81
    _transcript_intact(interview_id)


def test_refusal_is_not_retried(gemini_env: StandIn) -> None:
    gemini_env.script(error_reply(403, "PERMISSION_DENIED"))
    _, interview_id = _completed_interview()
    row = produce.run_feedback(interview_id, gemini_options=FAST)
    _is_analyzer_fallback(row, "refused")
    assert len(gemini_env.requests) == 1


@pytest.mark.parametrize("trusted", [True, False])
def test_https_endpoint_with_a_private_ca(db, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, trusted: bool) -> None:
    """GEMINI_CA_FILE is what lets the SDK trust a private endpoint (tests, proxies)."""
    cert = make_self_signed(tmp_path)
    with serve_standin(cert) as tls:
        tls.script(text_reply(json.dumps(valid_feedback())))
        monkeypatch.setenv("GEMINI_API_KEY", "test-key")
        monkeypatch.setenv("GEMINI_BASE_URL", f"https://127.0.0.1:{tls.port}")
        monkeypatch.setenv("GEMINI_CA_FILE", str(cert[0]) if trusted else "")
        reset_settings()
        _, interview_id = _completed_interview()
        row = produce.run_feedback(interview_id, gemini_options=FAST | {"attempts": 1})
    if trusted:
        assert row.status == FeedbackStatus.READY and row.source == "gemini"
    else:
        _is_analyzer_fallback(row, "Could not reach")
        assert tls.requests == []  # the TLS handshake failed before any request


def test_feedback_request_asks_for_the_interview_language(gemini_env: StandIn) -> None:
    spanish = "Lideré la migración de facturación y, eh, bajamos el cierre mensual de cinco días a uno."
    gemini_env.script(text_reply(json.dumps(valid_feedback(quote="bajamos el cierre mensual"))))
    user = make_user(name="Inés")
    interview = lifecycle.create_interview(
        user.id, interview_type="behavioural", role="Ingeniera backend", language="es-US"
    )
    lifecycle.update_status(interview.id, InterviewStatus.IN_PROGRESS)
    transcripts.submit_transcript(
        interview.id,
        [
            TranscriptLine(1, Speaker.AI, "¿De qué proyecto está orgullosa?", 0, 3_000),
            TranscriptLine(2, Speaker.USER, spanish, 4_000, 10_000),
        ],
    )
    row = produce.run_feedback(interview.id, gemini_options=FAST)
    assert row.status == FeedbackStatus.READY
    assert row.strengths[0]["quote"] == "bajamos el cierre mensual"  # a verbatim Spanish quote survives
    assert row.metrics["language"] == "es-US" and row.metrics["fillers"] == 1  # "eh", counted in Spanish
    [request] = gemini_env.requests
    prompt = request["body"]["contents"][0]["parts"][0]["text"]
    assert "Interview language: Spanish (es-US)" in prompt and "better answers in Spanish" in prompt
    system = request["body"]["systemInstruction"]["parts"][0]["text"]
    assert "interview's language" in system


def test_english_feedback_request_names_english(gemini_env: StandIn) -> None:
    gemini_env.script(text_reply(json.dumps(valid_feedback())))
    _, interview_id = _completed_interview()
    produce.run_feedback(interview_id, gemini_options=FAST)
    prompt = gemini_env.requests[0]["body"]["contents"][0]["parts"][0]["text"]
    assert "Interview language: English (en-US)" in prompt


def test_gemini_judges_the_code_a_category_and_notes_per_question(gemini_env: StandIn) -> None:
    from preppal.services.interviews import code_snapshots

    user = make_user(name="Cody")
    interview = lifecycle.create_interview(user.id, interview_type="technical", role="Backend engineer")
    lifecycle.update_status(interview.id, InterviewStatus.IN_PROGRESS)
    code_snapshots.record_snapshot(interview.id, 9_000, "python", "def close_books(days):\n    return days // 5\n")
    transcripts.submit_transcript(interview.id, LINES)
    answer = valid_feedback()
    answer["competencies"] = [{"key": "code_quality", "score": 64, "comment": "Works for whole weeks only."}]
    answer["question_notes"][0]["code_note"] = "Integer division hides the remainder; name the units."
    gemini_env.script(text_reply(json.dumps(answer)))
    row = produce.run_feedback(interview.id, gemini_options=FAST)
    assert row.status == FeedbackStatus.READY and row.scores["code_quality"] == 64
    assert row.question_notes[0]["code_note"].startswith("Integer division")
    [request] = gemini_env.requests
    schema = request["body"]["generationConfig"]["responseSchema"]
    assert "differs_because" in schema["properties"]["competencies"]["items"]["properties"]
    assert "code_note" in schema["properties"]["question_notes"]["items"]["properties"]
    prompt = request["body"]["contents"][0]["parts"][0]["text"]
    assert "Final code at [0:09] (Python):\ndef close_books(days):" in prompt
    instruction = json.dumps(request["body"].get("systemInstruction") or request["body"].get("system_instruction"))
    assert "code_quality" in instruction and "never run" in instruction


def test_without_code_the_review_has_no_code_category(gemini_env: StandIn) -> None:
    gemini_env.script(text_reply(json.dumps(valid_feedback())))  # no code_quality in the answer
    _, interview_id = _completed_interview()
    row = produce.run_feedback(interview_id, gemini_options=FAST)
    assert row.status == FeedbackStatus.READY and "code_quality" not in row.scores
    prompt = gemini_env.requests[0]["body"]["contents"][0]["parts"][0]["text"]
    assert "Code editor" not in prompt


def test_a_retired_model_is_never_called_and_the_analyzer_writes_the_feedback(
    gemini_env: StandIn, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """gemini-2.5-flash was retired on 2026-12-01 and its calls re-routed to a weaker model:
    a server still configured with it gets the analyzer's feedback, labelled as today."""
    monkeypatch.setenv("GEMINI_FEEDBACK_MODEL", "gemini-2.5-flash")
    reset_settings()
    caplog.set_level(logging.WARNING, "preppal.feedback")
    _, interview_id = _completed_interview()
    row = produce.run_feedback(interview_id, gemini_options=FAST)
    assert gemini_env.requests == []
    _is_analyzer_fallback(row, "gemini-2.5-flash was retired")
    assert any("gemini-2.5-flash was retired on 2026-12-01" in r.getMessage() for r in caplog.records)
    _transcript_intact(interview_id)


def test_an_unknown_model_falls_back_with_a_log_line_naming_it(
    gemini_env: StandIn, caplog: pytest.LogCaptureFixture
) -> None:
    gemini_env.script(error_reply(404, "NOT_FOUND"))
    caplog.set_level(logging.WARNING, "preppal.feedback")
    _, interview_id = _completed_interview()
    row = produce.run_feedback(interview_id, gemini_options=FAST)
    assert len(gemini_env.requests) == 1  # a 404 is not retried
    _is_analyzer_fallback(row, "HTTP 404")
    assert any("from model feedback-test-model" in r.getMessage() for r in caplog.records)
