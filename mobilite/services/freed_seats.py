"""A seat freed by an immersion called off before its first day, offered at once to the next candidate.

The next round fills a freed seat anyway (round_problem._seats_held no longer counts it). The network's
coordinator may also offer it now: the candidates are the network's approved requests still waiting for a
proposal whose pair with the session keeps every hard rule, as the engine judges it (the pair rules of
appariement.check_pairs, then appariement.replacement_options for the capacity and the score), best score
first, each score in words (services.score_words) with the network's weights of today.

"Proposer" makes a published proposal outside a weekly round, attached to the round whose placement was
called off (a proposal belongs to a round; a request already placed by that round, declined or expired
since, waits for the next round instead). It then follows the usual path: both sides accept by the answer
deadline, or it expires. Two coordinators offering the same seat at once: the session's row is locked and
the seats are counted again under the lock, so one offer wins and the other is told the seat is taken.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

import appariement
from appariement import RuleName
from mobilite import notifications
from mobilite.extensions import db
from mobilite.i18n import N_, format_date
from mobilite.lifecycles import proposal as proposal_lifecycle
from mobilite.lifecycles import request as request_lifecycle
from mobilite.lifecycles import round as round_lifecycle
from mobilite.lifecycles.request import RequestMove
from mobilite.models import (
    Immersion,
    ImmersionRequest,
    ImmersionStatus,
    Network,
    OfferSession,
    Proposal,
    ProposalStatus,
    Round,
    User,
)
from mobilite.services import audit, round_problem, score_words
from mobilite.services.errors import ServiceError
from mobilite.services.people import hr_officers_by_organisation
from mobilite.services.round_review import RULE_LABELS

SHOWN = 50  # candidates listed, best first
BROKEN_RULES = N_("Cette demande ne peut pas prendre cette place : %(reasons)s.")
CLOSED = N_("La session n'est plus ouverte : son offre a été retirée ou close.")
SEAT_TAKEN = N_("La place libérée a déjà été proposée entre-temps : il ne reste plus de place sur cette session.")


@dataclass(frozen=True)
class Candidate:
    request: ImmersionRequest
    score: int
    breakdown: dict[str, int]
    words: list[score_words.TermWords]


@dataclass(frozen=True)
class FreedSeat:
    immersion: Immersion
    session: OfferSession
    refusal: str | None  # why the seat cannot be offered now; None: it can
    seats_left: int
    candidates: list[Candidate]
    total: int  # candidates found, of which the first SHOWN are listed


def network_of(immersion: Immersion) -> Network:
    return immersion.proposal.round.network


def may_offer(user: User, immersion: Immersion) -> bool:
    """Only the coordination of the immersion's network offers its seat."""
    return user.coordinates(network_of(immersion).id)


def was_called_off(immersion: Immersion) -> bool:
    """Called off before its first day (not cancelled by both feedbacks after it)."""
    return immersion.status == ImmersionStatus.CANCELLED and immersion.cancelled_at is not None


def _refusal(immersion: Immersion, session: OfferSession, today: date) -> str | None:
    if not was_called_off(immersion):
        return _("Seule une immersion annulée avant son début libère une place.")
    if session.start_date <= today:
        return _(
            "La session a commencé le %(d)s : sa place ne peut plus être proposée.",
            d=format_date(session.start_date, "long"),
        )
    return None


def _load(network: Network, session: OfferSession, today: date) -> tuple[appariement.Problem, int | None]:
    """The network's waiting requests × this one session (capacity: the seats left), and the seats left
    (None: the session is not open any more)."""
    loaded = round_problem.load_problem(network, today + timedelta(days=1), None, today)
    sid = str(session.id)
    # A round in review that places someone on the session will send that proposal when published: its
    # seat is spoken for.
    in_review = _in_review(session.id)
    sessions = tuple(
        replace(s, capacity=max(s.capacity - in_review, 0)) for s in loaded.problem.sessions if s.id == sid
    )
    problem = replace(
        loaded.problem,
        sessions=sessions,
        pins=(),
        forbidden=tuple(pair for pair in loaded.problem.forbidden if pair[1] == sid),
    )
    return problem, sessions[0].capacity if sessions else None


