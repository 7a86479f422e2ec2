"""Password guessing is slowed per (account, address) and per address, atomically."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from preppal.db import session_scope
from preppal.models import LoginThrottle, utcnow
from preppal.services.accounts import auth, throttle
from preppal.services.accounts.throttle import ACCOUNT_POLICY, ADDRESS_POLICY, Throttled
from preppal.services.errors import AuthError

PASSWORD = "Analytical-engine-1"


@pytest.fixture
def ada(db):
    return auth.sign_up("ada@example.com", PASSWORD)


def _fail(email: str, address: str, times: int) -> None:
    for _ in range(times):
        with pytest.raises(AuthError) as caught:
            auth.authenticate(email, "wrong-password-X1", address)
        assert not isinstance(caught.value, Throttled)


def _key(email: str, address: str) -> str:
    return throttle.keys_for(email, address)[0].name


def test_account_locks_for_the_guessing_address_only(ada) -> None:
    _fail("ada@example.com", "10.0.0.1", ACCOUNT_POLICY.free_failures + 1)
    with pytest.raises(Throttled) as locked:  # the guessing address, even with the right password
        auth.authenticate("ada@example.com", PASSWORD, "10.0.0.1")
    assert locked.value.http_status == 429 and 1 <= locked.value.retry_after_s <= 2
    assert locked.value.message == f"Too many sign-in attempts. Try again in {locked.value.retry_after_s} s."


def test_guesses_from_anywhere_never_lock_out_the_right_password_from_a_new_address(ada) -> None:
    """Issue 9: six wrong guesses used to lock the real owner out everywhere."""
    for n in range(2):
        _fail("ada@example.com", f"10.0.1.{n}", ACCOUNT_POLICY.free_failures + 1)
    assert auth.authenticate("ada@example.com", PASSWORD, "192.0.2.50").id == ada.id


class _LongLock(throttle.Policy):
    def delay_s(self, failures: int) -> int:  # no lock may run out while the threads run
        return 0 if failures <= self.free_failures else 600


@pytest.mark.usefixtures("real_password_cost")  # a hash must take real time for the race
def test_parallel_guesses_are_reserved_before_hashing(ada, monkeypatch) -> None:
    """Issue 9: 40 parallel guesses all passed a check made before any failure was recorded."""
    monkeypatch.setattr(throttle, "ACCOUNT_POLICY", _LongLock(free_failures=ACCOUNT_POLICY.free_failures))

    def guess(_n: int) -> str:
        try:
            auth.authenticate("ada@example.com", "wrong-password-X1", "10.0.0.9")
        except Throttled:
            return "throttled"
        except AuthError:
            return "checked"
        return "signed in"

    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(guess, range(40)))
    verified = outcomes.count("checked")
    assert verified <= ACCOUNT_POLICY.free_failures + 1 and outcomes.count("throttled") == 40 - verified


def test_lock_expires_and_success_clears_the_account_key(ada) -> None:
    _fail("ada@example.com", "10.0.0.1", ACCOUNT_POLICY.free_failures + 1)
    with session_scope() as session:  # let the lock run out instead of sleeping
        row = session.get(LoginThrottle, _key("ada@example.com", "10.0.0.1"))
        row.locked_until = utcnow() - timedelta(seconds=1)
        session.add(row)
    assert auth.authenticate("ada@example.com", PASSWORD, "10.0.0.1").id == ada.id
    with session_scope() as session:
        assert session.get(LoginThrottle, _key("ada@example.com", "10.0.0.1")) is None
        # The address keeps its failures; the successful attempt itself was given back.
        assert session.get(LoginThrottle, "ip:10.0.0.1").failures == ACCOUNT_POLICY.free_failures + 1


def test_address_is_throttled_across_many_accounts(db) -> None:
    for n in range(ADDRESS_POLICY.free_failures + 1):
        _fail(f"user{n}@example.com", "203.0.113.9", 1)
    with pytest.raises(Throttled):
        auth.authenticate("someone-new@example.com", "whatever-X1", "203.0.113.9")
    _fail("someone-new@example.com", "198.51.100.1", 1)  # another address is not affected


def test_refused_attempts_are_not_counted(ada, monkeypatch) -> None:
    # A lock that cannot run out meanwhile (the first is 1 s: on a loaded machine one hash took longer).
    monkeypatch.setattr(throttle, "ACCOUNT_POLICY", _LongLock(free_failures=ACCOUNT_POLICY.free_failures))
    _fail("ada@example.com", "10.0.0.1", ACCOUNT_POLICY.free_failures + 1)
    for _ in range(5):
        with pytest.raises(Throttled):
            auth.authenticate("ada@example.com", "wrong-password-X1", "10.0.0.1")
    with session_scope() as session:
        assert (
            session.get(LoginThrottle, _key("ada@example.com", "10.0.0.1")).failures == ACCOUNT_POLICY.free_failures + 1
        )


def test_delay_doubles_and_is_capped() -> None:
    delays = [ACCOUNT_POLICY.delay_s(ACCOUNT_POLICY.free_failures + k) for k in range(0, 20)]
    assert delays[:4] == [0, 2, 4, 8]
    assert max(delays) == ACCOUNT_POLICY.max_delay_s
    assert delays == sorted(delays)


def test_quiet_window_resets_the_count(ada) -> None:
    _fail("ada@example.com", "", 3)
    with session_scope() as session:
        row = session.get(LoginThrottle, _key("ada@example.com", ""))
        row.window_start = utcnow() - ACCOUNT_POLICY.window - timedelta(seconds=1)
        session.add(row)
    throttle.reserve(throttle.keys_for("ada@example.com", ""))
    with session_scope() as session:
        assert session.get(LoginThrottle, _key("ada@example.com", "")).failures == 1


@pytest.mark.usefixtures("real_password_cost")  # a hash must take real time for the race
def test_parallel_reservations_on_postgres(pg_db, monkeypatch) -> None:
    monkeypatch.setattr(throttle, "ACCOUNT_POLICY", _LongLock(free_failures=ACCOUNT_POLICY.free_failures))
    auth.sign_up("ada@example.com", PASSWORD)
    with ThreadPoolExecutor(max_workers=12) as pool:
        outcomes = list(pool.map(lambda _n: _attempt("10.0.0.5"), range(30)))
    assert outcomes.count("checked") <= ACCOUNT_POLICY.free_failures + 1


def _attempt(address: str) -> str:
    try:
        auth.authenticate("ada@example.com", "wrong-password-X1", address)
    except Throttled:
        return "throttled"
    except AuthError:
        return "checked"
    return "signed in"
