"""Local accounts, login sessions, profile and OAuth identity linking."""

from __future__ import annotations

import pytest

from preppal.services import auth
from preppal.services.errors import AuthError, Conflict, ValidationError


def test_sign_up_then_sign_in(db) -> None:
    user = auth.sign_up("  Ada@Example.com ", "Analytical-engine-1", "Ada")
    assert user.email == "ada@example.com" and user.password_hash.startswith("$argon2id$")
    assert auth.authenticate("ADA@example.com", "Analytical-engine-1").id == user.id


def test_wrong_password_and_unknown_email_give_one_message(db) -> None:
    auth.sign_up("ada@example.com", "Analytical-engine-1")
    with pytest.raises(AuthError) as wrong:
        auth.authenticate("ada@example.com", "Analytical-engine-2")
    with pytest.raises(AuthError) as unknown:
        auth.authenticate("nobody@example.com", "Analytical-engine-1")
    assert wrong.value.message == unknown.value.message == "Wrong email or password."


def test_duplicate_email_is_refused_case_insensitively(db) -> None:
    auth.sign_up("ada@example.com", "Analytical-engine-1")
    with pytest.raises(Conflict, match="already exists"):
        auth.sign_up("ADA@example.com", "Analytical-engine-9")


@pytest.mark.parametrize("password", ["short1A", "abcdefghijkl", "123456789012"])
def test_weak_passwords_are_refused(db, password) -> None:
    with pytest.raises(ValidationError, match="password"):
        auth.sign_up("ada@example.com", password)


def test_invalid_email_refused(db) -> None:
    with pytest.raises(ValidationError, match="email"):
        auth.sign_up("not-an-email", "Analytical-engine-1")


def test_login_session_lifecycle(db) -> None:
    user = auth.sign_up("ada@example.com", "Analytical-engine-1")
    token = auth.create_login_session(user.id, "pytest")
    assert auth.user_for_session(token).id == user.id
    assert auth.user_for_session(token + "x") is None
    auth.end_login_session(token)
    assert auth.user_for_session(token) is None


def test_profile_update(db) -> None:
    user = auth.sign_up("ada@example.com", "Analytical-engine-1")
    auth.update_profile(user.id, name="  Ada L.  ", target_role="Staff engineer")
    profile = auth.get_profile(user.id)
    assert (profile.name, profile.target_role) == ("Ada L.", "Staff engineer")
    with pytest.raises(ValidationError, match="200"):
        auth.update_profile(user.id, name="x" * 201)
    assert auth.get_profile(user.id).name == "Ada L."


def test_external_identity_creates_then_reuses_user(db) -> None:
    first = auth.sign_in_external("google", "sub-1", "grace@example.com", email_verified=True, name="Grace")
    assert first.password_hash is None and first.name == "Grace"
    again = auth.sign_in_external("google", "sub-1", "changed@example.com", email_verified=True)
    assert again.id == first.id
    assert auth.linked_providers(first.id) == ["google"]


def test_external_identity_links_existing_account_only_by_verified_email(db) -> None:
    local = auth.sign_up("ada@example.com", "Analytical-engine-1")
    with pytest.raises(AuthError, match="verified"):
        auth.sign_in_external("github", "42", "ada@example.com", email_verified=False)
    assert auth.linked_providers(local.id) == []
    linked = auth.sign_in_external("github", "42", "ADA@example.com", email_verified=True)
    assert linked.id == local.id and auth.linked_providers(local.id) == ["github"]
    # The local password still works after linking.
    assert auth.authenticate("ada@example.com", "Analytical-engine-1").id == local.id
