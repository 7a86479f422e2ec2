"""The ``preppal`` console script: ``preppal worker`` runs post-call jobs outside the web app.

- ``preppal doctor [--timeout S]``: checks the Gemini setup end to end (key, models, a Live
  session with the interview config, a feedback call) and prints a table with the fix for
  each failure; exit status 1 when a check failed. Run it first when you hold a key.

- ``preppal worker [--once] [--poll S]``: claims feedback jobs (audio analysis + feedback)
  from the shared database until stopped (SIGTERM/SIGINT finish the job in hand first).
  Run any number, on any machines that share the database and the recording store; set
  ``PREPPAL_JOBS=worker`` on the web processes so they leave the jobs to the workers.
- ``preppal analyze <interview id>`` (internal): the audio metrics of one interview as one
  JSON line; a web process runs it as a niced child so the analysis is off its event loop.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence


def _nice(increment: int) -> None:
    if increment > 0 and hasattr(os, "nice"):
        try:
            os.nice(increment)
        except OSError:
            pass


def _analyze(args: argparse.Namespace) -> int:
    from preppal.services.analysis import speech_delivery
    from preppal.services.interviews import lifecycle, transcripts
    from preppal.services.recordings.store import open_store
    from preppal.settings import get_settings

    _nice(args.nice)
    interview = lifecycle.get_interview_any(args.interview_id)
    if interview is None:
        sys.stdout.write(json.dumps({"metrics": None}) + "\n")
        return 0
    entries = transcripts.get_transcript(args.interview_id)
    audio = speech_delivery.recorded(open_store(get_settings()))  # this child's own store, once
    metrics = speech_delivery.analyze_here(args.interview_id, entries, interview.language, audio)
    sys.stdout.write(json.dumps({"metrics": metrics}) + "\n")
    return 0


def _worker(args: argparse.Namespace) -> int:
    from preppal.process_context import ProcessContext
    from preppal.services.feedback import jobs
    from preppal.settings import get_settings

    context = ProcessContext.build(get_settings())  # this worker's store, built once
    _nice(context.settings.analysis_nice if args.nice is None else args.nice)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    done = jobs.run_worker(stop, context.recordings, once=args.once, poll_s=args.poll)
    logging.getLogger("preppal.worker").info("worker stopped after %d job(s)", done)
    return 0


def _doctor(args: argparse.Namespace) -> int:
    from preppal import doctor

    logging.getLogger().setLevel(logging.WARNING)  # the table on stdout; only problems on stderr
    return doctor.main(timeout_s=args.timeout)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="preppal", description="Preppal background work and checks")
    sub = parser.add_subparsers(dest="command", required=True)
    worker = sub.add_parser("worker", help="run post-call jobs (feedback, audio metrics) from the database")
    worker.add_argument("--once", action="store_true", help="stop when no job is waiting")
    worker.add_argument("--poll", type=float, default=2.0, help="seconds between looks for new jobs")
    worker.add_argument("--nice", type=int, default=None, help="niceness increment (default PREPPAL_ANALYSIS_NICE)")
    worker.set_defaults(run=_worker)
    analyze = sub.add_parser("analyze", help="(internal) print one interview's audio metrics as JSON")
    analyze.add_argument("interview_id")
    analyze.add_argument("--nice", type=int, default=0)
    analyze.set_defaults(run=_analyze)
    doctor = sub.add_parser("doctor", help="check the Gemini key, models, a Live session and a feedback call")
    doctor.add_argument("--timeout", type=float, default=20.0, help="seconds each check may take")
    doctor.set_defaults(run=_doctor)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s", stream=sys.stderr)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
