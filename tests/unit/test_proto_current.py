"""The checked-in Python protobuf code is what protoc makes from proto/interview.proto today."""

from __future__ import annotations

from pathlib import Path

from scripts.gen_proto import DEFAULT_OUT, generate


def test_generated_python_is_current(tmp_path: Path) -> None:
    generate(tmp_path)
    for name in ("interview_pb2.py", "interview_pb2.pyi"):
        fresh = (tmp_path / name).read_text()
        assert (DEFAULT_OUT / name).read_text() == fresh, f"{name} is stale: run python scripts/gen_proto.py"


def test_contract_fields_keep_their_numbers() -> None:
    """shared/spec 003 §3.3 numbers must never change (additions only)."""
    from preppal.realtime.pb import interview_pb2 as pb

    def numbers(message) -> dict[str, int]:
        return {f.name: f.number for f in message.DESCRIPTOR.fields}

    assert {"audio_chunk": 1, "end_request": 2}.items() <= numbers(pb.ClientToServerMessage).items()
    assert numbers(pb.ClientToServerMessage)["code_snapshot"] == 3  # Preppal's addition (the code editor)
    assert numbers(pb.ClientToServerMessage)["hold_floor"] == 4  # Preppal's addition (holding the floor)
    assert numbers(pb.ServerToClientMessage)["transcript_retracted"] == 8  # (a misjudged end of turn)
    assert {"transcript_update": 1, "audio_response": 2, "error": 3, "session_ended": 4}.items() <= numbers(
        pb.ServerToClientMessage
    ).items()
    assert {"speaker": 1, "text": 2, "is_final": 3}.items() <= numbers(pb.TranscriptUpdate).items()
    assert numbers(pb.ErrorResponse) == {"code": 1, "message": 2}
    assert dict(pb.SessionEnded.Reason.items()) == {
        "REASON_UNSPECIFIED": 0,
        "USER_INITIATED": 1,
        "GEMINI_ENDED": 2,
        "TIMEOUT": 3,
    }
