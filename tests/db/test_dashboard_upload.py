"""Issue 9: the résumé upload handler reads at most the cap (+1 byte) into memory and is
rate-limited per user."""

from __future__ import annotations

import pytest
import reflex as rx

from preppal.services.accounts import auth
from preppal.services.interviews.resume_text import MAX_UPLOAD_BYTES
from preppal.settings import reset_settings
from preppal.state.dashboard import DashboardState


class _Upload:
    """Stands in for rx.UploadFile: records how much the handler asked to read."""

    def __init__(self, name: str, data: bytes) -> None:
        self.name = self.filename = name
        self._data = data
        self.asked: list[int] = []

    async def read(self, size: int = -1) -> bytes:
        self.asked.append(size)
        return self._data if size < 0 else self._data[:size]


@pytest.fixture
def dash(db, monkeypatch):
    user = auth.sign_up("alice@example.com", "Correct-horse-1")
    root = rx.State(_reflex_internal_init=True)
    state = root.get_substate(DashboardState.get_full_name().split(".")[1:])

    async def signed_in(self) -> int:
        return user.id

    monkeypatch.setattr(DashboardState, "current_user_id", signed_in)
    state.user_id = user.id
    return state


async def _upload(state, upload) -> None:
    await DashboardState.handle_resume.fn(state, [upload])


async def test_oversized_upload_is_read_only_up_to_the_cap(dash) -> None:
    big = _Upload("cv.txt", b"a" * (MAX_UPLOAD_BYTES + 100_000))
    await _upload(dash, big)
    assert big.asked == [MAX_UPLOAD_BYTES + 1]
    assert "too large" in dash.upload_error and dash.resume_text == ""


async def test_uploads_are_rate_limited_per_user(dash, monkeypatch) -> None:
    monkeypatch.setenv("PREPPAL_UPLOADS_PER_HOUR", "2")
    reset_settings()
    for _ in range(2):
        await _upload(dash, _Upload("cv.txt", b"Grace Hopper"))
        assert dash.resume_text == "Grace Hopper" and dash.upload_error == ""
    await _upload(dash, _Upload("cv.txt", b"Another"))
    assert dash.upload_error.startswith("Too many résumé uploads.") and dash.resume_text == "Grace Hopper"
