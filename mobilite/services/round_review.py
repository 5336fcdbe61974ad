"""The coordinator's review of a round: approve, reject, replace by hand, pin, publish.

Each change takes the round's row lock first (services.rounds.lock_round) and checks the round is still in
review, so a review change, a publication and a rerun of one round happen one after the other.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from appariement import RuleName, check_placements
from mobilite import notifications
from mobilite.extensions import db
from mobilite.i18n import N_
from mobilite.lifecycles import proposal as proposal_lifecycle
from mobilite.lifecycles import request as request_lifecycle
from mobilite.lifecycles.proposal import ProposalMove, ReviewDecision
from mobilite.lifecycles.request import RequestMove
from mobilite.lifecycles.round import IN_REVIEW
from mobilite.limits import REJECT_REASON_REQUIRED
from mobilite.models import (
    ImmersionRequest,
    Offer,
    OfferSession,
    Organisation,
    Proposal,
    ProposalStatus,
    Round,
    RoundStatus,
    User,
    utcnow,
)
from mobilite.services import audit, listings, rounds
from mobilite.services.concurrency import check_version, commit_versioned, stale
from mobilite.services.errors import ServiceError
from mobilite.services.people import hr_officers_by_organisation
from mobilite.services.proposals import forbid_pair
from mobilite.services.round_problem import load_problem

# Names of the engine's hard rules, as a coordinator reads them.
RULE_LABELS: dict[RuleName, str] = {
    RuleName.OWN_ORGANISATION: N_("l'agent serait accueilli·e dans sa propre organisation"),
    RuleName.DATES: N_("la session ne tombe dans aucune de ses disponibilités"),
    RuleName.DURATION: N_("la durée de la session sort de la durée demandée"),
    RuleName.QUOTA: N_("la session dépasse le quota de jours qui lui reste"),
    RuleName.DISTANCE: N_("le lieu est au-delà de sa distance maximale"),
    RuleName.PREREQUISITES: N_("l'agent n'a pas les prérequis de l'offre"),
    RuleName.FORBIDDEN: N_("cette paire a déjà été écartée ou déclinée"),
    RuleName.ONE_PLACEMENT_PER_REQUEST: N_("l'agent aurait deux placements"),
    RuleName.CAPACITY: N_("la session dépasserait sa capacité"),
    RuleName.DIVERSITY: N_("la session accueillerait trop d'agents de la même organisation"),
    RuleName.PINS: N_("un placement épinglé ne serait plus tenu"),
    RuleName.CONTINUITY: N_("trop d'agents de la même organisation seraient absents le même jour"),
    RuleName.CLOSED: N_("la demande ou la session ne fait pas partie de ce tour"),
}


_CHANGED = N_("Cette proposition a changé depuis votre lecture : relisez-la avant de recommencer.")


def _lock_for_review(proposal: Proposal, version: int | None = None) -> Proposal:
    """Take the proposal's round lock, check the round is in review, and read the proposal afresh; when the
    caller names the `version` it read (an If-Match), a proposal changed since raises Conflict."""
    round_ = rounds.lock_round(proposal.round_id)
    if round_ is None or round_.status not in IN_REVIEW:
        db.session.rollback()
        raise ServiceError(_("Ce tour n'est plus en revue."))
    fresh = db.session.scalars(
        select(Proposal).where(Proposal.id == proposal.id).execution_options(populate_existing=True)
    ).first()
    if fresh is None:
        db.session.rollback()
        raise ServiceError(_("Cette proposition n'existe plus."))
    check_version(fresh, version, conflict=stale(fresh, _(_CHANGED)))
    return fresh


def _check_in_review(proposal: Proposal, move: ProposalMove, message: str) -> ProposalStatus:
    """The status `move` leads to; refused (and the round's lock released) unless the table allows it."""
    try:
        return proposal_lifecycle.check_move(proposal.status, move, message)
    except ServiceError:
        db.session.rollback()
        raise


def set_decision(
    actor: User, proposal: Proposal, decision: ReviewDecision, reason: str = "", version: int | None = None
) -> Proposal:
    """Approve a proposal, or reject it with a reason: the pair is then forbidden in later rounds."""
    try:
        decision = ReviewDecision(decision)
    except ValueError:
        raise ServiceError({"decision": [_("Décision inconnue.")]}) from None
    proposal = _lock_for_review(proposal, version)
    target = _check_in_review(proposal, ProposalMove(decision), _("Cette proposition a déjà été écartée."))
    if decision == ReviewDecision.APPROVE:
        proposal.status = target
    else:
        if not reason.strip():
            db.session.rollback()
            raise ServiceError({"reason": [_(REJECT_REASON_REQUIRED)]})
        proposal.status, proposal.coordinator_reason, proposal.pinned = target, reason, False
        forbid_pair(proposal, actor, reason, "rejected")
    audit.record(actor, f"proposal.{decision}", proposal, network_id=proposal.round.network_id)
    commit_versioned(stale(proposal, _(_CHANGED)))
    return proposal


def set_pinned(actor: User, proposal: Proposal, pinned: bool, version: int | None = None) -> Proposal:
    """A pinned placement is forced in reruns of the round."""
    proposal = _lock_for_review(proposal, version)
    if proposal.status not in proposal_lifecycle.IN_REVIEW:
        db.session.rollback()
        raise ServiceError(_("Une proposition écartée ne peut pas être épinglée."))
    proposal.pinned = pinned
    audit.record(actor, "proposal.pin" if pinned else "proposal.unpin", proposal, network_id=proposal.round.network_id)
    commit_versioned(stale(proposal, _(_CHANGED)))
    return proposal


def replace_session(actor: User, proposal: Proposal, session_id: int, version: int | None = None) -> Proposal:
    """Move a placement to another session by hand, if every hard rule still holds; it is then pinned."""
    proposal = _lock_for_review(proposal, version)
    target = _check_in_review(proposal, ProposalMove.REPLACE, _("Cette proposition a déjà été écartée."))
    try:
        _check_replacement(proposal, session_id)
    except ServiceError:
        db.session.rollback()
        raise
    proposal.session_id, proposal.pinned, proposal.status = session_id, True, target
    proposal.breakdown, proposal.score = {"manual": 0}, 0
    audit.record(actor, "proposal.replace", proposal, network_id=proposal.round.network_id, session_id=session_id)
    commit_versioned(stale(proposal, _(_CHANGED)))
    return proposal


def _check_replacement(proposal: Proposal, session_id: int) -> None:
    session = db.session.get(OfferSession, session_id)
    if session is None or session.offer.organisation.network_id != proposal.round.network_id:
        raise ServiceError({"session_id": [_("Session inconnue dans ce réseau.")]})
    others = [
        (p.request_id, p.session_id)
        for p in proposal.round.proposals
        if p.id != proposal.id and p.status in proposal_lifecycle.IN_REVIEW
    ]
    loaded = load_problem(proposal.round.network, proposal.round.week_start, None)
    pair = (str(proposal.request_id), str(session_id))
    check = check_placements(loaded.problem, [*((str(r), str(s)) for r, s in others), pair])
    if RuleName.CLOSED in check.by_pair[pair]:
        raise ServiceError({"session_id": [_("Cette session n'est pas ouverte à ce tour.")]})
    broken = list(check.by_pair[pair]) or [b for b in check.broken if b != RuleName.PINS]
    if broken:
        reasons = "; ".join(_(RULE_LABELS[name]) for name in broken)
        raise ServiceError({"session_id": [_("Placement impossible : %(reasons)s.", reasons=reasons)]})


def publish_round(actor: User, round_: Round, today: date | None = None) -> int:
    """Publish every proposal not rejected; tell the agent, their HR and the host HR. Returns how many.

    Under the round's lock: refused (RoundStateConflict) unless the round is in review, so a rerun asked
    for first makes the publication wait for its new proposals, and a rerun asked for after finds the round
    published. The requests follow in the same transaction: each published proposal's request becomes
    matched; a proposal whose request left the queue since the round ran (withdrawn, say) is not published.
    """
    today = today or date.today()
    locked = rounds.lock_round(round_.id)
    try:
        if locked is None:
            raise ServiceError(_("Ce tour n'existe plus."))
        rounds.move(locked, RoundStatus.PUBLISHED, published_at=utcnow())
    except ServiceError:
        db.session.rollback()
        raise
    respond_by = today + timedelta(days=locked.network.proposal_response_days)
    # The network's waiting requests, locked: an agent's withdrawal waits for the publication, then sees it.
    waiting = {
        immersion_request.id: immersion_request
        for immersion_request in db.session.scalars(
            select(ImmersionRequest)
            .join(Organisation, ImmersionRequest.organisation_id == Organisation.id)
            .where(
                Organisation.network_id == locked.network_id,
                ImmersionRequest.status.in_(request_lifecycle.IN_QUEUE),
            )
            .order_by(ImmersionRequest.id)
            .with_for_update(of=ImmersionRequest, key_share=True)
            .execution_options(populate_existing=True)
        )
    }
    proposals = db.session.scalars(
        select(Proposal)
        .where(Proposal.round_id == locked.id, Proposal.status.in_(proposal_lifecycle.IN_REVIEW))
        .options(
            selectinload(Proposal.request).selectinload(ImmersionRequest.agent),
            selectinload(Proposal.session).selectinload(OfferSession.offer).selectinload(Offer.organisation),
        )
        .order_by(Proposal.id)
    ).all()
    left_out = [p for p in proposals if p.request_id not in waiting]
    for proposal in left_out:
        proposal.status = proposal_lifecycle.check_move(proposal.status, ProposalMove.REJECT)
        proposal.coordinator_reason = _("La demande n'attendait plus de proposition au moment de la publication.")
    published = [p for p in proposals if p.request_id in waiting]
    officers = hr_officers_by_organisation(
        {p.request.organisation_id for p in published} | {p.session.offer.organisation_id for p in published}
    )
    for proposal in published:
        proposal.status = proposal_lifecycle.check_move(proposal.status, ProposalMove.PUBLISH)
        proposal.respond_by = respond_by
        proposal.request.status = request_lifecycle.check_move(proposal.request.status, RequestMove.MATCH)
        _notify_publication(proposal, officers)
    # Requests left out wait one more round, which raises their priority next time.
    placed = {p.request_id for p in published}
    for request_id, immersion_request in waiting.items():
        if request_id not in placed:
            immersion_request.rounds_waited += 1
    audit.record(actor, "round.publish", locked, network_id=locked.network_id, proposals=len(published))
    db.session.commit()
    return len(published)


def _notify_publication(proposal: Proposal, officers: dict[int, list[User]]) -> None:
    """The agent and the host's HR officers answer the proposal; the agent's HR officers are informed."""
    recipients = [(proposal.request.agent, "agent")]
    recipients += [(officer, "home") for officer in officers.get(proposal.request.organisation_id, [])]
    recipients += [(officer, "host") for officer in officers.get(proposal.session.offer.organisation_id, [])]
    notifications.proposal_published(proposal, recipients)


def review_data(round_: Round) -> dict:
    """Everything the review page shows, loaded in a handful of queries."""
    proposals = db.session.scalars(listings.round_proposals(round_.id)).all()
    organisations = {o.id: o for o in round_.network.organisations}
    flows = Counter(
        (p.request.organisation_id, p.session.offer.organisation_id)
        for p in proposals
        if p.status != ProposalStatus.REJECTED
    )
    unmatched = round_.unmatched.get("requests", []) if round_.unmatched else []
    unmatched_requests = (
        {
            r.id: r
            for r in db.session.scalars(
                select(ImmersionRequest)
                .where(ImmersionRequest.id.in_([int(u["request"]) for u in unmatched]))
                .options(selectinload(ImmersionRequest.agent), selectinload(ImmersionRequest.organisation))
            )
        }
        if unmatched
        else {}
    )
    # Each request of the round is either in a proposal or unmatched; rejected proposals count as not placed.
    placed = Counter(p.request.organisation_id for p in proposals if p.status != ProposalStatus.REJECTED)
    considered = Counter(p.request.organisation_id for p in proposals)
    considered.update(r.organisation_id for r in unmatched_requests.values())
    org_rates = sorted(
        ((organisations[org_id], placed[org_id], total) for org_id, total in considered.items()),
        key=lambda row: (row[1] / row[2], row[0].name),
    )
    return {
        "round": round_,
        "proposals": proposals,
        "flows": sorted(
            ((organisations.get(a), organisations.get(b), n) for (a, b), n in flows.items()),
            key=lambda row: (-row[2], row[0].name if row[0] else ""),
        ),
        "unmatched": [(u, unmatched_requests.get(int(u["request"]))) for u in unmatched],
        "org_rates": org_rates,
        "sessions": {
            s.id: s
            for s in db.session.scalars(
                select(OfferSession)
                .where(OfferSession.id.in_({int(b["session"]) for u in unmatched for b in u.get("sessions", [])}))
                .options(selectinload(OfferSession.offer))
            )
        }
        if unmatched
        else {},
        "rule_labels": RULE_LABELS,
    }


def open_sessions(round_: Round) -> list[OfferSession]:
    """Sessions a placement could move to: published offers of the network, from the round's week."""
    return list(
        db.session.scalars(
            listings.open_sessions(round_.network_id, round_.week_start)
            .options(selectinload(OfferSession.offer).selectinload(Offer.organisation))
            .order_by(Organisation.name, Offer.title, OfferSession.start_date)
        )
    )
