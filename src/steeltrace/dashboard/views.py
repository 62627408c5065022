"""What each dashboard page shows, read from the node: plain dicts for the templates.

This module owns the page models (which records a page reads and how they are arranged);
the templates own the markup, :mod:`steeltrace.analytics.monitoring` the import-monitor
arithmetic, and the core modules the domain answers (origin report, certificate
verification, genealogy). A core module that is not present in this build, or that
refuses a lot, leaves its panel empty with the reason: a read-only page never fails
because one of its panels cannot be computed.

Everything here reads through the node's query methods only (``get``, ``scan``,
``height``, ``block``, ``tx``, ``proof``).

Every page model takes the logged-in :class:`~steeltrace.api.auth.Principal` and shows
only what the API would show that caller, through the API's own rules in
:mod:`steeltrace.api.visibility` (I-18): declarations by customs country, declarant or
importer; a contract price only to its parties; a pledge only to the pledgor and the
bank; a hidden transaction is absent. Blocks and their transaction lists (id, type,
signer, status) are shared by all members, as in the API's ``/v1/blocks``.
"""

from __future__ import annotations

import importlib
import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from steeltrace.analytics import monitoring
from steeltrace.analytics.chain_index import ChainIndex, TxRef
from steeltrace.api import visibility
from steeltrace.api.auth import Principal
from steeltrace.dashboard import formatting

MAX_SCAN = 50_000
MAX_GRAPH_LOTS = 300
LATEST_BLOCKS = 15
LATEST_TXS = 25

# The transaction types that move title or custody, for the passport's timeline.
TIMELINE_KINDS = {
    "title": ("title.", "contract.", "pledge.enforce"),
    "custody": ("custody.", "shipment.", "receipt."),
    "finance": ("pledge.",),
    "customs": ("customs.",),
    "quality": ("cert.",),
    "production": ("heat.", "lot.", "transform"),
}


RELATED_ID_FIELDS = frozenset(
    {"declaration_id", "pledge_id", "shipment_id", "receipt_id", "contract_id"}
)


def scan_all(node: Any, prefix: str, limit: int = MAX_SCAN) -> list[tuple[str, Any]]:
    """Every ``(key, value)`` under ``prefix``, page by page, up to ``limit`` entries."""
    out: list[tuple[str, Any]] = []
    after: str | None = None
    while len(out) < limit:
        page = node.scan(prefix, after=after, limit=min(500, limit - len(out)))
        out.extend(page)
        if len(page) < 500 or not page:
            break
        after = page[-1][0]
    return out


def _optional(module: str, name: str) -> Callable[..., Any] | None:
    try:
        return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]
    except (ImportError, AttributeError):
        return None


def _attempt(fn: Callable[..., Any] | None, *args: Any, **kw: Any) -> tuple[Any, str | None]:
    """(result, None) or (None, why): one panel's failure must not break the page."""
    if fn is None:
        return None, "not available in this build"
    try:
        return fn(*args, **kw), None
    except Exception as e:  # a read-only panel reports any refusal instead of failing
        return None, str(getattr(e, "message", None) or e)


# ---------------------------------------------------------------- overview


def overview(node: Any, who: Principal, cache: DeclarationCache | None = None) -> dict[str, Any]:
    height = node.height()
    declarations = (cache or DeclarationCache()).visible_rows(node, who)
    return {
        "chain_id": node.chain_id,
        "height": height,
        "head": node.block(height),
        "counts": {
            "organisations": len(scan_all(node, "org/")),
            "facilities": len(scan_all(node, "facility/")),
            "heats": len(scan_all(node, "heat/")),
            "lots": len(scan_all(node, "lot/")),
            "certificates": len(scan_all(node, "cert/")),
            "declarations": len(declarations),
            "flagged": sum(1 for r in declarations if r.discrepancies),
        },
        "blocks": latest_blocks(node, 5),
        "lots": [v for _, v in scan_all(node, "lot/", limit=12)],
    }


# ---------------------------------------------------------------- explorer


def latest_blocks(node: Any, count: int = LATEST_BLOCKS) -> list[dict[str, Any]]:
    top = node.height()
    blocks = []
    for h in range(top, max(-1, top - count), -1):
        b = node.block(h)
        if b is not None:
            blocks.append(b)
    return blocks


