"""Recordings: the relay's recorder (realtime/recorder.py) feeds ``writer`` (Opus/Ogg on a
thread of its own, on the interview clock), which keeps them in ``store`` (a local folder or
S3-compatible storage); ``tracks`` reads them back for the player, the downloads and the
post-call analysis (analysis/speech_delivery.py)."""
