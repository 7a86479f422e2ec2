"""Accounts and login sessions.

Passwords are hashed with Argon2id (memory-hard). A login session is a random token in an
HttpOnly cookie; the database keeps only its SHA-256, so a leaked table opens nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Optional

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from preppal.db import session_scope
from preppal.models import ExternalIdentity, LoginSession, User, utcnow
from preppal.services.accounts import passwords, throttle
from preppal.services.errors import AuthError, Conflict, NotFound, ValidationError
from preppal.services.input_limits import MAX_EMAIL, MAX_NAME, MAX_PASSWORD, check_length, is_email
from preppal.settings import get_settings

SESSION_COOKIE = "preppal_session"
_hasher = PasswordHasher()
# One message whether or not the address already has an account (no probing for members).
SIGN_UP_REFUSED = (
    "We could not create an account with this email. If you already have one, sign in instead "
    "(or continue with Google/GitHub)."
)
# Verified when the email is unknown, so a wrong email costs the same time as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def normalize_email(email: str) -> str:
    return check_length((email or "").strip(), MAX_EMAIL, "The email address").lower()


def sign_up(email: str, password: str, name: str = "") -> User:
    """A new password account. Every length is checked before any parsing or hashing; the
    hash is computed before the address is looked up, so a taken address costs the same
    time as a free one and gets :data:`SIGN_UP_REFUSED`, which does not say which it was."""
    email = normalize_email(email)
    name = check_length((name or "").strip(), MAX_NAME, "The name")
    if not is_email(email):
        raise ValidationError("Enter a valid email address.")
    passwords.validate_new_password(password, (email, name))
    password_hash = _hasher.hash(password)
    try:
        with session_scope() as session:
            if session.exec(select(User.id).where(User.email == email)).first() is not None:
                raise Conflict(SIGN_UP_REFUSED)
            user = User(email=email, name=name, password_hash=password_hash)
            session.add(user)
    except IntegrityError:  # the same address signed up at the same moment
        raise Conflict(SIGN_UP_REFUSED) from None
    return user


def authenticate(email: str, password: str, client_address: str = "") -> User:
    """The user for these credentials, or :class:`AuthError` with one message for both cases.

    The attempt is reserved with the throttle before the password is hashed
    (:class:`throttle.Throttled` when this account is locked for this address, or the
    address is locked); over-long input is refused before the throttle or the hash.
    """
    if len(email or "") > MAX_EMAIL or len(password or "") > MAX_PASSWORD:
        raise AuthError("Wrong email or password.")
    email = normalize_email(email)
    keys = throttle.keys_for(email, client_address)
    throttle.reserve(keys)
    with session_scope() as session:
        user = session.exec(select(User).where(User.email == email)).first()
    try:
        _hasher.verify(user.password_hash if user and user.password_hash else _DUMMY_HASH, password or "")
    except (VerificationError, InvalidHashError):
        raise AuthError("Wrong email or password.") from None
    if user is None or not user.password_hash:
        raise AuthError("Wrong email or password.")
    throttle.succeeded(keys)
    return user


@dataclass(frozen=True)
class ExternalSignIn:
    user: User
    password_removed: bool = False  # an unproven password was dropped while linking (tell the user)


def sign_in_external(
    provider: str, subject: str, email: str, *, email_verified: bool, name: str = ""
) -> ExternalSignIn:
    """The user for an OAuth/OIDC identity: linked before, linked now by verified email, or new.

    An existing account is linked only through an email the provider has verified. A
    password account that has never been linked was made by whoever typed the address at
    sign-up, which proves nothing (addresses are not verified here): it may be an attacker
    who registered the victim's address first. So on that first link its password is
    **removed** and every login session of the account is ended; the person who just proved
    the address (through the provider) is told and can set a new password on the profile.
    A password set later from a signed-in session is proven and survives further links.
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


def _link_or_create(provider: str, subject: str, email: str, email_verified: bool, name: str) -> ExternalSignIn:
    with session_scope() as session:
        identity = session.exec(
            select(ExternalIdentity).where(ExternalIdentity.provider == provider, ExternalIdentity.subject == subject)
        ).first()
        if identity is not None:
            user = session.get(User, identity.user_id)
            if user is not None:
                return ExternalSignIn(user)
        if not email or not email_verified or not is_email(email):
            raise AuthError(f"Your {provider.title()} account has no verified email address we can use.")
        user = session.exec(select(User).where(User.email == email)).first()
        removed = False
        if user is None:
            user = User(email=email, name=(name or "").strip()[:MAX_NAME])
            session.add(user)
            session.flush()
        elif user.password_hash and not _has_identity(session, user.id):
            user.password_hash = None  # never proven to belong to this address: drop it
            session.add(user)
            session.exec(sa.delete(LoginSession).where(LoginSession.user_id == user.id))
            removed = True
        session.add(ExternalIdentity(user_id=user.id, provider=provider, subject=subject[:255], email=email))
        session.flush()
        return ExternalSignIn(user, password_removed=removed)


def _has_identity(session, user_id: int) -> bool:
    return session.exec(select(ExternalIdentity.id).where(ExternalIdentity.user_id == user_id)).first() is not None


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
    if len(name) > MAX_NAME or len(target_role) > MAX_NAME:
        raise ValidationError("Keep the name and the target role under 200 characters.")
    with session_scope() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("That account does not exist.")
        user.name, user.target_role = name, target_role
        session.add(user)
        return user


def _session_hash(token: str) -> str:
    return _hash_token(token) if token else ""


def _end_other_sessions(session, user_id: int, keep_token: str) -> None:
    keep = _session_hash(keep_token)
    session.exec(sa.delete(LoginSession).where(LoginSession.user_id == user_id, LoginSession.token_hash != keep))


def _check_current_password(user: User, current: str, client_address: str) -> None:
    """The signed-in user's current password, throttled like a sign-in (a stolen session
    must not become a password-guessing oracle)."""
    if len(current or "") > MAX_PASSWORD:
        raise AuthError("Your current password is not right.")
    keys = throttle.keys_for(user.email, client_address or f"user:{user.id}")
    throttle.reserve(keys)
    try:
        _hasher.verify(user.password_hash or _DUMMY_HASH, current or "")
    except (VerificationError, InvalidHashError):
        raise AuthError("Your current password is not right.") from None
    throttle.succeeded(keys)


def change_password(user_id: int, current: str, new: str, *, keep_token: str = "", client_address: str = "") -> None:
    """Set a new password (the current one is required when there is one); every other
    login session of the account is ended."""
    user = get_profile(user_id)
    passwords.validate_new_password(new, (user.email, user.name))
    if user.password_hash:
        _check_current_password(user, current, client_address)
    new_hash = _hasher.hash(new)
    with session_scope() as session:
        row = session.get(User, user_id)
        if row is None:
            raise NotFound("That account does not exist.")
        row.password_hash = new_hash
        session.add(row)
        _end_other_sessions(session, user_id, keep_token)


def remove_password(user_id: int, current: str, *, keep_token: str = "", client_address: str = "") -> None:
    """Sign in only through the linked provider(s) from now on (needs one to be linked)."""
    user = get_profile(user_id)
    if not user.password_hash:
        raise ValidationError("This account has no password.")
    if not linked_providers(user_id):
        raise ValidationError("Link Google or GitHub first: without a password it is your only way in.")
    _check_current_password(user, current, client_address)
    with session_scope() as session:
        row = session.get(User, user_id)
        if row is None:
            raise NotFound("That account does not exist.")
        row.password_hash = None
        session.add(row)
        _end_other_sessions(session, user_id, keep_token)
