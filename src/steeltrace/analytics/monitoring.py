"""Import-monitoring aggregates over customs declarations.

This module owns the regulator's view of the import flow: tonnes by month by declared
origin against the ledger's country of melt and pour, tonnes by HS category and by port
of entry, and the queue of declarations the ledger disagrees with. Every function is pure
(records in, plain data out); reading the records from a node (``node.scan("declaration/")``)
is the caller's job, and nothing here is consensus-critical.

Masses are kept in integer kilograms throughout; conversion to tonnes is the display's.

A declaration record (``declaration/{id}``, written by ``core/contracts/customs.py``) is
first turned into a :class:`DeclarationRow` by :func:`row_from_record`, the one place that
knows the record's field names. The melt-and-pour countries per the ledger are the mass
shares the customs contract recorded under ``ledger.melt_and_pour`` (a lot cast from
several heats has several); when it is empty, the declared countries stand in for it.
The month is the declaration's ``date``, else the block time it was submitted at.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from steeltrace.core.reference import hs

__all__ = [
    "UNKNOWN",
    "DeclarationRow",
    "Filters",
    "MonthlyFlows",
    "Summary",
    "apply_filters",
    "discrepancy_queue",
    "filter_options",
    "monthly_origin_vs_melt",
    "origin_melt_matrix",
    "row_from_record",
    "rows_from_records",
    "summary",
    "tonnes_by_category",
    "tonnes_by_port",
]

UNKNOWN = "??"


@dataclass(frozen=True, slots=True)
class DeclarationRow:
    """The fields of one declaration the monitor aggregates over."""

    declaration_id: str
    direction: str
    declaring_country: str
    port: str
    hs: str
    category: str
    declared_origin: str
    declared_melt: tuple[str, ...]  # as declared: one or more countries
    melt_shares: tuple[tuple[str, Fraction], ...]  # ledger melt-and-pour country -> share
    net_kg: int
    month: str  # "YYYY-MM", or UNKNOWN
    decision: str
    discrepancies: tuple[Mapping[str, Any], ...] = field(default=())
    record: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def melt_countries(self) -> tuple[str, ...]:
        return tuple(c for c, _ in self.melt_shares)


def _first(record: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        value = record.get(name)
        if value not in (None, ""):
            return value
    return None


def _category(code: str) -> str:
    try:
        return hs.category(code)
    except (ValueError, TypeError):
        return "other"


def _month(record: Mapping[str, Any]) -> str:
    value = _first(record, "date", "submitted_at", "created_at", "at")
    if isinstance(value, str) and len(value) >= 7 and value[4] == "-":
        return value[:7]
    return UNKNOWN


def _weights(raw: Any) -> dict[str, Fraction]:
    """Country weights from a mapping country -> share (or kg), a list of countries (equal
    weights), a list of ``{"country", "share"|"kg"}`` entries, or one country string."""
    weights: dict[str, Fraction] = defaultdict(Fraction)
    if isinstance(raw, str):
        weights[raw] += 1
    elif isinstance(raw, Mapping):
        for country, w in raw.items():
            if isinstance(w, int | float | str) and not isinstance(w, bool):
                weights[str(country)] += Fraction(str(w))
    elif isinstance(raw, list | tuple):
        for entry in raw:
            if isinstance(entry, str):
                weights[entry] += 1
            elif isinstance(entry, Mapping) and "country" in entry:
                w = _first(entry, "share", "kg", "mass_kg")
                weights[str(entry["country"])] += Fraction(str(w if w is not None else 1))
    return {c: w for c, w in weights.items() if w > 0}


def _normalised(weights: Mapping[str, Fraction]) -> tuple[tuple[str, Fraction], ...]:
    total = sum(weights.values(), Fraction(0))
    shares = [(c, w / total) for c, w in weights.items()]
    shares.sort(key=lambda cw: (-cw[1], cw[0]))
    return tuple(shares)


def _melt_shares(record: Mapping[str, Any]) -> tuple[tuple[str, Fraction], ...]:
    """The ledger's melt-and-pour shares (``ledger.melt_and_pour`` of the customs record),
    normalised to sum to one, largest first. Without a ledger view (lots the origin engine
    knew nothing about), the declared melt-and-pour countries stand in for it."""
    ledger = record.get("ledger")
    raw = _first(ledger, "melt_and_pour", "melt_pour") if isinstance(ledger, Mapping) else None
    if raw is None:
        raw = _first(record, "ledger_melt_pour")
    weights = _weights(raw)
    if not weights:
        weights = _weights(record.get("declared_melt_pour")) or {UNKNOWN: Fraction(1)}
    return _normalised(weights)


def row_from_record(record: Mapping[str, Any]) -> DeclarationRow:
    """Read one declaration record (tolerant of missing fields: they become UNKNOWN)."""
    code = str(_first(record, "hs", "hs_code") or "")
    declared_melt = tuple(c for c, _ in _normalised(_weights(record.get("declared_melt_pour"))))
    discrepancies = record.get("discrepancies") or ()
    return DeclarationRow(
        declaration_id=str(_first(record, "id", "declaration_id") or UNKNOWN),
        direction=str(_first(record, "direction") or "import"),
        declaring_country=str(_first(record, "declaring_country") or UNKNOWN),
        port=str(_first(record, "port_of_entry", "port") or UNKNOWN),
        hs=code,
        category=_category(code),
        declared_origin=str(_first(record, "declared_origin") or UNKNOWN),
        declared_melt=declared_melt or (UNKNOWN,),
        melt_shares=_melt_shares(record),
        net_kg=int(_first(record, "net_kg") or 0),
        month=_month(record),
        decision=str(_first(record, "status", "decision") or "submitted"),
        discrepancies=tuple(d for d in discrepancies if isinstance(d, Mapping)),
        record=record,
    )


def rows_from_records(records: Iterable[Mapping[str, Any]]) -> list[DeclarationRow]:
    return [row_from_record(r) for r in records if isinstance(r, Mapping)]


@dataclass(frozen=True, slots=True)
class Filters:
    """What the monitor's filter form selects; ``None`` means any."""

    country: str | None = None  # matches the declared origin or any melt-and-pour country
    period_from: str | None = None  # "YYYY-MM", inclusive
    period_to: str | None = None  # "YYYY-MM", inclusive
    category: str | None = None
    direction: str | None = "import"

    def matches(self, row: DeclarationRow) -> bool:
        if self.direction and row.direction != self.direction:
            return False
        if self.country and self.country not in (
            row.declared_origin,
            *row.declared_melt,
            *row.melt_countries,
        ):
            return False
        if self.category and row.category != self.category:
            return False
        if (self.period_from or self.period_to) and row.month == UNKNOWN:
            return False
        if self.period_from and row.month < self.period_from:
            return False
        return not (self.period_to and row.month > self.period_to)


