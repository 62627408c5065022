"""Circumvention risk signals over the ledger (DOMAIN "circumvention patterns" d-f, S-07).

The customs contract records what a declaration contradicts on the ledger (melt and pour,
origin, mass, HS class). These signals need a population, so they are analytics, not
consensus rules: pure functions of ledger records, reproducible by anyone holding them.

* ``UNIT_VALUE_OUTLIER`` (d, under-valuation): a declaration's customs value per tonne is
  below ``ratio`` times the median of its peers (same HS heading, direction and currency;
  at least ``min_peers`` of them).
* ``TRADE_SURGE`` (f, sudden diversion): the tonnes declared into a country from one
  declared origin in a month exceed ``factor`` times the mean of the previous
  ``window`` months (at least ``min_tonnes``), once the ledger has that much history of
  the flow.
* ``MELT_CAPACITY_EXCEEDED`` (e): a facility registered more heat tonnage in a calendar
  year than its registered annual melt capacity.
* ``DECLARED_BEYOND_CAPACITY`` (e): declarations trace more tonnes in a year to a mill's
  heats than the mill could melt in that year.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from steeltrace.analytics.monitoring import UNKNOWN, DeclarationRow, rows_from_records


@dataclass(frozen=True, slots=True)
class RiskFlag:
    code: str
    subject: str  # a declaration id, a facility id or a mill
    message: str
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _unit_value(row: DeclarationRow) -> tuple[str, Decimal] | None:
    value = row.record.get("customs_value") or {}
    try:
        amount = Decimal(str(value.get("amount")))
    except (InvalidOperation, TypeError):
        return None
    if row.net_kg <= 0 or not value.get("currency"):
        return None
    return str(value["currency"]), amount * 1000 / row.net_kg


def unit_value_outliers(
    rows: Iterable[DeclarationRow], *, ratio: float = 0.5, min_peers: int = 3
) -> list[RiskFlag]:
    groups: dict[tuple[str, str, str], list[tuple[DeclarationRow, Decimal]]] = defaultdict(list)
    for row in rows:
        found = _unit_value(row)
        if found is not None:
            groups[(row.hs[:4], row.direction, found[0])].append((row, found[1]))
    flags = []
    for (heading, direction, currency), members in sorted(groups.items()):
        for row, uv in members:
            peers = [v for r, v in members if r.declaration_id != row.declaration_id]
            if len(peers) < min_peers:
                continue
            median = Decimal(statistics.median(peers))
            if uv < median * Decimal(str(ratio)):
                flags.append(
                    RiskFlag(
                        "UNIT_VALUE_OUTLIER",
                        row.declaration_id,
                        f"{uv:.2f} {currency}/t is below {ratio:.0%} of the median {median:.2f} "
                        f"{currency}/t of {len(peers)} peer declarations of HS {heading}",
                        {
                            "unit_value": f"{uv:.2f}",
                            "median": f"{median:.2f}",
                            "currency": currency,
                            "heading": heading,
                            "peers": len(peers),
                            "direction": direction,
                        },
                    )
                )
    return flags


def _months_before(month: str, n: int) -> list[str]:
    y, m = int(month[:4]), int(month[5:7])
    out = []
    for _ in range(n):
        m -= 1
        if m == 0:
            y, m = y - 1, 12
        out.append(f"{y:04d}-{m:02d}")
    return out


def trade_surges(
    rows: Iterable[DeclarationRow], *, factor: float = 3.0, window: int = 3, min_tonnes: float = 100
) -> list[RiskFlag]:
    kg: dict[tuple[str, str, str], int] = defaultdict(int)
    for row in rows:
        if row.direction == "import" and row.month != UNKNOWN:
            kg[(row.declaring_country, row.declared_origin, row.month)] += row.net_kg
    first: dict[tuple[str, str], str] = {}
    for country, origin, month in sorted(kg):
        first.setdefault((country, origin), month)
    flags = []
    for (country, origin, month), total in sorted(kg.items()):
        before = _months_before(month, window)
        if first[(country, origin)] > before[-1]:
            continue  # not enough history of this flow on the ledger to call it a surge
        history = [kg.get((country, origin, m), 0) for m in before]
        baseline = sum(history) / window
        tonnes = total / 1000
        if tonnes >= min_tonnes and total > factor * baseline:
            flags.append(
                RiskFlag(
                    "TRADE_SURGE",
                    f"{country}<-{origin}:{month}",
                    f"{tonnes:,.0f} t declared into {country} from {origin} in {month}; "
                    + (
                        f"nothing in the {window} months before"
                        if baseline == 0
                        else f"{total / baseline:.1f}x the {window}-month average of "
                        f"{baseline / 1000:,.0f} t"
                    ),
                    {
                        "country": country,
                        "origin": origin,
                        "month": month,
                        "tonnes": tonnes,
                        "baseline_tonnes": baseline / 1000,
                    },
                )
            )
    return flags


def melt_capacity_exceeded(
    heats: Iterable[Mapping[str, Any]], facilities: Mapping[str, Mapping[str, Any]]
) -> list[RiskFlag]:
    kg: dict[tuple[str, str], int] = defaultdict(int)
    for heat in heats:
        kg[(str(heat.get("facility")), str(heat.get("cast_at", ""))[:4])] += int(heat["tonnage_kg"])
    flags = []
    for (fac_id, year), total in sorted(kg.items()):
        cap = (facilities.get(fac_id) or {}).get("melt_capacity_t")
        if cap and total > int(cap) * 1000:
            flags.append(
                RiskFlag(
                    "MELT_CAPACITY_EXCEEDED",
                    fac_id,
                    f"{total / 1000:,.0f} t of heats registered at {fac_id} in {year}; its "
                    f"registered melt capacity is {int(cap):,} t a year",
                    {"year": year, "tonnes": total / 1000, "capacity_t": int(cap)},
                )
            )
    return flags


def declared_beyond_capacity(
    rows: Iterable[DeclarationRow],
    heats: Mapping[str, Mapping[str, Any]],
    facilities: Mapping[str, Mapping[str, Any]],
) -> list[RiskFlag]:
    capacity: dict[str, int] = defaultdict(int)
    for fac in facilities.values():
        if fac.get("melt_capacity_t"):
            capacity[str(fac["org"])] += int(fac["melt_capacity_t"]) * 1000
    kg: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        mills = sorted(
            {
                str(heats[h]["mill"])
                for h in row.record.get("ledger", {}).get("heats", ())
                if h in heats
            }
        )
        for mill in mills:  # a declaration of several mills' steel counts for each
            kg[(mill, row.month[:4])] += row.net_kg
    flags = []
    for (mill, year), total in sorted(kg.items()):
        cap = capacity.get(mill, 0)
        if total > cap:
            flags.append(
                RiskFlag(
                    "DECLARED_BEYOND_CAPACITY",
                    mill,
                    f"declarations trace {total / 1000:,.0f} t in {year} to heats of {mill}, "
                    f"whose registered melt capacity is {cap / 1000:,.0f} t a year",
                    {"year": year, "tonnes": total / 1000, "capacity_t": cap / 1000},
                )
            )
    return flags


def risk_report(state: Any, *, limit: int = 1_000_000) -> dict[str, Any]:
    """Every signal over a node (anything with ``scan(prefix, limit=)``)."""
    rows = rows_from_records(v for _, v in state.scan("declaration/", limit=limit))
    heats = {k.removeprefix("heat/"): v for k, v in state.scan("heat/", limit=limit)}
    facilities = {k.removeprefix("facility/"): v for k, v in state.scan("facility/", limit=limit)}
    flags = [
        *unit_value_outliers(rows),
        *trade_surges(rows),
        *melt_capacity_exceeded(heats.values(), facilities),
        *declared_beyond_capacity(rows, heats, facilities),
    ]
    return {"declarations": len(rows), "flags": [f.to_dict() for f in flags]}
