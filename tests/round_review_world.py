"""A round in review whose every proposal is known by construction, for the review's tests (service, web, API).

Two home organisations (Ville A, Ville B), two hosts (Métropole X, Métropole Y), the network's floor at 50 %:
- Ville A: four agents, all placed (a1 on X, far, last of two wishes; a2 on X, outside its one wish, pinned;
  a3 on Y, first wish, high score; a4 on Y, replaced by hand, low score);
- Ville B: six agents, two placed (b1 on X, b2 on Y), four left unmatched: 2 of 6 is under its floor of 3.
Scores use the default weights (best pair score 1,500): high ≥ 900, low < 525; "far" is 40 distance points or
fewer (distance weight 2).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from mobilite.extensions import db
from mobilite.limits import DEFAULT_WEIGHTS
from mobilite.models import (
    Network,
    Organisation,
    Proposal,
    ProposalStatus,
    RequestStatus,
    Round,
    RoundStatus,
    UnmatchedOutlook,
    User,
    Wish,
)
from tests.factories import (
    CoordinatorFactory,
    NetworkFactory,
    OfferFactory,
    OfferSessionFactory,
    OrganisationFactory,
    RequestFactory,
    RoundFactory,
    UserFactory,
)


@dataclass
class ReviewWorld:
    network: Network
    coordinator: User
    round: Round
    home_a: Organisation
    home_b: Organisation
    host_x: Organisation
    host_y: Organisation
    proposals: dict[str, Proposal]

    def ids(self, *names: str) -> set[int]:
        return {self.proposals[n].id for n in names}


def _breakdown(wish: int = 0, interest: int = 0, distance: int = 100) -> dict[str, int]:
    """Weighted points with the default weights (points × weight); they sum to the score."""
    return {"base": 100, "interest": 4 * interest, "skill_fit": 50, "wish": 5 * wish, "distance": 2 * distance,
            "waiting": 0}  # fmt: skip


def build(**network_settings) -> ReviewWorld:
    network = NetworkFactory(fairness_floor_percent=50, **network_settings)
    coordinator = CoordinatorFactory(network_id=network.id)
    home_a = OrganisationFactory(network=network, name="Ville A")
    home_b = OrganisationFactory(network=network, name="Ville B")
    host_x = OrganisationFactory(network=network, name="Métropole X")
    host_y = OrganisationFactory(network=network, name="Métropole Y")
    start = date.today() + timedelta(days=21)
    offer_x, offer_y = OfferFactory(organisation=host_x), OfferFactory(organisation=host_y)
    session_x = OfferSessionFactory(offer=offer_x, start_date=start, end_date=start + timedelta(days=2), capacity=9)
    session_y = OfferSessionFactory(
        offer=offer_y, start_date=start + timedelta(days=7), end_date=start + timedelta(days=9), capacity=9
    )
    round_ = RoundFactory(
        network=network,
        status=RoundStatus.PROPOSED,
        published_at=None,
        settings_snapshot={"weights": dict(DEFAULT_WEIGHTS), "fairness_floor": 0.5},
        metrics={"requests": 10, "bound": 10_000, "placed": 6},
        solver_status="OPTIMAL",
    )

    def request(organisation, name, wishes=()):
        item = RequestFactory(
            agent=UserFactory(organisation=organisation, first_name=name, last_name=name.upper()),
            status=RequestStatus.APPROVED,
            max_distance_km=100,
        )
        for rank, offer in enumerate(wishes, start=1):
            item.wishes.append(Wish(offer=offer, rank=rank))
        db.session.commit()
        return item

    plan = {
        # name: (home, wishes, session, score parts, pinned, replaced)
        "a1": (home_a, (offer_y, offer_x), session_x, _breakdown(wish=80, interest=50, distance=15), False, False),
        "a2": (home_a, (offer_y,), session_x, _breakdown(interest=100, distance=60), True, False),
        "a3": (home_a, (offer_y,), session_y, _breakdown(wish=100, interest=100, distance=90), False, False),
        "a4": (home_a, (), session_y, _breakdown(distance=50), True, True),
        "b1": (home_b, (), session_x, _breakdown(interest=50, distance=80), False, False),
        "b2": (home_b, (), session_y, _breakdown(interest=75, distance=70), False, False),
    }
    proposals = {}
    for name, (home, wishes, session, breakdown, pinned, replaced) in plan.items():
        item = request(home, name, wishes)
        proposals[name] = Proposal(
            round_id=round_.id,
            request_id=item.id,
            session_id=session.id,
            status=ProposalStatus.PROPOSED,
            score=sum(breakdown.values()),
            breakdown=breakdown,
            pinned=pinned,
            replaced=replaced,
        )
    db.session.add_all(proposals.values())
    for n in range(4):
        item = request(home_b, f"b-unmatched-{n}")
        db.session.add(
            UnmatchedOutlook(
                round_id=round_.id, request_id=item.id, reason="no_eligible_session", data={"excluded": {"dates": 2}}
            )
        )
    db.session.commit()
    return ReviewWorld(network, coordinator, round_, home_a, home_b, host_x, host_y, proposals)
