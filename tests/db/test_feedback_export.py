"""Export: Markdown and PDF content, and the HTTP downloads' owner checks (cookie auth)."""

from __future__ import annotations

import io

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from preppal.api.export_routes import export_routes
from preppal.models import InterviewStatus, Speaker
from preppal.routes import export_url
from preppal.services.accounts import auth
from preppal.services.errors import NotFound
from preppal.services.exports import render
from preppal.services.feedback import produce
from preppal.services.feedback.report import feedback_snapshot
from preppal.services.interviews import lifecycle, transcripts
from preppal.services.interviews.transcripts import TranscriptLine
from preppal.services.recordings.store import open_store
from preppal.settings import get_settings
from tests.support.users import make_user

LINES = [
    TranscriptLine(1, Speaker.AI, "Tell me about a project you’re proud of?", 0, 3_000),
    TranscriptLine(
        2, Speaker.USER, "Um, I led the billing migration — we cut the close from 5 days to 1.", 4_000, 10_000
    ),
    TranscriptLine(3, Speaker.AI, "Why did it matter | to finance?", 11_000, 13_000),
    TranscriptLine(
        4, Speaker.USER, "Because the CFO’s report was late every month, so I fixed the pipeline.", 14_000, 20_000
    ),
]


@pytest.fixture
def owned(db):
    owner = make_user(name="Ada")
    other = make_user(name="Eve")
    interview = lifecycle.create_interview(
        owner.id, interview_type="behavioural", role="Backend engineer", difficulty="warmup"
    )
    lifecycle.update_status(interview.id, InterviewStatus.IN_PROGRESS)
    transcripts.submit_transcript(interview.id, LINES)
    return owner.id, other.id, interview.id


def test_markdown_has_feedback_metrics_and_transcript(owned) -> None:
    owner, _, interview_id = owned
    produce.run_feedback(interview_id)
    md = render.to_markdown(feedback_snapshot(owner, interview_id, open_store(get_settings())))
    assert md.startswith("# Interview feedback — Backend engineer")
    assert "## Overall score:" in md and "Built-in analyzer" in md
    assert "| Competency | Score |" in md and "## Strengths" in md and "## Improvements" in md
    assert "Structure (STAR)" not in md  # the rubric's competencies, not the old categories
    # The scorecard: the questions as asked and the evidence with where it was said.
    assert "## Scorecard" in md and "- 1. \\[0:00\\] Tell me about a project you’re proud of?" in md
    assert "### Evidence" in md and "\\[0:04\\] Strong · " in md
    assert "## Question by question" in md and "**A stronger answer:**" in md
    assert "| Questions answered | 2 of 2 |" in md
    assert "| Filler words | 1 (" in md  # the "um"
    assert "- **Type:** Behavioural" in md and "- **Difficulty:** Warm-up" in md and "- **Status:** Completed" in md
    assert "**[0:04] You:** Um, I led the billing migration — we cut the close from 5 days to 1." in md
    assert "Why did it matter \\| to finance?" in md  # a pipe cannot break the table of notes
    assert md.count("**[") == 4


HOSTILE_ROLE = "Dev\n# Hired <script>alert(1)</script> [win](javascript:alert(1))"
HOSTILE_LINES = [
    TranscriptLine(1, Speaker.AI, "Tell me about yourself.", 0, 1_000),
    TranscriptLine(
        2, Speaker.USER, "Sure.\n\n## Fake heading\n<img src=x onerror=alert(1)> **bold** | pipe `tick`", 1_000, 2_000
    ),
    TranscriptLine(3, Speaker.USER, "- not a list\n1. nor this\n> nor a quote &amp; an entity", 2_000, 3_000),
]


def test_markdown_renders_role_and_answers_as_text(db) -> None:
    """Issue 22: the role and transcript went into the Markdown as they were (newlines, HTML):
    a shared export rendered someone's answer as headings, links and markup."""
    from markdown_it import MarkdownIt  # CommonMark, raw HTML on: what a careless viewer shows

    owner = make_user(name="Ada")
    interview = lifecycle.create_interview(owner.id, interview_type="behavioural", role=HOSTILE_ROLE[:200])
    lifecycle.update_status(interview.id, InterviewStatus.IN_PROGRESS)
    transcripts.submit_transcript(interview.id, HOSTILE_LINES)
    produce.run_feedback(interview.id)
    md = render.to_markdown(feedback_snapshot(owner.id, interview.id, open_store(get_settings())))
    html = MarkdownIt("commonmark").render(md)
    assert "<script" not in html and "<img" not in html and "href=" not in html and "<code>" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html  # shown as text
    headings = [line for line in html.splitlines() if line.startswith(("<h1", "<h2", "<h3"))]
    assert headings[0].startswith("<h1>Interview feedback — Dev # Hired &lt;script&gt;")
    assert not any("Fake heading" in h or "Hired" in h for h in headings[1:])
    assert "**bold**" in html and "&amp;amp; an entity" in html and "- not a list 1. nor this" in html
    assert (
        "<li>" not in html.split("<h2>Transcript</h2>")[1]
        and "<blockquote>" not in html.split("<h2>Transcript</h2>")[1]
    )


