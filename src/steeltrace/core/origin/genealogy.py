"""A lot's genealogy: every ancestor lot and the kg that flowed along each edge.

:func:`ancestors` walks the parents of a lot back to the cast lots of its heats,
iteratively (no recursion, whatever the depth) and bounded by ``limit`` ancestors (I-16):
past the bound it stops and says ``truncated``. It reads each lot's compact genealogy
entry (``idx/gen/{lot}``, written by the lot contracts, see
:func:`steeltrace.core.contracts.lots.genealogy_entry`) once, falling back to the lot
record where there is no entry. The result can give a topological order (every lot before
its parents), which is what the origin report needs to push mass shares back to the heats
in one pass; the report fuses that ordering with its own pass.

Pure: it reads the state view it is given and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from steeltrace.core.contracts.lots import genealogy_entry, genealogy_key, lot_key
from steeltrace.core.state import StateView
from steeltrace.errors import IntegrityError, NotFound

DEFAULT_LIMIT = 100_000

# Positions in a genealogy entry (lots.genealogy_entry); parents follow from PARENTS.
HEAT, HS, FACILITY, PROCESS, TRANSFORMATION, MASS_KG, PARENTS = range(7)

Entry = list[Any]
_GEN = genealogy_key("")
_ONE_PARENT = (PARENTS,)


@dataclass(frozen=True, slots=True)
class Genealogy:
    root: str
    lots: dict[str, Entry]  # every lot reached (the root included) -> its genealogy entry
    found: tuple[str, ...]  # breadth-first discovery order, the root first
    indegree: dict[str, int]  # lot -> how many lots of the genealogy list it as a parent
    cut: dict[str, list[tuple[str, int]]]  # parents not followed (limit, or missing)
    missing: tuple[str, ...]  # parent ids that no lot exists for
    truncated: bool
    edges: int

    @property
    def ancestor_count(self) -> int:
        return len(self.lots) - 1

    def topological(self) -> tuple[str, ...]:
        """Every lot before all of its parents (Kahn's algorithm over child -> parent)."""
        indegree = dict(self.indegree)
        order = [self.root]
        i = 0
        while i < len(order):
            entry = self.lots[order[i]]
            i += 1
            for j in range(PARENTS, len(entry), 2):
                pid = entry[j]
                if pid in indegree:
                    indegree[pid] -= 1
                    if indegree[pid] == 0:
                        order.append(pid)
        check_complete(order, self.lots)
        return tuple(order)

    def parents_of(self, lot_id: str) -> list[tuple[str, int]]:
        """The parents of a lot inside the genealogy, with the kg taken from each."""
        entry = self.lots[lot_id]
        return [
            (entry[j], entry[j + 1]) for j in range(PARENTS, len(entry), 2) if entry[j] in self.lots
        ]

    def to_dict(self) -> dict[str, Any]:
        """A JSON view: nodes, edges (child, parent, kg) and the flags."""
        nodes = [
            {
                "lot": lid,
                "heat": entry[HEAT],
                "hs": entry[HS],
                "facility": entry[FACILITY],
                "process": entry[PROCESS],
                "transformation": entry[TRANSFORMATION],
                "mass_kg": entry[MASS_KG],
            }
            for lid, entry in ((lid, self.lots[lid]) for lid in self.found)
        ]
        edges = [
            {"child": child, "parent": parent, "kg": kg}
            for child in self.found
            for parent, kg in self.parents_of(child)
        ]
        return {
            "root": self.root,
            "ancestors": self.ancestor_count,
            "nodes": nodes,
            "edges": edges,
            "missing": list(self.missing),
            "truncated": self.truncated,
        }


def entry_of(state: StateView, lot_id: str) -> Entry | None:
    """The genealogy entry of a lot, from the index or else from its record."""
    entry: Entry | None = state.get(genealogy_key(lot_id))
    if entry is not None:
        return entry
    record = state.get(lot_key(lot_id))
    return None if record is None else genealogy_entry(record)


def ancestors(
    state: StateView, lot_id: str, limit: int = DEFAULT_LIMIT, *, max_lots: int | None = None
) -> Genealogy:
    """The genealogy of ``lot_id`` with at most ``limit`` ancestors (``max_lots``: alias)."""
    if max_lots is not None:
        limit = max_lots
    root = entry_of(state, lot_id)
    if root is None:
        raise NotFound("LOT_UNKNOWN", f"lot {lot_id!r} does not exist")
    lots: dict[str, Entry] = {lot_id: root}
    found = [lot_id]  # discovery order (breadth first)
    cut: dict[str, list[tuple[str, int]]] = {}
    missing: list[str] = []
    indegree: dict[str, int] = {lot_id: 0}
    truncated = False
    edges = 0
    get = state.get
    room = limit  # ancestors that may still be added
    i = 0
    # The hot loop of every trace: no allocation per edge beyond the entries themselves.
    while i < len(found):
        lid = found[i]
        i += 1
        entry = lots[lid]
        size = len(entry)
        if size <= PARENTS:
            continue
        for j in range(PARENTS, size, 2) if size > PARENTS + 2 else _ONE_PARENT:
            pid = entry[j]
            if pid in indegree:
                indegree[pid] += 1
                edges += 1
                continue
            if room <= 0:
                truncated = True
                cut.setdefault(lid, []).append((pid, entry[j + 1]))
                continue
            parent = get(_GEN + pid)
            if parent is None:
                parent = entry_of(state, pid)
                if parent is None:
                    missing.append(pid)
                    cut.setdefault(lid, []).append((pid, entry[j + 1]))
                    continue
            lots[pid] = parent
            found.append(pid)
            indegree[pid] = 1
            edges += 1
            room -= 1
    return Genealogy(
        root=lot_id,
        lots=lots,
        found=tuple(found),
        indegree=indegree,
        cut=cut,
        missing=tuple(sorted(set(missing))),
        truncated=truncated,
        edges=edges,
    )


def check_complete(order: list[str], lots: dict[str, Entry]) -> None:
    """A topological order that misses lots means the stored genealogy has a cycle."""
    if len(order) != len(lots):
        # Contracts make this impossible (outputs are always new lots); stored data that
        # says otherwise has been tampered with.
        stuck = sorted(set(lots) - set(order)) or order[:1]  # or it came back to the root
        raise IntegrityError("GENEALOGY_CYCLE", f"the genealogy has a cycle through {stuck[0]}")
