"""The round's indicators as they stand now: placed and unmatched, per status, quality, fairness by home
organisation, the wishes obtained, the worst served. A handful of GROUP BY queries over the round's proposals
and unmatched requests, recomputed on each read, so that they follow every rejection, replacement and
publication (the review page's summary, the filter "below the floor", the bulk decisions' filter)."""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import and_, func, select

from mobilite.extensions import db
from mobilite.lifecycles import proposal as proposal_lifecycle
from mobilite.lifecycles import request as request_lifecycle
from mobilite.lifecycles.round import IN_REVIEW
from mobilite.models import (
    ImmersionRequest,
    Offer,
    OfferSession,
    Organisation,
    Proposal,
    ProposalStatus,
    Round,
    UnmatchedOutlook,
    Wish,
)
from mobilite.services import listings
from mobilite.services.review_table import Scale


@dataclass(frozen=True)
class OrgRate:
    organisation_id: int
    name: str
    placed: int
    considered: int
    floor: int  # placements the fairness floor asks for (0: no floor)

    @property
    def rate(self) -> float:
        return self.placed / self.considered if self.considered else 0.0

    @property
    def below_floor(self) -> bool:
        return self.placed < self.floor


def placed_statuses(round_: Round) -> frozenset[ProposalStatus]:
    """A request holds a placement of this round: in review, a proposal not rejected; once published, one
    that was sent (whatever its answer since)."""
    return proposal_lifecycle.IN_REVIEW if round_.status in IN_REVIEW else proposal_lifecycle.SHOWN


@dataclass
class Summary:
    round_id: int
    in_review: bool
    considered: int
    placed: int
    counts: Counter = field(default_factory=Counter)  # proposals per status
    score: int = 0  # current objective: placements' scores, fairness and reciprocity bonuses
    bound: int = 0
    worst_score: int | None = None
    best_pair_score: int = 0
    rank_profile: dict[str, int] = field(default_factory=dict)
    rates: list[OrgRate] = field(default_factory=list)  # lowest rate first
    floor_percent: int = 0
    left_queue: int = 0  # in review, but the request is no longer waiting (withdrawn since)
    organisations: list[tuple[int, str]] = field(default_factory=list)  # the network's, by name
    hosts: list[tuple[int, str]] = field(default_factory=list)  # organisations hosting a proposal

    @property
    def unmatched(self) -> int:
        return max(self.considered - self.placed, 0)

    @property
    def quality(self) -> float | None:
        return self.score / self.bound if self.bound > 0 else None

    @property
    def below_floor(self) -> list[OrgRate]:
        return [r for r in self.rates if r.below_floor]

    @property
    def unreviewed(self) -> int:
        return self.counts.get(ProposalStatus.PROPOSED, 0)


def _home_and_status(round_id: int):
    """(home organisation, proposal status, request status, count, total score, lowest score)."""
    return db.session.execute(
        select(
            ImmersionRequest.organisation_id,
            Proposal.status,
            ImmersionRequest.status,
            func.count(Proposal.id),
            func.coalesce(func.sum(Proposal.score), 0),
            func.min(Proposal.score),
        )
        .join(ImmersionRequest, Proposal.request_id == ImmersionRequest.id)
        .where(Proposal.round_id == round_id)
        .group_by(ImmersionRequest.organisation_id, Proposal.status, ImmersionRequest.status)
    ).all()


def _host_and_status(round_id: int):
    """(host organisation, proposal status, count)."""
    return db.session.execute(
        select(Offer.organisation_id, Proposal.status, func.count(Proposal.id))
        .join(OfferSession, Proposal.session_id == OfferSession.id)
        .join(Offer, OfferSession.offer_id == Offer.id)
        .where(Proposal.round_id == round_id)
        .group_by(Offer.organisation_id, Proposal.status)
    ).all()


# The unmatched of a round change only when it runs again (finished_at) or an agent moves to another
# organisation: read once a minute per worker, not on every page (18,000 rows at the national size).
_UNMATCHED_TTL = 60.0
_unmatched_cache: dict[tuple[int, object, object], tuple[float, Counter]] = {}


def _unmatched_by_home(round_: Round) -> Counter:
    key = (round_.id, round_.created_at, round_.finished_at)
    cached = _unmatched_cache.get(key)
    if cached is not None and time.monotonic() - cached[0] < _UNMATCHED_TTL:
        return Counter(cached[1])
    counts = _read_unmatched_by_home(round_)
    if len(_unmatched_cache) > 64:
        _unmatched_cache.clear()
    _unmatched_cache[key] = (time.monotonic(), counts)
    return Counter(counts)


