"""Steel grades as data, and the check of certificate results against a grade's limits.

Data: ``grades.json`` (see SOURCES.md), 45 records of two kinds (``Grade.basis``):

- ``"product-standard"``: limits of the product standard, by nominal thickness band:
  EN 10025-2 S235JR/J0/J2, S275JR/J0/J2, S355JR/J0/J2/K2; EN 10219-1 S355J2H; ASTM A36 (plates);
  ASTM A572 Grade 50 (plates). Chemistry maxima (and minima where the standard sets a range) of
  the ladle/heat analysis, minimum yield (ReH), tensile range (Rm) and minimum elongation.
- ``"eurocode-nominal"``: the 32 strength classes of EN 1993-1-1 Table 3.1 (EN 10025-2 to -6,
  EN 10210-1, EN 10219-1) with their nominal fy and fu for t <= 40 mm and 40 < t <= 80 mm only.
  Those are design values: checked as yield minimum and tensile minimum, nothing else.

Lookup (:func:`grade`) ignores case, spaces, dots, hyphens and a year (``EN 10025-2:2019``),
drops a delivery-condition suffix (``S355J2+N``, ``S355JR +AR``) and knows EN 10027-2 steel
numbers (``1.0577``). All of these find the same grade: "S355JR", "s355 jr",
"EN 10025-2 S355JR", "1.0045". ASTM: "A36", "ASTM A36", "A36/A36M"; "A572-50",
"A572 Gr 50", "ASTM A572 Grade 50". A designation without its standard resolves when one
product-standard record (or else exactly one record) carries it; otherwise (e.g. "S355NH",
in both EN 10210-1 and EN 10219-1) name the standard.

Checking (:func:`check_results`): values are compared as given, limits inclusive (a value equal
to a maximum conforms). ``thickness_mm=None`` means the reference thickness of 16 mm (the
thickness at which an EN designation states its yield). An element the certificate does not
report, or a result that is ``None``, is not checked. Elongation: pass ``orientation``
("longitudinal"/"transverse", EN) or ``gauge_length_mm`` (50 or 200, ASTM) to select the
minimum; without them the lowest minimum that applies is used, so nothing is flagged that some
test layout would allow. A thickness beyond every band of the grade gives one
``GRADE_THICKNESS_OUT_OF_RANGE`` finding and no strength check.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from steeltrace.core.reference._data import load_json

_FILE = "grades.json"

REFERENCE_THICKNESS_MM = 16.0

CHEMISTRY_ABOVE_MAX = "GRADE_CHEMISTRY_ABOVE_MAX"
CHEMISTRY_BELOW_MIN = "GRADE_CHEMISTRY_BELOW_MIN"
YIELD_BELOW_MIN = "GRADE_YIELD_BELOW_MIN"
TENSILE_OUT_OF_RANGE = "GRADE_TENSILE_OUT_OF_RANGE"
ELONGATION_BELOW_MIN = "GRADE_ELONGATION_BELOW_MIN"
THICKNESS_OUT_OF_RANGE = "GRADE_THICKNESS_OUT_OF_RANGE"

_BAND_RE = re.compile(r"([(\[])(\d+(?:\.\d+)?),(\d+(?:\.\d+)?)([)\]])")


@dataclass(frozen=True, slots=True)
class Band:
    """A nominal thickness interval in mm, e.g. ``(16,40]`` = 16 < t <= 40."""

    low: float
    low_inclusive: bool
    high: float
    high_inclusive: bool

    @classmethod
    def parse(cls, text: str) -> Band:
        match = _BAND_RE.fullmatch(text)
        if match is None:
            raise ValueError(f"bad thickness band {text!r}")
        left, low, high, right = match.groups()
        return cls(float(low), left == "[", float(high), right == "]")

    def contains(self, t: float) -> bool:
        above = t >= self.low if self.low_inclusive else t > self.low
        below = t <= self.high if self.high_inclusive else t < self.high
        return above and below

    def __str__(self) -> str:
        left = "[" if self.low_inclusive else "("
        right = "]" if self.high_inclusive else ")"
        return f"{left}{self.low:g},{self.high:g}{right} mm"


@dataclass(frozen=True, slots=True)
class ChemistryLimit:
    element: str  # "C", "Mn" ...
    band: Band | None  # None: every thickness
    minimum: float | None
    maximum: float | None


@dataclass(frozen=True, slots=True)
class StrengthLimit:
    band: Band
    minimum: float | None
    maximum: float | None


@dataclass(frozen=True, slots=True)
class ElongationLimit:
    band: Band
    minima: tuple[tuple[str, float], ...]  # ("longitudinal", 22.0), ("gauge_50mm", 23.0) ...


@dataclass(frozen=True, slots=True)
class Grade:
    id: str  # "EN 10025-2 S355JR", "ASTM A572 Gr 50"
    standard: str
    designation: str
    aliases: tuple[str, ...]
    steel_numbers: tuple[str, ...]
    basis: str  # "product-standard" or "eurocode-nominal"
    chemistry: tuple[ChemistryLimit, ...]
    yield_min: tuple[StrengthLimit, ...]
    tensile: tuple[StrengthLimit, ...]
    elongation_min: tuple[ElongationLimit, ...]
    source: str

    @property
    def max_thickness_mm(self) -> float:
        """The largest nominal thickness the grade's strength bands cover."""
        return max(limit.band.high for limit in (*self.yield_min, *self.tensile))


