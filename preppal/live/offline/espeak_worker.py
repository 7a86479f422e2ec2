"""A helper process that turns text into speech with libespeak-ng (GPL-3).

Run as a separate program so that the GPL library is never linked into Preppal's own
process (and a crash in C code cannot take the app down). Protocol on stdin/stdout:
the worker prints ``ready <sample_rate>`` once, then for each JSON line
``{"text": ..., "voice": ..., "rate": ...}`` it writes a 4-byte little-endian length
followed by that many bytes of PCM16 mono audio at ``sample_rate``; with ``"phonemes": true``
the bytes are the text's IPA phonemes in UTF-8 instead (what a neural voice such as piper's
speaks from: ``natural_voice.py``), clause by clause, separated by spaces. A voice espeak-ng does
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
_PHONEMES_IPA = 0x02  # espeak_TextToPhonemes phonememode: IPA, no ties, no separator
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
        lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
        lib.espeak_TextToPhonemes.argtypes = [ctypes.POINTER(ctypes.c_char_p), ctypes.c_int, ctypes.c_int]
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
        text = request["text"].encode()
        if request.get("phonemes"):
            answer = _phonemes(lib, text)
        else:
            lib.espeak_SetParameter(_RATE, int(request.get("rate", 165)), 0)
            chunks.clear()
            lib.espeak_Synth(text, len(text) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
            answer = b"".join(chunks)
        out.write(struct.pack("<I", len(answer)) + answer)
        out.flush()
    return 0


def _phonemes(lib, text: bytes) -> bytes:  # type: ignore[no-untyped-def]
    """IPA for ``text``: espeak-ng returns one clause per call and moves the pointer on."""
    pointer = ctypes.c_char_p(text)
    clauses = []
    while pointer.value:
        clause = lib.espeak_TextToPhonemes(ctypes.byref(pointer), _CHARS_UTF8, _PHONEMES_IPA)
        if clause:
            clauses.append(clause)
    return b" ".join(clauses)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
