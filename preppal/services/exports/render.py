"""Export one interview — transcript, feedback and delivery metrics — as Markdown or PDF.

Both formats render one :class:`~preppal.services.feedback.report.FeedbackSnapshot` (owner-checked
when it is read: another user's interview is NotFound). The PDF is built with fpdf2 (pure
Python) from the same snapshot as the Markdown, in DejaVu Sans with a CJK fallback
(:mod:`preppal.services.exports.pdf_fonts`), so any script prints; only without those fonts is
text folded to Latin-1 ("?" for the rest). File names are ASCII with the full Unicode name
beside them (:func:`content_disposition`, RFC 6266/5987).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from preppal import display
from preppal.languages import DEFAULT_LANGUAGE
from preppal.models import Feedback, FeedbackStatus, Speaker
from preppal.services.exports.pdf_fonts import find_fonts, install, needs_cjk
from preppal.services.exports.scorecard import score_rows, scorecard_lines, scorecard_markdown
from preppal.services.feedback.queue import is_fallback
from preppal.services.feedback.report import FeedbackSnapshot


def _header(report: FeedbackSnapshot) -> list[tuple[str, str]]:
    iv = report.interview
    rows = [
        ("Type", display.type_label(iv.interview_type)),
        ("Difficulty", display.difficulty_label(iv.difficulty)),
        ("Language", display.language_label(iv.language)),
        ("Date", display.when(iv.created_at, iv.language)),
        ("Status", display.status_label(iv.status)),
    ]
    if iv.duration_s is not None:
        rows.append(("Duration", display.duration(iv.duration_s)))
    return rows


def _fmt(value: Any, unit: str = "", language: str = DEFAULT_LANGUAGE) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        value = display.number(value, language)
    return f"{value}{unit}"


def metric_rows(m: dict[str, Any]) -> list[tuple[str, str]]:
    """The interview-level delivery metrics as (label, value) rows (page and export share them).

    Numbers follow the interview's locale (``m["language"]``); pace and answer length say
    their unit (words, or characters for Japanese and Chinese: ``m["unit"]``).
    """
    lang = m.get("language") or DEFAULT_LANGUAGE
    unit = m.get("unit") or "words"
    fillers = ", ".join(f"{k} ×{v}" for k, v in (m.get("filler_words") or {}).items()) or "none"

    def fmt(value: Any, suffix: str = "") -> str:
        return _fmt(value, suffix, lang)

    rows = [
        ("Questions answered", f"{m.get('questions_answered', 0)} of {m.get('questions_asked', 0)}"),
        ("Pace", fmt(m.get("wpm"), f" {unit}/min")),
        ("Filler words", f"{m.get('fillers', 0)} ({fmt(m.get('fillers_per_min'), ' per min')})"),
        ("Most used fillers", fillers),
        ("Talk time (you : interviewer)", fmt(m.get("talk_ratio"), " : 1")),
        ("Your share of talk time", display.percent(m.get("candidate_share"), lang)),
        ("Longest pause in an answer", fmt(round(m.get("longest_pause_ms", 0) / 1000, 1), " s")),
        ("Average answer", f"{fmt(m.get('avg_answer_words'), f' {unit}')} · {fmt(m.get('avg_answer_s'), ' s')}"),
    ]
    if m.get("source") == "audio":
        rows.append(("Pauses of 1 s or more", str(len((m.get("timeline") or {}).get("pauses", [])))))
    rows.append(("Measured from", display.metrics_source_label(m.get("source", ""))))
    return rows


_MD_INLINE = re.compile(r"([\\`*_{}\[\]<>|~&])")  # code, emphasis, links, HTML, tables, entities
_MD_BLOCK_START = re.compile(r"^([#>+=-]|\d+(?=[.)]))")  # a heading, quote, list or rule at a line's start


def _md(text: object, *, line_start: bool = False) -> str:
    """Text as Markdown that renders as that text (issue 22): one line (a newline could start
    a heading, a list or a table row) with every character that means something inline
    backslash-escaped, so an HTML tag, a link, emphasis or a table pipe in a role or an
    answer prints as written; ``line_start`` also escapes a block marker it begins with."""
    out = _MD_INLINE.sub(r"\\\1", " ".join(str(text).split()))
    if line_start:
        out = _MD_BLOCK_START.sub(lambda m: m.group(1) + "\\" if m.group(1)[0].isdigit() else "\\" + m.group(1), out)
    return out


def _source_line(fb: Feedback) -> str:
    if fb.source == "gemini":
        return f"AI review by Gemini ({(fb.metrics or {}).get('model', 'Gemini')})"
    if is_fallback(fb):
        return f"Built-in analyzer (heuristic scores from your transcript) because {fb.error[0].lower()}{fb.error[1:]}"
    return "Built-in analyzer (no AI key configured): heuristic scores from your transcript"


def to_markdown(report: FeedbackSnapshot) -> str:
    iv, fb, m = report.interview, report.feedback, report.metrics
    out = [f"# Interview feedback — {_md(iv.role)}", ""]
    out += [f"- **{label}:** {_md(value)}" for label, value in _header(report)]
    out.append("")
    if report.ready and fb.overall_score is not None:
        out += [
            f"## Overall score: {fb.overall_score} / 100",
            "",
            f"_{_md(_source_line(fb))}_",
            "",
            _md(fb.summary, line_start=True),
            "",
        ]
        out += ["| Competency | Score |", "|---|---|"]
        out += [f"| {_md(label)} | {value} |" for label, value in score_rows(fb)]
        out += scorecard_markdown(fb, _md)
        for heading, points in (("Strengths", fb.strengths), ("Improvements", fb.improvements)):
            out += ["", f"## {heading}", ""]
            for p in points:
                out.append(f"- **{_md(p['title'])}** — {_md(p['detail'])}")
                if p.get("quote"):
                    out.append(f"  > “{_md(p['quote'])}”")
        if fb.question_notes:
            out += ["", "## Question by question", ""]
            for i, note in enumerate(fb.question_notes, 1):
                out += [f"### {i}. {_md(note['question'])}", ""]
                if note.get("answer_quote"):
                    out += [f"> “{_md(note['answer_quote'])}”", ""]
                out += [_md(note["assessment"], line_start=True), ""]
                if note.get("code_note"):
                    out += [f"**Your code:** {_md(note['code_note'])}", ""]
                out += [f"**A stronger answer:** {_md(note['better_answer'])}", ""]
    elif report.ready:
        out += ["## Feedback", "", _md(fb.summary, line_start=True), ""]
    elif fb is not None and fb.status == FeedbackStatus.FAILED:
        out += ["## Feedback", "", _md(fb.error or "Feedback is unavailable right now.", line_start=True), ""]
    else:
        out += ["## Feedback", "", "Feedback has not been produced yet.", ""]
    out += code_markdown(report)
    out += ["", "## Delivery metrics", "", "| Metric | Value |", "|---|---|"]
    out += [f"| {_md(label)} | {_md(value)} |" for label, value in metric_rows(m)]
    answers = m.get("answers_detail") or []
    if answers:
        lang, unit = m.get("language") or DEFAULT_LANGUAGE, (m.get("unit") or "words").capitalize()
        out += [
            "",
            f"| Answer | {unit} | Pace ({unit.lower()}/min) | Fillers | Longest pause | Time to answer |",
            "|---|---|---|---|---|---|",
        ]
        for a in answers:
            delay = a.get("response_delay_ms")
            out.append(
                f"| {a['index']} | {a['words']} | {_fmt(a.get('wpm'), '', lang)} | {a['fillers']} | "
                f"{_fmt(round(a['longest_pause_ms'] / 1000, 1), ' s', lang)} | "
                f"{'–' if delay is None else _fmt(round(delay / 1000, 1), ' s', lang)} |"
            )
    out += ["", "## Transcript", ""]
    for e in report.transcript:
        out.append(f"**[{display.clock(e.start_ms)}] {display.speaker_label(e.speaker)}:** {_md(e.text)}  ")
    if not report.transcript:
        out.append("_No transcript was recorded._")
    return "\n".join(out).rstrip() + "\n"


# Markdown fence info strings per editor language (notes are Markdown-ish text).
_FENCE_LANG = {"cpp": "cpp", "notes": "text", "text": "text"}


def code_markdown(report: FeedbackSnapshot) -> list[str]:
    """The final editor code as a fenced block (a fence longer than any backtick run inside)."""
    final = report.final_code
    if final is None:
        return []
    longest = max((len(run) for run in final.code.split("\n") for run in _backtick_runs(run)), default=0)
    fence = "`" * max(3, longest + 1)
    count = len([t for t in report.code_times if not t.blank])
    return [
        "",
        "## Your code",
        "",
        f"_{display.code_language_label(final.language)} · final version at {display.clock(final.at_ms)} · "
        f"{count} snapshot{'s' if count != 1 else ''} during the interview · never run_",
        "",
        fence + _FENCE_LANG.get(final.language, final.language),
        final.code.rstrip("\n"),
        fence,
    ]


def _backtick_runs(line: str) -> list[str]:
    runs, current = [], ""
    for ch in line:
        if ch == "`":
            current += ch
        elif current:
            runs.append(current)
            current = ""
    return [*runs, current] if current else runs


_LATIN1_MAP = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "...", "•": "-"})


def latin1(text: str) -> str:
    """Core PDF fonts are Latin-1 only: map typography, strip accents where needed, '?' else."""
    text = str(text).translate(_LATIN1_MAP)
    out = []
    for ch in text:
        if ord(ch) < 256:
            out.append(ch)
        else:
            base = unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1")
            out.append(base or "?")
    return "".join(out)


def _all_text(report: FeedbackSnapshot) -> str:
    """Everything the PDF may print, to pick the fonts it needs."""
    fb, parts = report.feedback, [report.interview.role, *(e.text for e in report.transcript)]
    if fb is not None:
        parts += [fb.summary or "", fb.error or "", repr(fb.strengths), repr(fb.improvements), repr(fb.question_notes)]
        parts.append(repr(getattr(fb, "scorecard", None) or ""))
    if report.final_code is not None:
        parts.append(report.final_code.code)
    return "\n".join(parts)


# The PDF prints code in rows it cuts itself (fpdf's layout is slow per line: 32,767 short
# lines or one line of 65,000 tabs cost 3–5 s of CPU). The Markdown export keeps every line.
CODE_COLUMNS = 100  # characters per printed row (8 pt DejaVu Sans Mono fits ~106 on A4)
CODE_ROWS_PER_LINE = 6  # a longer source line is cut after this many rows ("…")
CODE_ROWS = 1_500  # rows printed in all (≈ 22 pages)


def code_rows(code: str) -> tuple[list[str], int]:
    """The code as rows to print (tabs expanded, long lines wrapped and cut) and how many
    source lines did not fit in :data:`CODE_ROWS`."""
    longest = CODE_COLUMNS * CODE_ROWS_PER_LINE
    rows: list[str] = []
    lines = code.rstrip("\n").split("\n")
    for n, line in enumerate(lines):
        if len(rows) >= CODE_ROWS:
            return rows, len(lines) - n
        text = line[: longest + 1].expandtabs(4)  # cut before expanding: 65,000 tabs stay cheap
        if len(text) > longest or len(line) > longest:
            text = text[: longest - 1] + "…"
        rows += [text[i : i + CODE_COLUMNS] for i in range(0, len(text), CODE_COLUMNS)] or [""]
    return rows[:CODE_ROWS], 0


def to_pdf(report: FeedbackSnapshot) -> bytes:
    from fpdf import FPDF  # imported here: only the PDF export needs it

    iv, fb, m = report.interview, report.feedback, report.metrics
    final = report.final_code
    fonts = find_fonts(cjk=needs_cjk(_all_text(report)), mono=final is not None)
    shown = (lambda text: str(text)) if fonts.unicode else latin1
    pdf = FPDF(format="A4")
    install(pdf, fonts)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(shown(f"Interview feedback - {iv.role}"))
    pdf.add_page()

    def heading(text: str, size: int = 14) -> None:
        pdf.ln(3)
        pdf.set_font(fonts.family, "B", size)
        pdf.multi_cell(0, size * 0.5, shown(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    def para(text: str, style: str = "", size: int = 10) -> None:
        pdf.set_font(fonts.family, style, size)
        pdf.multi_cell(0, 5, shown(text), new_x="LMARGIN", new_y="NEXT")

    heading(f"Interview feedback - {iv.role}", 18)
    para(" · ".join(value for _label, value in _header(report)))
    if report.ready and fb.overall_score is not None:
        heading(f"Overall score: {fb.overall_score} / 100")
        para(_source_line(fb), "I", 9)
        para(fb.summary)
        pdf.ln(2)
        for label, value in score_rows(fb):
            para(f"{label}: {value} / 100")
        for style, text in scorecard_lines(fb):
            if style == "h":
                heading(text, 13)
            else:
                para(text, {"b": "B", "i": "I"}.get(style, ""), 9 if style == "i" else 10)
        for title, points in (("Strengths", fb.strengths), ("Improvements", fb.improvements)):
            heading(title, 13)
            for p in points:
                para(f"- {p['title']}: {p['detail']}")
                if p.get("quote"):
                    para(f'    "{p["quote"]}"', "I", 9)
        if fb.question_notes:
            heading("Question by question", 13)
            for i, note in enumerate(fb.question_notes, 1):
                para(f"{i}. {note['question']}", "B")
                if note.get("answer_quote"):
                    para(f'"{note["answer_quote"]}"', "I", 9)
                para(note["assessment"])
                if note.get("code_note"):
                    para(f"Your code: {note['code_note']}")
                para(f"A stronger answer: {note['better_answer']}")
                pdf.ln(1)
    elif fb is not None:
        heading("Feedback", 13)
        para(fb.summary if report.ready else (fb.error or "Feedback has not been produced yet."))
    if final is not None:
        heading("Your code", 13)
        when = display.clock(final.at_ms)
        para(f"{display.code_language_label(final.language)} - final version at {when} - never run", "I", 9)
        pdf.set_font(fonts.mono_family, "", 8)
        code_text = shown if fonts.mono is not None else latin1
        rows, left_out = code_rows(final.code)
        for row in rows:
            pdf.multi_cell(0, 4, code_text(row) or " ", new_x="LMARGIN", new_y="NEXT")
        if left_out:
            para(f"... {left_out:,} more lines not printed: the Markdown export has the whole code.", "I", 9)
    heading("Delivery metrics", 13)
    for label, value in metric_rows(m):
        para(f"{label}: {value}")
    heading("Transcript", 13)
    for e in report.transcript:
        line = f"[{display.clock(e.start_ms)}] {display.speaker_label(e.speaker)}: {' '.join(e.text.split())}"
        para(line, "B" if e.speaker == Speaker.USER else "")
    if not report.transcript:
        para("No transcript was recorded.", "I")
    return bytes(pdf.output())
