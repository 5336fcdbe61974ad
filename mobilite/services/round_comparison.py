"""Comparing a round's results (services.round_drafts): a draft beside the round as it stands, and what a
rerun (or a kept draft) changed from the previous version: who gains, loses or moves a placement.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mobilite.extensions import db
from mobilite.lifecycles.round import IN_REVIEW
from mobilite.models import (
    DraftStatus,
    ImmersionRequest,
    Offer,
    OfferSession,
    Organisation,
    Proposal,
    Round,
    RoundDraft,
)
from mobilite.services import review_summary
from mobilite.services.round_drafts import WEIGHT_LABELS, current_settings

CHANGES_SHOWN = 50  # per kind (gained, lost, moved) on the page; the counts cover them all


# --- comparing ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Side:
    """One result's figures: the round as it stands, or the draft."""

    placed: int
    considered: int
    score: int
    quality: float | None
    rank_profile: dict[str, int]


@dataclass(frozen=True)
class OrgLine:
    name: str
    considered: int
    original: int  # placed
    draft: int

    def rate(self, placed: int) -> float:
        return placed / self.considered if self.considered else 0.0


@dataclass(frozen=True)
class Change:
    kind: str  # "gained" | "lost" | "moved"
    request_id: int
    agent: str
    home: str
    before: str  # the session's offer and host, or ""
    after: str
    score_before: int | None
    score_after: int | None


@dataclass
class Changes:
    gained: list[Change] = field(default_factory=list)
    lost: list[Change] = field(default_factory=list)
    moved: list[Change] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    score_difference: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Comparison:
    draft: RoundDraft
    round: Round
    original: Side | None
    other: Side | None
    organisations: list[OrgLine]
    changes: Changes | None
    settings: dict[str, Any]  # the draft's
    round_settings: dict[str, Any]  # the round's
    weight_labels: dict[str, Any]
    can_keep: bool
    outdated: bool


def placement_changes(before: dict[int, tuple[int, int]], after: dict[int, tuple[int, int]]) -> Changes:
    """Who gained, lost or moved a placement from `before` to `after` (request -> (session, score)), with
    names and the score difference; at most CHANGES_SHOWN of each kind are described."""
    kinds: dict[str, list[int]] = {"gained": [], "lost": [], "moved": []}
    for request_id in sorted(set(before) | set(after)):
        b, a = before.get(request_id), after.get(request_id)
        if b is None:
            kinds["gained"].append(request_id)
        elif a is None:
            kinds["lost"].append(request_id)
        elif a[0] != b[0]:
            kinds["moved"].append(request_id)
    shown = {kind: ids[:CHANGES_SHOWN] for kind, ids in kinds.items()}
    request_ids = [i for ids in shown.values() for i in ids]
    session_ids = {pair[0] for i in request_ids for pair in (before.get(i), after.get(i)) if pair is not None}
    requests = {
        r.id: r
        for r in db.session.scalars(
            select(ImmersionRequest)
            .where(ImmersionRequest.id.in_(request_ids))
            .options(selectinload(ImmersionRequest.agent), selectinload(ImmersionRequest.organisation))
        )
    }
    sessions = {
        s.id: s
        for s in db.session.scalars(
            select(OfferSession)
            .where(OfferSession.id.in_(session_ids))
            .options(selectinload(OfferSession.offer).selectinload(Offer.organisation))
        )
    }

    def where(pair: tuple[int, int] | None) -> str:
        if pair is None or pair[0] not in sessions:
            return ""
        session = sessions[pair[0]]
        return f"{session.offer.title} — {session.offer.organisation.name}"

    changes = Changes(counts={kind: len(ids) for kind, ids in kinds.items()})
    for kind, ids in shown.items():
        for request_id in ids:
            request = requests.get(request_id)
            b, a = before.get(request_id), after.get(request_id)
            getattr(changes, kind).append(
                Change(
                    kind,
                    request_id,
                    request.agent.full_name if request else str(request_id),
                    request.organisation.name if request else "",
                    where(b),
                    where(a),
                    b[1] if b else None,
                    a[1] if a else None,
                )
            )
    changes.score_difference = sum(s for _, s in after.values()) - sum(s for _, s in before.values())
    return changes


def rerun_changes(round_: Round) -> Changes | None:
    """After a rerun (or a kept draft): what changed from the previous version, while the round is in review."""
    previous = round_.previous_result
    if not previous or round_.status not in IN_REVIEW:
        return None
    before = {int(r): (int(s), int(score)) for r, s, score in previous.get("placements", [])}
    return placement_changes(before, _current_placements(round_))


def _current_placements(round_: Round) -> dict[int, tuple[int, int]]:
    placed = review_summary.placed_statuses(round_)
    rows = db.session.execute(
        select(Proposal.request_id, Proposal.session_id, Proposal.score).where(
            Proposal.round_id == round_.id, Proposal.status.in_(list(placed))
        )
    ).all()
    return {r: (s, score) for r, s, score in rows}


def comparison(draft: RoundDraft) -> Comparison:
    """The round as it stands and the draft side by side: score, quality, placements, wishes obtained,
    placement rate per home organisation, and who gains, loses or moves. Before the draft is done, only
    what was asked (original and other are None)."""
    round_ = draft.round
    in_review = round_.status in IN_REVIEW
    outdated = draft.round_finished_at != round_.finished_at and draft.status != DraftStatus.KEPT
    base = Comparison(
        draft=draft,
        round=round_,
        original=None,
        other=None,
        organisations=[],
        changes=None,
        settings=draft.settings,
        round_settings=current_settings(round_),
        weight_labels=WEIGHT_LABELS,
        can_keep=draft.status == DraftStatus.DONE and in_review and not outdated,
        outdated=outdated,
    )
    if draft.status not in {DraftStatus.DONE, DraftStatus.DISCARDED} or not draft.result:
        return base
    summary = review_summary.summary(round_)
    solution = draft.result["solution"]
    indicators = draft.result["indicators"]
    metrics = solution.get("metrics", {})
    after = {int(a["request"]): (int(a["session"]), int(a["score"])) for a in solution["assignments"]}
    original = Side(summary.placed, summary.considered, summary.score, summary.quality, dict(summary.rank_profile))
    bound = int(metrics.get("bound") or 0)
    score = int(metrics.get("score") or 0)
    considered = sum(indicators["considered"].values())
    other = Side(len(after), considered, score, score / bound if bound > 0 else None, dict(indicators["rank_profile"]))
    names = dict(
        db.session.execute(
            select(Organisation.id, Organisation.name).where(Organisation.network_id == round_.network_id)
        ).all()
    )
    by_org = {r.organisation_id: r for r in summary.rates}
    lines = []
    for org_id in set(by_org) | {int(o) for o in indicators["considered"]}:
        rate = by_org.get(org_id)
        lines.append(
            OrgLine(
                names.get(org_id, "?"),
                rate.considered if rate else int(indicators["considered"].get(str(org_id), 0)),
                rate.placed if rate else 0,
                int(indicators["placed"].get(str(org_id), 0)),
            )
        )
    lines.sort(key=lambda line: (line.draft - line.original, line.name))
    return dataclasses.replace(
        base,
        original=original,
        other=other,
        organisations=lines,
        changes=placement_changes(_current_placements(round_), after),
    )
