"""Interviews: the interview row and what is stored while it runs. ``lifecycle`` creates,
lists and deletes interviews and moves their status (PENDING → IN_PROGRESS → COMPLETED |
ERROR); ``transcript`` writes and reads their lines; ``leases`` says which relay process
holds a live one; ``worker_tokens`` authorizes a page's socket to the relay;
``code_snapshots`` and ``scorecard_entries`` keep the editor's code and the interviewer's
notes as they arrive; ``resume_text`` reads an uploaded résumé (a PDF in the limited child
``resume_pdf_worker``). Pages, the HTTP API and the relay call these."""
