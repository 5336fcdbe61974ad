"""Everything the round's review page shows, for one filter and page: the indicators, one page of proposals,
the fingerprint of the filter for bulk decisions, and one page of the requests left without a proposal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from mobilite.extensions import db
from mobilite.labels import label
from mobilite.models import ImmersionRequest, ProposalStatus, PublicationScope, Round, UnmatchedOutlook, User
from mobilite.services import review_summary, review_table, round_comparison, round_drafts
from mobilite.services.pagination import Page
from mobilite.services.round_review import RULE_LABELS

UNMATCHED_PER_PAGE = 20
RATES_SHOWN = 20  # organisations in the rates table: the least served (the filter "below floor" finds the rest)


@dataclass(frozen=True)
class UnmatchedRow:
    request: ImmersionRequest | None
    request_id: int
    reason: str  # "no_eligible_session" | "outcompeted"
    excluded: dict[str, int]  # hard rule -> sessions it ruled out
    blocked: dict[str, int]  # why eligible sessions were not open to it -> sessions


def _requests(ids: list[int]) -> dict[int, ImmersionRequest]:
    if not ids:
        return {}
    query = (
        select(ImmersionRequest)
        .where(ImmersionRequest.id.in_(ids))
        .options(
            selectinload(ImmersionRequest.agent).lazyload(User.role_rows),  # a row never reads the roles
            selectinload(ImmersionRequest.organisation),
        )
    )
    return {r.id: r for r in db.session.scalars(query)}


# A round's unmatched requests are written with its proposals and change only when it runs again: their
# count by reason is read once per run of the round and worker (18,000 rows at the national size).
_by_reason_cache: dict[tuple[int, object, object], dict[str, int]] = {}


def _by_reason(round_: Round) -> dict[str, int]:
    key = (round_.id, round_.created_at, round_.finished_at)
    if key not in _by_reason_cache:
        if len(_by_reason_cache) > 64:
            _by_reason_cache.clear()
        _by_reason_cache[key] = dict(
            db.session.execute(
                select(UnmatchedOutlook.reason, func.count())
                .where(UnmatchedOutlook.round_id == round_.id)
                .group_by(UnmatchedOutlook.reason)
            ).all()
        )
    return dict(_by_reason_cache[key])


def unmatched_page(round_: Round, number: int) -> tuple[Page, list[UnmatchedRow], dict[str, int]]:
    """One page of the requests the round left without a proposal (by request), and their count by reason."""
    by_reason = _by_reason(round_)
    if by_reason:
        number = max(number, 1)
        outlooks = db.session.scalars(
            select(UnmatchedOutlook)
            .where(UnmatchedOutlook.round_id == round_.id)
            .order_by(UnmatchedOutlook.request_id)
            .limit(UNMATCHED_PER_PAGE)
            .offset((number - 1) * UNMATCHED_PER_PAGE)
        )
        entries: list[dict[str, Any]] = [{"request": o.request_id, "reason": o.reason, **o.data} for o in outlooks]
        found = Page(entries, sum(by_reason.values()), number, UNMATCHED_PER_PAGE)
    else:  # a round saved before the per-request table: its JSON record
        every = (round_.unmatched or {}).get("requests", [])
        for entry in every:
            by_reason[entry["reason"]] = by_reason.get(entry["reason"], 0) + 1
        first = (max(number, 1) - 1) * UNMATCHED_PER_PAGE
        entries = every[first : first + UNMATCHED_PER_PAGE]
        found = Page(entries, len(every), max(number, 1), UNMATCHED_PER_PAGE)
    requests = _requests([int(e["request"]) for e in entries])
    rows = [
        UnmatchedRow(
            requests.get(int(e["request"])),
            int(e["request"]),
            e["reason"],
            dict(e.get("excluded") or {}),
            dict(e.get("blocked") or {}),
        )
        for e in entries
    ]
    return found, rows, by_reason


def review_page(round_: Round, values: dict[str, Any], unmatched_number: int = 1) -> dict[str, Any]:
    """The page's data for the filter `values` (a loaded ReviewQuerySchema)."""
    f = review_table.ReviewFilter.from_values(values)
    summary = review_summary.summary(round_)
    below = [r.organisation_id for r in summary.below_floor]
    # In review, the token's query counts the filtered proposals too: the page does not count them again.
    token, total = review_table.token_and_count(round_, f, below) if summary.in_review else ("", None)
    found, rows = review_table.page(round_, f, values.get("page") or 1, below, total)
    unmatched, unmatched_rows, by_reason = unmatched_page(round_, unmatched_number)
    return {
        "round": round_,
        "summary": summary,
        "scale": review_table.Scale.of(round_),
        "filter": f,
        "found": found,
        "rows": rows,
        "token": token,
        "unmatched": unmatched,
        "unmatched_rows": unmatched_rows,
        "unmatched_by_reason": by_reason,
        "scope": PublicationScope(round_.network.publication_scope),
        # Words every row repeats, translated once for the page (not once a row).
        "flag_labels": review_table.flag_labels(),
        "flag_short": {k: str(v) for k, v in review_table.FLAG_SHORT.items()},
        "band_labels": review_table.band_labels(),
        "band_short": {k: str(v) for k, v in review_table.BAND_SHORT.items()},
        "status_labels": {s: label(s) for s in ProposalStatus},
        "sort_labels": review_table.SORT_LABELS,
        "rule_labels": RULE_LABELS,
        "rates_shown": RATES_SHOWN,
        # What changed from the previous version (after a rerun), and other settings to try.
        "changes": round_comparison.rerun_changes(round_),
        "drafts": round_drafts.drafts_of(round_),
        "draft_settings": round_drafts.current_settings(round_),
        "weight_labels": round_drafts.WEIGHT_LABELS,
        "draft_labels": round_drafts.STATUS_LABELS,
    }
