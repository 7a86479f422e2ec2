"""Hostile inputs shared by the tests and bench/fuzz.py."""

from __future__ import annotations

import zlib


def pdf_bomb(pages: int = 30, stream_bytes: int = 2 * 1024 * 1024) -> bytes:
    """A small PDF whose pages all share ONE compressed content stream of ``stream_bytes``
    text-drawing operators (compresses ~1000:1, so a few KiB on the wire)."""
    op = b"BT /F1 9 Tf 20 20 Td (x) Tj ET\n"
    content = zlib.compress(op * (stream_bytes // len(op)), 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % (5 + i) for i in range(pages)) + b"] /Count %d >>" % pages,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    for _ in range(pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
            b"/Contents 4 0 R >>"
        )
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# The worst editor text for a PDF export within the 64 KiB snapshot cap (issue 22): fpdf lays
# out every line, so 32,767 one-character lines, or one line of 65,000 tabs (x4 when expanded).
SHORT_LINES_CODE = "a\n" * 32_767
TABS_CODE = "\t" * 65_000 + "pass"


def worst_case_interview(
    user_id: int, *, code: str = SHORT_LINES_CODE, snapshots: int = 600, transcript_lines: int = 900
) -> str:
    """A finished interview with everything an export reads at its largest: ``snapshots``
    editor snapshots near the 64 KiB cap (the last one ``code``) and a long transcript."""
    from preppal.models import InterviewStatus, Speaker
    from preppal.services.interviews import code_snapshots, lifecycle, transcripts
    from preppal.services.interviews.transcripts import TranscriptLine

    interview = lifecycle.create_interview(user_id, interview_type="technical", role="Backend <b>engineer</b>")
    lifecycle.update_status(interview.id, InterviewStatus.IN_PROGRESS)
    filler = "x = [i * i for i in range(10)]  # " + "." * 30 + "\n"
    for n in range(snapshots - 1):
        body = f"# version {n}\n" + filler * (64_000 // len(filler))
        code_snapshots.record_snapshot(interview.id, n * 1000, "python", body)
    code_snapshots.record_snapshot(interview.id, snapshots * 1000, "python", code)
    words = "I would shard the table by tenant and keep a write-ahead log so that a replica can catch up. "
    lines = [
        TranscriptLine(n, Speaker.AI if n % 2 == 0 else Speaker.USER, words * 8, n * 4000, n * 4000 + 3500)
        for n in range(transcript_lines)
    ]
    transcripts.submit_transcript(interview.id, lines)
    return interview.id
