"""Feedback after an immersion, from the agent and from the host: one per side.

- Feedback opens on the immersion's last day. The `request_feedback` job asks each side the day after the
  end date (once the immersion is DONE), then reminds the sides that have not answered at +3 and +10 days
  after that first request; a side that answered is never asked again.
- Outcome: done / partly done / did not happen; a reason is required unless done. Satisfaction (1–5) and
  "would recommend" are required unless it did not happen.
- When both sides report that it did not happen, the immersion is CANCELLED: its days no longer count
  against the agent's quota. Partly done: the side says how many working days were done, and the quota
  counts those (the fewer, when both sides say).
- The host may add the tutor's short appraisal, which the agent's certificate quotes.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from mobilite import notifications
from mobilite.authz import may_give_feedback
from mobilite.extensions import db
from mobilite.i18n import format_date
from mobilite.lifecycles import immersion as immersion_lifecycle
from mobilite.lifecycles.immersion import ImmersionMove
from mobilite.limits import CHOOSE_A_SATISFACTION
from mobilite.models import (
    Feedback,
    FeedbackSide,
    Immersion,
    ImmersionStatus,
    Offer,
    OfferSession,
    Outcome,
    User,
    utcnow,
)
from mobilite.services import audit
from mobilite.services.errors import ServiceError
from mobilite.services.immersions import complete_immersions, local_day
from mobilite.services.people import hr_officers

# Reminders, in days after the first request.
REMINDER_DAYS = (3, 10)

OUTCOME_LABELS = {
    Outcome.DONE: _l("L'immersion a eu lieu"),
    Outcome.PARTLY_DONE: _l("L'immersion a eu lieu en partie"),
    Outcome.DID_NOT_HAPPEN: _l("L'immersion n'a pas eu lieu"),
}


def given_sides(immersion: Immersion) -> set[FeedbackSide]:
    return {f.side for f in immersion.feedback}


def feedback_of(immersion: Immersion, side: FeedbackSide) -> Feedback | None:
    return next((f for f in immersion.feedback if f.side == side), None)


def is_open(immersion: Immersion, today: date | None = None) -> bool:
    """Feedback may be given from the last day of the immersion on (never on a cancelled one)."""
    today = today or date.today()
    return immersion.status != ImmersionStatus.CANCELLED and today >= immersion.end_date


def give_feedback(
    actor: User, immersion: Immersion, side: FeedbackSide, data: dict, today: date | None = None
) -> Feedback:
    side = FeedbackSide(side)
    if not may_give_feedback(actor, immersion, side):
        raise ServiceError(_("Vous ne pouvez pas donner le bilan de cette partie."))
    return _save(actor, immersion, side, data, today or date.today())


def give_tutor_feedback(immersion: Immersion, data: dict, today: date | None = None) -> Feedback:
    """The host's feedback, given by the offer's tutor through their link (services.tutors checked it), without
    an account: the same rules, once for the host side whoever gives it; HR of the host are told."""
    tutor_name = (immersion.session.offer.tutor_name or "").strip() or immersion.session.offer.tutor_email
    return _save(None, immersion, FeedbackSide.HOST, data, today or date.today(), tutor_name=tutor_name)


def _save(
    actor: User | None, immersion: Immersion, side: FeedbackSide, data: dict, today: date, tutor_name: str = ""
) -> Feedback:
    """Record one side's feedback, by an account (`actor`) or by the tutor (`tutor_name`, no account)."""
    if immersion.status == ImmersionStatus.CANCELLED:
        raise ServiceError(_("Cette immersion est annulée."))
    if today < immersion.end_date:
        raise ServiceError(
            _("Le bilan s'ouvre le dernier jour de l'immersion, le %(d)s.", d=format_date(immersion.end_date, "long"))
        )
    if feedback_of(immersion, side) is not None:
        raise ServiceError(_("Le bilan a déjà été donné pour cette partie."))
    outcome = Outcome(data["outcome"])
    reason = (data.get("outcome_reason") or "").strip()
    errors: dict[str, list[str]] = {}
    if outcome != Outcome.DONE and not reason:
        errors["outcome_reason"] = [_("Expliquez ce qui n'a pas eu lieu : le motif est obligatoire.")]
    if outcome != Outcome.DID_NOT_HAPPEN:
        if data.get("satisfaction") is None:
            errors["satisfaction"] = [_(CHOOSE_A_SATISFACTION)]
        if data.get("would_recommend") is None:
            errors["would_recommend"] = [_("Répondez par oui ou non.")]
    days_done = data.get("days_done")
    if outcome == Outcome.PARTLY_DONE:
        if days_done is None or not 1 <= days_done <= immersion.working_days:
            errors["days_done"] = [
                _("Indiquez le nombre de jours réalisés, entre 1 et %(n)d.", n=immersion.working_days)
            ]
    else:
        days_done = None
    if errors:
        raise ServiceError(errors)
    happened = outcome != Outcome.DID_NOT_HAPPEN
    feedback = Feedback(
        immersion=immersion,
        author_id=actor.id if actor is not None else None,
        tutor_name=tutor_name,
        side=side,
        outcome=outcome,
        outcome_reason=reason,
        satisfaction=data.get("satisfaction") if happened else None,
        learned=(data.get("learned") or "").strip(),
        would_recommend=data.get("would_recommend") if happened else None,
        days_done=days_done,
        # The tutor's short appraisal, for the certificate: the host's only.
        appraisal=(data.get("appraisal") or "").strip() if side == FeedbackSide.HOST and happened else "",
    )
    db.session.add(feedback)
    try:
        db.session.flush()
    except IntegrityError:  # the same side answered at the same moment from another session
        db.session.rollback()
        raise ServiceError(_("Le bilan a déjà été donné pour cette partie.")) from None
    organisation_id = immersion.home_organisation_id if side == FeedbackSide.AGENT else immersion.host_organisation_id
    audit.record(
        actor,
        "feedback.give",
        immersion,
        organisation_id=organisation_id,
        side=side.value,
        outcome=outcome.value,
        **({"by": "tutor"} if tutor_name else {}),
    )
    if days_done is not None:  # the quota counts the days actually done, the fewer if both sides say
        immersion.days_done = min(days_done, immersion.days_done or immersion.working_days)
    others = [f for f in immersion.feedback if f.side != side]
    if not happened and others and all(f.outcome == Outcome.DID_NOT_HAPPEN for f in others):
        immersion.status = immersion_lifecycle.check_move(immersion.status, ImmersionMove.CANCEL)
        audit.record(
            actor, "immersion.cancel", immersion, organisation_id=organisation_id, reason="both_sides_did_not_happen"
        )
        _notify_cancelled(immersion, actor)
    if tutor_name:  # the host's HR read it on the immersion's page: they are told it is given
        agent = db.session.get_one(User, immersion.agent_id)
        officers = [u for u in hr_officers(immersion.host_organisation_id) if u.id != agent.id]
        notifications.feedback_given_by_tutor(immersion, agent, feedback, officers)
    db.session.commit()
    return feedback


