"""An organisation's sites, and the site an offer happens at.

A site's postcode, city and coordinates come from the communes gazetteer, found from what was typed (a name,
a postcode, or "Name (postcode)" as the suggestions write it): nobody types coordinates. A site used by an
offer is archived rather than deleted, so the offer keeps its place; an archived site is offered to no new
offer.
"""

from __future__ import annotations

import hashlib

from flask_babel import gettext as _
from sqlalchemy import exists, select

from mobilite.extensions import db
from mobilite.models import Offer, Organisation, Site, User, utcnow
from mobilite.services import audit, communes
from mobilite.services.concurrency import refuse_if_changed
from mobilite.services.errors import ServiceError
from mobilite.services.profile import find_work_place

FIELDS = ("name", "address", "accessibility")
NEW_SITE_INPUTS = ("new_site_name", "new_site_address", "new_site_commune", "new_site_accessibility")


def organisation_sites(organisation_id: int, *, active_only: bool = False) -> list[Site]:
    """The organisation's sites by name, the archived ones last."""
    query = select(Site).where(Site.organisation_id == organisation_id)
    if active_only:
        query = query.where(Site.archived_at.is_(None))
    return list(db.session.scalars(query.order_by(Site.archived_at.is_not(None), Site.name, Site.id)))


def offer_site_choices(organisation_id: int, offer: Offer | None) -> list[Site]:
    """The sites an offer's form offers: the organisation's active ones, and the offer's own if archived."""
    choices = organisation_sites(organisation_id, active_only=True)
    if offer is not None and offer.site is not None and offer.site.archived_at is not None:
        choices.append(offer.site)
    return choices


def sites_in_use(organisation_id: int) -> set[int]:
    """The ids of the organisation's sites that some offer names."""
    return set(
        db.session.scalars(
            select(Offer.site_id).where(Offer.organisation_id == organisation_id, Offer.site_id.is_not(None)).distinct()
        )
    )


def commune_label(site: Site) -> str:
    """The commune as the form's input shows it, and takes it back: « Lyon (69003) »."""
    commune = communes.by_code(site.commune_code)
    return commune.label(site.postcode) if commune is not None else f"{site.city} ({site.postcode})"


def _locate(text: str, field: str):
    """The gazetteer's commune `text` names, or an error on `field` saying why none could be chosen."""
    try:
        return find_work_place(text)
    except ServiceError as exc:
        raise ServiceError({field: exc.errors["work_place"]}) from exc


def _apply(site: Site, data: dict, prefix: str = "") -> None:
    found = _locate(data["commune"], f"{prefix}commune")
    for name in FIELDS:
        if name in data:
            setattr(site, name, data[name])
    site.commune_code, site.postcode = found.commune.code, found.postcode
    site.city, site.latitude, site.longitude = found.commune.name, found.commune.latitude, found.commune.longitude


def new_site(organisation: Organisation, data: dict, prefix: str = "") -> Site:
    """A site of `organisation` located in the gazetteer, not yet added to the session."""
    site = Site(organisation=organisation, organisation_id=organisation.id)
    _apply(site, data, prefix)
    return site


def build_site(actor: User, organisation: Organisation, data: dict, prefix: str = "") -> Site:
    """Add a site of `organisation` to the unit of work, without committing (errors on `prefix` + field)."""
    site = new_site(organisation, data, prefix)
    db.session.add(site)
    db.session.flush()
    audit.record(actor, "site.create", site, organisation_id=organisation.id, network_id=organisation.network_id)
    return site


def create_site(actor: User, organisation: Organisation, data: dict) -> Site:
    site = build_site(actor, organisation, data)
    db.session.commit()
    return site


def fingerprint(site: Site) -> str:
    """The site as an edit form opened it: every saved change (edit, archive, restore) moves it."""
    return hashlib.sha256(f"{site.id}:{site.updated_at.isoformat()}".encode()).hexdigest()[:24]


def update_site(actor: User, site: Site, data: dict, opened_on: str | None = None) -> Site:
    """Change a site; the offers at it follow (their place is the site's). `opened_on`: the fingerprint the
    form was opened with; another manager's change saved since is refused, not overwritten (the API's
    If-Match does the same before the call)."""
    if opened_on is not None:
        db.begin_write()
        refuse_if_changed(
            site,
            opened_on,
            fingerprint,
            _("Ce site a été modifié entre-temps par quelqu'un d'autre : rechargez la page pour voir sa version."),
        )
    _apply(site, data)
    audit.record(
        actor, "site.update", site, organisation_id=site.organisation_id, network_id=site.organisation.network_id
    )
    db.session.commit()
    return site


def archive_site(actor: User, site: Site) -> Site:
    """Offered to no new offer; the offers at it keep it as their place."""
    if site.archived_at is not None:
        raise ServiceError({"_schema": [_("Ce site est déjà archivé.")]})
    site.archived_at = utcnow()
    audit.record(
        actor, "site.archive", site, organisation_id=site.organisation_id, network_id=site.organisation.network_id
    )
    db.session.commit()
    return site


def restore_site(actor: User, site: Site) -> Site:
    if site.archived_at is None:
        raise ServiceError({"_schema": [_("Ce site n'est pas archivé.")]})
    site.archived_at = None
    audit.record(
        actor, "site.restore", site, organisation_id=site.organisation_id, network_id=site.organisation.network_id
    )
    db.session.commit()
    return site


def is_in_use(site: Site) -> bool:
    return bool(db.session.scalar(select(exists().where(Offer.site_id == site.id))))


def offer_site(organisation_id: int, site_id: int | None, current_site_id: int | None = None) -> Site | None:
    """The site an offer of `organisation_id` may name: one of its organisation's, active (or the one it
    already names, archived since); None for the organisation's own address. Else an error on site_id."""
    if site_id is None:
        return None
    site = db.session.get(Site, site_id)
    if site is None or site.organisation_id != organisation_id:
        raise ServiceError({"site_id": [_("Ce site n'est pas un site de votre organisation.")]})
    if site.archived_at is not None and site.id != current_site_id:
        raise ServiceError({"site_id": [_("Ce site est archivé : choisissez un site actif ou une autre adresse.")]})
    return site
