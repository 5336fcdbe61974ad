"""The dashboard's charts at network scale: the flow matrix stays legible, big counts read the French way."""

from __future__ import annotations

from datetime import date, timedelta

from mobilite.models import Organisation
from mobilite.services import charts, dashboard_charts
from mobilite.services.dashboard import Flow, RoundFigures
from tests.web.test_dashboard import INTEGER, axes


def _organisations(count: int) -> list[Organisation]:
    return [Organisation(id=i + 1, name=f"Organisation {i + 1:03d}", slug=f"org-{i + 1}") for i in range(count)]


def test_two_hundred_organisations_fit_a_matrix_of_twenty_five_a_side(ctx):
    organisations = _organisations(200)
    # Each organisation sends to the next three; the first ones send more.
    flows = [
        Flow(home, organisations[(i + k) % 200], 1 + (200 - i) // 50)
        for i, home in enumerate(organisations)
        for k in (1, 2, 3)
    ]
    m = dashboard_charts.matrix(flows)
    assert len(m["rows"]) == len(m["columns"]) == dashboard_charts.MATRIX_SIDE
    assert m["rows"][-1] == "Autres organisations (176)" and m["columns"][-1] == "Autres organisations (176)"
    assert m["rows"][0] == "Organisation 001"  # the busiest sender first
    # Grouping loses no immersion, and the colour scale spans one pair's flows, not the grouped totals.
    assert sum(n for *_cell, n in m["cells"]) == sum(f.immersions for f in flows)
    assert m["max"] == 5

    svg = charts.render_svg(dashboard_charts.flows_spec(flows), "t", "d")
    drawn = axes(svg)
    assert len(drawn["Organisation d'origine"]) == len(drawn["Organisation d'accueil"]) == 25
    assert "Autres organisations (176)" in drawn["Organisation d'origine"]


def test_namesakes_stay_apart(ctx):
    a, b, c = _organisations(3)
    b.name = a.name
    m = dashboard_charts.matrix([Flow(a, c, 1), Flow(b, c, 2)])
    assert m["rows"] == ["Organisation 001 (org-2)", "Organisation 001 (org-1)"]


def test_large_counts_group_thousands_and_stay_integers(ctx):
    rounds = [RoundFigures(date(2026, 1, 5) + timedelta(weeks=i), 9000 + i, 12_345) for i in range(3)]
    svg = charts.render_svg(dashboard_charts.rounds_spec(rounds), "t", "d")
    labels = axes(svg)["Demandes"]
    assert "10\u00a0000" in labels and all(INTEGER.match(label) for label in labels), labels
    assert axes(svg)["Tour de la semaine du"] == ["5 janv. 2026", "12 janv. 2026", "19 janv. 2026"]


def test_few_requests_never_make_half_a_tick(ctx):
    svg = charts.render_svg(dashboard_charts.rounds_spec([RoundFigures(date(2026, 1, 5), 1, 2)]), "t", "d")
    assert axes(svg)["Demandes"] == ["0", "1", "2"]
