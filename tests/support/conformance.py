"""Where the public conformance vectors are: the one place every suite asks.

In order: ``$STEELTRACE_CONFORMANCE``; ``<repo>/../shared/conformance`` (the workspace
layout, and CI's); for a clone of a local working tree (what
``../shared/tools/fresh-clone-check`` makes in a temporary folder), the same folder beside
the repository it was cloned from. Missing is a failure, never a skip.
"""

from __future__ import annotations

import functools
import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _origin_checkout() -> Path | None:
    try:
        url = subprocess.run(
            ["git", "-C", str(REPO), "config", "--get", "remote.origin.url"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
    except OSError:
        return None
    if url.startswith("file://"):
        url = url[len("file://") :]
    path = Path(url)
    return path if url and path.is_absolute() and path.is_dir() else None


@functools.cache
def conformance_root() -> Path:
    candidates = []
    if os.environ.get("STEELTRACE_CONFORMANCE"):
        candidates.append(Path(os.environ["STEELTRACE_CONFORMANCE"]))
    candidates.append(REPO.parent / "shared" / "conformance")
    origin = _origin_checkout()
    if origin is not None:
        candidates.append(origin.parent / "shared" / "conformance")
    for folder in candidates:
        if folder.is_dir():
            return folder
    raise FileNotFoundError(
        "conformance vectors not found (tried " + ", ".join(map(str, candidates)) + ")"
    )
