"""A network's organisations, as its coordination runs them and the admin runs any network's: the list,
the form to add or edit one, its suspension and the lifting of it. The same pages in both spaces."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from mobilite.extensions import db
from mobilite.models import Network, Organisation, OrganisationKind, Role
from mobilite.schemas.base import form_data
from mobilite.schemas.organisations import OrganisationSchema, SuspensionSchema
from mobilite.security import roles_required
from mobilite.services import organisations as service
from mobilite.services.errors import ServiceError
from mobilite.web.forms import Rejection, flash_errors, submit_form


def administered(organisation_id: int) -> Organisation:
    """The organisation, when the signed-in user runs its network; 404 otherwise, as if it did not exist."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not service.may_administer(current_user, organisation):
        abort(404)
    return organisation


def list_page(network: Network, space: str) -> ResponseReturnValue:
    organisations = db.session.scalars(service.network_organisations(network.id)).all()
    return render_template("organisations/list.html", network=network, organisations=organisations, space=space)


def form_page(space: str, network: Network, organisation: Organisation | None, back_url: str) -> ResponseReturnValue:
    """GET shows the form (empty, or the organisation's); POST saves it all or shows every error at once."""
    schema = OrganisationSchema()
    # The version an edit form was opened on travels with it: a change saved since by someone else is refused.
    opened_on = None
    if organisation is not None and request.method == "POST":
        opened_on = request.form.get("opened_on") or None
    elif organisation is not None:
        opened_on = service.fingerprint(organisation)
    if request.method == "POST":
        values = form_data(schema, request.form)
    elif organisation is not None:
        values = {
            "name": organisation.name,
            "kind": organisation.kind.value,
            "sirets": "\n".join(row.siret for row in organisation.sirets),
            "address": organisation.address,
            "commune": service.commune_label(organisation),
            "accessibility_notes": organisation.accessibility_notes,
        }
    else:
        values = {}

    def render(rejected: Rejection) -> ResponseReturnValue:
        return render_template(
            "organisations/form.html",
            network=network,
            organisation=organisation,
            kinds=list(OrganisationKind),
            errors=rejected.errors,
            values=values,
            opened_on=opened_on,
            back_url=back_url,
            space=space,
        ), rejected.status

    def save(data: dict[str, Any]) -> Organisation:
        if organisation is None:
            return service.create_organisation(current_user, network, data)
        return service.update_organisation(current_user, organisation, data, opened_on)

    def saved(result: Organisation) -> ResponseReturnValue:
        if organisation is None:
            flash(_("Organisation %(name)s ajoutée au réseau.", name=result.name), "success")
        else:
            flash(_("Organisation %(name)s enregistrée.", name=result.name), "success")
        return redirect(back_url)

    if request.method != "POST":
        return render(Rejection({}, 200))
    return submit_form(
        schema,
        values,
        save,
        done=saved,
        again=render,
        also_check=lambda data: service.checked(network.id, data, organisation)[0],
        shows_conflicts=True,  # the form again, with what was typed and why
    )


def suspension_page(organisation: Organisation, space: str, back_url: str) -> ResponseReturnValue:
    """The organisation's state; GET shows the form to suspend it (or to lift its suspension), POST suspends."""
    schema = SuspensionSchema()
    values = form_data(schema, request.form) if request.method == "POST" else {}

    def render(rejected: Rejection) -> ResponseReturnValue:
        paused = db.session.scalars(service.paused_requests(organisation)).all()
        return render_template(
            "organisations/suspension.html",
            organisation=organisation,
            paused=len(paused),
            errors=rejected.errors,
            values=values,
            back_url=back_url,
            space=space,
        ), rejected.status

    def suspended(result: Organisation) -> ResponseReturnValue:
        flash(_("%(name)s est suspendue.", name=result.name), "success")
        return redirect(url_for(f"{space}.organisation_suspension", organisation_id=result.id))

    if request.method != "POST":
        return render(Rejection({}, 200))
    return submit_form(
        schema,
        values,
        lambda data: service.suspend(current_user, organisation, data["reason"]),
        done=suspended,
        again=render,
    )


def reinstate_action(organisation: Organisation, space: str) -> ResponseReturnValue:
    try:
        service.reinstate(current_user, organisation)
    except ServiceError as error:
        flash_errors(error)
    else:
        flash(_("La suspension de %(name)s est levée.", name=organisation.name), "success")
    return redirect(url_for(f"{space}.organisation_suspension", organisation_id=organisation.id))


def register_organisation_routes(bp: Blueprint, role: Role, space: str, back: Callable[[Organisation], str]) -> None:
    """Editing, suspending and reinstating one organisation, in one space (coordination or admin); `back`
    is the page each form goes back to."""

    @bp.route("/organisations/<int:organisation_id>/modifier", methods=["GET", "POST"], endpoint="edit_organisation")
    @roles_required(role)
    def edit(organisation_id: int):
        organisation = administered(organisation_id)
        return form_page(space, organisation.network, organisation, back(organisation))

    @bp.route(
        "/organisations/<int:organisation_id>/suspension", methods=["GET", "POST"], endpoint="organisation_suspension"
    )
    @roles_required(role)
    def suspension(organisation_id: int):
        organisation = administered(organisation_id)
        return suspension_page(organisation, space, back(organisation))

    @bp.post("/organisations/<int:organisation_id>/reprise", endpoint="reinstate_organisation")
    @roles_required(role)
    def reinstate(organisation_id: int):
        return reinstate_action(administered(organisation_id), space)
