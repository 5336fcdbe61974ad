"""After publication: the agent and the host accept or decline a proposal; unanswered ones expire.

Lifecycle (the round's publication sets PUBLISHED, `respond_by` and the request to MATCHED):

- each side answers once, on or before `respond_by` (the deadline day included). The proposal stays
  PUBLISHED while one side has accepted and the other not yet answered (`agent_answer` / `host_answer` say
  who did what);
- both accept → CONFIRMED, and an Immersion is created. The request stays MATCHED until the immersion ends
  (see services/immersions.complete_immersions), then it is CLOSED;
- either side declines (a reason is required) → DECLINED; the request goes back to APPROVED for the next
  round, the seat is free again and the pair is forbidden in later rounds;
- nobody (or only one side) answered by `respond_by` → EXPIRED by the `expire_proposals` job; the request
  goes back to APPROVED and the seat is free. An expired pair is not forbidden: it may be proposed again.

Every step is audited and tells the other parties (agent, home HR, host HR) through the outbox, each in
their own language (mobilite.notifications).
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from mobilite import notifications
from mobilite.authz import Scope, may_answer
from mobilite.extensions import db
from mobilite.i18n import format_date
from mobilite.labels import label
from mobilite.lifecycles import immersion as immersion_lifecycle
from mobilite.lifecycles import proposal as proposal_lifecycle
from mobilite.lifecycles import request as request_lifecycle
from mobilite.lifecycles.proposal import STORED_ANSWER, ProposalAnswer, ProposalMove
from mobilite.lifecycles.request import RequestMove
from mobilite.limits import DECLINE_REASON_REQUIRED
from mobilite.models import (
    Answer,
    ForbiddenPair,
    Immersion,
    ImmersionRequest,
    ImmersionStatus,
    Offer,
    OfferSession,
    Proposal,
    ProposalStatus,
    User,
    utcnow,
)
from mobilite.services import agreement as agreement_service
from mobilite.services import audit, listings, rules
from mobilite.services.concurrency import commit_versioned, stale
from mobilite.services.errors import ServiceError
from mobilite.services.people import hr_officers

SIDES = ("agent", "host")
REASON_MAX = 2000


def parties(proposal: Proposal) -> list[tuple[User, str]]:
    """Everyone concerned by a proposal, once each: (user, "agent" | "home" | "host")."""
    request = proposal.request
    seen: set[int] = set()
    found: list[tuple[User, str]] = []
    candidates = [(request.agent, "agent")]
    candidates += [(u, "home") for u in hr_officers(request.organisation_id)]
    candidates += [(u, "host") for u in hr_officers(proposal.session.offer.organisation_id)]
    for user, role in candidates:
        if user.id not in seen and user.active:
            seen.add(user.id)
            found.append((user, role))
    return found


def _load(proposal_id: int, lock: bool = False) -> Proposal | None:
    query = select(Proposal).where(Proposal.id == proposal_id)
    if lock:  # PostgreSQL: the second of two simultaneous answers waits, then sees the first one
        query = query.with_for_update().execution_options(populate_existing=True)
    return db.session.scalars(query).first()


def seats_taken(session_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count(Immersion.id)).where(
                Immersion.session_id == session_id, Immersion.status.in_(immersion_lifecycle.COUNTED)
            )
        )
        or 0
    )


def forbid_pair(proposal: Proposal, actor: User, reason: str, source: str) -> None:
    """Never propose this request × session again (a coordinator's rejection, a party's refusal)."""
    exists = db.session.scalar(
        select(ForbiddenPair.id).where(
            ForbiddenPair.request_id == proposal.request_id, ForbiddenPair.session_id == proposal.session_id
        )
    )
    if exists is None:
        db.session.add(
            ForbiddenPair(
                request_id=proposal.request_id,
                session_id=proposal.session_id,
                reason=reason,
                source=source,
                created_by_id=actor.id,
            )
        )


def forbid_pairs(proposals: list[Proposal], actor: User, reason: str, source: str) -> None:
    """forbid_pair for many proposals at once (a bulk rejection): one query for the pairs forbidden already."""
    if not proposals:
        return
    existing = set(
        db.session.execute(
            select(ForbiddenPair.request_id, ForbiddenPair.session_id).where(
                ForbiddenPair.request_id.in_({p.request_id for p in proposals})
            )
        ).all()
    )
    for pair in dict.fromkeys((p.request_id, p.session_id) for p in proposals):
        if pair not in existing:
            db.session.add(
                ForbiddenPair(
                    request_id=pair[0], session_id=pair[1], reason=reason, source=source, created_by_id=actor.id
                )
            )


def _release_request(immersion_request: ImmersionRequest) -> None:
    """Back to the next round (a request withdrawn meanwhile stays withdrawn)."""
    if request_lifecycle.LIFECYCLE.allows(immersion_request.status, RequestMove.RELEASE):
        immersion_request.status = request_lifecycle.check_move(immersion_request.status, RequestMove.RELEASE)


def answer_proposal(
    actor: User, proposal: Proposal, side: str, answer: ProposalAnswer, reason: str = "", today: date | None = None
) -> Proposal:
    """One side's answer. Refused after the deadline, twice, or for someone else's side; one commit."""
    today = today or date.today()
    reason = (reason or "").strip()
    try:
        answer = ProposalAnswer(answer)
    except ValueError:
        raise ServiceError({"answer": [_("Choisissez d'accepter ou de décliner.")]}) from None
    accept = answer == ProposalAnswer.ACCEPT
    if side not in SIDES:
        raise ServiceError({"side": [_("Partie inconnue.")]})
    if not accept and not reason:
        raise ServiceError({"reason": [_(DECLINE_REASON_REQUIRED)]})
    if len(reason) > REASON_MAX:
        raise ServiceError({"reason": [_("%(n)d caractères au plus.", n=REASON_MAX)]})
    locked = _load(proposal.id, lock=True)
    if locked is None:
        raise ServiceError(_("Cette proposition n'existe plus."))
    proposal = locked
    if not may_answer(actor, proposal, side):
        raise ServiceError(_("Vous ne pouvez pas répondre pour cette partie."))
    answered = proposal.agent_answer if side == "agent" else proposal.host_answer
    if answered is not None:
        raise ServiceError(_("Vous avez déjà répondu à cette proposition."))
    proposal_lifecycle.check_move(
        proposal.status,
        ProposalMove.ACCEPT if accept else ProposalMove.DECLINE,
        _("Cette proposition n'attend plus de réponse (%(status)s).", status=label(proposal.status)),
    )
    if proposal.respond_by is not None and today > proposal.respond_by:
        raise ServiceError(
            _("Le délai de réponse est dépassé depuis le %(d)s.", d=format_date(proposal.respond_by, "long"))
        )
    session = proposal.session
    if accept and session.start_date < today:
        raise ServiceError(
            _(
                "Cette immersion aurait dû commencer le %(d)s : elle ne peut plus être acceptée.",
                d=format_date(session.start_date, "long"),
            )
        )

    network = proposal.round.network
    other = proposal.host_answer if side == "agent" else proposal.agent_answer
    completes = accept and other == Answer.ACCEPTED
    if accept:
        # Checked again at answer time: another immersion may have been confirmed since the round.
        remaining = rules.remaining_quota(proposal.request.agent_id, network, session.start_date)
        if session.working_days > remaining:
            raise ServiceError(
                _(
                    "Cette immersion de %(days)d jours dépasserait le quota de %(agent)s : il reste "
                    "%(left)d jours sur %(quota)d sur %(years)d ans, tous employeurs confondus.",
                    days=session.working_days,
                    agent=proposal.request.agent.full_name,
                    left=remaining,
                    quota=network.quota_days,
                    years=network.quota_years,
                )
            )
    if completes and seats_taken(session.id) >= session.capacity:
        raise ServiceError(_("Cette session est déjà complète."))

    now = utcnow()
    stored = STORED_ANSWER[answer]
    if side == "agent":
        proposal.agent_answer, proposal.agent_answered_at = stored, now
    else:
        proposal.host_answer, proposal.host_answered_at = stored, now
    organisation_id = proposal.request.organisation_id if side == "agent" else session.offer.organisation_id
    audit.record(
        actor, f"proposal.{answer}", proposal, side=side, organisation_id=organisation_id, network_id=network.id
    )
    if not accept:
        proposal.status = proposal_lifecycle.check_move(proposal.status, ProposalMove.DECLINE)
        proposal.decline_reason = reason
        _release_request(proposal.request)
        forbid_pair(proposal, actor, reason, "declined")
        _notify_declined(proposal, side, reason, actor)
    elif completes:
        immersion = _confirm(proposal)
        audit.record(actor, "proposal.confirm", proposal, network_id=network.id, immersion_id=immersion.id)
        audit.record(actor, "immersion.create", immersion, network_id=network.id)
        _notify_confirmed(proposal, immersion)
        agreement_service.draft(immersion)  # the host's HR is asked to complete it
    else:
        _notify_accepted(proposal, side, actor)
    commit_versioned(
        stale(proposal, _("Cette proposition a changé entre-temps : rechargez la page avant de répondre."))
    )
    return proposal


def _confirm(proposal: Proposal) -> Immersion:
    session, immersion_request = proposal.session, proposal.request
    proposal.status = proposal_lifecycle.check_move(proposal.status, ProposalMove.CONFIRM)
    immersion = Immersion(
        proposal=proposal,
        agent_id=immersion_request.agent_id,
        home_organisation_id=immersion_request.organisation_id,
        host_organisation_id=session.offer.organisation_id,
        session=session,
        start_date=session.start_date,
        end_date=session.end_date,
        working_days=session.working_days,
        status=ImmersionStatus.CONFIRMED,
    )
    db.session.add(immersion)
    db.session.flush()
    return immersion


def _recipients(proposal: Proposal, exclude: User | None = None) -> list[tuple[User, str]]:
    """The parties to tell, but the one who acted (told by the page itself)."""
    return [(user, role) for user, role in parties(proposal) if exclude is None or user.id != exclude.id]


def _notify_accepted(proposal: Proposal, side: str, actor: User) -> None:
    notifications.proposal_accepted(proposal, side, _recipients(proposal, exclude=actor))


def _notify_declined(proposal: Proposal, side: str, reason: str, actor: User) -> None:
    notifications.proposal_declined(proposal, side, reason, _recipients(proposal, exclude=actor))


def _notify_confirmed(proposal: Proposal, immersion: Immersion) -> None:
    """Everyone, the last to accept included: the message leads to the agreement and its calendar file."""
    notifications.proposal_confirmed(proposal, immersion, _recipients(proposal))


def expire_proposals(today: date | None = None) -> int:
    """Job: published proposals past their deadline expire; their requests go back to the next round.

    Idempotent: an expired proposal is no longer PUBLISHED, so a second run finds nothing. Returns how many.
    """
    today = today or date.today()
    due = db.session.scalars(
        select(Proposal)
        .where(Proposal.status == ProposalStatus.PUBLISHED, Proposal.respond_by < today)
        .options(
            selectinload(Proposal.request).selectinload(ImmersionRequest.agent),
            selectinload(Proposal.request).selectinload(ImmersionRequest.organisation),
            selectinload(Proposal.session).selectinload(OfferSession.offer).selectinload(Offer.organisation),
            selectinload(Proposal.round),
        )
        .order_by(Proposal.id)
        .with_for_update(of=Proposal, skip_locked=True)
    ).all()
    for proposal in due:
        proposal.status = proposal_lifecycle.check_move(proposal.status, ProposalMove.EXPIRE)
        _release_request(proposal.request)
        missing = [s for s, a in (("agent", proposal.agent_answer), ("host", proposal.host_answer)) if a is None]
        audit.record(None, "proposal.expire", proposal, network_id=proposal.round.network_id, missing=missing)
        _notify_expired(proposal, missing)
    db.session.commit()
    return len(due)


def _notify_expired(proposal: Proposal, missing: list[str]) -> None:
    notifications.proposal_expired(proposal, missing, _recipients(proposal))


# --- pages ------------------------------------------------------------------------------------------


def _with_details(query):
    return query.options(
        selectinload(Proposal.request).selectinload(ImmersionRequest.agent),
        selectinload(Proposal.request).selectinload(ImmersionRequest.organisation),
        selectinload(Proposal.session).selectinload(OfferSession.offer).selectinload(Offer.organisation),
    )


def immersion_of(proposal: Proposal) -> Immersion | None:
    return db.session.scalar(select(Immersion).where(Immersion.proposal_id == proposal.id))


def hr_overview(actor: User, limit: int = 100) -> dict:
    """The HR page: proposals to the organisation's offers awaiting its answer, then immersions hosted
    and sent, and proposals made to its agents. Bounded by `limit` per list."""
    org_id = actor.organisation_id
    hosted_offer = select(Offer.id).where(Offer.organisation_id == org_id)
    hosted_sessions = select(OfferSession.id).where(OfferSession.offer_id.in_(hosted_offer))
    to_answer = db.session.scalars(
        _with_details(
            select(Proposal)
            .where(
                Proposal.session_id.in_(hosted_sessions),
                Proposal.status == ProposalStatus.PUBLISHED,
                Proposal.host_answer.is_(None),
            )
            .order_by(Proposal.respond_by, Proposal.id)
            .limit(limit)
        )
    ).all()
    sent = db.session.scalars(
        _with_details(
            select(Proposal)
            .join(ImmersionRequest, Proposal.request_id == ImmersionRequest.id)
            .where(
                ImmersionRequest.organisation_id == org_id,
                Proposal.status.in_(proposal_lifecycle.SHOWN),
                Proposal.status != ProposalStatus.CONFIRMED,
            )
            .order_by(Proposal.updated_at.desc(), Proposal.id.desc())
            .limit(limit)
        )
    ).all()
    immersions = db.session.scalars(
        listings.scoped_immersions(actor, Scope.ORGANISATION).options(selectinload(Immersion.feedback)).limit(limit)
    ).all()
    agents = (
        {u.id: u for u in db.session.scalars(select(User).where(User.id.in_({i.agent_id for i in immersions}))).all()}
        if immersions
        else {}
    )
    return {"to_answer": to_answer, "sent": sent, "immersions": immersions, "agents": agents}
