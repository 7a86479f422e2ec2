"""One interview as the feedback page and the export show it: the interview, its transcript,
its feedback row, the delivery metrics (the feedback's, or computed from the transcript
while there is none), the code editor's snapshot times and final code, and the recording,
read together so both always agree."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from preppal.models import Feedback, FeedbackStatus, Interview, InterviewStatus, TranscriptEntry
from preppal.services.analysis.transcript_metrics import compute_metrics
from preppal.services.feedback import queue as feedback_service
from preppal.services.interviews import code_snapshots, lifecycle, transcripts
from preppal.services.interviews.code_snapshots import Snapshot, SnapshotTime
from preppal.services.recordings import tracks
from preppal.services.recordings.store import RecordingStore
from preppal.services.recordings.tracks import RecordingInfo
from preppal.settings import get_settings


@dataclass
class FeedbackSnapshot:
    interview: Interview
    transcript: list[TranscriptEntry]
    feedback: Optional[Feedback]
    metrics: dict[str, Any]  # InterviewMetrics.to_dict()
    # The editor: every snapshot's time (no code: a page fetches one when it shows it) and
    # the final code; never all the code at once (issue 22).
    code_times: list[SnapshotTime] = field(default_factory=list)  # oldest first
    final_code: Optional[Snapshot] = None  # the newest snapshot that is not blank
    recording: Optional[RecordingInfo] = None  # asked for with ``with_recording`` (storage I/O)

    @property
    def ready(self) -> bool:
        return self.feedback is not None and self.feedback.status == FeedbackStatus.READY


MEASURING = "measuring"  # metrics["source"] while the recording is being measured


def _measuring(
    interview: Interview,
    row: Optional[Feedback],
    recordings: RecordingStore,
    recording: Optional[RecordingInfo],
    looked: bool,
) -> bool:
    """The feedback job will measure delivery from a recording that exists, and has not yet."""
    if interview.status != InterviewStatus.COMPLETED or not get_settings().audio_metrics:
        return False
    if row is not None and row.status not in (FeedbackStatus.PENDING, FeedbackStatus.RUNNING):
        return False
    if not looked:
        recording = tracks.recording_info(recordings, interview.id)
    return recording is not None


def feedback_snapshot(
    user_id: int, interview_id: str, recordings: RecordingStore, *, with_recording: bool = False
) -> FeedbackSnapshot:
    """The owner's interview with everything shown about it (NotFound for anyone else); it
    only reads. ``recordings``: the process's recording store; ``with_recording`` adds the
    recording's description (the page's player) for a finished interview.
    """
    interview = lifecycle.get_interview(user_id, interview_id)
    transcript = transcripts.get_transcript(interview.id)
    row = feedback_service.get_feedback(user_id, interview.id)
    code_times = code_snapshots.list_times(interview.id)
    final_code = code_snapshots.final_code(interview.id) if code_times else None
    recording = None
    if with_recording and interview.status in (InterviewStatus.COMPLETED, InterviewStatus.ERROR):
        recording = tracks.recording_info(recordings, interview.id)
    if row is not None and row.metrics:
        metrics = row.metrics
    else:
        metrics = compute_metrics(transcript, interview.language).to_dict()
        if _measuring(interview, row, recordings, recording, looked=with_recording):
            metrics["source"] = MEASURING  # the audio pass is running: say so, never "no recording"
    return FeedbackSnapshot(
        interview=interview,
        transcript=transcript,
        feedback=row,
        metrics=metrics,
        code_times=code_times,
        final_code=final_code,
        recording=recording,
    )
