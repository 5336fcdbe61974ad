"""The coordinator's dashboard: exchanges between organisations, rounds and months, for a period and an
organisation of the network.

Each figure is computed once as plain rows: the page draws it (services.dashboard_charts), shows the same
rows in an accessible table, and each table downloads as CSV with the same numbers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, func, or_, select

from mobilite.extensions import db
from mobilite.lifecycles import immersion as immersion_lifecycle
from mobilite.lifecycles import proposal as proposal_lifecycle
from mobilite.models import (
    Feedback,
    Immersion,
    ImmersionRequest,
    Network,
    Organisation,
    Proposal,
    Round,
    RoundStatus,
    UnmatchedOutlook,
)
from mobilite.services.errors import ServiceError
from mobilite.services.spreadsheets import write_csv


@dataclass(frozen=True)
class Filters:
    """Immersions that start, and rounds whose week starts, between `start` and `end` (both included); with
    an organisation, the immersions it sends or hosts and the requests of its agents."""

    start: date | None = None
    end: date | None = None
    organisation: Organisation | None = None

    def args(self) -> dict[str, str]:
        """The filters as the page's query string carries them (for the charts' and exports' links)."""
        args = {"du": self.start.isoformat() if self.start else "", "au": self.end.isoformat() if self.end else ""}
        args["organisation"] = str(self.organisation.id) if self.organisation else ""
        return {key: value for key, value in args.items() if value}


@dataclass(frozen=True)
class Flow:
    home: Organisation
    host: Organisation
    immersions: int


@dataclass(frozen=True)
class OrganisationTotal:
    organisation: Organisation
    sent: int
    hosted: int


@dataclass(frozen=True)
class RoundFigures:
    week_start: date
    placed: int
    requests: int  # placed, rejected by a coordinator, or left unmatched by the round

    @property
    def unplaced(self) -> int:
        return self.requests - self.placed

    @property
    def rate(self) -> float | None:
        return self.placed / self.requests if self.requests else None


@dataclass(frozen=True)
class MonthFigures:
    month: date  # its first day
    immersions: int
    days: int
    satisfaction: float | None  # mean of the agents' and hosts' answers, 1 to 5
    answers: int


@dataclass(frozen=True)
class Dashboard:
    filters: Filters
    flows: list[Flow]
    totals: list[OrganisationTotal]
    rounds: list[RoundFigures]
    months: list[MonthFigures]


def percent_pattern() -> str:
    """The reader's percent format with one decimal: "66,7 %" in French, "66.7%" in English."""
    return str(get_locale().percent_formats[None].pattern).replace("#,##0", "#,##0.0", 1)


def network_organisations(network: Network) -> list[Organisation]:
    return list(
        db.session.scalars(
            select(Organisation).where(Organisation.network_id == network.id).order_by(Organisation.name)
        )
    )


def filters(network: Network, data: dict[str, Any]) -> Filters:
    """The loaded form (schemas.dashboard) as filters; an organisation must be one of the network's."""
    organisation = None
    if data.get("organisation_id") is not None:
        organisation = db.session.get(Organisation, data["organisation_id"])
        if organisation is None or organisation.network_id != network.id:
            raise ServiceError({"organisation": [_("Cette organisation ne fait pas partie de votre réseau.")]})
    return Filters(data.get("start"), data.get("end"), organisation)


def build(network: Network, chosen: Filters) -> Dashboard:
    found = flows(network, chosen)
    return Dashboard(
        filters=chosen,
        flows=found,
        totals=totals(found),
        rounds=rounds(network, chosen),
        months=months(network, chosen),
    )


def _counted_immersions(network: Network, chosen: Filters) -> list[ColumnElement[bool]]:
    in_network = select(Organisation.id).where(Organisation.network_id == network.id)
    where: list[ColumnElement[bool]] = [
        Immersion.host_organisation_id.in_(in_network),
        Immersion.status.in_(immersion_lifecycle.COUNTED),
    ]
    if chosen.start:
        where.append(Immersion.start_date >= chosen.start)
    if chosen.end:
        where.append(Immersion.start_date <= chosen.end)
    if chosen.organisation:
        org_id = chosen.organisation.id
        where.append(or_(Immersion.home_organisation_id == org_id, Immersion.host_organisation_id == org_id))
    return where


def flows(network: Network, chosen: Filters) -> list[Flow]:
    """Confirmed or done immersions per (home, host) pair, the largest first."""
    counts = db.session.execute(
        select(Immersion.home_organisation_id, Immersion.host_organisation_id, func.count(Immersion.id))
        .where(*_counted_immersions(network, chosen))
        .group_by(Immersion.home_organisation_id, Immersion.host_organisation_id)
    ).all()
    ids = {home for home, _host, _n in counts} | {host for _home, host, _n in counts}
    by_id = {o.id: o for o in db.session.scalars(select(Organisation).where(Organisation.id.in_(ids)))} if ids else {}
    found = [Flow(by_id[home], by_id[host], n) for home, host, n in counts]
    return sorted(found, key=lambda f: (-f.immersions, f.home.name, f.host.name))


