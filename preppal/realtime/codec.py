"""Protobuf encode/decode for the browser wire format (hot path: no logging, no copies
beyond what protobuf itself makes)."""

from __future__ import annotations

from google.protobuf.message import DecodeError

from preppal.live.base import EndReason
from preppal.realtime.pb import interview_pb2 as pb

_REASONS = {
    EndReason.USER_INITIATED: pb.SessionEnded.USER_INITIATED,
    EndReason.AI_ENDED: pb.SessionEnded.GEMINI_ENDED,
    EndReason.TIMEOUT: pb.SessionEnded.TIMEOUT,
}


class MalformedFrame(ValueError):
    """A binary frame that is not a ClientToServerMessage with a known payload."""


def decode_client(data: bytes) -> pb.ClientToServerMessage:
    msg = pb.ClientToServerMessage()
    try:
        msg.ParseFromString(data)
    except DecodeError:
        raise MalformedFrame("undecodable protobuf") from None
    if msg.WhichOneof("payload") is None:
        # Unknown oneof members parse as unknown fields, so they land here too.
        raise MalformedFrame("empty or unknown payload")
    return msg


def audio_response(pcm: bytes, sample_rate: int) -> bytes:
    return pb.ServerToClientMessage(
        audio_response=pb.AudioResponse(audio_content=pcm, sample_rate=sample_rate)
    ).SerializeToString()


def transcript_update(segment_id: int, speaker: str, text: str, final: bool) -> bytes:
    return pb.ServerToClientMessage(
        transcript_update=pb.TranscriptUpdate(speaker=speaker, text=text, is_final=final, segment_id=segment_id)
    ).SerializeToString()


def error(code: int, message: str) -> bytes:
    return pb.ServerToClientMessage(error=pb.ErrorResponse(code=code, message=message)).SerializeToString()


def session_ended(reason: EndReason | None) -> bytes:
    value = _REASONS.get(reason, pb.SessionEnded.REASON_UNSPECIFIED) if reason else pb.SessionEnded.REASON_UNSPECIFIED
    return pb.ServerToClientMessage(session_ended=pb.SessionEnded(reason=value)).SerializeToString()


def interrupted() -> bytes:
    return pb.ServerToClientMessage(interrupted=pb.Interrupted()).SerializeToString()


def session_ready(interviewer: str, output_sample_rate: int, max_duration_s: int, elapsed_ms: int = 0) -> bytes:
    return pb.ServerToClientMessage(
        session_ready=pb.SessionReady(
            interviewer=interviewer,
            output_sample_rate=output_sample_rate,
            max_duration_s=max_duration_s,
            elapsed_ms=max(0, elapsed_ms),
        )
    ).SerializeToString()


def transcript_retracted(segment_id: int) -> bytes:
    return pb.ServerToClientMessage(
        transcript_retracted=pb.TranscriptRetracted(segment_id=segment_id)
    ).SerializeToString()


def reconnect(resume_token: str) -> bytes:
    return pb.ServerToClientMessage(reconnect=pb.Reconnect(resume_token=resume_token)).SerializeToString()


# Client-side helpers (tests, benchmark, scripted clients).
def client_audio(pcm: bytes) -> bytes:
    return pb.ClientToServerMessage(audio_chunk=pb.AudioChunk(audio_content=pcm)).SerializeToString()


def client_hold(held: bool) -> bytes:
    return pb.ClientToServerMessage(hold_floor=pb.HoldFloor(held=held)).SerializeToString()


def client_end() -> bytes:
    return pb.ClientToServerMessage(end_request=pb.EndRequest()).SerializeToString()


def decode_server(data: bytes) -> pb.ServerToClientMessage:
    msg = pb.ServerToClientMessage()
    msg.ParseFromString(data)
    return msg
