"""The network's dashboard: charts with the same figures in tables, filters, and a CSV file per table."""

from __future__ import annotations

from flask import Response, abort, render_template, request
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError

from mobilite.models import Role
from mobilite.schemas.base import form_data
from mobilite.schemas.dashboard import DashboardFilterSchema
from mobilite.security import roles_required
from mobilite.services import charts, dashboard, dashboard_charts
from mobilite.services.errors import ServiceError
from mobilite.web.coordination import bp, own_network
from mobilite.web.forms import Rejection, field_errors, submit_form

# The SVG is shown through <img> and opened alone: it holds no script, no style, and loads nothing.
SVG_CSP = "default-src 'none'"


def _filters() -> dashboard.Filters:
    """The request's filters. The charts and exports are linked with the page's valid ones only: others
    get 400, each wrong filter named as the address names it (as the page does)."""
    network = own_network()
    schema = DashboardFilterSchema()
    try:
        return dashboard.filters(network, schema.load(form_data(schema, request.args)))
    except (ValidationError, ServiceError) as error:
        wrong = field_errors(error)
        abort(400, description=" ".join(f"{name} : {' '.join(reasons)}" for name, reasons in wrong.items()))


@bp.get("/tableau-de-bord")
@roles_required(Role.COORDINATOR)
def dashboard_page():
    network = own_network()
    schema = DashboardFilterSchema()
    values = form_data(schema, request.args)

    def render(board: dashboard.Dashboard | None, rejected: Rejection) -> ResponseReturnValue:
        return render_template(
            "coordination/dashboard.html",
            network=network,
            board=board,
            values=values,
            errors=rejected.errors,
            organisation_choices=[(o.id, o.name) for o in dashboard.network_organisations(network)],
            matrix_side=dashboard_charts.MATRIX_SIDE,
            percent=dashboard.percent_pattern(),
            texts=dashboard_charts.text_alternatives(board) if board else {},
        ), rejected.status

    # Filtering saves nothing: the "form" is the filters, shown again with each wrong one named.
    return submit_form(
        schema,
        values,
        lambda data: dashboard.build(network, dashboard.filters(network, data)),
        done=lambda board: render(board, Rejection({}, 200)),
        again=lambda rejected: render(None, rejected),
    )


@bp.get("/tableau-de-bord/<any(echanges, tours, mois):figure>.svg")
@roles_required(Role.COORDINATOR)
def dashboard_chart(figure: str):
    made = dashboard_charts.chart(own_network(), _filters(), figure)
    if made is None:
        abort(404)  # nothing to draw: the page shows no chart for it either
    spec, title, text = made
    svg = charts.render_svg(spec, title, text)
    return Response(svg, mimetype="image/svg+xml", headers={"Content-Security-Policy": SVG_CSP})


@bp.get("/tableau-de-bord/<any(echanges, organisations, tours, mois):figure>.csv")
@roles_required(Role.COORDINATOR)
def dashboard_csv(figure: str):
    network = own_network()
    return Response(
        dashboard.export_csv(network, _filters(), figure),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="tableau-{network.slug}-{figure}.csv"'},
    )
