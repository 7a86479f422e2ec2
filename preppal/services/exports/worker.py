"""The out-of-process export: ``python -m preppal.services.exports.worker FORMAT USER INTERVIEW CPU_S MEM_BYTES``.

Rendering an export is CPU work on data the candidate wrote (a PDF of a 64 KiB snapshot of
32,767 short lines cost 3–5 s of CPU; four at once took the server's ``/ping`` from 7 ms to
a p50 of 111 ms). So it never runs in the web process: this child limits itself (CPU
seconds, address space, lower priority, no core file) **before** it imports anything of
ours, reads the owner's interview from the database itself (the same settings and
environment as its parent), renders it and writes the file to stdout. The parent
(:mod:`preppal.services.exports.runner`) adds a wall-clock limit and kills it past that.

Exit codes: 0 the file on stdout; 4 no such interview of this user; 5 anything else
(a limit, a database error: the parent answers "try again" without details).
"""

from __future__ import annotations

import sys

from preppal.services.child_limits import limit_self

EXIT_NOT_FOUND = 4
EXIT_FAILED = 5
FORMATS = ("md", "pdf")


def main(argv: list[str]) -> int:
    fmt, user_id, interview_id, cpu_s, memory_bytes = argv[1], int(argv[2]), argv[3], int(argv[4]), int(argv[5])
    if fmt not in FORMATS:
        return EXIT_FAILED
    limit_self(cpu_s, memory_bytes)
    try:
        from preppal.services.errors import NotFound
        from preppal.services.exports import render
        from preppal.services.feedback.report import feedback_snapshot
        from preppal.services.recordings.store import open_store
        from preppal.settings import get_settings

        try:
            report = feedback_snapshot(user_id, interview_id, open_store(get_settings()))  # this child's own store
        except NotFound:
            return EXIT_NOT_FOUND
        body = render.to_pdf(report) if fmt == "pdf" else render.to_markdown(report).encode("utf-8")
    except BaseException as exc:  # MemoryError at the limit, a database error, a bug: the parent logs the code
        print(f"export failed: {exc!r}"[:2000], file=sys.stderr)
        return EXIT_FAILED
    sys.stdout.buffer.write(body)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
