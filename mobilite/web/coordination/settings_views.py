"""The network's settings page (coordinator): one form, every error at once, each change audited."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from mobilite import limits
from mobilite.extensions import db
from mobilite.models import DraftStatus, Network, Role, RoundDraft
from mobilite.schemas.base import form_data
from mobilite.schemas.network_settings import CHECKBOXES, NULLABLE, SCHEDULE, NetworkSettingsSchema
from mobilite.security import roles_required
from mobilite.services import network_settings, round_comparison
from mobilite.services.network_settings import Weekday
from mobilite.services.score_words import LABELS as SCORE_LABELS
from mobilite.services.score_words import TERMS
from mobilite.web.coordination import bp, own_network
from mobilite.web.forms import Rejection, submit_form

# Each soft goal in the users' words: what it rewards, as the review page's score breakdown names it.
WEIGHT_WORDS = {
    **SCORE_LABELS,
    "fairness": _l("Équité : chaque organisation voit une part de ses demandes placées"),
    "reciprocity": _l("Réciprocité : les organisations qui accueillent voient aussi partir leurs agents"),
}
# As the review page lists them (what the agent asked for first, the base last), then the network's goals.
WEIGHT_ORDER = tuple(name for name in (*TERMS, "fairness", "reciprocity") if name in limits.DEFAULT_WEIGHTS)
# Who signs the agreement first, second and last: each order as one sentence.
SIGNING_ORDER_WORDS = {
    "agent,home,host": _l("L'agent, puis son employeur d'origine, puis l'organisation d'accueil"),
    "agent,host,home": _l("L'agent, puis l'organisation d'accueil, puis son employeur d'origine"),
    "home,agent,host": _l("L'employeur d'origine, puis l'agent, puis l'organisation d'accueil"),
    "home,host,agent": _l("L'employeur d'origine, puis l'organisation d'accueil, puis l'agent"),
    "host,agent,home": _l("L'organisation d'accueil, puis l'agent, puis son employeur d'origine"),
    "host,home,agent": _l("L'organisation d'accueil, puis l'employeur d'origine, puis l'agent"),
}
WEEKDAYS = {
    Weekday.MON: _l("lundi"),
    Weekday.TUE: _l("mardi"),
    Weekday.WED: _l("mercredi"),
    Weekday.THU: _l("jeudi"),
    Weekday.FRI: _l("vendredi"),
    Weekday.SAT: _l("samedi"),
    Weekday.SUN: _l("dimanche"),
}


def _shown(values: dict[str, Any]) -> dict[str, Any]:
    """The stored settings as the form's inputs show them."""
    shown: dict[str, Any] = {}
    for name, value in values.items():
        if value is None:
            shown[name] = ""
        elif isinstance(value, bool):
            shown[name] = "on" if value else ""
        elif name == "round_time":
            shown[name] = value.strftime("%H:%M")
        elif hasattr(value, "isoformat"):
            shown[name] = value.isoformat()
        elif hasattr(value, "value"):
            shown[name] = value.value
        else:
            shown[name] = str(value)
    return shown


def _preview_of(network: Network) -> RoundDraft | None:
    """The Aperçu asked for (?apercu=<draft>): a draft of this network's rounds only (404 otherwise)."""
    draft_id = request.args.get("apercu", type=int)
    if draft_id is None:
        return None
    draft = db.session.get(RoundDraft, draft_id)
    if draft is None or draft.round.network_id != network.id:
        abort(404)
    return draft


def _page(network: Network, values: dict[str, Any], rejected: Rejection, draft: RoundDraft | None = None):
    return render_template(
        "coordination/settings.html",
        network=network,
        values=values,
        errors=rejected.errors,
        schedule=network_settings.day_and_time(network.match_cron),
        weights=WEIGHT_WORDS,
        weight_names=WEIGHT_ORDER,
        weekdays=WEEKDAYS,
        signing_orders=SIGNING_ORDER_WORDS,
        last_round=network_settings.last_round(network),
        draft=draft,
        comparison=round_comparison.comparison(draft) if draft is not None else None,
        waiting=draft is not None and draft.status in (DraftStatus.QUEUED, DraftStatus.RUNNING),
    ), rejected.status


def _form_data(data: dict[str, Any]) -> dict[str, Any]:
    # An unticked box and an emptied input are sent as nothing: in this form, they mean off and none.
    for name in (*CHECKBOXES, *NULLABLE, *SCHEDULE):
        data.setdefault(name, False if name in CHECKBOXES else None)
    return data


@bp.route("/reglages", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def settings():
    network = own_network()
    schema = NetworkSettingsSchema()
    if request.method == "POST":
        values = form_data(schema, request.form)
        draft = None
    else:
        draft = _preview_of(network)
        stored = network_settings.current(network)
        if draft is not None:  # the form as it was previewed: the draft's matching settings
            stored.update(network_settings.preview_values(draft))
        values = _shown(stored)

    def save(data: dict[str, Any]) -> Network:
        return network_settings.update_settings(current_user._get_current_object(), network, _form_data(data))

    def saved(_network: Network) -> ResponseReturnValue:
        flash(_("Réglages du réseau enregistrés."), "success")
        return redirect(url_for("coordination.settings"))

    if request.method != "POST":
        return _page(network, values, Rejection({}, 200), draft)
    return submit_form(
        schema,
        values,
        save,
        done=saved,
        again=lambda rejected: _page(network, values, rejected),
        also_check=lambda loaded: network_settings.errors_in(network, loaded),
    )


@bp.post("/reglages/apercu")
@roles_required(Role.COORDINATOR)
def preview_settings():
    """Aperçu: the last round solved again with the matching settings typed, by the scheduler; nothing saved."""
    network = own_network()
    schema = NetworkSettingsSchema()
    values = form_data(schema, request.form)

    def asked(draft: RoundDraft) -> ResponseReturnValue:
        flash(_("Aperçu demandé : le planificateur recalcule le dernier tour avec ces réglages."), "success")
        return redirect(url_for("coordination.settings", apercu=draft.id))

    return submit_form(
        schema,
        values,
        lambda data: network_settings.preview(current_user._get_current_object(), network, _form_data(data)),
        done=asked,
        again=lambda rejected: _page(network, values, rejected),
    )
