"""Private keys held by an embedded node, in ``{home}/keys``.

``keys/orderer.key`` signs blocks; ``keys/orgs/{org}/{key_id}.key`` sign the
transactions of organisations this node acts for (embedded mode, the demo, the API's
node-signed writes). Files hold the 32-byte seed in hex, mode 0600.
"""

from __future__ import annotations

import os
from pathlib import Path

from steeltrace.core import crypto


class KeyStore:
    def __init__(self, home: Path) -> None:
        self.root = Path(home) / "keys"

    def _write(self, path: Path, key: crypto.SigningKey) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(key.seed.hex() + "\n")

    def save_orderer(self, key: crypto.SigningKey) -> None:
        self._write(self.root / "orderer.key", key)

    def orderer(self) -> crypto.SigningKey:
        return crypto.SigningKey(bytes.fromhex((self.root / "orderer.key").read_text().strip()))

    def save_org_key(self, org: str, key: crypto.SigningKey) -> str:
        kid = crypto.key_id(key.public_key)
        self._write(self.root / "orgs" / org / f"{kid}.key", key)
        return kid

    def org_keys(self, org: str) -> dict[str, crypto.SigningKey]:
        d = self.root / "orgs" / org
        out: dict[str, crypto.SigningKey] = {}
        if d.is_dir():
            for p in sorted(d.glob("*.key")):
                out[p.stem] = crypto.SigningKey(bytes.fromhex(p.read_text().strip()))
        return out

    def orgs(self) -> list[str]:
        d = self.root / "orgs"
        return sorted(p.name for p in d.iterdir() if p.is_dir()) if d.is_dir() else []
