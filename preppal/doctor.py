"""``preppal doctor``: check a Gemini setup end to end before a candidate meets it.

For a person holding a real key (nothing in our tests reaches Google, so this is where the
facts we could not verify get checked; docs/gemini.md lists them):

1. the API key lists models;
2. the configured Live model exists, is a Live model, and is not deprecated;
3. the feedback model exists and is not retired;
4. a Live session opened with the exact config interviews use (live/gemini_config.py), the
   opening cue sent on the model's text channel: setup time, first audio, transcript seen;
5. one tiny feedback call with the structured output feedback uses.

Prints a table with the fix for each failure; exits 1 when any check failed, 0 otherwise
(warnings, e.g. a deprecated model that still answers, do not fail the run but say so).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from google.genai import errors

from preppal.live.base import InterviewBrief
from preppal.live.gemini_config import TextSender, live_config
from preppal.live.gemini_profiles import profile_for
from preppal.live.gemini_wire import b64, pick, shared_client
from preppal.live.model_check import NET_FIX, Finding, check_models
from preppal.live.prompt import OPENING_CUE
from preppal.models import Speaker
from preppal.services.analysis.transcript_metrics import compute_metrics
from preppal.services.feedback import gemini
from preppal.services.interviews.transcripts import TranscriptLine
from preppal.settings import Settings, get_settings

OK, FAIL, WARN, SKIP, UNKNOWN = "ok", "FAIL", "warn", "skipped", "??"
BRIEF = InterviewBrief("doctor", "behavioural", "Software engineer", "standard")
CONFIG_FIX = (
    "Google refused the session config this Preppal version builds for {model}: the model's rules "
    "changed. Set GEMINI_MODEL to a model in docs/gemini.md, or update Preppal."
)
TIMEOUT_FIX = (
    "No answer in time: check the network to Google, the key's quota (aistudio.google.com), or raise --timeout."
)


@dataclass(frozen=True, slots=True)
class Row:
    check: str
    result: str  # ok | FAIL | warn | skipped | ??
    detail: str
    fix: str = ""


def _row(finding: Finding) -> Row:
    if finding.ok is True:
        return Row(finding.check, OK, finding.detail)
    if finding.warning:
        return Row(finding.check, WARN, finding.detail, finding.fix)
    return Row(finding.check, FAIL if finding.ok is False else UNKNOWN, finding.detail, finding.fix)


# ---- the Live session ------------------------------------------------------------------------


async def _speak_once(settings: Settings, timeout_s: float) -> Row:
    """Open a session with our exact config, send the opening cue, wait for one spoken reply."""
    profile = profile_for(settings.gemini_model)
    config = await asyncio.to_thread(live_config, profile, BRIEF, settings)
    client = await shared_client(settings)
    started = time.monotonic()
    manager = client.aio.live.connect(model=settings.gemini_model, config=config)
    try:
        session = await asyncio.wait_for(manager.__aenter__(), timeout_s)
    except TimeoutError:
        return Row("Live session", FAIL, f"setup did not complete in {timeout_s:.0f} s", TIMEOUT_FIX)
    except errors.APIError as exc:
        fix = CONFIG_FIX.format(model=settings.gemini_model) if exc.code == 1007 else NET_FIX
        if exc.code == 1008:
            fix = f"Google does not serve {settings.gemini_model} to this key over the Live API: set GEMINI_MODEL."
        return Row("Live session", FAIL, f"refused at setup: {exc.code} {exc}"[:300], fix)
    except Exception as exc:
        return Row("Live session", FAIL, f"could not connect: {type(exc).__name__}: {exc}"[:300], NET_FIX)
    setup_s = time.monotonic() - started
    try:
        heard = await asyncio.wait_for(_first_reply(session, profile), timeout_s)
    except TimeoutError:
        return Row("Live session", FAIL, f"set up in {setup_s:.1f} s, then no reply in {timeout_s:.0f} s", TIMEOUT_FIX)
    except errors.APIError as exc:
        detail = f"set up in {setup_s:.1f} s, then closed: {exc.code} {exc}"[:300]
        return Row("Live session", FAIL, detail, CONFIG_FIX.format(model=settings.gemini_model))
    finally:
        try:
            await asyncio.wait_for(manager.__aexit__(None, None, None), 3)
        except Exception:
            pass
    first_audio_s, audio_bytes, transcript = heard
    detail = (
        f"{profile.model}: setup {setup_s:.2f} s, first audio {first_audio_s:.2f} s after the cue, "
        f"{audio_bytes / 48_000:.2f} s of speech, transcript: " + (f"“{transcript[:60]}”" if transcript else "none")
    )
    if not transcript:
        return Row("Live session", WARN, detail, "No output transcript arrived: the live transcript would stay empty.")
    return Row("Live session", OK, detail)


async def _first_reply(session: Any, profile: Any) -> tuple[float, int, str]:
    """Send the cue on the model's channel; collect until the model's turn completes."""
    started = time.monotonic()
    await TextSender(profile).cue(session, OPENING_CUE)
    first_audio, audio, words = 0.0, 0, []
    while True:
        async for message in session.receive():
            content = message.model_dump(exclude_none=True).get("server_content") or {}
            for part in (pick(content, "modelTurn", "model_turn") or {}).get("parts") or ():
                blob = pick(part, "inlineData", "inline_data")
                if blob and blob.get("data"):
                    first_audio = first_audio or time.monotonic()
                    audio += len(b64(blob["data"]))
            said = pick(content, "outputTranscription", "output_transcription")
            if said and said.get("text"):
                words.append(said["text"])
            if pick(content, "turnComplete", "turn_complete") and audio:
                return first_audio - started, audio, "".join(words).strip()


# ---- the feedback call -----------------------------------------------------------------------


def _feedback_once(settings: Settings, timeout_s: float) -> Row:
    lines = [
        TranscriptLine(1, Speaker.AI, "Tell me about a project you are proud of.", 0, 3_000),
        TranscriptLine(2, Speaker.USER, "I moved our billing to a queue and we stopped losing payments.", 4_000, 9_000),
    ]
    ctx = gemini.InterviewContext("behavioural", "Software engineer", "standard")
    started = time.monotonic()
    try:
        result = gemini.generate(
            ctx, lines, compute_metrics(lines), settings=settings, attempts=1, timeout_s=timeout_s, parse_attempts=1
        )
    except gemini.FeedbackUnavailable as exc:
        return Row("Feedback call", FAIL, f"{settings.feedback_model}: {exc.message}", NET_FIX)
    took = time.monotonic() - started
    detail = f"{settings.feedback_model}: valid structured feedback in {took:.1f} s (score {result.overall_score})"
    return Row("Feedback call", OK, detail)


# ---- the whole run ---------------------------------------------------------------------------


async def run_checks(settings: Settings | None = None, timeout_s: float = 20.0) -> list[Row]:
    settings = settings or get_settings()
    findings = await asyncio.to_thread(check_models, settings, timeout_s)
    rows = [_row(f) for f in findings]
    names = {r.check for r in rows}
    key_ok = findings[0].ok is not False
    live_blocked = any(f.check == "Live model" and f.blocks_interviews and f.ok is False for f in findings)
    if not key_ok or live_blocked:
        rows.append(Row("Live session", SKIP, "needs a valid key and Live model"))
    else:
        rows.append(await _speak_once(settings, timeout_s))
    feedback_blocked = any(f.check == "Feedback model" and f.ok is False and not f.warning for f in findings)
    if not key_ok or feedback_blocked or "Feedback model" not in names:
        rows.append(Row("Feedback call", SKIP, "needs a valid key and feedback model"))
    else:
        rows.append(await asyncio.to_thread(_feedback_once, settings, timeout_s))
    return rows


def render(rows: list[Row], settings: Settings) -> str:
    head = (
        f"Gemini doctor — Live model {settings.gemini_model}, feedback model {settings.feedback_model}, "
        f"{'Vertex AI' if settings.gemini_vertex else 'Gemini API'} {settings.api_version}"
        + (f" at {settings.gemini_base_url}" if settings.gemini_base_url else "")
    )
    width = max(len(r.check) for r in rows)
    lines = [head, ""]
    for r in rows:
        lines.append(f"{r.check:<{width}}  {r.result:<7}  {r.detail}")
        if r.fix and r.result != OK:
            lines.append(f"{'':<{width}}  {'':<7}  → {r.fix}")
    failed = sum(r.result in (FAIL, UNKNOWN) for r in rows)
    lines += ["", "All checks passed." if not failed else f"{failed} check(s) failed: see the fixes above."]
    return "\n".join(lines)


def exit_status(rows: list[Row]) -> int:
    return 1 if any(r.result in (FAIL, UNKNOWN) for r in rows) else 0


def main(timeout_s: float = 20.0) -> int:
    settings = get_settings()
    rows = asyncio.run(run_checks(settings, timeout_s))
    print(render(rows, settings), flush=True)
    return exit_status(rows)
