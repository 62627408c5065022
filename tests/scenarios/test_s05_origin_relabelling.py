"""S-05: origin relabelling. No transaction can set a lot's or a heat's melt country (an
injected field is refused); a declaration claiming another melt country is recorded with
the discrepancy; a process that confers no origin leaves the origin where it was."""

from __future__ import annotations

from typing import Any

from steeltrace.core.origin.report import origin_report
from steeltrace.node.service import Node
from tests.scenarios.invariants import check_invariants
from tests.scenarios.world import HEAT_NO, _coil, _slabs, at, heat_payload, ok, refused_precheck


def galvanise(node: Node, **extra_output: Any) -> dict[str, Any]:
    out = {**_coil("VN-GI-1", 29_000, hs="7210.49", grade="DX51D+Z"), **extra_output}
    return {
        "id": "VN-CGL-1",
        "facility": "vn-saigon-cgl",
        "process": "galvanising",
        "inputs": [{"lot": "CN-HRC-1", "kg": 29_400}],
        "outputs": [out],
        "at": at(node),
    }


def declaration(lot: str, melt: Any, origin: str, **over: Any) -> dict[str, Any]:
    return {
        "declaration_id": "US-IMP-1",
        "direction": "import",
        "declaring_country": "US",
        "declarant": "trader-sg",
        "importer": "trader-sg",
        "port_of_entry": "USHOU",
        "hs": "7208.39",
        "declared_origin": origin,
        "declared_melt_pour": melt,
        "net_kg": 29_300,
        "customs_value": {"amount": "19000.00", "currency": "USD"},
        "lots": [lot],
        **over,
    }


def test_s05_melt_country_cannot_be_written(world: Node) -> None:
    ok(world, "mill-cn", "title.transfer", {"lots": ["CN-HRC-1"], "to": "proc-vn"})
    for field in ("country", "melt_and_pour", "origin", "heat"):
        refused_precheck(
            world,
            "PAYLOAD_UNKNOWN_FIELD",
            "proc-vn",
            "lot.transform",
            galvanise(world, **{field: "US"}),
        )
    cast = {"heat": f"mill-cn/{HEAT_NO['mill-cn']}", "lots": _slabs("CN-X", 1, 10_000, "S355JR")}
    cast["lots"][0]["country"] = "KR"
    refused_precheck(world, "PAYLOAD_UNKNOWN_FIELD", "mill-cn", "lot.cast", cast)
    refused_precheck(
        world,
        "PAYLOAD_UNKNOWN_FIELD",
        "mill-cn",
        "heat.register",
        heat_payload("mill-cn", "H-CN-7777", cast_at=at(world, 1), country="KR"),
    )
    # a mill's heat takes its facility's country: a Chinese mill cannot melt "in Korea"
    # at its Chinese plant, and the country is not a payload field anywhere
    heat = world.get(f"heat/mill-cn/{HEAT_NO['mill-cn']}")
    assert heat["country"] == "CN"
    assert origin_report(world, "CN-HRC-1")["melt_and_pour"] == {"CN": 1.0}
    check_invariants(world)


def test_s05_origin_change_through_a_process_that_confers_none(world: Node) -> None:
    ok(world, "mill-cn", "title.transfer", {"lots": ["CN-HRC-1"], "to": "proc-vn"})
    ok(world, "proc-vn", "lot.transform", galvanise(world))
    gi = origin_report(world, "VN-GI-1")
    assert gi["melt_and_pour"] == {"CN": 1.0}
    assert gi["origin"] == "CN"  # galvanising never confers origin, heading change or not
    # slitting the galvanised coil in VN: still CN, still melted in CN
    ok(
        world,
        "proc-vn",
        "lot.transform",
        {
            "id": "VN-SLIT-1",
            "facility": "vn-saigon-cgl",
            "process": "slitting",
            "inputs": [{"lot": "VN-GI-1", "kg": 29_000}],
            "outputs": [
                {**_coil(f"VN-STRIP-{i}", 14_400, hs="7212.30", grade="DX51D+Z"), "form": "strip"}
                for i in (1, 2)
            ],
            "at": at(world),
        },
    )
    strip = origin_report(world, "VN-STRIP-1")
    assert strip["melt_and_pour"] == {"CN": 1.0} and strip["origin"] == "CN"
    assert strip["foreign_content"].get("CN", 0.0) == 0.0
    check_invariants(world)


def test_s05_declaration_claiming_another_melt_country(world: Node) -> None:
    ok(world, "mill-kr", "title.transfer", {"lots": ["KR-HRC-2"], "to": "trader-sg"})
    st = world.submit_and_wait(
        "trader-sg", "customs.declare", declaration("KR-HRC-2", ["US"], "KR")
    )
    assert st["status"] == "valid", st  # recorded: the claim is evidence
    decl = world.get("declaration/US-IMP-1")
    codes = [d["code"] for d in decl["discrepancies"]]
    assert codes == ["MELT_POUR_MISMATCH"]
    assert decl["ledger"]["melt_and_pour"] == {"KR": 1.0}
    assert decl["declared_melt_pour"] in (["US"], {"US": 1.0})
    # the lot's melt country is what it was: a declaration changes nothing on the lot
    assert origin_report(world, "KR-HRC-2")["melt_and_pour"] == {"KR": 1.0}
    # a share claim that is off by more than 0.02 is a mismatch too
    shares = declaration(
        "KR-HRC-1", {"KR": 0.9, "US": 0.1}, "KR", declaration_id="US-IMP-2", net_kg=29_400
    )
    ok(world, "mill-kr", "title.transfer", {"lots": ["KR-HRC-1"], "to": "trader-sg"})
    ok(world, "trader-sg", "customs.declare", shares)
    d2 = world.get("declaration/US-IMP-2")
    assert [d["code"] for d in d2["discrepancies"]] == ["MELT_POUR_MISMATCH"]
    check_invariants(world)
