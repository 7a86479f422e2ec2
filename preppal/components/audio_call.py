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
    max_duration_s: rx.Var[int]
    start_label: rx.Var[str]

    on_request_token: EventHandler[passthrough_event_spec(bool)]
    on_state_change: EventHandler[passthrough_event_spec(dict)]


audio_call = AudioCall.create
