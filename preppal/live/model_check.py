"""Is the configured Gemini usable: the key, the Live model, the feedback model.

Three REST look-ups (a page of ``models.list``, ``models.get`` for each model) and our own
lifecycle tables (the Live profiles' stage, retired text models). Blocking: it runs on a
thread, at server start and on a timer (:func:`keep_checking`), and as the first rows of
``preppal doctor``. Each :class:`Finding` says what was checked, what was found and how to
fix it; :func:`verdict` turns them into the :mod:`preppal.gemini_status` the dashboard and
the interviewer choice read.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

from google.genai import errors

from preppal import gemini_status
from preppal.gemini_status import GeminiStatus
from preppal.live.gemini_profiles import Platform, profile_for
from preppal.services.feedback import model_retirements
from preppal.services.feedback.gemini import rest_client
from preppal.settings import DEFAULT_FEEDBACK_MODEL, DEFAULT_LIVE_MODEL, Settings, get_settings

log = logging.getLogger(__name__)
LIVE_METHOD = "bidiGenerateContent"
TEXT_METHOD = "generateContent"
KEY_FIX = "Create a key at https://aistudio.google.com/apikey and set GEMINI_API_KEY to it."
FEEDBACK_FIX = f"Set GEMINI_FEEDBACK_MODEL={DEFAULT_FEEDBACK_MODEL}."
NET_FIX = "Check this machine's internet access (proxy, firewall) to generativelanguage.googleapis.com."


@dataclass(frozen=True, slots=True)
class Finding:
    check: str  # what was checked ("API key", "Live model", …)
    ok: bool | None  # None: could not tell (Google unreachable, timed out)
    detail: str  # what was found
    fix: str = ""  # what to do about a failure
    blocks_interviews: bool = False  # the Gemini interviewer cannot run with this failure
    warning: bool = False  # ok, but worth saying (a deprecated model that still answers)


def _unreachable(check: str, exc: BaseException) -> Finding:
    return Finding(check, None, f"could not reach Google ({type(exc).__name__}: {str(exc)[:120]})", NET_FIX)


def _refused_key(exc: errors.APIError) -> bool:
    text = f"{exc.message or ''} {exc.status or ''}".lower()
    return exc.code in (401, 403) or (exc.code == 400 and "api key" in text)


def check_key(client: Any) -> Finding:
    """The key lists models (one page)."""
    try:
        count = len(client.models.list(config={"page_size": 50}).page)
    except errors.APIError as exc:
        if _refused_key(exc):
            return Finding("API key", False, f"refused by Google: {exc.message}", KEY_FIX, blocks_interviews=True)
        return Finding("API key", None, f"listing models failed: HTTP {exc.code} {exc.message}", NET_FIX)
    except Exception as exc:
        return _unreachable("API key", exc)
    return Finding("API key", True, f"valid (lists {count} models)")


def _get_model(client: Any, check: str, name: str) -> tuple[Any, Finding | None]:
    try:
        return client.models.get(model=name), None
    except errors.APIError as exc:
        if exc.code == 404:
            return None, Finding(check, False, f"{name} does not exist for this key", "")
        if _refused_key(exc):
            return None, Finding(check, False, "the key was refused", KEY_FIX)
        return None, Finding(check, None, f"looking up {name} failed: HTTP {exc.code} {exc.message}", NET_FIX)
    except Exception as exc:
        return None, _unreachable(check, exc)


def check_live_model(client: Any, settings: Settings) -> Finding:
    name = settings.gemini_model
    profile = profile_for(name)
    default = DEFAULT_LIVE_MODEL
    model, failed = _get_model(client, "Live model", name)
    if failed is not None:
        fix = f"Set GEMINI_MODEL={default} (or another model in docs/gemini.md)."
        if (profile.platform is Platform.VERTEX) != settings.gemini_vertex:
            where = "Vertex AI" if profile.platform is Platform.VERTEX else "the Gemini API"
            fix = (
                f"{name} is served on {where}: set GOOGLE_GENAI_USE_VERTEXAI accordingly, or {fix[0].lower()}{fix[1:]}"
            )
        return Finding(failed.check, failed.ok, failed.detail, failed.fix or fix, blocks_interviews=failed.ok is False)
    methods = set(model.supported_actions or ())
    if methods and LIVE_METHOD not in methods:
        return Finding(
            "Live model",
            False,
            f"{name} exists but is not a Live model (it offers {', '.join(sorted(methods))})",
            f"Set GEMINI_MODEL={default}.",
            blocks_interviews=True,
        )
    if profile.deprecated:
        when = f" (shutdown {profile.shutdown})" if profile.shutdown else ""
        return Finding(
            "Live model",
            False,
            f"{name} is deprecated{when}; it still answers",
            f"Set GEMINI_MODEL={profile.successor or default}.",
            warning=True,
        )
    return Finding("Live model", True, f"{name} ({profile.stage.value}, profile {profile.family})")


def check_feedback_model(client: Any, settings: Settings) -> Finding:
    name = settings.feedback_model
    gone = model_retirements.retirement(name)
    if gone is not None and gone.retired():
        return Finding("Feedback model", False, gone.sentence(), f"Set GEMINI_FEEDBACK_MODEL={gone.successor}.")
    model, failed = _get_model(client, "Feedback model", name)
    if failed is not None:
        return Finding(failed.check, failed.ok, failed.detail, failed.fix or FEEDBACK_FIX)
    methods = set(model.supported_actions or ())
    if methods and TEXT_METHOD not in methods:
        return Finding("Feedback model", False, f"{name} cannot generate text", FEEDBACK_FIX)
    if gone is not None:  # announced, not yet due
        return Finding(
            "Feedback model", False, gone.sentence(), f"Set GEMINI_FEEDBACK_MODEL={gone.successor}.", warning=True
        )
    return Finding("Feedback model", True, name)


def check_models(settings: Settings | None = None, timeout_s: float = 10.0) -> list[Finding]:
    """The three look-ups (blocking: call it on a thread). A refused key stops there."""
    settings = settings or get_settings()
    if not settings.gemini_api_key:
        return [Finding("API key", False, "no key is configured", KEY_FIX, blocks_interviews=True)]
    client = rest_client(settings, attempts=1, timeout_s=timeout_s)
    try:
        key = check_key(client)
        if key.ok is False:
            return [key]
        return [key, check_live_model(client, settings), check_feedback_model(client, settings)]
    finally:
        client.close()


def verdict(findings: list[Finding]) -> GeminiStatus:
    """What the dashboard and the interviewer choice need from the findings."""
    now = time.time()
    blocking = [f for f in findings if f.blocks_interviews and f.ok is False]
    if blocking:
        first = blocking[0]
        sentence = {
            "API key": "Google refused this server's Gemini API key.",
            "Live model": f"the configured Live model is not available ({first.detail}).",
        }.get(first.check, first.detail)
        return GeminiStatus(False, sentence, "; ".join(f"{f.check}: {f.detail}" for f in blocking), now)
    if any(f.ok is None for f in findings):
        return GeminiStatus(None, "", "; ".join(f"{f.check}: {f.detail}" for f in findings if f.ok is None), now)
    return GeminiStatus(True, "", "", now)


def run(settings: Settings | None = None) -> GeminiStatus:
    """Check, publish the verdict, log what is wrong. Blocking (a thread)."""
    findings = check_models(settings)
    for finding in findings:
        if finding.ok is False or finding.ok is None:
            level = logging.WARNING if finding.ok is False else logging.INFO
            log.log(level, "Gemini check: %s: %s. %s", finding.check, finding.detail, finding.fix)
    status = gemini_status.publish(verdict(findings))
    if status.available is False:
        log.warning("The Gemini interviewer is unavailable: %s", status.detail)
    return status


async def keep_checking(on_unavailable: Any = None) -> None:
    """Lifespan task: check at start, then every ``GEMINI_CHECK_INTERVAL_S``, on a thread
    (the audio loop never waits on Google). ``on_unavailable`` (a blocking callable) runs
    on a thread when the check turns Gemini off, e.g. to load the offline interviewer."""
    settings = get_settings()
    if not settings.use_gemini or not settings.gemini_api_key:
        return
    was = None
    while True:
        try:
            status = await asyncio.to_thread(run, settings)
            if status.available is False and was is not False and on_unavailable is not None:
                await asyncio.to_thread(on_unavailable)
            was = status.available
        except Exception:  # a check must never take the server down
            log.exception("the Gemini model check failed")
        if settings.gemini_check_interval_s <= 0:
            return
        await asyncio.sleep(settings.gemini_check_interval_s)
