"""Where a coordinator may move a placement by hand: the sessions that keep every hard rule, best score first.

The engine judges and scores (appariement.replacement_options, on the network's open sessions and the
round's other placements); this module loads what it needs and gives each option its words. A moved
placement is scored with the weights the round ran with, so that its score compares with the others'.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import selectinload

import appariement
from appariement import ReplacementOption, RuleName
from mobilite.extensions import db
from mobilite.lifecycles import proposal as proposal_lifecycle
from mobilite.models import Offer, OfferSession, Proposal, Round
from mobilite.services import score_words
from mobilite.services.review_table import Scale
from mobilite.services.round_problem import LoadedRound, load_problem

SHOWN_REFUSED = 30  # sessions shown with the rule they break (the best scores among them)


@dataclass(frozen=True)
class Choice:
    session: OfferSession
    option: ReplacementOption
    words: list[score_words.TermWords]
    current: bool  # the session the proposal holds now


@dataclass(frozen=True)
class Replacements:
    valid: list[Choice]
    refused: list[Choice]  # the best-scoring sessions a rule rules out, with that rule
    refused_by_rule: Counter = field(default_factory=Counter)  # first broken rule -> sessions
    refused_count: int = 0


def other_placements(proposal: Proposal) -> list[tuple[int, int]]:
    """The round's other placements still in review (request id, session id)."""
    return list(
        db.session.execute(
            select(Proposal.request_id, Proposal.session_id).where(
                Proposal.round_id == proposal.round_id,
                Proposal.id != proposal.id,
                Proposal.status.in_(proposal_lifecycle.IN_REVIEW),
            )
        ).all()
    )


def load(proposal: Proposal, others: list[tuple[int, int]]) -> LoadedRound:
    """The network's open sessions and the requests of the round's placements (not the whole queue), with
    the network's rules of today and the weights the round ran with."""
    round_: Round = proposal.round
    loaded = load_problem(
        round_.network, round_.week_start, None, only_requests={proposal.request_id, *(r for r, _ in others)}
    )
    weights = Scale.of(round_).weights
    known = appariement.Weights.__dataclass_fields__
    settings = replace(
        loaded.problem.settings, weights=appariement.Weights(**{k: v for k, v in weights.items() if k in known})
    )
    return replace(loaded, problem=replace(loaded.problem, settings=settings))


def _pairs(others: list[tuple[int, int]], loaded: LoadedRound) -> list[tuple[str, str]]:
    # A placement whose request left the queue, or whose session closed, is not sent: it constrains nothing.
    return [(str(r), str(s)) for r, s in others if r in loaded.request_ids and s in loaded.session_ids]


def _sessions(ids: list[int]) -> dict[int, OfferSession]:
    if not ids:
        return {}
    query = (
        select(OfferSession)
        .where(OfferSession.id.in_(ids))
        .options(
            selectinload(OfferSession.offer).selectinload(Offer.organisation),
            selectinload(OfferSession.offer).selectinload(Offer.themes),
            selectinload(OfferSession.offer).selectinload(Offer.skills),
        )
    )
    return {s.id: s for s in db.session.scalars(query)}


def options(proposal: Proposal) -> Replacements:
    """Every session the placement could move to, best score first, and the best of those a rule rules out."""
    others = other_placements(proposal)
    loaded = load(proposal, others)
    found = appariement.replacement_options(loaded.problem, str(proposal.request_id), _pairs(others, loaded))
    valid = [o for o in found if o.ok]
    refused = [o for o in found if not o.ok]
    shown = [*valid, *refused[:SHOWN_REFUSED]]
    sessions = _sessions([int(o.session_id) for o in shown])
    weights = Scale.of(proposal.round).weights

    def choice(option: ReplacementOption) -> Choice:
        session = sessions[int(option.session_id)]
        words = score_words.describe(proposal.request, session, option.breakdown, weights, base=False)
        return Choice(session, option, words, session.id == proposal.session_id)

    return Replacements(
        valid=[choice(o) for o in valid],
        refused=[choice(o) for o in refused[:SHOWN_REFUSED]],
        refused_by_rule=Counter(o.broken[0] for o in refused),
        refused_count=len(refused),
    )


def check(proposal: Proposal, session_id: int) -> tuple[tuple[RuleName, ...], ReplacementOption | None]:
    """The rules moving the placement to `session_id` would break (empty: none), and the engine's option for
    it (score and breakdown), judged again on the round as it is now."""
    others = other_placements(proposal)
    loaded = load(proposal, others)
    pair = (str(proposal.request_id), str(session_id))
    placements = _pairs(others, loaded)
    verdict = appariement.check_placements(loaded.problem, [*placements, pair])
    broken = verdict.by_pair[pair] or tuple(b for b in verdict.broken if b != RuleName.PINS)
    (option,) = appariement.replacement_options(loaded.problem, pair[0], placements, [pair[1]])
    return broken, option
