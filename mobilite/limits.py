"""Limits and defaults of the rules, in one place, with the messages that state them.

The models' CheckConstraints, the marshmallow schemas, the services and the templates read their bounds
here; a message that both a schema and a service may give is defined here once (marked with N_, translated
where it is shown: `gettext(MESSAGE, **values)` in a service, as is in a schema's error).

The matching engine's defaults (weights, diversity, fairness floor) belong to `appariement`: they are read
from its `Settings()` and `Weights()`, never typed again here.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Final

import appariement
from mobilite.i18n import N_

# The law (décret n° 2022-1043): an immersion lasts 1 to 10 working days; an agent spends at most 20 days in
# immersion over 3 years, all employers together; the home employer answers within a month.
MIN_WORKING_DAYS: Final = 1
MAX_WORKING_DAYS: Final = 10
WORKING_DAYS_RANGE: Final = N_("Entre 1 et 10 jours ouvrés.")
SESSION_WORKING_DAYS: Final = N_("Une session compte de 1 à 10 jours ouvrés (ici : %(n)d).")

# A network's rules, by default the law's (each network may tighten them within the legal range).
DEFAULT_MIN_DAYS: Final = 2
DEFAULT_MAX_DAYS: Final = MAX_WORKING_DAYS
DEFAULT_QUOTA_DAYS: Final = 20
DEFAULT_QUOTA_YEARS: Final = 3
DEFAULT_ANSWER_DEADLINE_DAYS: Final = 30
DEFAULT_PROPOSAL_RESPONSE_DAYS: Final = 7
DEFAULT_RETENTION_DAYS: Final = 3 * 365
# Each network sets how long it keeps what follows (bounds in days; the form says them in words).
# Ended immersions: 5 years after their last day, the limitation period of a civil action (Code civil,
# article 2224) over what happened during one; never less than the quota's window, whose count they make.
DEFAULT_IMMERSION_RETENTION_DAYS: Final = 5 * 365
MAX_RETENTION_DAYS: Final = 10 * 365
MIN_REQUEST_RETENTION_DAYS: Final = 30
# Sign-in logs: the CNIL recommends keeping access logs between 6 months and 1 year (recommandation
# « journalisation » of 2021); 1 year by default, to trace an intrusion found late.
DEFAULT_SIGN_IN_LOG_RETENTION_DAYS: Final = 365
MIN_SIGN_IN_LOG_RETENTION_DAYS: Final = 182
MAX_SIGN_IN_LOG_RETENTION_DAYS: Final = 365
# The rest of the audit log (role changes, exports, erasures, rounds): 5 years, as the immersions it traces.
DEFAULT_AUDIT_RETENTION_DAYS: Final = 5 * 365
MIN_AUDIT_RETENTION_DAYS: Final = 365
# The request is made at least three months before the immersion starts (article 13-1), unless the agent and
# their line authority agree on less; the line manager gives their opinion within half the employer's month,
# so that HR still answers in time.
DEFAULT_NOTICE_DAYS: Final = 90
DEFAULT_OPINION_DEADLINE_DAYS: Final = 15
# Mission expenses: the civil service's mileage allowance for a car of 5 fiscal horsepower or less, up to
# 2,000 km a year (arrêté du 3 juillet 2006 as amended in 2022): 0.32 euro a kilometre.
DEFAULT_MILEAGE_RATE_CENTS: Final = 32
MAX_TRAVEL_DISTANCE_KM: Final = 2000
MAX_TRAVEL_FARE_CENTS: Final = 100_000

# A new request's duration until the agent chooses one.
DEFAULT_REQUEST_MIN_DAYS: Final = DEFAULT_MIN_DAYS
DEFAULT_REQUEST_MAX_DAYS: Final = 5

# A request: its availability windows, its ranked wishes, how far the agent would go.
MAX_WINDOWS: Final = 10
MAX_WISHES: Final = 5
MAX_DISTANCE_KM: Final = 2000

# An offer's session.
MIN_CAPACITY: Final = 1
MAX_CAPACITY: Final = 50

# Skill levels, from 1 (notions) to 4 (expertise), and the feedback's satisfaction mark.
MIN_SKILL_LEVEL: Final = 1
MAX_SKILL_LEVEL: Final = 4
MIN_SATISFACTION: Final = 1
MAX_SATISFACTION: Final = 5

# Free text.
MAX_REASON_LENGTH: Final = 2000
MAX_LONG_TEXT_LENGTH: Final = 4000
REASON_TOO_LONG: Final = N_("2 000 caractères au plus.")
LONG_TEXT_TOO_LONG: Final = N_("4 000 caractères au plus.")

# The matching engine's defaults, owned by appariement.
ENGINE_DEFAULTS: Final = appariement.Settings()
DEFAULT_WEIGHTS: Final[dict[str, int]] = asdict(ENGINE_DEFAULTS.weights)
DEFAULT_DIVERSITY: Final = ENGINE_DEFAULTS.diversity
DEFAULT_FAIRNESS_FLOOR_PERCENT: Final = round(ENGINE_DEFAULTS.fairness_floor * 100)

# Messages given both by a schema (the form's or the API's input) and by a service (the rule itself).
END_BEFORE_START: Final = N_("La date de fin doit être égale ou postérieure à la date de début.")
MAX_BELOW_MIN: Final = N_("La durée maximale doit être supérieure ou égale à la durée minimale.")
DATE_TOO_FAR: Final = N_("Date trop lointaine : au plus tard le %(latest)s (deux ans à l'avance).")
CHOOSE_AN_ANSWER: Final = N_("Choisissez une réponse.")
REQUEST_REASON_REQUIRED: Final = N_(
    "Expliquez votre réponse à l'agent : le motif est obligatoire pour un refus ou un report."
)
DECLINE_REASON_REQUIRED: Final = N_("Indiquez pourquoi vous déclinez : le motif est obligatoire.")
REJECT_REASON_REQUIRED: Final = N_("Indiquez pourquoi cette proposition est écartée.")
CHOOSE_A_SATISFACTION: Final = N_("Choisissez une note de 1 à 5.")
