"""An organisation's sites, for its HR officers, its network's coordinators and the admin: list, add, edit,
archive and restore. The commune is chosen with the gazetteer's autocomplete, as an agent's work place is."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from mobilite.authz import Action, require
from mobilite.extensions import db
from mobilite.models import Organisation, Role, Site
from mobilite.schemas.base import form_data
from mobilite.schemas.sites import SiteSchema
from mobilite.security import roles_required
from mobilite.services import sites as site_service
from mobilite.services.errors import ServiceError
from mobilite.web.forms import Rejection, flash_errors, submit_form

bp = Blueprint("sites", __name__)

MANAGERS = (Role.RH, Role.COORDINATOR, Role.ADMIN)


def _organisation(organisation_id: int) -> Organisation:
    return require(current_user, Action.MANAGE, db.session.get(Organisation, organisation_id))


def _site(site_id: int) -> Site:
    return require(current_user, Action.MANAGE, db.session.get(Site, site_id))


@bp.get("/organisations/<int:organisation_id>/sites")
@roles_required(*MANAGERS)
def organisation_sites(organisation_id: int) -> ResponseReturnValue:
    organisation = _organisation(organisation_id)
    return render_template(
        "sites/list.html",
        organisation=organisation,
        sites=site_service.organisation_sites(organisation.id),
        in_use=site_service.sites_in_use(organisation.id),
    )


def _form(
    organisation: Organisation, site: Site | None, values: dict[str, Any], save, opened_on: str | None = None
) -> ResponseReturnValue:
    def render(rejected: Rejection) -> ResponseReturnValue:
        return render_template(
            "sites/form.html",
            organisation=organisation,
            site=site,
            values=values,
            opened_on=opened_on,
            errors=rejected.errors,
        ), rejected.status

    def saved(result: Site) -> ResponseReturnValue:
        flash(_("Site « %(name)s » enregistré.", name=result.name), "success")
        return redirect(url_for("sites.organisation_sites", organisation_id=organisation.id))

    if request.method != "POST":
        return render(Rejection({}, 200))
    # A change saved by someone else since the form opened: the form again, with what was typed and why.
    return submit_form(SiteSchema(), values, save, done=saved, again=render, shows_conflicts=True)


@bp.route("/organisations/<int:organisation_id>/sites/nouveau", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def new_site(organisation_id: int) -> ResponseReturnValue:
    organisation = _organisation(organisation_id)
    values = form_data(SiteSchema(), request.form) if request.method == "POST" else {}
    return _form(organisation, None, values, lambda data: site_service.create_site(current_user, organisation, data))


@bp.route("/sites/<int:site_id>/modifier", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit_site(site_id: int) -> ResponseReturnValue:
    site = _site(site_id)
    # The version the form was opened on travels with it: a change saved since by someone else is refused.
    opened_on = request.form.get("opened_on") or None if request.method == "POST" else site_service.fingerprint(site)
    if request.method == "POST":
        values = form_data(SiteSchema(), request.form)
    else:
        values = {
            "name": site.name,
            "address": site.address,
            "commune": site_service.commune_label(site),
            "accessibility": site.accessibility,
        }
    return _form(
        site.organisation,
        site,
        values,
        lambda data: site_service.update_site(current_user, site, data, opened_on),
        opened_on,
    )


def _change(site_id: int, change, message: str) -> ResponseReturnValue:
    site = _site(site_id)
    try:
        change(current_user, site)
    except ServiceError as error:
        flash_errors(error)
    else:
        flash(message % {"name": site.name}, "success")
    return redirect(url_for("sites.organisation_sites", organisation_id=site.organisation_id))


@bp.post("/sites/<int:site_id>/archiver")
@roles_required(*MANAGERS)
def archive_site(site_id: int) -> ResponseReturnValue:
    return _change(
        site_id,
        site_service.archive_site,
        _("Site « %(name)s » archivé : les offres qui s'y déroulent le gardent, les nouvelles ne le proposent plus."),
    )


@bp.post("/sites/<int:site_id>/restaurer")
@roles_required(*MANAGERS)
def restore_site(site_id: int) -> ResponseReturnValue:
    return _change(site_id, site_service.restore_site, _("Site « %(name)s » de nouveau proposé aux offres."))