def _read_unmatched_by_home(round_: Round) -> Counter:
    rows = db.session.execute(
        select(ImmersionRequest.organisation_id, func.count())
        .select_from(UnmatchedOutlook)
        .join(ImmersionRequest, UnmatchedOutlook.request_id == ImmersionRequest.id)
        .where(UnmatchedOutlook.round_id == round_.id)
        .group_by(ImmersionRequest.organisation_id)
    ).all()
    if rows:
        return Counter(dict(rows))
    # Rounds saved before the per-request table: their JSON record (read only then: it can be large).
    entries = (round_.unmatched or {}).get("requests", [])
    homes = listings.home_organisations([int(u["request"]) for u in entries])
    return Counter(homes[int(u["request"])] for u in entries if int(u["request"]) in homes)


def summary(round_: Round) -> Summary:
    """The round's indicators as they stand now."""
    scale = Scale.of(round_)
    placed_set = placed_statuses(round_)
    counts: Counter = Counter()
    placed_by_home: Counter = Counter()
    proposals_by_home: Counter = Counter()
    score, worst, left_queue = 0, None, 0
    for home, status, request_status, n, total, lowest in _home_and_status(round_.id):
        counts[ProposalStatus(status)] += n
        proposals_by_home[home] += n
        if status in placed_set:
            placed_by_home[home] += n
            score += int(total)
            worst = lowest if worst is None else min(worst, lowest)
        if status in proposal_lifecycle.IN_REVIEW and request_status not in request_lifecycle.IN_QUEUE:
            left_queue += n
    hosted: Counter = Counter()
    for host, status, n in _host_and_status(round_.id):
        hosted[host] += n if status in placed_set else 0
    considered_by_home = proposals_by_home + _unmatched_by_home(round_)
    names = dict(
        db.session.execute(
            listings.network_organisations(round_.network_id).with_only_columns(Organisation.id, Organisation.name)
        ).all()
    )
    floors = {org: math.ceil(scale.fairness_floor * n - 1e-9) for org, n in considered_by_home.items()}
    rates = sorted(
        (
            OrgRate(org, names.get(org, "?"), placed_by_home[org], n, floors[org])
            for org, n in considered_by_home.items()
            if n
        ),
        key=lambda r: (r.rate, r.name),
    )
    # The objective as the engine counts it (appariement.context.objective_parts), on today's placements.
    weights = scale.weights
    if weights.get("fairness", 0) > 0:
        score += weights["fairness"] * 100 * sum(min(placed_by_home[o], f) for o, f in floors.items())
    if scale.reciprocity and weights.get("reciprocity", 0) > 0:
        score += weights["reciprocity"] * 100 * sum(min(n, hosted[o]) for o, n in placed_by_home.items())
    metrics = round_.metrics or {}
    considered = int(metrics.get("requests") or sum(considered_by_home.values()))
    return Summary(
        round_id=round_.id,
        in_review=round_.status in IN_REVIEW,
        considered=considered,
        placed=sum(placed_by_home.values()),
        counts=counts,
        score=score,
        bound=int(metrics.get("bound") or 0),
        worst_score=worst,
        best_pair_score=scale.best_pair_score,
        rank_profile=_rank_profile(round_.id, placed_set, sum(placed_by_home.values())),
        rates=rates,
        floor_percent=round(scale.fairness_floor * 100),
        left_queue=left_queue if round_.status in IN_REVIEW else 0,
        organisations=sorted(names.items(), key=lambda x: x[1]),
        hosts=sorted(((o, names.get(o, "?")) for o in hosted), key=lambda x: x[1]),
    )


def _rank_profile(round_id: int, placed_set: Iterable[ProposalStatus], placed: int) -> dict[str, int]:
    rows = db.session.execute(
        select(Wish.rank, func.count(Proposal.id))
        .join(OfferSession, Proposal.session_id == OfferSession.id)
        .join(Wish, and_(Wish.request_id == Proposal.request_id, Wish.offer_id == OfferSession.offer_id))
        .where(Proposal.round_id == round_id, Proposal.status.in_(list(placed_set)))
        .group_by(Wish.rank)
    ).all()
    profile = {str(rank): n for rank, n in rows}
    profile["none"] = placed - sum(profile.values())
    return profile
