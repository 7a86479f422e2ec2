"""Wire helpers of the Gemini backend: tolerant of both casings and both base64 alphabets."""

from __future__ import annotations

import base64
import json

import websockets

from preppal.live.gemini_wire import AUDIO_PREFIX, AUDIO_SUFFIX, b64, close_code, pick, rate_of


def test_b64_accepts_both_alphabets_with_or_without_padding():
    data = bytes(range(256)) * 3
    assert b64(base64.b64encode(data).decode()) == data
    assert b64(base64.urlsafe_b64encode(data).decode()) == data
    assert b64(base64.urlsafe_b64encode(data[:-1]).decode().rstrip("=")) == data[:-1]
    assert b64(data) == data  # already decoded by the SDK


def test_pick_prefers_camel_case_and_falls_back_to_snake_case():
    assert pick({"turnComplete": True}, "turnComplete", "turn_complete") is True
    assert pick({"turn_complete": True}, "turnComplete", "turn_complete") is True
    assert pick({"turnComplete": False, "turn_complete": True}, "turnComplete", "turn_complete") is False
    assert pick({}, "a", "b") is None


def test_audio_message_is_the_documented_realtime_input():
    msg = json.loads(AUDIO_PREFIX + base64.b64encode(b"\x01\x02").decode() + AUDIO_SUFFIX)
    assert msg == {"realtime_input": {"audio": {"mime_type": "audio/pcm;rate=16000", "data": "AQI="}}}


def test_rate_and_close_code():
    assert rate_of("audio/pcm;rate=24000") == 24000
    assert rate_of("audio/pcm") == 24000 and rate_of(None) == 24000
    closed = websockets.ConnectionClosedError(websockets.frames.Close(1011, "x"), None)
    assert close_code(closed) == 1011
    assert close_code(websockets.ConnectionClosedError(None, None)) == 1006

    class APIError(Exception):
        code = 1008

    assert close_code(APIError()) == 1008
