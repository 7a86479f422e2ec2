"""The one way tests make a user: ``make_user()`` in whatever database the test points at."""

from __future__ import annotations

import uuid

from preppal.db import session_scope
from preppal.models import User
from preppal.services.accounts import auth

PASSWORD = "Correct-horse-battery-9"


def make_user(email: str = "", *, password: str | None = None, name: str = "Casey Candidate") -> User:
    """A user with a unique email unless one is given.

    With ``password`` the user is created through sign-up (Argon2 hash, normalised email),
    so a browser can sign in with it; without, a plain row is written (no hashing cost) for
    tests that only need an owner id.
    """
    email = email or f"user-{uuid.uuid4().hex[:12]}@example.com"
    if password is not None:
        return auth.sign_up(email, password, name)
    with session_scope() as session:
        user = User(email=email, name=name)
        session.add(user)
    return user
