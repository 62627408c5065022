"""The origin report of a lot: melt and pour, origin under a regime, foreign content.

:func:`origin_report` answers, from the ledger alone and the same way on every node:

1. **Melt and pour.** Walk the genealogy (:func:`.genealogy.ancestors`). Push the lot's
   mass back to its heats in topological order: a lot made by a transformation draws
   from each input in proportion to the kg that transformation consumed of it, so the
   share of heat ``h`` is the sum over every path of the products of those proportions.
   Shares are exact fractions (integer numerator/denominator pairs, reduced when they
   grow, summed with :class:`fractions.Fraction`), converted to floats only at the end;
   the countries' shares therefore sum to 1 up to float rounding. ``melt_and_pour_kg``
   apportions the lot's ``mass_kg`` to countries by the largest-remainder method.
2. **Origin.** Under the regime's data (:mod:`.rules`): a cast lot's origin is its heat's
   country (first solid shape); a lot made by a conferring process that changed the HS
   heading (output heading not among the inputs' headings) takes the country of the
   facility that made it; any other lot inherits the origin of its inputs, and if they
   differ, the origin holding the most kg among the inputs (ties: the lower country
   code). ``origin_rule`` names the step that decided.
3. **Foreign content**: the share of mass melted outside ``reference_country`` (default:
   the origin). **CO2** and **recycled share**: mass-weighted over the heats that declare
   them, with the share of mass they cover.

A genealogy cut by the ancestor limit (I-16) or with missing records leaves some mass
untraced: shares are then of the traced mass, ``traced_share`` says how much that is, and
``truncated`` is set. Everything is computed per call from a memo of the records read;
nothing is cached between calls, so a report always reflects the state it is given.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from steeltrace.core.contracts.facilities import facility_key
from steeltrace.core.contracts.heats import heat_key
from steeltrace.core.contracts.lots import lot_key, transformation_key
from steeltrace.core.origin.genealogy import (
    DEFAULT_LIMIT,
    FACILITY,
    HEAT,
    HS,
    PARENTS,
    PROCESS,
    TRANSFORMATION,
    Entry,
    Genealogy,
    ancestors,
    check_complete,
    entry_of,
)
from steeltrace.core.origin.rules import Regime
from steeltrace.core.origin.rules import regime as load_regime
from steeltrace.core.state import StateView
from steeltrace.errors import NotFound

MAX_EXPLAINED_STEPS = 25
_REDUCE_BITS = 256

Ratio = tuple[int, int]  # numerator, denominator; not necessarily reduced


class _Records:
    """The per-call memo of heats, facilities and transformations read from the state."""

    def __init__(self, state: StateView) -> None:
        self.state = state
        self._memo: dict[str, Any] = {}

    def get(self, key: str) -> Any:
        if key not in self._memo:
            self._memo[key] = self.state.get(key)
        return self._memo[key]

    def heat(self, heat_id: str) -> dict[str, Any] | None:
        result: dict[str, Any] | None = self.get(heat_key(heat_id))
        return result

    def transformation(self, tid: str | None) -> dict[str, Any] | None:
        result: dict[str, Any] | None = self.get(transformation_key(tid)) if tid else None
        return result

    def process_of(self, entry: Entry) -> str:
        """The process that made a transformed lot (in its entry; else from the step)."""
        process = entry[PROCESS]
        if process is None:
            step = self.transformation(entry[TRANSFORMATION])
            process = step["process"] if step else "unknown"
        return str(process)

    def facility_country(self, facility_id: str | None) -> str | None:
        record = self.get(facility_key(facility_id)) if facility_id else None
        return None if record is None else str(record["country"])


def _sum(old: Ratio, n: int, d: int) -> Ratio:
    a, b = old
    if b == d:
        return (a + n, b)
    num, den = a * d + n * b, b * d
    g = math.gcd(num, den)
    return (num // g, den // g)


def _add(acc: dict[str, Ratio], key: str, n: int, d: int) -> None:
    old = acc.get(key)
    acc[key] = (n, d) if old is None else _sum(old, n, d)


def _heat_shares(g: Genealogy) -> tuple[dict[str, Fraction], Fraction, list[str]]:
    """Each heat's exact share of the lot's mass, the untraced share, lots without origin.

    One pass in topological order (Kahn's algorithm, fused with the weight pass)."""
    lots = g.lots
    indegree = dict(g.indegree)
    order = [g.root]
    # weight of a lot = nums[lot] / dens[lot]: two dicts of ints rather than one of tuples,
    # so the pass allocates no container per lot (the garbage collector stays idle)
    nums: dict[str, int] = {g.root: 1}
    dens: dict[str, int] = {g.root: 1}
    per_heat: dict[str, dict[int, int]] = {}
    untraced: dict[str, Ratio] = {}
    orphans: list[str] = []
    i = 0
    while i < len(order):
        lid = order[i]
        i += 1
        n = nums.pop(lid)
        d = dens.pop(lid)
        entry = lots[lid]
        heat = entry[HEAT]
        if heat is not None:
            by_den = per_heat.setdefault(heat, {})
            by_den[d] = by_den.get(d, 0) + n
            continue
        size = len(entry)
        if size <= PARENTS:
            orphans.append(lid)
            _add(untraced, "", n, d)
            continue
        if size == PARENTS + 2:
            # One input: all of the lot's mass came from it, whatever the kg.
            pid = entry[PARENTS]
            if pid not in indegree:
                _add(untraced, "", n, d)
                continue
            if pid in nums:
                nums[pid], dens[pid] = _sum((nums[pid], dens[pid]), n, d)
            else:
                nums[pid] = n
                dens[pid] = d
            indegree[pid] -= 1
            if indegree[pid] == 0:
                order.append(pid)
            continue
        den = d * sum(entry[PARENTS + 1 :: 2])
        for j in range(PARENTS, size, 2):
            pid = entry[j]
            num, pden = n * entry[j + 1], den
            if pden.bit_length() > _REDUCE_BITS:
                common = math.gcd(num, pden)
                num, pden = num // common, pden // common
            if pid not in indegree:
                _add(untraced, "", num, pden)
                continue
            if pid in nums:  # a shared ancestor: another path reached it already
                nums[pid], dens[pid] = _sum((nums[pid], dens[pid]), num, pden)
            else:
                nums[pid] = num
                dens[pid] = pden
            indegree[pid] -= 1
            if indegree[pid] == 0:
                order.append(pid)
    check_complete(order, lots)
    shares = {
        heat: sum((Fraction(n, d) for d, n in by_den.items()), Fraction(0))
        for heat, by_den in per_heat.items()
    }
    rest = untraced.get("")
    traced_out = Fraction(rest[0], rest[1]) if rest else Fraction(0)
    return shares, traced_out, orphans


class _Origins:
    """Origin of the lot under a regime (data only), evaluated lazily.

    Only lots whose origin can matter are evaluated: the lot itself and, behind every
    step that confers no origin, that step's inputs. A conferring step ends the walk, so
    the ancestors behind it are never examined.
    """

    def __init__(self, g: Genealogy, records: _Records, regime: Regime) -> None:
        self.origin: dict[str, str | None] = {}
        self.via: dict[str, str] = {}  # lot -> the input whose origin it inherited
        self.why: dict[str, str] = {}  # lot -> why its step conferred no origin
        self.mix: dict[str, dict[str | None, int]] = {}  # lot -> kg by input origin, if mixed
        self.headings: dict[str, tuple[list[str], str]] = {}
        self._heading_of: dict[str, str] = {}
        # Depth first from the lot, iteratively: a lot whose step confers no origin is
        # evaluated after its inputs (pushed again, marked expanded, beneath them).
        stack: list[tuple[str, bool]] = [(g.root, False)]
        while stack:
            lid, expanded = stack.pop()
            if lid in self.origin:
                continue
            if not expanded and self._inherits(g, records, regime, lid):
                stack.append((lid, True))
                entry = g.lots[lid]
                stack.extend(
                    (pid, False)
                    for pid in entry[PARENTS::2]
                    if pid in g.lots and pid not in self.origin
                )
                continue
            self.origin[lid] = self._evaluate(g, records, lid)

    def _inherits(self, g: Genealogy, records: _Records, regime: Regime, lid: str) -> bool:
        """Decide a lot's step; True if it confers no origin (so its inputs decide)."""
        entry = g.lots[lid]
        if entry[HEAT] is not None or len(entry) <= PARENTS:
            return False
        process = records.process_of(entry)
        in_headings: set[str] = set()
        for pid in entry[PARENTS::2]:
            parent = g.lots.get(pid) or entry_of(records.state, pid)
            if parent is not None:
                in_headings.add(self._heading(parent[HS]))
        out_heading = self._heading(entry[HS])
        self.headings[lid] = (sorted(in_headings), out_heading)
        why_not = regime.decide(process, in_headings, out_heading)
        if why_not is None:
            return False
        self.why[lid] = why_not
        return True

    def _heading(self, code: str) -> str:
        heading = self._heading_of.get(code)
        if heading is None:
            from steeltrace.core.reference import hs

            heading = self._heading_of[code] = hs.heading(code)
        return heading

    def _evaluate(self, g: Genealogy, records: _Records, lid: str) -> str | None:
        entry = g.lots[lid]
        heat = entry[HEAT]
        if heat is not None:
            heat_record = records.heat(heat)
            return None if heat_record is None else str(heat_record["country"])
        if lid not in self.headings:  # no inputs on the ledger
            return None
        if lid not in self.why:
            return records.facility_country(entry[FACILITY])
        by_origin: dict[str | None, int] = {}
        kept = g.parents_of(lid)
        for pid, kg in kept:
            key = self.origin[pid]
            by_origin[key] = by_origin.get(key, 0) + kg
        for _, kg in g.cut.get(lid, ()):
            by_origin[None] = by_origin.get(None, 0) + kg
        best = min(by_origin, key=lambda c: (-by_origin[c], c is None, c or ""))
        if len(by_origin) > 1:
            self.mix[lid] = by_origin
        heaviest = [(-kg, pid) for pid, kg in kept if self.origin[pid] == best]
        if heaviest:
            self.via[lid] = min(heaviest)[1]
        return best


def _pct(share: Fraction | float) -> str:
    return f"{float(share) * 100:.4g} %"


def _floats(shares: dict[str, Fraction]) -> dict[str, float]:
    return {k: float(v) for k, v in sorted(shares.items())}


def _apportion(total: int, shares: dict[str, Fraction]) -> dict[str, int]:
    """Integer kg per key summing to ``total`` (largest remainder, ties by key)."""
    if not shares:
        return {}
    exact = {k: v * total for k, v in shares.items()}
    out = {k: math.floor(v) for k, v in exact.items()}
    left = total - sum(out.values())
    for k in sorted(exact, key=lambda k: (-(exact[k] - out[k]), k))[: max(left, 0)]:
        out[k] += 1
    return dict(sorted(out.items()))


def _weighted(
    heat_shares: dict[str, Fraction], records: _Records, field: str
) -> tuple[float | None, float]:
    """Mass-weighted mean of a heat field over the heats that state it, and their coverage."""
    covered = Fraction(0)
    total = Fraction(0)
    for heat, share in heat_shares.items():
        record = records.heat(heat)
        value = None if record is None else record.get(field)
        if value is not None:
            covered += share
            total += share * Fraction(value)
    if covered == 0:
        return None, 0.0
    return float(total / covered), float(covered)


def origin_report(
    state: StateView,
    lot_id: str,
    regime: str | Regime = "default",
    reference_country: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> dict[str, Any]:
    """The origin report of ``lot_id`` (see the module docstring); NotFound if no such lot."""
    return report_from(state, ancestors(state, lot_id, limit), regime, reference_country)


def report_from(
    state: StateView,
    g: Genealogy,
    regime: str | Regime = "default",
    reference_country: str | None = None,
) -> dict[str, Any]:
    """The origin report of ``g.root`` over a genealogy already walked."""
    rules = load_regime(regime) if isinstance(regime, str) else regime
    lot_id = g.root
    root = state.get(lot_key(lot_id))
    if root is None:
        raise NotFound("LOT_UNKNOWN", f"lot {lot_id!r} does not exist")
    records = _Records(state)
    raw_shares, untraced, orphans = _heat_shares(g)
    traced = 1 - untraced
    heat_shares = {h: s / traced for h, s in raw_shares.items()} if traced else {}
    by_country: dict[str, Fraction] = {}
    heats_out: list[dict[str, Any]] = []
    for heat, share in sorted(heat_shares.items(), key=lambda kv: (-kv[1], kv[0])):
        record = records.heat(heat)
        country = record["country"] if record else "??"
        by_country[country] = by_country.get(country, Fraction(0)) + share
        heats_out.append(
            {
                "heat": heat,
                "mill": record["mill"] if record else None,
                "heat_no": record["heat_no"] if record else None,
                "country": country,
                "share": float(share),
            }
        )
    origins = _Origins(g, records, rules)
    origin = origins.origin[lot_id]
    rule, steps = _decision(g, origins, records, rules)
    reference = reference_country or origin
    foreign = (
        {reference: float(1 - by_country.get(reference, Fraction(0)))}
        if reference is not None and by_country
        else {}
    )
    co2, co2_coverage = _weighted(heat_shares, records, "co2_t_per_t")
    recycled, recycled_coverage = _weighted(heat_shares, records, "recycled_share")
    explanation = [
        f"Lot {lot_id} ({root['form']}, HS {root['hs']}, {root['mass_kg']} kg) traces back "
        f"through {g.ancestor_count} ancestor lots to {len(heats_out)} heat(s).",
        *steps,
        "Melt and pour: "
        + (
            ", ".join(f"{c} {_pct(s)}" for c, s in sorted(by_country.items(), key=_by_share))
            or "unknown"
        )
        + ", mass-weighted by the kg consumed along every path.",
    ]
    if origin is not None and by_country and set(by_country) != {origin}:
        explanation.append(
            f"The origin {origin} differs from the country of melt and pour: "
            f"{_pct(1 - by_country.get(origin, Fraction(0)))} of the steel was melted elsewhere."
        )
    if reference is not None and foreign:
        explanation.append(
            f"Foreign content relative to {reference}: {_pct(foreign[reference])} by mass."
        )
    if g.truncated or untraced:
        explanation.append(
            f"Only {_pct(traced)} of the mass is traced to heats "
            + ("(the genealogy was cut at the ancestor limit); " if g.truncated else "; ")
            + "shares are of the traced mass."
        )
    return {
        "lot": {
            "id": lot_id,
            "form": root["form"],
            "hs": root["hs"],
            "grade": root.get("grade"),
            "mass_kg": root["mass_kg"],
            "remaining_kg": root.get("remaining_kg"),
            "owner": root.get("owner"),
            "state": root.get("state"),
        },
        "regime": rules.name,
        "melt_and_pour": _floats(by_country),
        "melt_and_pour_kg": _apportion(root["mass_kg"], by_country),
        "heats": heats_out,
        "origin": origin,
        "origin_rule": rule,
        "foreign_content": foreign,
        "co2_t_per_t": co2,
        "co2_coverage": co2_coverage,
        "recycled_share": recycled,
        "recycled_coverage": recycled_coverage,
        "explanation": explanation,
        "genealogy": {
            "ancestors": g.ancestor_count,
            "edges": g.edges,
            "heats": len(heats_out),
            "missing": list(g.missing),
            "without_origin": sorted(orphans),
        },
        "traced_share": float(traced),
        "truncated": g.truncated,
    }


def _by_share(item: tuple[str, Fraction]) -> tuple[Fraction, str]:
    return (-item[1], item[0])


def _decision(
    g: Genealogy, origins: _Origins, records: _Records, rules: Regime
) -> tuple[dict[str, Any], list[str]]:
    """Walk from the lot to the step that decided its origin; the rule and the sentences."""
    lines: list[str] = []
    lid = g.root
    walked = 0
    mixed = False
    while lid in origins.why:
        entry = g.lots[lid]
        nxt = origins.via.get(lid)
        if walked < MAX_EXPLAINED_STEPS:
            place = records.facility_country(entry[FACILITY])
            text = (
                f"Lot {lid} (HS {entry[HS]}) was made by {records.process_of(entry)} "
                f"(transformation {entry[TRANSFORMATION]}) at facility "
                f"{entry[FACILITY]} in {place}: {origins.why[lid]}"
            )
            mix = origins.mix.get(lid)
            if mix:
                mixed = True
                parts = ", ".join(
                    f"{c or 'unknown'} {kg} kg"
                    for c, kg in sorted(mix.items(), key=lambda kv: (-kv[1], kv[0] or "~"))
                )
                text += f"; its inputs are of several origins ({parts}), the largest by mass wins"
            text += f"; origin passes from input lot {nxt}." if nxt else "."
            lines.append(text)
        elif walked == MAX_EXPLAINED_STEPS:
            lines.append("... further steps that confer no origin are not listed.")
        mixed = mixed or lid in origins.mix
        walked += 1
        if nxt is None:
            break
        lid = nxt
    entry = g.lots[lid]
    origin = origins.origin[lid]
    base: dict[str, Any] = {
        "regime": rules.name,
        "lot": lid,
        "steps_back": walked,
        "majority": mixed,
        "country": origin,
    }
    if entry[HEAT] is not None and origin is not None:
        lines.append(
            f"Lot {lid} was cast from heat {entry[HEAT]}, melted and poured in {origin}: "
            f"the first origin is {origin}."
        )
        return {"rule": "melt-and-pour", "heat": entry[HEAT], **base}, lines
    if lid in origins.headings and lid not in origins.why and origin is not None:
        process = records.process_of(entry)
        before, after = origins.headings[lid]
        lines.append(
            f"Lot {lid} (HS {entry[HS]}) was made by {process} (transformation "
            f"{entry[TRANSFORMATION]}) at facility {entry[FACILITY]} in "
            f"{origin}, changing the HS heading {'/'.join(before)} -> {after}: a substantial "
            f"transformation, so the origin is {origin}."
        )
        return {
            "rule": "substantial-transformation",
            "transformation": entry[TRANSFORMATION],
            "process": process,
            "from_headings": before,
            "to_heading": after,
            **base,
        }, lines
    lines.append(f"The origin of lot {lid} cannot be determined from the ledger.")
    return {"rule": "unresolved", **base}, lines
