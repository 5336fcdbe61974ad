"""What the service keeps about a person, as they download it: a JSON file and a readable CSV.

Profile, requests (with their windows and wishes), proposals, immersions, the feedback they wrote, the
immersions they added to their career history, and their sign-in history (the audit log's sign-in events about
them). Each download is itself audited.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from mobilite.extensions import db
from mobilite.models import (
    AuditEvent,
    Feedback,
    Immersion,
    ImmersionRequest,
    Proposal,
    User,
)
from mobilite.services import audit, career
from mobilite.services.spreadsheets import write_csv

SIGN_IN_ACTIONS = (
    "auth.login",
    "auth.login_failed",
    "auth.password_refused",
    "auth.logout",
    "auth.sign_out_everywhere",
)


def _when(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _profile(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "roles": sorted(role.value for role in user.roles),
        "organisation": user.organisation.name if user.organisation else None,
        "team": user.team,
        "job_title": user.job_title,
        "work_city": user.work_city,
        "work_postcode": user.work_postcode,
        "locale": user.locale,
        "created_at": _when(user.created_at),
        "last_login_at": _when(user.last_login_at),
        "active": user.active,
        "skills": sorted(f"{row.skill.label_fr} ({row.level})" for row in user.skills),
        "interests": sorted(theme.label_fr for theme in user.interests),
    }


def _requests(user: User) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        select(ImmersionRequest).where(ImmersionRequest.agent_id == user.id).order_by(ImmersionRequest.id)
    )
    return [
        {
            "id": r.id,
            "status": r.status.value,
            "created_at": _when(r.created_at),
            "submitted_at": _when(r.submitted_at),
            "min_days": r.min_days,
            "max_days": r.max_days,
            "max_distance_km": r.max_distance_km,
            "motivation": r.motivation,
            "decision_reason": r.decision_reason,
            "decided_at": _when(r.decided_at),
            "windows": [{"start": _when(w.start_date), "end": _when(w.end_date)} for w in r.windows],
            "wishes": [w.offer.title for w in sorted(r.wishes, key=lambda w: w.rank)],
            "themes": [t.label_fr for t in r.themes],
        }
        for r in rows
    ]


def _proposals(user: User) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        select(Proposal)
        .join(ImmersionRequest, Proposal.request_id == ImmersionRequest.id)
        .where(ImmersionRequest.agent_id == user.id)
        .order_by(Proposal.id)
    )
    return [
        {
            "id": p.id,
            "request_id": p.request_id,
            "offer": p.session.offer.title,
            "host": p.session.offer.organisation.name,
            "start": _when(p.session.start_date),
            "end": _when(p.session.end_date),
            "status": p.status.value,
            "respond_by": _when(p.respond_by),
            "agent_answer": p.agent_answer.value if p.agent_answer else None,
            "host_answer": p.host_answer.value if p.host_answer else None,
            "decline_reason": p.decline_reason,
        }
        for p in rows
    ]


def _immersions(user: User) -> list[dict[str, Any]]:
    rows = db.session.scalars(select(Immersion).where(Immersion.agent_id == user.id).order_by(Immersion.id))
    return [
        {
            "id": i.id,
            "offer": i.session.offer.title,
            "host": i.session.offer.organisation.name,
            "start": _when(i.start_date),
            "end": _when(i.end_date),
            "working_days": i.working_days,
            "status": i.status.value,
        }
        for i in rows
    ]


def _feedback(user: User) -> list[dict[str, Any]]:
    rows = db.session.scalars(select(Feedback).where(Feedback.author_id == user.id).order_by(Feedback.id))
    return [
        {
            "immersion_id": f.immersion_id,
            "side": f.side.value,
            "outcome": f.outcome.value,
            "outcome_reason": f.outcome_reason,
            "satisfaction": f.satisfaction,
            "learned": f.learned,
            "would_recommend": f.would_recommend,
            "at": _when(f.created_at),
        }
        for f in rows
    ]


def _career(user: User) -> list[dict[str, Any]]:
    return [
        {
            "immersion_id": e.immersion_id,
            "host": e.host_name,
            "team": e.team,
            "title": e.title,
            "start": _when(e.start_date),
            "end": _when(e.end_date),
            "days_done": e.days_done,
            "functions_observed": e.functions_observed,
            "added_at": _when(e.created_at),
        }
        for e in career.entries(user)
    ]


def _sign_ins(user: User) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.target_type == "User",
            AuditEvent.target_id == user.id,
            AuditEvent.action.in_(SIGN_IN_ACTIONS),
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    return [{"at": _when(e.at), "event": e.action, "method": e.details.get("method", "password")} for e in rows]


def collect(user: User) -> dict[str, Any]:
    """Everything about the person, as plain data."""
    return {
        "generated_at": _when(datetime.now().astimezone()),
        "profile": _profile(user),
        "requests": _requests(user),
        "proposals": _proposals(user),
        "immersions": _immersions(user),
        "feedback": _feedback(user),
        "career": _career(user),
        "sign_ins": _sign_ins(user),
    }


def export(user: User, fmt: str) -> dict[str, Any]:
    """The person's data, their download audited (format only)."""
    data = collect(user)
    audit.record(user, "account.export", user, organisation_id=user.organisation_id, format=fmt)
    db.session.commit()
    return data


def _flat(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, list):
        return ", ".join(_flat(item) if not isinstance(item, dict) else _flat_dict(item) for item in value)
    return str(value)


def _flat_dict(item: dict[str, Any]) -> str:
    return " – ".join(f"{_flat(v)}" for v in item.values())


def as_csv(data: dict[str, Any], headers: tuple[str, str, str, str]) -> bytes:
    """One line per value: section, record, field, value (readable in a spreadsheet, formulas neutralised)."""
    rows: list[list[object]] = []
    for field, value in data["profile"].items():
        rows.append(["profile", "", field, _flat(value)])
    for section in ("requests", "proposals", "immersions", "feedback", "career", "sign_ins"):
        for index, record in enumerate(data[section], start=1):
            for field, value in record.items():
                rows.append([section, index, field, _flat(value)])
    return write_csv(list(headers), rows)