def _in_review(session_id: int) -> int:
    """Proposals on the session in a round still in review (not published yet: they hold no seat so far)."""
    return (
        db.session.scalar(
            select(func.count(Proposal.id))
            .join(Round, Proposal.round_id == Round.id)
            .where(
                Proposal.session_id == session_id,
                Proposal.status.in_(proposal_lifecycle.IN_REVIEW),
                Round.status.in_(round_lifecycle.IN_REVIEW),
            )
        )
        or 0
    )


def _placed_by_round(round_id: int) -> set[int]:
    """Requests that already have a proposal in the round (a proposal is unique per round and request)."""
    return set(db.session.scalars(select(Proposal.request_id).where(Proposal.round_id == round_id)))


def _judge(problem: appariement.Problem, request_ids: list[str]) -> list[tuple[int, appariement.ReplacementOption]]:
    """(request id, the engine's option: score and breakdown) for each request whose pair with the
    problem's one session keeps every rule, best first. The pair rules are judged for all the requests at
    once; the capacity and the score of each remaining pair on a problem of that request alone."""
    if not problem.sessions or not request_ids:
        return []
    session = problem.sessions[0]
    checks = appariement.check_pairs(problem, [(rid, session.id) for rid in request_ids])
    requests = {r.id: r for r in problem.requests}
    found = []
    for check in checks:
        if not check.ok:
            continue
        request = requests[check.request_id]
        # A problem of one session knows one offer: wishes for other offers are left out (they score 0 here).
        alone = replace(
            problem,
            requests=(replace(request, wishes=tuple(w for w in request.wishes if w == session.offer_id)),),
            forbidden=tuple(p for p in problem.forbidden if p[0] == request.id),
        )
        (option,) = appariement.replacement_options(alone, request.id, [], [session.id])
        if option.ok:
            found.append((int(request.id), option))
    found.sort(key=lambda pair: (-pair[1].score, pair[0]))
    return found


def _broken(problem: appariement.Problem, request_id: int) -> str:
    """The hard rules the pair breaks, in a coordinator's words."""
    session = problem.sessions[0]
    (check,) = appariement.check_pairs(problem, [(str(request_id), session.id)])
    broken = check.broken or (RuleName.CAPACITY,)
    return "; ".join(_(RULE_LABELS[name]) for name in broken)


def _requests(ids: list[int]) -> dict[int, ImmersionRequest]:
    if not ids:
        return {}
    query = (
        select(ImmersionRequest)
        .where(ImmersionRequest.id.in_(ids))
        .options(
            selectinload(ImmersionRequest.agent),
            selectinload(ImmersionRequest.organisation),
            selectinload(ImmersionRequest.themes),
            selectinload(ImmersionRequest.skills),
            selectinload(ImmersionRequest.wishes),
        )
    )
    return {r.id: r for r in db.session.scalars(query)}


def _weights(network: Network) -> dict[str, int]:
    return dict(vars(round_problem.engine_settings(network).weights))


def freed_seat(immersion: Immersion, today: date | None = None) -> FreedSeat:
    """The seat the called-off immersion freed: whether it can be offered now, and to whom, best first."""
    today = today or date.today()
    session = immersion.session
    refusal = _refusal(immersion, session, today)
    if refusal is not None:
        return FreedSeat(immersion, session, refusal, 0, [], 0)
    network = network_of(immersion)
    problem, seats_left = _load(network, session, today)
    if seats_left is None or seats_left <= 0:
        return FreedSeat(immersion, session, _(CLOSED if seats_left is None else SEAT_TAKEN), 0, [], 0)
    placed = _placed_by_round(immersion.proposal.round_id)
    found = _judge(problem, [r.id for r in problem.requests if int(r.id) not in placed])
    requests = _requests([request_id for request_id, _option in found[:SHOWN]])
    weights = _weights(network)
    candidates = [
        Candidate(
            requests[request_id],
            option.score,
            dict(option.breakdown),
            score_words.describe(requests[request_id], session, option.breakdown, weights, base=False),
        )
        for request_id, option in found[:SHOWN]
    ]
    return FreedSeat(immersion, session, None, seats_left, candidates, len(found))


