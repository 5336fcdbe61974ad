"""The dashboard's charts (Vega-Lite, rendered by services.charts) and their text alternatives.

- Exchanges: an origin × host matrix heat map. It stays legible at any network size: the busiest
  MATRIX_SIDE - 1 organisations on each side, the others grouped on one row and one column (the tables and
  the CSV keep every pair; filtering by an organisation shows its own partners).
- Rounds: one bar per round (one axis unit: the week), placed and unplaced requests stacked.
- Months: immersion days and mean satisfaction per month (one axis unit: the month).
Counts have integer axes; numbers and dates follow the reader's locale.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from babel.numbers import format_compact_decimal
from flask_babel import format_decimal, get_locale, ngettext
from flask_babel import gettext as _

from mobilite.i18n import format_date
from mobilite.models import Network, Organisation
from mobilite.services import dashboard
from mobilite.services.charts import BLUE, GREY, LIGHT_BLUE, MUTED, ORANGE, TEXT, count_axis
from mobilite.services.dashboard import Dashboard, Filters, Flow, MonthFigures, RoundFigures

MATRIX_SIDE = 25
CELL = 22  # pixels per matrix cell, per round bar


def _count(largest: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """A count's axis (or legend) and scale: integer ticks, thousands grouped ("1 234", never "0,5")."""
    ticks, domain = count_axis(largest)
    return {"values": ticks, "format": ",d"}, {"domain": domain, "nice": False}


def _n(value: float) -> str:
    return format_decimal(value, "#,##0.#")


def _labels(organisations: list[Organisation]) -> dict[int, str]:
    """Names as the axes show them; two organisations of the same name are told apart by their slug."""
    seen = Counter(o.name for o in organisations)
    return {o.id: o.name if seen[o.name] == 1 else f"{o.name} ({o.slug})" for o in organisations}


def _kept(totals: Counter[int], labels: dict[int, str]) -> tuple[list[int], int]:
    """The busiest organisations that fit on a side, and how many are grouped after them."""
    ranked = sorted(totals, key=lambda org_id: (-totals[org_id], labels[org_id]))
    if len(ranked) <= MATRIX_SIDE:
        return ranked, 0
    return ranked[: MATRIX_SIDE - 1], len(ranked) - (MATRIX_SIDE - 1)


def matrix(flows: list[Flow]) -> dict[str, Any]:
    """The heat map's cells: "rows" and "columns" (labels in order), "cells" ((home, host, grouped, n)) and
    "max" (the largest flow between two named organisations)."""
    labels = _labels(list({o.id: o for f in flows for o in (f.home, f.host)}.values()))
    sent: Counter[int] = Counter()
    hosted: Counter[int] = Counter()
    for f in flows:
        sent[f.home.id] += f.immersions
        hosted[f.host.id] += f.immersions
    rows, rows_grouped = _kept(sent, labels)
    columns, columns_grouped = _kept(hosted, labels)
    other_rows = ngettext("Autre organisation (%(num)d)", "Autres organisations (%(num)d)", rows_grouped)
    other_columns = ngettext("Autre organisation (%(num)d)", "Autres organisations (%(num)d)", columns_grouped)
    row_of = {org_id: labels[org_id] for org_id in rows}
    column_of = {org_id: labels[org_id] for org_id in columns}
    cells: Counter[tuple[str, str, bool]] = Counter()
    for f in flows:
        grouped = f.home.id not in row_of or f.host.id not in column_of
        cells[(row_of.get(f.home.id, other_rows), column_of.get(f.host.id, other_columns), grouped)] += f.immersions
    return {
        "rows": [row_of[i] for i in rows] + ([other_rows] if rows_grouped else []),
        "columns": [column_of[i] for i in columns] + ([other_columns] if columns_grouped else []),
        "cells": [(home, host, grouped, n) for (home, host, grouped), n in cells.items()],
        # The colour scale spans one pair's flows: grouped cells, far larger, are grey and would flatten it.
        "max": max((n for (_h, _o, grouped), n in cells.items() if not grouped), default=0),
    }


def _cell_text(n: int, room: int) -> str:
    """A cell's count, shortened ("24 k") only when a grouped cell's total is too long for the cell."""
    text = format_decimal(n, "#,##0")
    return text if len(text) <= room else format_compact_decimal(n, locale=get_locale(), fraction_digits=0)


