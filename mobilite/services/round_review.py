"""The coordinator's review of a round: approve, reject, replace by hand, pin, publish.

Each change takes the round's row lock first (services.rounds.lock_round) and checks the round is still in
review, so a review change, a publication and a rerun of one round happen one after the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from appariement import RuleName
from mobilite import notifications
from mobilite.extensions import db
from mobilite.i18n import N_
from mobilite.lifecycles import proposal as proposal_lifecycle
from mobilite.lifecycles import request as request_lifecycle
from mobilite.lifecycles.proposal import ProposalMove, ReviewDecision
from mobilite.lifecycles.request import RequestMove
from mobilite.lifecycles.round import IN_REVIEW, RoundStateConflict
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
from mobilite.services import audit, outlook, publication, replacements, review_summary, review_table, rounds
from mobilite.services.concurrency import Conflict, check_version, commit_versioned, stale
from mobilite.services.errors import ServiceError
from mobilite.services.people import hr_officers_by_organisation
from mobilite.services.proposals import forbid_pair, forbid_pairs

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


@dataclass(frozen=True)
class BulkResult:
    changed: int  # proposals approved or rejected
    skipped: int  # in the selection, but already decided (approved, rejected or published)


def bulk_decide(
    actor: User,
    round_: Round,
    decision: ReviewDecision | str,
    reason: str = "",
    *,
    selection: list[tuple[int, int]] | None = None,
    review_filter: review_table.ReviewFilter | None = None,
    expected: str | None = None,
) -> BulkResult:
    """Approve, or reject with one reason, every proposal of a selection (id, version read) or of a filter
    (with the fingerprint the page showed, review_table.token), in one transaction.

    All or nothing: refused as a whole (Conflict) if the round was rerun or published since, or if any of
    the proposals covered changed; proposals already decided are left as they are and counted as skipped."""
    try:
        decision = ReviewDecision(decision)
    except ValueError:
        raise ServiceError({"decision": [_("Décision inconnue.")]}) from None
    reason = (reason or "").strip()
    if decision == ReviewDecision.REJECT and not reason:
        raise ServiceError({"reason": [_(REJECT_REASON_REQUIRED)]})
    if selection is not None and not selection:
        raise ServiceError({"proposals": [_("Cochez au moins une proposition.")]})
    if selection is None and (review_filter is None or expected is None):
        raise ServiceError({"proposals": [_("Choisissez des propositions : cochez-les, ou appliquez un filtre.")]})
    locked = rounds.lock_round(round_.id)
    if locked is None or locked.status not in IN_REVIEW:
        db.session.rollback()
        raise RoundStateConflict(_(_MOVED_ON))
    try:
        proposals = _covered(locked, selection, review_filter, expected)
    except ServiceError:
        db.session.rollback()
        raise
    movable = {ProposalStatus.PROPOSED} if decision == ReviewDecision.APPROVE else proposal_lifecycle.IN_REVIEW
    targets = [p for p in proposals if p.status in movable]
    if not targets:
        db.session.rollback()
        raise ServiceError(_("Aucune de ces propositions n'est à examiner : rien n'a changé."))
    status = proposal_lifecycle.check_move(ProposalStatus.PROPOSED, ProposalMove(decision))
    for proposal in targets:
        proposal.status = status
        if decision == ReviewDecision.REJECT:
            proposal.coordinator_reason, proposal.pinned = reason, False
        audit.record(actor, f"proposal.{decision}", proposal, network_id=locked.network_id, bulk=True)
    if decision == ReviewDecision.REJECT:
        forbid_pairs(targets, actor, reason, "rejected")
    commit_versioned(lambda: Conflict(_(_MOVED_ON), field="_schema"))
    return BulkResult(changed=len(targets), skipped=len(proposals) - len(targets))


_MOVED_ON = N_(
    "Le tour a changé depuis votre lecture (relancé, publié, ou des propositions modifiées entre-temps) : "
    "rien n'a été modifié. Relisez la page avant de recommencer."
)


def _covered(
    round_: Round,
    selection: list[tuple[int, int]] | None,
    review_filter: review_table.ReviewFilter | None,
    expected: str | None,
) -> list[Proposal]:
    """The proposals a bulk decision covers, read afresh; Conflict if they are not what the page showed."""
    if selection is not None:
        versions = dict(selection)
        found = db.session.scalars(
            select(Proposal)
            .where(Proposal.round_id == round_.id, Proposal.id.in_(list(versions)))
            .execution_options(populate_existing=True)
        ).all()
        if len(found) != len(versions) or any(p.version != versions[p.id] for p in found):
            raise Conflict(_(_MOVED_ON), field="_schema")
        return list(found)
    assert review_filter is not None
    below = [r.organisation_id for r in review_summary.summary(round_).below_floor]
    if review_table.token(round_, review_filter, below) != expected:
        raise Conflict(_(_MOVED_ON), field="_schema")
    query = review_table.filtered(round_, review_filter, below).execution_options(populate_existing=True)
    return list(db.session.scalars(query))


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
    """Move a placement to another session by hand, if every hard rule still holds; it is then approved and
    pinned, with the engine's score and breakdown for the new pair (the round's weights)."""
    proposal = _lock_for_review(proposal, version)
    target = _check_in_review(proposal, ProposalMove.REPLACE, _("Cette proposition a déjà été écartée."))
    session = db.session.get(OfferSession, session_id)
    if session is None or session.offer.organisation.network_id != proposal.round.network_id:
        db.session.rollback()
        raise ServiceError({"session_id": [_("Session inconnue dans ce réseau.")]})
    broken, option = replacements.check(proposal, session_id)
    if broken:
        db.session.rollback()
        if RuleName.CLOSED in broken and proposal.request.status not in request_lifecycle.IN_QUEUE:
            raise ServiceError(_("La demande n'attend plus de proposition : elle a été retirée depuis le calcul."))
        if RuleName.CLOSED in broken:
            raise ServiceError({"session_id": [_("Cette session n'est pas ouverte à ce tour.")]})
        reasons = "; ".join(_(RULE_LABELS[name]) for name in broken)
        raise ServiceError({"session_id": [_("Placement impossible : %(reasons)s.", reasons=reasons)]})
    assert option is not None  # a session that keeps every rule is in the problem
    proposal.session_id, proposal.pinned, proposal.status, proposal.replaced = session_id, True, target, True
    proposal.score, proposal.breakdown = option.score, dict(option.breakdown)
    audit.record(actor, "proposal.replace", proposal, network_id=proposal.round.network_id, session_id=session_id)
    commit_versioned(stale(proposal, _(_CHANGED)))
    return proposal


def publish_round(actor: User, round_: Round, today: date | None = None, expected: str | None = None) -> int:
    """Publish the proposals the network's setting sends (services.publication); tell the agent, their HR
    and the host HR. Returns how many were sent.

    Under the round's lock: refused (RoundStateConflict) unless the round is in review, so a rerun asked
    for first makes the publication wait for its new proposals, and a rerun asked for after finds the round
    published. `expected`: the fingerprint of the summary the coordinator confirmed (publication.token);
    refused (Conflict) if what would be sent changed since. The requests follow in the same transaction:
    each published proposal's request becomes matched; a proposal whose request left the queue since the
    round ran (withdrawn, say) is rejected; proposals outside the setting stay unsent, their requests wait.
    """
    today = today or date.today()
    locked = rounds.lock_round(round_.id)
    try:
        if locked is None:
            raise ServiceError(_("Ce tour n'existe plus."))
        if expected is not None and locked.status in IN_REVIEW and publication.token(locked) != expected:
            raise Conflict(
                _("Le tour a changé depuis le récapitulatif : relisez ce qui sera envoyé avant de publier."),
                field="_schema",
            )
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
    sent = publication.sent_statuses(locked.network)
    published = [p for p in proposals if p.request_id in waiting and p.status in sent]
    officers = hr_officers_by_organisation(
        {p.request.organisation_id for p in published} | {p.session.offer.organisation_id for p in published}
    )
    for proposal in published:
        proposal.status = proposal_lifecycle.check_move(proposal.status, ProposalMove.PUBLISH)
        proposal.respond_by = respond_by
        proposal.request.status = request_lifecycle.check_move(proposal.request.status, RequestMove.MATCH)
        _notify_publication(proposal, officers)
    # Requests left out (unmatched, rejected, or not sent) wait one more round, which raises their priority.
    placed = {p.request_id for p in published}
    for request_id, immersion_request in waiting.items():
        if request_id not in placed:
            immersion_request.rounds_waited += 1
    # Each agent the round left without a proposal is to be told why, and what would open options: marked
    # here, worded and queued by the scheduler (services.outlook.notify_pending), not in this request.
    outlook.mark_to_notify(locked.id)
    audit.record(
        actor,
        "round.publish",
        locked,
        network_id=locked.network_id,
        proposals=len(published),
        not_sent=len(proposals) - len(published) - len(left_out),
        scope=str(locked.network.publication_scope),
    )
    db.session.commit()
    return len(published)


def _notify_publication(proposal: Proposal, officers: dict[int, list[User]]) -> None:
    """The agent and the host's HR officers answer the proposal; the agent's HR officers are informed."""
    recipients = [(proposal.request.agent, "agent")]
    recipients += [(officer, "home") for officer in officers.get(proposal.request.organisation_id, [])]
    recipients += [(officer, "host") for officer in officers.get(proposal.session.offer.organisation_id, [])]
    notifications.proposal_published(proposal, recipients)
