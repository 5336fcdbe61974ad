"""The coordinator's review of a round: approve, reject, replace by hand, pin, publish.

Each change takes the round's row lock first (services.rounds.lock_round) and checks the round is still in
review, so a review change, a publication and a rerun of one round happen one after the other.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import numpy as np
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from appariement.arrays import build_arrays
from appariement.rules import all_rules_hold, failing_pair_rules
from mobilite.extensions import db
from mobilite.i18n import N_
from mobilite.lifecycles.round import IN_REVIEW
from mobilite.models import (
    ForbiddenPair,
    ImmersionRequest,
    Offer,
    OfferSession,
    OfferStatus,
    Organisation,
    Proposal,
    ProposalStatus,
    RequestStatus,
    Role,
    Round,
    RoundStatus,
    User,
    utcnow,
)
from mobilite.services import audit, outbox, rounds
from mobilite.services.errors import ServiceError
from mobilite.services.round_problem import load_problem

# Names of the engine's hard rules, as a coordinator reads them.
RULE_LABELS = {
    "own_organisation": N_("l'agent serait accueilli·e dans sa propre organisation"),
    "dates": N_("la session ne tombe dans aucune de ses disponibilités"),
    "duration": N_("la durée de la session sort de la durée demandée"),
    "quota": N_("la session dépasse le quota de jours qui lui reste"),
    "distance": N_("le lieu est au-delà de sa distance maximale"),
    "prerequisites": N_("l'agent n'a pas les prérequis de l'offre"),
    "forbidden": N_("cette paire a déjà été écartée ou déclinée"),
    "one_placement_per_request": N_("l'agent aurait deux placements"),
    "capacity": N_("la session dépasserait sa capacité"),
    "diversity": N_("la session accueillerait trop d'agents de la même organisation"),
    "pins": N_("un placement épinglé ne serait plus tenu"),
    "continuity": N_("trop d'agents de la même organisation seraient absents le même jour"),
}
REVIEWABLE = (ProposalStatus.PROPOSED, ProposalStatus.APPROVED)


def _lock_for_review(proposal: Proposal) -> Proposal:
    """Take the proposal's round lock, check the round is in review, and read the proposal afresh."""
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
    return fresh


def set_decision(actor: User, proposal: Proposal, approve: bool, reason: str = "") -> Proposal:
    """Approve a proposal, or reject it with a reason: the pair is then forbidden in later rounds."""
    proposal = _lock_for_review(proposal)
    if proposal.status not in REVIEWABLE:
        db.session.rollback()
        raise ServiceError(_("Cette proposition a déjà été écartée."))
    if approve:
        proposal.status = ProposalStatus.APPROVED
    else:
        if not reason.strip():
            db.session.rollback()
            raise ServiceError({"reason": [_("Indiquez pourquoi cette proposition est écartée.")]})
        proposal.status, proposal.coordinator_reason, proposal.pinned = ProposalStatus.REJECTED, reason, False
        if (
            db.session.scalar(
                select(ForbiddenPair.id).where(
                    ForbiddenPair.request_id == proposal.request_id, ForbiddenPair.session_id == proposal.session_id
                )
            )
            is None
        ):
            db.session.add(
                ForbiddenPair(
                    request_id=proposal.request_id,
                    session_id=proposal.session_id,
                    reason=reason,
                    source="rejected",
                    created_by_id=actor.id,
                )
            )
    audit.record(
        actor, "proposal.approve" if approve else "proposal.reject", proposal, network_id=proposal.round.network_id
    )
    db.session.commit()
    return proposal


def set_pinned(actor: User, proposal: Proposal, pinned: bool) -> Proposal:
    """A pinned placement is forced in reruns of the round."""
    proposal = _lock_for_review(proposal)
    if proposal.status not in REVIEWABLE:
        db.session.rollback()
        raise ServiceError(_("Une proposition écartée ne peut pas être épinglée."))
    proposal.pinned = pinned
    audit.record(actor, "proposal.pin" if pinned else "proposal.unpin", proposal, network_id=proposal.round.network_id)
    db.session.commit()
    return proposal


