"""Page routes in one place (pages, state redirects and tests import these)."""

SIGN_IN = "/sign-in"
SIGN_UP = "/sign-up"
DASHBOARD = "/dashboard"
HISTORY = "/history"
PROFILE = "/profile"
INTERVIEW = "/interview/[interview_id]"  # detail
MEETING = "/interview/[interview_id]/live"
FEEDBACK = "/interview/[interview_id]/feedback"


def interview_url(interview_id: str) -> str:
    return f"/interview/{interview_id}"


def meeting_url(interview_id: str) -> str:
    return f"/interview/{interview_id}/live"


def feedback_url(interview_id: str) -> str:
    return f"/interview/{interview_id}/feedback"


def interview_id_from_path(path: str | None) -> str:
    """The ``[interview_id]`` segment of ``/interview/<id>[/live|/feedback]`` ("" if none)."""
    parts = [p for p in (path or "").split("/") if p]
    return parts[1][:64] if len(parts) >= 2 and parts[0] == "interview" else ""
