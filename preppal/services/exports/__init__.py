"""Exports: an interview as a Markdown or PDF file. The route (api/export_routes.py) asks
``runner``, which starts ``worker`` in a limited child process on a pool of its own; the
child reads the interview's report (feedback/report.py) and ``render`` writes the file
(``scorecard``: the scorecard's rows; ``pdf_fonts``: the fonts that print any script)."""
