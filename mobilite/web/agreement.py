"""The agreement's pages, shared by the spaces: its panel on the immersion page, the host's form to complete
it, the home HR's check, each party's signature, its PDF, and the coordination's overview. Each space
declares its routes (agents/, rh/ and coordination/agreement_views.py) and calls these with its prefix."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import NotFound

from mobilite.models import AuthMethod, Immersion, SignatureParty
from mobilite.schemas.agreement import AgreementSchema, SignatureSchema
from mobilite.schemas.base import form_data
from mobilite.services import agreement as agreement_service
from mobilite.services import immersions as immersion_service
from mobilite.services.errors import ServiceError
from mobilite.services.oidc import SESSION_ID_TOKEN
from mobilite.web.forms import Rejection, submit_form


def sign_in_method() -> AuthMethod:
    """How this browser session signed in: ProConnect leaves its ID token in the session."""
    return AuthMethod.PROCONNECT if session.get(SESSION_ID_TOKEN) else AuthMethod.PASSWORD


def party_for(immersion: Immersion, space: str) -> SignatureParty | None:
    """The party the user signs for from this space: the agent from theirs, HR for their organisation."""
    parties = agreement_service.parties_of(current_user, immersion)
    if space == "agents":
        return SignatureParty.AGENT if SignatureParty.AGENT in parties else None
    if space == "rh":
        for party in (SignatureParty.HOME, SignatureParty.HOST):
            if party in parties:
                return party
    return None


def panel(immersion: Immersion, space: str) -> dict:
    """What the immersion page shows of the agreement, and what this person may do with it."""
    agreement = agreement_service.of(immersion)
    party = party_for(immersion, space)
    return {
        **agreement_service.status(agreement),
        "agreement": agreement,
        "party": party,
        "may_complete": space == "rh" and agreement_service.may_complete(current_user, immersion),
        "may_check": space == "rh" and agreement_service.may_check(current_user, agreement),
        "may_sign": party is not None and agreement_service.may_sign_as(current_user, agreement, party),
        "state_labels": agreement_service.STATE_LABELS,
        "party_labels": agreement_service.PARTY_LABELS,
        "method_labels": agreement_service.METHOD_LABELS,
        "bearer_labels": agreement_service.BEARER_LABELS,
    }


def complete_form(immersion: Immersion, space: str) -> ResponseReturnValue:
    if not agreement_service.may_complete(current_user, immersion):
        raise NotFound()
    agreement = agreement_service.of(immersion)
    schema = AgreementSchema()
    if request.method == "POST":
        values = form_data(schema, request.form)
    else:
        values = {
            "functions_observed": agreement.functions_observed,
            "objectives": agreement.objectives,
            "daily_hours": agreement.daily_hours,
            "travel_costs_by": agreement.travel_costs_by.value,
            "start_date": immersion.start_date.isoformat(),
            "end_date": immersion.end_date.isoformat(),
        }

    def render(rejected: Rejection) -> ResponseReturnValue:
        return render_template(
            "immersions/agreement_form.html",
            immersion=immersion,
            summary=immersion_service.agreement_summary(immersion),
            agreement=agreement,
            signed=bool(agreement.active_signatures()),
            space=space,
            bearers=list(agreement_service.BEARER_LABELS.items()),
            values=values,
            errors=rejected.errors,
        ), rejected.status

    def done(_result: object) -> ResponseReturnValue:
        flash(_("Convention enregistrée. L'employeur d'origine est invité à la vérifier."), "success")
        return _back(immersion, space)

    if request.method != "POST":
        return render(Rejection({}, 200))
    return submit_form(
        schema,
        values,
        lambda data: agreement_service.complete(current_user, immersion, data),
        done=done,
        again=render,
    )


def _back(immersion: Immersion, space: str) -> ResponseReturnValue:
    return redirect(url_for(f"{space}.immersion", immersion_id=immersion.id) + "#agreement-title")


def check(immersion: Immersion, space: str) -> ResponseReturnValue:
    if SignatureParty.HOME not in agreement_service.parties_of(current_user, immersion):
        raise NotFound()
    try:
        agreement_service.check(current_user, immersion)
    except ServiceError as refused:
        flash(" ".join(str(m) for messages in refused.errors.values() for m in messages), "error")
        return _back(immersion, space)
    flash(_("Convention vérifiée : les parties sont invitées à la signer, dans l'ordre du réseau."), "success")
    return _back(immersion, space)


def sign(immersion: Immersion, space: str) -> ResponseReturnValue:
    party = party_for(immersion, space)
    if party is None:
        raise NotFound()
    schema = SignatureSchema()
    values = form_data(schema, request.form)

    def refused(rejected: Rejection) -> ResponseReturnValue:
        flash(" ".join(m for messages in rejected.errors.values() for m in messages), "error")
        return _back(immersion, space)

    def done(_signature: object) -> ResponseReturnValue:
        flash(_("Votre signature est enregistrée."), "success")
        return _back(immersion, space)

    return submit_form(
        schema,
        values,
        lambda data: agreement_service.sign(
            current_user, immersion, party, data["sha256"], request.remote_addr or "", sign_in_method()
        ),
        done=done,
        again=refused,
    )


def pdf(immersion: Immersion) -> Response:
    if not agreement_service.may_read(current_user, immersion):
        raise NotFound()
    data, filename = agreement_service.download(immersion)
    return Response(
        data, mimetype="application/pdf", headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )
