"""Certificates of quality, the pure half: payload shapes, genealogy walks, verification
against grades, heats, HS codes and contracts, and the import of EN 10168 digital mill
test certificates.

The contracts that write certificates are in :mod:`steeltrace.core.contracts.certificates`;
everything in this package reads a state view and returns values, nothing writes.
"""

from __future__ import annotations

from steeltrace.core.certificates.verification import (
    certificates_for_lot,
    verify_certificate,
    verify_document,
)

__all__ = ["certificates_for_lot", "verify_certificate", "verify_document"]
