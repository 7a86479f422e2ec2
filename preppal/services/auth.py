"""Accounts and login sessions.

Passwords are hashed with Argon2id (memory-hard). A login session is a random token in an
HttpOnly cookie; the database keeps only its SHA-256, so a leaked table opens nothing.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta
from typing import Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from preppal.db import session_scope
from preppal.models import ExternalIdentity, LoginSession, User, utcnow
from preppal.services import throttle
from preppal.services.errors import AuthError, Conflict, NotFound, ValidationError
from preppal.settings import get_settings

SESSION_COOKIE = "preppal_session"
MIN_PASSWORD = 10
_hasher = PasswordHasher()
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Verified when the email is unknown, so a wrong email costs the same time as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def validate_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise ValidationError(f"Choose a password of at least {MIN_PASSWORD} characters.")
    if password.isdigit() or password.isalpha() and password.lower() == password:
        raise ValidationError("Choose a stronger password: mix letters with digits, capitals or symbols.")


def sign_up(email: str, password: str, name: str = "") -> User:
    email = normalize_email(email)
    if not _EMAIL.match(email):
        raise ValidationError("Enter a valid email address.")
    validate_password(password)
    with session_scope() as session:
        if session.exec(select(User).where(User.email == email)).first():
            raise Conflict("An account with this email already exists. Sign in instead.")
        user = User(email=email, name=(name or "").strip()[:200], password_hash=_hasher.hash(password))
        session.add(user)
    return user


def authenticate(email: str, password: str, client_address: str = "") -> User:
    """The user for these credentials, or :class:`AuthError` with one message for both cases.

    Repeated failures lock the account and the client address for a growing delay
    (:class:`throttle.Throttled`, checked before the password so a locked key learns nothing).
    """
    email = normalize_email(email)
    keys = throttle.keys_for(email, client_address)
    throttle.check(keys)
    with session_scope() as session:
        user = session.exec(select(User).where(User.email == email)).first()
    try:
        _hasher.verify(user.password_hash if user and user.password_hash else _DUMMY_HASH, password or "")
    except (VerificationError, InvalidHashError):
        throttle.record_failure(keys)
        raise AuthError("Wrong email or password.") from None
    if user is None or not user.password_hash:
        throttle.record_failure(keys)
        raise AuthError("Wrong email or password.")
    throttle.clear(keys[0][0])
    return user


def sign_in_external(provider: str, subject: str, email: str, *, email_verified: bool, name: str = "") -> User:
    """The user for an OAuth/OIDC identity: linked before, linked now by verified email, or new.

    An existing account is linked only through an email the provider has verified, so a
    provider account with someone else's unverified address cannot take over their account.
    """
    if not provider or not subject:
        raise AuthError("The sign-in provider did not identify the account.")
    email = normalize_email(email)
    for _attempt in range(2):  # a concurrent first sign-in of the same identity: look again
        try:
            return _link_or_create(provider, subject, email, email_verified, name)
        except IntegrityError:
            continue
    raise Conflict("Signing in with this account failed; please try again.")


def _link_or_create(provider: str, subject: str, email: str, email_verified: bool, name: str) -> User:
    with session_scope() as session:
        identity = session.exec(
            select(ExternalIdentity).where(ExternalIdentity.provider == provider, ExternalIdentity.subject == subject)
        ).first()
        if identity is not None:
            user = session.get(User, identity.user_id)
            if user is not None:
                return user
        if not email or not email_verified or not _EMAIL.match(email):
            raise AuthError(f"Your {provider.title()} account has no verified email address we can use.")
        user = session.exec(select(User).where(User.email == email)).first()
        if user is None:
            user = User(email=email, name=(name or "").strip()[:200])
            session.add(user)
            session.flush()
        session.add(ExternalIdentity(user_id=user.id, provider=provider, subject=subject[:255], email=email))
        session.flush()
        return user


def linked_providers(user_id: int) -> list[str]:
    with session_scope() as session:
        return sorted(
            set(session.exec(select(ExternalIdentity.provider).where(ExternalIdentity.user_id == user_id)).all())
        )


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_login_session(user_id: int, user_agent: str = "") -> str:
    """Start a login session; returns the token for the cookie (never stored in clear)."""
    token = secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(days=get_settings().login_session_days)
    with session_scope() as session:
        session.add(
            LoginSession(
                token_hash=_hash_token(token), user_id=user_id, expires_at=expires, user_agent=user_agent[:300]
            )
        )
    return token


def user_for_session(token: str) -> Optional[User]:
    """The signed-in user for a cookie token, or None when missing, unknown or expired."""
    if not token:
        return None
    with session_scope() as session:
        row = session.get(LoginSession, _hash_token(token))
        if row is None or row.expires_at <= utcnow():
            return None
        return session.get(User, row.user_id)


def end_login_session(token: str) -> None:
    if not token:
        return
    with session_scope() as session:
        row = session.get(LoginSession, _hash_token(token))
        if row is not None:
            session.delete(row)


def get_profile(user_id: int) -> User:
    with session_scope() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("That account does not exist.")
        return user


def update_profile(user_id: int, *, name: str, target_role: str = "") -> User:
    name, target_role = (name or "").strip(), (target_role or "").strip()
    if len(name) > 200 or len(target_role) > 200:
        raise ValidationError("Keep the name and the target role under 200 characters.")
    with session_scope() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("That account does not exist.")
        user.name, user.target_role = name, target_role
        session.add(user)
        return user
