"""Chapter 2 of the demo: steel from four mills to two customs authorities.

Mills in CA, US, CN and KR melt heats and certify them; a Vietnamese processor
galvanises Chinese-melted coil; a Canadian service centre slits Canadian and Korean coil
together; a trader, carriers, a warehouse, banks, an inspection body and the customs of
CA and US do their part. Along the way: a circumvention case (VN origin declared on
CN-melted steel), a forged and a copied certificate, a double sale and a double pledge.
For each step the ledger's verdict is printed with its reason.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from steeltrace.core import crypto, schema
from steeltrace.core.origin.report import origin_report
from steeltrace.demo.narrator import Narrator
from steeltrace.errors import SteeltraceError
from steeltrace.node.service import Node


class Story:
    def __init__(self, node: Node, n: Narrator) -> None:
        self.node = node
        self.n = n
        self.outcomes: dict[str, str] = {}

    def at(self, hours_ago: float = 0) -> str:
        """A time for a payload: now (to the microsecond, so never before a parent lot
        created a moment ago), or some hours back."""
        return schema.format_time(self.node.clock() - timedelta(hours=hours_ago))

    def do(self, what: str, org: str, tx_type: str, payload: dict[str, Any]) -> dict[str, Any]:
        """A step that must succeed."""
        st = self.node.submit_and_wait(org, tx_type, payload)
        self.n.ok(what, st)
        if st["status"] != "valid":
            raise RuntimeError(f"demo step failed: {what}: {st}")
        return st

    def attempt(
        self, label: str, what: str, org: str, tx_type: str, payload: dict[str, Any], why: str
    ) -> str:
        """A step the ledger must refuse; prints the code and why it matters."""
        root = self.node.state_root()
        try:
            st = self.node.submit_and_wait(org, tx_type, payload)
            code = st["code"] if st["status"] != "valid" else "ACCEPTED"
            if st["status"] == "valid":
                self.n.bad(what, st)
            else:
                self.n.bad(what, st)
        except SteeltraceError as e:
            self.n.refused(what, e)
            code = e.code
        unchanged = self.node.state_root() == root
        self.n.note(f"{why} (state unchanged: {unchanged})")
        self.outcomes[label] = code
        return code


def _pct(shares: dict[str, float]) -> str:
    return ", ".join(f"{c} {v:.1%}" for c, v in shares.items())


def _slabs(prefix: str, n: int, kg: int, grade: str) -> list[dict[str, Any]]:
    return [
        {
            "lot_id": f"{prefix}-{i}",
            "form": "slab",
            "hs": "7207.12",
            "grade": grade,
            "dimensions": {"thickness_mm": 230, "width_mm": 1550, "length_mm": 9000},
            "mass_kg": kg,
        }
        for i in range(1, n + 1)
    ]


def _coil(lot_id: str, kg: int, hs: str = "7208.39", grade: str = "S355JR") -> dict[str, Any]:
    return {
        "lot_id": lot_id,
        "form": "coil",
        "hs": hs,
        "grade": grade,
        "dimensions": {"thickness_mm": 2.5, "width_mm": 1250},
        "mass_kg": kg,
    }


HEATS = {
    # mill, heat_no, facility, route, tonnage, chemistry, inputs, CO2 t/t
    "mill-ca": (
        "H-CA-24001",
        "ca-hamilton",
        "EAF",
        150_000,
        {"C": 0.17, "Mn": 1.32, "Si": 0.21, "P": 0.013, "S": 0.007, "Cu": 0.22},
        [
            {"material": "scrap", "share": 0.9, "origin_country": "CA"},
            {"material": "DRI", "share": 0.1, "origin_country": "US"},
        ],
        0.52,
    ),
    "mill-us": (
        "H-US-88120",
        "us-gary",
        "BF-BOF",
        280_000,
        {"C": 0.15, "Mn": 1.10, "Si": 0.20, "P": 0.015, "S": 0.008},
        [
            {"material": "hot-metal", "share": 0.8, "origin_country": "US"},
            {"material": "scrap", "share": 0.2, "origin_country": "US"},
        ],
        2.1,
    ),
    "mill-cn": (
        "H-CN-5521",
        "cn-zhangjiagang",
        "BF-BOF",
        260_000,
        {"C": 0.16, "Mn": 1.38, "Si": 0.24, "P": 0.018, "S": 0.009},
        [
            {"material": "hot-metal", "share": 0.85, "origin_country": "CN"},
            {"material": "scrap", "share": 0.15, "origin_country": "CN"},
        ],
        2.25,
    ),
    "mill-kr": (
        "H-KR-3307",
        "kr-pohang",
        "BF-BOF",
        250_000,
        {"C": 0.14, "Mn": 1.25, "Si": 0.18, "P": 0.012, "S": 0.005},
        [
            {"material": "hot-metal", "share": 0.82, "origin_country": "KR"},
            {"material": "scrap", "share": 0.18, "origin_country": "KR"},
        ],
        2.0,
    ),
}

FACILITIES: list[tuple[str, dict[str, Any]]] = [
    (
        "mill-ca",
        {
            "id": "ca-hamilton",
            "name": "Hamilton melt shop and hot strip mill",
            "country": "CA",
            "locode": "CAHAM",
            "processes": ["melting", "casting", "hot-rolling"],
            "melt_capacity_t": 2_400_000,
        },
    ),
    (
        "mill-us",
        {
            "id": "us-gary",
            "name": "Gary works",
            "country": "US",
            "locode": "USGYY",
            "processes": ["melting", "casting", "hot-rolling"],
            "melt_capacity_t": 7_500_000,
        },
    ),
    (
        "mill-cn",
        {
            "id": "cn-zhangjiagang",
            "name": "Zhangjiagang steelworks",
            "country": "CN",
            "locode": "CNZJG",
            "processes": ["melting", "casting", "hot-rolling"],
            "melt_capacity_t": 9_000_000,
        },
    ),
    (
        "mill-kr",
        {
            "id": "kr-pohang",
            "name": "Pohang works",
            "country": "KR",
            "locode": "KRKPO",
            "processes": ["melting", "casting", "hot-rolling"],
            "melt_capacity_t": 16_000_000,
        },
    ),
    (
        "proc-vn",
        {
            "id": "vn-saigon-cgl",
            "name": "Saigon continuous galvanising line",
            "country": "VN",
            "locode": "VNSGN",
            "processes": ["galvanising", "slitting", "cutting"],
        },
    ),
    (
        "svc-ca",
        {
            "id": "ca-toronto-svc",
            "name": "Toronto slitting centre",
            "country": "CA",
            "locode": "CATOR",
            "processes": ["slitting", "cutting"],
        },
    ),
    (
        "wh-ca",
        {
            "id": "ca-vancouver-wh",
            "name": "Vancouver metals terminal",
            "country": "CA",
            "locode": "CAVAN",
            "processes": ["warehousing"],
        },
    ),
]


def _certificate(
    mill: str,
    heat_no: str,
    chem: dict[str, float],
    lots: list[dict[str, Any]],
    cert_no: str,
    grade: str = "S355JR",
) -> dict[str, Any]:
    kg = sum(x["kg"] for x in lots)
    return {
        "cert_id": f"{mill}/{cert_no}",
        "type": "3.1",
        "document_sha256": crypto.sha256_hex(f"{mill} {cert_no} pdf".encode()),
        "heat": f"{mill}/{heat_no}",
        "lots": lots,
        "A": {"A01": f"{mill} works", "A02": "Inspection certificate EN 10204 3.1", "A03": cert_no},
        "B": {
            "B01": "continuously cast slab",
            "B02": grade,
            "B07": heat_no,
            "B08": len(lots),
            "B09": {"form": "slab", "thickness_mm": 230, "width_mm": 1550, "length_mm": 9000},
            "B13": kg,
        },
        "C": {"C11": 392, "C12": 528, "C13": 25, "chemistry": chem},
        "Z": {
            "Z01": "We certify that the material complies with the order.",
            "Z02": "2026-03-01",
            "Z03": "Quality manager",
        },
    }


def run(node: Node, n: Narrator) -> dict[str, Any]:
    s = Story(node, n)
    n.chapter("2. Steel: melted, poured, certified, rolled, coated, slit, sold, shipped, declared")

    for org, fac in FACILITIES:
        s.do(f"{org} registers {fac['name']} ({fac['locode']})", org, "facility.register", fac)

    for mill, (heat_no, site, route, kg, chem, inputs, co2) in HEATS.items():
        s.do(
            f"{mill} registers heat {heat_no}: {route}, {kg / 1000:,.0f} t",
            mill,
            "heat.register",
            {
                "heat_no": heat_no,
                "facility": site,
                "route": route,
                "cast_at": s.at(48),
                "tonnage_kg": kg,
                "chemistry": chem,
                "inputs": inputs,
                "co2_t_per_t": co2,
                "co2_method": "worldsteel methodology, scope 1+2",
            },
        )
        tag = mill.split("-")[1].upper()
        slabs = _slabs(f"{tag}-SLAB", 4, 30_000, "S355JR")
        s.do(
            f"{mill} casts 4 slabs of 30 t from {heat_no}",
            mill,
            "lot.cast",
            {"heat": f"{mill}/{heat_no}", "lots": slabs},
        )
        s.do(
            f"{mill} issues EN 10204 3.1 certificate for {heat_no}",
            mill,
            "cert.issue",
            _certificate(
                mill,
                heat_no,
                chem,
                [{"lot": x["lot_id"], "kg": 30_000} for x in slabs],
                f"MTC-{heat_no}",
            ),
        )
        s.do(
            f"{mill} hot-rolls two slabs into coil (HS 7207 -> 7208)",
            mill,
            "lot.transform",
            {
                "id": f"{tag}-HSM-1",
                "facility": site,
                "process": "hot-rolling",
                "inputs": [
                    {"lot": f"{tag}-SLAB-1", "kg": 30_000},
                    {"lot": f"{tag}-SLAB-2", "kg": 30_000},
                ],
                "outputs": [_coil(f"{tag}-HRC-1", 29_400), _coil(f"{tag}-HRC-2", 29_300)],
                "at": s.at(),
            },
        )

    n.chapter("2a. Certificate attacks")
    s.attempt(
        "forged_cert_unknown_heat",
        "mill-cn certifies heat H-CN-9999 it never melted",
        "mill-cn",
        "cert.issue",
        _certificate(
            "mill-cn",
            "H-CN-9999",
            HEATS["mill-cn"][4],
            [{"lot": "CN-SLAB-3", "kg": 30_000}],
            "MTC-FAKE-1",
        ),
        "a certificate must name a heat the mill registered",
    )
    copied = _certificate(
        "mill-kr",
        "H-KR-3307",
        HEATS["mill-kr"][4],
        [{"lot": "KR-SLAB-3", "kg": 30_000}, {"lot": "KR-SLAB-4", "kg": 30_000}],
        "MTC-COPY-2",
    )
    s.attempt(
        "copied_cert_over_certified",
        "mill-kr copies its certificate onto more tonnes than heat H-KR-3307 poured",
        "mill-kr",
        "cert.issue",
        copied,
        "the mass certified against a heat can never exceed what it weighed",
    )
    s.attempt(
        "cert_by_trader",
        "trader-sg issues a mill certificate",
        "trader-sg",
        "cert.issue",
        _certificate(
            "mill-cn",
            "H-CN-5521",
            HEATS["mill-cn"][4],
            [{"lot": "CN-SLAB-3", "kg": 30_000}],
            "MTC-TRADER",
        ),
        "only the mill that melted the heat may certify it",
    )

    n.chapter("2b. Circumvention: Chinese coil, galvanised in Viet Nam, declared Vietnamese")
    s.do(
        "mill-cn sells CN-HRC-1 to trader-sg",
        "mill-cn",
        "title.transfer",
        {"lots": ["CN-HRC-1"], "to": "trader-sg"},
    )
    s.do(
        "carrier-sea books CNSGH -> VNSGN",
        "carrier-sea",
        "shipment.create",
        {
            "shipment_id": "SHP-CN-VN-1",
            "carrier": "carrier-sea",
            "mode": "sea",
            "bl_number": "PBLU2026001",
            "port_of_loading": "CNSGH",
            "port_of_discharge": "VNSGN",
            "lots": ["CN-HRC-1"],
        },
    )
    s.do(
        "mill-cn hands the coil to carrier-sea",
        "mill-cn",
        "custody.handover",
        {"handover_id": "HO-CN-1", "lots": ["CN-HRC-1"], "to": "carrier-sea", "place": "CNSGH"},
    )
    s.do("carrier-sea accepts custody", "carrier-sea", "custody.accept", {"handover_id": "HO-CN-1"})
    s.do(
        "carrier-sea departs Shanghai",
        "carrier-sea",
        "shipment.depart",
        {"shipment_id": "SHP-CN-VN-1", "at": s.at(), "place": "CNSGH"},
    )
    s.do(
        "carrier-sea arrives Ho Chi Minh City",
        "carrier-sea",
        "shipment.arrive",
        {"shipment_id": "SHP-CN-VN-1", "at": s.at(), "place": "VNSGN"},
    )
    s.do(
        "trader-sg sells the coil to proc-vn",
        "trader-sg",
        "title.transfer",
        {"lots": ["CN-HRC-1"], "to": "proc-vn"},
    )
    s.do(
        "carrier-sea hands the coil to proc-vn",
        "carrier-sea",
        "custody.handover",
        {"handover_id": "HO-CN-2", "lots": ["CN-HRC-1"], "to": "proc-vn", "place": "VNSGN"},
    )
    s.do("proc-vn accepts custody", "proc-vn", "custody.accept", {"handover_id": "HO-CN-2"})
    s.do(
        "proc-vn galvanises it (HS 7208 -> 7210; galvanising confers no origin)",
        "proc-vn",
        "lot.transform",
        {
            "id": "VN-CGL-1",
            "facility": "vn-saigon-cgl",
            "process": "galvanising",
            "inputs": [{"lot": "CN-HRC-1", "kg": 29_400}],
            "outputs": [_coil("VN-GI-1", 29_500 - 300, hs="7210.49", grade="DX51D+Z")],
            "at": s.at(),
        },
    )
    s.do(
        "proc-vn sells the galvanised coil to trader-sg",
        "proc-vn",
        "title.transfer",
        {"lots": ["VN-GI-1"], "to": "trader-sg"},
    )
    gi = origin_report(node, "VN-GI-1")
    n.note(
        f"origin engine on VN-GI-1: melt and pour {_pct(gi['melt_and_pour'])}, "
        f"origin {gi['origin']} (galvanising in VN conferred none)"
    )
    st = s.do(
        "trader-sg declares the coil into Canada as Vietnamese",
        "trader-sg",
        "customs.declare",
        {
            "declaration_id": "CA-IMP-2026-0001",
            "direction": "import",
            "declaring_country": "CA",
            "declarant": "trader-sg",
            "importer": "svc-ca",
            "port_of_entry": "CAVAN",
            "hs": "7210.49",
            "declared_origin": "VN",
            "declared_melt_pour": ["VN"],
            "net_kg": 29_200,
            "customs_value": {"amount": "21900.00", "currency": "USD"},
            "lots": ["VN-GI-1"],
        },
    )
    decl = node.get("declaration/CA-IMP-2026-0001") or {}
    codes = [d["code"] for d in decl.get("discrepancies", [])]
    n.note(f"the ledger recorded discrepancies on the declaration: {', '.join(codes) or 'none'}")
    s.outcomes["circumvention"] = ",".join(codes)
    s.attempt(
        "customs_wrong_country",
        "US customs tries to clear Canada's declaration",
        "customs-us",
        "customs.decide",
        {"declaration_id": "CA-IMP-2026-0001", "decision": "cleared", "reason": "n/a"},
        "only the customs of the declaring country decides",
    )
    s.do(
        "CBSA holds the declaration for inspection",
        "customs-ca",
        "customs.decide",
        {
            "declaration_id": "CA-IMP-2026-0001",
            "decision": "held",
            "reason": "melt and pour CN on the ledger; declared VN",
        },
    )
    del st

    n.chapter("2c. A Canadian service centre slits Canadian and Korean coil together")
    s.do(
        "mill-ca sells CA-HRC-1 to svc-ca",
        "mill-ca",
        "title.transfer",
        {"lots": ["CA-HRC-1"], "to": "svc-ca"},
    )
    s.do(
        "mill-kr sells KR-HRC-1 to svc-ca",
        "mill-kr",
        "title.transfer",
        {"lots": ["KR-HRC-1"], "to": "svc-ca"},
    )
    s.do(
        "svc-ca slits all of CA-HRC-1 and 20 t of KR-HRC-1 into four strips",
        "svc-ca",
        "lot.transform",
        {
            "id": "CA-SLIT-1",
            "facility": "ca-toronto-svc",
            "process": "slitting",
            "inputs": [{"lot": "CA-HRC-1", "kg": 29_400}, {"lot": "KR-HRC-1", "kg": 20_000}],
            "outputs": [
                {
                    **_coil(f"CA-STRIP-{i}", 12_200),
                    "form": "strip",
                    "dimensions": {"thickness_mm": 2.5, "width_mm": 610},
                }
                for i in range(1, 5)
            ],
            "at": s.at(),
        },
    )
    strip = origin_report(node, "CA-STRIP-1", reference_country="CA")
    n.note(
        f"origin engine on CA-STRIP-1: melt and pour {_pct(strip['melt_and_pour'])}, origin "
        f"{strip['origin']}; melted outside CA: {strip['foreign_content'].get('CA', 0.0):.1%}"
    )
    s.attempt(
        "mass_inflation",
        "svc-ca slits a coil into strips heavier than the coil",
        "svc-ca",
        "lot.transform",
        {
            "id": "CA-SLIT-2",
            "facility": "ca-toronto-svc",
            "process": "slitting",
            "inputs": [{"lot": "CA-STRIP-4", "kg": 12_200}],
            "outputs": [_coil("CA-NARROW-1", 9_000), _coil("CA-NARROW-2", 9_000)],
            "at": s.at(),
        },
        "outputs never weigh more than the inputs consumed",
    )

    n.chapter("2d. Title and money: a double sale and a double pledge")
    s.do(
        "mill-us sells US-HRC-1 to trader-sg",
        "mill-us",
        "title.transfer",
        {"lots": ["US-HRC-1"], "to": "trader-sg"},
    )
    s.attempt(
        "double_sale",
        "mill-us sells US-HRC-1 again, to svc-ca",
        "mill-us",
        "title.transfer",
        {"lots": ["US-HRC-1"], "to": "svc-ca"},
        "a lot has exactly one owner",
    )
    s.do(
        "mill-us hands US-HRC-2 to the Vancouver warehouse",
        "mill-us",
        "custody.handover",
        {"handover_id": "HO-US-1", "lots": ["US-HRC-2"], "to": "wh-ca", "place": "CAVAN"},
    )
    s.do("wh-ca accepts custody", "wh-ca", "custody.accept", {"handover_id": "HO-US-1"})
    s.do(
        "wh-ca issues a warehouse receipt to the owner",
        "wh-ca",
        "receipt.issue",
        {"receipt_id": "WR-VAN-0001", "lots": ["US-HRC-2"], "to": "mill-us", "place": "CAVAN"},
    )
    s.do(
        "mill-us pledges the receipt to bank-1",
        "mill-us",
        "pledge.create",
        {
            "pledge_id": "PL-0001",
            "bank": "bank-1",
            "receipt_id": "WR-VAN-0001",
            "amount": {"amount": "15000.00", "currency": "USD"},
        },
    )
    s.do("bank-1 accepts the pledge", "bank-1", "pledge.accept", {"pledge_id": "PL-0001"})
    s.attempt(
        "double_pledge",
        "mill-us pledges the same receipt to bank-2",
        "mill-us",
        "pledge.create",
        {"pledge_id": "PL-0002", "bank": "bank-2", "receipt_id": "WR-VAN-0001"},
        "the same goods can back one loan at a time (Qingdao, 2014)",
    )
    s.attempt(
        "sell_pledged",
        "mill-us sells the pledged coil",
        "mill-us",
        "title.transfer",
        {"lots": ["US-HRC-2"], "to": "trader-sg"},
        "a pledged lot moves only with the bank",
    )

    n.chapter("2e. An honest import into the United States")
    s.do(
        "mill-kr sells KR-HRC-2 to trader-sg",
        "mill-kr",
        "title.transfer",
        {"lots": ["KR-HRC-2"], "to": "trader-sg"},
    )
    s.do(
        "trader-sg declares KR-HRC-2 into the US, origin and melt KR",
        "trader-sg",
        "customs.declare",
        {
            "declaration_id": "US-IMP-2026-0001",
            "direction": "import",
            "declaring_country": "US",
            "declarant": "trader-sg",
            "importer": "trader-sg",
            "port_of_entry": "USHOU",
            "hs": "7208.39",
            "declared_origin": "KR",
            "declared_melt_pour": ["KR"],
            "net_kg": 29_300,
            "customs_value": {"amount": "19000.00", "currency": "USD"},
            "lots": ["KR-HRC-2"],
        },
    )
    us = node.get("declaration/US-IMP-2026-0001") or {}
    n.note(f"discrepancies: {[d['code'] for d in us.get('discrepancies', [])] or 'none'}")
    s.do(
        "CBP clears it",
        "customs-us",
        "customs.decide",
        {
            "declaration_id": "US-IMP-2026-0001",
            "decision": "cleared",
            "reason": "matches the ledger",
        },
    )
    n.chapter("2f. Under-valuation: slabs declared into the US at a fraction of their peers")
    values = {
        ("CA", 3): "18300.00", ("CA", 4): "18600.00", ("KR", 3): "18900.00",
        ("KR", 4): "19200.00", ("CN", 3): "5100.00", ("CN", 4): "18600.00",
    }  # fmt: skip
    for (tag, slab), amount in values.items():
        mill = f"mill-{tag.lower()}"
        s.do(
            f"{mill} declares {tag}-SLAB-{slab} into the US at {amount} USD",
            mill,
            "customs.declare",
            {
                "declaration_id": f"US-IMP-SLAB-{tag}-{slab}",
                "direction": "import",
                "declaring_country": "US",
                "declarant": mill,
                "importer": "mill-us",
                "port_of_entry": "USBAL",
                "hs": "7207.12",
                "declared_origin": tag,
                "declared_melt_pour": [tag],
                "net_kg": 30_000,
                "customs_value": {"amount": amount, "currency": "USD"},
                "lots": [f"{tag}-SLAB-{slab}"],
            },
        )
    from steeltrace.analytics.risk import risk_report

    report = risk_report(node)
    for flag in report["flags"]:
        n.note(f"risk signal {flag['code']} on {flag['subject']}: {flag['message']}")
    s.outcomes["risk"] = ",".join(f"{f['code']}:{f['subject']}" for f in report["flags"])
    return {"outcomes": s.outcomes, "gi_origin": gi, "strip_origin": strip}
