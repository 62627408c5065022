"""Countries, currencies, HS 2022 and UN/LOCODE lookups against the packaged data."""

from __future__ import annotations

import pytest

from steeltrace.core.reference import countries, currencies, hs, locode


def test_countries() -> None:
    assert len(countries.all_countries()) == 249
    for code in ("CA", "US", "CN", "VN", "KR", "DE", "BV", "SS", "AX"):
        assert countries.is_country(code), code
    for code in ("XX", "XZ", "EU", "UK", "ca", "CAN", "", " CA", "XK"):
        assert not countries.is_country(code), code
    assert countries.country_name("CA") == "Canada"
    assert countries.country_name("CI") == "Côte d'Ivoire"
    with pytest.raises(KeyError):
        countries.country_name("XX")


def test_currencies() -> None:
    assert len(currencies.all_currencies()) == 178
    for code in ("USD", "EUR", "CAD", "CNY", "VND", "KRW", "JPY", "KWD", "XCG", "ZWG"):
        assert currencies.is_currency(code), code
    # withdrawn codes are not active
    for code in ("HRK", "ANG", "ZWL", "CUC", "SLL", "usd", "US", "XXXX", ""):
        assert not currencies.is_currency(code), code
    assert currencies.minor_units("USD") == 2
    assert currencies.minor_units("JPY") == 0
    assert currencies.minor_units("KRW") == 0
    assert currencies.minor_units("VND") == 0
    assert currencies.minor_units("KWD") == 3
    assert currencies.minor_units("CLF") == 4
    assert currencies.minor_units("XAU") == 0
    assert currencies.minor_units_or_none("XAU") is None
    assert currencies.numeric_code("USD") == "840"
    assert currencies.currency_name("EUR") == "Euro"
    with pytest.raises(KeyError):
        currencies.minor_units("XYZ")


@pytest.mark.parametrize("form", ["720839", "7208.39", " 7208.39 ", "7208 39"])
def test_hs_subheading_forms(form: str) -> None:
    entry = hs.hs_entry(form)
    assert entry is not None
    assert entry.code == "720839"
    assert entry.level == 6
    assert entry.heading == "7208"
    assert entry.chapter == "72"
    assert entry.dotted == "7208.39"
    assert entry.description.endswith("hot-rolled, of a thickness of less than 3mm")
    assert hs.is_hs_code(form)
    assert hs.normalize(form) == "720839"


def test_hs_heading_and_unknowns() -> None:
    entry = hs.hs_entry("7208")
    assert entry is not None and entry.level == 4 and entry.dotted == "7208"
    assert entry.description.startswith("Iron or non-alloy steel; flat-rolled products")
    assert hs.is_hs_code("8549")  # new in HS 2022
    for bad in (
        "720899x",
        "72",
        "72.08",
        "7208.3",
        "72083",
        "7208399",
        "7299",
        "720800",
        "",
        "7208.39.00",
        "abcd",
    ):
        assert not hs.is_hs_code(bad), bad
        assert hs.hs_entry(bad) is None, bad
    assert hs.chapter_description("72") == "Iron and steel"
    assert hs.chapter_description("7") is None


