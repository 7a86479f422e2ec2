"""Résumé text from an uploaded file (.txt or .pdf), for the interviewer's context.

Only text is kept: the file itself is never stored. PDFs are parsed **out of process**
(:mod:`preppal.services.interviews.resume_pdf_worker`) under CPU, memory and wall-clock limits and a page cap,
so a PDF bomb costs the server nothing but a killed child and the candidate sees "This PDF
could not be read; paste the text instead". :func:`read_resume` (async, for the app) waits
on the child without a thread; :func:`extract_resume_text` is the blocking form.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import PurePath

from preppal.services import input_limits as caps
from preppal.services.errors import ValidationError
from preppal.services.interviews.resume_pdf_worker import EXIT_ENCRYPTED

MAX_UPLOAD_BYTES = caps.MAX_UPLOAD_BYTES
MAX_PDF_PAGES = caps.MAX_PDF_PAGES
MAX_RESUME = caps.MAX_RESUME
ACCEPTED = {".txt": "text/plain", ".pdf": "application/pdf"}
UNREADABLE_PDF = "This PDF could not be read; paste the text instead."


def is_pdf(filename: str) -> bool:
    return PurePath(filename or "").suffix.lower() == ".pdf"


def _checked_suffix(filename: str, data: bytes) -> str:
    suffix = PurePath(filename or "").suffix.lower()
    if suffix not in ACCEPTED:
        raise ValidationError("Upload your résumé as a .txt or .pdf file.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(f"That file is too large (at most {MAX_UPLOAD_BYTES // (1024 * 1024)} MB).")
    if suffix == ".pdf" and not data.startswith(b"%PDF"):
        raise ValidationError("That file is not a PDF.")
    return suffix


def _worker_argv() -> list[str]:
    return [
        sys.executable,
        "-m",
        "preppal.services.interviews.resume_pdf_worker",
        str(MAX_PDF_PAGES),
        str(MAX_RESUME),
        str(caps.PDF_CPU_S),
        str(caps.PDF_MEMORY_BYTES),
    ]


def _pdf_result(returncode: int | None, stdout: bytes) -> str:
    if returncode == EXIT_ENCRYPTED:
        raise ValidationError("That PDF is password-protected; paste the text instead.")
    if returncode != 0:  # unreadable, killed by a limit, or timed out
        raise ValidationError(UNREADABLE_PDF)
    text = stdout.decode("utf-8", "replace")
    if len(text) > 2_000 and len(set(text.lower()) - set(" \t\r\n")) < 8:
        raise ValidationError(UNREADABLE_PDF)  # pages of one repeated glyph (a bomb that finished): no résumé
    return text


async def read_resume(filename: str, data: bytes) -> str:
    """The text of a résumé file; a PDF is parsed in a limited child process (no thread).

    A .txt file is decoded right here: callers on the event loop send those through
    :func:`extract_resume_text` on a thread instead (see :func:`is_pdf`)."""
    suffix = _checked_suffix(filename, data)
    if suffix != ".pdf":
        return _finish(_plain_text(data), suffix)
    proc = await asyncio.create_subprocess_exec(
        *_worker_argv(),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        stdout, _ = await asyncio.wait_for(proc.communicate(data), caps.PDF_WALL_S)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise ValidationError(UNREADABLE_PDF) from None
    except asyncio.CancelledError:
        proc.kill()
        raise
    return _finish(_pdf_result(proc.returncode, stdout), suffix)


def extract_resume_text(filename: str, data: bytes) -> str:
    """Blocking form of :func:`read_resume` (call it from a thread, never the event loop)."""
    suffix = _checked_suffix(filename, data)
    if suffix != ".pdf":
        return _finish(_plain_text(data), suffix)
    try:
        done = subprocess.run(_worker_argv(), input=data, capture_output=True, timeout=caps.PDF_WALL_S, check=False)
    except subprocess.TimeoutExpired:  # run() has killed it
        raise ValidationError(UNREADABLE_PDF) from None
    return _finish(_pdf_result(done.returncode, done.stdout), suffix)


def _finish(text: str, suffix: str) -> str:
    text = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n")).strip()
    if not text:
        raise ValidationError(
            "No text found in that file. If it is a scanned PDF, paste the résumé text instead."
            if suffix == ".pdf"
            else "That file is empty."
        )
    return text[:MAX_RESUME]


def _plain_text(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise ValidationError("That does not look like a text file.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")