def flows_spec(flows: list[Flow]) -> dict[str, Any]:
    m = matrix(flows)
    home, host, count = _("Organisation d'origine"), _("Organisation d'accueil"), _("Immersions")
    step = max(CELL, 7 * len(format_decimal(m["max"], "#,##0")) + 8)  # room for one pair's count
    room = (step - 6) // 7
    cells = [{"home": a, "host": b, "grouped": g, "n": n, "text": _cell_text(n, room)} for a, b, g, n in m["cells"]]
    legend, scale = _count(m["max"])
    return {
        "width": {"step": step},
        "height": {"step": CELL},
        "data": {"values": cells},
        "encoding": {
            "x": {
                "field": "host",
                "type": "nominal",
                "sort": m["columns"],
                "title": host,
                "axis": {"orient": "top", "labelAngle": -45, "labelLimit": 260, "domain": False, "ticks": False},
            },
            "y": {
                "field": "home",
                "type": "nominal",
                "sort": m["rows"],
                "title": home,
                "axis": {"labelLimit": 260, "domain": False, "ticks": False},
            },
        },
        "layer": [
            {
                "mark": {"type": "rect", "stroke": "white", "strokeWidth": 1},
                "encoding": {
                    "color": {
                        "condition": {"test": "datum.grouped", "value": GREY},
                        "field": "n",
                        "type": "quantitative",
                        "title": count,
                        "scale": {**scale, "range": [LIGHT_BLUE, BLUE], "clamp": True},
                        "legend": {**legend, "orient": "right", "gradientLength": 160},
                    }
                },
            },
            {
                "mark": {"type": "text", "fontSize": 11},
                "encoding": {
                    "text": {"field": "text", "type": "nominal"},
                    "color": {
                        "condition": {"test": f"!datum.grouped && datum.n > {m['max'] * 0.55}", "value": "white"},
                        "value": TEXT,
                    },
                },
            },
        ],
    }


def flows_text(flows: list[Flow]) -> str:
    total = sum(f.immersions for f in flows)
    biggest = _(" ; ").join(
        _("%(home)s vers %(host)s (%(n)s)", home=f.home.name, host=f.host.name, n=_n(f.immersions)) for f in flows[:3]
    )
    return _(
        "Carte de chaleur des immersions confirmées ou réalisées : %(total)s, de %(homes)s organisations "
        "d'origine (en lignes) vers %(hosts)s organisations d'accueil (en colonnes) ; plus la case est foncée, "
        "plus il y en a. Les flux les plus importants : %(biggest)s. Tous les chiffres sont dans le tableau "
        "qui suit.",
        total=_n(total),
        homes=_n(len({f.home.id for f in flows})),
        hosts=_n(len({f.host.id for f in flows})),
        biggest=biggest,
    )


def _two_line_dates(first_line: str) -> dict[str, Any]:
    """Date labels on two lines ("5 janv." over "2026"), upright; those that would overlap are left out."""
    return {
        "labelExpr": f"[utcFormat(datum.value, '{first_line}'), utcFormat(datum.value, '%Y')]",
        "labelAngle": 0,
        "labelOverlap": "greedy",
    }


def _band_width(count: int) -> int:
    """A readable page width: bars widen to fill 400 pixels, and a long series is squeezed into 760."""
    return min(max(count * CELL * 2, 400), 760)


def rounds_spec(found: list[RoundFigures]) -> dict[str, Any]:
    placed, unplaced = _("Placé·es"), _("Non placé·es")
    values = []
    for r in found:
        week = r.week_start.isoformat()
        values += [{"week": week, "what": placed, "n": r.placed}, {"week": week, "what": unplaced, "n": r.unplaced}]
    axis, scale = _count(max(r.requests for r in found))
    return {
        "width": _band_width(len(found)),
        "height": 260,
        "data": {"values": values},
        "mark": {"type": "bar"},
        "encoding": {
            "x": {
                "field": "week",
                "type": "ordinal",
                "timeUnit": "utcyearmonthdate",
                "title": _("Tour de la semaine du"),
                "axis": _two_line_dates("%-d %b"),
            },
            "y": {
                "field": "n",
                "type": "quantitative",
                "aggregate": "sum",
                "stack": "zero",
                "title": _("Demandes"),
                "axis": axis,
                "scale": scale,
            },
            "color": {
                "field": "what",
                "type": "nominal",
                "title": None,
                "scale": {"domain": [placed, unplaced], "range": [BLUE, ORANGE]},
                "legend": {"orient": "bottom", "direction": "horizontal"},
            },
            "order": {"field": "what", "sort": "descending"},
        },
    }


