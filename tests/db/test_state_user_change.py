"""Issue 9: what one user typed into a page never survives into the next user's session in
the same tab (sign-out, then sign-in as someone else)."""

from __future__ import annotations

import pytest
import reflex as rx

from preppal.services.accounts import auth
from preppal.state.auth import AuthState
from preppal.state.dashboard import DashboardState
from preppal.state.history import HistoryState


def _substate(root, cls):
    return root.get_substate(cls.get_full_name().split(".")[1:])


@pytest.fixture
def tab(db, monkeypatch):
    """One browser tab's state tree whose session cookie the test can swap."""
    root = rx.State(_reflex_internal_init=True)
    cookie = {"token": ""}
    monkeypatch.setattr(AuthState, "_session_token", lambda self: cookie["token"])
    return root, cookie


async def test_dashboard_form_is_cleared_when_another_user_signs_in(tab) -> None:
    root, cookie = tab
    alice = auth.sign_up("alice@example.com", "Correct-horse-1")
    bob = auth.sign_up("bob@example.com", "Correct-horse-2")
    dash = _substate(root, DashboardState)
    history = _substate(root, HistoryState)

    cookie["token"] = auth.create_login_session(alice.id)
    assert await dash.current_user_id() == alice.id
    dash.role, dash.job_description, dash.resume_text = "Secret role", "Alice's JD", "Alice's résumé"
    history.query = "alice search"

    cookie["token"] = ""  # signed out (the HTTP sign-out route cleared the cookie)
    assert await dash.current_user_id() == 0
    cookie["token"] = auth.create_login_session(bob.id)
    assert await dash.current_user_id() == bob.id
    assert (dash.role, dash.job_description, dash.resume_text) == ("", "", "")
    assert history.query == ""
    assert _substate(root, AuthState).email == "bob@example.com"


async def test_same_user_keeps_the_draft(tab) -> None:
    root, cookie = tab
    alice = auth.sign_up("alice@example.com", "Correct-horse-1")
    dash = _substate(root, DashboardState)
    cookie["token"] = auth.create_login_session(alice.id)
    await dash.current_user_id()
    dash.job_description = "draft"
    assert await dash.current_user_id() == alice.id and dash.job_description == "draft"
