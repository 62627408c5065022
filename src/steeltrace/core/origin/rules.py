"""Origin rules as data: one regime per table entry in ``regimes.json``.

A regime says which transformation processes may confer origin, which never do, whether
the HS heading must change as well, and how a blend of inputs of several origins is
settled. The engine in :mod:`.report` reads a :class:`Regime` and never names a process
itself, so another country's regime is a new JSON entry (or a dict passed to
:meth:`Regime.from_dict`), not a code path. The format is described in docs/origin.md.

This module validates the data when it is loaded: every process named must be a
lot-to-lot transformation of the ledger's vocabulary, the two lists must not overlap and
together must cover every transformation process, so no step is left undecided.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from steeltrace.core.contracts.facilities import PROCESSES
from steeltrace.core.contracts.lots import NOT_TRANSFORMATIONS

FORMAT = "steeltrace-origin-regimes/1"
TRANSFORMATION_PROCESSES = frozenset(PROCESSES) - NOT_TRANSFORMATIONS
HEADING_CHANGE = ("required", "not-required")
MIXED_INPUTS = ("majority-mass",)
FIRST_ORIGIN = ("melt-and-pour",)


class RegimeError(ValueError):
    """The regime table is malformed (a packaging or programming error, not a verdict)."""


@dataclass(frozen=True, slots=True)
class Regime:
    name: str
    title: str
    conferring: frozenset[str]
    never_conferring: frozenset[str]
    heading_change_required: bool
    mixed_inputs: str
    first_origin: str

    @classmethod
    def from_dict(cls, name: str, data: Mapping[str, Any]) -> Regime:
        known = {
            "title", "basis", "first_origin", "conferring", "never_conferring",
            "heading_change", "mixed_inputs", "notes",
        }  # fmt: skip
        unknown = sorted(set(data) - known)
        if unknown:
            raise RegimeError(f"regime {name}: unknown field {unknown[0]!r}")
        conferring = frozenset(data.get("conferring", ()))
        never = frozenset(data.get("never_conferring", ()))
        for process in sorted(conferring | never):
            if process not in TRANSFORMATION_PROCESSES:
                raise RegimeError(f"regime {name}: {process!r} is not a transformation process")
        if conferring & never:
            raise RegimeError(f"regime {name}: {sorted(conferring & never)} listed both ways")
        gap = TRANSFORMATION_PROCESSES - conferring - never
        if gap:
            raise RegimeError(f"regime {name}: processes {sorted(gap)} are not decided")
        heading = data.get("heading_change", "required")
        if heading not in HEADING_CHANGE:
            raise RegimeError(f"regime {name}: heading_change must be one of {HEADING_CHANGE}")
        mixed = data.get("mixed_inputs", "majority-mass")
        if mixed not in MIXED_INPUTS:
            raise RegimeError(f"regime {name}: mixed_inputs must be one of {MIXED_INPUTS}")
        first = data.get("first_origin", "melt-and-pour")
        if first not in FIRST_ORIGIN:
            raise RegimeError(f"regime {name}: first_origin must be one of {FIRST_ORIGIN}")
        return cls(
            name=name,
            title=str(data.get("title", name)),
            conferring=conferring,
            never_conferring=never,
            heading_change_required=heading == "required",
            mixed_inputs=mixed,
            first_origin=first,
        )

    def decide(self, process: str, input_headings: set[str], output_heading: str) -> str | None:
        """Why a step confers no origin (a sentence), or None if it is substantial."""
        if process in self.never_conferring:
            return f"{process} never confers origin under regime {self.name}"
        if process not in self.conferring:  # unreachable for validated data; be safe
            return f"{process} is not listed as conferring origin under regime {self.name}"
        if self.heading_change_required and output_heading in input_headings:
            return (
                f"{process} left the HS heading at {output_heading}, and regime {self.name} "
                "requires a change of heading"
            )
        return None


@cache
def _table() -> dict[str, Regime]:
    text = (
        resources.files("steeltrace.core.origin")
        .joinpath("regimes.json")
        .read_text(encoding="utf-8")
    )
    data = json.loads(text)
    if data.get("format") != FORMAT:
        raise RegimeError(f"regimes.json: format must be {FORMAT!r}")
    return {name: Regime.from_dict(name, entry) for name, entry in data["regimes"].items()}


def regime_names() -> list[str]:
    return sorted(_table())


def regime(name: str) -> Regime:
    """The packaged regime ``name``; KeyError names the known ones."""
    table = _table()
    if name not in table:
        raise KeyError(f"unknown origin regime {name!r}; known: {', '.join(sorted(table))}")
    return table[name]