def rounds_text(found: list[RoundFigures]) -> str:
    placed = sum(r.placed for r in found)
    requests = sum(r.requests for r in found)
    return _(
        "Diagramme en barres des %(rounds)s tours publiés, du %(first)s au %(last)s : pour chaque tour, les "
        "demandes placées et non placées. En tout, %(placed)s demandes placées sur %(requests)s. Le détail "
        "par tour est dans le tableau qui suit.",
        rounds=_n(len(found)),
        first=format_date(found[0].week_start, "long"),
        last=format_date(found[-1].week_start, "long"),
        placed=_n(placed),
        requests=_n(requests),
    )


def months_spec(found: list[MonthFigures]) -> dict[str, Any]:
    values = [
        {"month": m.month.isoformat(), "days": m.days, "satisfaction": m.satisfaction, "answers": m.answers}
        for m in found
    ]
    x = {
        "field": "month",
        "type": "ordinal",
        "timeUnit": "utcyearmonth",
        "title": _("Mois de début des immersions"),
        "axis": _two_line_dates("%b"),
    }
    width = _band_width(len(found))
    axis, scale = _count(max(m.days for m in found))
    days = {
        "width": width,
        "height": 200,
        "mark": {"type": "bar", "color": BLUE},
        "encoding": {
            "x": {**x, "title": None},
            "y": {
                "field": "days",
                "type": "quantitative",
                "title": _("Jours d'immersion"),
                "axis": axis,
                "scale": scale,
            },
        },
    }
    rated = {"filter": "isValid(datum.satisfaction)"}
    satisfaction = {
        "width": width,
        "height": 160,
        "transform": [rated],
        "encoding": {
            "x": x,
            "y": {
                "field": "satisfaction",
                "type": "quantitative",
                "title": _("Satisfaction moyenne (sur 5)"),
                "scale": {"domain": [1, 5]},
                "axis": {"values": [1, 2, 3, 4, 5], "format": "d"},
            },
        },
        "layer": [
            {"mark": {"type": "line", "color": ORANGE, "point": {"color": ORANGE}}},
            {
                "mark": {"type": "text", "dy": -12, "fontSize": 11, "color": MUTED},
                "encoding": {"text": {"field": "satisfaction", "type": "quantitative", "format": ",.1f"}},
            },
        ],
    }
    # One month scale for both: a month without answers keeps its place under the satisfaction line.
    return {
        "data": {"values": values},
        "vconcat": [days, satisfaction],
        "spacing": 24,
        "resolve": {"scale": {"x": "shared"}},
    }


def months_text(found: list[MonthFigures]) -> str:
    answers = [m for m in found if m.satisfaction is not None]
    weight = sum(m.answers for m in answers)
    mean = sum(m.satisfaction * m.answers for m in answers if m.satisfaction is not None) / weight if weight else None
    return _(
        "Deux diagrammes par mois, de %(first)s à %(last)s : les jours d'immersion (%(days)s en tout), puis "
        "la satisfaction moyenne sur 5 (%(mean)s sur la période, %(answers)s avis). Le détail par mois est "
        "dans le tableau qui suit.",
        first=format_date(found[0].month, "MMMM y"),
        last=format_date(found[-1].month, "MMMM y"),
        days=_n(sum(m.days for m in found)),
        mean=format_decimal(mean, "0.0") if mean is not None else "—",
        answers=_n(weight),
    )


def chart(network: Network, chosen: Filters, figure: str) -> tuple[dict[str, Any], str, str] | None:
    """(specification, title, text alternative) of one of the dashboard's charts; None: nothing to draw."""
    if figure == "echanges":
        flows = dashboard.flows(network, chosen)
        title = _("Immersions entre organisations d'origine et d'accueil")
        return (flows_spec(flows), title, flows_text(flows)) if flows else None
    if figure == "tours":
        rounds = dashboard.rounds(network, chosen)
        title = _("Demandes placées et non placées par tour")
        return (rounds_spec(rounds), title, rounds_text(rounds)) if rounds else None
    if figure == "mois":
        months = dashboard.months(network, chosen)
        title = _("Jours d'immersion et satisfaction par mois")
        return (months_spec(months), title, months_text(months)) if months else None
    raise ValueError(figure)


def text_alternatives(board: Dashboard) -> dict[str, str]:
    """Each chart's text alternative, for the page's <img alt>."""
    texts = {}
    if board.flows:
        texts["flows"] = flows_text(board.flows)
    if board.rounds:
        texts["rounds"] = rounds_text(board.rounds)
    if board.months:
        texts["months"] = months_text(board.months)
    return texts
