"""What changes a confirmed immersion after its confirmation, shared by the spaces: calling it off before
its first day (every party and the coordination), the agent's expected travel and certificate, HR's
monthly CSV of mission expenses. Each space declares its routes and calls these with its URL prefix."""

from __future__ import annotations

from datetime import date

from flask import Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import NotFound

from mobilite.models import Immersion, TravelMode
from mobilite.schemas.base import form_data
from mobilite.schemas.cancellation import CallOffFormSchema, TravelSchema
from mobilite.services import cancellation, career, mission_expenses
from mobilite.services import certificate as certificate_service
from mobilite.services import immersions as immersion_service
from mobilite.services.errors import ServiceError
from mobilite.web.forms import Rejection, submit_form

TRAVEL_MODE_LABELS = {
    TravelMode.CAR: _l("Voiture personnelle"),
    TravelMode.PUBLIC_TRANSPORT: _l("Transports en commun (train, car, bus)"),
    TravelMode.ACTIVE: _l("À pied ou à vélo"),
}


def call_off_form(immersion: Immersion, space: str) -> ResponseReturnValue:
    if cancellation.party_of(current_user, immersion) is None:
        raise NotFound()
    schema = CallOffFormSchema()
    values = form_data(schema, request.form) if request.method == "POST" else {}

    def render(rejected: Rejection) -> ResponseReturnValue:
        return render_template(
            "immersions/call_off.html",
            immersion=immersion,
            summary=immersion_service.agreement_summary(immersion),
            space=space,
            open=cancellation.may_call_off(immersion),
            values=values,
            errors=rejected.errors,
        ), rejected.status

    def done(_result: object) -> ResponseReturnValue:
        flash(_("Immersion annulée. Les autres parties en sont informées, avec votre motif."), "success")
        return redirect(url_for(f"{space}.immersion", immersion_id=immersion.id))

    if request.method != "POST":
        return render(Rejection({}, 200))
    return submit_form(
        schema,
        values,
        lambda data: cancellation.call_off(current_user, immersion, data["reason"]),
        done=done,
        again=render,
    )


def travel_form(immersion: Immersion, space: str) -> ResponseReturnValue:
    existing = mission_expenses.travel_of(immersion)
    schema = TravelSchema()
    if request.method == "POST":
        values = form_data(schema, request.form)
    elif existing is not None:
        values = {
            "mode": existing.mode.value,
            "distance_km": str(existing.distance_km),
            "trips": str(existing.trips),
            "fare": mission_expenses.euros(existing.fare_cents),
        }
    else:
        values = {"trips": str(immersion.working_days)}
    network = mission_expenses.network_of(immersion)

    def render(rejected: Rejection) -> ResponseReturnValue:
        return render_template(
            "immersions/travel.html",
            immersion=immersion,
            summary=immersion_service.agreement_summary(immersion),
            space=space,
            existing=existing,
            open=mission_expenses.may_record(immersion),
            rate=mission_expenses.euros(network.mileage_rate_cents),
            euros=mission_expenses.euros,
            modes=[(m.value, TRAVEL_MODE_LABELS[m]) for m in TravelMode],
            values=values,
            errors=rejected.errors,
        ), rejected.status

    def done(record) -> ResponseReturnValue:
        flash(
            _(
                "Déplacements enregistrés : %(amount)s euros estimés.",
                amount=mission_expenses.euros(record.amount_cents),
            ),
            "success",
        )
        return redirect(url_for(f"{space}.immersion", immersion_id=immersion.id))

    if request.method != "POST":
        return render(Rejection({}, 200))
    return submit_form(
        schema,
        values,
        lambda data: mission_expenses.record_travel(current_user, immersion, data),
        done=done,
        again=render,
    )


def certificate_download(immersion: Immersion, space: str) -> ResponseReturnValue:
    try:
        data = certificate_service.certificate_data(immersion)
    except ServiceError as refused:
        flash(str(refused.errors["_schema"][0]), "error")
        return redirect(url_for(f"{space}.immersion", immersion_id=immersion.id))
    return Response(
        certificate_service.certificate_pdf(data),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="attestation-immersion-{data["reference"]}.pdf"'},
    )


def month_of(text: str | None) -> tuple[int, int] | None:
    """ "2026-11" → (2026, 11); None when it is not a month."""
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        return (year, month) if 2000 <= year <= 2100 and 1 <= month <= 12 else None
    except ValueError:
        return None


def expenses_export(organisation_id: int, slug: str) -> ResponseReturnValue:
    """The month's CSV (?mois=2026-11), or the page to choose the month, with the error when it is not one."""
    asked = request.args.get("mois")
    month = month_of(asked)
    if month is not None:
        year, number = month
        return Response(
            mission_expenses.month_csv(organisation_id, year, number),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="frais-de-mission-{slug}-{year}-{number:02d}.csv"'},
        )
    errors = {"mois": [_("Choisissez un mois, par exemple %(m)s.", m=date.today().strftime("%Y-%m"))]} if asked else {}
    return render_template(
        "immersions/expenses_export.html", errors=errors, values={"mois": date.today().strftime("%Y-%m")}
    ), 422 if asked else 200


def panel(immersion: Immersion, space: str) -> dict:
    """What the immersion page shows of these: who may call it off, the travel, the certificate."""
    is_agent = immersion.agent_id == current_user.id and space == "agents"
    return {
        "may_call_off": cancellation.party_of(current_user, immersion) is not None
        and cancellation.may_call_off(immersion),
        "travel": mission_expenses.travel_of(immersion),
        "may_record_travel": is_agent and mission_expenses.may_record(immersion),
        "certificate_refusal": certificate_service.refusal(immersion) if is_agent else None,
        "in_career": is_agent and career.entry_for(immersion) is not None,
        "is_agent": is_agent,
        "euros": mission_expenses.euros,
        "travel_mode_labels": TRAVEL_MODE_LABELS,
    }
