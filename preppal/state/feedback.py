"""The feedback page: scores, strengths and improvements, delivery metrics, and the
transcript with per-answer metrics beside it.

Live update without a reload: feedback is produced on a background thread (services.feedback.jobs),
so the page polls the Feedback row with a Reflex *background* event — once a second,
holding the state lock only for the short ``async with self`` update, and stopping when the
row is READY/FAILED, when the user leaves the page, or after ``POLL_LIMIT_S``. Polling the
database (rather than pushing from the worker) works the same with one or many server
workers and survives a restart. The page only reads: feedback was queued when the
interview went COMPLETED, and the jobs (services/feedback/jobs.py) produce it.
"""

from __future__ import annotations

import asyncio
import time
from typing import Optional

import reflex as rx

from preppal import process_context, routes
from preppal.models import Feedback, FeedbackStatus, InterviewStatus
from preppal.services.errors import NotFound, ServiceError
from preppal.services.exports import render
from preppal.services.feedback import queue as feedback_service
from preppal.services.feedback.report import FeedbackSnapshot, feedback_snapshot
from preppal.services.interviews import code_snapshots, lifecycle
from preppal.services.interviews.code_snapshots import Snapshot, SnapshotTime
from preppal.services.interviews.transcripts import TranscriptLine
from preppal.services.pools import call_service
from preppal.services.recordings import tracks
from preppal.state.auth import AuthState
from preppal.state.feedback_view import (
    CodeStep,
    MetricRow,
    NoteRow,
    PointRow,
    ScoreRow,
    TurnRow,
    build_turns,
    code_steps,
)
from preppal.state.recording_view import (
    CodeMark,
    Mark,
    Span,
    build_timeline,
    code_marks,
    note_seek_ms,
    timeline_length_ms,
)
from preppal.state.rows import interview_row
from preppal.state.scorecard_view import (
    CompetencyRow,
    EvidenceRow,
    QuestionRow,
    ScoreMark,
    competency_rows,
    evidence_rows,
    question_rows,
    score_marks,
    source_note,
)

POLL_EVERY_S = 1.0
POLL_LIMIT_S = 120.0


def _report(user_id: int, interview_id: str) -> FeedbackSnapshot:
    """The page's view of one interview, with its recording described (this process's store)."""
    return feedback_snapshot(user_id, interview_id, process_context.current().recordings, with_recording=True)


