"""Debian Chromium driven by Playwright (never a downloaded browser), with a fake mic."""

from __future__ import annotations

import shutil
from pathlib import Path

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--autoplay-policy=no-user-gesture-required",
]


def chromium_path() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium") or ""):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def chromium_args(fake_mic_wav: Path | None = None, grant_media: bool = True) -> list[str]:
    """Flags for a headless run; with a WAV, the microphone plays that file once."""
    args = list(CHROMIUM_ARGS)
    if grant_media:
        args.append("--use-fake-ui-for-media-stream")
    if fake_mic_wav is not None or grant_media:
        args.append("--use-fake-device-for-media-stream")
    if fake_mic_wav is not None:
        args.append(f"--use-file-for-fake-audio-capture={fake_mic_wav.resolve()}%noloop")
    return args
