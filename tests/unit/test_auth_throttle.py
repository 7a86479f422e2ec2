"""Repeated failed sign-ins are slowed down per account and per client address."""

from __future__ import annotations

from datetime import timedelta

import pytest

from preppal.db import session_scope
from preppal.models import LoginThrottle, utcnow
from preppal.services import auth, throttle
from preppal.services.errors import AuthError
from preppal.services.throttle import ADDRESS_POLICY, EMAIL_POLICY, Throttled

PASSWORD = "Analytical-engine-1"


@pytest.fixture
def ada(db):
    return auth.sign_up("ada@example.com", PASSWORD)


def _fail(email: str, address: str, times: int) -> None:
    for _ in range(times):
        with pytest.raises(AuthError) as caught:
            auth.authenticate(email, "wrong-password-X1", address)
        assert not isinstance(caught.value, Throttled)


def test_account_locks_after_free_failures_even_for_the_right_password(ada) -> None:
    _fail("ada@example.com", "10.0.0.1", EMAIL_POLICY.free_failures)
    with pytest.raises(AuthError) as last:  # the failure that uses up the free tries
        auth.authenticate("ada@example.com", "wrong-password-X1", "10.0.0.2")
    assert not isinstance(last.value, Throttled)
    with pytest.raises(Throttled) as locked:  # from another address, with the right password
        auth.authenticate("ada@example.com", PASSWORD, "10.0.0.3")
    assert locked.value.http_status == 429 and 1 <= locked.value.retry_after_s <= 2
    assert locked.value.message == f"Too many sign-in attempts. Try again in {locked.value.retry_after_s} s."


def test_lock_expires_and_success_clears_the_account_count(ada) -> None:
    _fail("ada@example.com", "10.0.0.1", EMAIL_POLICY.free_failures + 1)
    with session_scope() as session:  # let the lock run out instead of sleeping
        row = session.get(LoginThrottle, "email:ada@example.com")
        row.locked_until = utcnow() - timedelta(seconds=1)
        session.add(row)
    assert auth.authenticate("ada@example.com", PASSWORD, "10.0.0.1").id == ada.id
    with session_scope() as session:
        assert session.get(LoginThrottle, "email:ada@example.com") is None
        assert session.get(LoginThrottle, "ip:10.0.0.1").failures == EMAIL_POLICY.free_failures + 1


def test_address_is_throttled_across_many_accounts(db) -> None:
    for n in range(ADDRESS_POLICY.free_failures + 1):
        _fail(f"user{n}@example.com", "203.0.113.9", 1)
    with pytest.raises(Throttled):
        auth.authenticate("someone-new@example.com", "whatever-X1", "203.0.113.9")
    # Another address is not affected.
    _fail("someone-new@example.com", "198.51.100.1", 1)


def test_delay_doubles_and_is_capped() -> None:
    delays = [EMAIL_POLICY.delay_s(EMAIL_POLICY.free_failures + k) for k in range(0, 20)]
    assert delays[:4] == [0, 2, 4, 8]
    assert max(delays) == EMAIL_POLICY.max_delay_s
    assert delays == sorted(delays)


def test_quiet_window_resets_the_count(ada) -> None:
    _fail("ada@example.com", "", 3)
    with session_scope() as session:
        row = session.get(LoginThrottle, "email:ada@example.com")
        row.window_start = utcnow() - EMAIL_POLICY.window - timedelta(seconds=1)
        session.add(row)
    throttle.record_failure(throttle.keys_for("ada@example.com", ""))
    with session_scope() as session:
        assert session.get(LoginThrottle, "email:ada@example.com").failures == 1