class FeedbackState(AuthState):
    loaded: bool = False
    found: bool = False
    interview: dict[str, str] = {}
    fb_status: str = ""  # PENDING | RUNNING | READY | FAILED | WAITING (interview not completed)
    source: str = ""
    model: str = ""
    overall: int = 0
    has_score: bool = False
    summary: str = ""
    error: str = ""
    scores: list[ScoreRow] = []
    strengths: list[PointRow] = []
    improvements: list[PointRow] = []
    notes: list[NoteRow] = []
    metric_rows: list[MetricRow] = []
    metrics_source: str = ""  # audio | transcript: what the delivery figures were measured from
    fallback: bool = False  # READY from the built-in analyzer because the AI feedback failed
    turns: list[TurnRow] = []
    code_steps: list[CodeStep] = []
    code_index: int = 0
    code_shown: str = ""  # the code of code_steps[code_index] (one at a time: issue 22)
    recording_src: str = ""  # the mixed recording's URL ("" = no recording: no player)
    timeline_ms: int = 1
    timeline_turns: list[Span] = []
    timeline_pauses: list[Span] = []
    timeline_fillers: list[Mark] = []
    timeline_code: list[CodeMark] = []  # the code card's snapshots on the timeline
    has_audio_marks: bool = False
    # The scorecard (state/scorecard_view.py): competencies, evidence with where it was said, questions.
    sc_source: str = ""
    sc_competencies: list[CompetencyRow] = []
    sc_evidence: list[EvidenceRow] = []
    sc_questions: list[QuestionRow] = []
    timeline_scorecard: list[ScoreMark] = []
    _lines: list[TranscriptLine] = []  # the transcript, kept to place question notes and timeline marks
    _metrics: dict = {}  # the metrics shown (their "timeline" marks go under the player)
    _call_s: int = 0  # the interview's length (sizes the timeline when the recording has no metadata)
    _recording_ms: int = 1
    polling_id: str = ""  # the interview a poll loop is running for ("" = none)
    poll_timed_out: bool = False
    action_error: str = ""

    def _apply(self, row: Optional[Feedback]) -> None:
        if row is None:
            return
        self.fb_status = row.status.value
        self.source = row.source
        self.fallback = feedback_service.is_fallback(row)
        if row.metrics:
            self.metrics_source = row.metrics.get("source", "transcript")
        self.model = (row.metrics or {}).get("model", "")
        self.error = row.error or ""
        self.summary = row.summary
        self.has_score = row.status == FeedbackStatus.READY and row.overall_score is not None
        self.overall = row.overall_score or 0
        ready = row.status == FeedbackStatus.READY
        self.sc_competencies = competency_rows(row.scores or {}, row.scorecard) if ready else []
        self.scores = [ScoreRow(r.key, r.label, r.value) for r in self.sc_competencies if r.value >= 0]
        self.sc_evidence = evidence_rows(row.scorecard) if ready else []
        self.sc_questions = question_rows(row.scorecard) if ready else []
        self.sc_source = source_note(row.scorecard) if ready else ""
        self.strengths = [PointRow(p["title"], p["detail"], p.get("quote", "")) for p in row.strengths]
        self.improvements = [PointRow(p["title"], p["detail"], p.get("quote", "")) for p in row.improvements]
        self.notes = [
            NoteRow(
                i,
                n["question"],
                n.get("answer_quote", ""),
                n["assessment"],
                n["better_answer"],
                n.get("code_note", ""),
                note_seek_ms(n, self._lines),
            )
            for i, n in enumerate(row.question_notes, 1)
        ]
        if row.metrics:
            self._metrics = row.metrics
            if self.recording_src:
                self._draw_timeline()

    def _clear(self) -> None:
        """Forget the previous interview's page (the state outlives page changes)."""
        self.loaded = self.found = self.has_score = self.poll_timed_out = self.fallback = False
        self.metrics_source = ""
        self.fb_status = self.source = self.model = self.summary = self.error = self.action_error = ""
        self.overall = 0
        self.interview, self.scores, self.strengths, self.improvements = {}, [], [], []
        self.notes, self.metric_rows, self.turns = [], [], []
        self.recording_src, self.timeline_ms, self.has_audio_marks = "", 1, False
        self.timeline_turns, self.timeline_pauses, self.timeline_fillers = [], [], []
        self.timeline_code, self.timeline_scorecard = [], []
        self.sc_source, self.sc_competencies, self.sc_evidence, self.sc_questions = "", [], [], []
        self._lines, self._metrics, self._call_s, self._recording_ms = [], {}, 0, 1
        self._set_code([], None)

    def _set_code(self, times: list[SnapshotTime], final: Optional[Snapshot]) -> None:
        """The steps, showing the last one (the final code, already read with the page)."""
        self.code_steps = code_steps(times)
        self.code_index = max(0, len(self.code_steps) - 1)
        self.code_shown = final.code if final is not None and self.code_steps else ""

    def _show(self, snap: FeedbackSnapshot) -> None:
        """Render one snapshot of the interview, its transcript and its feedback."""
        self.interview = interview_row(snap.interview)
        self._lines = [TranscriptLine(e.sequence, e.speaker, e.text, e.start_ms, e.end_ms) for e in snap.transcript]
        self.metric_rows = [MetricRow(label, value) for label, value in render.metric_rows(snap.metrics)]
        self.metrics_source = snap.metrics.get("source", "transcript")
        self.turns = build_turns(snap.transcript, snap.metrics)
        self._set_code(snap.code_times, snap.final_code)
        self._metrics, self._call_s = snap.metrics, snap.interview.duration_s or 0
        if snap.recording is not None:
            self._set_recording(snap.recording)
        if snap.feedback is None:
            self.fb_status = "WAITING"
        else:
            self._apply(snap.feedback)

    def _set_recording(self, rec: tracks.RecordingInfo) -> None:
        self.recording_src = routes.recording_url(self.interview.get("id", ""))
        self._recording_ms = timeline_length_ms(rec.duration_ms, self._lines, self._call_s)
        self._draw_timeline()

    def _draw_timeline(self) -> None:
        drawn = build_timeline(self._lines, self._metrics, self._recording_ms)
        self.timeline_ms, self.has_audio_marks = drawn.length_ms, drawn.has_audio_marks
        self.timeline_turns, self.timeline_pauses, self.timeline_fillers = drawn.turns, drawn.pauses, drawn.fillers
        self.timeline_code = code_marks([s.at_ms for s in self.code_steps], drawn.length_ms)
        self.timeline_scorecard = score_marks(self.sc_questions, self.sc_evidence, drawn.length_ms)

    @rx.event
    async def load(self):
        self._clear()
        user_id = await self.current_user_id()
        if not user_id:
            return
        try:
            interview_id = self.route_interview_id()
            snap = await call_service(_report, user_id, interview_id)
        except NotFound:
            self.loaded = True
            return
        self._show(snap)
        self.found = self.loaded = True
        # IN_PROGRESS too: the call page redirects here as the relay is still saving the end
        if self.fb_status in ("PENDING", "RUNNING") or snap.interview.status == InterviewStatus.IN_PROGRESS:
            return FeedbackState.poll

    @rx.event(background=True)
    async def poll(self):
        async with self:
            interview_id, user_id = self.interview.get("id", ""), self.user_id
            if not interview_id or self.polling_id == interview_id:
                return  # one loop per interview page
            self.polling_id, self.poll_timed_out = interview_id, False
        started = time.monotonic()
        try:
            while time.monotonic() - started < POLL_LIMIT_S:
                await asyncio.sleep(POLL_EVERY_S)
                async with self:
                    waiting = self.fb_status == "WAITING"
                try:
                    if waiting:  # the interview itself may still be ending: reload everything
                        snap = await call_service(_report, user_id, interview_id)
                    else:
                        row = await call_service(feedback_service.get_feedback, user_id, interview_id)
                except NotFound:  # deleted meanwhile
                    return
                except ServiceError:  # the database is unreachable for now: try again next second
                    continue
                async with self:
                    if self.interview.get("id") != interview_id:  # navigated to another interview
                        return
                    if waiting:
                        self._show(snap)
                        if snap.feedback is None and snap.interview.status != InterviewStatus.IN_PROGRESS:
                            return  # ended in ERROR (or never started): nothing to wait for
                    else:
                        self._apply(row)
                        if row is not None and row.metrics:
                            self.metric_rows = [MetricRow(lbl, val) for lbl, val in render.metric_rows(row.metrics)]
                    if self.fb_status in ("READY", "FAILED"):
                        return
            async with self:
                self.poll_timed_out = True
        finally:
            async with self:
                if self.polling_id == interview_id:
                    self.polling_id = ""

    @rx.event
    async def show_code_step(self, index: int):
        """Step through the snapshots (clamped); that step's code is read when it is shown,
        so the page's state never holds more than one snapshot (kept in Redis per tab)."""
        if not self.code_steps:
            return
        index = max(0, min(int(index), len(self.code_steps) - 1))
        try:
            snap = await call_service(
                code_snapshots.get_snapshot, self.interview.get("id", ""), self.code_steps[index].snapshot_id
            )
        except ServiceError as exc:
            self.action_error = exc.message
            return
        self.code_index = index
        self.code_shown = snap.code if snap is not None else ""

    @rx.event
    async def retry(self):
        user_id = await self.current_user_id()
        if not user_id:
            return self.sign_in_redirect()
        try:
            self._apply(await call_service(feedback_service.retry_feedback, user_id, self.interview.get("id", "")))
        except ServiceError as exc:
            self.action_error = exc.message
            return
        self.poll_timed_out = False
        return FeedbackState.poll

    @rx.event
    async def practise_again(self):
        """A new interview with the same settings, straight into the call."""
        user_id = await self.current_user_id()
        if not user_id:
            return self.sign_in_redirect()
        try:
            new = await call_service(lifecycle.clone, user_id, self.interview.get("id", ""))
        except ServiceError as exc:
            self.action_error = exc.message
            return
        return rx.redirect(routes.meeting_url(new.id))

    @rx.var
    def code_step(self) -> CodeStep:
        return self.code_steps[self.code_index] if self.code_steps else CodeStep("", "text", "")

    @rx.var
    def code_is_final(self) -> bool:
        return self.code_index >= len(self.code_steps) - 1

    @rx.var
    def working(self) -> bool:
        return self.fb_status in ("PENDING", "RUNNING")

    @rx.var
    def export_md(self) -> str:
        return self.interview.get("export_md", "")

    @rx.var
    def recording_download(self) -> str:
        return routes.recording_url(self.interview.get("id", ""), download=True)

    @rx.var
    def export_pdf(self) -> str:
        return self.interview.get("export_pdf", "")

    @rx.var
    def source_label(self) -> str:
        if self.source == "gemini":
            return f"AI review · Gemini ({self.model})" if self.model else "AI review · Gemini"
        if self.fallback:
            return "Built-in analyzer · the AI review failed, so these scores are text heuristics"
        return "Built-in analyzer · no AI key configured, so these scores are text heuristics"

    @rx.var
    def metrics_note(self) -> str:
        if self.metrics_source == "audio":
            return "How you spoke, measured from your recording: pauses, speaking time and fillers as you said them."
        if self.metrics_source == "measuring":
            return (
                "Measuring from your recording… Until it is done these figures are estimated from the transcript "
                "timing; they update here when the measurement is in."
            )
        return (
            "How you spoke, estimated from the transcript timing (no recording was kept), so pauses "
            "and pace are approximate."
        )

    @rx.var
    def score_tone(self) -> str:
        return "green" if self.overall >= 75 else "amber" if self.overall >= 50 else "red"
