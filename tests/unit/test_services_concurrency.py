"""Two relays racing to start one interview: exactly one may win (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

import pytest

from preppal.models import InterviewStatus
from preppal.services import interviews
from preppal.services.errors import Conflict, InvalidTransition
from tests.support.users import make_user

RACERS = 8
ROUNDS = 5


def _race(interview_id: str) -> tuple[list[str], list[BaseException]]:
    barrier = threading.Barrier(RACERS)
    wins: list[str] = []
    losses: list[BaseException] = []
    lock = threading.Lock()

    def racer(n: int) -> None:
        barrier.wait(timeout=10)
        try:
            interviews.update_status(
                interview_id, InterviewStatus.IN_PROGRESS, expected=InterviewStatus.PENDING, interviewer=f"r{n}"
            )
            outcome: object = f"r{n}"
        except BaseException as exc:  # recorded and checked below
            outcome = exc
        with lock:
            (wins if isinstance(outcome, str) else losses).append(outcome)

    threads = [threading.Thread(target=racer, args=(n,)) for n in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return wins, losses


def _check_exactly_one_wins() -> None:
    user = make_user().id
    for _ in range(ROUNDS):
        interview = interviews.create_interview(user, interview_type="technical", role="Backend")
        wins, losses = _race(interview.id)
        assert len(wins) == 1, (wins, losses)
        assert all(isinstance(e, (Conflict, InvalidTransition)) for e in losses), losses
        stored = interviews.get_interview(user, interview.id)
        assert stored.status == InterviewStatus.IN_PROGRESS and stored.interviewer == wins[0]


def test_concurrent_start_sqlite(db) -> None:
    _check_exactly_one_wins()


@pytest.mark.postgres
def test_concurrent_start_postgres(pg_db) -> None:
    _check_exactly_one_wins()
