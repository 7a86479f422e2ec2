"""Résumé text from uploads: .txt and real PDFs (made with fpdf2), and the refusals."""

from __future__ import annotations

import pytest
from fpdf import FPDF

from preppal.services.errors import ValidationError
from preppal.services.interviews import MAX_RESUME
from preppal.services.resume import MAX_UPLOAD_BYTES, extract_resume_text


def _pdf(*pages: str) -> bytes:
    doc = FPDF()
    doc.set_font("Helvetica", size=12)
    for text in pages:
        doc.add_page()
        doc.multi_cell(0, 8, text)
    return bytes(doc.output())


def test_text_file_keeps_unicode_and_trims() -> None:
    data = "\ufeffZoë Brontë\r\nStaff engineer   \r\n\r\n".encode()
    assert extract_resume_text("cv.TXT", data) == "Zoë Brontë\nStaff engineer"


def test_latin1_text_still_reads() -> None:
    assert extract_resume_text("cv.txt", "Café lead".encode("latin-1")) == "Café lead"


def test_pdf_text_from_every_page() -> None:
    text = extract_resume_text("cv.pdf", _pdf("Grace Hopper", "COBOL compiler team lead"))
    assert "Grace Hopper" in text and "COBOL compiler team lead" in text


def test_pdf_without_text_is_explained() -> None:
    doc = FPDF()
    doc.add_page()
    with pytest.raises(ValidationError, match="No text found"):
        extract_resume_text("scan.pdf", bytes(doc.output()))


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("cv.docx", b"PK\x03\x04", r"\.txt or \.pdf"),
        ("cv.pdf", b"hello, not a pdf", "not a PDF"),
        ("cv.pdf", b"%PDF-1.7\n garbage \x00\x01", "could not be read|No text"),
        ("cv.txt", b"\x00\x01\x02binary", "text file"),
        ("cv.txt", b"   \n  ", "empty"),
        ("cv.txt", b"x" * (MAX_UPLOAD_BYTES + 1), "too large"),
    ],
)
def test_refusals(name, data, message) -> None:
    with pytest.raises(ValidationError, match=message):
        extract_resume_text(name, data)


def test_long_text_is_capped() -> None:
    assert len(extract_resume_text("cv.txt", b"a" * (MAX_RESUME + 500))) == MAX_RESUME
