"""Properties of the mass ledger (invariant 3, S-04) and of melt-and-pour shares.

Random sequences of casts and transformations, valid or not, run through the real
contracts. After every step: no mass was created (what is left plus what was lost equals
what was poured, exactly), no heat is over-cast, no lot is over-consumed, a rejection
changed nothing, and every lot's melt-and-pour shares sum to 1 with kg that add up.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from steeltrace.core.origin import origin_report
from steeltrace.errors import Rejected
from tests.support.harness import Harness
from tests.unit.contracts.steel_chain import (
    HRC_HS,
    chain,
    heat,
    lot_spec,
    transform_payload,
)

MILLS = (("mill-ca", "ca-works"), ("mill-cn", "cn-works"), ("mill-kr", "kr-works"))
HEAT_KG = 200_000


def _records(h: Harness, prefix: str) -> list[dict[str, Any]]:
    return [h.get(k) for k in h.state.keys_with_prefix(prefix)]


def _check_invariants(h: Harness) -> None:
    heats = _records(h, "heat/")
    lots = _records(h, "lot/")
    steps = _records(h, "transformation/")
    poured = 0
    for record in heats:
        cast_lots = [lot for lot in lots if lot["heat"] == record["id"]]
        assert record["cast_kg"] == sum(lot["mass_kg"] for lot in cast_lots)
        assert record["cast_kg"] <= record["tonnage_kg"]
        poured += record["cast_kg"]
    taken: dict[str, int] = {}
    for step in steps:
        produced = sum(h.get(f"lot/{out}")["mass_kg"] for out in step["outputs"])
        consumed = sum(item["kg"] for item in step["inputs"])
        assert produced + step["loss_kg"] == consumed
        assert step["loss_kg"] >= 0
        for item in step["inputs"]:
            taken[item["lot"]] = taken.get(item["lot"], 0) + item["kg"]
    for lot in lots:
        assert 0 <= lot["remaining_kg"] <= lot["mass_kg"]
        assert lot["mass_kg"] - lot["remaining_kg"] == taken.get(lot["id"], 0)
        assert (lot["state"] == "consumed") == (lot["remaining_kg"] == 0)
    # nothing created: all that is left plus all that was lost is what was poured
    assert sum(lot["remaining_kg"] for lot in lots) + sum(s["loss_kg"] for s in steps) == poured


def _check_shares(h: Harness) -> None:
    for lot in _records(h, "lot/"):
        report = origin_report(h.state, lot["id"])
        assert abs(sum(report["melt_and_pour"].values()) - 1) < 1e-9
        assert abs(sum(x["share"] for x in report["heats"]) - 1) < 1e-9
        assert sum(report["melt_and_pour_kg"].values()) == lot["mass_kg"]
        assert report["traced_share"] == 1.0 and not report["truncated"]


def _attempt(h: Harness, signer: str, tx_type: str, payload: dict[str, Any]) -> bool:
    before = h.state.root()
    try:
        h.run(signer, tx_type, payload)
    except Rejected as e:
        assert h.state.root() == before
        event(f"{tx_type} rejected {e.code}")
        return False
    event(f"{tx_type} accepted")
    return True


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.data())
def test_random_casts_and_transformations_never_create_mass(data: st.DataObject) -> None:
    h = chain()
    for i, (mill, works) in enumerate(MILLS):
        heat(h, mill, f"H{i}", works, tonnage_kg=HEAT_KG)
    h.tick()
    owner = {}  # lot id -> owning mill
    n_lots = 0
    for step in range(data.draw(st.integers(1, 12), label="steps")):
        if not owner or data.draw(st.booleans(), label="cast?"):
            m = data.draw(st.integers(0, len(MILLS) - 1), label="mill")
            mill = MILLS[m][0]
            masses = data.draw(st.lists(st.integers(1, 120_000), min_size=1, max_size=3))
            specs = [lot_spec(f"L{n_lots + j}", kg) for j, kg in enumerate(masses)]
            if _attempt(h, mill, "lot.cast", {"heat": f"{mill}/H{m}", "lots": specs}):
                for j in range(len(masses)):
                    owner[f"L{n_lots + j}"] = mill
                n_lots += len(masses)
        else:
            mill = data.draw(st.sampled_from(sorted(set(owner.values()))), label="by")
            own = sorted(lot for lot, o in owner.items() if o == mill)
            chosen = data.draw(st.lists(st.sampled_from(own), min_size=1, max_size=3))
            inputs = []
            for lot in chosen:  # duplicates and over-consumption are tried on purpose
                left = h.get(f"lot/{lot}")["remaining_kg"]
                kg = data.draw(st.integers(1, max(1, left + 5)), label="kg")
                inputs.append((lot, kg))
            consumed = sum(kg for _, kg in inputs)
            outs = data.draw(st.integers(1, 3), label="outputs")
            keep = data.draw(st.integers(850, 1010), label="yield per mille")
            each = max(1, consumed * keep // 1000 // outs)
            outputs = [(f"L{n_lots + j}", each) for j in range(outs)]
            works = dict(MILLS)[mill]
            h.tick()
            payload = transform_payload(
                f"T{step}",
                works,
                "hot-rolling",
                inputs,
                outputs,
                hs=HRC_HS,
                at=h.now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            )
            if _attempt(h, mill, "lot.transform", payload):
                for lot_id, _ in outputs:
                    owner[lot_id] = mill
                n_lots += outs
        _check_invariants(h)
    _check_shares(h)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 2), st.integers(1_000, 60_000)), min_size=1, max_size=8),
    st.data(),
)
def test_melt_and_pour_shares_of_a_blend_sum_to_one(
    slabs: list[tuple[int, int]], data: st.DataObject
) -> None:
    h = chain()
    for i, (mill, works) in enumerate(MILLS):
        heat(h, mill, f"H{i}", works, tonnage_kg=500_000)
    h.tick()
    # every slab is sold to the VN processor, which blends part of each into one lot
    inputs = []
    expected: dict[str, int] = {}
    for j, (m, kg) in enumerate(slabs):
        mill = MILLS[m][0]
        h.run(mill, "lot.cast", {"heat": f"{mill}/H{m}", "lots": [lot_spec(f"S{j}", kg)]})
        lot = h.get(f"lot/S{j}")
        h.state.apply({f"lot/S{j}": {**lot, "owner": "proc-vn", "custodian": "proc-vn"}})
        take = data.draw(st.integers(1, kg), label="take")
        inputs.append((f"S{j}", take))
        country = h.get(f"heat/{mill}/H{m}")["country"]
        expected[country] = expected.get(country, 0) + take
    total = sum(kg for _, kg in inputs)
    h.tick()
    h.run(
        "proc-vn",
        "lot.transform",
        transform_payload(
            "T",
            "vn-line",
            "hot-rolling",
            inputs,
            [("B", total - total // 50)],
            at=h.now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        ),
    )
    report = origin_report(h.state, "B")
    assert abs(sum(report["melt_and_pour"].values()) - 1) < 1e-9
    for country, kg in expected.items():
        assert abs(report["melt_and_pour"][country] - kg / total) < 1e-12
    assert sum(report["melt_and_pour_kg"].values()) == total - total // 50
