"""CSV exports of an organisation's offers and requests. The offers file re-imports as it is.

Every cell goes through spreadsheets.write_csv, which neutralises formulas. The requests file holds what HR
sees on its requests page: never an agent's draft (only the agent sees it). The offers file holds the
organisation's own offers, drafts included: they are the HR team's shared work, listed on its offers page.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mobilite.extensions import db
from mobilite.models import ImmersionRequest, Offer, OfferPrerequisite, OfferSession
from mobilite.services.imports import OFFER_COLUMNS, SESSION_COLUMNS
from mobilite.services.spreadsheets import write_csv

REQUEST_COLUMNS = [
    "demande",
    "agent",
    "email",
    "equipe",
    "statut",
    "duree_min",
    "duree_max",
    "distance_max_km",
    "disponibilites",
    "thematiques",
    "voeux",
    "soumise_le",
    "decision",
    "motif",
]


def offers_csv(organisation_id: int) -> bytes:
    offers = db.session.scalars(
        select(Offer)
        .where(Offer.organisation_id == organisation_id)
        .options(
            selectinload(Offer.sessions),
            selectinload(Offer.site),
            selectinload(Offer.themes),
            selectinload(Offer.skills),
            selectinload(Offer.prerequisites).selectinload(OfferPrerequisite.skill),
        )
        .order_by(Offer.id)
    ).all()
    header = list(OFFER_COLUMNS) + list(SESSION_COLUMNS) + ["statut"]
    rows: list[list[object]] = []
    for offer in offers:
        common = [
            f"offre-{offer.id}",
            offer.title,
            offer.team,
            offer.description,
            "; ".join(t.code for t in offer.themes),
            "; ".join(s.code for s in offer.skills),
            "; ".join(f"{p.skill.code}:{p.min_level}" for p in offer.prerequisites),
            offer.place.value,
            offer.site.name if offer.site else "",  # the import finds the site by its name
            offer.accessibility,
            offer.tutor_name,
            offer.tutor_role,
            offer.tutor_email,
        ]
        sessions: list[OfferSession | None] = [*offer.sessions] or [None]  # an offer without sessions: one row
        for session in sessions:
            dates: list[object] = [session.start_date, session.end_date, session.capacity] if session else ["", "", ""]
            rows.append(common + dates + [offer.status.value])
    return write_csv(header, rows)


def requests_csv(organisation_id: int) -> bytes:
    requests = db.session.scalars(
        select(ImmersionRequest)
        .where(ImmersionRequest.organisation_id == organisation_id, ImmersionRequest.submitted_at.is_not(None))
        .options(
            selectinload(ImmersionRequest.agent),
            selectinload(ImmersionRequest.windows),
            selectinload(ImmersionRequest.themes),
            selectinload(ImmersionRequest.wishes),
        )
        .order_by(ImmersionRequest.id)
    ).all()
    rows = [
        [
            r.id,
            r.agent.full_name,
            r.agent.email,
            r.agent.team,
            r.status.value,
            r.min_days,
            r.max_days,
            r.max_distance_km if r.max_distance_km is not None else "",
            "; ".join(f"{w.start_date.isoformat()}/{w.end_date.isoformat()}" for w in r.windows),
            "; ".join(t.code for t in r.themes),
            "; ".join(f"{w.rank}:offre-{w.offer_id}" for w in r.wishes),
            r.submitted_at.date().isoformat() if r.submitted_at else "",
            r.decided_at.date().isoformat() if r.decided_at else "",
            r.decision_reason,
        ]
        for r in requests
    ]
    return write_csv(REQUEST_COLUMNS, rows)
