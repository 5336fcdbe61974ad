"""An organisation's sign-in settings, set by the platform's admin or the network's coordinator: the SIRET
numbers through which ProConnect sign-ins reach it, and whether its members may sign in with a password."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import NotFound

from mobilite.extensions import db
from mobilite.models import Organisation, OrganisationSiret, Role, User
from mobilite.services import audit
from mobilite.services.errors import ServiceError
from mobilite.services.organisations import lock_as_opened


def may_set(user: User, organisation: Organisation) -> bool:
    """The admin, or the coordinator of the organisation's network (not its HR)."""
    return user.has_role(Role.ADMIN) or user.coordinates(organisation.network_id)


def _taken_error(sirets: list[str]) -> ServiceError:
    return ServiceError(
        {
            "sirets": [
                _("« %(siret)s » est déjà le numéro SIRET d'une autre organisation du service.", siret=siret)
                for siret in sirets
            ]
        }
    )


def update_sign_in_settings(
    actor: User, organisation: Organisation, sirets: list[str], password_sign_in: bool, opened_on: str | None = None
) -> Organisation:
    """Replace the organisation's SIRET numbers and set its password policy, all or nothing (commits).
    `opened_on`: the organisation's fingerprint when the form opened; a change saved since (here or on the
    organisation's form, which shares the SIRET numbers) is refused, not overwritten."""
    if not may_set(actor, organisation):
        raise NotFound()
    db.begin_write()
    lock_as_opened(organisation, opened_on)
    taken = db.session.scalars(
        select(OrganisationSiret.siret)
        .where(OrganisationSiret.siret.in_(sirets), OrganisationSiret.organisation_id != organisation.id)
        .order_by(OrganisationSiret.siret)
    ).all()
    if taken:
        db.session.rollback()
        raise _taken_error(list(taken))
    current = {row.siret: row for row in organisation.sirets}
    removed = sorted(set(current) - set(sirets))
    added = [siret for siret in sirets if siret not in current]
    for siret in removed:
        organisation.sirets.remove(current[siret])
    organisation.sirets.extend(OrganisationSiret(siret=siret) for siret in added)
    changed_policy = organisation.password_sign_in != password_sign_in
    organisation.password_sign_in = password_sign_in
    if added or removed or changed_policy:
        audit.record(
            actor,
            "organisation.sign_in_settings",
            organisation,
            organisation_id=organisation.id,
            network_id=organisation.network_id,
            sirets_added=added,
            sirets_removed=removed,
            password_sign_in=password_sign_in,
        )
    try:
        db.session.commit()
    except IntegrityError:  # another organisation took one of these numbers meanwhile
        db.session.rollback()
        raise _taken_error(added) from None
    return organisation
