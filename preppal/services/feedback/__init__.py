"""Feedback: what a candidate reads after the call. The move to COMPLETED queues one job
(interviews/lifecycle.py); ``jobs`` polls the queue (``queue``: the Feedback row's states,
claims and reads) and ``produce`` makes one feedback: the delivery metrics
(analysis/speech_delivery.py), the ``scorecard_card`` built from the stored notes, then the
review by Gemini (``gemini``, ``review``; ``model_retirements`` keeps retired models out) or
by the built-in ``analyzer``, both in the shape of ``schema``. ``report`` is one interview as
the feedback page and the exports show it."""