def apply_filters(rows: Iterable[DeclarationRow], filters: Filters) -> list[DeclarationRow]:
    return [r for r in rows if filters.matches(r)]


def _split_kg(kg: int, shares: tuple[tuple[str, Fraction], ...]) -> dict[str, int]:
    """Split ``kg`` by shares into whole kilograms that add up to ``kg`` exactly.

    Largest-remainder rounding, ties to the earlier (larger) share, so the split is
    deterministic and totals never drift.
    """
    exact = [(c, kg * s) for c, s in shares]
    parts = {c: int(v) for c, v in exact}
    left = kg - sum(parts.values())
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i][1] - int(exact[i][1])), i))
    for i in order[:left]:
        parts[exact[i][0]] += 1
    return parts


def _month_range(months: set[str]) -> list[str]:
    """Every month from the first to the last present (a month with no declaration is a
    zero, not a gap), then UNKNOWN if some declarations carry no date."""
    known = sorted(m for m in months if m != UNKNOWN)
    out: list[str] = []
    if known:
        year, month = int(known[0][:4]), int(known[0][5:7])
        while f"{year:04d}-{month:02d}" <= known[-1]:
            out.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    if UNKNOWN in months:
        out.append(UNKNOWN)
    return out


@dataclass(frozen=True, slots=True)
class MonthlyFlows:
    """Kilograms per month, once keyed by declared origin and once by melt country."""

    months: list[str]
    by_origin: dict[str, list[int]]  # country -> kg per month (aligned with ``months``)
    by_melt: dict[str, list[int]]


