"""The agent's immersion requests: create, edit, submit, withdraw, and wishes for published offers."""

from __future__ import annotations

from datetime import date
from typing import Any, TypedDict, cast

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from mobilite.authz import Action, can, require
from mobilite.extensions import db
from mobilite.lifecycles import request as request_lifecycle
from mobilite.models import ImmersionRequest, RequestStatus, Role
from mobilite.schemas.confirmations import WithdrawSchema
from mobilite.schemas.requests import (
    MAX_WISHES,
    RequestSchema,
    VersionSchema,
    request_form_values,
)
from mobilite.security import roles_required
from mobilite.services import first_use, line_manager, outlook, rules, wish_checks
from mobilite.services import requests as service
from mobilite.services.errors import ServiceError
from mobilite.services.search import wish_choices
from mobilite.services.taxonomy import themes_with_skills
from mobilite.web.agents import bp
from mobilite.web.forms import (
    FieldErrors,
    Rejection,
    error_text,
    flash_errors,
    hidden_fields,
    is_conflict,
    rejection,
    submit_form,
)


def _own_request(request_id: int) -> ImmersionRequest:
    return require(current_user, Action.MANAGE, db.session.get(ImmersionRequest, request_id))


class WindowRow(TypedDict):
    start: str
    end: str


class RequestValues(TypedDict, total=False):
    """What the request form shows: the stored request, or the person's own input after an error."""

    version: int | str | None
    themes: list[str]
    skills: list[str]
    windows: list[WindowRow]
    min_days: str
    max_days: str
    max_distance_km: str
    motivation: str
    career_project: str
    shorter_notice_agreed: str
    line_manager_id: str
    line_manager_email: str
    wishes: list[str]


def _values_of(immersion_request: ImmersionRequest) -> RequestValues:
    return RequestValues(
        version=immersion_request.version,
        themes=[str(t.id) for t in immersion_request.themes],
        skills=[str(s.id) for s in immersion_request.skills],
        windows=[
            WindowRow(start=w.start_date.isoformat(), end=w.end_date.isoformat()) for w in immersion_request.windows
        ],
        min_days=str(immersion_request.min_days),
        max_days=str(immersion_request.max_days),
        max_distance_km="" if immersion_request.max_distance_km is None else str(immersion_request.max_distance_km),
        motivation=immersion_request.motivation,
        career_project=immersion_request.career_project,
        shorter_notice_agreed="on" if immersion_request.shorter_notice_agreed else "",
        line_manager_id="" if immersion_request.line_manager_id is None else str(immersion_request.line_manager_id),
        line_manager_email=immersion_request.line_manager_email,
        wishes=[str(w.offer_id) for w in immersion_request.wishes],
    )


def _int_ids(values) -> list[int]:
    return [int(v) for v in values if str(v).isdigit()]


def _render_form(
    immersion_request: ImmersionRequest | None,
    values: RequestValues,
    rejected: Rejection | None = None,
    checks: wish_checks.WishChecks | None = None,
):
    """`checks`: the stored wishes' checks, shown beside their selects while the form shows the stored values."""
    rejected = rejected or Rejection({}, 200)
    network = service.network_of(current_user)
    today = date.today()
    return render_template(
        "agents/requests/form.html",
        item=immersion_request,
        values=values,
        errors=rejected.errors,
        conflict=rejected.conflict,
        network=network,
        themes=themes_with_skills(),
        wish_offers=wish_choices(current_user, _int_ids(values.get("wishes", []))),
        max_wishes=MAX_WISHES,
        remaining=rules.remaining_quota(current_user.id, network, today),
        window_rows=max(3, len(values.get("windows", [])) + 1),
        wish_checks=checks.by_offer() if checks is not None else {},
        gaps=first_use.profile_gaps(current_user) if immersion_request is None else None,  # a first request
        managers=line_manager.candidates(current_user),
    ), rejected.status