def broken_rules(round_: Round, pairs: list[tuple[int, int]]) -> list[str]:
    """Hard rules the round's placements would break with these (request, session) pairs."""
    loaded = load_problem(round_.network, round_.week_start, None)
    arrays = build_arrays(loaded.problem)
    req_ix = {rid: i for i, rid in enumerate(arrays.req_ids)}
    ses_ix = {sid: i for i, sid in enumerate(arrays.ses_ids)}
    missing = [(r, s) for r, s in pairs if str(r) not in req_ix or str(s) not in ses_ix]
    if missing:
        return ["closed"]
    r = np.array([req_ix[str(a)] for a, _ in pairs], dtype=np.int64)
    s = np.array([ses_ix[str(b)] for _, b in pairs], dtype=np.int64)
    return all_rules_hold(arrays, r, s)


def replace_session(actor: User, proposal: Proposal, session_id: int) -> Proposal:
    """Move a placement to another session by hand, if every hard rule still holds; it is then pinned."""
    proposal = _lock_for_review(proposal)
    try:
        _check_replacement(proposal, session_id)
    except ServiceError:
        db.session.rollback()
        raise
    proposal.session_id, proposal.pinned, proposal.status = session_id, True, ProposalStatus.APPROVED
    proposal.breakdown, proposal.score = {"manual": 0}, 0
    audit.record(actor, "proposal.replace", proposal, network_id=proposal.round.network_id, session_id=session_id)
    db.session.commit()
    return proposal


def _check_replacement(proposal: Proposal, session_id: int) -> None:
    session = db.session.get(OfferSession, session_id)
    if session is None or session.offer.organisation.network_id != proposal.round.network_id:
        raise ServiceError({"session_id": [_("Session inconnue dans ce réseau.")]})
    others = [
        (p.request_id, p.session_id) for p in proposal.round.proposals if p.id != proposal.id and p.status in REVIEWABLE
    ]
    loaded = load_problem(proposal.round.network, proposal.round.week_start, None)
    arrays = build_arrays(loaded.problem)
    if str(proposal.request_id) not in arrays.req_ids or str(session_id) not in arrays.ses_ids:
        raise ServiceError({"session_id": [_("Cette session n'est pas ouverte à ce tour.")]})
    pair_broken = failing_pair_rules(
        arrays, arrays.req_ids.index(str(proposal.request_id)), arrays.ses_ids.index(str(session_id))
    )
    broken = pair_broken or [
        b for b in broken_rules(proposal.round, others + [(proposal.request_id, session_id)]) if b != "pins"
    ]
    if broken:
        reasons = "; ".join(_(RULE_LABELS.get(name, name)) for name in broken)
        raise ServiceError({"session_id": [_("Placement impossible : %(reasons)s.", reasons=reasons)]})


