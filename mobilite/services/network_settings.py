"""A network's settings, changed by its coordinator: each change audited with its old and new value.

The settings page and PATCH /api/v1/network/settings both call `update_settings`: the schema checks each
value's bounds, this module the rules between values, and every error comes back at once, nothing saved.
The round's schedule is stored as a cron (`match_cron`, read by the scheduler); the page shows and writes it
as a day and an hour in Europe/Paris, and keeps as it is a cron that is not one day and one hour.
"""

from __future__ import annotations

import enum
import re
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from mobilite import limits
from mobilite.extensions import db
from mobilite.lifecycles.round import IN_REVIEW
from mobilite.models import Network, Round, RoundDraft, RoundMode, RoundStatus, User
from mobilite.services import audit, round_drafts
from mobilite.services.errors import ServiceError
from mobilite.workdays import paris_today

# The columns the page sets as they are (the schedule and the weights are written by hand below).
COLUMNS = (
    "requires_offer_validation",
    "min_days",
    "max_days",
    "quota_days",
    "quota_years",
    "answer_deadline_days",
    "proposal_response_days",
    "line_manager_opinion",
    "opinion_deadline_days",
    "notice_days",
    "publication_scope",
    "mileage_rate_cents",
    "signing_order",
    "round_mode",
    "rounds_paused",
    "campaign_collection_end",
    "campaign_round_date",
    "matching_mode",
    "diversity_per_session",
    "continuity_max_away",
    "fairness_floor_percent",
    "reciprocity",
    "retention_days",
    "immersion_retention_days",
    "sign_in_log_retention_days",
    "audit_retention_days",
)
WEIGHTS = tuple(limits.DEFAULT_WEIGHTS)


class Weekday(enum.StrEnum):
    """Days as cron writes them."""

    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


DAYS = tuple(Weekday)
CAMPAIGN_HORIZON = timedelta(days=2 * 365)
DEFAULT_ROUND_TIME = time(6, 0)
_ONE_DAY_AND_HOUR = re.compile(r"^(\d{1,2}) (\d{1,2}) \* \* ([a-z]{3}|[0-7])$")


def may_change(user: User, network: Network) -> bool:
    """The network's own coordinator only."""
    return user.coordinates(network.id)


# --- the schedule ---------------------------------------------------------------------------------------


def day_and_time(cron: str) -> tuple[Weekday, time] | None:
    """The cron as one weekday and one time of day ("30 7 * * tue" → ("tue", 07:30)), or None when it is
    anything else (several days, every hour...): the page then says so instead of guessing."""
    found = _ONE_DAY_AND_HOUR.match(cron.strip().lower())
    if found is None:
        return None
    minute, hour, day = int(found[1]), int(found[2]), found[3]
    if day.isdigit():
        day = DAYS[(int(day) - 1) % 7]  # cron: 0 and 7 are Sunday, 1 is Monday
    if day not in DAYS or hour > 23 or minute > 59:
        return None
    return Weekday(day), time(hour, minute)


def cron_of(day: str, at: time) -> str:
    return f"{at.minute} {at.hour} * * {day}"


def campaign_moment(network: Network) -> datetime | None:
    """When the campaign's single round runs: its date, at the schedule's time (06:00 when the schedule is
    not one day and hour), in the network's time zone."""
    if network.round_mode != RoundMode.CAMPAIGN or network.campaign_round_date is None:
        return None
    schedule = day_and_time(network.match_cron)
    at = schedule[1] if schedule else DEFAULT_ROUND_TIME
    return datetime.combine(network.campaign_round_date, at, tzinfo=ZoneInfo(network.timezone))


def automatic_round_allowed(network: Network, today: date) -> bool:
    """Whether the scheduler's round may run today: never while paused; in a campaign, on its date only."""
    if network.rounds_paused:
        return False
    if network.round_mode == RoundMode.CAMPAIGN:
        return network.campaign_round_date == today
    return True


