"""A network's organisations, run by its coordination (and by the admin for any network): added, edited,
suspended and reinstated.

Suspension deletes nothing. One predicate, `Organisation.is_active`, takes a suspended organisation's offers
out of the catalogue, the search, the wish checks and the rounds' sessions, and its agents' pending requests
out of the rounds (services/search.py, listings.open_sessions, round_problem, wish_checks). Those requests
keep their status: they are paused while the organisation is, and each agent is told when the pause starts
and ends. Members still sign in.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from mobilite import notifications
from mobilite.authz import Action, can
from mobilite.extensions import db
from mobilite.models import (
    ImmersionRequest,
    Network,
    Organisation,
    OrganisationKind,
    OrganisationSiret,
    RequestStatus,
    Role,
    User,
    utcnow,
)
from mobilite.services import audit, communes
from mobilite.services.concurrency import refuse_if_changed
from mobilite.services.errors import ServiceError

# Pending and not matched yet: what a suspension pauses (a matched request already has its immersion).
PAUSABLE = frozenset({RequestStatus.SUBMITTED, RequestStatus.POSTPONED, RequestStatus.APPROVED})
EDITED_FIELDS = ("name", "kind", "address", "city", "postcode", "accessibility_notes")
AMBIGUOUS_SHOWN = 5


def may_administer(user: User, organisation: Organisation) -> bool:
    """The admin, or the coordinator of the organisation's network (never its HR)."""
    return can(user, Action.ADMINISTER, organisation)


def network_organisations(network_id: int) -> Select:
    """A network's organisations by name, with their SIRET numbers."""
    return (
        select(Organisation)
        .where(Organisation.network_id == network_id)
        .options(selectinload(Organisation.sirets))
        .order_by(Organisation.name, Organisation.id)
    )


def commune_label(organisation: Organisation) -> str:
    """What the commune field shows for a stored address: "Lyon (69003)" when the gazetteer knows it."""
    if not organisation.city:
        return ""
    found = communes.locate(organisation.city, organisation.postcode)
    return found.label if found is not None else organisation.city


