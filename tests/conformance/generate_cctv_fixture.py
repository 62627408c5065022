"""Write tests/conformance/fixtures/cctv_verdicts.json: our verdict on every CCTV case.

The CCTV Ed25519 vectors (C2SP/CCTV) are edge cases where correct libraries disagree
(low-order points, non-canonical encodings, cofactored vs cofactorless checks). There is
no right answer to test against; what matters is that every peer gives the same verdict,
so we pin ours. Regenerate only on purpose (a library upgrade is a protocol change):

    .venv/bin/python -m tests.conformance.generate_cctv_fixture

and review the diff: every flipped verdict is a consensus change.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import nacl

from steeltrace.core.crypto import verify_raw
from tests.conformance import conformance_root

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "cctv_verdicts.json"


def vectors_path() -> Path:
    return conformance_root() / "cctv-ed25519" / "ed25519" / "ed25519vectors.json"


def load_vectors() -> list[dict[str, Any]]:
    vectors: list[dict[str, Any]] = json.loads(vectors_path().read_text())
    return vectors


def verdict(vector: dict[str, Any]) -> bool:
    # In this file ``msg`` is text, not hex.
    return verify_raw(
        bytes.fromhex(vector["key"]), vector["msg"].encode("utf-8"), bytes.fromhex(vector["sig"])
    )


def compute_verdicts() -> dict[str, bool]:
    return {str(v["number"]): verdict(v) for v in load_vectors()}


def build_fixture() -> dict[str, Any]:
    verdicts = compute_verdicts()
    return {
        "description": (
            "steeltrace's Ed25519 verdict (steeltrace.core.crypto.verify_raw) on every "
            "C2SP/CCTV ed25519vectors.json case: true = accepted. Pinned so that every "
            "peer agrees; written by tests/conformance/generate_cctv_fixture.py."
        ),
        "library": f"PyNaCl {nacl.__version__} (libsodium)",
        "vectors_sha256": hashlib.sha256(vectors_path().read_bytes()).hexdigest(),
        "cases": len(verdicts),
        "accepted": sum(verdicts.values()),
        "verdicts": verdicts,
    }


def main() -> None:
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    FIXTURE.write_text(json.dumps(build_fixture(), indent=2) + "\n", encoding="utf-8")
    print(f"wrote {FIXTURE}")


if __name__ == "__main__":
    main()
