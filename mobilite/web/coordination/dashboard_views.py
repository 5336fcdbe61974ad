"""The network's dashboard: charts with the same figures in tables, and a CSV export."""

from __future__ import annotations

from flask import Response, render_template
from flask_babel import gettext as _

from mobilite.models import Network, Role
from mobilite.security import roles_required
from mobilite.services import dashboard
from mobilite.web.coordination import bp, own_network

# The SVG is shown through <img>: no script in it, and its inline styles are its own.
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"


def _board() -> tuple[Network, dashboard.Dashboard]:
    network = own_network()
    return network, dashboard.build(network)


def _svg(content: str) -> Response:
    return Response(content, mimetype="image/svg+xml", headers={"Content-Security-Policy": SVG_CSP})


@bp.get("/tableau-de-bord")
@roles_required(Role.COORDINATOR)
def dashboard_page():
    network, board = _board()
    return render_template("coordination/dashboard.html", network=network, board=board)


@bp.get("/tableau-de-bord/echanges.svg")
@roles_required(Role.COORDINATOR)
def exchanges_chart():
    _network, board = _board()
    return _svg(dashboard.exchanges_svg(board, _("Immersions par organisation d'origine et d'accueil")))


@bp.get("/tableau-de-bord/evolution.svg")
@roles_required(Role.COORDINATOR)
def timeline_chart():
    _network, board = _board()
    return _svg(
        dashboard.timeline_svg(
            board,
            {
                "title": _("Évolution du réseau"),
                "rate": _("Taux de placement des tours (%)"),
                "days": _("Jours d'immersion par mois"),
                "satisfaction": _("Satisfaction moyenne (1 à 5, axe de droite)"),
            },
        )
    )


@bp.get("/tableau-de-bord/export.csv")
@roles_required(Role.COORDINATOR)
def dashboard_csv():
    network, board = _board()
    return Response(
        dashboard.export_csv(board),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="tableau-{network.slug}.csv"'},
    )
