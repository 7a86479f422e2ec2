"""The Reflex app: pages, the HTTP API and relay socket (api_transformer), lifespan tasks.

The one module that ties the layers together: nothing else imports pages or state.
"""

from __future__ import annotations

import threading

import reflex as rx

from preppal import routes
from preppal.api.app import build_api
from preppal.loop_watchdog import watch_loop_from_env
from preppal.pages.auth import sign_in_page, sign_up_page
from preppal.pages.dashboard import dashboard_page
from preppal.pages.feedback import feedback_page
from preppal.pages.history import history_page
from preppal.pages.interview import interview_page
from preppal.pages.meeting import meeting_page
from preppal.pages.profile import profile_page
from preppal.process_context import ProcessContext, install
from preppal.realtime.config import RelayConfig
from preppal.realtime.coordinator import coordinator_for
from preppal.realtime.hub import RelayHub
from preppal.settings import get_settings
from preppal.state.auth import AuthState
from preppal.state.dashboard import DashboardState
from preppal.state.feedback import FeedbackState
from preppal.state.history import HistoryState
from preppal.state.interview import InterviewDetailState
from preppal.state.meeting import MeetingState
from preppal.state.meeting_sink import ReflexMeetingSink
from preppal.state.profile import ProfileState
from preppal.state.sign_in import AuthFormState
from preppal.tasks import check_gemini_models, feedback_jobs, purge_rate_limits, recover_recordings, warm_up

# No rx.ModelRegistry.register(...): our tables live in SQLModel.metadata, which Reflex's
# own registered rx.Model already shares, so its start-up schema check sees all of them.
# Registering any model of ours made two entries with that one metadata, and Reflex then
# copied every table into a merged one ("SAWarning: Table ... already exists", 8 lines).

# This process's context (process_context.py): its settings and its recording store, built
# once here and handed down. The relay hub: this process's live interviews, handed to the
# WebSocket route; they are recorded into that store, which also serves the recordings back.
# With Redis it coordinates with the other processes (take-over, hand-over); alone it needs nothing.
context = install(ProcessContext.build(get_settings()))
hub = RelayHub(
    config=RelayConfig.from_settings(context.settings),
    coordinator=coordinator_for(context.settings.redis_url),
    recordings=context.recordings,
)
app = rx.App(
    api_transformer=build_api(hub, context.recordings),
    head_components=[rx.el.meta(name="description", content="Live AI mock interviews in your browser")],
)


def _protected(*handlers) -> list:
    return [AuthState.require_login, *handlers]


app.add_page(rx.fragment, route="/", on_load=AuthState.route_home, title="Preppal")
app.add_page(
    sign_in_page,
    route=routes.SIGN_IN,
    on_load=[AuthState.redirect_if_signed_in, AuthFormState.focus_after_error],
    title="Sign in · Preppal",
)
app.add_page(sign_up_page, route=routes.SIGN_UP, on_load=AuthState.redirect_if_signed_in, title="Sign up · Preppal")
app.add_page(
    dashboard_page, route=routes.DASHBOARD, on_load=_protected(DashboardState.load), title="Dashboard · Preppal"
)
app.add_page(history_page, route=routes.HISTORY, on_load=_protected(HistoryState.load), title="History · Preppal")
app.add_page(profile_page, route=routes.PROFILE, on_load=_protected(ProfileState.load), title="Profile · Preppal")
app.add_page(
    interview_page, route=routes.INTERVIEW, on_load=_protected(InterviewDetailState.load), title="Interview · Preppal"
)
# The meeting state checks sign-in itself (it must also refuse ended or foreign interviews).
app.add_page(meeting_page, route=routes.MEETING, on_load=MeetingState.on_load, title="Live interview · Preppal")
app.add_page(
    feedback_page,
    route=routes.FEEDBACK,
    on_load=_protected(FeedbackState.load),
    title="Feedback · Preppal",
)

# The relay pushes live transcript updates into the meeting page through this sink.
hub.set_sink(ReflexMeetingSink(app))
app.register_lifespan_task(hub.running)  # leases, abandoned-interview sweep, hand-over on shutdown
app.register_lifespan_task(purge_rate_limits)
app.register_lifespan_task(feedback_jobs, recordings=context.recordings)  # the queue COMPLETED fills
app.register_lifespan_task(recover_recordings, store=context.recordings)
warmed = threading.Event()  # set by warm_up once the offline models are loaded
app.register_lifespan_task(warm_up, warmed=warmed)
app.register_lifespan_task(check_gemini_models)  # with a key: fail before the call, not during it
app.register_lifespan_task(watch_loop_from_env, warmed=warmed)  # only with PREPPAL_LOOP_WATCHDOG set
