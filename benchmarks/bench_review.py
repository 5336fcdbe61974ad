"""The round review's scenarios for `make bench-web`: a round in review of 2,000 proposals on a national network
of 20,000 approved requests and 4,000 sessions (2,000 offers × 2), its 18,000 other requests left unmatched.

The proposals are drawn, not solved (a real round of this size takes a minute and places more than 2,000): a
random request on a random session of the network, with a breakdown in the engine's ranges and the default
weights, a few pinned and replaced, one unmatched reason per other request. What the page costs depends on
these counts, not on which pairs the engine would have chosen.
"""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import insert, select

from benchmarks.synthetic import PASSWORD, load_network, refresh_planner_statistics
from mobilite.extensions import db
from mobilite.limits import DEFAULT_WEIGHTS
from mobilite.models import (
    ImmersionRequest,
    Offer,
    OfferSession,
    Organisation,
    Proposal,
    Role,
    Round,
    RoundStatus,
    UnmatchedOutlook,
    User,
    UserRole,
    utcnow,
)
from mobilite.services import rounds
from mobilite.services.auth import hash_password

LABEL = "review"
COORDINATOR = "coordination-review@bench.example"


def _breakdown(rng: random.Random) -> dict[str, int]:
    weights = DEFAULT_WEIGHTS
    return {
        "base": 100 * weights["base"],
        "interest": weights["interest"] * rng.choice([0, 25, 50, 100]),
        "skill_fit": weights["skill_fit"] * rng.randint(0, 100),
        "wish": weights["wish"] * rng.choice([0, 0, 0, 100, 80, 60]),
        "distance": weights["distance"] * rng.randint(0, 100),
        "waiting": weights["waiting"] * rng.choice([0, 0, 20, 40]),
    }


def load_review_round(n_requests: int, n_offers: int, n_orgs: int, n_proposals: int, seed: int = 11) -> int:
    """The review network and its round in review; returns the round's id."""
    network_id = load_network(
        n_offers, n_requests, n_orgs, seed=seed, sessions_per_offer=2, all_approved=True, label=LABEL
    )
    rng = random.Random(seed)
    now = utcnow()
    in_network = Organisation.network_id == network_id
    request_ids = list(
        db.session.scalars(
            select(ImmersionRequest.id).join(Organisation).where(in_network).order_by(ImmersionRequest.id)
        )
    )
    session_ids = list(
        db.session.scalars(
            select(OfferSession.id).join(Offer).join(Organisation).where(in_network).order_by(OfferSession.id)
        )
    )
    round_id = db.session.execute(
        insert(Round).returning(Round.id),
        {
            "network_id": network_id,
            "week_start": rounds.week_of(date.today()),
            "status": RoundStatus.PROPOSED.value,
            "phase": "",
            "trigger": "manual",
            "settings_snapshot": {"weights": dict(DEFAULT_WEIGHTS), "fairness_floor": 0.25, "mode": "optimal"},
            "solver_status": "OPTIMAL",
            "started_at": now,
            "finished_at": now,
            "timings": {"load": 8.0, "solve": 20.0, "save": 2.0},
            "metrics": {"requests": len(request_ids), "placed": n_proposals, "bound": 0},
            "unmatched": {"requests": []},
            "error": "",
            "attempts": 1,
            "created_at": now,
            "updated_at": now,
        },
    ).scalar_one()
    placed = rng.sample(request_ids, n_proposals)
    rows = []
    for request_id in placed:
        breakdown = _breakdown(rng)
        rows.append(
            {
                "round_id": round_id,
                "request_id": request_id,
                "session_id": rng.choice(session_ids),
                "status": "proposed",
                "score": sum(breakdown.values()),
                "breakdown": breakdown,
                "pinned": rng.random() < 0.02,
                "replaced": rng.random() < 0.01,
                "coordinator_reason": "",
                "decline_reason": "",
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
    db.session.execute(insert(Proposal), rows)
    total = sum(r["score"] for r in rows)
    db.session.execute(
        Round.__table__.update()
        .where(Round.id == round_id)
        .values(
            metrics={"requests": len(request_ids), "placed": n_proposals, "score": total, "bound": total * 101 // 100}
        )
    )
    chosen = set(placed)
    db.session.execute(
        insert(UnmatchedOutlook),
        [
            {
                "round_id": round_id,
                "request_id": request_id,
                "reason": "no_eligible_session" if rng.random() < 0.6 else "outcompeted",
                "data": {"excluded": {"dates": rng.randint(1, 3000), "distance": rng.randint(0, 900)}}
                if rng.random() < 0.6
                else {"blocked": {"full": rng.randint(1, 5)}},
            }
            for request_id in request_ids
            if request_id not in chosen
        ],
    )
    coordinator_id = db.session.execute(
        insert(User).returning(User.id),
        {
            "email": COORDINATOR,
            "first_name": "Coordination",
            "last_name": "Revue",
            "password_hash": hash_password(PASSWORD),
            "active": True,
            "locale": "fr",
            "network_id": network_id,
            "created_at": now,
            "updated_at": now,
        },
    ).scalar_one()
    db.session.execute(insert(UserRole), [{"user_id": coordinator_id, "role": Role.COORDINATOR.value}])
    db.session.commit()
    refresh_planner_statistics()
    return round_id


def review_scenarios(round_id: int) -> dict[str, tuple[str, list[str]]]:
    """(who, URLs) per scenario: the review page and its filters, each well spread over the round."""
    network_id = db.session.scalar(select(Round.network_id).where(Round.id == round_id))
    orgs = list(db.session.scalars(select(Organisation.id).where(Organisation.network_id == network_id)))
    proposals = list(db.session.scalars(select(Proposal.id).where(Proposal.round_id == round_id).order_by(Proposal.id)))
    rng = random.Random(5)
    base = f"/coordination/tours/{round_id}"
    return {
        "review: first page": (COORDINATOR, [base]),
        "review: one host organisation": (COORDINATOR, [f"{base}?accueil={rng.choice(orgs)}" for _ in range(20)]),
        "review: home organisation + flag": (
            COORDINATOR,
            [f"{base}?origine={rng.choice(orgs)}&signal={rng.choice(['far', 'outside_wishes'])}" for _ in range(20)],
        ),
        "review: score band, by agent, page 5": (COORDINATOR, [f"{base}?score=medium&tri=agent&page=5"]),
        "review: below the floor, by host": (COORDINATOR, [f"{base}?signal=below_floor&tri=host&page=2"]),
        "review: unmatched, page 100": (COORDINATOR, [f"{base}?sans_proposition=100"]),
        "review: publication summary": (COORDINATOR, [f"{base}/publier"]),
        "review: one proposal, its replacements": (
            COORDINATOR,
            [f"/coordination/propositions/{rng.choice(proposals)}" for _ in range(5)],
        ),
    }
