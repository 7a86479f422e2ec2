"""The speech models both sides of an interview use: Whisper and the model files it loads.

The live offline interviewer (:mod:`preppal.live.offline`) transcribes the candidate with
:mod:`.stt` while the call runs; the post-call analysis
(:mod:`preppal.services.analysis.speech_delivery`) listens again with word timestamps. Both
load the same pinned Whisper files (:mod:`.whisper_models`), checked by one hash
(:mod:`.pinned`), and both report a missing install with one error (:mod:`.errors`).

This package sits below both: it imports neither ``preppal.live`` nor ``preppal.services``.
The turn-taking VAD (``live/offline/vad.py``) stays with the live interviewer, its only user;
the analysis takes its speech spans from faster-whisper's own Silero session.
"""
