"""Customs: declarations cross-checked against the ledger (S-05, S-07, S-10), decisions."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.harness import Harness
from tests.unit.contracts.world import STAINLESS, cast_lot, galvanised_in_vn, heat, lot, world


def declaration(**over: Any) -> dict[str, Any]:
    p: dict[str, Any] = {
        "declaration_id": "D1",
        "direction": "import",
        "declaring_country": "CA",
        "declarant": "trader",
        "importer": "buyer",
        "port_of_entry": "CAVAN",
        "hs": "720839",
        "declared_origin": "CN",
        "declared_melt_pour": ["CN"],
        "net_kg": 20_000,
        "customs_value": {"amount": "12250.00", "currency": "USD"},
        "lots": ["L1"],
    }
    p.update(over)
    return p


def codes(h: Harness, declaration_id: str = "D1") -> list[str]:
    return [d["code"] for d in h.get(f"declaration/{declaration_id}")["discrepancies"]]


@pytest.fixture
def h() -> Harness:
    h = world()
    cast_lot(h, "L1", "trader")  # CN-melted hot-rolled coil, 20 t
    return h


# ---------------------------------------------------------------- a clean declaration


def test_declare_consistent_declaration_has_no_discrepancy(h: Harness) -> None:
    h.run("trader", "customs.declare", declaration(date="2026-03-01"))
    d = h.get("declaration/D1")
    assert d["status"] == "submitted"
    assert d["discrepancies"] == []
    assert d["ledger"]["melt_and_pour"] == {"CN": 1.0}
    assert d["ledger"]["origin"] == {"L1": "CN"}
    assert d["ledger"]["heats"] == ["millcn/H-L1"]
    assert d["ledger"]["mass_kg"] == 20_000
    assert d["declarant"] == "trader"
    assert d["decisions"] == []
    assert h.get("idx/customs-lot/import/L1")["declarations"] == ["D1"]


def test_declare_accepts_shares_and_dotted_hs(h: Harness) -> None:
    h.run("trader", "customs.declare", declaration(declared_melt_pour={"CN": 1}, hs="7208.39"))
    assert h.get("declaration/D1")["hs"] == "720839"
    assert codes(h) == []


def test_declare_mass_within_tolerance_is_not_flagged(h: Harness) -> None:
    h.run("trader", "customs.declare", declaration(net_kg=20_400))  # 2 %
    assert codes(h) == []


# ---------------------------------------------------------------- discrepancies


def test_s07_transshipment_cn_coil_galvanised_in_vn_declared_vn(h: Harness) -> None:
    galvanised_in_vn(h, "GI1", "trader", substrate="L1")
    h.run(
        "trader",
        "customs.declare",
        declaration(
            lots=["GI1"],
            hs="721049",
            declared_origin="VN",
            declared_melt_pour=["VN"],
            net_kg=19_800,
        ),
    )
    d = h.get("declaration/D1")
    assert codes(h) == ["MELT_POUR_MISMATCH", "ORIGIN_MISMATCH"]
    by_code = {x["code"]: x for x in d["discrepancies"]}
    assert by_code["ORIGIN_MISMATCH"]["ledger"] == {"GI1": "CN"}
    assert by_code["MELT_POUR_MISMATCH"]["ledger"] == {"CN": 1.0}
    assert by_code["MELT_POUR_MISMATCH"]["declared"] == ["VN"]


def test_s07_flags_are_reproducible(h: Harness) -> None:
    galvanised_in_vn(h, "GI1", "trader", substrate="L1")
    payload = declaration(
        lots=["GI1"], hs="721049", declared_origin="VN", declared_melt_pour=["VN"], net_kg=19_800
    )
    first = h.run("trader", "customs.declare", payload)["declaration/D1"]["discrepancies"]
    h.state.apply({"declaration/D1": None, "idx/customs-lot/import/GI1": None})
    again = h.run("trader", "customs.declare", payload)["declaration/D1"]["discrepancies"]
    assert first == again


def test_s05_declared_melt_country_differs(h: Harness) -> None:
    h.run("trader", "customs.declare", declaration(declared_melt_pour=["KR"]))
    assert codes(h) == ["MELT_POUR_MISMATCH"]


def test_s05_declared_origin_differs(h: Harness) -> None:
    h.run("trader", "customs.declare", declaration(declared_origin="KR"))
    assert codes(h) == ["ORIGIN_MISMATCH"]


def test_melt_pour_shares_differ(h: Harness) -> None:
    cast_lot(h, "L2", "trader", country="CA")
    h.run(
        "trader",
        "customs.declare",
        declaration(
            lots=["L1", "L2"],
            net_kg=40_000,
            declared_origin="CN",
            declared_melt_pour={"CN": 0.1, "CA": 0.9},
        ),
    )
    d = h.get("declaration/D1")
    assert d["ledger"]["melt_and_pour"] == {"CA": 0.5, "CN": 0.5}
    assert "MELT_POUR_MISMATCH" in codes(h)
    assert "ORIGIN_MISMATCH" in codes(h)  # L2 is of Canadian origin


def test_melt_pour_shares_within_tolerance(h: Harness) -> None:
    cast_lot(h, "L2", "trader", country="CA")
    h.run(
        "trader",
        "customs.declare",
        declaration(lots=["L1", "L2"], net_kg=40_000, declared_melt_pour={"CN": 0.51, "CA": 0.49}),
    )
    assert "MELT_POUR_MISMATCH" not in codes(h)


def test_mass_mismatch(h: Harness) -> None:
    h.run("trader", "customs.declare", declaration(net_kg=15_000))
    d = h.get("declaration/D1")
    assert codes(h) == ["MASS_MISMATCH"]
    assert (d["discrepancies"][0]["declared"], d["discrepancies"][0]["ledger"]) == (15_000, 20_000)


def test_hs_class_mismatch_against_heat_chemistry(h: Harness) -> None:
    heat_id = heat(h, "millcn", "SS-1", "CN", chemistry=STAINLESS)
    lot(h, "LS", "trader", heat_id=heat_id)  # recorded as 7208 (non-alloy) by its maker
    h.run("trader", "customs.declare", declaration(lots=["LS"]))
    d = h.get("declaration/D1")
    assert codes(h) == ["HS_CLASS_MISMATCH"]
    assert d["discrepancies"][0]["ledger"] == {"heat/millcn/SS-1": "stainless"}


def test_hs_class_mismatch_against_certificate_chemistry(h: Harness) -> None:
    h.state.apply(
        {
            "cert/C1": {
                "id": "C1",
                "heat": "millcn/H-L1",
                "type": "3.1",
                "issuer": "millcn",
                "status": "valid",
                "lots": ["L1"],
                "C": {"chemistry": STAINLESS},
            },
            "lot/L1": {**h.get("lot/L1"), "certificates": ["C1"]},
        }
    )
    h.run("trader", "customs.declare", declaration())
    d = h.get("declaration/D1")
    assert codes(h) == ["HS_CLASS_MISMATCH"]
    assert d["discrepancies"][0]["ledger"] == {"cert/C1": "stainless"}


def test_hs_heading_differs_from_the_lots(h: Harness) -> None:
    h.run("trader", "customs.declare", declaration(hs="7210"))
    assert codes(h) == ["HS_LOT_MISMATCH"]


def test_s10_same_lot_in_two_open_import_declarations(h: Harness) -> None:
    h.run("trader", "customs.declare", declaration())
    h.run("trader", "customs.declare", declaration(declaration_id="D2"))
    assert codes(h, "D2") == ["LOT_ALREADY_DECLARED"]
    flag = h.get("declaration/D2")["discrepancies"][0]
    assert flag["ledger"] == {"L1": ["D1"]}
    assert h.get("idx/customs-lot/import/L1")["declarations"] == ["D1", "D2"]


def test_s10_lot_cleared_by_the_same_country_is_flagged_again(h: Harness) -> None:
    h.run("trader", "customs.declare", declaration())
    h.run("custca", "customs.decide", {"declaration_id": "D1", "decision": "cleared"})
    h.run("trader", "customs.declare", declaration(declaration_id="D2"))
    assert codes(h, "D2") == ["LOT_ALREADY_DECLARED"]


def test_s10_re_declaration_after_rejection_is_not_flagged(h: Harness) -> None:
    h.run("trader", "customs.declare", declaration())
    h.run(
        "custca",
        "customs.decide",
        {"declaration_id": "D1", "decision": "rejected", "reason": "wrong importer"},
    )
    h.run("trader", "customs.declare", declaration(declaration_id="D2"))
    assert codes(h, "D2") == []


def test_s10_import_elsewhere_after_clearance_is_not_flagged(h: Harness) -> None:
    h.run("trader", "customs.declare", declaration())
    h.run("custca", "customs.decide", {"declaration_id": "D1", "decision": "cleared"})
    h.run(
        "trader",
        "customs.declare",
        declaration(declaration_id="D2", declaring_country="US", port_of_entry="USHOU"),
    )
    assert codes(h, "D2") == []


def test_s10_export_and_import_are_separate(h: Harness) -> None:
    h.run(
        "trader",
        "customs.declare",
        declaration(direction="export", declaring_country="CN", port_of_entry="CNSGH"),
    )
    h.run("trader", "customs.declare", declaration(declaration_id="D2"))
    assert codes(h, "D2") == []


# ---------------------------------------------------------------- rejections


def test_declare_rejects_existing_id(h: Harness) -> None:
    h.run("trader", "customs.declare", declaration())
    h.reject("DECLARATION_EXISTS", "trader", "customs.declare", declaration())


def test_declare_rejects_declarant_not_signer(h: Harness) -> None:
    h.reject(
        "DECLARATION_NOT_DECLARANT", "trader", "customs.declare", declaration(declarant="buyer")
    )


def test_declare_rejects_unknown_importer(h: Harness) -> None:
    h.reject(
        "DECLARATION_PARTY_UNKNOWN", "trader", "customs.declare", declaration(importer="ghost")
    )


def test_declare_rejects_port_that_is_not_a_port(h: Harness) -> None:
    h.reject(
        "DECLARATION_NOT_A_PORT",
        "trader",
        "customs.declare",
        declaration(declaring_country="CN", port_of_entry="CNSHA"),
    )


def test_declare_rejects_port_in_another_country(h: Harness) -> None:
    h.reject(
        "DECLARATION_PORT_COUNTRY", "trader", "customs.declare", declaration(declaring_country="US")
    )


def test_declare_rejects_unknown_lot(h: Harness) -> None:
    h.reject("LOT_UNKNOWN", "trader", "customs.declare", declaration(lots=["L1", "L404"]))


@pytest.mark.parametrize("state", ["consumed", "scrapped"])
def test_declare_rejects_inactive_lot(h: Harness, state: str) -> None:
    cast_lot(h, "L9", "trader", state=state)
    h.reject("LOT_NOT_ACTIVE", "trader", "customs.declare", declaration(lots=["L9"]))


def test_an_exported_lot_can_be_declared_for_import_but_not_for_export_again(h: Harness) -> None:
    cast_lot(h, "L9", "trader", state="exported")
    export = declaration(
        declaration_id="DX",
        lots=["L9"],
        direction="export",
        declaring_country="CN",
        port_of_entry="CNSGH",
    )
    h.reject("LOT_NOT_ACTIVE", "trader", "customs.declare", export)
    h.run("trader", "customs.declare", declaration(lots=["L9"]))


@pytest.mark.parametrize(
    ("over", "code"),
    [
        ({"hs": "7299"}, "HS_UNKNOWN"),
        ({"hs": "72083900"}, "HS_UNKNOWN"),  # a national tariff line, not an HS 2022 code
        ({"declared_origin": "XX"}, "COUNTRY_UNKNOWN"),
        ({"declaring_country": "ca"}, "COUNTRY_UNKNOWN"),
        ({"declared_melt_pour": ["CN", "QQ"]}, "COUNTRY_UNKNOWN"),
        ({"declared_melt_pour": []}, "PAYLOAD_INVALID"),
        ({"declared_melt_pour": {}}, "PAYLOAD_INVALID"),
        ({"declared_melt_pour": {"CN": 0.5, "VN": 0.2}}, "MELT_POUR_SHARES_INVALID"),
        ({"declared_melt_pour": {"CN": 1.5}}, "PAYLOAD_INVALID"),
        ({"declared_melt_pour": "CN"}, "PAYLOAD_INVALID"),
        ({"customs_value": {"amount": "12250", "currency": "usd"}}, "CURRENCY_UNKNOWN"),
        ({"customs_value": {"amount": 12250, "currency": "USD"}}, "AMOUNT_INVALID"),
        ({"net_kg": 20_000.5}, "MASS_NOT_INTEGER"),
        ({"direction": "transit"}, "PAYLOAD_INVALID"),
        ({"port_of_entry": "CA999"}, "LOCODE_UNKNOWN"),
        ({"date": "01/03/2026"}, "PAYLOAD_INVALID"),
        ({"verified": True}, "PAYLOAD_UNKNOWN_FIELD"),
    ],
)
def test_declare_rejects_bad_payload(h: Harness, over: dict[str, Any], code: str) -> None:
    h.reject(code, "trader", "customs.declare", declaration(**over))


def test_declare_rejects_missing_field(h: Harness) -> None:
    p = declaration()
    del p["net_kg"]
    h.reject("PAYLOAD_MISSING_FIELD", "trader", "customs.declare", p)


def test_declare_rejects_role_not_permitted(h: Harness) -> None:
    h.reject("ROLE_NOT_PERMITTED", "carrier", "customs.declare", declaration(declarant="carrier"))


# ---------------------------------------------------------------- decisions


def test_decide_clear(h: Harness) -> None:
    h.run("trader", "customs.declare", declaration())
    h.tick()
    h.run("custca", "customs.decide", {"declaration_id": "D1", "decision": "cleared"})
    d = h.get("declaration/D1")
    assert d["status"] == "cleared"
    assert d["decisions"][0]["by"] == "custca"
    assert d["decisions"][0]["height"] == h.height


def test_decide_hold_then_clear(h: Harness) -> None:
    h.run("trader", "customs.declare", declaration())
    h.run(
        "custca",
        "customs.decide",
        {"declaration_id": "D1", "decision": "held", "reason": "inspection"},
    )
    h.reject(
        "DECLARATION_ALREADY_HELD",
        "custca",
        "customs.decide",
        {"declaration_id": "D1", "decision": "held", "reason": "again"},
    )
    h.run("custca", "customs.decide", {"declaration_id": "D1", "decision": "cleared"})
    assert [x["decision"] for x in h.get("declaration/D1")["decisions"]] == ["held", "cleared"]


@pytest.mark.parametrize("final", ["cleared", "rejected"])
def test_decide_rejects_decision_after_final(h: Harness, final: str) -> None:
    h.run("trader", "customs.declare", declaration())
    h.run("custca", "customs.decide", {"declaration_id": "D1", "decision": final, "reason": "x"})
    h.reject(
        "DECLARATION_FINAL",
        "custca",
        "customs.decide",
        {"declaration_id": "D1", "decision": "held", "reason": "late"},
    )


def test_decide_rejects_another_countrys_customs(h: Harness) -> None:
    h.run("trader", "customs.declare", declaration())
    h.reject(
        "CUSTOMS_WRONG_COUNTRY",
        "custus",
        "customs.decide",
        {"declaration_id": "D1", "decision": "cleared"},
    )


def test_decide_rejects_unknown_declaration(h: Harness) -> None:
    h.reject(
        "DECLARATION_UNKNOWN",
        "custca",
        "customs.decide",
        {"declaration_id": "D9", "decision": "cleared"},
    )


@pytest.mark.parametrize("decision", ["held", "rejected"])
def test_decide_rejects_hold_or_rejection_without_reason(h: Harness, decision: str) -> None:
    h.run("trader", "customs.declare", declaration())
    h.reject(
        "DECISION_REASON_REQUIRED",
        "custca",
        "customs.decide",
        {"declaration_id": "D1", "decision": decision},
    )


def test_decide_rejects_bad_decision(h: Harness) -> None:
    h.run("trader", "customs.declare", declaration())
    h.reject(
        "PAYLOAD_INVALID",
        "custca",
        "customs.decide",
        {"declaration_id": "D1", "decision": "approved"},
    )


def test_decide_rejects_role_not_permitted(h: Harness) -> None:
    h.run("trader", "customs.declare", declaration())
    h.reject(
        "ROLE_NOT_PERMITTED",
        "trader",
        "customs.decide",
        {"declaration_id": "D1", "decision": "cleared"},
    )


def test_export_clearance_exports_the_lots_until_an_import_clears_them(h: Harness) -> None:
    h.run(
        "trader",
        "customs.declare",
        declaration(direction="export", declaring_country="CN", port_of_entry="CNSGH"),
    )
    h.org("custcn", "CN", "customs")
    h.run("custcn", "customs.decide", {"declaration_id": "D1", "decision": "cleared"})
    lot = h.get("lot/L1")
    assert (lot["state"], lot["cleared_by"]) == ("exported", "D1")
    # S-09: an exported lot is not sold, pledged or transformed abroad before its import
    h.reject("LOT_NOT_ACTIVE", "trader", "title.transfer", {"lots": ["L1"], "to": "buyer"})
    h.run("trader", "customs.declare", declaration(declaration_id="D2"))  # import in CA
    h.run("custca", "customs.decide", {"declaration_id": "D2", "decision": "cleared"})
    lot = h.get("lot/L1")
    assert (lot["state"], lot["cleared_by"]) == ("active", "D2")
    h.run("trader", "title.transfer", {"lots": ["L1"], "to": "buyer"})


def test_a_held_or_rejected_export_leaves_the_lots_active(h: Harness) -> None:
    h.run(
        "trader",
        "customs.declare",
        declaration(direction="export", declaring_country="CN", port_of_entry="CNSGH"),
    )
    h.org("custcn", "CN", "customs")
    h.run("custcn", "customs.decide", {"declaration_id": "D1", "decision": "held", "reason": "x"})
    h.run(
        "custcn", "customs.decide", {"declaration_id": "D1", "decision": "rejected", "reason": "y"}
    )
    assert h.get("lot/L1")["state"] == "active"


def test_revoked_certificate_chemistry_is_not_evidence(h: Harness) -> None:
    h.state.apply(
        {
            "cert/C1": {
                "id": "C1",
                "heat": "millcn/H-L1",
                "type": "3.1",
                "issuer": "millcn",
                "status": "revoked",
                "lots": [{"lot": "L1", "kg": 20_000}],
                "C": {"chemistry": STAINLESS},
            },
            "lot/L1": {**h.get("lot/L1"), "certificates": ["C1"]},
        }
    )
    h.run("trader", "customs.declare", declaration())
    assert codes(h) == []


def test_s10_lot_in_a_held_declaration_is_flagged(h: Harness) -> None:
    h.run("trader", "customs.declare", declaration())
    h.run("custca", "customs.decide", {"declaration_id": "D1", "decision": "held", "reason": "x"})
    h.run("trader", "customs.declare", declaration(declaration_id="D2"))
    assert codes(h, "D2") == ["LOT_ALREADY_DECLARED"]


def test_s07_transshipment_through_the_real_contracts() -> None:
    """The same case built by transactions: CN heat -> slab -> hot-rolled in CN, sold to a
    VN processor, galvanised in VN, declared in Canada as of Vietnamese origin."""
    from tests.unit.contracts import steel_chain as sc

    h = sc.chain()
    h.org("buyer-ca", "CA", "buyer")
    h.org("cbsa", "CA", "customs")
    heat_id = sc.heat(h, "mill-cn", "CN-1", "cn-works")
    sc.cast(h, "mill-cn", heat_id, ("SLAB-1", 100_000))
    sc.transform(
        h, "mill-cn", "T-HR", "cn-works", "hot-rolling", [("SLAB-1", 100_000)], [("HRC-1", 98_000)]
    )
    h.run("mill-cn", "title.transfer", {"lots": ["HRC-1"], "to": "proc-vn"})
    sc.transform(
        h,
        "proc-vn",
        "T-GI",
        "vn-line",
        "galvanising",
        [("HRC-1", 98_000)],
        [("GI-1", 97_500)],
        hs=sc.GALV_HS,
    )
    h.run(
        "proc-vn",
        "customs.declare",
        declaration(
            declarant="proc-vn",
            importer="buyer-ca",
            lots=["GI-1"],
            hs="721049",
            declared_origin="VN",
            declared_melt_pour=["VN"],
            net_kg=97_500,
        ),
    )
    d = h.get("declaration/D1")
    assert codes(h) == ["MELT_POUR_MISMATCH", "ORIGIN_MISMATCH"]
    assert d["ledger"]["origin"] == {"GI-1": "CN"}
    assert d["ledger"]["melt_and_pour"] == {"CN": 1.0}
    h.run(
        "cbsa",
        "customs.decide",
        {"declaration_id": "D1", "decision": "held", "reason": "melted and poured in CN"},
    )
    assert h.get("declaration/D1")["status"] == "held"
