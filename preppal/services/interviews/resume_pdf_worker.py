"""The out-of-process résumé PDF reader:
``python -m preppal.services.interviews.resume_pdf_worker PAGES MAX_CHARS CPU_S MEM_BYTES``.

A hostile PDF (pages sharing one huge compressed content stream, deep object graphs) can
cost minutes of CPU and hundreds of MB in ``pypdf``. So the parse never runs in the server:
this child limits itself (CPU seconds, address space, lower priority) **before** importing
pypdf or reading a byte, reads the file from stdin, and writes the text to stdout. The
parent (:mod:`preppal.services.interviews.resume_text`) adds a wall-clock limit and kills it past that.

Exit codes: 0 text on stdout; 3 encrypted; 4 unreadable (anything pypdf raises, or a limit).
"""

from __future__ import annotations

import io
import sys

from preppal.services.child_limits import limit_self

EXIT_ENCRYPTED = 3
EXIT_UNREADABLE = 4


def main(argv: list[str]) -> int:
    pages, max_chars, cpu_s, memory_bytes = (int(a) for a in argv[1:5])
    limit_self(cpu_s, memory_bytes)
    data = sys.stdin.buffer.read()
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            return EXIT_ENCRYPTED
        parts: list[str] = []
        total = 0
        for page in reader.pages[:pages]:
            text = (page.extract_text() or "").strip()
            if text:
                parts.append(text)
                total += len(text)
            if total >= max_chars:
                break
    except BaseException:  # pypdf raises many kinds on broken files; MemoryError at the limit
        return EXIT_UNREADABLE
    sys.stdout.buffer.write("\n\n".join(parts)[:max_chars].encode("utf-8", "replace"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