def _rules_on_what_loaded(immersion_request: ImmersionRequest | None, submit: bool):
    """The legal rules the service checks on submission, run on the fields that loaded while others did
    not: the form then shows a typo and a too short window at once."""

    def check(loaded: dict[str, Any]) -> FieldErrors:
        checked = submit or (immersion_request is not None and immersion_request.status == RequestStatus.SUBMITTED)
        if not checked or not {"min_days", "max_days", "windows"} <= loaded.keys():
            return {}
        return rules.submission_errors(
            current_user.id,
            service.network_of(current_user),
            min_days=loaded["min_days"],
            max_days=loaded["max_days"],
            windows=[(w["start"], w["end"]) for w in loaded["windows"]],
            today=date.today(),
        )

    return check


def _save(immersion_request: ImmersionRequest | None):
    values = cast(RequestValues, request_form_values(request.form))
    submit = request.form.get("action") == "submit"

    def save(data: dict[str, Any]) -> ImmersionRequest:
        if immersion_request is None:
            return service.create_request(current_user, data, submit=submit)
        service.update_request(current_user, immersion_request, data, submit=submit)
        return immersion_request

    def again(rejected: Rejection) -> ResponseReturnValue:
        if rejected.conflict is not None:
            values["version"] = getattr(rejected.conflict, "current_version", None)  # saving again overwrites
        return _render_form(immersion_request, values, rejected)

    def saved(saved_request: ImmersionRequest) -> ResponseReturnValue:
        if submit:
            flash(
                _(
                    "Votre demande est transmise à votre employeur, qui vous répondra sous %(n)d jours.",
                    n=service.network_of(saved_request).answer_deadline_days,
                ),
                "success",
            )
        elif saved_request.status == RequestStatus.SUBMITTED:
            flash(_("Vos modifications sont enregistrées."), "success")
        else:
            flash(_("Brouillon enregistré. Soumettez-le quand il est prêt."), "success")
        return redirect(url_for("agents.request_detail", request_id=saved_request.id))

    return submit_form(
        RequestSchema(),
        dict(values),
        save,
        done=saved,
        again=again,
        shows_conflicts=True,
        also_check=_rules_on_what_loaded(immersion_request, submit),
    )


@bp.route("/demandes/nouvelle", methods=["GET", "POST"])
@roles_required(Role.AGENT)
def new_request():
    gaps = first_use.profile_gaps(current_user)
    if gaps["blocking"]:  # nowhere to measure distances from: the profile first (the service refuses it too)
        errors = {"_schema": [_(first_use.NO_WORK_PLACE)]} if request.method == "POST" else {}
        return render_template("agents/requests/profile_first.html", gaps=gaps, errors=errors), (400 if errors else 200)
    if request.method == "POST":
        return _save(None)
    network = service.network_of(current_user)
    values = RequestValues(
        min_days=str(network.min_days),
        max_days=str(min(5, network.max_days)),
        windows=[],
        themes=[str(t.id) for t in current_user.interests],
    )
    offer_id = request.args.get("offre", type=int)
    if offer_id is not None and wish_choices(current_user, [offer_id]):
        values["wishes"] = [str(offer_id)]
    return _render_form(None, values)


@bp.get("/demandes/<int:request_id>")
@roles_required(Role.AGENT)
def request_detail(request_id: int):
    immersion_request = _own_request(request_id)
    network = service.network_of(immersion_request)
    return render_template(
        "agents/requests/show.html",
        item=immersion_request,
        can_edit=can(current_user, Action.EDIT, immersion_request),
        can_withdraw=immersion_request.status in request_lifecycle.WITHDRAWABLE,
        deadline=service.answer_deadline(immersion_request),
        overdue=service.is_overdue(immersion_request),
        remaining=rules.remaining_quota(current_user.id, network, date.today()),
        network=network,
        outlook=outlook.texts_for([immersion_request]).get(immersion_request.id),  # after a published round
        opinion=line_manager.state(immersion_request),
        wish_checks=(
            wish_checks.check_wishes(immersion_request)
            if immersion_request.status in wish_checks.CHECKED_STATUSES
            else None
        ),
    )


