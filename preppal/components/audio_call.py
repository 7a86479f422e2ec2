"""The live-call browser component: a Python wrapper around assets/audio_call.jsx.

The JSX runs only in the browser (microphone, AudioWorklets, WebSocket), so this is an
``rx.NoSSRComponent``; assets/call/ holds its parts (relay client, recorder, player, the
useCall hook). It draws the Start button, the meters and the call's controls (Mute, End),
which act in the browser at once. It talks back to Reflex through two event props:
``on_request_token(resume)`` when it needs a worker token (first connect or a retry),
and ``on_state_change(info)`` on each phase change (``info`` carries ``phase`` and,
as they happen, ``error``, ``interviewer``, ``echoCancellation``, ``ended``, ``reason``).
The component is the only writer of the page's phase; ``page_phase`` lets it see the
page's copy and report again when that copy drifted.
"""

from __future__ import annotations

import reflex as rx
from reflex.event import EventHandler, passthrough_event_spec
from reflex_components_lucide.icon import LUCIDE_LIBRARY

from preppal import codes

# Must match audio_worklet/package.json: the browser decodes with the same protobufjs
# the static code was generated against.
PROTOBUFJS = "protobufjs@8.8.1"


class AudioCall(rx.NoSSRComponent):
    library = "$/public/audio_call.jsx"
    tag = "AudioCall"
    lib_dependencies: list[str] = [PROTOBUFJS, LUCIDE_LIBRARY]  # icons: the same lucide as rx.icon

    interview_id: rx.Var[str]
    token: rx.Var[str]
    frame_ms: rx.Var[int]
    stop: rx.Var[bool]  # the page decided the call is over (no token could be minted)
    page_phase: rx.Var[str]  # the page's copy of the phase: reported again when it drifts
    max_duration_s: rx.Var[int]
    start_label: rx.Var[str]
    fatal_codes: rx.Var[dict[str, str]]  # close/error code → error kind (preppal.codes)
    code_too_large: rx.Var[int]  # the ErrorResponse code of an editor snapshot over the cap
    hands_free: rx.Var[bool]  # Gemini: False = the candidate's hold marks their turn (preppal/patience.py)

    on_request_token: EventHandler[passthrough_event_spec(bool)]
    on_state_change: EventHandler[passthrough_event_spec(dict)]


def audio_call(**props) -> rx.Component:
    """The call component, told which close/error codes end the call (one table, in Python)."""
    fatal = {str(code): kind for code, kind in codes.FATAL_ERROR_KINDS.items()}
    return AudioCall.create(fatal_codes=fatal, code_too_large=codes.CODE_TOO_LARGE, **props)