def latest_txs(node: Any, count: int = LATEST_TXS) -> list[dict[str, Any]]:
    recent = getattr(node, "recent_txs", None)
    if callable(recent):
        return list(recent(count))
    out: list[dict[str, Any]] = []
    h = node.height()
    while h > 0 and len(out) < count:
        b = node.block(h) or {}
        for t in reversed(b.get("transactions") or []):
            out.append({**t, "height": h})
        h -= 1
    return out[:count]


def explorer(node: Any) -> dict[str, Any]:
    return {"height": node.height(), "blocks": latest_blocks(node), "txs": latest_txs(node)}


def block_page(node: Any, height: int) -> dict[str, Any] | None:
    b = node.block(height)
    if b is None:
        return None
    return {"block": b, "height": height, "top": node.height()}


def visible_envelope(node: Any, who: Principal, t: dict[str, Any]) -> dict[str, Any] | None:
    """The committed transaction ``t``'s envelope as ``who`` may see it; None if hidden."""
    envelope = t.get("tx")
    if not isinstance(envelope, dict):
        return {}
    return visibility.transaction_view(who, node, envelope)


def tx_page(node: Any, tx_id: str, who: Principal) -> dict[str, Any] | None:
    """None for an unknown transaction and for one hidden from ``who`` (the same 404)."""
    t = node.tx(tx_id)
    if t is None:
        return None
    envelope = visible_envelope(node, who, t)
    if envelope is None:
        return None
    return {"t": t, "envelope": envelope, "price_redacted": bool(envelope.get("price_redacted"))}


def proof_bundle(node: Any, tx_id: str, who: Principal) -> dict[str, Any] | None:
    """Everything the page needs to check a transaction's inclusion itself.

    The proof (RFC 6962 audit path), the envelope (to recompute the leaf and the tx id),
    the block header (to recompute the block hash and compare the tx root), the block's
    results (to recompute ``results_hash`` and so prove the status) and the orderer's
    public key from the genesis configuration (to check the header's signature).

    When ``who`` may not see the whole envelope (a hidden declaration's or pledge's
    transaction, a proposal's price), the bundle says ``"withheld": true`` and carries no
    envelope (or the redacted one, which no longer hashes to the leaf): the page then
    checks the audit path from the node's leaf hash, the block hash, the status and the
    signature, and says the content was not checked. The API's proof route carries the
    same leaf hash to every caller.
    """
    proof = node.proof(tx_id)
    t = node.tx(tx_id)
    if proof is None or t is None:
        return None
    envelope = visible_envelope(node, who, t)
    withheld = envelope is not t.get("tx")
    b = node.block(int(proof["block_height"])) or {}
    header = b.get("header") or {}
    config = node.get("config") or {}
    orderer = next(
        (o for o in config.get("orderers") or [] if o.get("id") == header.get("orderer")), None
    )
    return {
        "proof": proof,
        "envelope": envelope,
        "withheld": withheld,
        "block": {
            "header": header,
            "block_hash": b.get("block_hash"),
            "signature": b.get("signature"),
            "results": [
                [r.get("tx_id"), r.get("status"), r.get("code")]
                for r in b.get("transactions") or []
            ],
        },
        "orderer": orderer,
    }


# ---------------------------------------------------------------- organisations


def key_validity(key: dict[str, Any], height: int) -> tuple[str, str]:
    """(css class, word) for a key at ``height``: the table shows the heights beside it."""
    valid_from = int(key.get("valid_from") or 0)
    revoked = key.get("revoked_from")
    if revoked is not None and height >= int(revoked):
        return "bad", "revoked"
    if height < valid_from:
        return "warn", "not yet valid"
    return "ok", "valid"


def organisations(node: Any) -> dict[str, Any]:
    height = node.height()
    facilities: dict[str, list[Any]] = defaultdict(list)
    for _, f in scan_all(node, "facility/"):
        facilities[str(f.get("org"))].append(f)
    keys: dict[str, list[Any]] = defaultdict(list)
    for _, k in scan_all(node, "key/"):
        css, words = key_validity(k, height)
        keys[str(k.get("org"))].append({**k, "validity": words, "css": css})
    orgs = [
        {**o, "facilities": facilities.get(o["id"], []), "keys": keys.get(o["id"], [])}
        for _, o in scan_all(node, "org/")
    ]
    config = node.get("config") or {}
    return {"orgs": orgs, "height": height, "orderers": config.get("orderers") or []}


# ---------------------------------------------------------------- lot passport


