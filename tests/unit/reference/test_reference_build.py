"""scripts/build_reference.py reproduces every packaged data file byte for byte."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[3]
PACKAGE = REPO / "src" / "steeltrace" / "core" / "reference"


def _load_script() -> ModuleType:
    path = REPO / "scripts" / "build_reference.py"
    spec = importlib.util.spec_from_file_location("steeltrace_build_reference", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rebuilt(conformance_dir: Path) -> dict[str, bytes]:
    built: dict[str, bytes] = _load_script().build_all(conformance_dir)
    return built


def test_every_packaged_data_file_is_generated(rebuilt: dict[str, bytes]) -> None:
    packaged = {p.name for p in PACKAGE.iterdir() if p.suffix in (".json", ".csv")}
    assert packaged == set(rebuilt)


def test_rebuild_matches_packaged_bytes(rebuilt: dict[str, bytes]) -> None:
    for name, data in rebuilt.items():
        assert (PACKAGE / name).read_bytes() == data, f"{name} drifted: run build_reference.py"


def test_packaged_files_stay_small(rebuilt: dict[str, bytes]) -> None:
    assert sum(len(data) for data in rebuilt.values()) < 3 * 1024 * 1024


def test_every_data_file_has_a_source() -> None:
    sources = (PACKAGE / "SOURCES.md").read_text(encoding="utf-8")
    for path in PACKAGE.iterdir():
        if path.suffix in (".json", ".csv"):
            assert f"`{path.name}`" in sources, path.name
