"""Networks, run by the platform's admin: created with a first organisation and its coordinator, and each
one's health at a glance. Their rules keep the law's defaults (the coordination sets them later)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from mobilite.extensions import db
from mobilite.models import (
    Network,
    Notification,
    NotificationStatus,
    Organisation,
    Role,
    Round,
    RoundStatus,
    User,
    UserRole,
)
from mobilite.services import audit
from mobilite.services.accounts import build_account
from mobilite.services.auth import normalise_email
from mobilite.services.errors import ServiceError
from mobilite.services.organisations import build_organisation, checked, slugify

# The form's field for each error of the first organisation and of the coordinator's account.
_ORGANISATION_FIELDS = {"name": "organisation_name", "kind": "organisation_kind", "sirets": "organisation_sirets"}
_ACCOUNT_FIELDS = {"email": "coordinator_email", "first_name": "coordinator_first_name"}


@dataclass(frozen=True)
class NetworkHealth:
    network: Network
    organisations: int
    suspended: int
    active_agents: int
    last_round_week: date | None
    last_round_status: RoundStatus | None
    last_round_at: datetime | None
    failed_rounds: int
    failing_addresses: int
    failed_emails: int


def _renamed(errors, names: dict[str, str]) -> dict:
    if not isinstance(errors, dict):
        return {"_schema": errors if isinstance(errors, list) else [errors]}
    return {names.get(key, key): value for key, value in errors.items()}


def _organisation_data(data: dict) -> dict:
    """The first organisation's fields of the network's form, under the organisation form's names."""
    names = {
        "organisation_name": "name",
        "organisation_kind": "kind",
        "organisation_sirets": "sirets",
        "organisation_address": "address",
        "commune": "commune",
    }
    found = {field: data[key] for key, field in names.items() if key in data}
    return {"accessibility_notes": "", **found}


def check_network(data: dict) -> dict[str, list[str]]:
    """Every error of the fields present in `data` (the form's, loaded or not), without writing: the
    network's name taken, the organisation's (SIRET numbers taken, the commune), the coordinator's address
    taken."""
    errors: dict[str, list[str]] = {}
    name = data.get("name", "").strip()
    if "name" in data and not name:
        errors["name"] = [_("Ce champ est obligatoire.")]
    elif name and db.session.scalar(select(Network.id).where(func.lower(Network.name) == name.lower())) is not None:
        errors["name"] = [_("Un réseau porte déjà ce nom.")]
    organisation_errors, _place = checked(None, _organisation_data(data), None)
    errors = merge(errors, _renamed(organisation_errors, _ORGANISATION_FIELDS))
    if data.get("coordinator_email"):
        email = normalise_email(data["coordinator_email"])
        if db.session.scalar(select(User.id).where(User.email == email)) is not None:
            errors["coordinator_email"] = [_("Un compte existe déjà avec cette adresse.")]
    return errors


def create_network(actor: User, data: dict, *, token_hours: int) -> Network:
    """Create the network, its first organisation and its coordinator's account (who gets a first-password
    link), all or nothing, every error named by its field (commits)."""
    if not actor.has_role(Role.ADMIN):
        raise ServiceError(_("Seule l'administration de la plateforme crée un réseau."))
    db.begin_write()
    errors = check_network(data)
    if errors:
        db.session.rollback()
        raise ServiceError(errors)
    name = data["name"].strip()
    organisation_data = _organisation_data(data)
    network = Network(name=name, slug=slugify(name, select(Network.slug)), description=data["description"].strip())
    try:
        db.session.add(network)
        db.session.flush()
        organisation = build_organisation(network, organisation_data)
        coordinator = build_account(
            actor,
            {
                "email": data["coordinator_email"],
                "first_name": data["coordinator_first_name"],
                "last_name": data["coordinator_last_name"],
                "roles": [Role.COORDINATOR],
                "organisation_id": organisation.id,
                "network_id": network.id,
            },
            token_hours=token_hours,
        )
    except ServiceError as exc:
        db.session.rollback()
        raise ServiceError(merge({}, _renamed(exc.errors, {**_ORGANISATION_FIELDS, **_ACCOUNT_FIELDS}))) from None
    audit.record(
        actor,
        "network.create",
        network,
        network_id=network.id,
        organisation_id=organisation.id,
        coordinator_id=coordinator.id,
    )
    db.session.commit()
    return network


def merge(first: dict, second: dict | list | str) -> dict:
    if not isinstance(second, dict):
        second = {"_schema": second if isinstance(second, list) else [second]}
    merged = {key: list(value) for key, value in first.items()}
    for key, value in second.items():
        merged.setdefault(key, []).extend(v for v in value if v not in merged[key])
    return merged


def _counts(query) -> dict[int, int]:
    """A (network id, count) query as a mapping."""
    rows: list[Any] = list(db.session.execute(query))
    return {row[0]: row[1] for row in rows}


def health() -> list[NetworkHealth]:
    """Every network with its figures, in a fixed number of queries: organisations (suspended ones too),
    active agents, its last round, failed rounds, members' addresses the relay refuses for good, and their
    e-mails that failed for good."""
    networks = db.session.scalars(select(Network).order_by(Network.name, Network.id)).all()
    organisations = _counts(
        select(Organisation.network_id, func.count(Organisation.id)).group_by(Organisation.network_id)
    )
    suspended = _counts(
        select(Organisation.network_id, func.count(Organisation.id))
        .where(~Organisation.is_active)
        .group_by(Organisation.network_id)
    )
    members = select(User.id, Organisation.network_id).join(Organisation, User.organisation_id == Organisation.id)
    agents = _counts(
        select(Organisation.network_id, func.count(func.distinct(User.id)))
        .join(User, User.organisation_id == Organisation.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.AGENT, User.deactivated_at.is_(None), User.erased_at.is_(None))
        .group_by(Organisation.network_id)
    )
    failing = _counts(
        select(Organisation.network_id, func.count(User.id))
        .join(User, User.organisation_id == Organisation.id)
        .where(User.bounced_email != "", User.bounced_email == User.email)
        .group_by(Organisation.network_id)
    )
    member_ids = members.subquery()
    failed_emails = _counts(
        select(member_ids.c.network_id, func.count(Notification.id))
        .join(member_ids, Notification.recipient_id == member_ids.c.id)
        .where(Notification.status == NotificationStatus.FAILED)
        .group_by(member_ids.c.network_id)
    )
    failed_rounds = _counts(
        select(Round.network_id, func.count(Round.id))
        .where(Round.status == RoundStatus.FAILED)
        .group_by(Round.network_id)
    )
    latest = select(Round.network_id, func.max(Round.id).label("round_id")).group_by(Round.network_id).subquery()
    last_rounds = {
        r.network_id: r for r in db.session.scalars(select(Round).join(latest, Round.id == latest.c.round_id))
    }
    rows = []
    for network in networks:
        last = last_rounds.get(network.id)
        rows.append(
            NetworkHealth(
                network=network,
                organisations=organisations.get(network.id, 0),
                suspended=suspended.get(network.id, 0),
                active_agents=agents.get(network.id, 0),
                last_round_week=last.week_start if last else None,
                last_round_status=last.status if last else None,
                last_round_at=(last.published_at or last.finished_at or last.started_at or last.created_at)
                if last
                else None,
                failed_rounds=failed_rounds.get(network.id, 0),
                failing_addresses=failing.get(network.id, 0),
                failed_emails=failed_emails.get(network.id, 0),
            )
        )
    return rows
