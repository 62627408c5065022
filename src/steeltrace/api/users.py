"""API users: named tokens that act for one organisation within one of its roles.

A user is ``(org, name)`` with a role. The role is one of the organisation's roles in
the world state (``org/{org}``'s ``roles``) or ``viewer``, which may only read. The
user acts for its organisation only: the node signs embedded-mode transactions with
that organisation's key, and client-signed envelopes must be signed by it.

Tokens are ``st_{token_id}_{secret}``: ``token_id`` (8 random bytes, hex) finds the row,
and only SHA-256 of the 32-byte ``secret`` is stored, compared in constant time
(:func:`hmac.compare_digest`). A stolen database therefore holds no usable token, and a
token is shown exactly once, when it is made.

The store is one SQLite file, ``{home}/users.sqlite3`` (WAL, synchronous=FULL), shared
with the idempotency records of :mod:`steeltrace.api.idempotency`. This module leaves
the HTTP side (headers, 401 answers) to :mod:`steeltrace.api.auth`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from steeltrace.core.schema import format_time
from steeltrace.errors import Forbidden, InvalidInput, NotFound

DB_NAME = "users.sqlite3"
VIEWER = "viewer"
TOKEN_PREFIX = "st_"

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_TOKEN = re.compile(r"^st_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    token_id   TEXT PRIMARY KEY,
    org        TEXT NOT NULL,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL,
    secret_sha256 BLOB NOT NULL,
    created_at REAL NOT NULL,
    revoked_at REAL
);
CREATE UNIQUE INDEX IF NOT EXISTS users_org_name ON users (org, name);
"""


class StateReader(Protocol):
    def get(self, key: str) -> Any | None: ...


@dataclass(frozen=True, slots=True)
class User:
    """An API user as the rest of the API sees it (never the secret)."""

    token_id: str
    org: str
    name: str
    role: str
    created_at: float
    revoked_at: float | None

    @property
    def id(self) -> str:
        return f"{self.org}/{self.name}"

    @property
    def read_only(self) -> bool:
        return self.role == VIEWER

    def to_dict(self) -> dict[str, Any]:
        return {
            "user": self.name,
            "org": self.org,
            "role": self.role,
            "created_at": _rfc3339(self.created_at),
            "revoked": self.revoked_at is not None,
            "revoked_at": None if self.revoked_at is None else _rfc3339(self.revoked_at),
        }


def _rfc3339(epoch: float) -> str:
    return format_time(datetime.fromtimestamp(epoch, UTC).replace(microsecond=0))


def connect(path: Path) -> sqlite3.Connection:
    """Open the API's SQLite file with the settings every user of it needs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10.0)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA busy_timeout=10000")
    return conn


def _hash(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("ascii")).digest()


def allowed_roles(state: StateReader, org: str) -> frozenset[str]:
    """The roles a user of ``org`` may be given: the organisation's roles and viewer."""
    record = state.get(f"org/{org}")
    if record is None:
        raise NotFound("ORG_UNKNOWN", f"organisation {org!r} is not a member of this network")
    return frozenset(record.get("roles", ())) | {VIEWER}