def monthly_origin_vs_melt(rows: Iterable[DeclarationRow]) -> MonthlyFlows:
    origin: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    melt: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    months: set[str] = set()
    for r in rows:
        months.add(r.month)
        origin[r.declared_origin][r.month] += r.net_kg
        for country, kg in _split_kg(r.net_kg, r.melt_shares).items():
            melt[country][r.month] += kg
    ordered = _month_range(months)

    def table(d: dict[str, dict[str, int]]) -> dict[str, list[int]]:
        totals = {c: sum(v.values()) for c, v in d.items()}
        keys = sorted(d, key=lambda c: (-totals[c], c))
        return {c: [d[c].get(m, 0) for m in ordered] for c in keys}

    return MonthlyFlows(months=ordered, by_origin=table(origin), by_melt=table(melt))


def origin_melt_matrix(rows: Iterable[DeclarationRow]) -> dict[tuple[str, str], int]:
    """Kilograms per (declared origin, ledger melt country): off-diagonal cells are steel
    declared as one country's but melted in another."""
    cells: dict[tuple[str, str], int] = defaultdict(int)
    for r in rows:
        for country, kg in _split_kg(r.net_kg, r.melt_shares).items():
            cells[(r.declared_origin, country)] += kg
    return dict(sorted(cells.items(), key=lambda kv: (-kv[1], kv[0])))


def _ranked(totals: Mapping[str, int]) -> list[tuple[str, int]]:
    return sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))


def tonnes_by_category(rows: Iterable[DeclarationRow]) -> list[tuple[str, int]]:
    """(category, kg), largest first. Named for what the chart shows; values are kg."""
    totals: dict[str, int] = defaultdict(int)
    for r in rows:
        totals[r.category] += r.net_kg
    return _ranked(totals)


def tonnes_by_port(rows: Iterable[DeclarationRow]) -> list[tuple[str, int]]:
    """(port of entry, kg), largest first."""
    totals: dict[str, int] = defaultdict(int)
    for r in rows:
        totals[r.port] += r.net_kg
    return _ranked(totals)


def discrepancy_queue(rows: Iterable[DeclarationRow]) -> list[DeclarationRow]:
    """Declarations with at least one discrepancy, newest month first, then by id."""
    flagged = [r for r in rows if r.discrepancies]
    flagged.sort(key=lambda r: r.declaration_id)
    flagged.sort(key=lambda r: (r.month != UNKNOWN, r.month), reverse=True)
    return flagged


@dataclass(frozen=True, slots=True)
class Summary:
    declarations: int
    net_kg: int
    flagged: int
    flagged_kg: int
    decisions: dict[str, int]
    foreign_melt_kg: int  # kg whose ledger melt country differs from the declared origin


def summary(rows: Iterable[DeclarationRow]) -> Summary:
    count = total = flagged = flagged_kg = foreign = 0
    decisions: dict[str, int] = defaultdict(int)
    for r in rows:
        count += 1
        total += r.net_kg
        decisions[r.decision] += 1
        if r.discrepancies:
            flagged += 1
            flagged_kg += r.net_kg
        foreign += sum(
            kg for c, kg in _split_kg(r.net_kg, r.melt_shares).items() if c != r.declared_origin
        )
    return Summary(count, total, flagged, flagged_kg, dict(sorted(decisions.items())), foreign)


def filter_options(rows: Iterable[DeclarationRow]) -> dict[str, list[str]]:
    """The values the filter form offers: countries, months and categories present."""
    countries: set[str] = set()
    months: set[str] = set()
    categories: set[str] = set()
    for r in rows:
        countries.update((r.declared_origin, *r.declared_melt, *r.melt_countries))
        months.add(r.month)
        categories.add(r.category)
    countries.discard(UNKNOWN)
    months.discard(UNKNOWN)
    order = {c: i for i, c in enumerate(hs.CATEGORIES)}
    return {
        "countries": sorted(countries),
        "months": sorted(months),
        "categories": sorted(categories, key=lambda c: (order.get(c, len(order)), c)),
    }
