"""The legal rules of an immersion request (décret n° 2022-1043), one function per rule.

Each rule takes plain values and answers `{field: [message]}` (empty when the rule holds), so that the
request forms and the matching rounds ask the same questions. Field names are the request form's inputs:
"min_days", "max_days", "windows" and "windows-<i>-start" / "windows-<i>-end" for the i-th window given.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import Select, func, select

from mobilite.extensions import db
from mobilite.i18n import format_date
from mobilite.lifecycles import immersion as immersion_lifecycle
from mobilite.limits import DATE_TOO_FAR, END_BEFORE_START, MAX_BELOW_MIN
from mobilite.models import Immersion, Network
from mobilite.schemas.dates import horizon
from mobilite.workdays import count_working_days, shift_years

Errors = dict[str, list[str]]


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def duration_errors(min_days: int, max_days: int, network: Network) -> Errors:
    """The request's duration lies within the network's limits (by default 2 to 10 working days)."""
    errors: Errors = {}
    if min_days < network.min_days:
        _add(
            errors,
            "min_days",
            _(
                "La durée minimale doit être d'au moins %(n)d jours ouvrés : c'est la règle du réseau.",
                n=network.min_days,
            ),
        )
    if min_days > network.max_days:
        _add(
            errors,
            "min_days",
            _(
                "La durée minimale ne peut pas dépasser %(n)d jours ouvrés : c'est la règle du réseau.",
                n=network.max_days,
            ),
        )
    if max_days > network.max_days:
        _add(
            errors,
            "max_days",
            _(
                "La durée maximale ne peut pas dépasser %(n)d jours ouvrés : c'est la règle du réseau.",
                n=network.max_days,
            ),
        )
    if max_days < min_days:
        _add(errors, "max_days", _(MAX_BELOW_MIN))
    return errors


def used_quota_days_by_agent(agent_ids: Iterable[int] | Select, network: Network, today: date) -> dict[int, int]:
    """Working days of each agent's confirmed or done immersions, in every network, over the quota period
    (agents with none are left out). The forms and the rounds both count through here.

    The period is the `quota_years` years before today; confirmed immersions still to come count too.
    """
    since = shift_years(today, -network.quota_years)
    rows = db.session.execute(
        # A partly done immersion counts the days actually done (set from the feedback).
        select(Immersion.agent_id, func.sum(func.coalesce(Immersion.days_done, Immersion.working_days)))
        .where(
            Immersion.agent_id.in_(agent_ids),
            Immersion.status.in_(immersion_lifecycle.COUNTED),
            Immersion.start_date > since,
        )
        .group_by(Immersion.agent_id)
    ).all()
    return {agent_id: int(days) for agent_id, days in rows}


def used_quota_days(agent_id: int, network: Network, today: date) -> int:
    """Working days of one agent's immersions over the quota period (see used_quota_days_by_agent)."""
    return used_quota_days_by_agent([agent_id], network, today).get(agent_id, 0)


def remaining_quota(agent_id: int, network: Network, today: date) -> int:
    """Days the agent may still spend in immersion under the network's quota (never below 0)."""
    return max(network.quota_days - used_quota_days(agent_id, network, today), 0)


def quota_errors(min_days: int, remaining: int, network: Network) -> Errors:
    """The agent's remaining quota (by default 20 days over 3 years, across employers) allows min_days."""
    if min_days <= remaining:
        return {}
    used = network.quota_days - remaining
    return {
        "min_days": [
            _(
                "Il vous reste %(left)d jours d'immersion sur les %(quota)d permis sur %(years)d ans (%(used)d déjà "
                "accomplis ou confirmés, tous employeurs confondus) : c'est moins que votre durée minimale.",
                left=remaining,
                quota=network.quota_days,
                years=network.quota_years,
                used=used,
            )
        ]
    }


def window_errors(windows: Sequence[tuple[date, date]], min_days: int, today: date) -> Errors:
    """At least one window; each one starts after today, ends on or after its start, within two years, and
    holds min_days."""
    errors: Errors = {}
    if not windows:
        _add(errors, "windows", _("Indiquez au moins une période de disponibilité."))
    latest = horizon(today)[1]
    for i, (start, end) in enumerate(windows):
        if start <= today:
            _add(errors, f"windows-{i}-start", _("La période doit commencer dans le futur (au plus tôt demain)."))
        if end < start:
            _add(errors, f"windows-{i}-end", _(END_BEFORE_START))
            continue
        if end > latest:  # the forms refuse such dates; a stored one is not worth counting day by day
            _add(errors, f"windows-{i}-end", _(DATE_TOO_FAR, latest=format_date(latest, "short")))
            continue
        days = count_working_days(start, end)
        if days < min_days:
            _add(
                errors,
                f"windows-{i}-end",
                ngettext(
                    "Du %(start)s au %(end)s, il n'y a que %(num)d jour ouvré : il en faut au moins %(min)d "
                    "(votre durée minimale).",
                    "Du %(start)s au %(end)s, il n'y a que %(num)d jours ouvrés : il en faut au moins %(min)d "
                    "(votre durée minimale).",
                    days,
                    start=format_date(start, "short"),
                    end=format_date(end, "short"),
                    min=min_days,
                ),
            )
    return errors


def campaign_closed(collection_end: date) -> str:
    return _(
        "La collecte de la campagne du réseau s'est terminée le %(day)s : elle ne reçoit plus ni demandes ni offres.",
        day=format_date(collection_end, "long"),
    )


def submission_errors(
    agent_id: int,
    network: Network,
    *,
    min_days: int,
    max_days: int,
    windows: Sequence[tuple[date, date]],
    today: date,
) -> Errors:
    """Every legal rule at once: the form shows each failure next to its field."""
    errors: Errors = {}
    for found in (
        duration_errors(min_days, max_days, network),
        quota_errors(min_days, remaining_quota(agent_id, network, today), network),
        window_errors(windows, min_days, today),
    ):
        for field, messages in found.items():
            errors.setdefault(field, []).extend(messages)
    return errors
