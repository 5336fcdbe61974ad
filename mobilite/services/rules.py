"""The legal rules of an immersion request (décret n° 2022-1043), one function per rule.

Each rule takes plain values and answers `{field: [message]}` (empty when the rule holds), so that the
request forms and the matching rounds ask the same questions. Field names are the request form's inputs:
"min_days", "max_days", "windows" and "windows-<i>-start" / "windows-<i>-end" for the i-th window given.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from sqlalchemy import func, select

from mobilite.extensions import db
from mobilite.models import Immersion, ImmersionStatus, Network
from mobilite.schemas.dates import horizon
from mobilite.workdays import count_working_days

Errors = dict[str, list[str]]

# Immersions that use up the quota: confirmed (to come) and done. Cancelled ones give their days back.
COUNTED = (ImmersionStatus.CONFIRMED, ImmersionStatus.DONE)


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February falls back to the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def duration_errors(min_days: int, max_days: int, network: Network) -> Errors:
    """The request's duration lies within the network's limits (by default 2 to 10 working days)."""
    errors: Errors = {}
    if min_days < network.min_days:
        _add(errors, "min_days", _("La durée minimale doit être d'au moins %(n)d jours ouvrés : c'est la règle "
                                   "du réseau.", n=network.min_days))
    if min_days > network.max_days:
        _add(errors, "min_days", _("La durée minimale ne peut pas dépasser %(n)d jours ouvrés : c'est la règle "
                                   "du réseau.", n=network.max_days))
    if max_days > network.max_days:
        _add(errors, "max_days", _("La durée maximale ne peut pas dépasser %(n)d jours ouvrés : c'est la règle "
                                   "du réseau.", n=network.max_days))
    if max_days < min_days:
        _add(errors, "max_days", _("La durée maximale doit être supérieure ou égale à la durée minimale."))
    return errors


def used_quota_days(agent_id: int, network: Network, today: date) -> int:
    """Working days of the agent's confirmed or done immersions, in every network, over the quota period.

    The period is the `quota_years` years before today; confirmed immersions still to come count too.
    """
    since = years_before(today, network.quota_years)
    used = db.session.scalar(
        select(func.coalesce(func.sum(Immersion.working_days), 0)).where(
            Immersion.agent_id == agent_id,
            Immersion.status.in_(COUNTED),
            Immersion.start_date > since,
        )
    )
    return int(used or 0)


def remaining_quota(agent_id: int, network: Network, today: date) -> int:
    """Days the agent may still spend in immersion under the network's quota (never below 0)."""
    return max(network.quota_days - used_quota_days(agent_id, network, today), 0)


def quota_errors(min_days: int, remaining: int, network: Network) -> Errors:
    """The agent's remaining quota (by default 20 days over 3 years, across employers) allows min_days."""
    if min_days <= remaining:
        return {}
    used = network.quota_days - remaining
    return {"min_days": [_(
        "Il vous reste %(left)d jours d'immersion sur les %(quota)d permis sur %(years)d ans (%(used)d déjà "
        "accomplis ou confirmés, tous employeurs confondus) : c'est moins que votre durée minimale.",
        left=remaining, quota=network.quota_days, years=network.quota_years, used=used,
    )]}


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
            _add(errors, f"windows-{i}-end", _("La date de fin doit être égale ou postérieure à la date de début."))
            continue
        if end > latest:  # the forms refuse such dates; a stored one is not worth counting day by day
            _add(errors, f"windows-{i}-end", _("Date trop lointaine : au plus tard le %(latest)s (deux ans à "
                                                "l'avance).", latest=format_date(latest, "short")))
            continue
        days = count_working_days(start, end)
        if days < min_days:
            _add(errors, f"windows-{i}-end", ngettext(
                "Du %(start)s au %(end)s, il n'y a que %(num)d jour ouvré : il en faut au moins %(min)d "
                "(votre durée minimale).",
                "Du %(start)s au %(end)s, il n'y a que %(num)d jours ouvrés : il en faut au moins %(min)d "
                "(votre durée minimale).",
                days, start=format_date(start, "short"), end=format_date(end, "short"), min=min_days,
            ))
    return errors


def submission_errors(
    agent_id: int, network: Network, *, min_days: int, max_days: int,
    windows: Sequence[tuple[date, date]], today: date,
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
