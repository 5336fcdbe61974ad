"""A published round, explained afterwards: a page any coordinator of its network reads and prints, and
the same as a PDF."""

from __future__ import annotations

from flask import Response, abort, render_template
from flask_login import current_user

from mobilite.authz import Action, require
from mobilite.extensions import db
from mobilite.models import Role, Round, RoundStatus
from mobilite.security import roles_required
from mobilite.services import dashboard, round_report, round_report_pdf
from mobilite.web.coordination import bp


def _published_round(round_id: int) -> Round:
    """A round of the coordinator's network, once published (another network's: 404, as if it did not exist)."""
    round_ = require(current_user, Action.MANAGE, db.session.get(Round, round_id))
    if round_.status != RoundStatus.PUBLISHED:
        abort(404)
    return round_


@bp.get("/tours/<int:round_id>/compte-rendu")
@roles_required(Role.COORDINATOR)
def round_report_page(round_id: int):
    report = round_report.report(_published_round(round_id))
    texts = round_report.sentences(report, dashboard.percent_pattern())
    return render_template(
        "coordination/round_report.html", report=report, texts=texts, percent=dashboard.percent_pattern()
    )


@bp.get("/tours/<int:round_id>/compte-rendu.pdf")
@roles_required(Role.COORDINATOR)
def round_report_download(round_id: int):
    round_ = _published_round(round_id)
    pdf = round_report_pdf.render(round_report.report(round_), dashboard.percent_pattern())
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="compte-rendu-tour-{round_.week_start.isoformat()}.pdf"'
        },
    )
