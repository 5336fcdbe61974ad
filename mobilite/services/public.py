"""What the public pages (home, questions, personal data) state, with every figure read where its rule lives:
the law's defaults in mobilite.limits, the purge periods in services.retention, the sign-in durations in
the configuration, and each network's retention period in the database."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any, TypedDict

from sqlalchemy import func, select

from mobilite import limits
from mobilite.extensions import db
from mobilite.models import Network
from mobilite.services import retention


class PublicFacts(TypedDict):
    min_days: int
    max_days: int
    quota_days: int
    quota_years: int
    answer_deadline_days: int
    proposal_response_days: int
    max_wishes: int
    # A network sets its own retention periods: for each, the shortest and the longest in use (the default
    # when there is no network yet).
    retention_days_low: int
    retention_days_high: int
    immersion_days: tuple[int, int]
    sign_in_log_days: tuple[int, int]
    audit_days: tuple[int, int]
    sent_mail_days: int
    login_attempts_days: int
    throttles_days: int
    password_link_hours: int
    session_hours: int
    remember_days: int


def _days(span: timedelta) -> int:
    return span.days


# Each period a network sets, with the default that holds while there is no network yet.
_PERIODS = (
    (Network.retention_days, limits.DEFAULT_RETENTION_DAYS),
    (Network.immersion_retention_days, limits.DEFAULT_IMMERSION_RETENTION_DAYS),
    (Network.sign_in_log_retention_days, limits.DEFAULT_SIGN_IN_LOG_RETENTION_DAYS),
    (Network.audit_retention_days, limits.DEFAULT_AUDIT_RETENTION_DAYS),
)


def retention_ranges() -> list[tuple[int, int]]:
    """The shortest and the longest of each period in use, in _PERIODS' order: one query for all four."""
    row = db.session.execute(select(*(f(column) for column, _ in _PERIODS for f in (func.min, func.max)))).one()
    return [
        (default, default) if row[2 * i] is None else (int(row[2 * i]), int(row[2 * i + 1]))
        for i, (_, default) in enumerate(_PERIODS)
    ]


def public_facts(config: Mapping[str, Any]) -> PublicFacts:
    (low, high), immersion_days, sign_in_log_days, audit_days = retention_ranges()
    return {
        "min_days": limits.DEFAULT_MIN_DAYS,
        "max_days": limits.DEFAULT_MAX_DAYS,
        "quota_days": limits.DEFAULT_QUOTA_DAYS,
        "quota_years": limits.DEFAULT_QUOTA_YEARS,
        "answer_deadline_days": limits.DEFAULT_ANSWER_DEADLINE_DAYS,
        "proposal_response_days": limits.DEFAULT_PROPOSAL_RESPONSE_DAYS,
        "max_wishes": limits.MAX_WISHES,
        "retention_days_low": low,
        "retention_days_high": high,
        "immersion_days": immersion_days,
        "sign_in_log_days": sign_in_log_days,
        "audit_days": audit_days,
        "sent_mail_days": _days(retention.SENT_MAIL_KEPT),
        "login_attempts_days": _days(retention.LOGIN_ATTEMPTS_KEPT),
        "throttles_days": _days(retention.THROTTLES_KEPT),
        "password_link_hours": int(config["PASSWORD_TOKEN_HOURS"]),
        "session_hours": int(config["PERMANENT_SESSION_LIFETIME"].total_seconds() // 3600),
        "remember_days": _days(config["REMEMBER_COOKIE_DURATION"]),
    }
