"""Mission expenses: during an immersion the agent is on mission, so the home employer pays the travel.

- The agent records the travel they expect (mode, one-way distance, number of return trips; for public
  transport the fare of one return trip) on their immersion until its last day; a cancelled immersion takes
  none. The estimate: by car, the network's mileage rate × the kilometres there and back × the trips; by
  public transport, the fare × the trips; on foot or by bicycle, nothing.
- HR of the home employer exports the month's lines (immersions starting that month, not cancelled) as a
  CSV for their payroll tool: amounts in euros with a decimal comma, as French spreadsheets read them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import extract, select
from sqlalchemy.orm import selectinload

from mobilite.extensions import db
from mobilite.models import (
    Immersion,
    ImmersionStatus,
    Network,
    Offer,
    OfferSession,
    Organisation,
    TravelMode,
    TravelRecord,
    User,
)
from mobilite.services import audit
from mobilite.services.errors import ServiceError
from mobilite.services.spreadsheets import write_csv

CSV_COLUMNS = [
    "reference",
    "agent",
    "email",
    "organisation_accueil",
    "adresse_accueil",
    "debut",
    "fin",
    "jours",
    "mode",
    "distance_aller_km",
    "allers_retours",
    "taux_km_euros",
    "prix_aller_retour_euros",
    "montant_estime_euros",
    "prise_en_charge",
]


def network_of(immersion: Immersion) -> Network:
    return immersion.proposal.round.network


def estimate_cents(mode: TravelMode, distance_km: int, trips: int, fare_cents: int | None, rate_cents: int) -> int:
    if mode == TravelMode.CAR:
        return 2 * distance_km * trips * rate_cents
    if mode == TravelMode.PUBLIC_TRANSPORT:
        return (fare_cents or 0) * trips
    return 0


def travel_of(immersion: Immersion) -> TravelRecord | None:
    return db.session.scalar(select(TravelRecord).where(TravelRecord.immersion_id == immersion.id))


def may_record(immersion: Immersion, today: date | None = None) -> bool:
    return immersion.status != ImmersionStatus.CANCELLED and (today or date.today()) <= immersion.end_date


def record_travel(actor: User, immersion: Immersion, data: dict, today: date | None = None) -> TravelRecord:
    """The agent's expected travel for their immersion, created or replaced."""
    if immersion.agent_id != actor.id:
        raise ServiceError(_("Seul l'agent en immersion indique ses déplacements."))
    if immersion.status == ImmersionStatus.CANCELLED:
        raise ServiceError(_("Cette immersion est annulée."))
    if not may_record(immersion, today):
        raise ServiceError(_("L'immersion est terminée : les déplacements ne se modifient plus."))
    mode = TravelMode(data["mode"])
    fare = data.get("fare")
    fare_cents = int((Decimal(fare) * 100).to_integral_value()) if fare is not None else None
    if mode == TravelMode.PUBLIC_TRANSPORT and fare_cents is None:
        raise ServiceError({"fare": [_("Indiquez le prix d'un aller-retour en transports en commun.")]})
    if mode != TravelMode.PUBLIC_TRANSPORT:
        fare_cents = None
    trips = data["trips"]
    if trips > immersion.working_days:
        raise ServiceError(
            {"trips": [_("Au plus un aller-retour par jour d'immersion : %(n)d.", n=immersion.working_days)]}
        )
    rate = network_of(immersion).mileage_rate_cents
    record = travel_of(immersion) or TravelRecord(immersion_id=immersion.id)
    record.mode = mode
    record.distance_km = data["distance_km"]
    record.trips = trips
    record.fare_cents = fare_cents
    record.amount_cents = estimate_cents(mode, data["distance_km"], trips, fare_cents, rate)
    db.session.add(record)
    audit.record(actor, "travel.record", immersion, organisation_id=immersion.home_organisation_id)
    db.session.commit()
    return record


def month_records(organisation_id: int, year: int, month: int) -> list[TravelRecord]:
    """The travel lines of the immersions this organisation sends that start in the month, not cancelled."""
    return list(
        db.session.scalars(
            select(TravelRecord)
            .join(Immersion, TravelRecord.immersion_id == Immersion.id)
            .where(
                Immersion.home_organisation_id == organisation_id,
                Immersion.status != ImmersionStatus.CANCELLED,
                extract("year", Immersion.start_date) == year,
                extract("month", Immersion.start_date) == month,
            )
            .options(
                selectinload(TravelRecord.immersion)
                .selectinload(Immersion.session)
                .selectinload(OfferSession.offer)
                .selectinload(Offer.organisation)
            )
            .order_by(Immersion.start_date, Immersion.id)
        )
    )


def euros(cents: int | None) -> str:
    """12,50: the decimal comma French spreadsheets read as a number."""
    if cents is None:
        return ""
    return f"{cents // 100},{cents % 100:02d}"


def month_csv(organisation_id: int, year: int, month: int) -> bytes:
    rows: list[list[object]] = []
    for record in month_records(organisation_id, year, month):
        immersion = record.immersion
        agent = db.session.get_one(User, immersion.agent_id)
        host = immersion.session.offer.organisation
        home = db.session.get_one(Organisation, immersion.home_organisation_id)
        rate = network_of(immersion).mileage_rate_cents if record.mode == TravelMode.CAR else None
        rows.append(
            [
                f"IMM-{immersion.id:06d}",
                agent.full_name,
                agent.email,
                host.name,
                immersion.session.offer.location.full_address,
                immersion.start_date.isoformat(),
                immersion.end_date.isoformat(),
                immersion.days_done or immersion.working_days,
                record.mode.value,
                record.distance_km,
                record.trips,
                euros(rate),
                euros(record.fare_cents),
                euros(record.amount_cents),
                home.name,
            ]
        )
    return write_csv(CSV_COLUMNS, rows)