def offer_seat(actor: User, immersion: Immersion, request_id: int, today: date | None = None) -> Proposal:
    """Offer the freed seat to one waiting request: a published proposal, with the network's answer
    deadline; the agent and the HR of both sides are told, as after a round's publication."""
    today = today or date.today()
    if not may_offer(actor, immersion):
        raise ServiceError(_("Seule la coordination du réseau propose une place libérée."))
    network = network_of(immersion)
    db.begin_write()
    # Two coordinators at once: the second waits here, then counts the seats the first one took.
    session = db.session.scalars(
        select(OfferSession)
        .where(OfferSession.id == immersion.session_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    db.session.refresh(immersion)
    try:
        refusal = _refusal(immersion, session, today)
        if refusal is not None:
            raise ServiceError(refusal)
        immersion_request = db.session.scalars(
            select(ImmersionRequest)
            .where(ImmersionRequest.id == request_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).first()
        if immersion_request is None or immersion_request.organisation.network_id != network.id:
            raise ServiceError({"request_id": [_("Demande inconnue dans ce réseau.")]})
        if immersion_request.status not in request_lifecycle.IN_QUEUE:
            raise ServiceError(
                {"request_id": [_("Cette demande n'attend plus de proposition : elle a été placée ou retirée.")]}
            )
        if request_id in _placed_by_round(immersion.proposal.round_id):
            raise ServiceError(
                {"request_id": [_("Le tour de cette place a déjà fait une proposition à cette demande.")]}
            )
        problem, seats_left = _load(network, session, today)
        if seats_left is None or seats_left <= 0:
            raise ServiceError(_(CLOSED if seats_left is None else SEAT_TAKEN))
        found = _judge(problem, [str(request_id)])
        if not found:
            raise ServiceError({"request_id": [_(BROKEN_RULES, reasons=_broken(problem, request_id))]})
    except ServiceError:
        db.session.rollback()
        raise
    ((_id, option),) = found
    proposal = Proposal(
        round_id=immersion.proposal.round_id,
        request_id=immersion_request.id,
        session_id=session.id,
        status=ProposalStatus.PUBLISHED,
        score=option.score,
        # "manual": the host reads that the coordination chose this placement (services.candidate).
        breakdown={**option.breakdown, "manual": 0},
        respond_by=today + timedelta(days=network.proposal_response_days),
    )
    db.session.add(proposal)
    immersion_request.status = request_lifecycle.check_move(immersion_request.status, RequestMove.MATCH)
    db.session.flush()
    audit.record(
        actor,
        "proposal.freed_seat",
        proposal,
        network_id=network.id,
        immersion_id=immersion.id,
        session_id=session.id,
        request_id=immersion_request.id,
    )
    _notify(proposal)
    db.session.commit()
    return proposal


def _notify(proposal: Proposal) -> None:
    """The agent and the host's HR officers answer it; the agent's HR officers are informed."""
    agent = proposal.request.agent
    host_id = proposal.session.offer.organisation_id
    officers = hr_officers_by_organisation({proposal.request.organisation_id, host_id})
    recipients = [(agent, "agent")]
    recipients += [(officer, "home") for officer in officers.get(proposal.request.organisation_id, [])]
    recipients += [(officer, "host") for officer in officers.get(host_id, [])]
    notifications.proposal_published(proposal, recipients)
