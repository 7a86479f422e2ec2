"""The offline interviewer's scorecard (live/offline/scorecard.py) over whole interviews in
text: markers from its plan, evidence from the rubric, requests never answers."""

from __future__ import annotations

from preppal import rubric
from preppal.live.base import EvidenceNote, InterviewBrief, QuestionMarker
from preppal.live.offline.interviewer import Interviewer
from preppal.live.offline.scorecard import OfflineScorecard


def brief(kind: str = "behavioural", difficulty: str = "warmup", **extra: object) -> InterviewBrief:
    values: dict = {"interview_id": "card-1", "interview_type": kind, "role": "Backend Engineer"}
    values.update(difficulty=difficulty, **extra)
    return InterviewBrief(**values)


class Run:
    """An interviewer and its scorecard, answered in text the way the backend commits replies."""

    def __init__(self, b: InterviewBrief) -> None:
        self.interviewer = Interviewer(b)
        self.card = OfflineScorecard(self.interviewer)
        self.events: list[QuestionMarker | EvidenceNote] = []
        self.said: list[str] = []
        self._commit(self.interviewer.opening())

    def _commit(self, reply, answer: str = "") -> None:
        self.events += self.card.on_reply(self.interviewer, reply, answer)
        self.said.append(reply.text)

    def answer(self, text: str) -> None:
        self._commit(self.interviewer.respond(text), text)

    def markers(self) -> list[tuple[int, bool]]:
        return [(e.number, e.followup) for e in self.events if isinstance(e, QuestionMarker)]

    def notes(self, number: int) -> dict[str, str]:
        return {e.competency: e.strength for e in self.events if isinstance(e, EvidenceNote) and e.number == number}


def test_a_whole_behavioural_interview_marks_each_question_and_notes_each_answer() -> None:
    run = Run(brief())
    first = run.events[0]
    assert isinstance(first, QuestionMarker) and (first.number, first.followup) == (1, False)
    assert first.text == run.interviewer.questions[0].text  # the question, not the greeting
    assert "thanks for joining" in run.said[0] and "thanks for joining" not in first.text

    run.answer("Can you repeat the question?")  # a request: re-asked, no evidence, no marker
    assert len(run.events) == 1 and run.said[-1].endswith(first.text)
    run.answer("I write code.")  # too short: a follow-up asking for an example
    assert run.markers()[-1] == (1, True)
    run.answer("I build web services in Python for an online shop, and I lead a small team of engineers.")
    assert run.markers()[-1] == (2, False)
    run.answer(
        "At my last job we had a slow release process. I was responsible for it, "
        "so I wrote a script that tested and deployed every change automatically."
    )
    assert run.markers()[-1][1] is True  # the outcome follow-up
    assert [e.competency for e in run.events if isinstance(e, QuestionMarker)][-1] == "result_measurement"
    assert run.notes(2)["action_ownership"] == "strong"
    run.answer("As a result, releases went from one a week to ten a day, and we had fewer bugs.")
    assert run.notes(2)["result_measurement"] == "strong"
    run.answer("I reviewed my teammate's design, and together we shipped the feature in three weeks instead of five.")
    assert run.interviewer.finished
    mains = [n for n, follow in run.markers() if not follow]
    assert mains == [1, 2, 3]
    plan = [e.competency for e in run.events if isinstance(e, QuestionMarker) and not e.followup]
    assert all(rubric.rubric_for("behavioural", "warmup").competency(k) for k in plan)
    for e in run.events:
        if isinstance(e, EvidenceNote):
            assert e.quote and len(e.quote) <= rubric.MAX_QUOTE_CHARS and 1 <= e.number <= 3


def test_a_coding_question_answered_without_code_is_weak_code_evidence() -> None:
    run = Run(brief("technical", "warmup", interview_id="card-code"))
    coding = [i for i, q in enumerate(run.interviewer.questions) if q.kind == "code"]
    assert coding, "technical warm-ups plan a coding question"
    while run.interviewer.index < coding[0]:
        run.answer("I mostly use Python and Postgres, and I like how quickly I can test ideas with them.")
    marker = [e for e in run.events if isinstance(e, QuestionMarker)][-1]
    assert marker.competency == "code_quality" and not marker.followup
    run.answer("I would split the sentence on spaces, reverse the list and join it again.")
    notes = run.notes(coding[0] + 1)
    assert notes.get("code_quality") == "weak"
    assert [e for e in run.events if isinstance(e, QuestionMarker)][-1].followup  # "write it in the editor"


def test_restored_interviewer_does_not_mark_its_questions_again() -> None:
    run = Run(brief(interview_id="card-restore"))
    run.answer("I build web services in Python for an online shop, and I lead a small team of engineers.")
    restored = Interviewer.restore(run.interviewer.brief, run.interviewer.snapshot())
    card = OfflineScorecard(restored)
    assert card.number == run.card.number
    answered = card.number  # the notes belong to the question answered, even if the reply moves on
    reply = restored.respond("I had to learn Go in a week for a migration. I read the tour and shipped a service.")
    events = card.on_reply(restored, reply, "I had to learn Go in a week for a migration.")
    assert all(e.number == answered for e in events if isinstance(e, EvidenceNote))