def slugify(text: str, taken: Select) -> str:
    """A readable, unique slug from a name ("Ville de Lyon" → "ville-de-lyon", then "-2", "-3"…).
    `taken` selects the slugs already used (a column), filtered here by prefix."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    base = re.sub(r"[^a-z0-9]+", "-", "".join(ch for ch in plain if not unicodedata.combining(ch))).strip("-")
    base = base[:70].strip("-") or "organisation"
    used = set(db.session.scalars(taken.where(taken.selected_columns[0].startswith(base, autoescape=True))))
    slug, n = base, 2
    while slug in used:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _place(text: str) -> communes.Match:
    found = communes.resolve(text)
    if isinstance(found, communes.Match):
        return found
    if not found:
        message = _(
            "Aucune commune ne correspond à « %(text)s » : tapez le début de son nom ou son code postal, "
            "puis choisissez-la dans la liste.",
            text=text,
        )
    else:
        shown = ", ".join(match.label for match in found[:AMBIGUOUS_SHOWN])
        message = _(
            "Plusieurs communes correspondent à « %(text)s » (%(communes)s) : "
            "précisez le code postal, par exemple « %(example)s ».",
            text=text,
            communes=shown + ("…" if len(found) > AMBIGUOUS_SHOWN else ""),
            example=found[0].label,
        )
    raise ServiceError({"commune": [message]})


def checked(
    network_id: int | None, data: dict, organisation: Organisation | None
) -> tuple[dict[str, list[str]], communes.Match | None]:
    """Every error of the fields present in `data`, at once: the name taken in the network (None: a new
    network, where none is), SIRET numbers of another organisation, the commune not found."""
    errors: dict[str, list[str]] = {}
    name = data.get("name", "").strip()
    if "name" in data and not name:
        errors["name"] = [_("Ce champ est obligatoire.")]
    elif name and network_id is not None:
        same_name = select(Organisation.id).where(
            Organisation.network_id == network_id, func.lower(Organisation.name) == name.lower()
        )
        if organisation is not None:
            same_name = same_name.where(Organisation.id != organisation.id)
        if db.session.scalar(same_name.limit(1)) is not None:
            errors["name"] = [_("Une organisation du réseau porte déjà ce nom.")]
    if data.get("sirets"):
        taken = select(OrganisationSiret.siret).where(OrganisationSiret.siret.in_(data["sirets"]))
        if organisation is not None:
            taken = taken.where(OrganisationSiret.organisation_id != organisation.id)
        for siret in db.session.scalars(taken.order_by(OrganisationSiret.siret)):
            errors.setdefault("sirets", []).append(
                _("« %(siret)s » est déjà le numéro SIRET d'une autre organisation du service.", siret=siret)
            )
    place = None
    if "commune" in data:
        try:
            place = _place(data["commune"])
        except ServiceError as exc:
            errors.update(exc.errors)
    return errors, place


def _apply(organisation: Organisation, data: dict, place: communes.Match) -> dict[str, list[str]]:
    """Copy the form on the organisation; the SIRET numbers added and removed."""
    organisation.name = data["name"].strip()
    organisation.kind = OrganisationKind(data["kind"])
    organisation.address = data["address"].strip()
    organisation.accessibility_notes = data["accessibility_notes"].strip()
    commune = place.commune
    organisation.city, organisation.postcode = commune.name, place.postcode
    organisation.latitude, organisation.longitude = commune.latitude, commune.longitude
    current = {row.siret: row for row in organisation.sirets}
    removed = sorted(set(current) - set(data["sirets"]))
    added = [siret for siret in data["sirets"] if siret not in current]
    for siret in removed:
        organisation.sirets.remove(current[siret])
    organisation.sirets.extend(OrganisationSiret(siret=siret) for siret in added)
    return {"sirets_added": added, "sirets_removed": removed}


def build_organisation(network: Network, data: dict) -> Organisation:
    """Add a new organisation of the network to the unit of work (flushed, not committed)."""
    errors, place = checked(network.id, data, None)
    if errors or place is None:
        raise ServiceError(errors)
    organisation = Organisation(
        network=network, slug=slugify(data["name"], select(Organisation.slug)), password_sign_in=True
    )
    _apply(organisation, data, place)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def _commit() -> None:
    try:
        db.session.commit()
    except IntegrityError:  # another organisation took one of these numbers (or this name) meanwhile
        db.session.rollback()
        raise ServiceError(
            {"_schema": [_("Une autre organisation vient d'être enregistrée avec ce nom ou ces numéros SIRET.")]}
        ) from None


def create_organisation(actor: User, network: Network, data: dict) -> Organisation:
    """Add an organisation to the network, all or nothing (commits)."""
    if not (actor.has_role(Role.ADMIN) or actor.coordinates(network.id)):
        raise ServiceError({"network_id": [_("Réseau inconnu.")]})
    db.begin_write()
    try:
        organisation = build_organisation(network, data)
    except ServiceError:
        db.session.rollback()
        raise
    audit.record(
        actor,
        "organisation.create",
        organisation,
        organisation_id=organisation.id,
        network_id=network.id,
        kind=organisation.kind.value,
        sirets_added=[row.siret for row in organisation.sirets],
    )
    _commit()
    return organisation


def fingerprint(organisation: Organisation) -> str:
    """The organisation as an edit form opened it: any saved change (its fields, its SIRET numbers, a
    suspension) moves it."""
    sirets = db.session.scalars(
        select(OrganisationSiret.siret)
        .where(OrganisationSiret.organisation_id == organisation.id)
        .order_by(OrganisationSiret.siret)
    )
    seen = f"{organisation.id}:{organisation.updated_at.isoformat()}:{','.join(sirets)}"
    return hashlib.sha256(seen.encode()).hexdigest()[:24]


def lock_as_opened(organisation: Organisation, opened_on: str | None) -> None:
    """In the caller's write: lock the organisation and refuse a change saved since `opened_on` (the forms
    that share its fields and SIRET numbers, and the API's If-Match)."""
    refuse_if_changed(
        organisation,
        opened_on,
        fingerprint,
        _(
            "Cette organisation a été modifiée entre-temps par quelqu'un d'autre : rechargez la page pour voir "
            "sa version."
        ),
    )


