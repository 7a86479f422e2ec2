"""Patience per interview: its own setting, else the difficulty's default; one table for both interviewers."""

from __future__ import annotations

import pytest

from preppal import display
from preppal.live.offline.turn_policy import TurnPolicy
from preppal.live.offline.vad import TurnRules
from preppal.patience import LEVELS, Patience, patience_for


def test_the_difficulty_sets_the_default_and_the_interviews_own_setting_wins() -> None:
    assert patience_for("", "warmup").patience == Patience.PATIENT
    assert patience_for("", "standard").patience == Patience.STEADY
    assert patience_for("", "intense").patience == Patience.QUICK
    assert patience_for("patient", "intense").patience == Patience.PATIENT
    assert patience_for("nonsense", "nonsense").patience == Patience.STEADY


def test_steady_is_the_turn_rules_the_benchmarks_measure() -> None:
    steady = LEVELS[Patience.STEADY]
    assert steady.cap_ms == TurnRules().cap_silence_ms and steady.bar == 1.0


@pytest.mark.parametrize("slower,faster", [(Patience.PATIENT, Patience.STEADY), (Patience.STEADY, Patience.QUICK)])
def test_a_more_patient_level_waits_longer_everywhere(slower: Patience, faster: Patience) -> None:
    a, b = LEVELS[slower], LEVELS[faster]
    assert a.cap_ms > b.cap_ms and a.bar > b.bar and a.gemini_silence_share > b.gemini_silence_share
    assert TurnPolicy().scaled(a.bar).complete > TurnPolicy().scaled(b.bar).complete


def test_labels_say_where_the_level_comes_from() -> None:
    assert display.patience_label("", "warmup") == "Patient (from Warm-up)"
    assert display.patience_label("quick", "warmup") == "Quick"