def test_markdown_before_feedback_still_exports_transcript_and_metrics(owned) -> None:
    owner, _, interview_id = owned
    md = render.to_markdown(feedback_snapshot(owner, interview_id, open_store(get_settings())))
    assert "Feedback has not been produced yet." in md
    assert "| Questions answered | 2 of 2 |" in md and "## Transcript" in md


def test_pdf_is_a_pdf_with_the_transcript(owned) -> None:
    owner, _, interview_id = owned
    produce.run_feedback(interview_id)
    data = render.to_pdf(feedback_snapshot(owner, interview_id, open_store(get_settings())))
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert len(data) > 2_000


def test_latin1_folding() -> None:
    assert render.latin1("“Don’t” — café… 日本") == '"Don\'t" - café... ??'


def test_another_users_interview_is_not_exportable(owned) -> None:
    _, other, interview_id = owned
    with pytest.raises(NotFound):
        feedback_snapshot(other, interview_id, open_store(get_settings()))


def _client(user_id: int | None) -> TestClient:
    client = TestClient(Starlette(routes=export_routes()))
    if user_id is not None:
        client.cookies.set(auth.SESSION_COOKIE, auth.create_login_session(user_id))
    return client


@pytest.mark.parametrize("ext", ["md", "pdf"])
def test_http_download_for_the_owner(owned, ext: str) -> None:
    owner, _, interview_id = owned
    response = _client(owner).get(export_url(interview_id, ext))
    assert response.status_code == 200
    assert 'filename="preppal-' in response.headers["content-disposition"]
    assert response.headers["content-disposition"].endswith(f'-backend-engineer.{ext}"')
    if ext == "md":
        assert response.headers["content-type"].startswith("text/markdown")
        assert "billing migration" in response.text
    else:
        assert response.headers["content-type"] == "application/pdf" and response.content.startswith(b"%PDF-")


@pytest.mark.parametrize("ext", ["md", "pdf"])
def test_http_download_is_404_for_others_and_signed_out(owned, ext: str) -> None:
    _, other, interview_id = owned
    for client in (_client(other), _client(None)):
        response = client.get(export_url(interview_id, ext))
        assert response.status_code == 404 and "billing" not in response.text
    assert _client(other).get(export_url("no-such-interview", ext)).status_code == 404


@pytest.fixture
def unicode_role(db):
    owner = auth.sign_up("ada@example.com", "Correct-horse-9", "Ada")
    interview = lifecycle.create_interview(owner.id, interview_type="technical", role="Инженер 日本語 Ωmega")
    lifecycle.update_status(interview.id, InterviewStatus.IN_PROGRESS)
    transcripts.submit_transcript(interview.id, [TranscriptLine(1, Speaker.USER, "Привет, 你好", 0, 1000)])
    return owner.id, interview.id


@pytest.mark.parametrize("ext", ["md", "pdf"])
def test_non_latin1_role_downloads_with_an_rfc5987_name(unicode_role, ext: str) -> None:
    """Issue 9: a Cyrillic or CJK role made both downloads answer 500."""
    from urllib.parse import unquote

    owner, interview_id = unicode_role
    response = _client(owner).get(export_url(interview_id, ext))
    assert response.status_code == 200
    header = response.headers["content-disposition"]
    header.encode("latin-1")  # what every HTTP stack can carry
    assert 'filename="preppal-' in header and header.split('filename="')[1].split('"')[0].endswith(f"-mega.{ext}")
    full = unquote(header.split("filename*=UTF-8''")[1])
    assert full.endswith(f"-инженер-日本語-ωmega.{ext}")


