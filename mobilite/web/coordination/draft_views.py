"""Coordinators try other settings on a round ("Essayer d'autres réglages"), compare, and keep one result.
The draft is solved by the scheduler (services.round_drafts); these pages only ask and read."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from mobilite.authz import Action, require
from mobilite.extensions import db
from mobilite.models import DraftStatus, Role, Round, RoundDraft
from mobilite.schemas.base import form_data
from mobilite.schemas.round_drafts import DraftSettingsSchema
from mobilite.security import roles_required
from mobilite.services import round_comparison, round_drafts
from mobilite.services.errors import ServiceError
from mobilite.web.coordination import bp
from mobilite.web.forms import flash_and_return, flash_errors, submit_form

# The statuses the draft's page refreshes itself for.
WAITING = frozenset({DraftStatus.QUEUED, DraftStatus.RUNNING})


def _draft(draft_id: int) -> RoundDraft:
    """The draft, if its round is one the coordinator manages (404 otherwise, as for the round)."""
    draft = db.session.get(RoundDraft, draft_id)
    if draft is None:
        abort(404)
    require(current_user, Action.MANAGE, draft.round)
    return draft


@bp.post("/tours/<int:round_id>/essais")
@roles_required(Role.COORDINATOR)
def start_draft(round_id: int):
    round_ = require(current_user, Action.MANAGE, db.session.get(Round, round_id))
    back = url_for("coordination.round_page", round_id=round_id, _anchor="essai")

    def done(draft: RoundDraft):
        flash(_("Essai demandé : le planificateur le calcule dans quelques secondes."), "success")
        return redirect(url_for("coordination.draft_page", draft_id=draft.id))

    schema = DraftSettingsSchema()
    return submit_form(
        schema,
        form_data(schema, request.form),
        lambda overrides: round_drafts.start_draft(round_, current_user, overrides),
        done=done,
        again=flash_and_return(back),
    )


@bp.get("/essais/<int:draft_id>")
@roles_required(Role.COORDINATOR)
def draft_page(draft_id: int):
    draft = _draft(draft_id)
    return render_template(
        "coordination/round_draft.html", comparison=round_comparison.comparison(draft), waiting=draft.status in WAITING
    )


def _decide(draft_id: int, keep: bool):
    draft = _draft(draft_id)
    round_id = draft.round_id
    try:
        if keep:
            round_drafts.keep_draft(current_user, draft)
        else:
            round_drafts.discard_draft(current_user, draft)
    except ServiceError as exc:
        flash_errors(exc)
        return redirect(url_for("coordination.draft_page", draft_id=draft_id))
    if keep:
        flash(_("Résultat de l'essai gardé : ses propositions remplacent celles du tour, à examiner."), "success")
    else:
        flash(_("Résultat d'origine gardé : le tour n'a pas changé."), "success")
    return redirect(url_for("coordination.round_page", round_id=round_id))


@bp.post("/essais/<int:draft_id>/garder")
@roles_required(Role.COORDINATOR)
def keep_draft(draft_id: int):
    return _decide(draft_id, keep=True)


@bp.post("/essais/<int:draft_id>/ecarter")
@roles_required(Role.COORDINATOR)
def discard_draft(draft_id: int):
    return _decide(draft_id, keep=False)
