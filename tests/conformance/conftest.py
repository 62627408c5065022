"""Fixtures for the conformance suites.

Test modules also call :func:`tests.conformance.conformance_root` at import time to
parametrise one test per vector; if the vectors are missing, collection fails loudly.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conformance import conformance_root


@pytest.fixture(scope="session")
def conformance_dir() -> Path:
    try:
        return conformance_root()
    except FileNotFoundError as e:
        pytest.fail(str(e))
