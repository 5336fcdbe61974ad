"""Following the agreements up (services.agreement): the coordination's overview of where each stands, its
reminder to whoever the agreement waits for, and the job flagging an agreement not fully signed the day
before the immersion starts.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mobilite.extensions import db
from mobilite.models import (
    Agreement,
    AgreementState,
    Immersion,
    ImmersionStatus,
    OfferSession,
    Proposal,
    Round,
    SignatureParty,
    User,
    utcnow,
)
from mobilite.notifications import agreement as notices
from mobilite.services import audit
from mobilite.services.agreement import _party_people, _unique, _waiting_for, is_open, network_of, of, status
from mobilite.services.errors import ServiceError
from mobilite.services.people import coordinators

STEP_OF = {
    AgreementState.DRAFTED: "complete",
    AgreementState.COMPLETED: "check",
    AgreementState.CHECKED: "sign",
    AgreementState.SIGNING: "sign",
}


def remind(actor: User, immersion: Immersion) -> list[User]:
    """The coordination reminds whoever the agreement waits for. Returns who was reminded."""
    agreement = of(immersion)
    if not actor.coordinates(network_of(immersion).id):
        raise ServiceError(_("Seule la coordination du réseau relance les parties."))
    waiting = _waiting_for(agreement)
    if waiting is None or not is_open(immersion):
        raise ServiceError(_("Cette convention n'attend personne : il n'y a rien à relancer."))
    recipients = _party_people(immersion, waiting)
    if not recipients:
        raise ServiceError(_("Personne ne peut encore agir pour cette partie : aucun compte RH actif."))
    notices.waiting(immersion, recipients, STEP_OF[agreement.state], reminder=True)
    agreement.last_reminded_at = utcnow()
    audit.record(actor, "agreement.remind", immersion, network_id=network_of(immersion).id, party=waiting.value)
    db.session.commit()
    return [user for user, _role in recipients]


def overview(network_id: int) -> list[dict]:
    """Every agreement of the network's immersions still to come, those waiting longest first."""
    immersions = db.session.scalars(
        select(Immersion)
        .join(Proposal, Proposal.id == Immersion.proposal_id)
        .join(Round, Round.id == Proposal.round_id)
        .where(Round.network_id == network_id, Immersion.status == ImmersionStatus.CONFIRMED)
        .options(selectinload(Immersion.session).selectinload(OfferSession.offer))
        .order_by(Immersion.start_date, Immersion.id)
    ).all()
    rows = []
    for immersion in immersions:
        agreement = of(immersion)
        rows.append(
            {
                "immersion": immersion,
                "agent": db.session.get_one(User, immersion.agent_id),
                "open": is_open(immersion),
                **status(agreement),
                "last_reminded_at": agreement.last_reminded_at,
            }
        )
    rows.sort(key=lambda row: (row["state"] == AgreementState.SIGNED, row["since"]))
    return rows


def flag_unsigned(today: date | None = None, now: datetime | None = None) -> int:
    """Job: an immersion starting tomorrow (or today, the job having missed a day) whose agreement is not
    fully signed is flagged to both HR officers and the coordination, once. Returns how many."""
    today, now = today or date.today(), now or utcnow()
    due = db.session.scalars(
        select(Immersion)
        .where(
            Immersion.status == ImmersionStatus.CONFIRMED,
            Immersion.start_date >= today,
            Immersion.start_date <= today + timedelta(days=1),
        )
        .order_by(Immersion.start_date, Immersion.id)
    ).all()
    flagged = 0
    for immersion in due:
        agreement = of(immersion)
        db.session.execute(select(Agreement.id).where(Agreement.id == agreement.id).with_for_update())
        db.session.refresh(agreement)
        if agreement.state == AgreementState.SIGNED or agreement.unsigned_flagged_at is not None:
            continue
        recipients = _party_people(immersion, SignatureParty.HOME) + _party_people(immersion, SignatureParty.HOST)
        recipients += [(u, "coordination") for u in coordinators(network_of(immersion).id)]
        notices.unsigned(immersion, _unique(recipients), _waiting_for(agreement))
        agreement.unsigned_flagged_at = now
        audit.record(None, "agreement.unsigned", immersion, network_id=network_of(immersion).id)
        flagged += 1
    db.session.commit()
    return flagged