class UserStore:
    """The users table. Thread-safe: one connection behind a lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._conn = connect(path)
        self._conn.executescript(_SCHEMA)

    @classmethod
    def in_home(cls, home: Path) -> UserStore:
        return cls(Path(home) / DB_NAME)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> UserStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def add(self, state: StateReader, org: str, name: str, role: str) -> tuple[User, str]:
        """Create a user; returns it and its token (the only time the token exists)."""
        if not isinstance(name, str) or not _NAME.match(name):
            raise InvalidInput(
                "USER_NAME_INVALID",
                "a user name is 1-64 of A-Z a-z 0-9 . _ - starting with a letter or digit",
            )
        allowed = allowed_roles(state, org)
        if role not in allowed:
            raise Forbidden(
                "USER_ROLE_NOT_HELD",
                f"organisation {org!r} does not hold the role {role!r}; "
                f"choose one of {', '.join(sorted(allowed))}",
            )
        token_id = secrets.token_hex(8)
        secret = secrets.token_urlsafe(32)
        user = User(token_id, org, name, role, time.time(), None)
        with self._tx() as conn:
            existing = conn.execute(
                "SELECT 1 FROM users WHERE org = ? AND name = ?", (org, name)
            ).fetchone()
            if existing is not None:
                raise InvalidInput(
                    "USER_EXISTS",
                    f"user {name!r} of {org!r} already exists; revoke it or pick another name",
                )
            conn.execute(
                "INSERT INTO users (token_id, org, name, role, secret_sha256, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (token_id, org, name, role, _hash(secret), user.created_at),
            )
        return user, f"{TOKEN_PREFIX}{token_id}_{secret}"

    def authenticate(self, token: str) -> User | None:
        """The live user holding ``token``, or None (unknown, malformed or revoked)."""
        match = _TOKEN.match(token)
        if match is None:
            return None
        token_id, secret = match.groups()
        with self._lock:
            row = self._conn.execute(
                "SELECT token_id, org, name, role, created_at, revoked_at, secret_sha256"
                " FROM users WHERE token_id = ?",
                (token_id,),
            ).fetchone()
        if row is None:
            # Compare anyway so an unknown id costs the same as a wrong secret.
            hmac.compare_digest(_hash(secret), bytes(32))
            return None
        if not hmac.compare_digest(_hash(secret), bytes(row[6])):
            return None
        if row[5] is not None:
            return None
        return User(*row[:6])

    def list(self, org: str | None = None) -> list[User]:
        query = "SELECT token_id, org, name, role, created_at, revoked_at FROM users"
        args: tuple[str, ...] = ()
        if org is not None:
            query += " WHERE org = ?"
            args = (org,)
        with self._lock:
            rows = self._conn.execute(query + " ORDER BY org, name", args).fetchall()
        return [User(*row) for row in rows]

    def revoke(self, org: str, name: str) -> User:
        """Revoke a user's token from now on; its name stays taken (an audit trail)."""
        with self._tx() as conn:
            row = conn.execute(
                "SELECT token_id, org, name, role, created_at, revoked_at FROM users"
                " WHERE org = ? AND name = ?",
                (org, name),
            ).fetchone()
            if row is None:
                raise NotFound("USER_UNKNOWN", f"no user {name!r} of organisation {org!r}")
            if row[5] is None:
                now = time.time()
                conn.execute("UPDATE users SET revoked_at = ? WHERE token_id = ?", (now, row[0]))
                row = (*row[:5], now)
        return User(*row)


def _with_state(home: Path, node: StateReader | None) -> tuple[StateReader, Any]:
    if node is not None:
        return node, None
    from steeltrace.node.service import Node

    # Read-only use: no block producer, so this is safe beside a running server.
    opened = Node.open(Path(home), start=False)
    return opened, opened


def add_user(
    home: Path, org_id: str, name: str, role: str, *, node: StateReader | None = None
) -> str:
    """Create a user of ``org_id`` in ``home`` and return its token (shown once).

    ``node`` is any state reader (a running :class:`~steeltrace.node.service.Node`);
    without one, the node in ``home`` is opened for the role check and closed again.
    """
    state, opened = _with_state(home, node)
    try:
        with UserStore.in_home(home) as store:
            _, token = store.add(state, org_id, name, role)
    finally:
        if opened is not None:
            opened.close()
    return token


def list_users(home: Path, org_id: str | None = None) -> list[dict[str, Any]]:
    with UserStore.in_home(home) as store:
        return [u.to_dict() for u in store.list(org_id)]


def revoke_user(home: Path, org_id: str, name: str) -> dict[str, Any]:
    with UserStore.in_home(home) as store:
        return store.revoke(org_id, name).to_dict()


def users_add_command(
    home: Path, org: str, name: str, role: str, *, node: StateReader | None = None
) -> dict[str, Any]:
    """What ``steeltrace users add ORG NAME --role ROLE`` prints: the token, once."""
    token = add_user(home, org, name, role, node=node)
    return {"user": name, "org": org, "role": role, "token": token}
