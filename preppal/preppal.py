"""The Reflex app: pages, the HTTP API and relay socket (api_transformer), lifespan tasks."""

from __future__ import annotations

import reflex as rx

from preppal import models, routes
from preppal.api.app import build_api
from preppal.pages.auth import sign_in_page, sign_up_page
from preppal.state.auth import AuthState
from preppal.tasks import sweep_orphaned_interviews

for _table in (
    models.User,
    models.ExternalIdentity,
    models.LoginSession,
    models.Interview,
    models.TranscriptEntry,
    models.Feedback,
):
    rx.ModelRegistry.register(_table)

app = rx.App(
    api_transformer=build_api(),
    head_components=[rx.el.meta(name="description", content="Live AI mock interviews in your browser")],
)

app.add_page(lambda: rx.fragment(), route="/", on_load=AuthState.route_home, title="Preppal")
app.add_page(sign_in_page, route=routes.SIGN_IN, on_load=AuthState.redirect_if_signed_in, title="Sign in · Preppal")
app.add_page(sign_up_page, route=routes.SIGN_UP, on_load=AuthState.redirect_if_signed_in, title="Sign up · Preppal")

app.register_lifespan_task(sweep_orphaned_interviews)

# --- meeting page + relay state sink (owned by the audio/meeting helper) -----------------
from preppal.pages.meeting import meeting_page  # noqa: E402
from preppal.realtime.sink import set_state_sink  # noqa: E402
from preppal.state.meeting import MeetingState  # noqa: E402
from preppal.state.meeting_sink import ReflexMeetingSink  # noqa: E402

app.add_page(meeting_page, route=routes.MEETING, on_load=MeetingState.on_load, title="Interview · Preppal")
set_state_sink(ReflexMeetingSink(app))
# --- end meeting block ------------------------------------------------------------------

# --- dashboard, interview detail, profile (owned by the foundation helper) ---------------
from preppal.pages.dashboard import dashboard_page  # noqa: E402
from preppal.pages.interview import interview_page  # noqa: E402
from preppal.pages.profile import profile_page  # noqa: E402
from preppal.state.dashboard import DashboardState  # noqa: E402
from preppal.state.interview import InterviewDetailState  # noqa: E402
from preppal.state.profile import ProfileState  # noqa: E402

app.add_page(
    dashboard_page,
    route=routes.DASHBOARD,
    on_load=[AuthState.require_login, DashboardState.load],
    title="Dashboard · Preppal",
)
app.add_page(
    interview_page,
    route=routes.INTERVIEW,
    on_load=[AuthState.require_login, InterviewDetailState.load],
    title="Interview · Preppal",
)
app.add_page(
    profile_page, route=routes.PROFILE, on_load=[AuthState.require_login, ProfileState.load], title="Profile · Preppal"
)
# --- end foundation block ----------------------------------------------------------------

# --- feedback and history (owned by the feedback helper) ---------------------------------
from preppal.pages.feedback import feedback_page  # noqa: E402
from preppal.pages.history import history_page  # noqa: E402
from preppal.state.feedback import FeedbackState  # noqa: E402
from preppal.state.history import HistoryState  # noqa: E402

app.add_page(
    feedback_page,
    route=routes.FEEDBACK,
    on_load=[AuthState.require_login, FeedbackState.load],
    title="Feedback · Preppal",
)
app.add_page(
    history_page, route=routes.HISTORY, on_load=[AuthState.require_login, HistoryState.load], title="History · Preppal"
)
# --- end feedback block ------------------------------------------------------------------
