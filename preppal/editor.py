"""The code editor's catalogue, shared by every layer: which rounds have an editor, its
languages (id → name) and the size cap of one snapshot.

A leaf module (no imports from the app) so the relay, the interviewers, the services and
the pages agree on one list. Pages and exports name a language through
``preppal.display.code_language_label`` (the labels' one home); the live interviewer's
prompt, which may not import the display layer, uses :func:`code_language_name`.
"""

from __future__ import annotations

# Rounds that show the editor beside the transcript (behavioural interviews are talk only).
EDITOR_TYPES = frozenset({"technical", "system_design", "role_specific"})

# language id → name; ids are what the browser sends in CodeSnapshot.language.
LANGUAGES: dict[str, str] = {
    "python": "Python",
    "javascript": "JavaScript",
    "typescript": "TypeScript",
    "java": "Java",
    "go": "Go",
    "cpp": "C++",
    "sql": "SQL",
    "text": "Plain text",
    "notes": "Notes / diagram (text)",
}
DEFAULT_LANGUAGE = "python"
DEFAULT_LANGUAGE_BY_TYPE = {"system_design": "notes"}

MAX_CODE_BYTES = 64 * 1024  # one snapshot's code, UTF-8; larger ones get ErrorResponse 4007
MAX_LANGUAGE_CHARS = 20


def has_editor(interview_type: str) -> bool:
    return str(getattr(interview_type, "value", interview_type)) in EDITOR_TYPES


def default_language(interview_type: str) -> str:
    return DEFAULT_LANGUAGE_BY_TYPE.get(str(getattr(interview_type, "value", interview_type)), DEFAULT_LANGUAGE)


def normalise_language(value: str) -> str:
    """A known language id; anything else (or too long) is plain text."""
    key = (value or "").strip().lower()[:MAX_LANGUAGE_CHARS]
    return key if key in LANGUAGES else "text"


def code_language_name(value: str) -> str:
    return LANGUAGES.get(value, LANGUAGES["text"])


def code_bytes(code: str) -> int:
    return len(code.encode("utf-8", "surrogatepass"))