def genealogy_graph(node: Any, lot_id: str) -> tuple[dict[str, Any] | None, str | None]:
    """Cytoscape elements for the lot's ancestors and their heats, with the kg per edge.

    Built from the JSON view of the origin engine's genealogy (``ancestors(...).to_dict()``:
    ``nodes`` with ``lot``/``heat``/``hs``/``mass_kg``, ``edges`` child -> parent with
    ``kg``); the product form and the heat's country are read from their records.
    """
    ancestors = _optional("steeltrace.core.origin.genealogy", "ancestors")
    g, why = _attempt(ancestors, node, lot_id, MAX_GRAPH_LOTS)
    if g is None:
        return None, why
    view = g.to_dict()
    elements: list[dict[str, Any]] = []
    heats: list[str] = []
    for item in view["nodes"]:
        lid = item["lot"]
        record = node.get(f"lot/{lid}") or {}
        form = record.get("form") or ""
        label = f"{lid}\n{form} {item.get('hs') or ''}\n{formatting.tonnes(item.get('mass_kg'))}"
        kind = "root" if lid == lot_id else "lot"
        elements.append(
            {"data": {"id": f"lot:{lid}", "label": label, "kind": kind, "href": f"/lots/{lid}"}}
        )
        heat = item.get("heat")
        if not heat:
            continue
        if heat not in heats:
            heats.append(heat)
            h = node.get(f"heat/{heat}") or {}
            heat_label = f"heat {heat}\n{h.get('country', '?')} {h.get('route', '')}"
            elements.append({"data": {"id": f"heat:{heat}", "label": heat_label, "kind": "heat"}})
        elements.append(
            {
                "data": {
                    "id": f"e:{heat}>{lid}",
                    "source": f"heat:{heat}",
                    "target": f"lot:{lid}",
                    "label": "cast",
                }
            }
        )
    for edge in view["edges"]:
        child, parent = edge["child"], edge["parent"]
        elements.append(
            {
                "data": {
                    "id": f"e:{parent}>{child}",
                    "source": f"lot:{parent}",
                    "target": f"lot:{child}",
                    "label": formatting.tonnes(edge.get("kg")),
                }
            }
        )
    return {
        "elements": elements,
        "lots": len(view["nodes"]),
        "heats": sorted(heats),
        "truncated": bool(view.get("truncated")),
        "missing": list(view.get("missing") or ()),
    }, None


def _timeline_kind(tx_type: str) -> str:
    for kind, prefixes in TIMELINE_KINDS.items():
        if tx_type.startswith(prefixes):
            return kind
    return "other"


def _visible_ref(node: Any, who: Principal, ref: TxRef) -> bool:
    envelope = {"type": ref.type, "signer": {"org": ref.signer}, "payload": ref.payload}
    return visibility.transaction_view(who, node, envelope) is not None


def lot_page(node: Any, index: ChainIndex, lot_id: str, who: Principal) -> dict[str, Any] | None:
    lot = node.get(f"lot/{lot_id}")
    if lot is None:
        return None
    graph, graph_why = genealogy_graph(node, lot_id)
    report, report_why = _attempt(
        _optional("steeltrace.core.origin.report", "origin_report"), node, lot_id
    )
    certs, certs_why = _attempt(
        _optional("steeltrace.core.certificates.verification", "certificates_for_lot"),
        node,
        lot_id,
    )
    if certs is not None:
        for row in certs.get("certificates", ()):
            row["record"] = node.get(f"cert/{row['cert_id']}")
    if report is not None and not isinstance(report, dict):
        to_dict = getattr(report, "to_dict", None)
        report = to_dict() if callable(to_dict) else {"report": str(report)}
    index.refresh(node)
    # Second hop: a customs decision or a pledge acceptance names the declaration or the
    # pledge, not the lot; follow the record ids the lot's own transactions created.
    # Only transactions ``who`` may see by id: a hidden declaration or pledge names the
    # lot in its payload, so neither it nor the records it created may show here.
    related = {
        value
        for ref in index.mentioning(lot_id)
        if _visible_ref(node, who, ref)
        for key, value in ref.payload.items()
        if key in RELATED_ID_FIELDS and isinstance(value, str)
    }
    timeline = [
        {"ref": r, "kind": _timeline_kind(r.type)}
        for r in index.mentioning(lot_id, *sorted(related))
        if _visible_ref(node, who, r)
    ]
    titles = [v for _, v in scan_all(node, f"title/{lot_id}/", limit=1000)]
    titles.sort(key=lambda t: int(t.get("seq") or 0))
    pledge = node.get(f"pledge/{lot['pledge']}") if lot.get("pledge") else None
    # The lot record (readable by all) says that it is pledged; the pledge itself (bank,
    # amount, status) only the pledgor and the bank may see.
    pledge_hidden = isinstance(pledge, dict) and not visibility.pledge_visible(who, pledge)
    linked = {
        "pledge": None if pledge_hidden else pledge,
        "pledge_hidden": pledge_hidden,
        "receipt": node.get(f"receipt/{lot['receipt']}") if lot.get("receipt") else None,
        "shipment": node.get(f"shipment/{lot['shipment']}") if lot.get("shipment") else None,
        "transformation": (
            node.get(f"transformation/{lot['transformation']}")
            if lot.get("transformation")
            else None
        ),
        "heat": node.get(f"heat/{lot['heat']}") if lot.get("heat") else None,
    }
    return {
        "lot": lot,
        "graph": graph,
        "graph_why": graph_why,
        "report": report,
        "report_why": report_why,
        "certs": certs,
        "certs_why": certs_why,
        "timeline": timeline,
        "titles": titles,
        "linked": linked,
    }


