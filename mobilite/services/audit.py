"""The audit log: who did what, when, to which record. Details never hold personal data."""

from __future__ import annotations

from mobilite.extensions import db
from mobilite.models import AuditEvent


def record(actor, action: str, target, *, organisation_id=None, network_id=None, **details) -> AuditEvent:
    """Add an event to the current unit of work; the caller's commit saves it with the change."""
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        target_type=type(target).__name__,
        target_id=getattr(target, "id", None),
        organisation_id=organisation_id,
        network_id=network_id,
        details=details,
    )
    db.session.add(event)
    return event
