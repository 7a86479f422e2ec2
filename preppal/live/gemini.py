"""Gemini Live backend on the official google-genai SDK (``client.aio.live.connect``).

What the session sends and how text enters it depend on the model: its
:class:`~preppal.live.gemini_profiles.LiveProfile` (docs/gemini.md) feeds the config
(live/gemini_config.py), the text channel, the end tool's semantics and the parsing of
``interaction_status``.

Why it looks like this (measurements: docs/performance.md, Relay):
- The SDK opens each session (auth, TLS, setup, resumption); the per-message hot path
  reads and writes the documented wire JSON on the SDK's own connection through one
  adapter pinned to the SDK version (:class:`~preppal.live.gemini_wire.WireFastPath`),
  because the SDK's pydantic models cost ~150–200 µs per message
  (``PREPPAL_GEMINI_WIRE_FAST_PATH=0`` restores them).
- Candidate audio goes upstream in messages of at least ``batch_ms`` (60 ms) from one sender
  task; :meth:`send_audio` only appends to a buffer.
- ``session.receive()`` stops after every ``turnComplete``, so the SDK-model reader loops it.
- A Live connection lives ~10 minutes. The server announces the end with ``goAway`` and
  keeps a resumption handle fresh; the backend then opens a new connection with the
  latest handle and swaps it in, so a 40-minute interview is one conversation.
  An abrupt close (network, 1011) is resumed the same way while a handle exists.
- Every SDK/transport failure becomes one ``Failed(codes.UPSTREAM)`` event with a plain message;
  details go to the log only.

Why one module of ~410 lines: it is one class whose state (the open connection, the resume
handle, whether the model's turn is open, an end requested, background reasoning) is read
and written by the reader, the sender, the end tool and the rotation together; the parts
that stand alone already live beside it (config, profiles, wire fast path, scorecard tools).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from google.genai import types

from preppal import codes
from preppal.live import scorecard_tools
from preppal.live.base import (
    AIAudio,
    AITranscript,
    BackendError,
    BackendEvent,
    Checkpoint,
    Ended,
    EndReason,
    Failed,
    Interrupted,
    InterviewBrief,
    LiveBackend,
    Ready,
    TurnComplete,
    UserTranscript,
)
from preppal.live.gemini_config import END_TOOL, TextSender, live_config
from preppal.live.gemini_profiles import LiveProfile, profile_for
from preppal.live.gemini_wire import (
    INPUT_MIME,
    OUTPUT_SAMPLE_RATE,
    UpstreamError,
    WireFastPath,
    b64,
    close_code,
    pick,
    rate_of,
    shared_client,
)
from preppal.live.prompt import OPENING_CUE, RESUME_CUE, code_context
from preppal.settings import Settings, get_settings

log = logging.getLogger(__name__)

DEFAULT_BATCH_MS = 60  # candidate audio per upstream message (see module docstring)
TRAILING_FLUSH_S = 0.2  # a batch that never fills (candidate muted) still goes out
MAX_BUFFER_BYTES = 32_000 * 2  # never hold more than 2 s of unsent candidate audio
UPSTREAM_MESSAGE = "The interviewer is unavailable right now. Please try again in a moment."
NO_RESUME_CODES = frozenset({1007, 1008})  # bad request / auth, model or quota: retrying cannot help
MAX_RESUMES_IN_ROW = 3
AI_END_GRACE_S = 10.0  # after end_interview, wait this long at most for the goodbye to finish
IN_PROGRESS = "IN_PROGRESS"  # interaction_status: background reasoning still running


class GeminiBackend(LiveBackend):
    name = "gemini"

    def __init__(
        self,
        brief: InterviewBrief,
        *,
        settings: Settings | None = None,
        batch_ms: int | None = None,
        resume: dict | None = None,
    ):
        self._brief = brief
        self._settings = settings or get_settings()
        self.profile: LiveProfile = profile_for(self._settings.gemini_model)
        self._text = TextSender(self.profile)
        self._scorecard = scorecard_tools.ScorecardTools(brief, self.profile)  # markers and evidence notes
        self._batch_bytes = max(640, (batch_ms or DEFAULT_BATCH_MS) * 32)
        self._events: asyncio.Queue[BackendEvent] = asyncio.Queue()
        self._buf = bytearray()
        self._flush = asyncio.Event()
        self._batches = 0  # batches sent so far (lets a trailing-flush timer know it is stale)
        self._session: Any = None
        self._exits: dict[int, contextlib.AbstractAsyncContextManager] = {}
        self._tasks: set[asyncio.Task] = set()
        self._resume_handle: str | None = (resume or {}).get("handle")
        self._resuming = resume is not None  # taken over from another worker: no opening cue
        self._ai_turn_open = False
        self._ai_ending = False
        self._background = False  # interaction_status IN_PROGRESS: more model output may follow
        self._finished = False
        self._closed = False
        self._rotating = False
        self._resumes_in_row = 0
        self._code: str | None = None  # the newest editor snapshot not yet sent upstream
        # Not hands-free, on a model that takes them: the candidate's hold is the turn (activity signals).
        self._hold_to_talk = not brief.hands_free and self.profile.client_activity_signals
        self._signals: list[bool] = []  # holds to send after the audio before them (True: activity_start)
        self._holding = False
        self.code_sent = 0
        self.rotations = 0  # connections replaced (goAway or resumed drop): for tests and logs

    # -- connection -------------------------------------------------------------------
    def _config(self) -> types.LiveConnectConfig:
        return live_config(self.profile, self._brief, self._settings, resume_handle=self._resume_handle)

    async def _connect(self) -> Any:
        """Open one Live connection (setup → setupComplete), bounded by the connect timeout."""
        config = await asyncio.to_thread(self._config)  # pydantic (first-use schema builds) off the loop
        manager = self._gen.aio.live.connect(model=self._settings.gemini_model, config=config)
        session = await asyncio.wait_for(manager.__aenter__(), self._settings.gemini_connect_timeout_s)
        self._exits[id(session)] = manager
        return session

    async def _disconnect(self, session: Any) -> None:
        manager = self._exits.pop(id(session), None)
        if manager is None:
            return
        try:
            await asyncio.wait_for(manager.__aexit__(None, None, None), 3)
        except Exception as exc:  # closing a dead socket: nothing left to save
            log.debug("closing a Gemini connection: %r", exc)

    def _spawn(self, coro, name: str) -> asyncio.Task:
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def start(self) -> Ready:
        if not self._settings.gemini_api_key:
            raise BackendError(codes.UPSTREAM, "No Gemini API key is configured.")
        try:
            self._gen = await shared_client(self._settings)
            self._session = await self._connect()
            if not self._resuming:
                await self._text.cue(self._session, OPENING_CUE)
            elif not self._resume_handle:  # taken over before any handle arrived: say what happened
                await self._text.cue(self._session, RESUME_CUE)
        except TimeoutError:
            log.warning("Gemini setup timed out for interview %s", self._brief.interview_id)
            await self.close()
            raise BackendError(codes.UPSTREAM, "The interviewer did not answer in time. Please try again.") from None
        except Exception as exc:
            log.warning("Gemini connect failed for interview %s: %r", self._brief.interview_id, exc)
            await self.close()
            raise BackendError(codes.UPSTREAM, UPSTREAM_MESSAGE) from None
        self._spawn(self._read(self._session), "gemini-read")
        self._spawn(self._send_loop(), "gemini-send")
        return Ready(interviewer=self.name, output_sample_rate=OUTPUT_SAMPLE_RATE)

    # -- candidate audio ------------------------------------------------------------------
    async def send_audio(self, pcm16k: bytes) -> None:
        buf = self._buf
        if not buf:  # a new batch: make sure it goes out even if the candidate stops here
            asyncio.get_running_loop().call_later(TRAILING_FLUSH_S, self._flush_if_pending, self._batches)
        buf += pcm16k
        if len(buf) >= self._batch_bytes:
            if len(buf) > MAX_BUFFER_BYTES:  # upstream stalled: keep the newest audio
                del buf[: len(buf) - MAX_BUFFER_BYTES]
            self._flush.set()

    def _flush_if_pending(self, batch: int) -> None:
        if self._batches == batch:  # that batch is still filling: send what there is
            self._flush.set()

    async def hold_floor(self, held: bool) -> None:
        """Not hands-free: the hold marks the candidate's turn (activity_start / activity_end, after
        the audio already buffered). Hands-free: Gemini's own detection decides; nothing to send."""
        if self._hold_to_talk and not self._closed:
            self._holding = held
            self._signals.append(held)
            self._flush.set()

    async def _send_signals(self, session: Any) -> None:
        while self._signals:
            held = self._signals.pop(0)
            signal = {"activity_start": types.ActivityStart()} if held else {"activity_end": types.ActivityEnd()}
            await session.send_realtime_input(**signal)

    async def _send_loop(self) -> None:
        while not self._closed:
            await self._flush.wait()
            self._flush.clear()
            if self._signals and not self._buf and self._session is not None:
                await self._quietly(self._send_signals(self._session))
            if not self._buf or self._session is None:
                continue
            chunk = bytes(self._buf)
            self._buf.clear()
            self._batches += 1
            session = self._session
            wire = self._wire(session)
            try:
                if wire is not None:
                    await wire.send_audio(chunk)
                else:
                    await session.send_realtime_input(audio=types.Blob(data=chunk, mime_type=INPUT_MIME))
                await self._send_signals(session)
            except Exception:
                # The reader sees the same failure and decides (resume or fail); audio of a
                # dead connection is lost either way.
                await asyncio.sleep(0.05)

    # -- the code editor --------------------------------------------------------------------
    async def send_code(self, code: str, language: str) -> None:
        """Hold the newest snapshot; send it as context (no reply requested, through the
        profile's text channel) while the model is not speaking: ``client_content`` interrupts
        a generation in progress (Live API reference)."""
        self._code = code_context(code, language)
        self._send_code_if_listening()

    def _send_code_if_listening(self) -> None:
        if self._code is None or self._ai_turn_open or self._session is None or self._closed:
            return
        text, self._code = self._code, None
        self.code_sent += 1
        self._spawn(self._quietly(self._text.context(self._session, text)), "gemini-code")

    # -- upstream events ------------------------------------------------------------------
    def _put(self, event: BackendEvent) -> None:
        if not self._finished:
            if isinstance(event, Ended | Failed):
                self._finished = True
            self._events.put_nowait(event)

    def _model_speaking(self) -> None:
        if not self._ai_turn_open:
            self._ai_turn_open = True
            self._put(UserTranscript("", final=True))  # the candidate's answer is over

    def _handle(self, msg: dict) -> None:
        """Map one server message (wire JSON, camelCase or snake_case) onto backend events."""
        update = pick(msg, "sessionResumptionUpdate", "session_resumption_update")
        if update and update.get("resumable") and (handle := pick(update, "newHandle", "new_handle")):
            self._resume_handle = handle
            self._resumes_in_row = 0
            self._put(Checkpoint({"handle": handle}))
        content = pick(msg, "serverContent", "server_content")
        if content:
            heard = pick(content, "inputTranscription", "input_transcription")
            if heard and heard.get("text"):
                self._put(UserTranscript(heard["text"]))
            turn = pick(content, "modelTurn", "model_turn")
            if turn:
                for part in turn.get("parts") or ():
                    blob = pick(part, "inlineData", "inline_data")
                    if blob and blob.get("data"):
                        self._model_speaking()
                        self._put(AIAudio(b64(blob["data"]), rate_of(pick(blob, "mimeType", "mime_type"))))
            said = pick(content, "outputTranscription", "output_transcription")
            if said and said.get("text"):
                self._model_speaking()
                self._put(AITranscript(said["text"]))
            if content.get("interrupted"):
                self._ai_turn_open = False
                self._put(AITranscript("", final=True))
                self._put(Interrupted())
                self._send_code_if_listening()
            if self.profile.interaction_status and (status := pick(content, "interactionStatus", "interaction_status")):
                self._background = status == IN_PROGRESS
            if pick(content, "turnComplete", "turn_complete"):
                self._ai_turn_open = False
                self._put(AITranscript("", final=True))
                self._put(TurnComplete())
                self._send_code_if_listening()
                if self._ai_ending and not self._background:  # background reasoning may still speak
                    self._put(Ended(EndReason.AI_ENDED))
        calls = pick(msg, "toolCall", "tool_call")
        for call in (pick(calls, "functionCalls", "function_calls") or ()) if calls else ():
            if call.get("name") == END_TOOL:
                self._on_end_tool(call.get("id"))
            else:  # a question marker or an evidence note: checked without I/O, answered at once
                event, reply = self._scorecard.call(call)
                if event is not None:
                    self._put(event)  # the relay dates, keys and stores it
                self._answer(reply)
        if pick(msg, "goAway", "go_away") is not None and self._resume_handle:
            self._spawn(self._rotate("goAway"), "gemini-rotate")
        if "error" in msg:
            raise UpstreamError(str(msg.get("error"))[:300])

    def _on_end_tool(self, call_id: str | None) -> None:
        """The model called end_interview. A blocking call holds the model until it gets the
        response; an asynchronous one (NON_BLOCKING) runs while the goodbye is spoken, and its
        response is scheduled SILENT so it starts no new reply. The interview ends when the
        model's turn (and any background reasoning) is over, or after a grace period."""
        self._ai_ending = True
        if not self._ai_turn_open and not self._background:
            self._put(Ended(EndReason.AI_ENDED))
            return
        answer = {"result": "The interview is ending once your goodbye has been played. Say nothing more."}
        self._answer(scorecard_tools.tool_reply(self.profile, call_id, END_TOOL, answer))
        asyncio.get_running_loop().call_later(AI_END_GRACE_S, self._put, Ended(EndReason.AI_ENDED))

    def _answer(self, reply: types.FunctionResponse) -> None:
        if self._session is not None:
            send = self._session.send_tool_response(function_responses=[reply])
            self._spawn(self._quietly(send), "gemini-tool-reply")

    @staticmethod
    async def _quietly(coro) -> None:
        try:
            await coro
        except Exception as exc:  # the reader reports connection failures
            log.debug("Gemini send failed: %r", exc)

    def _wire(self, session: Any) -> WireFastPath | None:
        return WireFastPath.attach(session) if self._settings.gemini_wire_fast_path else None

    async def _read(self, session: Any) -> None:
        wire = self._wire(session)
        try:
            if wire is not None:
                while not self._closed:
                    self._handle(await wire.receive())
            else:
                while not self._closed:
                    async for msg in session.receive():
                        self._handle(msg.model_dump(exclude_none=True))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # ConnectionClosed, SDK APIError (.code = close code), bad JSON…
            if self._closed or session is not self._session:
                return  # a retired connection closing: expected
            code = close_code(exc)
            if self._resume_handle and code not in NO_RESUME_CODES and self._resumes_in_row < MAX_RESUMES_IN_ROW:
                self._resumes_in_row += 1
                log.info("Gemini connection dropped (%s); resuming interview %s", code, self._brief.interview_id)
                self._spawn(self._rotate(f"drop {code}"), "gemini-rotate")
                return
            log.warning("Gemini session failed for interview %s: %r", self._brief.interview_id, exc)
            self._put(Failed(codes.UPSTREAM, UPSTREAM_MESSAGE, detail=repr(exc)[:300]))

    async def _rotate(self, why: str) -> None:
        """Open a new connection with the latest handle, swap it in, retire the old one."""
        if self._rotating or self._closed:
            return
        self._rotating = True
        old = self._session
        try:
            for attempt in range(3):
                try:
                    new = await self._connect()
                    break
                except Exception as exc:
                    log.info("Gemini resume attempt %d failed (%s): %r", attempt + 1, why, exc)
                    await asyncio.sleep(0.5 * (attempt + 1))
            else:
                self._put(Failed(codes.UPSTREAM, UPSTREAM_MESSAGE, detail=f"resume failed after {why}"))
                return
            if self._closed:
                await self._disconnect(new)
                return
            self._session = new
            self._ai_turn_open = False
            self.rotations += 1
            if self._holding:  # a new connection knows nothing of a hold in progress
                self._signals.append(True)
                self._flush.set()
            self._spawn(self._read(new), "gemini-read")
        finally:
            self._rotating = False
        await self._disconnect(old)

    # -- lifecycle --------------------------------------------------------------------------
    async def end(self) -> None:
        self._put(Ended(EndReason.USER_INITIATED))

    async def events(self) -> AsyncIterator[BackendEvent]:
        while True:
            event = await self._events.get()
            yield event
            if isinstance(event, Ended | Failed):
                return

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._flush.set()
        current = asyncio.current_task()
        tasks = [t for t in self._tasks if t is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for key in list(self._exits):
            manager = self._exits.pop(key)
            try:
                await asyncio.wait_for(manager.__aexit__(None, None, None), 3)
            except Exception as exc:
                log.debug("closing a Gemini connection: %r", exc)
        self._session = None