@dataclass(frozen=True, slots=True)
class Finding:
    """One departure of a certificate result from the grade's limits."""

    code: str  # GRADE_CHEMISTRY_ABOVE_MAX ...
    field: str  # element symbol ("C"), "yield_mpa", "tensile_mpa", "elongation_pct", ...
    limit: float
    actual: float
    message: str


def _band(text: str | None) -> Band | None:
    return None if text is None else Band.parse(text)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _strength(items: Sequence[Mapping[str, Any]]) -> tuple[StrengthLimit, ...]:
    return tuple(
        StrengthLimit(Band.parse(item["t"]), _float(item.get("min")), _float(item.get("max")))
        for item in items
    )


def _grade_of(record: Mapping[str, Any]) -> Grade:
    chemistry = tuple(
        ChemistryLimit(
            item["element"], _band(item.get("t")), _float(item.get("min")), _float(item.get("max"))
        )
        for item in record["chemistry"]
    )
    elongation = tuple(
        ElongationLimit(
            Band.parse(item["t"]),
            tuple(sorted((key, float(value)) for key, value in item.items() if key != "t")),
        )
        for item in record["elongation_min_pct"]
    )
    return Grade(
        id=record["id"],
        standard=record["standard"],
        designation=record["designation"],
        aliases=tuple(record["aliases"]),
        steel_numbers=tuple(record["steel_numbers"]),
        basis=record["basis"],
        chemistry=chemistry,
        yield_min=_strength(record["yield_min_mpa"]),
        tensile=_strength(record["tensile_mpa"]),
        elongation_min=elongation,
        source=record["source"],
    )


def _key(text: str) -> str:
    """The lookup key of a grade name: upper case, no year, no delivery condition, no spacing."""
    key = text.upper().strip()
    key = re.sub(r"\s*\+\s*[A-Z]{1,3}\d?\s*$", "", key)  # +N, +AR, +M, +QT, +N2 ...
    key = re.sub(r"(EN\s*\d+(?:-\d+)?)\s*:\s*\d{4}(?:-\d{2})?", r"\1", key)  # EN 10025-2:2019
    key = re.sub(r"\bGRADE\b", "GR", key)
    key = re.sub(r"(A\d+)\s*/\s*A\d+M\b", r"\1", key)  # A36/A36M -> A36
    return re.sub(r"[\s.\-_]", "", key)


@cache
def _index() -> tuple[dict[str, Grade], dict[str, list[tuple[int, Grade]]]]:
    """(qualified key -> grade, bare key -> [(priority, grade)]); 0 = product standard."""
    qualified: dict[str, Grade] = {}
    bare: dict[str, list[tuple[int, Grade]]] = {}
    for record in load_json(_FILE)["grades"]:
        g = _grade_of(record)
        priority = 0 if g.basis == "product-standard" else 1
        prefix = "ASTM" if g.standard.startswith("ASTM") else g.standard
        names = [g.designation, *g.aliases]
        for name in names:
            qualified[_key(f"{prefix} {name}")] = g
            bare.setdefault(_key(name), []).append((priority, g))
        qualified[_key(g.id)] = g
        for number in g.steel_numbers:
            bare.setdefault(_key(number), []).append((priority, g))
    return qualified, bare


def all_grades() -> tuple[Grade, ...]:
    """Every grade, sorted by id."""
    seen = {g.id: g for g in _index()[0].values()}
    return tuple(seen[k] for k in sorted(seen))


def grade(grade_id: str) -> Grade | None:
    """The grade named ``grade_id`` (see the module docstring for accepted spellings), or None."""
    if not isinstance(grade_id, str) or not grade_id.strip():
        return None
    qualified, bare = _index()
    key = _key(grade_id)
    if key in qualified:
        return qualified[key]
    candidates = bare.get(key, [])
    if not candidates:
        return None
    best = min(priority for priority, _g in candidates)
    chosen = {g.id: g for priority, g in candidates if priority == best}
    return next(iter(chosen.values())) if len(chosen) == 1 else None


def _number(name: str, value: float | None) -> float | None:
    if value is None:
        return None
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return number


def _applicable(limits: Sequence[StrengthLimit], t: float) -> StrengthLimit | None:
    return next((limit for limit in limits if limit.band.contains(t)), None)