def update_organisation(
    actor: User, organisation: Organisation, data: dict, opened_on: str | None = None
) -> Organisation:
    """Save the organisation's form, all or nothing; the log names the fields changed (commits).
    `opened_on`: the fingerprint the form was opened with; a change another coordinator saved since is
    refused, not overwritten (the API's If-Match does the same before the call)."""
    if not may_administer(actor, organisation):
        raise ServiceError(_("Vous ne pouvez pas modifier cette organisation."))
    db.begin_write()
    lock_as_opened(organisation, opened_on)
    errors, place = checked(organisation.network_id, data, organisation)
    if errors or place is None:
        db.session.rollback()
        raise ServiceError(errors)
    before = {name: getattr(organisation, name) for name in EDITED_FIELDS}
    sirets = _apply(organisation, data, place)
    changed = sorted(name for name in EDITED_FIELDS if getattr(organisation, name) != before[name])
    if changed or sirets["sirets_added"] or sirets["sirets_removed"]:
        audit.record(
            actor,
            "organisation.update",
            organisation,
            organisation_id=organisation.id,
            network_id=organisation.network_id,
            fields=changed,
            **sirets,
        )
    _commit()
    return organisation


def paused_requests(organisation: Organisation) -> Select:
    """The organisation's agents' requests a suspension pauses (pending, not matched yet)."""
    return (
        select(ImmersionRequest)
        .where(ImmersionRequest.organisation_id == organisation.id, ImmersionRequest.status.in_(PAUSABLE))
        .options(selectinload(ImmersionRequest.agent))
        .order_by(ImmersionRequest.id)
    )


def suspend(actor: User, organisation: Organisation, reason: str) -> Organisation:
    """Suspend the organisation: its offers leave the catalogue and its agents' pending requests are paused,
    each agent told (commits). Nothing is deleted."""
    if not may_administer(actor, organisation):
        raise ServiceError(_("Vous ne pouvez pas suspendre cette organisation."))
    reason = reason.strip()
    if not reason:
        raise ServiceError({"reason": [_("Donnez la raison de la suspension : elle est écrite au journal.")]})
    db.begin_write()
    db.session.refresh(organisation)
    if organisation.suspended_at is not None:
        db.session.rollback()
        raise ServiceError({"_schema": [_("Cette organisation est déjà suspendue.")]})
    organisation.suspended_at = utcnow()
    organisation.suspension_reason = reason
    paused = db.session.scalars(paused_requests(organisation)).all()
    for immersion_request in paused:
        notifications.request_paused(immersion_request)
    audit.record(
        actor,
        "organisation.suspend",
        organisation,
        organisation_id=organisation.id,
        network_id=organisation.network_id,
        reason=reason,
        requests_paused=len(paused),
    )
    db.session.commit()
    return organisation


def reinstate(actor: User, organisation: Organisation) -> Organisation:
    """Lift the suspension: the offers come back to the catalogue and the paused requests, which kept their
    status, to the rounds; each agent told (commits)."""
    if not may_administer(actor, organisation):
        raise ServiceError(_("Vous ne pouvez pas lever la suspension de cette organisation."))
    db.begin_write()
    db.session.refresh(organisation)
    if organisation.suspended_at is None:
        db.session.rollback()
        raise ServiceError({"_schema": [_("Cette organisation n'est pas suspendue.")]})
    organisation.suspended_at = None
    organisation.suspension_reason = ""
    resumed = db.session.scalars(paused_requests(organisation)).all()
    for immersion_request in resumed:
        notifications.request_resumed(immersion_request)
    audit.record(
        actor,
        "organisation.reinstate",
        organisation,
        organisation_id=organisation.id,
        network_id=organisation.network_id,
        requests_resumed=len(resumed),
    )
    db.session.commit()
    return organisation
