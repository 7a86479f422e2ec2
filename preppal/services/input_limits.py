"""Every size limit on what a client can send, in one place (docs/security.md lists them).

Sizes are checked BEFORE anything is parsed: a request body by the ASGI middleware
(:mod:`preppal.api.body_limit`), a form's parts by Starlette's form parser, each text
field by :func:`check_length` before any pattern or hash touches it. Rate limits live in
:mod:`preppal.services.rate_limit`; the relay's frame limits in ``preppal/realtime/limits.py``.
"""

from __future__ import annotations

from preppal.services.errors import ValidationError

KIB = 1024
MIB = 1024 * KIB

# Text fields (characters).
MAX_EMAIL = 320  # RFC 5321 path limit
MAX_NAME = 200
MIN_PASSWORD = 10  # NIST SP 800-63B asks for at least 8 (services/accounts/passwords.py)
MAX_PASSWORD = 1024  # Argon2 hashes any length; this bounds the work per request
MAX_ROLE = 200
MAX_JOB_DESCRIPTION = 20_000
MAX_RESUME = 50_000

# Files.
MAX_UPLOAD_BYTES = 5 * MIB  # one résumé file
MAX_PDF_PAGES = 10  # pages of a PDF résumé that are read at all
PDF_CPU_S = 3  # CPU seconds the out-of-process PDF reader may use (RLIMIT_CPU)
PDF_MEMORY_BYTES = 512 * MIB  # its address space (RLIMIT_AS)
PDF_WALL_S = 8.0  # and its wall-clock time, after which it is killed

# Exports (Markdown/PDF), rendered in a child process (services/exports/runner.py). A real
# one-hour interview needs about a second of CPU; past these limits the candidate is told
# to try the other format or later.
EXPORT_CPU_S = 20  # RLIMIT_CPU of the child
EXPORT_MEMORY_BYTES = 768 * MIB  # its address space (RLIMIT_AS; it needs ~512 MiB mapped)
EXPORT_WALL_S = 60.0  # killed after this (it runs at nice 10 behind live calls)
EXPORT_MAX_BYTES = 16 * MIB  # of output read back
EXPORTS_AT_ONCE = 1  # children per web process; live calls keep the other core
EXPORTS_WAITING = 8  # queued behind it; more: 503 "busy"

# Recording downloads at once, per web process (they stream for as long as the client reads).
# A browser's player keeps one or two Range requests open; seeking starts another.
DOWNLOADS_PER_USER = 4  # beyond: 429
DOWNLOADS_PER_PROCESS = 64  # beyond: 503 (both with Retry-After)

# Request bodies (bytes), by path prefix; the first match wins.
FORM_BODY_BYTES = 16 * KIB  # sign-in / sign-up / sign-out form posts
JSON_BODY_BYTES = 64 * KIB  # generateWorkerToken, updateStatus
TRANSCRIPT_BODY_BYTES = 2 * MIB  # submitTranscript: a one-hour transcript is far below this
UPLOAD_BODY_BYTES = MAX_UPLOAD_BYTES + 64 * KIB  # Reflex's /_upload: one file + multipart framing
EVENT_BODY_BYTES = 1_000_000  # Reflex's socket.io polling fallback (its own max_http_buffer_size)
DEFAULT_BODY_BYTES = 64 * KIB  # anything else
FORM_MAX_FIELDS = 8  # the auth forms have at most four fields

# submitTranscript content.
MAX_TRANSCRIPT_ENTRIES = 5_000
MAX_TRANSCRIPT_TEXT = 20_000
MAX_OFFSET_MS = 48 * 3600 * 1000  # start/end offsets: far above any interview, far below int64


def check_length(value: str, limit: int, label: str) -> str:
    """``value`` unchanged, or :class:`ValidationError` when it is longer than ``limit``."""
    if len(value) > limit:
        raise ValidationError(f"{label} is too long (at most {limit:,} characters).")
    return value


def is_email(value: str) -> bool:
    """A plausible address ``local@domain.tld`` in linear time (no regular expression).

    The old pattern ``[^@\\s]+@[^@\\s]+\\.[^@\\s]+`` backtracked quadratically on a long
    string without a dot; this check looks at each character a constant number of times.
    """
    if not value or len(value) > MAX_EMAIL or value.count("@") != 1:
        return False
    if any(ch.isspace() for ch in value):
        return False
    local, domain = value.split("@")
    if not local or "." not in domain:
        return False
    return not domain.startswith(".") and not domain.endswith(".") and ".." not in domain
