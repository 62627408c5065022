"""Fixtures for the reference-data tests: where the repo and the conformance snapshot are."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.conformance import conformance_root

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    assert (REPO / "pyproject.toml").is_file(), REPO
    return REPO


@pytest.fixture(scope="session")
def conformance_dir(repo_root: Path) -> Path:
    """The conformance snapshot (tests/support/conformance.py); missing is a failure."""
    try:
        return conformance_root()
    except FileNotFoundError as e:
        pytest.fail(str(e))
