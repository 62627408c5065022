"""Who is calling: ``Authorization: Bearer <token>`` to a :class:`Principal`.

Every endpoint under ``/v1`` needs a token, reads included (401 without one). The
principal carries the user and its organisation's current record from the world state,
so scoping rules (a customs authority's country, a party to a contract) read the ledger,
not the token. Authorisation of writes (role against the contract's roles) is here too,
so the write routes and the tests share one definition.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request

from steeltrace.api.users import VIEWER, StateReader, User, UserStore
from steeltrace.core.contracts.registry import ContractSpec, lookup
from steeltrace.errors import Forbidden, NotFound, Unauthorized

CUSTOMS = "customs"


@dataclass(frozen=True, slots=True)
class Principal:
    user: User
    org_record: dict[str, Any]

    @property
    def org(self) -> str:
        return self.user.org

    @property
    def role(self) -> str:
        return self.user.role

    @property
    def country(self) -> str:
        return str(self.org_record.get("country", ""))

    @property
    def org_roles(self) -> frozenset[str]:
        return frozenset(self.org_record.get("roles", ()))

    @property
    def is_customs(self) -> bool:
        return CUSTOMS in self.org_roles


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization")
    if not header:
        raise Unauthorized(
            "AUTH_REQUIRED",
            "send 'Authorization: Bearer <token>'; create a token with 'steeltrace users add'",
        )
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("AUTH_SCHEME", "use the Bearer scheme: 'Authorization: Bearer <token>'")
    return token.strip()


def principal_for(state: StateReader, user: User | None) -> Principal:
    """The principal of an authenticated ``user`` (None: the token did not authenticate),
    with its organisation's current record, or 401.

    Shared by the API (a bearer token on every request) and the dashboard (a token at
    login, then the session's user checked again on every request), so both refuse the
    same callers and scope with the same organisation record."""
    if user is None:
        raise Unauthorized("AUTH_INVALID", "the token is unknown, malformed or revoked")
    record = state.get(f"org/{user.org}")
    if record is None:
        raise Unauthorized(
            "AUTH_ORG_UNKNOWN", f"the token's organisation {user.org!r} is not a member"
        )
    return Principal(user, dict(record))


def authenticate_token(store: UserStore, state: StateReader, token: str) -> Principal:
    """The principal holding API token ``token`` (exactly the API's check), or 401."""
    return principal_for(state, store.authenticate(token))


def principal(request: Request) -> Principal:
    """FastAPI dependency: the authenticated caller, or 401."""
    store: UserStore = request.app.state.users
    return authenticate_token(store, request.app.state.node, bearer_token(request))


def authorise_write(who: Principal, tx_type: str, signer_org: str | None = None) -> ContractSpec:
    """Check that ``who`` may send a ``tx_type`` transaction (signed by ``signer_org``).

    1. the type exists (404 ``TX_TYPE_UNKNOWN``);
    2. the user is not read-only (403 ``ROLE_READ_ONLY``);
    3. a client-signed envelope is signed by the user's own organisation (403
       ``ORG_MISMATCH``);
    4. the user's role is one the contract accepts; ``None`` means any member (403
       ``ROLE_NOT_PERMITTED``).

    The ledger checks the organisation's roles again when it executes: this check is
    about the user inside the organisation, which the ledger cannot see.
    """
    spec = lookup(tx_type)
    if spec is None:
        raise NotFound("TX_TYPE_UNKNOWN", f"there is no transaction type {tx_type!r}")
    if who.role == VIEWER:
        raise Forbidden(
            "ROLE_READ_ONLY",
            f"user {who.user.name!r} of {who.org} is a viewer and may only read",
        )
    if signer_org is not None and signer_org != who.org:
        raise Forbidden(
            "ORG_MISMATCH",
            f"the envelope is signed by {signer_org!r}, but this token acts for {who.org!r}",
        )
    if spec.roles is not None and who.role not in spec.roles:
        raise Forbidden(
            "ROLE_NOT_PERMITTED",
            f"{tx_type} needs one of the roles {', '.join(sorted(spec.roles))}; "
            f"user {who.user.name!r} of {who.org} has the role {who.role!r}",
        )
    return spec
