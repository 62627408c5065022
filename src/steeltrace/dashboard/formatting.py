"""How the dashboard writes numbers, codes and hashes for people (Jinja filters).

Masses are integer kilograms on the ledger; pages show tonnes with thousands separators.
ISO 3166 countries, UN/LOCODE ports and HS codes are shown with their names where the
packaged reference data knows them, and as the bare code otherwise (never an error: a
page must render whatever a record holds).
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment

from steeltrace.core.reference import countries, hs, locode

__all__ = [
    "category_label",
    "country_label",
    "country_name",
    "hs_label",
    "install",
    "kg",
    "port_label",
    "short",
    "tonnes",
    "when",
]

CATEGORY_LABELS = {
    "semi-finished": "Semi-finished",
    "flat": "Flat",
    "long": "Long",
    "pipe-and-tube": "Pipe and tube",
    "stainless": "Stainless",
    "other-alloy": "Other alloy",
    "ingot-and-primary": "Ingot and primary",
    "other": "Other",
}


def tonnes(kg_value: Any, decimals: int = 1) -> str:
    """12_345_678 kg -> "12,345.7 t"."""
    try:
        t = float(kg_value) / 1000
    except (TypeError, ValueError):
        return "–"
    return f"{t:,.{decimals}f} t"


def kg(value: Any) -> str:
    try:
        return f"{int(value):,} kg"
    except (TypeError, ValueError):
        return "–"


def country_name(code: Any) -> str | None:
    if not isinstance(code, str):
        return None
    try:
        return countries.country_name(code)
    except KeyError:
        return None


def country_label(code: Any) -> str:
    """ "CN" -> "CN China"; unknown codes as they are."""
    name = country_name(code)
    return f"{code} {name}" if name else str(code if code is not None else "–")


def port_label(code: Any) -> str:
    """ "CAVAN" -> "CAVAN Vancouver"."""
    if not isinstance(code, str):
        return "–"
    name = locode.locode_name(code) if locode.is_locode_format(code) else None
    return f"{code} {name}" if name else code


def hs_label(code: Any) -> str:
    """ "720839" -> "7208.39 Flat-rolled products of iron ...", shortened to 60 chars."""
    if not isinstance(code, str) or not code:
        return "–"
    entry = hs.hs_entry(code)
    if entry is None and len(code) > 6:
        entry = hs.hs_entry(code[:6]) or hs.hs_entry(code[:4])
    if entry is None:
        return code
    text = entry.description
    if len(text) > 60:
        text = text[:57].rstrip() + "…"
    return f"{entry.dotted} {text}"


def category_label(category: Any) -> str:
    return CATEGORY_LABELS.get(str(category), str(category))


def short(value: Any, n: int = 12) -> str:
    """A hash shortened for a table cell (the full value stays in the title attribute)."""
    s = str(value) if value is not None else "–"
    return s if len(s) <= n + 1 else s[:n] + "…"


def when(value: Any) -> str:
    """RFC 3339 UTC -> "2026-12-04 15:40:49 UTC" (seconds are enough to read a timeline)."""
    if not isinstance(value, str) or len(value) < 19 or value[10] != "T":
        return str(value) if value is not None else "–"
    return f"{value[:10]} {value[11:19]} UTC" if value.endswith("Z") else value


def percent(value: Any, decimals: int = 1) -> str:
    try:
        return f"{float(value) * 100:.{decimals}f} %"
    except (TypeError, ValueError):
        return "–"


def install(env: Environment) -> None:
    env.filters.update(
        tonnes=tonnes,
        kg=kg,
        country=country_label,
        country_name=country_name,
        port=port_label,
        hs=hs_label,
        category=category_label,
        short=short,
        percent=percent,
        when=when,
    )
