"""Notifications in the app: the inbox (every e-mailed event, with the same link), its unread count in the
header, marking read, the preferences per category, the one-click unsubscribe (RFC 8058: mail clients POST
without a CSRF token, a browser GET shows a confirmation first), and a tutor's page through the signed
link of their e-mails."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from mobilite.extensions import csrf, db
from mobilite.models import User
from mobilite.schemas.base import form_data
from mobilite.schemas.feedback import FeedbackSchema
from mobilite.schemas.notifications import PreferencesSchema
from mobilite.security import login_required, public
from mobilite.services import inbox as inbox_service
from mobilite.services import tutors
from mobilite.services.errors import ServiceError
from mobilite.web.forms import Rejection, submit_form

bp = Blueprint("notifications", __name__)


def register(app: Flask) -> None:
    app.register_blueprint(bp)

    @app.context_processor
    def unread_notifications() -> dict[str, Any]:
        # Called by the header only when someone is signed in: counted when the user was loaded
        # (security.load_user), else one COUNT on an index. A snapshot of the request's start: a view that
        # changes the reader's own inbox redirects (as open, mark read and mark all read do).
        def unread() -> int:
            if not current_user.is_authenticated:
                return 0
            user_id, counted = g.get("unread_notifications", (None, 0))
            return counted if user_id == current_user.id else inbox_service.unread_count(current_user.id)

        return {"unread_notifications": unread, "unread_cap": inbox_service.UNREAD_CAP}


# --- the inbox ------------------------------------------------------------------------------------------


@bp.get("/notifications")
@login_required
def inbox():
    unread_only = request.args.get("vue") == "non-lues"
    page = inbox_service.items_page(current_user, request.args.get("page", 1, type=int), unread_only)
    return render_template("notifications/inbox.html", page=page, unread_only=unread_only)


@bp.get("/notifications/<int:item_id>")
@login_required
def open_item(item_id: int):
    """Follow a notification to its page; it is read from then on."""
    item = inbox_service.own_item(current_user, item_id) or abort(404)
    return redirect(inbox_service.open_item(current_user, item))


@bp.post("/notifications/<int:item_id>/lue")
@login_required
def mark_read(item_id: int):
    item = inbox_service.own_item(current_user, item_id) or abort(404)
    inbox_service.mark_read(current_user, item)
    return redirect(url_for("notifications.inbox", vue=request.args.get("vue")))


@bp.post("/notifications/tout-lu")
@login_required
def mark_all_read():
    marked = inbox_service.mark_all_read(current_user)
    flash(
        ngettext("%(num)d notification marquée comme lue.", "%(num)d notifications marquées comme lues.", marked)
        if marked
        else _("Aucune notification non lue."),
        "success",
    )
    return redirect(url_for("notifications.inbox"))


# --- preferences ----------------------------------------------------------------------------------------


def _render_preferences(rejected: Rejection | None = None, values: dict | None = None) -> ResponseReturnValue:
    rejected = rejected or Rejection({}, 200)
    return render_template(
        "notifications/preferences.html",
        choices=inbox_service.preferences(current_user),
        values=values or {},
        errors=rejected.errors,
    ), rejected.status


@bp.route("/notifications/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    if request.method != "POST":
        return _render_preferences()
    schema = PreferencesSchema()
    values = form_data(schema, request.form)

    def saved(_choices: object) -> ResponseReturnValue:
        flash(_("Vos préférences sont enregistrées."), "success")
        return redirect(url_for("notifications.preferences"))

    return submit_form(
        schema,
        values,
        lambda data: inbox_service.save_preferences(current_user, data),
        done=saved,
        again=lambda rejected: _render_preferences(rejected, values),
    )


@bp.post("/notifications/adresse/<int:user_id>")
@login_required
def email_works_again(user_id: int):
    """The person, or their HR officer, says the failing address works again."""
    user = db.session.get(User, user_id)
    if user is None or not inbox_service.may_clear_bounce(current_user, user):
        abort(404)
    inbox_service.clear_bounce(current_user, user)
    flash(_("C'est noté : les e-mails sont de nouveau envoyés à %(email)s.", email=user.email), "success")
    if user.id == current_user.id:
        return redirect(url_for("notifications.inbox"))
    return redirect(url_for("rh.account", user_id=user.id))


# --- without signing in ------------------------------------------------------------------------------


@bp.route("/desabonnement/<token>", methods=["GET", "POST"])
@public
@csrf.exempt
def unsubscribe(token: str):
    """GET: what the link turns off, and a button. POST: done (a mail client's one-click POST, RFC 8058)."""
    if request.method == "GET":
        found = inbox_service.read_unsubscribe(token)
        if found is None:
            abort(404)
        return render_template("notifications/unsubscribe.html", found=found, token=token, done=False)
    try:
        found = inbox_service.unsubscribe(token)
    except ServiceError:
        abort(404)
    return render_template("notifications/unsubscribe.html", found=found, token=token, done=True)


@bp.route("/tuteur/<token>", methods=["GET", "POST"])
@public
def tutor(token: str):
    """The tutor's page; its form gives the host's feedback (an expired or foreign link: 404, nothing saved)."""
    immersion = tutors.immersion_for_tutor(token) or abort(404)
    schema = FeedbackSchema()
    values = form_data(schema, request.form) if request.method == "POST" else {}

    def render(rejected: Rejection):
        view = tutors.tutor_view(immersion)
        return render_template(
            "notifications/tutor.html", token=token, values=values, errors=rejected.errors, **view
        ), rejected.status

    def given(_feedback) -> ResponseReturnValue:
        flash(_("Merci : le bilan de votre organisation est enregistré. Votre service RH peut le lire."), "success")
        return redirect(url_for("notifications.tutor", token=token))

    if request.method != "POST":
        return render(Rejection({}, 200))
    return submit_form(
        schema, values, lambda data: tutors.give_host_feedback(immersion, data), done=given, again=render
    )


@bp.get("/tuteur/<token>/immersion.ics")
@public
def tutor_calendar(token: str):
    from mobilite.web.immersions import calendar_download

    immersion = tutors.immersion_for_tutor(token) or abort(404)
    return calendar_download(immersion)
