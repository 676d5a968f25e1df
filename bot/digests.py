"""The SHA-256 of a kept file: what an event records so a photo or a video can be traced."""

from __future__ import annotations

import hashlib
from pathlib import Path


def sha256_of(path: Path) -> str:
    with path.open("rb") as handle:  # read in chunks: videos are hundreds of megabytes
        return hashlib.file_digest(handle, "sha256").hexdigest()
