"""The coordination's view of the agreements: where each stands, a reminder, the PDF."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import ngettext
from flask_login import current_user

from mobilite.authz import Action
from mobilite.models import Role
from mobilite.security import roles_required
from mobilite.services import agreement as agreement_service
from mobilite.services import agreement_follow_up
from mobilite.services.errors import ServiceError
from mobilite.web import agreement as shared
from mobilite.web.coordination import bp, own_network
from mobilite.web.immersions import immersion_or_404


@bp.get("/conventions")
@roles_required(Role.COORDINATOR)
def agreements():
    network = own_network()
    return render_template(
        "coordination/agreements.html",
        network=network,
        rows=agreement_follow_up.overview(network.id),
        party_labels=agreement_service.PARTY_LABELS,
    )


@bp.get("/immersions/<int:immersion_id>/convention.pdf")
@roles_required(Role.COORDINATOR)
def agreement_pdf(immersion_id: int):
    return shared.pdf(immersion_or_404(immersion_id, Action.VIEW))


@bp.post("/immersions/<int:immersion_id>/convention/relance")
@roles_required(Role.COORDINATOR)
def agreement_remind(immersion_id: int):
    immersion = immersion_or_404(immersion_id, Action.VIEW)
    try:
        reminded = agreement_follow_up.remind(current_user, immersion)
    except ServiceError as refused:
        flash(" ".join(str(m) for messages in refused.errors.values() for m in messages), "error")
    else:
        flash(ngettext("%(num)d personne relancée.", "%(num)d personnes relancées.", len(reminded)), "success")
    return redirect(url_for("coordination.agreements"))
