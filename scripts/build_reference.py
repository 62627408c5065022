#!/usr/bin/env python3
"""Rebuild the packaged reference data of ``steeltrace.core.reference`` from public sources.

Inputs: the project's conformance snapshot (``../shared/conformance`` beside the repo, or
``--conformance DIR``) and the small hand-transcribed seeds in ``scripts/reference_seed/``
(each names its source; see ``src/steeltrace/core/reference/SOURCES.md``).

    python scripts/build_reference.py            # write the files
    python scripts/build_reference.py --check    # exit 1 if any packaged file would change

The output is deterministic (sorted, fixed JSON layout, "\\n" line ends), so a test can rebuild
every file and compare it byte for byte with what is packaged.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "scripts" / "reference_seed"
PACKAGE = REPO / "src" / "steeltrace" / "core" / "reference"
DEFAULT_CONFORMANCE = REPO.parent / "shared" / "conformance"


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _json_bytes(obj: Any, indent: int | None = 0) -> bytes:
    text = json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=indent)
    return (text + "\n").encode("utf-8")


def build_countries(conformance: Path) -> bytes:
    """ISO 3166-1 alpha-2: the UN/LOCODE country list less XZ, plus the seeded supplement."""
    rows = _read_csv(conformance / "un-locode/datasets-un-locode/data/country-codes.csv")
    countries = {r["CountryCode"].strip(): r["CountryName"].strip() for r in rows}
    # XZ (installations in international waters) is a UN/LOCODE convention, not ISO 3166-1.
    del countries["XZ"]
    for row in _read_csv(SEED / "countries_supplement.csv"):
        countries[row["code"]] = row["name"]
    if len(countries) != 249 or not all(re.fullmatch(r"[A-Z]{2}", c) for c in countries):
        raise SystemExit(f"expected 249 ISO 3166-1 alpha-2 codes, got {len(countries)}")
    return _json_bytes(
        {
            "source": "UN/LOCODE country-codes.csv (less XZ) + scripts/reference_seed/"
            "countries_supplement.csv",
            "countries": countries,
        }
    )


def build_currencies(conformance: Path) -> bytes:
    """ISO 4217 list one (active codes), from the seeded transcription."""
    del conformance  # not in the conformance snapshot; the seed names its source
    currencies: dict[str, dict[str, Any]] = {}
    for row in _read_csv(SEED / "iso4217_list_one.csv"):
        minor = None if row["minor_units"] == "N.A." else int(row["minor_units"])
        currencies[row["code"]] = {
            "minor_units": minor,
            "name": row["name"],
            "numeric": row["numeric"],
        }
    return _json_bytes(
        {"source": "ISO 4217 list one, published 2026-01-01", "currencies": currencies}
    )


def build_hs(conformance: Path) -> bytes:
    """Every HS 2022 chapter (2 digits), heading (4) and subheading (6) with its description."""
    rows = _read_csv(conformance / "harmonized-system/data/harmonized-system.csv")
    entries: dict[str, str] = {}
    for r in rows:
        code = r["hscode"]
        if code == "TOTAL":
            continue
        if not (code.isdigit() and len(code) in (2, 4, 6) and int(r["level"]) == len(code)):
            raise SystemExit(f"unexpected HS row: {r}")
        if code in entries:
            raise SystemExit(f"duplicate HS code {code}")
        entries[code] = r["description"].strip()
    if "8549" not in entries or "7208" not in entries:
        raise SystemExit("not the HS 2022 edition")
    return _json_bytes({"edition": "HS2022", "entries": entries})


def build_locode(conformance: Path) -> bytes:
    """code,port,name: the function-1 (port) extract, then the seeded non-port supplement."""
    table: dict[str, tuple[str, str]] = {}
    pattern = re.compile(r"[A-Z]{2}[A-Z2-9]{3}")
    rows = _read_csv(conformance / "un-locode/derived/ports_function1_from_geoapify.csv")
    for r in rows:
        code = r["unlocode"]
        if not pattern.fullmatch(code) or code != r["country"] + r["location"]:
            raise SystemExit(f"malformed LOCODE row: {r}")
        if not r["function"].startswith("1"):
            raise SystemExit(f"not a port in the port extract: {r}")
        # 76 codes appear twice with name variants ("Brussel (Bruxelles)" and "Bruxelles
        # (Brussel)"); the first row in file order wins.
        table.setdefault(code, ("1", r["name"].strip()))
    for r in _read_csv(SEED / "locode_supplement.csv"):
        if r["code"] in table or not pattern.fullmatch(r["code"]):
            raise SystemExit(f"supplement row clashes or is malformed: {r}")
        table[r["code"]] = (r["port"], r["name"])
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code", "port", "name"])
    for code in sorted(table):
        writer.writerow([code, *table[code]])
    return out.getvalue().encode("utf-8")


# EN 1993-1-1 Table 3.1 lists strength classes; these are the grade designations each covers
# (EN 10025-2/-5, EN 10210-1, EN 10219-1). "N/NL"-style rows expand by suffix instead.
CLASS_DESIGNATIONS: dict[str, list[str]] = {
    "S450": ["S450J0"],
    "S235W": ["S235J0W", "S235J2W"],
    "S355W": ["S355J0W", "S355J2W", "S355K2W"],
    "S235H": ["S235JRH"],
    "S275H": ["S275J0H", "S275J2H"],
    "S355H": ["S355J0H", "S355J2H", "S355K2H"],
}
# EN 10027-2 steel numbers of EN 10025-3 normalised grades.
CLASS_STEEL_NUMBERS: dict[str, str] = {
    "S275N": "1.0490",
    "S275NL": "1.0491",
    "S355N": "1.0545",
    "S355NL": "1.0546",
    "S420N": "1.8902",
    "S420NL": "1.8912",
    "S460N": "1.8901",
    "S460NL": "1.8903",
}
EUROCODE_SOURCE = (
    "EN 1993-1-1 Table 3.1 nominal fy and fu (design values, t <= 40 mm and 40 < t <= 80 mm), "
    "via steel-grades/en1993-1-1_table3.1_nominal_fy_fu.csv; not the product standard's "
    "acceptance limits"
)


def _class_designations(compact: str) -> list[str]:
    """ "S275N/NL" -> ["S275N", "S275NL"]; "S355H" -> ["S355J0H", ...]; "S235" -> []."""
    if "/" in compact:
        first, *suffixes = compact.split("/")
        base = re.match(r"S\d{3}", first)
        assert base is not None, compact
        return [first] + [base.group(0) + suffix for suffix in suffixes]
    return list(CLASS_DESIGNATIONS.get(compact, []))


def build_grades(conformance: Path) -> bytes:
    """Full grade records from the seed, plus one strength-only record per Eurocode row."""
    seed = json.loads((SEED / "grade_limits.json").read_text(encoding="utf-8"))
    rows = _read_csv(conformance / "steel-grades/en1993-1-1_table3.1_nominal_fy_fu.csv")
    if len(rows) != 32:
        raise SystemExit(f"expected 32 Eurocode grades, got {len(rows)}")
    nominal: dict[tuple[str, str], dict[str, int | None]] = {}
    for row in rows:
        compact = row["grade"].replace(" ", "")

        def num(value: str) -> int | None:
            return int(value) if value else None

        nominal[(row["product_standard"], compact)] = {
            "fy_t_le_40": num(row["fy_MPa_t_le_40mm"]),
            "fu_t_le_40": num(row["fu_MPa_t_le_40mm"]),
            "fy_40_lt_t_le_80": num(row["fy_MPa_40_lt_t_le_80mm"]),
            "fu_40_lt_t_le_80": num(row["fu_MPa_40_lt_t_le_80mm"]),
        }
    grades: list[dict[str, Any]] = []
    full_names: set[tuple[str, str]] = set()
    for record in seed["grades"]:
        record = dict(record)
        standard, designation = record["standard"], record["designation"]
        full_names.add((standard, designation))
        # "EN 10025-2 S355JR"; ASTM designations already carry the number: "ASTM A572 Gr 50".
        astm = standard.startswith("ASTM ")
        record["id"] = f"ASTM {designation}" if astm else f"{standard} {designation}"
        record["basis"] = "product-standard"
        record.setdefault("aliases", [])
        strength_class = record.pop("strength_class", None)
        if strength_class is not None:
            key = (standard, strength_class + ("H" if standard == "EN 10219-1" else ""))
            values = nominal[key]
            # The Eurocode's fy for t <= 40 mm is the grade's ReH for t <= 16 mm.
            if record["yield_min_mpa"][0]["min"] != values["fy_t_le_40"]:
                raise SystemExit(f"{record['id']}: yield disagrees with EN 1993-1-1 {key}")
            record["eurocode_nominal"] = values
        grades.append(record)
    for (standard, compact), values in nominal.items():
        names = [d for d in _class_designations(compact) if (standard, d) not in full_names]
        yields = [{"t": "(0,40]", "min": values["fy_t_le_40"]}]
        tensiles = [{"t": "(0,40]", "min": values["fu_t_le_40"]}]
        if values["fy_40_lt_t_le_80"] is not None:
            yields.append({"t": "(40,80]", "min": values["fy_40_lt_t_le_80"]})
            tensiles.append({"t": "(40,80]", "min": values["fu_40_lt_t_le_80"]})
        grades.append(
            {
                "id": f"{standard} {compact}",
                "standard": standard,
                "designation": compact,
                "aliases": names,
                "steel_numbers": [
                    CLASS_STEEL_NUMBERS[n] for n in names if n in CLASS_STEEL_NUMBERS
                ],
                "basis": "eurocode-nominal",
                "chemistry": [],
                "yield_min_mpa": yields,
                "tensile_mpa": tensiles,
                "elongation_min_pct": [],
                "eurocode_nominal": values,
                "source": EUROCODE_SOURCE,
            }
        )
    ids = [g["id"] for g in grades]
    if len(set(ids)) != len(ids):
        raise SystemExit("duplicate grade ids")
    grades.sort(key=lambda g: str(g["id"]))
    return _json_bytes({"about": seed["about"], "grades": grades}, indent=1)


BUILDERS: dict[str, Callable[[Path], bytes]] = {
    "countries.json": build_countries,
    "currencies.json": build_currencies,
    "hs2022.json": build_hs,
    "locode.csv": build_locode,
    "grades.json": build_grades,
}


def build_all(conformance: Path = DEFAULT_CONFORMANCE) -> dict[str, bytes]:
    """The bytes of every packaged data file, keyed by file name."""
    if not conformance.is_dir():
        raise FileNotFoundError(f"conformance snapshot not found at {conformance}")
    return {name: build(conformance) for name, build in BUILDERS.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conformance", type=Path, default=DEFAULT_CONFORMANCE)
    parser.add_argument("--check", action="store_true", help="report drift, write nothing")
    args = parser.parse_args(argv)
    drift = []
    for name, data in build_all(args.conformance).items():
        target = PACKAGE / name
        current = target.read_bytes() if target.exists() else None
        if current == data:
            continue
        drift.append(name)
        if not args.check:
            target.write_bytes(data)
        print(f"{'drift' if args.check else 'wrote'}: {target.relative_to(REPO)} ({len(data)} B)")
    return 1 if args.check and drift else 0


if __name__ == "__main__":
    sys.exit(main())
