"""Each supported Live model through the real SDK, against a stand-in that keeps that
model's rules (tests/support/live_api_rules.py, written from Google's pages):

- our config for the model passes every rule, and each rule, when tripped on purpose,
  closes the session with the service's close code and reason (so the check can fail);
- a whole call per model: greeting, answer, barge-in, code snapshot, GoAway rotation,
  a dropped connection resumed, the end;
- the model's dialect loses nothing: several parts in one message, ``interactionStatus``,
  asynchronous or blocking tool calls.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from google.genai import errors, types

from preppal.live.base import InterviewBrief
from preppal.live.gemini_config import END_TOOL, live_config
from preppal.live.gemini_profiles import profile_for
from preppal.live.gemini_wire import _build_client
from preppal.live.prompt import CODE_LABEL
from preppal.models import InterviewStatus
from preppal.realtime.pb import interview_pb2 as pb
from preppal.services.interviews import lifecycle
from preppal.settings import get_settings
from tests.integration.test_relay_code import snapshot
from tests.integration.test_relay_core import FRAME, rows
from tests.support.live_api_rules import BAD_KEY, INVALID, LIVE_MODELS, RULES, not_found
from tests.support.relay_harness import point_gemini_at, wait_until


def refusal_cases() -> Iterator:
    for model in LIVE_MODELS:
        for refusal in RULES[model].refusals:
            yield pytest.param(model, refusal, id=f"{model}-{refusal.what.split(' ')[0]}")


async def open_session(config: types.LiveConnectConfig | dict):
    """Connect with the real SDK (settings already point at the stand-in); returns the
    session and its context manager."""
    settings = get_settings()
    client = await asyncio.to_thread(_build_client, settings)
    manager = client.aio.live.connect(model=settings.gemini_model, config=config)
    session = await asyncio.wait_for(manager.__aenter__(), 5)
    return session, manager


async def refused_with(config) -> errors.APIError:
    with pytest.raises(errors.APIError) as caught:
        session, manager = await open_session(config)
        await manager.__aexit__(None, None, None)
    return caught.value


async def ours(model: str, difficulty: str = "standard") -> types.LiveConnectConfig:
    """Our config for ``model``, as an interview builds it (off the loop: pydantic's first
    schema build takes tens of ms)."""
    brief = InterviewBrief("i-1", "technical", "Backend engineer", difficulty, language="es-ES")
    return await asyncio.to_thread(live_config, profile_for(model), brief, get_settings(), resume_handle=None)


# ---- the rules -------------------------------------------------------------------------------


@pytest.mark.parametrize("model", LIVE_MODELS)
async def test_our_config_passes_every_rule_of_its_model(model, db, standin, monkeypatch):
    point_gemini_at(monkeypatch, standin, model)
    for difficulty in ("warmup", "standard", "intense"):
        session, manager = await open_session(await ours(model, difficulty))
        await manager.__aexit__(None, None, None)
    for conn in standin.connections:
        assert conn.refused is None
        assert RULES[model].refusal_for(conn.setup) is None
    silences = [
        conn.setup_value("realtime_input_config", "automatic_activity_detection") for conn in standin.connections
    ]
    assert [s.get("silence_duration_ms", s.get("silenceDurationMs")) for s in silences] == [1500, 1200, 900]


@pytest.mark.parametrize(("model", "refusal"), list(refusal_cases()))
async def test_each_refusal_closes_as_the_service_does_and_ours_never_trips_it(
    model, refusal, db, standin, monkeypatch
):
    point_gemini_at(monkeypatch, standin, model)
    session, manager = await open_session(await ours(model))  # ours first: accepted
    await manager.__aexit__(None, None, None)
    assert not refusal.trips(standin.connections[0].setup)

    bad = (await ours(model)).model_dump(exclude_none=True) | refusal.provoke
    caught = await refused_with(bad)
    assert (caught.code, refusal.reason[:100] in str(caught)) == (refusal.code, True), caught
    assert standin.connections[-1].refused == (refusal.code, refusal.reason[:123])


async def test_unknown_model_bad_key_and_wrong_platform_are_refused(db, standin, monkeypatch):
    point_gemini_at(monkeypatch, standin, "gemini-9-live-imaginary")
    caught = await refused_with(await ours("gemini-3.8-live"))
    assert caught.code == 1008 and not_found("gemini-9-live-imaginary", "v1beta")[:100] in str(caught)

    point_gemini_at(monkeypatch, standin, "gemini-3.8-live", GEMINI_API_KEY="wrong-key")
    standin.valid_keys = {"test-key"}
    caught = await refused_with(await ours("gemini-3.8-live"))
    assert caught.code == 1007 and BAD_KEY in str(caught)

    # The Vertex model asked for on the Gemini API does not exist there.
    point_gemini_at(monkeypatch, standin, "gemini-live-2.5-flash-native-audio", GOOGLE_GENAI_USE_VERTEXAI="false")
    caught = await refused_with(await ours("gemini-live-2.5-flash-native-audio"))
    assert caught.code == 1008


async def test_31_takes_client_content_only_as_initial_history(db, standin, monkeypatch):
    model = "gemini-3.1-flash-live-preview"
    point_gemini_at(monkeypatch, standin, model)
    turn = types.Content(role="user", parts=[types.Part(text="Hello")])

    session, manager = await open_session(await ours(model))
    await session.send_realtime_input(text="Hello")  # realtime text: fine
    await session.send_client_content(turns=turn, turn_complete=True)  # mid-session: refused
    with pytest.raises(errors.APIError) as caught:
        async for _ in session.receive():
            pass
    await manager.__aexit__(None, None, None)
    assert caught.value.code == 1007 and INVALID in str(caught.value)
    assert [t.channel for t in standin.connections[0].texts] == ["realtime_text", "client_content"]

    # Initial history is allowed when asked for at setup, up to the turn that completes it.
    seeded = (await ours(model)).model_copy(
        update={"history_config": types.HistoryConfig(initial_history_in_client_content=True)}
    )
    session, manager = await open_session(seeded)
    await session.send_client_content(turns=turn, turn_complete=False)
    await session.send_client_content(turns=turn, turn_complete=True)
    await session.send_realtime_input(text="And now live.")
    conn = standin.connections[1]
    await conn.wait_for(lambda: len(conn.texts) == 3)
    await manager.__aexit__(None, None, None)
    assert conn.refused is None


# ---- a whole call per model ------------------------------------------------------------------


async def test_a_whole_call_on_every_model(relay_env, standin, gemini_model):
    """Greeting, answer, barge-in, code snapshot, GoAway rotation, a drop resumed, the end."""

    async def first(conn):
        await conn.wait_for(lambda: conn.texts, timeout=5)  # the opening cue, on the model's channel
        await conn.resumption("h1")
        await conn.ai_turn([" Hello,", " tell me about a project."])
        await conn.wait_audio(FRAME * 5)
        await conn.input_transcript(" I built a queue.")
        await conn.audio(b"\x01\x00" * 480)
        await conn.output_transcript(" Great. Now write the")
        await conn.input_transcript(" Sorry, one thing")  # barge-in
        await conn.interrupted()
        await conn.turn_complete()
        await conn.wait_for(lambda: any(t.text.startswith(CODE_LABEL) for t in conn.texts), timeout=5)
        await conn.resumption("h2")
        await conn.go_away("5s")
        await conn.hold()

    async def second(conn):
        await conn.ai_turn([" Thanks,", " reading it."])
        await conn.resumption("h3")
        await asyncio.sleep(0.05)
        await conn.close(1011, "internal error")  # an abrupt drop: resumed with h3

    async def third(conn):
        await conn.ai_turn([" Back again."])
        await conn.hold()

    standin.behaviours = [first, second, third]
    iid = relay_env.new_interview(interview_type="technical")
    candidate = await relay_env.connect(iid, relay_env.token(iid))
    await candidate.wait_kind("session_ready")
    for _ in range(8):
        await candidate.send_audio(b"\x02\x00" * (FRAME // 2))
    await candidate.wait_kind("interrupted")
    await candidate.ws.send(snapshot("def f():\n    return 1\n"))
    await candidate.wait_for(lambda: "Back again." in candidate.finals(), timeout=15)
    await candidate.end()
    assert await candidate.wait_closed() == 1000

    assert [c.setup_value("session_resumption", "handle") for c in standin.connections] == [None, "h2", "h3"]
    assert [c.refused for c in standin.connections] == [None, None, None]
    assert [(s, t) for _, s, t in rows(iid)] == [
        ("AI", "Hello, tell me about a project."),
        ("USER", "I built a queue."),
        ("AI", "Great. Now write the"),
        ("USER", "Sorry, one thing"),
        ("AI", "Thanks, reading it."),
        ("AI", "Back again."),
    ]
    assert sum(len(a.audio_content) for a in candidate.of("audio_response")) == 6 * 960
    assert [e.reason for e in candidate.of("session_ended")] == [pb.SessionEnded.USER_INITIATED]


async def test_one_message_with_every_part_loses_nothing(relay_env, standin):
    async def everything_at_once(conn):
        await conn.wait_for(lambda: conn.texts, timeout=5)
        await conn.content(
            inputTranscription={"text": " I would shard it."},
            modelTurn={
                "parts": [
                    conn.audio_part(b"\x03\x00" * 240)["parts"][0],
                    conn.audio_part(b"\x04\x00" * 240)["parts"][0],
                ]
            },
            outputTranscription={"text": " Why shard?"},
            generationComplete=True,
            turnComplete=True,
        )
        await conn.hold()

    standin.behaviours = [everything_at_once]
    iid = relay_env.new_interview()
    candidate = await relay_env.connect(iid, relay_env.token(iid))
    await candidate.wait_for(lambda: "Why shard?" in candidate.finals())
    assert [a.audio_content for a in candidate.of("audio_response")] == [b"\x03\x00" * 240, b"\x04\x00" * 240]
    await candidate.end()
    assert await candidate.wait_closed() == 1000
    assert [(s, t) for _, s, t in rows(iid)] == [("USER", "I would shard it."), ("AI", "Why shard?")]


# ---- tool calls and background reasoning -----------------------------------------------------


async def test_end_tool_follows_the_model_call_semantics(relay_env, standin, gemini_model):
    """Asynchronous models keep talking after the call (our response is SILENT: no new reply);
    blocking models wait for the response before they finish the goodbye."""

    async def goodbye(conn):
        await conn.wait_for(lambda: conn.texts, timeout=5)
        await conn.audio(b"\x01\x00" * 480)
        await conn.output_transcript(" Thank you, goodbye")
        await conn.tool_call(END_TOOL, "end-1")
        if not conn.rules.calls_async(conn.setup, END_TOOL):
            await conn.wait_tool_response()  # a blocking call holds the model until it is answered
        await conn.ai_turn([" and good luck."])
        await conn.hold()

    standin.behaviours = [goodbye]
    iid = relay_env.new_interview()
    candidate = await relay_env.connect(iid, relay_env.token(iid))
    assert await candidate.wait_closed() == 1000
    assert [e.reason for e in candidate.of("session_ended")] == [pb.SessionEnded.GEMINI_ENDED]
    conn = standin.connections[0]
    declared = conn.setup_value("tools")[0]["functionDeclarations"][0]
    assert declared["name"] == END_TOOL
    (reply,) = conn.tool_responses
    response = (reply.get("functionResponses") or reply.get("function_responses"))[0]
    assert response["id"] == "end-1"
    if conn.rules.calls_async(conn.setup, END_TOOL):
        assert response.get("scheduling") == "SILENT"  # recorded, no new reply
    else:
        assert "scheduling" not in response
    assert RULES[gemini_model].asynchronous_calls <= conn.rules.calls_async(conn.setup, END_TOOL)
    assert [t for _, _, t in rows(iid)] == ["Thank you, goodbye and good luck."]


async def test_background_reasoning_holds_the_end_until_idle(relay_env, standin, gemini_model):
    if not RULES[gemini_model].interaction_status:
        pytest.skip("the model reports no interaction_status")
    release = asyncio.Event()

    async def thinks_then_ends(conn):
        await conn.wait_for(lambda: conn.texts, timeout=5)
        await conn.audio(b"\x01\x00" * 480)
        await conn.output_transcript(" Let me think about your design.")
        await conn.tool_call(END_TOOL, "end-2")
        await conn.turn_complete("IN_PROGRESS")  # background reasoning goes on
        await release.wait()
        await conn.ai_turn([" One last note: good work."], status="IDLE")
        await conn.hold()

    standin.behaviours = [thinks_then_ends]
    iid = relay_env.new_interview()
    candidate = await relay_env.connect(iid, relay_env.token(iid))
    await candidate.wait_for(lambda: "Let me think about your design." in candidate.finals())
    await asyncio.sleep(0.3)
    assert candidate.close_code is None and not candidate.of("session_ended")  # still in progress
    release.set()
    assert await candidate.wait_closed() == 1000
    assert candidate.finals()[-1] == "One last note: good work."
    await wait_until(lambda: lifecycle.get_interview_any(iid).status == InterviewStatus.COMPLETED)
