"""The limits a child process sets on itself before it reads untrusted input.

The résumé PDF reader (interviews/resume_pdf_worker.py) and the export renderer
(exports/worker.py) run as ``python -m`` children of a web process and call
:func:`limit_self` first thing, before they import a parser or read a byte: a hostile file
then costs a killed child, never the server's CPU or memory. Their parents add a wall-clock
limit on top. This module imports nothing of ours, so it is cheap to load before the limits.
"""

from __future__ import annotations

import os
import resource


def limit_self(cpu_s: int, memory_bytes: int) -> None:
    """CPU seconds, address space, no core file, lower priority: for this process, now."""
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s))  # SIGXCPU, then SIGKILL at the hard limit
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))  # MemoryError beyond
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.nice(10)  # live interviews on the same cores come first
