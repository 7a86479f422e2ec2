"""Analysis: what the post-call feedback measures. ``speech_delivery`` decides which delivery
metrics an interview gets and where the work runs; ``audio_metrics`` measures them from the
recording (Whisper and Silero spans), ``transcript_metrics`` from the transcript's timing;
``fillers`` holds the filler words per language; ``answers`` splits the transcript into
questions and their answers. The feedback jobs (feedback/produce.py) call these."""
