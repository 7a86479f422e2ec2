"""Model files are checked against the SHA-256 pinned beside them in code.

The offline models come from registry packages, some of them third-party uploads; a file
replaced on disk must not load. One way to hash a file, for every model that is checked.
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def sha256(path: Path) -> str:
    """The file's SHA-256 in hex (read in blocks by the standard library)."""
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()
