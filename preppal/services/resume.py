"""Résumé text from an uploaded file (.txt or .pdf), for the interviewer's context.

Only text is kept: the file itself is never stored. PDFs are read with ``pypdf`` (pure
Python); a malformed or hostile PDF becomes a plain error, never a crash, and the page
count is bounded so a huge file cannot hold a worker for long.
"""

from __future__ import annotations

import io
from pathlib import PurePath

from preppal.services.errors import ValidationError
from preppal.services.interviews import MAX_RESUME

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_PDF_PAGES = 30
ACCEPTED = {".txt": "text/plain", ".pdf": "application/pdf"}


def extract_resume_text(filename: str, data: bytes) -> str:
    """The text of a résumé file, trimmed to what an interview can hold."""
    suffix = PurePath(filename or "").suffix.lower()
    if suffix not in ACCEPTED:
        raise ValidationError("Upload your résumé as a .txt or .pdf file.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(f"That file is too large (at most {MAX_UPLOAD_BYTES // (1024 * 1024)} MB).")
    text = _pdf_text(data) if suffix == ".pdf" else _plain_text(data)
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


def _pdf_text(data: bytes) -> str:
    if not data.startswith(b"%PDF"):
        raise ValidationError("That file is not a PDF.")
    from pypdf import PdfReader  # imported here: only uploads need it

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValidationError("That PDF is password-protected.")
        parts = [page.extract_text() or "" for page in reader.pages[:MAX_PDF_PAGES]]
    except ValidationError:
        raise
    except Exception:  # pypdf raises many kinds on broken files
        raise ValidationError("That PDF could not be read. Try saving it again, or paste the text.") from None
    return "\n\n".join(p.strip() for p in parts if p.strip())
