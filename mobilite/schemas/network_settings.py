"""A network's settings, as its coordinator changes them: the settings page and PATCH /api/v1/network/settings.

Each bound says where it comes from (the law, through mobilite/limits.py, or the engine); the rules that tie
two settings together (shortest ≤ longest, the campaign's dates, immersions kept at least as long as the
quota counts them) are the service's, so the page and the API give the same messages.
"""

from __future__ import annotations

from itertools import permutations

from marshmallow import fields, validate

from mobilite import limits
from mobilite.i18n import N_
from mobilite.models import MatchingMode, OpinionSetting, PublicationScope, RoundMode
from mobilite.schemas.base import FormSchema
from mobilite.schemas.choices import choice_of
from mobilite.services.network_settings import Weekday

MAX_WEIGHT = 20  # a weight is a ratio between goals: 0 switches a goal off, 20 is already 4× the first wish
MAX_PROPOSAL_RESPONSE_DAYS = 30
MAX_NOTICE_DAYS = 365
MAX_MILEAGE_RATE_CENTS = 100
MAX_QUOTA_YEARS = 10
MAX_CONTINUITY = 1000
# The agreement's signatures (services/agreement.py): any order of the three parties.
SIGNING_ORDERS = tuple(",".join(order) for order in permutations(("agent", "home", "host")))


WEIGHT_FIELDS = tuple(f"weight_{name}" for name in limits.DEFAULT_WEIGHTS)
CHECKBOXES = ("requires_offer_validation", "rounds_paused", "reciprocity")
# Left empty in the form, these mean "none": no continuity limit, no fairness floor, no campaign dates.
NULLABLE = ("continuity_max_away", "fairness_floor_percent", "campaign_collection_end", "campaign_round_date")
# The schedule: empty day and hour keep a schedule that the form cannot show as one day and hour.
SCHEDULE = ("round_day", "round_time")


def _days(low: int, high: int, message: str | None = None) -> fields.Integer:
    return fields.Integer(required=True, validate=validate.Range(min=low, max=high, error=message))


def _flag() -> fields.Boolean:
    return fields.Boolean(load_default=False, truthy={"on", "1", "true", "y", True}, falsy={"0", "false", "off", False})


class NetworkSettingsSchema(FormSchema):
    # 1. Offers
    requires_offer_validation = _flag()
    # 2. Durations and the quota, within the law (décret n° 2022-1043)
    min_days = _days(limits.MIN_WORKING_DAYS, limits.MAX_WORKING_DAYS, limits.WORKING_DAYS_RANGE)
    max_days = _days(limits.MIN_WORKING_DAYS, limits.MAX_WORKING_DAYS, limits.WORKING_DAYS_RANGE)
    quota_days = _days(
        1,
        limits.DEFAULT_QUOTA_DAYS,
        N_("Entre 1 et 20 jours : la loi permet au plus 20 jours d'immersion sur 3 ans."),
    )
    quota_years = _days(
        limits.DEFAULT_QUOTA_YEARS,
        MAX_QUOTA_YEARS,
        N_("Entre 3 et 10 ans : la loi compte les jours d'immersion sur 3 ans au moins."),
    )
    # 3. Deadlines
    answer_deadline_days = _days(
        1,
        limits.DEFAULT_ANSWER_DEADLINE_DAYS,
        N_("Entre 1 et 30 jours : la loi donne un mois au plus à l'employeur pour répondre."),
    )
    proposal_response_days = _days(1, MAX_PROPOSAL_RESPONSE_DAYS)
    line_manager_opinion = choice_of(OpinionSetting, required=True, error=N_("Choix inconnu."))
    opinion_deadline_days = _days(1, limits.DEFAULT_ANSWER_DEADLINE_DAYS)
    notice_days = _days(0, MAX_NOTICE_DAYS)
    publication_scope = choice_of(PublicationScope, required=True, error=N_("Choix inconnu."))
    mileage_rate_cents = _days(0, MAX_MILEAGE_RATE_CENTS)
    signing_order = fields.String(required=True, validate=validate.OneOf(SIGNING_ORDERS, error=N_("Choix inconnu.")))
    # 4. The rounds' schedule
    round_mode = choice_of(RoundMode, required=True, error=N_("Choix inconnu."))
    round_day = choice_of(Weekday, allow_none=True, error=N_("Jour inconnu."))
    round_time = fields.Time(
        format="%H:%M", allow_none=True, error_messages={"invalid": N_("Heure non valable (format attendu : HH:MM).")}
    )
    rounds_paused = _flag()
    campaign_collection_end = fields.Date(load_default=None, allow_none=True)
    campaign_round_date = fields.Date(load_default=None, allow_none=True)
    # 5. Matching
    matching_mode = choice_of(MatchingMode, required=True, error=N_("Choix inconnu."))
    diversity_per_session = _days(1, limits.MAX_CAPACITY)
    continuity_max_away = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=1, max=MAX_CONTINUITY)
    )
    fairness_floor_percent = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=100))
    reciprocity = _flag()
    # The soft goals' weights (appariement.Weights; a test checks that every one of them is here).
    weight_wish = _days(0, MAX_WEIGHT)
    weight_interest = _days(0, MAX_WEIGHT)
    weight_skill_fit = _days(0, MAX_WEIGHT)
    weight_distance = _days(0, MAX_WEIGHT)
    weight_waiting = _days(0, MAX_WEIGHT)
    weight_base = _days(0, MAX_WEIGHT)
    weight_fairness = _days(0, MAX_WEIGHT)
    weight_reciprocity = _days(0, MAX_WEIGHT)
    # 6. Retention
    retention_days = _days(limits.MIN_REQUEST_RETENTION_DAYS, limits.MAX_RETENTION_DAYS)
    immersion_retention_days = _days(1, limits.MAX_RETENTION_DAYS)
    sign_in_log_retention_days = _days(
        limits.MIN_SIGN_IN_LOG_RETENTION_DAYS,
        limits.MAX_SIGN_IN_LOG_RETENTION_DAYS,
        N_("Entre 182 et 365 jours : la CNIL recommande de garder les traces de connexion de six mois à un an."),
    )
    audit_retention_days = _days(limits.MIN_AUDIT_RETENTION_DAYS, limits.MAX_RETENTION_DAYS)


class NetworkSettingsPatchSchema(NetworkSettingsSchema):
    """PATCH /api/v1/network/settings: the settings sent change, the others stay."""

    def __init__(self, **kwargs):
        super().__init__(partial=True, **kwargs)