def _hr_of(organisation_ids: set[int]) -> dict[int, list[User]]:
    officers: dict[int, list[User]] = {}
    for user in db.session.scalars(
        select(User)
        .where(User.organisation_id.in_(organisation_ids), User.active.is_(True))
        .options(selectinload(User.role_rows))
    ):
        if user.has_role(Role.RH):
            officers.setdefault(user.organisation_id, []).append(user)
    return officers


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
        item.id: item
        for item in db.session.scalars(
            select(ImmersionRequest)
            .join(Organisation, ImmersionRequest.organisation_id == Organisation.id)
            .where(Organisation.network_id == locked.network_id, ImmersionRequest.status == RequestStatus.APPROVED)
            .order_by(ImmersionRequest.id)
            .with_for_update(of=ImmersionRequest, key_share=True)
            .execution_options(populate_existing=True)
        )
    }
    proposals = db.session.scalars(
        select(Proposal)
        .where(Proposal.round_id == locked.id, Proposal.status.in_(REVIEWABLE))
        .options(
            selectinload(Proposal.request).selectinload(ImmersionRequest.agent),
            selectinload(Proposal.session).selectinload(OfferSession.offer).selectinload(Offer.organisation),
        )
        .order_by(Proposal.id)
    ).all()
    left_out = [p for p in proposals if p.request_id not in waiting]
    for proposal in left_out:
        proposal.status = ProposalStatus.REJECTED
        proposal.coordinator_reason = _("La demande n'attendait plus de proposition au moment de la publication.")
    published = [p for p in proposals if p.request_id in waiting]
    officers = _hr_of(
        {p.request.organisation_id for p in published} | {p.session.offer.organisation_id for p in published}
    )
    for proposal in published:
        proposal.status, proposal.respond_by = ProposalStatus.PUBLISHED, respond_by
        proposal.request.status = RequestStatus.MATCHED
        _notify_publication(proposal, officers)
    # Requests left out wait one more round, which raises their priority next time.
    placed = {p.request_id for p in published}
    for request_id, item in waiting.items():
        if request_id not in placed:
            item.rounds_waited += 1
    audit.record(actor, "round.publish", locked, network_id=locked.network_id, proposals=len(published))
    db.session.commit()
    return len(published)


def _notify_publication(proposal: Proposal, officers: dict[int, list[User]]) -> None:
    offer = proposal.session.offer
    agent = proposal.request.agent
    params = {
        "title": offer.title,
        "host": offer.organisation.name,
        "agent": agent.full_name,
        "start": proposal.session.start_date.isoformat(),
        "end": proposal.session.end_date.isoformat(),
        "deadline": proposal.respond_by.isoformat(),
    }
    with force_locale(agent.locale):
        outbox.queue(
            agent,
            "proposal.published",
            _("Une immersion vous est proposée : %(title)s", **params),
            _(
                "Bonjour,\n\nLe tour d'appariement vous propose l'immersion « %(title)s » chez %(host)s, "
                "du %(start)s au %(end)s. Acceptez-la ou déclinez-la dans mobilite avant le %(deadline)s.",
                **params,
            ),
        )
    for officer in officers.get(proposal.request.organisation_id, []):
        with force_locale(officer.locale):
            outbox.queue(
                officer,
                "proposal.published.home",
                _("Immersion proposée à %(agent)s", **params),
                _(
                    "%(agent)s s'est vu proposer l'immersion « %(title)s » chez %(host)s, du %(start)s au %(end)s.",
                    **params,
                ),
            )
    for officer in officers.get(offer.organisation_id, []):
        with force_locale(officer.locale):
            outbox.queue(
                officer,
                "proposal.published.host",
                _("Une personne est proposée pour « %(title)s »", **params),
                _(
                    "%(agent)s est proposé·e pour votre offre « %(title)s », du %(start)s au %(end)s. "
                    "Acceptez ou déclinez dans mobilite avant le %(deadline)s.",
                    **params,
                ),
            )


def review_data(round_: Round) -> dict:
    """Everything the review page shows, loaded in a handful of queries."""
    proposals = db.session.scalars(
        select(Proposal)
        .where(Proposal.round_id == round_.id)
        .options(
            selectinload(Proposal.request).selectinload(ImmersionRequest.agent),
            selectinload(Proposal.request).selectinload(ImmersionRequest.organisation),
            selectinload(Proposal.session).selectinload(OfferSession.offer).selectinload(Offer.organisation),
        )
        .order_by(Proposal.score.desc(), Proposal.id)
    ).all()
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
    considered.update(item.organisation_id for item in unmatched_requests.values())
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
            select(OfferSession)
            .join(Offer, OfferSession.offer_id == Offer.id)
            .join(Organisation, Offer.organisation_id == Organisation.id)
            .where(
                Organisation.network_id == round_.network_id,
                Offer.status == OfferStatus.PUBLISHED,
                OfferSession.start_date >= round_.week_start,
            )
            .options(selectinload(OfferSession.offer).selectinload(Offer.organisation))
            .order_by(Organisation.name, Offer.title, OfferSession.start_date)
        )
    )
