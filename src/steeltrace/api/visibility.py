"""Who may read what: the API's scoping of world-state records and transactions.

The ledger is shared by its members, so most records (organisations, facilities, heats,
lots, certificates, shipments, receipts, blocks) are readable by any authenticated user.
Three kinds are not (I-18: another organisation's private record is a 404, and nothing
of it leaks):

* contracts: everyone sees that a contract exists, but ``price`` only its buyer and
  seller (it is replaced by ``null`` and ``"price_redacted": true``);
* declarations: a customs authority sees those whose ``declaring_country`` is its own
  country; any other organisation sees those it is the declarant or the importer of;
* pledges: only the lot's owner (the pledgor) and the bank.

Transactions carry the same facts in their payloads, so a transaction of one of these
kinds is shaped by the same rule: a hidden declaration's or pledge's transaction is a
404 by id and has its payload withheld inside a block (``"payload": null,
"redacted": true``); a contract proposal's price is redacted for non-parties. A
withheld payload means such a caller cannot check that transaction's signature; its
Merkle proof still verifies, since the proof carries only the leaf hash.

The dashboard (:mod:`steeltrace.dashboard`) scopes its pages with these same functions,
for the user of its login session: the import monitor over :func:`declaration_visible`,
the transaction pages over :func:`transaction_view`, the passport's pledge over
:func:`pledge_visible`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Protocol

from steeltrace.api.auth import Principal
from steeltrace.core.roles import REGULATOR

PLEDGE_PARTY_FIELDS = ("owner", "pledgor", "bank", "lender", "borrower")
DECLARATION_TYPES = ("customs.",)
PLEDGE_TYPES = ("pledge.", "finance.")


class StateReader(Protocol):
    def get(self, key: str) -> Any | None: ...


def contract_view(who: Principal, record: dict[str, Any]) -> dict[str, Any]:
    if who.org in (record.get("buyer"), record.get("seller")):
        return record
    out = dict(record)
    if "price" in out:
        out["price"] = None
        out["price_redacted"] = True
    return out


def declaration_visible(who: Principal, record: Mapping[str, Any]) -> bool:
    """Customs authorities and regulators (trade ministries) see the declarations into
    their own country; every other member sees those it declared or imports."""
    if who.is_customs or REGULATOR in who.org_roles:
        if bool(who.country) and record.get("declaring_country") == who.country:
            return True
        if who.is_customs:
            return False
    return who.org in (record.get("declarant"), record.get("importer"))


def pledge_visible(who: Principal, record: Mapping[str, Any]) -> bool:
    return who.org in {record.get(f) for f in PLEDGE_PARTY_FIELDS if record.get(f)}


def record_view(who: Principal, key: str, record: Any) -> Any | None:
    """A state record as ``who`` may see it, or None if it is hidden from ``who``."""
    if not isinstance(record, dict):
        return record
    kind = key.split("/", 1)[0]
    if kind == "contract":
        return contract_view(who, record)
    if kind == "declaration":
        return record if declaration_visible(who, record) else None
    if kind == "pledge":
        return record if pledge_visible(who, record) else None
    return record


def _tx_visible_payload(
    who: Principal, state: StateReader, tx_type: str, signer: str, payload: dict[str, Any]
) -> dict[str, Any] | None:
    if signer == who.org:
        return payload
    if tx_type.startswith(DECLARATION_TYPES):
        if "declaration_id" in payload and "declaring_country" not in payload:
            record = state.get(f"declaration/{payload['declaration_id']}")
        else:
            record = {**payload, "declarant": signer}
        return payload if isinstance(record, dict) and declaration_visible(who, record) else None
    if tx_type.startswith(PLEDGE_TYPES):
        record = state.get(f"pledge/{payload.get('pledge_id')}") if "pledge_id" in payload else None
        parties = {payload.get(f) for f in PLEDGE_PARTY_FIELDS}
        if isinstance(record, dict) and pledge_visible(who, record):
            return payload
        return payload if who.org in parties else None
    if "price" in payload and who.org not in (payload.get("buyer"), payload.get("seller")):
        return {**payload, "price": None}
    return payload


def envelope_view(
    who: Principal, state: StateReader, envelope: dict[str, Any]
) -> dict[str, Any] | None:
    """A transaction envelope as ``who`` may see it; None if it is wholly private."""
    payload = envelope.get("payload")
    if not isinstance(payload, dict):
        return envelope
    signer = str((envelope.get("signer") or {}).get("org", ""))
    shown = _tx_visible_payload(who, state, str(envelope.get("type", "")), signer, payload)
    if shown is payload:
        return envelope
    out = copy.copy(envelope)
    if shown is None:
        out["payload"] = None
        out["redacted"] = True
        return out
    out["payload"] = shown
    out["price_redacted"] = True
    return out


def is_private(envelope: dict[str, Any]) -> bool:
    return str(envelope.get("type", "")).startswith(DECLARATION_TYPES + PLEDGE_TYPES)


def transaction_view(
    who: Principal, state: StateReader, envelope: dict[str, Any]
) -> dict[str, Any] | None:
    """A committed transaction's envelope as ``who`` may see it by id, or None when it is
    hidden (a private record's transaction is as absent as the record: a 404). The
    result is ``envelope`` itself when nothing is withheld, a copy with
    ``price_redacted`` otherwise."""
    shown = envelope_view(who, state, envelope)
    if shown is None or shown.get("redacted"):
        return None
    return shown
