"""Walking a lot's genealogy up to its heats, for certificates.

A cast lot names its heat (``lot.heat``); a transformed lot names its parents
(``lot.parents``: ``{"lot", "kg"}`` consumed). A certificate may cover a lot only if the
walk from that lot reaches the certificate's heat, and for at most the mass of that heat
the lot can hold: a cast lot holds its whole mass of its heat; a transformed lot holds
``mass_kg`` times the mass-weighted share of the heat in the inputs it consumed.

The walk is bounded (:data:`MAX_LOTS_WALKED`) so a contract's cost stays bounded on a huge
genealogy (I-16); a walk that hits the bound says so (``truncated``) and contracts reject
rather than guess. Shares are exact fractions, so every peer computes the same bound.

The lots and transformation contracts own the genealogy; this module only reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from steeltrace.core.state import StateView

MAX_LOTS_WALKED = 2_000


@dataclass
class Genealogy:
    """The lots reachable upward from one lot, and the heat shares of each."""

    root: str
    lots: dict[str, dict[str, Any]] = field(default_factory=dict)  # lot id -> record
    order: list[str] = field(default_factory=list)  # breadth-first, root first
    depth: dict[str, int] = field(default_factory=dict)
    truncated: bool = False
    _shares: dict[str, dict[str, Fraction]] = field(default_factory=dict)

    def heats(self) -> list[str]:
        """Every heat the lot descends from, sorted."""
        return sorted(self.shares_of(self.root))

    def shares_of(self, lot_id: str) -> dict[str, Fraction]:
        """Heat id -> share of the lot's mass (exact); {} for a lot not walked.

        Computed bottom-up with an explicit stack (a chain of thousands of lots must
        not hit Python's recursion limit); a cycle, never valid (S-08), adds nothing.
        """
        stack: list[tuple[str, bool]] = [(lot_id, False)]
        in_progress: set[str] = set()
        while stack:
            current, expanded = stack.pop()
            if current in self._shares:
                continue
            lot = self.lots.get(current)
            if lot is None:
                self._shares[current] = {}
                continue
            parents = [] if lot.get("heat") else list(lot.get("parents") or [])
            if not expanded:
                if current in in_progress:
                    self._shares[current] = {}
                    continue
                in_progress.add(current)
                stack.append((current, True))
                stack.extend(
                    (str(p["lot"]), False) for p in parents if str(p["lot"]) not in in_progress
                )
                continue
            out: dict[str, Fraction] = {}
            if lot.get("heat"):
                out[str(lot["heat"])] = Fraction(1)
            total = sum(Fraction(int(p.get("kg") or 0)) for p in parents)
            if total > 0:
                for p in parents:
                    weight = Fraction(int(p.get("kg") or 0)) / total
                    for heat, share in self._shares.get(str(p["lot"]), {}).items():
                        out[heat] = out.get(heat, Fraction(0)) + weight * share
            self._shares[current] = out
        return self._shares.get(lot_id, {})

    def heat_mass_kg(self, lot_id: str, heat: str) -> int:
        """The most kilograms of ``heat`` the lot can hold (floor of mass x share)."""
        lot = self.lots.get(lot_id)
        if lot is None:
            return 0
        share = self.shares_of(lot_id).get(heat, Fraction(0))
        return int(Fraction(int(lot.get("mass_kg") or 0)) * share)


def walk(state: StateView, lot_id: str, max_lots: int = MAX_LOTS_WALKED) -> Genealogy:
    """Breadth-first walk from ``lot_id`` through ``parents``; missing lots are skipped."""
    g = Genealogy(root=lot_id)
    queue = [lot_id]
    g.depth[lot_id] = 0
    i = 0
    while i < len(queue):
        current = queue[i]
        i += 1
        if len(g.lots) >= max_lots:
            g.truncated = True
            break
        record = state.get(f"lot/{current}")
        if record is None:
            continue
        g.lots[current] = record
        g.order.append(current)
        for parent in record.get("parents") or []:
            pid = str(parent.get("lot"))
            if pid not in g.depth:
                g.depth[pid] = g.depth[current] + 1
                queue.append(pid)
    return g
