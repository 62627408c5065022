"""The EN 10168 importer on small hand-made documents (the real examples are in
tests/conformance/test_material_certificates.py)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from steeltrace.core.certificates.import_mtc import (
    MtcImportError,
    certificate_payload_from_mtc,
    document_sha256,
    extract_mtc,
)

DOC: dict[str, Any] = {
    "RefSchemaUrl": "https://schemas.materialidentity.org/en10168-schemas/v0.5.0/schema.json",
    "Certificate": {
        "CertificateLanguages": ["EN"],
        "CommercialTransaction": {
            "A01": {"Name": "Werk 1", "Country": "DE"},
            "A02": "Inspection certificate 3.1 according to EN 10204:2004",
            "A03": "CERT 0042/A",
            "A06.1": {"Name": "Buyer GmbH"},
            "A07": "PO-7",
        },
        "ProductDescription": {
            "B01": "Plate",
            "B02": {"SteelDesignation": ["S355J2+N"], "ProductNorm": ["EN 10025-2"]},
            "B07": ["H1"],
            "B09": {"Form": "Plate", "Thickness": 20, "Width": 2500, "Unit": "MM"},
            "B13": {"Value": 12.345, "Unit": "t"},
        },
        "Inspection": [
            {
                "C00": "H1",
                "C03": "-20 Celsius",
                "ChemicalComposition": {
                    "C70": "EAF",
                    "C71": {"Symbol": "C", "Actual": {"Value": "0,16"}},
                    "C72": {"Symbol": "MN", "Actual": {"Value": "1.40"}},
                    "C73": {"Symbol": "AL", "Actual": {"Value": "0.030"}},
                    "C74": {"Symbol": "Ce", "Actual": {"Value": "0.001"}},
                    "C75": {"Symbol": "CE", "Actual": {"Value": "0.42"}},
                    "C76": {"Symbol": "H2", "Actual": {"Value": "2"}, "Unit": "ppm"},
                    "C77": {"Symbol": "S", "Actual": {"Value": "0.005", "Operator": "<"}},
                },
                "TensileTest": {
                    "C11": {"Value": 380, "Unit": "MPa"},
                    "C12": {"Value": 530.5, "Unit": "MPa"},
                    "C13": {"Value": 25, "Unit": "%"},
                },
                "NotchedBarImpactTest": {
                    "C40": "KV",
                    "C42": [{"Value": 60}, {"Value": 55}, {"Value": 58}],
                    "C43": {"Value": 57.7, "Unit": "J"},
                },
            }
        ],
        "OtherTests": {
            "D01": "Marking OK",
            "NonDestructiveTests": {
                "D02": {"Key": "UT", "Value": "100", "Unit": "%", "Interpretation": "Positive"}
            },
        },
        "Validation": {
            "Z01": "Complies with the order.",
            "Z02": "2026-01-21",
            "Z03": {"Name": "A. Inspector", "Title": "QA"},
        },
    },
}


def doc(**changes: Any) -> dict[str, Any]:
    d = copy.deepcopy(DOC)
    for path, value in changes.items():
        node = d["Certificate"]
        *parents, last = path.split("__")
        for p in parents:
            node = node[p]
        if value is None:
            del node[last]
        else:
            node[last] = value
    return d


def payload(d: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
    return certificate_payload_from_mtc(
        d if d is not None else doc(), mill="werk1", lots=[{"lot": "L1", "kg": 12_345}], **kw
    )


def test_the_mapping() -> None:
    p = payload()
    assert p["cert_id"] == "werk1/CERT-0042-A"
    assert p["type"] == "3.1"
    assert p["heat"] == "werk1/H1"
    assert p["document_sha256"] == document_sha256(DOC)
    assert p["A"] == {
        "A01": "Werk 1",
        "A02": "Inspection certificate 3.1 according to EN 10204:2004",
        "A03": "CERT 0042/A",
        "A06": "Buyer GmbH",
        "A07": "PO-7",
    }
    assert p["B"] == {
        "B01": "Plate",
        "B02": "S355J2+N",
        "B02_norms": ["EN 10025-2"],
        "B07": "H1",
        "B09": {"form": "Plate", "thickness_mm": 20, "width_mm": 2500},
        "B13": 12_345,
    }
    assert p["C"] == {
        "C00": "H1",
        "C11": 380,
        "C12": 530.5,
        "C13": 25,
        "chemistry": {"Al": 0.03, "C": 0.16, "Ce": 0.001, "H": 0.0002, "Mn": 1.4, "S": 0.005},
        "derived": {"CE": 0.42},
        "impact": [{"C03": -20, "C40": "KV", "C42": [60, 55, 58], "C43": 57.7}],
    }
    assert p["D"] == [
        {"code": "D01", "text": "Marking OK"},
        {"code": "D02", "text": "UT: 100 % (Positive)"},
    ]
    assert p["Z"] == {
        "Z01": "Complies with the order.",
        "Z02": "2026-01-21",
        "Z03": "A. Inspector, QA",
    }


def test_extract_facts() -> None:
    facts = extract_mtc(doc())
    assert facts.en10204_type == "3.1"
    assert facts.heat_numbers == ["H1"]
    assert facts.grade == "S355J2+N"
    assert facts.derived == {"CE": 0.42}


def test_bindings_override_the_defaults() -> None:
    p = payload(cert_id="werk1/X", document_hash="ab" * 32, contract="PO-7", heat_no="H1")
    assert (p["cert_id"], p["document_sha256"], p["contract"]) == ("werk1/X", "ab" * 32, "PO-7")


def test_a_document_without_heat_number_needs_one() -> None:
    d = doc(ProductDescription__B07=None)
    with pytest.raises(MtcImportError):
        payload(d)
    assert payload(d, heat_no="H9")["B"]["B07"] == "H9"


def test_heat_number_must_be_one_the_document_names() -> None:
    with pytest.raises(MtcImportError) as info:
        payload(heat_no="H2")
    assert info.value.field == "Certificate.ProductDescription.B07"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {"CommercialTransaction__A02": "Mill certificate"},
            "Certificate.CommercialTransaction.A02",
        ),
        ({"Validation__Z02": None}, "Certificate.Validation.Z02"),
        ({"CertificateLanguages": []}, "Certificate.CertificateLanguages"),
        ({"Inspection": []}, "Certificate.Inspection"),
        (
            {"ProductDescription__B09": {"Thickness": 1, "Unit": "in"}},
            "Certificate.ProductDescription.B09.Unit",
        ),
        (
            {"ProductDescription__B02": {"SteelDesignation": []}},
            "Certificate.ProductDescription.B02.SteelDesignation",
        ),
    ],
)
def test_unusable_documents_are_refused(change: dict[str, Any], field: str) -> None:
    with pytest.raises(MtcImportError) as info:
        payload(doc(**change))
    assert info.value.field == field


def test_chemistry_needs_symbols_and_decimal_strings() -> None:
    d = doc()
    d["Certificate"]["Inspection"][0]["ChemicalComposition"]["C71"] = {"Actual": {"Value": "1"}}
    with pytest.raises(MtcImportError, match="Symbol"):
        payload(d)
    d = doc()
    d["Certificate"]["Inspection"][0]["ChemicalComposition"]["C71"]["Actual"] = {"Value": 0.16}
    with pytest.raises(MtcImportError, match="decimal string"):
        payload(d)
    d = doc()
    d["Certificate"]["Inspection"][0]["ChemicalComposition"]["C71"]["Actual"] = {"Value": "x"}
    with pytest.raises(MtcImportError, match="not a decimal"):
        payload(d)


def test_not_a_certificate() -> None:
    bad: list[Any] = [[], {}, {"RefSchemaUrl": "x"}, {"RefSchemaUrl": "x", "Certificate": {}}]
    for document in bad:
        with pytest.raises(MtcImportError):
            certificate_payload_from_mtc(document, mill="m", lots=[{"lot": "L", "kg": 1}])
