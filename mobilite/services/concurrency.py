"""Saving records that carry a version column (offers, requests)."""

from __future__ import annotations

from sqlalchemy.orm.exc import StaleDataError

from mobilite.extensions import db
from mobilite.services.errors import StaleRecord


def commit_or_stale(message: str) -> None:
    """Commit; when another worker saved one of the versioned records first, roll back and say so."""
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise StaleRecord(message) from None
