"""call_service: blocking service work runs off the event loop, with the service layer's
error mapping (ServiceError as is, an unreachable database as Unavailable)."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time

import pytest
import sqlalchemy as sa

from preppal.services.accounts import auth
from preppal.services.errors import NotFound, Unavailable
from preppal.services.pools import call_service

_who = contextvars.ContextVar("who", default="")


async def test_runs_on_another_thread_while_the_loop_keeps_ticking() -> None:
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    loop_thread = threading.get_ident()
    try:
        thread = await call_service(lambda: (time.sleep(0.3), threading.get_ident())[1])
    finally:
        task.cancel()
    assert thread != loop_thread
    assert ticks >= 10  # a blocking call on the loop would have left the ticker at 0


async def test_service_errors_pass_through_unchanged() -> None:
    def missing() -> None:
        raise NotFound("That interview does not exist.")

    with pytest.raises(NotFound, match="does not exist"):
        await call_service(missing)


async def test_an_unreachable_database_becomes_a_plain_503(monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    from preppal.settings import reset_settings

    reset_settings()
    with pytest.raises(Unavailable) as caught:
        await call_service(auth.user_for_session, "some-token")
    assert caught.value.http_status == 503 and "try again" in caught.value.message
    assert isinstance(caught.value.__cause__, sa.exc.OperationalError)


async def test_bugs_are_not_disguised() -> None:
    with pytest.raises(ZeroDivisionError):
        await call_service(lambda: 1 / 0)


async def test_arguments_and_context_travel() -> None:
    _who.set("ada")
    assert await call_service(lambda a, *, b: f"{_who.get()}:{a}:{b}", 1, b=2) == "ada:1:2"
