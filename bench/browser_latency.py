"""Browser latency of the meeting screen on the production build (prints numbers only).

1. Click Start → first AI audio sample played, with "Gemini" (the Live-API stand-in,
   real google-genai SDK in the relay) answering the moment the session is set up.
   The component marks each step with performance.now(): mic granted, token received,
   socket open, SessionReady, first AudioResponse, first samples played by the worklet.
2. Page load → interactive: navigation start → the Start button is rendered and the
   page state (interview loaded over Reflex's socket) is there, in a fresh browser
   context (cold cache) and after a reload (warm cache).

Targets: (1) ≤ 1.0 s, (2) ≤ 1.5 s. Results go to docs/performance.md.

    .venv/bin/python -m bench.browser_latency [--runs 7]      # the suite runs --runs 2

The last line holds the medians:

    browser_latency: Start → first audio X ms, load → interactive cold Y ms, warm Z ms (N runs)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from preppal.services.accounts import auth  # noqa: E402
from tests.e2e.meeting_helpers import ThreadedStandin, pcm24k_tone  # noqa: E402
from tests.support import browser as browser_support  # noqa: E402
from tests.support.app_server import start_app_server  # noqa: E402
from tests.support.users import PASSWORD  # noqa: E402

# Records when the page became usable: Start button present and the interview loaded.
INTERACTIVE_PROBE = """
(() => {
  const check = () => {
    const button = document.querySelector('[data-testid="start-call"]');
    const heading = document.querySelector('[data-testid="interview-role"]');
    if (button && !button.disabled && heading && heading.textContent.trim()) {
      window.__interactiveAt = performance.now();
      return true;
    }
    return false;
  };
  const observer = new MutationObserver(() => { if (check()) observer.disconnect(); });
  document.addEventListener('DOMContentLoaded', () => {
    if (!check()) observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  });
})();
"""

STEPS = [("micAt", "mic granted"), ("tokenAt", "token"), ("openAt", "socket open"), ("readyAt", "SessionReady"),
         ("firstAudioMsgAt", "first AudioResponse"), ("firstAudioAt", "first sample played")]  # fmt: skip


def summary(values: list[float]) -> str:
    values = sorted(values)
    return (
        f"median {statistics.median(values):7.0f} ms   min {values[0]:7.0f}   max {values[-1]:7.0f}   (n={len(values)})"
    )


async def answer_at_once(conn) -> None:
    """The interviewer speaks immediately: 300 ms of 24 kHz audio, then its transcript."""
    await conn.audio(pcm24k_tone(0.3))
    await conn.output_transcript("Hello! Tell me about yourself.")
    await conn.turn_complete()
    await conn.hold()


def seed(server, count: int) -> tuple[str, list[str], list[str]]:
    """A user to sign in with (and warm the server up), then ``count`` users with one interview
    each and a session: a candidate may have one live interview at a time, and a closed page
    leaves its call live for the grace period."""
    os.environ["DATABASE_URL"] = server.database_url
    os.environ["PREPPAL_DATA_DIR"] = str(server.data_dir)
    from preppal.services.accounts import auth
    from preppal.services.interviews import lifecycle
    from preppal.settings import reset_settings

    reset_settings()
    stamp = time.time_ns()
    email = f"bench-{stamp}@example.com"
    users = [auth.sign_up(email, PASSWORD, "Bench")]
    users += [auth.sign_up(f"bench-{stamp}-{n}@example.com", PASSWORD, "Bench") for n in range(count)]
    ids = [lifecycle.create_interview(u.id, interview_type="behavioural", role="Engineer").id for u in users]
    return email, ids, [auth.create_login_session(u.id) for u in users]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    standin = ThreadedStandin().start()
    standin.behaviour = answer_at_once
    server = start_app_server(
        "bench-browser",
        {
            "PREPPAL_INTERVIEWER": "gemini",
            "GEMINI_API_KEY": "bench-key",
            "GEMINI_BASE_URL": standin.server.base_url,
            "GEMINI_CA_FILE": str(standin.server.cert_file),
        },
    )
    try:
        email, ids, sessions = seed(server, args.runs)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=browser_support.chromium_path(), args=browser_support.chromium_args()
            )
            signer = browser.new_context(base_url=server.url)
            page = signer.new_page()
            page.goto(f"/interview/{ids[0]}/live")
            page.wait_for_url("**/sign-in?**")
            page.get_by_label("Email").fill(email)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.get_by_test_id("start-call").wait_for()
            signer.close()

            cold, warm, ttfb, dcl = [], [], [], []
            steps: dict[str, list[float]] = {key: [] for key, _ in STEPS}
            for run, (interview_id, session) in enumerate(zip(ids[1:], sessions[1:], strict=True), 1):
                context = browser.new_context(base_url=server.url)  # fresh cache: a cold load
                context.add_cookies([{"name": auth.SESSION_COOKIE, "value": session, "url": server.url}])
                context.add_init_script(INTERACTIVE_PROBE)
                page = context.new_page()
                page.goto(f"/interview/{interview_id}/live")
                page.wait_for_function("window.__interactiveAt !== undefined", timeout=30_000)
                nav = page.evaluate("performance.getEntriesByType('navigation')[0].toJSON()")
                cold.append(page.evaluate("window.__interactiveAt"))
                ttfb.append(nav["responseStart"])
                dcl.append(nav["domContentLoadedEventEnd"])
                page.reload()
                page.wait_for_function("window.__interactiveAt !== undefined", timeout=30_000)
                warm.append(page.evaluate("window.__interactiveAt"))

                page.get_by_test_id("start-call").click()
                page.wait_for_function("window.__preppalCall && window.__preppalCall.firstAudioAt", timeout=30_000)
                call = page.evaluate("window.__preppalCall")
                for key, _ in STEPS:
                    steps[key].append(call[key] - call["startClickedAt"])
                print(
                    f"run {run}: load→interactive cold {cold[-1]:.0f} ms, warm {warm[-1]:.0f} ms; "
                    f"Start→first audio {steps['firstAudioAt'][-1]:.0f} ms (context {call['contextRate']} Hz)",
                    flush=True,
                )
                context.close()
            browser.close()

        print(f"\nload-average (1 min) at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print("Start click → … (cumulative):")
        for key, label in STEPS:
            print(f"  {label:<22} {summary(steps[key])}")
        print("Page load → interactive (Start button usable, interview loaded):")
        print(f"  cold cache             {summary(cold)}")
        print(f"  warm cache (reload)    {summary(warm)}")
        print(f"  cold: first byte       {summary(ttfb)}")
        print(f"  cold: DOMContentLoaded {summary(dcl)}")
        print("targets: Start→first audio ≤ 1000 ms, load→interactive ≤ 1500 ms")
        print(
            f"browser_latency: Start → first audio {statistics.median(steps['firstAudioAt']):.0f} ms, "
            f"load → interactive cold {statistics.median(cold):.0f} ms, warm {statistics.median(warm):.0f} ms "
            f"({args.runs} runs)"
        )
    finally:
        server.stop()
        standin.stop()


if __name__ == "__main__":
    main()
