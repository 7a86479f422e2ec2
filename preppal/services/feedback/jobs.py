"""Post-call jobs taken from the shared database: the ``preppal worker`` loop, and the web
process's own share of them (``PREPPAL_JOBS=inprocess``, the default).

The job queue is the Feedback table itself (services/feedback/queue.py): a job is a PENDING row
(created when the interview went COMPLETED, in the same transaction) or a RUNNING one with a
stale heartbeat. Any number of pollers on any number of machines read it; the
compare-and-set claim in ``produce.run_job`` gives each job to exactly one of them, and a
worker that dies mid-job stops beating, so its job is claimed again after
``STALE_RUNNING_AFTER``. Nothing else starts feedback.
"""

from __future__ import annotations

import logging
import threading

from preppal.services.feedback import produce, queue
from preppal.services.recordings.store import RecordingStore

log = logging.getLogger("preppal.worker")
BATCH = 10  # jobs looked at per poll
MAX_CONCURRENT = 2  # in-process jobs running at once (each on a daemon thread of its own)
_slots = threading.BoundedSemaphore(MAX_CONCURRENT)
_in_flight: set[str] = set()
_in_flight_lock = threading.Lock()


def run_pending(recordings: RecordingStore, stop: threading.Event | None = None) -> tuple[int, int]:
    """One pass over the owed jobs, the delivery metrics read from ``recordings``: (jobs seen,
    jobs this worker ran)."""
    ids = queue.pending_ids(limit=BATCH)
    ran = 0
    for interview_id in ids:
        if stop is not None and stop.is_set():
            break
        if produce.run_job(interview_id, recordings, isolate_analysis=False):
            ran += 1
            row = queue.get_feedback_any(interview_id)
            status = row.status.value if row else "deleted"
            source = (row.metrics or {}).get("source", "?") if row else "-"
            log.info("job %s done: %s, metrics from the %s", interview_id, status, source)
    return len(ids), ran


def _worker(interview_id: str, recordings: RecordingStore) -> None:
    try:
        with _slots:
            produce.run_feedback(interview_id, recordings)
    except Exception:
        log.exception("feedback worker for %s crashed", interview_id)
    finally:
        with _in_flight_lock:
            _in_flight.discard(interview_id)


def start(interview_id: str, recordings: RecordingStore) -> None:
    """Run one owed job on a daemon thread of this process (the in-process jobs: at most
    ``MAX_CONCURRENT`` run at once; a job already running here is not started twice)."""
    with _in_flight_lock:
        if interview_id in _in_flight:
            return
        _in_flight.add(interview_id)
    threading.Thread(
        target=_worker, args=(interview_id, recordings), name=f"feedback-{interview_id[:8]}", daemon=True
    ).start()


def run_in_process(stop: threading.Event, recordings: RecordingStore, *, poll_s: float = 1.0) -> None:
    """The web process's jobs (a thread of its own, ``tasks.feedback_jobs``): poll the queue
    and start each owed job on a daemon thread (``start``: at most
    ``MAX_CONCURRENT`` at once, the audio pass in a niced child). A database error is logged
    and retried at the next poll."""
    log.info("feedback jobs run in this process (poll every %.1f s)", poll_s)
    while not stop.is_set():
        try:
            for interview_id in queue.pending_ids(limit=BATCH):
                start(interview_id, recordings)
        except Exception:
            log.exception("feedback job poll failed; retrying")
        stop.wait(poll_s)


def run_worker(stop: threading.Event, recordings: RecordingStore, *, once: bool = False, poll_s: float = 2.0) -> int:
    """Run jobs until ``stop`` is set (or, with ``once``, until none is waiting); returns how
    many this worker ran. A database error is logged and retried at the next poll."""
    done = 0
    log.info("worker started (poll every %.1f s)", poll_s)
    while not stop.is_set():
        try:
            seen, ran = run_pending(recordings, stop)
        except Exception:
            log.exception("worker poll failed; retrying")
            seen, ran = 0, 0
        done += ran
        if once and seen == 0:
            break
        if seen == 0 or ran == 0:
            stop.wait(poll_s)
    return done
