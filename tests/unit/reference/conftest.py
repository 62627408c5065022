"""Fixtures for the reference-data tests: where the repo and the conformance snapshot are."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    assert (REPO / "pyproject.toml").is_file(), REPO
    return REPO


@pytest.fixture(scope="session")
def conformance_dir(repo_root: Path) -> Path:
    """``<repo>/../shared/conformance``; missing is a failure, never a skip."""
    folder = repo_root.parent / "shared" / "conformance"
    if not folder.is_dir():
        pytest.fail(f"conformance snapshot not found at {folder}")
    return folder