def totals(found: list[Flow]) -> list[OrganisationTotal]:
    """Immersions each organisation sent and hosted, the busiest first."""
    sent: Counter[int] = Counter()
    hosted: Counter[int] = Counter()
    organisations: dict[int, Organisation] = {}
    for flow in found:
        sent[flow.home.id] += flow.immersions
        hosted[flow.host.id] += flow.immersions
        organisations[flow.home.id], organisations[flow.host.id] = flow.home, flow.host
    rows = [OrganisationTotal(o, sent[o.id], hosted[o.id]) for o in organisations.values()]
    return sorted(rows, key=lambda t: (-(t.sent + t.hosted), t.organisation.name))


def rounds(network: Network, chosen: Filters) -> list[RoundFigures]:
    """Each published round: its requests (with an organisation, its agents' only) and how many it placed:
    proposals sent to the agents, as they stand now (one a coordinator rejected, or kept back at
    publication, placed no one)."""
    where = [Round.network_id == network.id, Round.status == RoundStatus.PUBLISHED]
    if chosen.start:
        where.append(Round.week_start >= chosen.start)
    if chosen.end:
        where.append(Round.week_start <= chosen.end)
    published = db.session.execute(select(Round.id, Round.week_start).where(*where).order_by(Round.week_start)).all()
    if not published:
        return []
    round_ids = [round_id for round_id, _week in published]

    def per_round(round_id: Any, request_id: Any, *where: ColumnElement[bool]) -> Counter[int]:
        """Rows per round, of a table holding a round's requests (with an organisation: its agents' only)."""
        query = select(round_id, func.count(request_id)).where(round_id.in_(round_ids), *where)
        if chosen.organisation:
            query = query.join(ImmersionRequest, ImmersionRequest.id == request_id).where(
                ImmersionRequest.organisation_id == chosen.organisation.id
            )
        return Counter(dict(db.session.execute(query.group_by(round_id)).all()))

    sent = Proposal.status.in_(proposal_lifecycle.SHOWN)
    placed = per_round(Proposal.round_id, Proposal.request_id, sent)
    requests = per_round(Proposal.round_id, Proposal.request_id)
    requests.update(per_round(UnmatchedOutlook.round_id, UnmatchedOutlook.request_id))
    return [RoundFigures(week, placed[round_id], requests[round_id]) for round_id, week in published]


def _month(day: date) -> date:
    return day.replace(day=1)


def _next_month(month: date) -> date:
    return month.replace(year=month.year + 1, month=1) if month.month == 12 else month.replace(month=month.month + 1)


def months(network: Network, chosen: Filters) -> list[MonthFigures]:
    """Immersions that started each month: how many, their working days and the satisfaction they were
    given. Every month of the period is listed, those without immersions too."""
    where = _counted_immersions(network, chosen)
    counts: Counter[date] = Counter()
    days: Counter[date] = Counter()
    for start, working_days in db.session.execute(select(Immersion.start_date, Immersion.working_days).where(*where)):
        counts[_month(start)] += 1
        days[_month(start)] += working_days
    scores: dict[date, list[int]] = defaultdict(list)
    for start, satisfaction in db.session.execute(
        select(Immersion.start_date, Feedback.satisfaction)
        .join(Feedback, Feedback.immersion_id == Immersion.id)
        .where(*where, Feedback.satisfaction.is_not(None))
    ):
        if satisfaction is not None:  # always, by the query's filter: the column itself is nullable
            scores[_month(start)].append(satisfaction)
    if not counts:
        return []
    first = _month(chosen.start) if chosen.start else min(counts)
    last = _month(chosen.end) if chosen.end else max(counts)
    found = []
    month = first
    while month <= last:
        answers = scores.get(month, [])
        mean = round(sum(answers) / len(answers), 2) if answers else None
        found.append(MonthFigures(month, counts[month], days[month], mean, len(answers)))
        month = _next_month(month)
    return found


# --- CSV: one file per table, the same rows and numbers --------------------------------------------------


def _decimal(value: float | None, pattern: str) -> str:
    return "" if value is None else format_decimal(value, pattern)


def export_csv(network: Network, chosen: Filters, figure: str) -> bytes:
    if figure == "echanges":
        return write_csv(
            ["organisation_origine", "organisation_accueil", "immersions"],
            [[f.home.name, f.host.name, f.immersions] for f in flows(network, chosen)],
        )
    if figure == "organisations":
        return write_csv(
            ["organisation", "immersions_envoyees", "immersions_accueillies"],
            [[t.organisation.name, t.sent, t.hosted] for t in totals(flows(network, chosen))],
        )
    if figure == "tours":
        return write_csv(
            ["semaine_du", "demandes", "placees", "non_placees", "taux_de_placement_pct"],
            [
                [
                    r.week_start,
                    r.requests,
                    r.placed,
                    r.unplaced,
                    _decimal(None if r.rate is None else 100 * r.rate, "0.0"),
                ]
                for r in rounds(network, chosen)
            ],
        )
    if figure == "mois":
        return write_csv(
            ["mois", "immersions", "jours_immersion", "satisfaction_moyenne", "avis"],
            [
                [m.month.strftime("%Y-%m"), m.immersions, m.days, _decimal(m.satisfaction, "0.0#"), m.answers]
                for m in months(network, chosen)
            ],
        )
    raise ValueError(figure)
