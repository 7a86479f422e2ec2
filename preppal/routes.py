"""Every URL of the app in one place: page routes, the HTTP API and the relay socket.

Pages, state redirects, the route tables in preppal/api and preppal/realtime, and the tests
import these; nothing else spells a path. ``*_url`` functions build concrete links.
"""

from __future__ import annotations

from urllib.parse import quote

# ---- pages (Reflex) --------------------------------------------------------------------
HOME = "/"
SIGN_IN = "/sign-in"
SIGN_UP = "/sign-up"
DASHBOARD = "/dashboard"
HISTORY = "/history"
PROFILE = "/profile"
INTERVIEW_ARG = "interview_id"  # the dynamic segment; Reflex hands it to state as a route arg
INTERVIEW = f"/interview/[{INTERVIEW_ARG}]"  # detail
MEETING = f"/interview/[{INTERVIEW_ARG}]/live"
FEEDBACK = f"/interview/[{INTERVIEW_ARG}]/feedback"

# ---- HTTP API and socket (Starlette patterns) ----------------------------------------------
API_SIGN_UP = "/api/auth/sign-up"
API_SIGN_IN = "/api/auth/sign-in"
API_SIGN_OUT = "/api/auth/sign-out"
OAUTH_PREFIX = "/api/auth/oauth"
OAUTH_START = OAUTH_PREFIX + "/{provider}/start"
OAUTH_CALLBACK = OAUTH_PREFIX + "/{provider}/callback"
API_TOKEN = "/api/interview/generateWorkerToken"
API_STATUS = "/api/interview/updateStatus"
API_TRANSCRIPT = "/api/interview/submitTranscript"
API_OPENAPI = "/api/openapi.json"
EXPORT_MD = "/api/interview/{interview_id}/export.md"
EXPORT_PDF = "/api/interview/{interview_id}/export.pdf"
RECORDING = "/api/interview/{interview_id}/recording.ogg"
RELAY_SOCKET = "/ws/interview/{interview_id}"


def _seg(value: str) -> str:
    return quote(str(value), safe="")


def interview_url(interview_id: str) -> str:
    return f"/interview/{_seg(interview_id)}"


def meeting_url(interview_id: str) -> str:
    return f"/interview/{_seg(interview_id)}/live"


def feedback_url(interview_id: str) -> str:
    return f"/interview/{_seg(interview_id)}/feedback"


def export_url(interview_id: str, ext: str) -> str:
    """The Markdown (``md``) or PDF (``pdf``) download of one interview."""
    return {"md": EXPORT_MD, "pdf": EXPORT_PDF}[ext].format(interview_id=_seg(interview_id))


def with_next(page: str, next_path: str) -> str:
    """``page?next=<path>``: where sign-in sends the user afterwards ("" = the default)."""
    return f"{page}?next={quote(next_path, safe='')}" if next_path else page


def sign_in_url(next_path: str = "") -> str:
    return with_next(SIGN_IN, next_path)


def oauth_start_url(provider: str, next_path: str = "") -> str:
    return with_next(OAUTH_START.format(provider=_seg(provider)), next_path)


def oauth_callback_path(provider: str) -> str:
    return OAUTH_CALLBACK.format(provider=_seg(provider))


def recording_url(interview_id: str, track: str = "mix", *, download: bool = False) -> str:
    """The recording download (``api/recording_routes.py``; Range-capable): the mix, or one voice."""
    query = [f"track={_seg(track)}"] if track != "mix" else []
    if download:
        query.append("download=1")
    return RECORDING.format(interview_id=_seg(interview_id)) + ("?" + "&".join(query) if query else "")
