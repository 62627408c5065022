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


BUILDERS: dict[str, Callable[[Path], bytes]] = {
    "countries.json": build_countries,
    "currencies.json": build_currencies,
    "hs2022.json": build_hs,
    "locode.csv": build_locode,
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
