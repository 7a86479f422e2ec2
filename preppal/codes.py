"""ErrorResponse codes and WebSocket close codes (see proto/interview.proto).

The one home of the numbers: the relay, the live backends (Gemini, offline) and the
services that record an interview's error code all import them from here. One code means
one thing to the browser, whether it arrives as an ``ErrorResponse`` or as the close code;
the messages are plain sentences a candidate can read.
"""

from __future__ import annotations

NORMAL = 1000  # close code after SessionEnded
SERVICE_RESTART = 1012  # this process is shutting down: reconnect (Reconnect carries a resume token)

AUTH = 4001  # bad, expired, reused or foreign token; interview not in the right state
UPSTREAM = 4002  # the interviewer (Gemini / offline) failed or is not configured
MALFORMED = 4003  # text frame, undecodable protobuf, unknown or empty payload
BAD_AUDIO = 4004  # PCM16 payload with an odd number of bytes
TOO_LARGE = 4005  # one frame over the size cap (limits.MAX_FRAME_BYTES)
TOO_FAST = 4006  # audio arriving faster than real time (limits.RealTimeLimiter)
CODE_TOO_LARGE = 4007  # a code-editor snapshot over editor.MAX_CODE_BYTES (ignored, socket stays open)
ALREADY_CONNECTED = 4009  # a second live connection for the same interview
TIMEOUT = 4010  # the reconnect grace period ran out (the candidate never came back)
ANOTHER_LIVE = 4011  # the user already has another interview live (one live interview per user)
INTERNAL = 4500  # a bug on our side

MESSAGES: dict[int, str] = {
    AUTH: "Your session link is not valid. Please start the interview again.",
    UPSTREAM: "The interviewer is unavailable right now. Please try again in a moment.",
    MALFORMED: "The server received a message it could not understand.",
    BAD_AUDIO: "An audio chunk was not 16-bit PCM; it was dropped.",
    TOO_LARGE: "A message was too large; the connection was closed.",
    TOO_FAST: "Audio is arriving faster than real time; extra audio was dropped.",
    CODE_TOO_LARGE: "Your code is larger than 64 KiB, so the interviewer cannot see this version. "
    "Shorten it and it will be shared again.",
    ALREADY_CONNECTED: "This interview is already open in another window.",
    TIMEOUT: "The connection was lost for too long and the interview was ended.",
    ANOTHER_LIVE: "You already have another interview in progress. End it first.",
    INTERNAL: "An internal error occurred.",
}


# Codes that end the call, and the call page's error kind for each (preppal/state/meeting.py
# ERRORS); the browser component gets this table as a prop, so the numbers live only here.
FATAL_ERROR_KINDS: dict[int, str] = {
    AUTH: "expired",
    UPSTREAM: "ai_unavailable",
    ALREADY_CONNECTED: "already_open",
    TIMEOUT: "timeout",
    ANOTHER_LIVE: "another_live",
    INTERNAL: "internal",
}


def message_for(code: int) -> str:
    return MESSAGES.get(code, MESSAGES[INTERNAL])