def test_pdf_prints_cyrillic_and_cjk_instead_of_question_marks(unicode_role) -> None:
    import io

    from pypdf import PdfReader

    from preppal.services.exports import pdf_fonts

    assert pdf_fonts.find_fonts().unicode, "fonts-dejavu-core is installed by scripts/bootstrap.sh"
    owner, interview_id = unicode_role
    data = render.to_pdf(feedback_snapshot(owner, interview_id, open_store(get_settings())))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "Инженер" in text and "Привет" in text and "Ωmega" in text
    if pdf_fonts.find_fonts().cjk is not None:
        assert "日本語" in text and "你好" in text


def test_pdf_without_unicode_fonts_falls_back_to_latin1(unicode_role, monkeypatch, caplog) -> None:
    from preppal.services.exports import pdf_fonts

    monkeypatch.setattr(pdf_fonts, "DEJAVU_DIR", pdf_fonts.Path("/nonexistent"))
    owner, interview_id = unicode_role
    data = render.to_pdf(feedback_snapshot(owner, interview_id, open_store(get_settings())))
    assert data.startswith(b"%PDF-") and "fonts-dejavu-core" in caplog.text


# ---- hostile exports (issue 22) ----------------------------------------------------------


def test_exports_are_rendered_outside_the_web_process(owned, monkeypatch) -> None:
    """A PDF of a 64 KiB snapshot cost 3–5 s of CPU in the web process (four at once took
    /ping from 7 ms to 111 ms). The route now only starts a limited child that renders."""

    def not_here(*args, **kwargs):
        raise AssertionError("rendered in the web process")

    monkeypatch.setattr(render, "to_pdf", not_here)
    monkeypatch.setattr(render, "to_markdown", not_here)
    owner, _, interview_id = owned
    client = _client(owner)
    assert client.get(export_url(interview_id, "pdf")).content.startswith(b"%PDF-")
    assert client.get(export_url(interview_id, "md")).text.startswith("# Interview feedback")


def test_exports_are_rate_limited_per_user(owned, monkeypatch) -> None:
    from preppal.settings import reset_settings

    monkeypatch.setenv("PREPPAL_EXPORTS_PER_HOUR", "2")
    reset_settings()
    owner, other, interview_id = owned
    client = _client(owner)
    assert [client.get(export_url(interview_id, ext)).status_code for ext in ("md", "pdf")] == [200, 200]
    refused = client.get(export_url(interview_id, "md"))
    assert refused.status_code == 429 and "exported many interviews" in refused.text
    assert int(refused.headers["retry-after"]) > 0
    other_interview = lifecycle.create_interview(other, interview_type="technical", role="SRE").id
    assert _client(other).get(export_url(other_interview, "md")).status_code == 200  # per user


def test_an_export_past_its_wall_limit_is_killed_with_a_plain_answer(owned, monkeypatch) -> None:
    from preppal.services import input_limits

    monkeypatch.setattr(input_limits, "EXPORT_WALL_S", 0.05)
    owner, _, interview_id = owned
    r = _client(owner).get(export_url(interview_id, "pdf"))
    assert r.status_code == 503 and "Markdown export has everything" in r.text and r.headers["retry-after"]


def test_pdf_cuts_pathological_code_lines() -> None:
    """32,767 one-character lines, or one line of 65,000 tabs (260,000 columns expanded)."""
    from tests.support.hostile import SHORT_LINES_CODE, TABS_CODE

    rows, left_out = render.code_rows(SHORT_LINES_CODE)
    assert len(rows) == render.CODE_ROWS and left_out == 32_767 - render.CODE_ROWS
    rows, left_out = render.code_rows(TABS_CODE)
    assert left_out == 0 and len(rows) == render.CODE_ROWS_PER_LINE
    assert all(len(r) <= render.CODE_COLUMNS for r in rows) and rows[-1].endswith("…")
    rows, _ = render.code_rows("def f():\n\treturn 1\n")
    assert rows == ["def f():", "    return 1"]


@pytest.mark.parametrize("code", ["short_lines", "tabs"])
def test_worst_case_code_exports_as_a_pdf_and_in_full_as_markdown(owned, code) -> None:
    from pypdf import PdfReader

    from tests.support import hostile

    owner, _, _ = owned
    text = hostile.SHORT_LINES_CODE if code == "short_lines" else hostile.TABS_CODE
    iid = hostile.worst_case_interview(owner, code=text, snapshots=2, transcript_lines=20)
    client = _client(owner)
    pdf = client.get(export_url(iid, "pdf"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    printed = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    if code == "short_lines":
        assert f"{32_767 - render.CODE_ROWS:,} more lines not printed" in printed
    md = client.get(export_url(iid, "md")).text
    assert text.rstrip("\n") in md  # the Markdown keeps the whole code
