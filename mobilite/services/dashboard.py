"""The coordinator's dashboard: exchanges between organisations and the network's figures over time.

Every chart has its figures as plain data too, so that the page shows them in accessible tables and the
CSV export carries exactly the same numbers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import pygal
from pygal.style import Style
from sqlalchemy import func, select

from mobilite.extensions import db
from mobilite.lifecycles import immersion as immersion_lifecycle
from mobilite.models import (
    Feedback,
    Immersion,
    Network,
    Organisation,
    Round,
    RoundStatus,
)
from mobilite.services.spreadsheets import write_csv

CHART_STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#1e1e1e",
    foreground_strong="#1e1e1e",
    foreground_subtle="#4d4d4d",
    font_family="system-ui, sans-serif",
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=12,
    title_font_size=15,
    colors=(
        "#000091",
        "#b34000",
        "#18753c",
        "#6a6af4",
        "#a558a0",
        "#716043",
        "#009099",
        "#ce0500",
        "#3a3a3a",
        "#c3992a",
        "#417dc4",
        "#7d4e5b",
    ),
)


@dataclass(frozen=True)
class Dashboard:
    organisations: list[Organisation]
    exchanges: dict[tuple[int, int], int]  # (home, host) -> immersions
    months: list[str]
    days_by_month: dict[str, int]
    satisfaction_by_month: dict[str, float | None]
    rounds: list[tuple[str, int, int]]  # (week, placed, requests)

    def sent(self, organisation_id: int) -> int:
        return sum(n for (home, _host), n in self.exchanges.items() if home == organisation_id)

    def hosted(self, organisation_id: int) -> int:
        return sum(n for (_home, host), n in self.exchanges.items() if host == organisation_id)


def build(network: Network) -> Dashboard:
    organisations = list(
        db.session.scalars(
            select(Organisation).where(Organisation.network_id == network.id).order_by(Organisation.name)
        )
    )
    org_ids = [o.id for o in organisations]
    exchanges = dict(
        ((home, host), n)
        for home, host, n in db.session.execute(
            select(Immersion.home_organisation_id, Immersion.host_organisation_id, func.count(Immersion.id))
            .where(Immersion.host_organisation_id.in_(org_ids), Immersion.status.in_(immersion_lifecycle.COUNTED))
            .group_by(Immersion.home_organisation_id, Immersion.host_organisation_id)
        )
    )
    days: Counter[str] = Counter()
    for start, working_days in db.session.execute(
        select(Immersion.start_date, Immersion.working_days).where(
            Immersion.host_organisation_id.in_(org_ids), Immersion.status.in_(immersion_lifecycle.COUNTED)
        )
    ):
        days[start.strftime("%Y-%m")] += working_days
    scores: dict[str, list[int]] = defaultdict(list)
    for end, satisfaction in db.session.execute(
        select(Immersion.end_date, Feedback.satisfaction)
        .join(Feedback, Feedback.immersion_id == Immersion.id)
        .where(Immersion.host_organisation_id.in_(org_ids), Feedback.satisfaction.is_not(None))
    ):
        if satisfaction is not None:  # always, by the query's filter: the column itself is nullable
            scores[end.strftime("%Y-%m")].append(satisfaction)
    months = sorted(set(days) | set(scores))
    rounds = [
        (r.week_start.isoformat(), int(r.metrics.get("placed", 0)), int(r.metrics.get("requests", 0)))
        for r in db.session.scalars(
            select(Round)
            .where(Round.network_id == network.id, Round.status == RoundStatus.PUBLISHED)
            .order_by(Round.week_start)
        )
    ]
    return Dashboard(
        organisations=organisations,
        exchanges=exchanges,
        months=months,
        days_by_month={m: days.get(m, 0) for m in months},
        satisfaction_by_month={m: round(sum(scores[m]) / len(scores[m]), 2) if scores[m] else None for m in months},
        rounds=rounds,
    )


def _chart(kind, title: str, **options):
    return kind(
        style=CHART_STYLE,
        title=title,
        width=900,
        height=420,
        show_legend=True,
        legend_at_bottom=True,
        disable_xml_declaration=True,
        js=[],
        explicit_size=False,
        print_values=False,
        **options,
    )


def exchanges_svg(board: Dashboard, title: str) -> str:
    """Who sent whom where: one stacked bar per home organisation, one colour per host."""
    chart = _chart(pygal.HorizontalStackedBar, title, x_label_rotation=0)
    chart.x_labels = [o.name for o in board.organisations]
    for host in board.organisations:
        values = [board.exchanges.get((home.id, host.id), 0) or None for home in board.organisations]
        if any(values):
            chart.add(host.name, values)
    return chart.render(is_unicode=True)


def timeline_svg(board: Dashboard, titles: dict[str, str]) -> str:
    """Placement rate of each published round, and immersion days and satisfaction per month."""
    chart = _chart(pygal.Line, titles["title"], x_label_rotation=30, secondary_range=(0, 5))
    labels = sorted({week for week, *_ in board.rounds} | set(board.months))
    chart.x_labels = labels
    rates = {week: round(100 * placed / requests, 1) if requests else None for week, placed, requests in board.rounds}
    chart.add(titles["rate"], [rates.get(label) for label in labels])
    chart.add(titles["days"], [board.days_by_month.get(label) for label in labels])
    chart.add(titles["satisfaction"], [board.satisfaction_by_month.get(label) for label in labels], secondary=True)
    return chart.render(is_unicode=True)


def export_csv(board: Dashboard) -> bytes:
    """The dashboard's figures: exchanges (home, host, immersions), then the series over time."""
    names = {o.id: o.name for o in board.organisations}
    rows: list[list[object]] = [
        ["echange", names.get(home, home), names.get(host, host), n, "", ""]
        for (home, host), n in sorted(board.exchanges.items())
    ]
    rows += [
        ["tour", week, "", placed, requests, round(100 * placed / requests, 1) if requests else ""]
        for week, placed, requests in board.rounds
    ]
    rows += [
        [
            "mois",
            month,
            "",
            board.days_by_month[month],
            "",
            board.satisfaction_by_month[month] if board.satisfaction_by_month[month] is not None else "",
        ]
        for month in board.months
    ]
    return write_csv(["serie", "de_ou_periode", "vers", "valeur", "demandes", "taux_ou_satisfaction"], rows)