def _elongation_minimum(
    limit: ElongationLimit, orientation: str | None, gauge_length_mm: float | None
) -> tuple[float, str]:
    minima = dict(limit.minima)
    wanted: str | None = None
    if orientation is not None and orientation.lower() in minima:
        wanted = orientation.lower()
    elif gauge_length_mm is not None and f"gauge_{gauge_length_mm:g}mm" in minima:
        wanted = f"gauge_{gauge_length_mm:g}mm"
    if wanted is not None:
        return minima[wanted], wanted
    variant = min(minima, key=lambda k: (minima[k], k))
    return minima[variant], variant


def check_results(
    grade: Grade | str,
    chemistry: Mapping[str, float],
    yield_mpa: float | None,
    tensile_mpa: float | None,
    elongation_pct: float | None,
    thickness_mm: float | None,
    *,
    orientation: str | None = None,
    gauge_length_mm: float | None = None,
) -> list[Finding]:
    """Every departure of the results from ``grade``'s limits; an empty list means conforming.

    ``grade`` is a :class:`Grade` or a name for :func:`grade` (ValueError if unknown).
    ``chemistry`` is mass % by element symbol. See the module docstring for the rules.
    """
    g = _resolve(grade)
    t = _number("thickness_mm", thickness_mm)
    if t is not None and t <= 0:
        raise ValueError(f"thickness_mm must be > 0, got {thickness_mm!r}")
    t_eff = REFERENCE_THICKNESS_MM if t is None else t
    findings: list[Finding] = []

    for limit in g.chemistry:
        if limit.element not in chemistry or (limit.band and not limit.band.contains(t_eff)):
            continue
        actual = _number(limit.element, chemistry[limit.element])
        assert actual is not None
        where = f" for t in {limit.band}" if limit.band else ""
        if limit.maximum is not None and actual > limit.maximum:
            findings.append(
                Finding(
                    CHEMISTRY_ABOVE_MAX,
                    limit.element,
                    limit.maximum,
                    actual,
                    f"{limit.element} {actual:g} % is above the {g.id} maximum of "
                    f"{limit.maximum:g} %{where}",
                )
            )
        if limit.minimum is not None and actual < limit.minimum:
            findings.append(
                Finding(
                    CHEMISTRY_BELOW_MIN,
                    limit.element,
                    limit.minimum,
                    actual,
                    f"{limit.element} {actual:g} % is below the {g.id} minimum of "
                    f"{limit.minimum:g} %{where}",
                )
            )

    if t_eff > g.max_thickness_mm:
        findings.append(
            Finding(
                THICKNESS_OUT_OF_RANGE,
                "thickness_mm",
                g.max_thickness_mm,
                t_eff,
                f"{t_eff:g} mm is beyond the thickness range of {g.id} "
                f"(up to {g.max_thickness_mm:g} mm): strengths not checked",
            )
        )
        return findings

    ys = _number("yield_mpa", yield_mpa)
    band = _applicable(g.yield_min, t_eff)
    if ys is not None and band is not None and band.minimum is not None and ys < band.minimum:
        findings.append(
            Finding(
                YIELD_BELOW_MIN,
                "yield_mpa",
                band.minimum,
                ys,
                f"yield {ys:g} MPa is below the {g.id} minimum of {band.minimum:g} MPa "
                f"for t in {band.band}",
            )
        )

    rm = _number("tensile_mpa", tensile_mpa)
    band = _applicable(g.tensile, t_eff)
    if rm is not None and band is not None:
        low = band.minimum is not None and rm < band.minimum
        high = band.maximum is not None and rm > band.maximum
        if low or high:
            bound = band.minimum if low else band.maximum
            assert bound is not None
            span = f"{band.minimum:g}-{band.maximum:g}" if band.maximum else f">= {band.minimum:g}"
            findings.append(
                Finding(
                    TENSILE_OUT_OF_RANGE,
                    "tensile_mpa",
                    bound,
                    rm,
                    f"tensile {rm:g} MPa is outside the {g.id} range {span} MPa "
                    f"for t in {band.band}",
                )
            )

    elong = _number("elongation_pct", elongation_pct)
    elong_band = next((e for e in g.elongation_min if e.band.contains(t_eff)), None)
    if elong is not None and elong_band is not None:
        minimum, variant = _elongation_minimum(elong_band, orientation, gauge_length_mm)
        if elong < minimum:
            findings.append(
                Finding(
                    ELONGATION_BELOW_MIN,
                    "elongation_pct",
                    minimum,
                    elong,
                    f"elongation {elong:g} % is below the {g.id} minimum of {minimum:g} % "
                    f"({variant.replace('_', ' ')}) for t in {elong_band.band}",
                )
            )
    return findings


def _resolve(value: Grade | str) -> Grade:
    if isinstance(value, Grade):
        return value
    found = grade(value)
    if found is None:
        raise ValueError(f"unknown steel grade: {value!r}")
    return found
