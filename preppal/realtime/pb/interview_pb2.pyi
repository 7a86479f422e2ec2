from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ClientToServerMessage(_message.Message):
    __slots__ = ("audio_chunk", "end_request", "code_snapshot", "hold_floor")
    AUDIO_CHUNK_FIELD_NUMBER: _ClassVar[int]
    END_REQUEST_FIELD_NUMBER: _ClassVar[int]
    CODE_SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    HOLD_FLOOR_FIELD_NUMBER: _ClassVar[int]
    audio_chunk: AudioChunk
    end_request: EndRequest
    code_snapshot: CodeSnapshot
    hold_floor: HoldFloor
    def __init__(self, audio_chunk: _Optional[_Union[AudioChunk, _Mapping]] = ..., end_request: _Optional[_Union[EndRequest, _Mapping]] = ..., code_snapshot: _Optional[_Union[CodeSnapshot, _Mapping]] = ..., hold_floor: _Optional[_Union[HoldFloor, _Mapping]] = ...) -> None: ...

class AudioChunk(_message.Message):
    __slots__ = ("audio_content",)
    AUDIO_CONTENT_FIELD_NUMBER: _ClassVar[int]
    audio_content: bytes
    def __init__(self, audio_content: _Optional[bytes] = ...) -> None: ...

class EndRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class HoldFloor(_message.Message):
    __slots__ = ("held",)
    HELD_FIELD_NUMBER: _ClassVar[int]
    held: bool
    def __init__(self, held: _Optional[bool] = ...) -> None: ...

class CodeSnapshot(_message.Message):
    __slots__ = ("code", "language")
    CODE_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    code: str
    language: str
    def __init__(self, code: _Optional[str] = ..., language: _Optional[str] = ...) -> None: ...

class ServerToClientMessage(_message.Message):
    __slots__ = ("transcript_update", "audio_response", "error", "session_ended", "interrupted", "session_ready", "reconnect", "transcript_retracted")
    TRANSCRIPT_UPDATE_FIELD_NUMBER: _ClassVar[int]
    AUDIO_RESPONSE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    SESSION_ENDED_FIELD_NUMBER: _ClassVar[int]
    INTERRUPTED_FIELD_NUMBER: _ClassVar[int]
    SESSION_READY_FIELD_NUMBER: _ClassVar[int]
    RECONNECT_FIELD_NUMBER: _ClassVar[int]
    TRANSCRIPT_RETRACTED_FIELD_NUMBER: _ClassVar[int]
    transcript_update: TranscriptUpdate
    audio_response: AudioResponse
    error: ErrorResponse
    session_ended: SessionEnded
    interrupted: Interrupted
    session_ready: SessionReady
    reconnect: Reconnect
    transcript_retracted: TranscriptRetracted
    def __init__(self, transcript_update: _Optional[_Union[TranscriptUpdate, _Mapping]] = ..., audio_response: _Optional[_Union[AudioResponse, _Mapping]] = ..., error: _Optional[_Union[ErrorResponse, _Mapping]] = ..., session_ended: _Optional[_Union[SessionEnded, _Mapping]] = ..., interrupted: _Optional[_Union[Interrupted, _Mapping]] = ..., session_ready: _Optional[_Union[SessionReady, _Mapping]] = ..., reconnect: _Optional[_Union[Reconnect, _Mapping]] = ..., transcript_retracted: _Optional[_Union[TranscriptRetracted, _Mapping]] = ...) -> None: ...

class TranscriptUpdate(_message.Message):
    __slots__ = ("speaker", "text", "is_final", "segment_id")
    SPEAKER_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    IS_FINAL_FIELD_NUMBER: _ClassVar[int]
    SEGMENT_ID_FIELD_NUMBER: _ClassVar[int]
    speaker: str
    text: str
    is_final: bool
    segment_id: int
    def __init__(self, speaker: _Optional[str] = ..., text: _Optional[str] = ..., is_final: _Optional[bool] = ..., segment_id: _Optional[int] = ...) -> None: ...

class AudioResponse(_message.Message):
    __slots__ = ("audio_content", "sample_rate")
    AUDIO_CONTENT_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_RATE_FIELD_NUMBER: _ClassVar[int]
    audio_content: bytes
    sample_rate: int
    def __init__(self, audio_content: _Optional[bytes] = ..., sample_rate: _Optional[int] = ...) -> None: ...

class ErrorResponse(_message.Message):
    __slots__ = ("code", "message")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    code: int
    message: str
    def __init__(self, code: _Optional[int] = ..., message: _Optional[str] = ...) -> None: ...

class SessionEnded(_message.Message):
    __slots__ = ("reason",)
    class Reason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        REASON_UNSPECIFIED: _ClassVar[SessionEnded.Reason]
        USER_INITIATED: _ClassVar[SessionEnded.Reason]
        GEMINI_ENDED: _ClassVar[SessionEnded.Reason]
        TIMEOUT: _ClassVar[SessionEnded.Reason]
    REASON_UNSPECIFIED: SessionEnded.Reason
    USER_INITIATED: SessionEnded.Reason
    GEMINI_ENDED: SessionEnded.Reason
    TIMEOUT: SessionEnded.Reason
    REASON_FIELD_NUMBER: _ClassVar[int]
    reason: SessionEnded.Reason
    def __init__(self, reason: _Optional[_Union[SessionEnded.Reason, str]] = ...) -> None: ...

class Interrupted(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SessionReady(_message.Message):
    __slots__ = ("interviewer", "output_sample_rate", "max_duration_s", "elapsed_ms")
    INTERVIEWER_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_SAMPLE_RATE_FIELD_NUMBER: _ClassVar[int]
    MAX_DURATION_S_FIELD_NUMBER: _ClassVar[int]
    ELAPSED_MS_FIELD_NUMBER: _ClassVar[int]
    interviewer: str
    output_sample_rate: int
    max_duration_s: int
    elapsed_ms: int
    def __init__(self, interviewer: _Optional[str] = ..., output_sample_rate: _Optional[int] = ..., max_duration_s: _Optional[int] = ..., elapsed_ms: _Optional[int] = ...) -> None: ...

class TranscriptRetracted(_message.Message):
    __slots__ = ("segment_id",)
    SEGMENT_ID_FIELD_NUMBER: _ClassVar[int]
    segment_id: int
    def __init__(self, segment_id: _Optional[int] = ...) -> None: ...

class Reconnect(_message.Message):
    __slots__ = ("resume_token",)
    RESUME_TOKEN_FIELD_NUMBER: _ClassVar[int]
    resume_token: str
    def __init__(self, resume_token: _Optional[str] = ...) -> None: ...
