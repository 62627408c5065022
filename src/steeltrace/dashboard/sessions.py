"""Dashboard login sessions: a random session id in a cookie, the session on the server.

A person logs in once with an API token (``steeltrace users add``); the token is checked
exactly as the API checks a bearer token (:func:`steeltrace.api.auth.authenticate_token`)
and is then forgotten. The browser gets a cookie holding only a fresh random session id
(32 bytes, :func:`secrets.token_urlsafe`); the server keeps, in memory, the SHA-256 of
that id mapped to the user (its ``token_id``, never the secret) and the expiry. So:

* a forged or guessed cookie names no session (256-bit ids, looked up by hash);
* the API token never travels again and is never stored by the dashboard;
* every request checks the user again in ``users.sqlite3``: a revoked token ends its
  sessions at once, and the organisation's current record (roles, country) scopes the
  page, as in the API;
* a session ends at logout, after ``idle`` seconds without a request (1 hour), or
  ``lifetime`` seconds after login (8 hours), whichever comes first;
* sessions live in the serving process only: a restart logs everyone out (a choice: no
  session table to clean, nothing on disk a thief could replay).

The cookie is ``HttpOnly``, ``SameSite=Strict``, ``Path=/``, and ``Secure`` when the
request came over HTTPS.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace

from steeltrace.api.users import User, UserStore

COOKIE = "steeltrace_session"
IDLE_SECONDS = 60 * 60
LIFETIME_SECONDS = 8 * 60 * 60
MAX_SESSIONS = 10_000


@dataclass(frozen=True, slots=True)
class Session:
    token_id: str
    org: str
    name: str
    created: float
    last_seen: float


def _key(session_id: str) -> bytes:
    return hashlib.sha256(session_id.encode("utf-8", "surrogatepass")).digest()


class SessionStore:
    """Server-side sessions by the SHA-256 of their id. Thread-safe."""

    def __init__(
        self,
        *,
        idle: float = IDLE_SECONDS,
        lifetime: float = LIFETIME_SECONDS,
        max_sessions: int = MAX_SESSIONS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.idle = idle
        self.lifetime = lifetime
        self.max_sessions = max_sessions
        self._clock = clock
        self._lock = threading.Lock()
        self._sessions: OrderedDict[bytes, Session] = OrderedDict()

    def create(self, user: User) -> str:
        """A new session for ``user``; returns its id (for the cookie, shown nowhere else)."""
        session_id = secrets.token_urlsafe(32)
        now = self._clock()
        with self._lock:
            self._sessions[_key(session_id)] = Session(user.token_id, user.org, user.name, now, now)
            while len(self._sessions) > self.max_sessions:
                self._sessions.popitem(last=False)  # the oldest login goes first
        return session_id

    def get(self, session_id: str | None, *, touch: bool = True) -> Session | None:
        """The live session ``session_id`` names, or None; ``touch`` marks it used now
        (an open event stream checks its session without keeping it alive)."""
        if not session_id or len(session_id) > 128:
            return None
        key = _key(session_id)
        now = self._clock()
        with self._lock:
            found = self._sessions.get(key)
            if found is None:
                return None
            if now - found.last_seen >= self.idle or now - found.created >= self.lifetime:
                del self._sessions[key]
                return None
            if touch:
                found = replace(found, last_seen=now)
                self._sessions[key] = found
            return found

    def end(self, session_id: str | None) -> None:
        if session_id:
            with self._lock:
                self._sessions.pop(_key(session_id), None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)


def live_user(store: UserStore, session: Session) -> User | None:
    """The session's user as ``users.sqlite3`` has it now: None once revoked or gone."""
    for user in store.list(session.org):
        if user.token_id == session.token_id and user.name == session.name:
            return None if user.revoked_at is not None else user
    return None
