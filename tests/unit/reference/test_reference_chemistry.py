"""HS chapter 72 Note 1(e)/(f) chemistry classes, boundaries included."""

from __future__ import annotations

import pytest

from steeltrace.core.reference import chemistry
from steeltrace.core.reference.chemistry import classify


def test_plain_structural_steel_is_non_alloy() -> None:
    assert classify({"C": 0.18, "Mn": 1.45, "Si": 0.25, "P": 0.018, "S": 0.012, "N": 0.006}) == (
        "non-alloy"
    )
    assert classify({}) == "non-alloy"


def test_austenitic_stainless() -> None:
    assert classify({"C": 0.03, "Cr": 18.2, "Ni": 8.1, "Mn": 1.8}) == "stainless"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"C": 1.2, "Cr": 10.5}, "stainless"),  # both limits inclusive
        ({"C": 1.2001, "Cr": 10.5}, "other-alloy"),  # too much carbon: Cr still alloys it
        ({"C": 0.1, "Cr": 10.49}, "other-alloy"),
        ({"Cr": 10.5}, "stainless"),  # C not reported counts as 0
    ],
)
def test_stainless_boundaries(values: dict[str, float], expected: str) -> None:
    assert classify(values) == expected


@pytest.mark.parametrize(("element", "threshold"), sorted(chemistry.ALLOY_THRESHOLDS.items()))
def test_each_note_1f_threshold_is_inclusive(element: str, threshold: float) -> None:
    base = {"C": 0.15}
    assert classify({**base, element: threshold}) == "other-alloy"
    assert classify({**base, element: threshold * 0.999}) == "non-alloy"


def test_note_1f_figures() -> None:
    assert chemistry.ALLOY_THRESHOLDS == {
        "Al": 0.3, "B": 0.0008, "Cr": 0.3, "Co": 0.3, "Cu": 0.4, "Pb": 0.4, "Mn": 1.65,
        "Mo": 0.08, "Ni": 0.3, "Nb": 0.06, "Si": 0.6, "Ti": 0.05, "W": 0.3, "V": 0.1, "Zr": 0.05,
    }  # fmt: skip


def test_other_elements_at_0_1_percent() -> None:
    assert classify({"C": 0.2, "Se": 0.1}) == "other-alloy"
    assert classify({"C": 0.2, "Se": 0.099}) == "non-alloy"
    assert classify({"C": 0.2, "Sn": 0.1}) == "other-alloy"
    assert classify({"C": 0.2, "Bi": 0.12}) == "other-alloy"


def test_s_p_c_n_and_iron_never_alloy() -> None:
    assert classify({"C": 1.9, "S": 0.35, "P": 0.2, "N": 0.5, "Fe": 97.0}) == "non-alloy"


def test_boron_steel_is_other_alloy() -> None:
    # 10 ppm boron: an "other alloy" steel for the HS (the boron-added-steel classification).
    assert classify({"C": 0.15, "Mn": 1.0, "B": 0.001}) == "other-alloy"
    assert chemistry.alloying_elements({"C": 0.15, "B": 0.001, "Mn": 1.7}) == ["B", "Mn"]


def test_symbols_are_case_sensitive_and_non_elements_ignored() -> None:
    assert classify({"C": 0.2, "MN": 1.8}) == "non-alloy"  # "MN" is not a symbol
    assert classify({"C": 0.2, "Mn": 1.8}) == "other-alloy"
    assert classify({"C": 0.2, "CEV": 0.45, "Nb+V+Ti": 0.2}) == "non-alloy"
    assert chemistry.element_symbol("MN") == "Mn"
    assert chemistry.element_symbol(" al ") == "Al"
    assert chemistry.element_symbol("CO") == "Co"
    assert chemistry.element_symbol("CEV") is None
    assert chemistry.element_symbol("H2") is None


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf")])
def test_bad_values_are_rejected(bad: float) -> None:
    with pytest.raises(ValueError):
        classify({"C": bad})
