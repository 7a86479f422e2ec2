"""The code editor panel: a Python wrapper around assets/code_editor.jsx (CodeMirror 6).

Browser-only (``rx.NoSSRComponent``). On the meeting page (``live=True``) it shares the
call's socket through assets/code_channel.js; on the feedback page (``read_only=True``) it
shows the snapshot in ``value``. The language list comes from :mod:`preppal.display`.
"""

from __future__ import annotations

import reflex as rx

from preppal.display import browser_time_format, code_language_options
from preppal.editor import MAX_CODE_BYTES

# Pinned together: CodeMirror breaks when two copies of @codemirror/state load, so every
# package is an exact version that satisfies the others' ranges (reflex.lock/ freezes them).
CODEMIRROR = [
    "codemirror@6.0.2",
    "@codemirror/state@6.7.6",
    "@codemirror/view@6.43.15",
    "@codemirror/commands@6.11.1",
    "@codemirror/language@6.13.1",
    "@codemirror/lang-python@6.2.1",
    "@codemirror/lang-javascript@6.2.5",
    "@codemirror/lang-java@6.0.2",
    "@codemirror/lang-go@6.0.1",
    "@codemirror/lang-cpp@6.0.3",
    "@codemirror/lang-sql@6.10.0",
    "@codemirror/lang-markdown@6.5.2",
]


class CodeEditor(rx.NoSSRComponent):
    library = "$/public/code_editor.jsx"
    tag = "CodeEditor"
    lib_dependencies: list[str] = CODEMIRROR

    languages: rx.Var[list[dict[str, str]]]
    language: rx.Var[str]
    initial_code: rx.Var[str]
    value: rx.Var[str]
    read_only: rx.Var[bool]
    live: rx.Var[bool]
    height: rx.Var[str]
    label: rx.Var[str]
    max_code_bytes: rx.Var[int]  # the snapshot cap (editor.MAX_CODE_BYTES): one home, in Python
    time_format: rx.Var[dict[str, str]]  # how "Shared … at 14:05 UTC" is written (display.py)


def code_editor(**props) -> rx.Component:
    """The editor with the app's language list, the snapshot cap and the time format."""
    return CodeEditor.create(
        languages=code_language_options(), max_code_bytes=MAX_CODE_BYTES, time_format=browser_time_format(), **props
    )