@bp.route("/demandes/<int:request_id>/modifier", methods=["GET", "POST"])
@roles_required(Role.AGENT)
def edit_request(request_id: int):
    immersion_request = _own_request(request_id)
    if not can(current_user, Action.EDIT, immersion_request):
        flash(_("Cette demande a déjà reçu une réponse : elle ne se modifie plus."), "error")
        return redirect(url_for("agents.request_detail", request_id=immersion_request.id))
    if request.method == "POST":
        return _save(immersion_request)
    return _render_form(
        immersion_request, _values_of(immersion_request), checks=wish_checks.check_wishes(immersion_request)
    )


def _version_form() -> dict[str, Any]:
    return hidden_fields(VersionSchema(), request.form)


@bp.post("/demandes/<int:request_id>/soumettre")
@roles_required(Role.AGENT)
def submit_request(request_id: int):
    immersion_request = _own_request(request_id)
    try:
        service.submit_request(current_user, immersion_request, _version_form()["version"])
    except ServiceError as exc:
        if is_conflict(exc):
            flash(error_text(exc) + " " + _("Relisez-la avant de la soumettre."), "error")
            return redirect(url_for("agents.request_detail", request_id=immersion_request.id))
        if not can(current_user, Action.EDIT, immersion_request):
            flash_errors(exc)
            return redirect(url_for("agents.request_detail", request_id=immersion_request.id))
        # A legal rule does not hold: the form shows each reason next to its field.
        return _render_form(immersion_request, _values_of(immersion_request), rejection(exc))
    flash(
        _(
            "Votre demande est transmise à votre employeur, qui vous répondra sous %(n)d jours.",
            n=service.network_of(immersion_request).answer_deadline_days,
        ),
        "success",
    )
    return redirect(url_for("agents.request_detail", request_id=immersion_request.id))


@bp.route("/demandes/<int:request_id>/retirer", methods=["GET", "POST"])
@roles_required(Role.AGENT)
def withdraw_request(request_id: int):
    """A withdrawal is final: it takes effect only from its confirmation page's button."""
    immersion_request = _own_request(request_id)
    if immersion_request.status not in request_lifecycle.WITHDRAWABLE:
        flash(_("Cette demande ne peut plus être retirée."), "error")
        return redirect(url_for("agents.request_detail", request_id=immersion_request.id))
    values = hidden_fields(WithdrawSchema(), request.form) if request.method == "POST" else {}
    if not values.get("confirm"):
        errors = {"confirm": [_("Confirmez le retrait avec le bouton ci-dessous.")]} if request.method == "POST" else {}
        return render_template("agents/requests/withdraw.html", item=immersion_request, errors=errors), (
            400 if errors else 200
        )
    try:
        service.withdraw_request(current_user, immersion_request, values["version"])
    except ServiceError as exc:
        flash_errors(exc)
    else:
        flash(_("Votre demande est retirée."), "success")
    return redirect(url_for("agents.request_detail", request_id=immersion_request.id))


@bp.post("/demandes/<int:request_id>/voeux")
@roles_required(Role.AGENT)
def add_wish(request_id: int):
    immersion_request = _own_request(request_id)
    values = _version_form()
    offer_id = values.get("offer_id")
    try:
        if offer_id is None:
            raise ServiceError({"offer_id": [_("Offre inconnue.")]})
        wish = service.add_wish(current_user, immersion_request, offer_id, values["version"])
    except ServiceError as exc:
        flash_errors(exc)
        if offer_id is not None:
            return redirect(url_for("agents.offer_detail", offer_id=offer_id))
        return redirect(url_for("agents.request_detail", request_id=immersion_request.id))
    flash(
        _(
            "Offre ajoutée à vos vœux, au rang %(rank)d. Vous pouvez changer l'ordre en modifiant la demande.",
            rank=wish.rank,
        ),
        "success",
    )
    return redirect(url_for("agents.request_detail", request_id=immersion_request.id))
