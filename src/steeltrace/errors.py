"""The one error family of steeltrace.

Errors are sorted by whose fault they are, because callers act differently on each:

* ``InvalidInput``  - the bytes or the shape are wrong (malformed JSON, unknown field,
  oversized body). Nothing reached the ledger. HTTP 400/413/422.
* ``Rejected``      - a deterministic rule of the ledger said no (wrong signer, replay,
  mass inflation...). Every peer reaches the same verdict from the same state and the
  same transaction, so a rejection can be recorded in a block. HTTP 409/403.
* ``NotFound``      - the thing asked for does not exist (or is not visible). HTTP 404.
* ``Unauthorized`` / ``Forbidden`` - API authentication and authorisation. HTTP 401/403.
* ``LocalFault``    - this node's disk, database or network failed. Never a verdict on
  a transaction: the node retries or halts, it never marks a transaction invalid.
* ``IntegrityError`` - stored data does not verify (tampering, torn write, fork).

Every error carries a stable ``code`` (UPPER_SNAKE, documented in docs/errors.md) and a
message a person can act on. Codes are part of the protocol: never rename one.
"""

from __future__ import annotations

from typing import Any


class SteeltraceError(Exception):
    """Root of every error steeltrace raises on purpose."""

    kind = "error"
    http_status = 500

    def __init__(self, code: str, message: str, **detail: Any) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.detail = detail

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message, "kind": self.kind}
        if self.detail:
            out["detail"] = self.detail
        return out


class InvalidInput(SteeltraceError):
    """Malformed or out-of-shape input; nothing was recorded."""

    kind = "invalid_input"
    http_status = 400


class PayloadTooLarge(InvalidInput):
    kind = "too_large"
    http_status = 413


class Rejected(SteeltraceError):
    """A deterministic rule violation: the same on every peer, recordable in a block."""

    kind = "rejected"
    http_status = 409


class InvalidPayload(Rejected):
    """A transaction payload of the wrong shape: deterministic, so recordable, but the
    API answers it as 422 rather than 409."""

    kind = "invalid_payload"
    http_status = 422


class NotFound(SteeltraceError):
    kind = "not_found"
    http_status = 404


class Unauthorized(SteeltraceError):
    kind = "unauthorized"
    http_status = 401


class Forbidden(SteeltraceError):
    kind = "forbidden"
    http_status = 403


class LocalFault(SteeltraceError):
    """This node failed (disk, database, network). Never a verdict on a transaction."""

    kind = "local_fault"
    http_status = 503


class IntegrityError(SteeltraceError):
    """Stored or received data does not verify: tampering, a torn write or a fork."""

    kind = "integrity"
    http_status = 500
