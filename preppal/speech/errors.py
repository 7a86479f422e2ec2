"""The one error a speech model raises when its install is incomplete (the offline interviewer's voices too)."""

from __future__ import annotations


class ModelUnavailable(RuntimeError):
    """A model or voice that ships with the install is missing or unreadable.

    The message is for a person: it names what is wrong and the command that fixes it.
    """
