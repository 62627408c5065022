"""Steel chemistry classes of the HS: non-alloy, stainless, other alloy.

Source: Harmonized System 2022, Section XV, Chapter 72 (Iron and steel), Note 1:

- 1(e) **stainless steel**: alloy steel containing, by weight, 1.2 % or less of carbon and
  10.5 % or more of chromium, with or without other elements;
- 1(f) **other alloy steel**: steel not complying with the definition of stainless steel and
  containing, by weight, one or more of the following in the proportion shown: aluminium
  0.3 % or more, boron 0.0008 %, chromium 0.3 %, cobalt 0.3 %, copper 0.4 %, lead 0.4 %,
  manganese 1.65 %, molybdenum 0.08 %, nickel 0.3 %, niobium 0.06 %, silicon 0.6 %, titanium
  0.05 %, tungsten (wolfram) 0.3 %, vanadium 0.1 %, zirconium 0.05 %, and 0.1 % or more of any
  other element (except sulphur, phosphorus, carbon and nitrogen), taken separately;
- 1(d) non-alloy steel: the rest (steel being at most 2 % carbon, chromium steels aside).

Every threshold is inclusive ("or more"). The Note names no figure for selenium: it falls under
"other elements" at 0.1 %, the same figure. Other elements are the chemical element symbols
(case-sensitive: "C", "Mn", "Nb"); iron ("Fe", the balance) and S, P, C, N never make a steel
alloyed. Keys that are not element symbols (a carbon equivalent "CEV", a sum "Nb+V+Ti",
"Als" for acid-soluble Al) are ignored: classify on the elements themselves. An element not
reported counts as absent (0 %). Whether a material with more than 2 % C is steel at all is not
judged here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType

STAINLESS = "stainless"
OTHER_ALLOY = "other-alloy"
NON_ALLOY = "non-alloy"

STAINLESS_MAX_C = 1.2
STAINLESS_MIN_CR = 10.5

#: Chapter 72 Note 1(f): the element minima (mass %) that make a steel "other alloy".
ALLOY_THRESHOLDS: Mapping[str, float] = MappingProxyType(
    {
        "Al": 0.3,
        "B": 0.0008,
        "Cr": 0.3,
        "Co": 0.3,
        "Cu": 0.4,
        "Pb": 0.4,
        "Mn": 1.65,
        "Mo": 0.08,
        "Ni": 0.3,
        "Nb": 0.06,
        "Si": 0.6,
        "Ti": 0.05,
        "W": 0.3,
        "V": 0.1,
        "Zr": 0.05,
    }
)
#: Note 1(f): any other element, taken separately.
OTHER_ELEMENT_THRESHOLD = 0.1
#: Note 1(f): elements that never count towards "other alloy" (plus iron, the balance).
NEVER_ALLOYING = frozenset({"S", "P", "C", "N", "Fe"})

_SYMBOLS = """
H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br
Kr Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho
Er Tm Yb Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es
Fm Md No Lr Rf Db Sg Bh Hs Mt Ds Rg Cn Nh Fl Mc Lv Ts Og
"""
#: The 118 chemical element symbols.
ELEMENTS = frozenset(_SYMBOLS.split())


_BY_UPPER = {symbol.upper(): symbol for symbol in ELEMENTS}


def element_symbol(text: str) -> str | None:
    """The element symbol ``text`` names, whatever its case ("MN" -> "Mn", "al" -> "Al").

    None if it is not an element symbol ("CEV", "H2"). Symbols never differ only by case, so
    this is unambiguous; use it at the edge, since :func:`classify` is case-sensitive.
    """
    return _BY_UPPER.get(text.strip().upper()) if isinstance(text, str) else None


def _threshold(element: str) -> float | None:
    if element in NEVER_ALLOYING or element not in ELEMENTS:
        return None
    return ALLOY_THRESHOLDS.get(element, OTHER_ELEMENT_THRESHOLD)


def _checked(chemistry: Mapping[str, float]) -> dict[str, float]:
    values: dict[str, float] = {}
    for key, value in chemistry.items():
        number = float(value)
        if math.isnan(number) or math.isinf(number) or number < 0:
            raise ValueError(f"mass % of {key!r} must be a finite number >= 0, got {value!r}")
        values[key] = number
    return values


def is_stainless(chemistry: Mapping[str, float]) -> bool:
    """Note 1(e): C <= 1.2 % and Cr >= 10.5 %."""
    values = _checked(chemistry)
    return values.get("C", 0.0) <= STAINLESS_MAX_C and values.get("Cr", 0.0) >= STAINLESS_MIN_CR


def alloying_elements(chemistry: Mapping[str, float]) -> list[str]:
    """The elements at or above their Note 1(f) threshold, sorted by symbol."""
    values = _checked(chemistry)
    found = []
    for element, value in values.items():
        threshold = _threshold(element)
        if threshold is not None and value >= threshold:
            found.append(element)
    return sorted(found)


def classify(chemistry: Mapping[str, float]) -> str:
    """ "stainless", "other-alloy" or "non-alloy" for a composition in mass % by element.

    ``classify({"C": 0.18, "Mn": 1.45, "Si": 0.25})`` is "non-alloy";
    ``classify({"C": 0.05, "Cr": 18.1, "Ni": 8.1})`` is "stainless". Raises ValueError for a
    negative, infinite or NaN value.
    """
    if is_stainless(chemistry):
        return STAINLESS
    if alloying_elements(chemistry):
        return OTHER_ALLOY
    return NON_ALLOY
