"""Which new passwords we accept (sign-up, change, set): NIST SP 800-63B, section 5.1.1.2.

The standard asks for a minimum length (ours: 10), a generous maximum (1,024, which bounds
the Argon2 work per request), **no** composition rules ("a digit and a capital") and a
check of every new password against values known to be common, expected or compromised,
telling the person why one was refused. That check is `zxcvbn` (Dropbox's estimator, MIT,
offline): its frequency lists hold the most common passwords from leaks, names and English
words, and it scores keyboard walks, sequences, repeats, dates and l33t variations of them,
plus the person's own e-mail and name. We accept a score of 3 or more ("safely
unguessable": ≥ 10⁸ guesses), and pass its warning and first suggestion on in the message.

zxcvbn's cost grows quickly with length (random text, one core here: 32 chars ≈ 5 ms, 72 ≈
100 ms median and 340 ms at worst), so it reads the first ``ESTIMATE_CHARS`` characters
(≈ 8 ms median, 83 ms at worst of 200); a longer password is judged by its start, which is
where a weak one shows. Its per-call user dictionary is a module global: calls take a lock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from zxcvbn import zxcvbn

from preppal.services.errors import ValidationError
from preppal.services.input_limits import MAX_PASSWORD, MIN_PASSWORD, check_length

MIN_SCORE = 3  # of zxcvbn's 0–4
# Under every new-password field (sign-up, profile): what we check, in a sentence.
HINT = (
    f"At least {MIN_PASSWORD} characters and hard to guess: a few uncommon words work well; "
    "common passwords are refused."
)
ESTIMATE_CHARS = 40
_lock = threading.Lock()


def validate_new_password(password: str, user_inputs: Iterable[str] = ()) -> None:
    """Raise :class:`ValidationError` saying why, unless ``password`` may be set.

    ``user_inputs``: the account's e-mail, its local part and name (a password built from
    them is easy to guess for whoever knows the account)."""
    password = password or ""
    check_length(password, MAX_PASSWORD, "The password")
    if len(password) < MIN_PASSWORD:
        raise ValidationError(f"Choose a password of at least {MIN_PASSWORD} characters.")
    inputs = [s for value in user_inputs if value for s in (value, value.split("@")[0])]
    with _lock:
        result = zxcvbn(password[:ESTIMATE_CHARS], user_inputs=inputs)
    if result["score"] >= MIN_SCORE:
        return
    feedback = result.get("feedback") or {}
    why = (feedback.get("warning") or "it would be easy to guess").rstrip(".")
    advice = next(iter(feedback.get("suggestions") or []), "Use a few uncommon words together.")
    raise ValidationError(f"Choose a stronger password: {why[0].lower()}{why[1:]}. {advice}")