def campaign_round_claimed(network: Network) -> bool:
    """The campaign's round already exists (rounds are keyed by network and week)."""
    if network.campaign_round_date is None:
        return False
    week = network.campaign_round_date - timedelta(days=network.campaign_round_date.weekday())
    return (
        db.session.scalar(select(Round.id).where(Round.network_id == network.id, Round.week_start == week)) is not None
    )


# --- reading and changing the settings ------------------------------------------------------------------


def current(network: Network) -> dict[str, Any]:
    """The settings under the names the form and the API use."""
    values: dict[str, Any] = {name: getattr(network, name) for name in COLUMNS}
    weights = {**limits.DEFAULT_WEIGHTS, **(network.weights or {})}
    values.update({f"weight_{name}": int(weights[name]) for name in WEIGHTS})
    schedule = day_and_time(network.match_cron)
    values["round_day"], values["round_time"] = schedule if schedule else (None, None)
    return values


def _checks(values: dict[str, Any], before: dict[str, Any], cron_is_standard: bool, today: date) -> dict[str, list]:
    """The rules between settings, each error under the field to correct."""
    errors: dict[str, list[str]] = {}

    def refuse(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    def given(name: str) -> bool:
        return values.get(name) is not None

    if given("min_days") and given("max_days") and values["max_days"] < values["min_days"]:
        refuse("max_days", _(limits.MAX_BELOW_MIN))
    if (
        given("opinion_deadline_days")
        and given("answer_deadline_days")
        and values["opinion_deadline_days"] >= values["answer_deadline_days"]
    ):
        refuse(
            "opinion_deadline_days",
            _(
                "L'avis du responsable doit arriver avant la fin du délai de réponse de l'employeur (%(n)d jours).",
                n=values["answer_deadline_days"],
            ),
        )
    if given("immersion_retention_days") and given("quota_years"):
        floor = values["quota_years"] * 365
        if values["immersion_retention_days"] < floor:
            refuse(
                "immersion_retention_days",
                _(
                    "Au moins %(n)d jours : une immersion compte dans le plafond de jours pendant %(years)d ans,"
                    " elle doit être gardée au moins aussi longtemps.",
                    n=floor,
                    years=values["quota_years"],
                ),
            )
    day, at = values.get("round_day"), values.get("round_time")
    if (day is None) != (at is None) or (day is None and cron_is_standard):
        if day is None:
            refuse("round_day", _("Choisissez le jour du tour."))
        if at is None:
            refuse("round_time", _("Indiquez l'heure du tour."))
    if values.get("round_mode") == RoundMode.CAMPAIGN:
        end, on = values.get("campaign_collection_end"), values.get("campaign_round_date")
        if end is None:
            refuse("campaign_collection_end", _("Indiquez jusqu'à quand la campagne reçoit offres et demandes."))
        if on is None:
            refuse("campaign_round_date", _("Indiquez la date du tour de la campagne."))
        if end is not None and on is not None and on < end:
            refuse("campaign_round_date", _("Le tour a lieu après la fin de la collecte, ou le même jour."))
        for name, value in (("campaign_collection_end", end), ("campaign_round_date", on)):
            if value is None or value == before.get(name):
                continue  # a date kept as it was may be past: the campaign has begun
            if value < today:
                refuse(name, _("Cette date est passée : choisissez aujourd'hui ou plus tard."))
            elif value > today + CAMPAIGN_HORIZON:
                refuse(name, _("Date trop lointaine : au plus deux ans à l'avance."))
    return errors


def errors_in(network: Network, data: dict[str, Any], today: date | None = None) -> dict[str, list]:
    """What the rules between settings say about `data` (the page shows it with the schema's errors)."""
    before = current(network)
    cron_is_standard = day_and_time(network.match_cron) is not None
    return _checks({**before, **data}, before, cron_is_standard, today or paris_today())


def _shown(value: Any) -> Any:
    """A value as the audit log stores it (JSON)."""
    if isinstance(value, date | time):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


def update_settings(actor: User, network: Network, data: dict[str, Any], today: date | None = None) -> Network:
    """Apply the given settings (the others stay), all or nothing; one audit entry per changed setting,
    with its old and new value (commits)."""
    if not may_change(actor, network):
        raise NotFound()
    errors = errors_in(network, data, today)
    if errors:
        raise ServiceError(errors)
    before = current(network)
    values = {**before, **data}
    db.begin_write()
    changes: list[tuple[str, Any, Any]] = []
    for name in COLUMNS:
        if values[name] != before[name]:
            changes.append((name, before[name], values[name]))
            setattr(network, name, values[name])
    weights = dict(network.weights or limits.DEFAULT_WEIGHTS)
    for name in WEIGHTS:
        key = f"weight_{name}"
        if values[key] != before[key]:
            changes.append((f"weights.{name}", before[key], values[key]))
            weights[name] = values[key]
    network.weights = weights  # a new dict: the JSON column sees the change
    if values["round_day"] is not None and values["round_time"] is not None:
        cron = cron_of(values["round_day"], values["round_time"])
        if cron != network.match_cron:
            changes.append(("match_cron", network.match_cron, cron))
            network.match_cron = cron
    for name, old, new in changes:
        audit.record(
            actor, "network.settings", network, network_id=network.id, setting=name, old=_shown(old), new=_shown(new)
        )
    db.session.commit()
    return network


# --- "Aperçu": the last round's problem solved again with the matching settings typed, in the scheduler ------

# The draft's names of the matching settings (services/round_drafts.py), and the page's.
DRAFT_NAMES = {
    "fairness_floor_percent": "fairness_floor_percent",
    "mode": "matching_mode",
    "diversity": "diversity_per_session",
    "continuity": "continuity_max_away",
}


def last_round(network: Network) -> Round | None:
    """The network's latest round with a result (in review or published): what an Aperçu solves again."""
    return db.session.scalar(
        select(Round)
        .where(Round.network_id == network.id, Round.status.in_([*IN_REVIEW, RoundStatus.PUBLISHED]))
        .order_by(Round.week_start.desc(), Round.id.desc())
        .limit(1)
    )


def _page_name(draft_name: str) -> str:
    if draft_name.startswith("weights."):
        return "weight_" + draft_name.removeprefix("weights.")
    return DRAFT_NAMES.get(draft_name, draft_name)


def preview(actor: User, network: Network, data: dict[str, Any]) -> RoundDraft:
    """Queue a draft of the last round with the matching settings of `data` (nothing of the network is
    saved); the scheduler solves it and the page compares it with the round. ServiceError when there is no
    round to compare with, or a setting the draft refuses (named as the page names it)."""
    if not may_change(actor, network):
        raise NotFound()
    round_ = last_round(network)
    if round_ is None:
        raise ServiceError(
            {"preview": [_("Aucun tour n'a encore de résultat : il n'y a rien à comparer pour l'instant.")]}
        )
    values = {**current(network), **data}
    overrides = {
        "weights": {name: values[f"weight_{name}"] for name in WEIGHTS},
        "fairness_floor_percent": values["fairness_floor_percent"] or 0,
        "mode": getattr(values["matching_mode"], "value", values["matching_mode"]),
        "diversity": values["diversity_per_session"],
        "continuity": values["continuity_max_away"],
    }
    try:
        return round_drafts.start_draft(round_, actor, overrides)
    except ServiceError as error:
        raise ServiceError({_page_name(name): reasons for name, reasons in error.errors.items()}) from None


def preview_values(draft: RoundDraft) -> dict[str, Any]:
    """A draft's matching settings under the page's names, to show the form as it was previewed."""
    settings = draft.settings or {}
    values: dict[str, Any] = {f"weight_{name}": value for name, value in (settings.get("weights") or {}).items()}
    for draft_name, page_name in DRAFT_NAMES.items():
        if draft_name in settings:
            values[page_name] = settings[draft_name]
    return values