# ---------------------------------------------------------------- import monitor


def monitor_filters(params: dict[str, str]) -> monitoring.Filters:
    def pick(name: str) -> str | None:
        value = (params.get(name) or "").strip()
        return value or None

    direction = pick("direction") or "import"
    return monitoring.Filters(
        country=pick("country"),
        period_from=pick("from"),
        period_to=pick("to"),
        category=pick("category"),
        direction=None if direction == "all" else direction,
    )


def _chart_series(table: dict[str, list[int]], stack: str, top: int = 8) -> list[dict[str, Any]]:
    """ECharts bar series in tonnes; countries past the ``top`` largest are summed."""
    items = list(table.items())
    head, tail = items[:top], items[top:]
    series = [
        {
            "name": f"{stack}: {formatting.country_label(c)}",
            "country": c,
            "type": "bar",
            "stack": stack,
            "data": [round(kg / 1000, 3) for kg in values],
        }
        for c, values in head
    ]
    if tail:
        months = len(tail[0][1])
        rest = [sum(v[i] for _, v in tail) for i in range(months)]
        series.append(
            {
                "name": f"{stack}: others",
                "country": "others",
                "type": "bar",
                "stack": stack,
                "data": [round(kg / 1000, 3) for kg in rest],
            }
        )
    return series


class DeclarationCache:
    """The declaration rows as of the last height read: every open monitor page asks for
    them again when a block commits, and they change only when a block does."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._height = -1
        self._rows: list[monitoring.DeclarationRow] = []

    def rows(self, node: Any) -> list[monitoring.DeclarationRow]:
        """Every declaration on the ledger: never shown as is, see :meth:`visible_rows`."""
        with self._lock:
            height = node.height()
            if height != self._height:
                records = (v for _, v in scan_all(node, "declaration/"))
                self._rows = monitoring.rows_from_records(records)
                self._height = height
            return self._rows

    def visible_rows(self, node: Any, who: Principal) -> list[monitoring.DeclarationRow]:
        """The declarations ``who`` may see (:func:`visibility.declaration_visible`)."""
        return [r for r in self.rows(node) if visibility.declaration_visible(who, r.record)]


def monitor(
    node: Any, params: dict[str, str], who: Principal, cache: DeclarationCache | None = None
) -> dict[str, Any]:
    all_rows = (cache or DeclarationCache()).visible_rows(node, who)
    filters = monitor_filters(params)
    rows = monitoring.apply_filters(all_rows, filters)
    flows = monitoring.monthly_origin_vs_melt(rows)
    by_category = monitoring.tonnes_by_category(rows)
    by_port = monitoring.tonnes_by_port(rows)
    charts = {
        "monthly": {
            "months": flows.months,
            "series": _chart_series(flows.by_origin, "declared origin")
            + _chart_series(flows.by_melt, "melted and poured"),
        },
        "category": [
            {"name": formatting.category_label(c), "value": round(kg / 1000, 3)}
            for c, kg in by_category
        ],
        "port": {
            "ports": [formatting.port_label(p) for p, _ in by_port],
            "tonnes": [round(kg / 1000, 3) for _, kg in by_port],
        },
    }
    return {
        "filters": filters,
        "params": params,
        "options": monitoring.filter_options(all_rows),
        "summary": monitoring.summary(rows),
        "matrix": monitoring.origin_melt_matrix(rows),
        "by_category": by_category,
        "by_port": by_port,
        "queue": monitoring.discrepancy_queue(rows),
        "charts": charts,
        "height": node.height(),
        "count_all": len(all_rows),
    }
