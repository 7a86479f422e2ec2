"""Two relays racing to start one interview: exactly one may win (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

import pytest

from preppal.models import InterviewStatus
from preppal.services.errors import AlreadyLive, Conflict, InvalidTransition
from preppal.services.interviews import lifecycle
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
            lifecycle.update_status(
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
    for _ in range(ROUNDS):  # a user per round: one live interview per user
        user = make_user().id
        interview = lifecycle.create_interview(user, interview_type="technical", role="Backend")
        wins, losses = _race(interview.id)
        assert len(wins) == 1, (wins, losses)
        assert all(isinstance(e, (Conflict, InvalidTransition)) for e in losses), losses
        stored = lifecycle.get_interview(user, interview.id)
        assert stored.status == InterviewStatus.IN_PROGRESS and stored.interviewer == wins[0]


def test_concurrent_start_sqlite(db) -> None:
    _check_exactly_one_wins()


@pytest.mark.postgres
def test_concurrent_start_postgres(pg_db) -> None:
    _check_exactly_one_wins()


def _race_two_interviews_of_one_user() -> None:
    """Issue 9: one live interview per user, even when two start at the same instant."""
    user = make_user().id
    for _ in range(3):
        first = lifecycle.create_interview(user, interview_type="technical", role="Backend")
        second = lifecycle.create_interview(user, interview_type="technical", role="Backend")
        barrier = threading.Barrier(2)
        outcomes: dict[str, object] = {}

        def start(interview_id: str, barrier=barrier, outcomes=outcomes) -> None:
            barrier.wait(timeout=10)
            try:
                lifecycle.update_status(interview_id, InterviewStatus.IN_PROGRESS, expected=InterviewStatus.PENDING)
                outcomes[interview_id] = "live"
            except BaseException as exc:  # checked below
                outcomes[interview_id] = exc

        threads = [threading.Thread(target=start, args=(i.id,)) for i in (first, second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        live = [i for i, o in outcomes.items() if o == "live"]
        refused = [o for o in outcomes.values() if o != "live"]
        assert len(live) == 1 and len(refused) == 1 and isinstance(refused[0], AlreadyLive), outcomes
        lifecycle.update_status(live[0], InterviewStatus.ERROR)  # free the user for the next round


def test_one_live_interview_per_user_sqlite(db) -> None:
    _race_two_interviews_of_one_user()


@pytest.mark.postgres
def test_one_live_interview_per_user_postgres(pg_db) -> None:
    _race_two_interviews_of_one_user()
