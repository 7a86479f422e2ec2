"""The live-call browser component: a Python wrapper around assets/audio_call.jsx.

The JSX runs only in the browser (microphone, AudioWorklets, WebSocket), so this is an
``rx.NoSSRComponent``. It talks back to Reflex through two event props:
``on_request_token(resume)`` when it needs a worker token (first connect or a retry),
and ``on_state_change(info)`` on each phase change (``info`` carries ``phase`` and,
as they happen, ``error``, ``interviewer``, ``echoCancellation``, ``ended``, ``reason``).
"""

from __future__ import annotations

import reflex as rx
from reflex.event import EventHandler, passthrough_event_spec

from preppal import codes

# Must match audio_worklet/package.json: the browser decodes with the same protobufjs
# the static code was generated against.
PROTOBUFJS = "protobufjs@8.8.1"


class AudioCall(rx.NoSSRComponent):
    library = "$/public/audio_call.jsx"
    tag = "AudioCall"
    lib_dependencies: list[str] = [PROTOBUFJS]

    interview_id: rx.Var[str]
    token: rx.Var[str]
    frame_ms: rx.Var[int]
    muted: rx.Var[bool]
    end_requested: rx.Var[bool]
    stop: rx.Var[bool]
    page_phase: rx.Var[str]  # the page's phase: "initializing" mid-call means its state was reloaded
    max_duration_s: rx.Var[int]
    start_label: rx.Var[str]
    fatal_codes: rx.Var[dict[str, str]]  # close/error code → error kind (preppal.codes)
    code_too_large: rx.Var[int]  # the ErrorResponse code of an editor snapshot over the cap

    on_request_token: EventHandler[passthrough_event_spec(bool)]
    on_state_change: EventHandler[passthrough_event_spec(dict)]


def audio_call(**props) -> rx.Component:
    """The call component, told which close/error codes end the call (one table, in Python)."""
    fatal = {str(code): kind for code, kind in codes.FATAL_ERROR_KINDS.items()}
    return AudioCall.create(fatal_codes=fatal, code_too_large=codes.CODE_TOO_LARGE, **props)
