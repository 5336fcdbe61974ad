"""The line manager's opinion on an immersion request: signed in (an account of the agent's organisation),
or through the one-time link e-mailed to the address the agent gave."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from mobilite.authz import Action, require
from mobilite.extensions import db
from mobilite.models import ImmersionRequest
from mobilite.schemas.base import form_data
from mobilite.schemas.requests import OpinionSchema
from mobilite.security import login_required, public
from mobilite.services import line_manager
from mobilite.web.forms import Rejection, submit_form

bp = Blueprint("opinions", __name__, url_prefix="/avis")


def _render(item: ImmersionRequest, values: dict[str, Any], rejected: Rejection | None = None):
    rejected = rejected or Rejection({}, 200)
    return render_template(
        "opinions/form.html",
        item=item,
        values=values,
        errors=rejected.errors,
        deadline=line_manager.opinion_deadline(item),
    ), rejected.status


def _form(item: ImmersionRequest, actor, done) -> ResponseReturnValue:
    """GET shows the request and the form; POST saves the opinion once."""
    if request.method == "GET":
        return _render(item, {"version": item.version})
    schema = OpinionSchema()
    values = form_data(schema, request.form)

    def save(data: dict[str, Any]) -> ImmersionRequest:
        return line_manager.give_opinion(item, data["opinion"], data["reason"], actor=actor, version=data["version"])

    return submit_form(
        schema, values, save, done=done, again=lambda rejected: _render(item, values, rejected), shows_conflicts=False
    )


@bp.get("/")
@login_required
def waiting():
    """The requests of the organisation's agents that wait for the signed-in person's opinion."""
    rows = [
        (item, line_manager.opinion_deadline(item), line_manager.is_overdue(item))
        for item in line_manager.requests_to_give(current_user)
    ]
    return render_template("opinions/list.html", rows=rows)


@bp.route("/<int:request_id>", methods=["GET", "POST"])
@login_required
def give(request_id: int):
    item = require(current_user, Action.OPINE, db.session.get(ImmersionRequest, request_id))

    def done(_saved: ImmersionRequest) -> ResponseReturnValue:
        flash(_("Votre avis est enregistré et transmis au service RH."), "success")
        return redirect(url_for("opinions.give", request_id=item.id))

    return _form(item, current_user, done)


@bp.route("/lien/<token>", methods=["GET", "POST"])
@public
def by_link(token: str):
    """Without an account: the link works once (then it says so), an altered or expired one never."""
    try:
        item = line_manager.read_link(token)
    except line_manager.LinkError as exc:
        return render_template("opinions/link_error.html", message=str(exc)), exc.status

    def done(saved: ImmersionRequest) -> ResponseReturnValue:
        return render_template("opinions/done.html", item=saved)

    return _form(item, None, done)
