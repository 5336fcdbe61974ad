"""The agent's career history on their profile ("Mon parcours"): an immersion they add once its certificate
can be had (over, both feedbacks given, it happened), as the certificate states it: host, dates, days done,
the functions observed when the agreement states them. Shown on the profile page, part of the personal-data
export, removed by the agent whenever they wish. Only the agent adds or removes their own."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from mobilite.extensions import db
from mobilite.models import CareerEntry, Immersion, User
from mobilite.services import audit
from mobilite.services import certificate as certificate_service
from mobilite.services.errors import ServiceError


def entries(user: User) -> list[CareerEntry]:
    """The agent's history, the latest first."""
    return list(
        db.session.scalars(
            select(CareerEntry)
            .where(CareerEntry.user_id == user.id)
            .order_by(CareerEntry.start_date.desc(), CareerEntry.id.desc())
        )
    )


def entry_for(immersion: Immersion) -> CareerEntry | None:
    return db.session.scalar(select(CareerEntry).where(CareerEntry.immersion_id == immersion.id))


def add(agent: User, immersion: Immersion) -> CareerEntry:
    """Add the immersion to the agent's history, as its certificate states it now."""
    if immersion.agent_id != agent.id:
        raise ServiceError(_("Seul l'agent ajoute une immersion à son parcours."))
    if entry_for(immersion) is not None:
        raise ServiceError(_("Cette immersion est déjà dans votre parcours."))
    refusal = certificate_service.refusal(immersion)
    if refusal is not None:
        raise ServiceError(refusal)
    data = certificate_service.certificate_data(immersion)
    entry = CareerEntry(
        user_id=agent.id,
        immersion_id=immersion.id,
        host_name=data["host_name"],
        team=data["team"] or "",
        title=data["title"],
        start_date=data["start_date"],
        end_date=data["end_date"],
        days_done=data["days_done"],
        # The agreement's words (issue 17's online agreement) when the certificate carries them.
        functions_observed=(data.get("functions_observed") or "").strip(),
    )
    db.session.add(entry)
    try:
        db.session.flush()
    except IntegrityError:  # added at the same moment from another tab
        db.session.rollback()
        raise ServiceError(_("Cette immersion est déjà dans votre parcours.")) from None
    audit.record(agent, "account.career_add", immersion, organisation_id=agent.organisation_id)
    db.session.commit()
    return entry


def remove(agent: User, immersion: Immersion) -> bool:
    """Take the immersion out of the agent's history; False when it was not in it."""
    if immersion.agent_id != agent.id:
        raise ServiceError(_("Seul l'agent retire une immersion de son parcours."))
    removed = db.rows_matched(
        delete(CareerEntry).where(CareerEntry.immersion_id == immersion.id, CareerEntry.user_id == agent.id)
    )
    if removed:
        audit.record(agent, "account.career_remove", immersion, organisation_id=agent.organisation_id)
    db.session.commit()
    return bool(removed)
