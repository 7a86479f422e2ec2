"""What hostile input costs the server, before and after issue 9 (prints numbers).

    .venv/bin/python -m bench.hostile_input
    .venv/bin/python -m bench.hostile_input --address-kb 2 --bomb-kib 64 --signups 1   # the suite's smoke size

1. The sign-up e-mail check on a 20 kB address: the old backtracking pattern against the
   linear check (CPU seconds, with the GIL held: every live call on the worker waits).
2. The 10 KiB PDF résumé bomb (30 pages sharing one 2 MiB content stream): pypdf in the
   server process for ONE page (the old path read up to 30) against the out-of-process
   reader (wall time until the candidate gets an answer, CPU spent in the server process).
3. Sign-up with a taken address against a free one (median wall time of 7 each): both hash
   the password, so the answer time does not tell whether an address has an account.

The last line:

    hostile_input: e-mail check O ms old, L µs linear; PDF bomb answer W s (server S ms CPU); sign-up T/F ms taken/free
"""

from __future__ import annotations

import argparse
import io
import re
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from preppal.services.errors import ValidationError
from preppal.services.input_limits import is_email
from preppal.services.resume import extract_resume_text
from tests.support.hostile import pdf_bomb

OLD_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")  # the pattern before issue 9


def cpu(fn, repeat: int = 1) -> float:
    start = time.process_time()
    for _ in range(repeat):
        fn()
    return (time.process_time() - start) / repeat


def main(address_kb: int, bomb_kib: int) -> tuple[float, float, float, float]:
    """Prints the e-mail check and the PDF bomb; returns (old check s, new check s, bomb wall s, server CPU s)."""
    hostile = "a@" + "." * (address_kb * 1000) + " "  # dots, then a character that fails at the very end
    old = cpu(lambda: OLD_EMAIL.match(hostile))
    new = cpu(lambda: is_email(hostile), repeat=200)
    print(
        f"e-mail check, {address_kb} kB address: old pattern {old * 1e3:.0f} ms CPU, "
        f"linear check {new * 1e6:.1f} µs CPU"
    )
    print("  (and sign-up now refuses any address over 320 characters before checking it at all)")

    bomb = pdf_bomb(stream_bytes=bomb_kib * 1024)
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(bomb))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    one_page = cpu(lambda: reader.pages[0].extract_text())
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    print(
        f"PDF bomb ({len(bomb) / 1024:.1f} KiB, 30 pages): in-process pypdf {one_page:.2f} s CPU for one page "
        f"(x30 pages on the old path), server RSS +{grown:.0f} MB"
    )
    wall, server_cpu = time.perf_counter(), time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        extract_resume_text("cv.pdf", bomb)
        outcome = "text (unexpected)"
    except ValidationError as exc:
        outcome = exc.message
    wall, server_cpu = time.perf_counter() - wall, time.process_time() - server_cpu
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    child_cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    print(
        f"PDF bomb out of process: answer after {wall:.2f} s wall ({outcome!r}); server process CPU "
        f"{server_cpu * 1e3:.0f} ms; the limited child used {child_cpu:.2f} s CPU (limit 3 s, 512 MiB, 8 s wall)"
    )
    return old, new, wall, server_cpu


def signup_timing(rounds: int) -> tuple[float, float]:
    """Median seconds of a sign-up with a taken address and with a free one."""
    import os
    import statistics
    import tempfile

    os.environ["PREPPAL_DATA_DIR"] = tempfile.mkdtemp(prefix="hostile-bench-")
    from sqlmodel import SQLModel

    import preppal.models  # noqa: F401  (registers the tables)
    from preppal.db import get_engine
    from preppal.services import auth
    from preppal.settings import reset_settings

    reset_settings()
    SQLModel.metadata.create_all(get_engine())
    auth.sign_up("taken@example.com", "Analytical-engine-1")
    taken, free = [], []
    for n in range(rounds):
        for bucket, email in ((taken, "taken@example.com"), (free, f"free{n}@example.com")):
            start = time.perf_counter()
            try:
                auth.sign_up(email, "Analytical-engine-2")
            except Exception:
                pass
            bucket.append(time.perf_counter() - start)
    print(
        f"sign-up, taken address {statistics.median(taken) * 1e3:.0f} ms vs free address "
        f"{statistics.median(free) * 1e3:.0f} ms (median of {rounds}; same message: {auth.SIGN_UP_REFUSED[:40]}...)"
    )
    return statistics.median(taken), statistics.median(free)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--address-kb", type=int, default=20, help="length of the hostile e-mail address")
    parser.add_argument("--bomb-kib", type=int, default=2048, help="the PDF bomb's shared content stream")
    parser.add_argument("--signups", type=int, default=7, help="sign-ups timed per kind")
    args = parser.parse_args()
    old, new, wall, server_cpu = main(args.address_kb, args.bomb_kib)
    taken, free = signup_timing(args.signups)
    print(
        f"hostile_input: e-mail check {old * 1e3:.0f} ms old, {new * 1e6:.1f} µs linear; PDF bomb answer "
        f"{wall:.2f} s (server {server_cpu * 1e3:.0f} ms CPU); sign-up {taken * 1e3:.0f}/{free * 1e3:.0f} ms taken/free"
    )