def _notify_cancelled(immersion: Immersion, actor: User | None) -> None:
    """Everyone the immersion concerns but the one who just said so: its days go back to the quota."""
    agent = db.session.get_one(User, immersion.agent_id)
    candidates = [(agent, "agent")]
    candidates += [(u, "home") for u in hr_officers(immersion.home_organisation_id)]
    candidates += [(u, "host") for u in hr_officers(immersion.host_organisation_id)]
    seen = {actor.id} if actor is not None else set()
    recipients = []
    for user, role in candidates:
        if user.id not in seen and user.active:
            seen.add(user.id)
            recipients.append((user, role))
    notifications.immersion_cancelled(immersion, agent, recipients)


def _ask(immersion: Immersion, missing: set[FeedbackSide], reminder: bool) -> None:
    agent = db.session.get_one(User, immersion.agent_id)
    recipients: list[tuple[User, FeedbackSide]] = []
    if FeedbackSide.AGENT in missing:
        recipients.append((agent, FeedbackSide.AGENT))
    if FeedbackSide.HOST in missing:
        recipients += [(u, FeedbackSide.HOST) for u in hr_officers(immersion.host_organisation_id) if u.id != agent.id]
    notifications.feedback_requested(immersion, agent, recipients, reminder)


def request_feedback(today: date | None = None, now: datetime | None = None) -> int:
    """Job: mark ended immersions DONE, then ask each side that has not answered for its feedback, with
    reminders REMINDER_DAYS after the first request. Returns how many immersions were asked or reminded."""
    today, now = today or date.today(), now or utcnow()
    complete_immersions(today)
    candidates = db.session.scalars(
        select(Immersion)
        .where(
            Immersion.status == ImmersionStatus.DONE,
            Immersion.end_date < today,
            or_(Immersion.feedback_requested_at.is_(None), Immersion.feedback_reminders < len(REMINDER_DAYS)),
        )
        .options(
            selectinload(Immersion.feedback),
            selectinload(Immersion.session).selectinload(OfferSession.offer).selectinload(Offer.organisation),
        )
        .order_by(Immersion.id)
        .with_for_update(of=Immersion, skip_locked=True)
    ).all()
    touched = 0
    for immersion in candidates:
        missing = set(FeedbackSide) - given_sides(immersion)
        if not missing:
            continue
        if immersion.feedback_requested_at is None:
            _ask(immersion, missing, reminder=False)
            immersion.feedback_requested_at = now
            audit.record(None, "feedback.request", immersion, organisation_id=immersion.host_organisation_id)
            touched += 1
            continue
        requested_on = local_day(immersion.feedback_requested_at)
        # One reminder per run at most: a job that missed a threshold does not send two in a row.
        passed = sum(1 for days in REMINDER_DAYS if today >= requested_on + timedelta(days=days))
        if passed > immersion.feedback_reminders:
            _ask(immersion, missing, reminder=True)
            immersion.feedback_reminders = passed
            audit.record(
                None, "feedback.remind", immersion, organisation_id=immersion.host_organisation_id, reminder=passed
            )
            touched += 1
    db.session.commit()
    return touched
