"""A helper process that turns text into speech with libespeak-ng (GPL-3).

Run as a separate program so that the GPL library is never linked into Preppal's own
process (and a crash in C code cannot take the app down). Protocol on stdin/stdout:
the worker prints ``ready <sample_rate>`` once, then for each JSON line
``{"text": ..., "voice": ..., "rate": ...}`` it writes a 4-byte little-endian length
followed by that many bytes of PCM16 mono audio at ``sample_rate``. A voice espeak-ng does
not have is answered with the length :data:`NO_SUCH_VOICE` and no audio (espeak-ng itself
would silently keep speaking with the previous voice).

Only the standard library is imported here: the parent passes the library and data paths.
"""

from __future__ import annotations

import ctypes
import json
import struct
import sys

_SYNCHRONOUS = 2  # espeak_AUDIO_OUTPUT: call the callback, return when done
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_RATE = 1  # espeak_PARAMETER
NO_SUCH_VOICE = 0xFFFFFFFF


def main(library_path: str, data_path: str) -> int:
    out = sys.stdout.buffer
    try:
        lib = ctypes.CDLL(library_path)
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Synth.argtypes = [
            ctypes.c_char_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        sample_rate = lib.espeak_Initialize(_SYNCHRONOUS, 0, data_path.encode(), 0)
        if sample_rate <= 0:
            raise RuntimeError(f"espeak_Initialize returned {sample_rate}")
    except Exception as exc:  # reported to the parent as one line
        out.write(f"error {exc}\n".encode())
        out.flush()
        return 1

    chunks: list[bytes] = []
    callback_type = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)

    def on_audio(wav, count, _events):  # type: ignore[no-untyped-def]
        if count > 0 and wav:
            chunks.append(ctypes.string_at(wav, count * 2))
        return 0

    callback = callback_type(on_audio)  # kept referenced for the process lifetime
    lib.espeak_SetSynthCallback(callback)
    out.write(f"ready {sample_rate}\n".encode())
    out.flush()

    voice = ""
    for line in sys.stdin.buffer:
        request = json.loads(line)
        if request.get("voice", "en-us") != voice:
            voice = request.get("voice", "en-us")
            if lib.espeak_SetVoiceByName(voice.encode()) != 0:  # EE_OK
                voice = ""
                out.write(struct.pack("<I", NO_SUCH_VOICE))
                out.flush()
                continue
        lib.espeak_SetParameter(_RATE, int(request.get("rate", 165)), 0)
        text = request["text"].encode()
        chunks.clear()
        lib.espeak_Synth(text, len(text) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
        pcm = b"".join(chunks)
        out.write(struct.pack("<I", len(pcm)) + pcm)
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
