"""What an offer's tutor sees of an immersion they tutor, through the signed link of their e-mails.

Tutors may have no account: the link is the credential. It stops working when the offer names another
tutor, and some time after the immersion ended. From it, the tutor reads the agreement's summary and gives
the host's feedback (the same form as the host's HR; the host's side answers once).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mobilite.extensions import db
from mobilite.models import Feedback, FeedbackSide, Immersion, Offer, OfferSession, Outcome
from mobilite.notifications import links
from mobilite.services import feedback, immersions
from mobilite.services.people import hr_officers

LINK_DAYS_AFTER_END = 120


def immersion_for_tutor(token: str, today: date | None = None) -> Immersion | None:
    """The immersion the link is for, if it is still the offer's tutor's and not too old; else None."""
    found = links.read_tutor_token(token)
    if found is None:
        return None
    immersion_id, email = found
    immersion = db.session.scalar(
        select(Immersion)
        .where(Immersion.id == immersion_id)
        .options(
            selectinload(Immersion.session).selectinload(OfferSession.offer).selectinload(Offer.organisation),
            selectinload(Immersion.feedback),
        )
    )
    if immersion is None:
        return None
    if (immersion.session.offer.tutor_email or "").strip().lower() != email:
        return None
    if (today or date.today()) > immersion.end_date + timedelta(days=LINK_DAYS_AFTER_END):
        return None
    return immersion


def tutor_view(immersion: Immersion) -> dict:
    """The page's values: the agreement's summary, the first day's meeting, whom to talk to."""
    return {
        "immersion": immersion,
        "summary": immersions.agreement_summary(immersion),
        "meeting": immersions.meeting_text(immersion.session.offer),
        "officers": hr_officers(immersion.host_organisation_id),
        "host_feedback": feedback.feedback_of(immersion, FeedbackSide.HOST),
        "feedback_open": feedback.is_open(immersion),
        "outcomes": [(o.value, feedback.OUTCOME_LABELS[o]) for o in Outcome],
        "status_labels": immersions.STATUS_LABELS,
    }


def give_host_feedback(immersion: Immersion, data: dict, today: date | None = None) -> Feedback:
    """The host's feedback from the tutor's page (the link was checked by immersion_for_tutor): once for the
    host's side, whether the tutor or the host's HR gives it first."""
    return feedback.give_tutor_feedback(immersion, data, today)
