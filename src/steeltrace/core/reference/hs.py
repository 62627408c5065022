"""HS 2022 (Harmonized System, 2022 edition) lookups and the steel scope of chapters 72-73.

Data: ``hs2022.json`` (every chapter, heading and subheading of HS 2022; see SOURCES.md).

Input form
----------
The canonical form is digits only: ``"7208"`` (heading) or ``"720839"`` (subheading). Also
accepted, and normalised to it: ``"7208.39"``, surrounding whitespace, and a space instead of the
dot (``"7208 39"``). :func:`hs_entry` and :func:`is_hs_code` answer only for 4- or 6-digit codes
that exist in HS 2022. The scope helpers (:func:`heading`, :func:`is_steel_code`,
:func:`category`, :func:`chemistry_class_of_code`, :func:`form`) also take national tariff lines
that extend an HS subheading to 8 or 10 digits (``"72083900"``, ``"7208.39.0015"``); they judge
them by their HS 2022 heading/subheading, which must exist. Anything else (letters, 2 or 5
digits, ``"72.08"``) is not an HS code.

Import-monitor category by heading (:func:`category`)
-----------------------------------------------------
=========================  ============================================================
category                   headings
=========================  ============================================================
``ingot-and-primary``      7201-7203, 7205 (pig iron, ferro-alloys, DRI/sponge iron,
                           granules and powders)
``semi-finished``          7206-7207 (non-alloy ingots, slabs, blooms, billets)
``flat``                   7208-7212, 7225-7226
``long``                   7213-7217, 7227-7229, 7301-7302 (sheet piling; rails and track)
``stainless``              7218-7223
``other-alloy``            7224 (other alloy steel in ingots and semi-finished forms)
``pipe-and-tube``          7304-7306
``other``                  7204 (ferrous scrap), 7303 (cast-iron tubes), 7307-7326, and
                           any code outside chapters 72-73
=========================  ============================================================

Chemistry class by heading (:func:`chemistry_class_of_code`, HS chapter 72 structure):
7206-7217 ``non-alloy``, 7218-7223 ``stainless``, 7224-7229 ``other-alloy``; ``None`` for every
other code (chapter 73 articles and 7201-7205 carry no class).

Product form by heading (:func:`form`), independent of chemistry: ``semi-finished`` 7206-7207,
7218, 7224; ``flat`` 7208-7212, 7219-7220, 7225-7226; ``long`` 7213-7217, 7221-7223,
7227-7229, 7301-7302; ``pipe-and-tube`` 7303-7306; ``primary`` 7201-7203, 7205; ``scrap`` 7204;
``article`` for the rest of chapter 73; ``None`` outside chapters 72-73.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from steeltrace.core.reference._data import load_json

_FILE = "hs2022.json"

_HS_RE = re.compile(r"(\d{4})(?:[. ]?(\d{2}))?")
_LINE_RE = re.compile(r"(\d{4})(?:[. ]?(\d{2})(?:[. ]?(\d{2})(?:[. ]?(\d{2}))?)?)?")

CATEGORIES = (
    "semi-finished",
    "flat",
    "long",
    "pipe-and-tube",
    "stainless",
    "other-alloy",
    "ingot-and-primary",
    "other",
)


@dataclass(frozen=True, slots=True)
class HsEntry:
    """One HS 2022 heading (level 4) or subheading (level 6)."""

    code: str  # canonical digits, "7208" or "720839"
    description: str
    level: int  # 4 or 6 (number of digits)
    heading: str  # the first 4 digits
    chapter: str  # the first 2 digits

    @property
    def dotted(self) -> str:
        """The conventional printed form: "7208" or "7208.39"."""
        return self.code if self.level == 4 else f"{self.code[:4]}.{self.code[4:]}"


@cache
def _table() -> dict[str, str]:
    table: dict[str, str] = load_json(_FILE)["entries"]
    return table


def normalize(code: str) -> str | None:
    """The canonical digits of a 4- or 6-digit HS code ("7208.39" -> "720839"), else None.

    Only the form is checked, not existence in HS 2022.
    """
    if not isinstance(code, str):
        return None
    match = _HS_RE.fullmatch(code.strip())
    if match is None:
        return None
    return "".join(part for part in match.groups() if part)


def _line(code: str) -> str:
    """The canonical digits of an HS code or national tariff line; ValueError if malformed."""
    match = _LINE_RE.fullmatch(code.strip()) if isinstance(code, str) else None
    if match is None:
        raise ValueError(f"not an HS code: {code!r}")
    return "".join(part for part in match.groups() if part)


def _known_prefix(code: str) -> str | None:
    """The HS 2022 code (6 or 4 digits) that a code or tariff line falls under, if it exists."""
    try:
        digits = _line(code)
    except ValueError:
        return None
    table = _table()
    if len(digits) == 4:
        return digits if digits in table else None
    return digits[:6] if digits[:6] in table else None


def hs_entry(code: str) -> HsEntry | None:
    """The HS 2022 heading or subheading ``code`` ("7208", "720839" or "7208.39"), or None."""
    digits = normalize(code)
    if digits is None:
        return None
    description = _table().get(digits)
    if description is None:
        return None
    return HsEntry(
        code=digits,
        description=description,
        level=len(digits),
        heading=digits[:4],
        chapter=digits[:2],
    )


def is_hs_code(code: str) -> bool:
    """True if ``code`` is a heading or subheading that exists in HS 2022."""
    return hs_entry(code) is not None


def chapter_description(chapter: str) -> str | None:
    """The title of HS 2022 chapter ``chapter`` ("72" -> "Iron and steel"), or None."""
    if not (isinstance(chapter, str) and len(chapter) == 2 and chapter.isdigit()):
        return None
    return _table().get(chapter)


def heading(code: str) -> str:
    """The 4-digit heading of an HS code or national tariff line ("7208.39" -> "7208").

    Checks the form only; raises ValueError if ``code`` is not shaped like an HS code.
    """
    return _line(code)[:4]


def is_steel_code(code: str) -> bool:
    """True if ``code`` is in HS 2022 chapter 72 or 73 (or extends a subheading there)."""
    known = _known_prefix(code)
    return known is not None and known[:2] in ("72", "73")


def _heading_number(code: str) -> int | None:
    known = _known_prefix(code)
    return None if known is None else int(known[:4])


def category(code: str) -> str:
    """The import-monitor category of ``code`` (see the module docstring for the mapping).

    Codes outside chapters 72-73 are "other"; raises ValueError if ``code`` is not an HS 2022
    code (or a tariff line under one).
    """
    number = _heading_number(code)
    if number is None:
        raise ValueError(f"not an HS 2022 code: {code!r}")
    if 7201 <= number <= 7203 or number == 7205:
        return "ingot-and-primary"
    if 7206 <= number <= 7207:
        return "semi-finished"
    if 7208 <= number <= 7212 or 7225 <= number <= 7226:
        return "flat"
    if 7213 <= number <= 7217 or 7227 <= number <= 7229 or 7301 <= number <= 7302:
        return "long"
    if 7218 <= number <= 7223:
        return "stainless"
    if number == 7224:
        return "other-alloy"
    if 7304 <= number <= 7306:
        return "pipe-and-tube"
    return "other"


def chemistry_class_of_code(code: str) -> str | None:
    """The chemistry class implied by the heading: "non-alloy", "stainless", "other-alloy"."""
    number = _heading_number(code)
    if number is None:
        return None
    if 7206 <= number <= 7217:
        return "non-alloy"
    if 7218 <= number <= 7223:
        return "stainless"
    if 7224 <= number <= 7229:
        return "other-alloy"
    return None


def form(code: str) -> str | None:
    """The product form of a chapter 72-73 code, whatever its chemistry (module docstring)."""
    number = _heading_number(code)
    if number is None or not 7201 <= number <= 7399:
        return None
    if number in (7206, 7207, 7218, 7224):
        return "semi-finished"
    if 7208 <= number <= 7212 or number in (7219, 7220, 7225, 7226):
        return "flat"
    if 7213 <= number <= 7217 or 7221 <= number <= 7223 or 7227 <= number <= 7229:
        return "long"
    if number in (7301, 7302):
        return "long"
    if 7303 <= number <= 7306:
        return "pipe-and-tube"
    if number == 7204:
        return "scrap"
    if number <= 7205:
        return "primary"
    return "article"