def test_hs_heading_and_scope() -> None:
    assert hs.heading("7208.39") == "7208"
    assert hs.heading("720839") == "7208"
    assert hs.heading("7208.39.0015") == "7208"
    with pytest.raises(ValueError):
        hs.heading("72")
    assert hs.is_steel_code("7208.39")
    assert hs.is_steel_code("7306")
    assert hs.is_steel_code("7208.39.0015")  # a US HTS line under an existing subheading
    assert hs.is_steel_code("72083900")
    assert not hs.is_steel_code("7299")  # chapter 72 but no such heading
    assert not hs.is_steel_code("720800")
    assert not hs.is_steel_code("7601")  # aluminium
    assert not hs.is_steel_code("nonsense")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("7201", "ingot-and-primary"),
        ("7202.11", "ingot-and-primary"),
        ("7204", "other"),
        ("7206", "semi-finished"),
        ("720712", "semi-finished"),
        ("7208.39", "flat"),
        ("7210.49", "flat"),
        ("7212", "flat"),
        ("7213", "long"),
        ("7216", "long"),
        ("7217", "long"),
        ("7218", "stainless"),
        ("7219.33", "stainless"),
        ("7223", "stainless"),
        ("7224", "other-alloy"),
        ("7225", "flat"),
        ("7226", "flat"),
        ("7227", "long"),
        ("7229", "long"),
        ("7301", "long"),
        ("7302", "long"),
        ("7303", "other"),
        ("7304", "pipe-and-tube"),
        ("7306.30", "pipe-and-tube"),
        ("7308", "other"),
        ("8549", "other"),
    ],
)
def test_hs_category(code: str, expected: str) -> None:
    assert hs.category(code) == expected
    assert expected in hs.CATEGORIES


def test_hs_category_rejects_unknown() -> None:
    with pytest.raises(ValueError):
        hs.category("7299")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("7205", None),
        ("7206", "non-alloy"),
        ("7208.39", "non-alloy"),
        ("7217", "non-alloy"),
        ("7218", "stainless"),
        ("7223", "stainless"),
        ("7224", "other-alloy"),
        ("7229", "other-alloy"),
        ("7304", None),
        ("8549", None),
        ("7299", None),
    ],
)
def test_hs_chemistry_class(code: str, expected: str | None) -> None:
    assert hs.chemistry_class_of_code(code) == expected


def test_hs_form() -> None:
    assert hs.form("7207") == "semi-finished"
    assert hs.form("7219") == "flat"
    assert hs.form("7222") == "long"
    assert hs.form("7304") == "pipe-and-tube"
    assert hs.form("7204") == "scrap"
    assert hs.form("7308") == "article"
    assert hs.form("8549") is None


PORTS = {
    "CAVAN": ("CA", "Vancouver"),
    "CAMTR": ("CA", "Montreal"),
    "CATOR": ("CA", "Toronto"),
    "VNSGN": ("VN", "Ho Chi Minh City"),
    "USHOU": ("US", "Houston"),
    "USNYC": ("US", "New York"),
    "USLAX": ("US", "Los Angeles"),
    "USBAL": ("US", "Baltimore"),
    "USPHL": ("US", "Philadelphia"),
    "USDET": ("US", "Detroit"),
    "KRPUS": ("KR", "Busan"),
    "KRINC": ("KR", "Incheon"),
    "CNSGH": ("CN", "Shanghai"),
}


@pytest.mark.parametrize("code", sorted(PORTS))
def test_locode_ports(code: str) -> None:
    country, name = PORTS[code]
    assert locode.is_locode(code)
    assert locode.is_port(code)
    assert locode.locode_country(code) == country
    assert locode.locode_name(code) == name
    assert countries.is_country(locode.locode_country(code))


def test_locode_shanghai_airport_is_not_a_port() -> None:
    assert locode.is_locode("CNSHA")
    assert not locode.is_port("CNSHA")
    assert locode.locode_name("CNSHA") == "Shanghai Hongqiao International Apt"


def test_locode_unknown_and_malformed() -> None:
    for bad in ("cavan", "CA VAN", "CAVA", "CAVANX", "CAV1N", "", "12345"):
        assert not locode.is_locode_format(bad), bad
        assert not locode.is_locode(bad), bad
        assert not locode.is_port(bad), bad
        assert locode.locode_name(bad) is None
    assert locode.is_locode_format("CAZZZ")
    assert not locode.is_locode("CAZZZ")
    assert locode.locode_country("CAZZZ") == "CA"
    with pytest.raises(ValueError):
        locode.locode_country("cavan")
    assert len(locode.all_ports()) > 16000
