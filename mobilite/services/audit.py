"""The audit log: who did what, when, to which record. Details never hold personal data."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select

from mobilite.extensions import db
from mobilite.models import AuditEvent, Organisation, User
from mobilite.services.spreadsheets import write_csv

PARIS = ZoneInfo("Europe/Paris")


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


# --- reading it: coordinators their network's, the admin all ----------------------------------------------

# The families the log's filter offers (an event's action starts with one of them).
FAMILIES = (
    "auth",
    "account",
    "api_token",
    "request",
    "offer",
    "round",
    "proposal",
    "immersion",
    "network",
    "organisation",
    "retention",
    "audit",
)


def _scoped(network_id: int | None) -> Select:
    query = select(AuditEvent)
    if network_id is not None:
        organisations = select(Organisation.id).where(Organisation.network_id == network_id)
        query = query.where((AuditEvent.network_id == network_id) | AuditEvent.organisation_id.in_(organisations))
    return query


def events(network_id: int | None, filters: dict) -> Select:
    """The log's events, newest first: a network's (events of the network or of one of its organisations),
    or all of them (network_id None, the admin), filtered by action or family, dates (Europe/Paris days) and
    account (the one the event is about, or whose action it is)."""
    query = _scoped(network_id)
    action = filters.get("action") or ""
    if action in FAMILIES:
        query = query.where(AuditEvent.action.startswith(action + ".", autoescape=True))
    elif action:
        query = query.where(AuditEvent.action == action)
    if filters.get("start") is not None:
        query = query.where(AuditEvent.at >= paris_midnight(filters["start"]))
    if filters.get("end") is not None:
        query = query.where(AuditEvent.at < paris_midnight(filters["end"] + timedelta(days=1)))
    if filters.get("user_id") is not None:
        about = (AuditEvent.target_type == "User") & (AuditEvent.target_id == filters["user_id"])
        query = query.where(about | (AuditEvent.actor_id == filters["user_id"]))
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def paris_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=PARIS)


def actors(items: list[AuditEvent]) -> dict[int, User]:
    """The accounts that acted in these events, by id: one query."""
    ids = {event.actor_id for event in items if event.actor_id is not None}
    if not ids:
        return {}
    return {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(ids)))}


def details_items(event: AuditEvent) -> list[tuple[str, str]]:
    """The change's (key, value) pairs, a list shown as "agent, rh"."""
    return [
        (key, ", ".join(str(v) for v in value) if isinstance(value, list) else str(value))
        for key, value in sorted((event.details or {}).items())
    ]


def details_text(event: AuditEvent) -> str:
    """The change as one line, for the CSV export: "old: agent · new: agent, rh"."""
    return " · ".join(f"{key}: {shown}" for key, shown in details_items(event))


CSV_LIMIT = 50_000  # a year of a large network; a wider export is asked for with dates


def events_csv(network_id: int | None, filters: dict, actor: User) -> bytes:
    """The filtered log as CSV (the export itself is audited)."""
    items = list(db.session.scalars(events(network_id, filters).limit(CSV_LIMIT)))
    who = actors(items)
    rows = [
        [
            event.at.astimezone(PARIS).strftime("%Y-%m-%d %H:%M:%S"),
            event.action,
            event.actor_id or "",
            who[event.actor_id].email if event.actor_id in who else "",
            event.target_type,
            event.target_id or "",
            event.organisation_id or "",
            event.network_id or "",
            details_text(event),
        ]
        for event in items
    ]
    record(actor, "audit.export", actor, network_id=network_id, rows=len(rows))
    db.session.commit()
    header = ["date", "action", "compte_auteur", "auteur", "objet", "objet_id", "organisation", "reseau", "details"]
    return write_csv(header, rows)
