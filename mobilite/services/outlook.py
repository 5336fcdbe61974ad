"""Why a published round left an approved request without a proposal, and what would open options.

The engine computes each unmatched request's reason and outlook during the round (appariement/outlook.py).
`save` keeps them, one row per (round, request), when the round's solution is saved; the agent's pages and
the round's e-mail read them once the round is published, and mobilite/outlook_text.py words them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import selectinload

import appariement
from mobilite import notifications
from mobilite.extensions import db
from mobilite.lifecycles import request as request_lifecycle
from mobilite.models import ImmersionRequest, Offer, Round, RoundStatus, UnmatchedOutlook, utcnow
from mobilite.outlook_text import OutlookText, outlook_text


def save(round_id: int, unmatched: Iterable[appariement.Unmatched]) -> None:
    """Replace the round's outlooks by those of the solution's unmatched requests, in the caller's
    transaction. The agent's words are made from the reason, its counts and the outlook; the nearest sessions
    by id stay on the round, for the coordinator's review."""
    save_entries(
        round_id,
        (
            {
                "request": u.request_id,
                "reason": u.reason,
                "excluded": dict(u.excluded),
                "blocked": dict(u.blocked),
                "outlook": u.outlook.to_dict() if u.outlook is not None else {},
            }
            for u in unmatched
        ),
    )


def save_entries(round_id: int, entries: Iterable[dict]) -> None:
    """`save` from the JSON form of the unmatched (Solution.to_dict(outlooks=True)), as a kept draft has them."""
    delete_for_round(round_id)
    rows = [
        {
            "round_id": round_id,
            "request_id": int(e["request"]),
            "reason": e["reason"],
            "data": {
                "excluded": dict(e.get("excluded") or {}),
                "blocked": dict(e.get("blocked") or {}),
                "outlook": dict(e.get("outlook") or {}),
            },
        }
        for e in entries
    ]
    if rows:
        db.session.execute(insert(UnmatchedOutlook), rows)


def delete_for_round(round_id: int) -> None:
    db.session.execute(delete(UnmatchedOutlook).where(UnmatchedOutlook.round_id == round_id))


def _latest_published_rounds(network_ids: Iterable[int]) -> dict[int, int]:
    """Network id -> id of its latest published round."""
    latest: dict[int, int] = {}
    rows = db.session.execute(
        select(Round.network_id, Round.id)
        .where(Round.network_id.in_(set(network_ids)), Round.status == RoundStatus.PUBLISHED)
        .order_by(Round.network_id, Round.published_at.desc(), Round.id.desc())
    )
    for network_id, round_id in rows:
        latest.setdefault(network_id, round_id)
    return latest


def published_outlooks(requests: Sequence[ImmersionRequest]) -> dict[int, UnmatchedOutlook]:
    """Request id -> its outlook, for each request still waiting for a proposal that its network's latest
    published round left unmatched. Before publication, or once a request has moved on, nothing."""
    waiting = [r for r in requests if r.status in request_lifecycle.IN_QUEUE]
    if not waiting:
        return {}
    latest = _latest_published_rounds(r.organisation.network_id for r in waiting)
    wanted = [(latest[r.organisation.network_id], r.id) for r in waiting if r.organisation.network_id in latest]
    if not wanted:
        return {}
    rows = db.session.scalars(
        select(UnmatchedOutlook)
        .where(
            UnmatchedOutlook.request_id.in_([request_id for _, request_id in wanted]),
            UnmatchedOutlook.round_id.in_({round_id for round_id, _ in wanted}),
        )
        .options(selectinload(UnmatchedOutlook.round))
    )
    pairs = set(wanted)
    return {row.request_id: row for row in rows if (row.round_id, row.request_id) in pairs}


def wished_offers(rows: Iterable[UnmatchedOutlook]) -> dict[int, Offer]:
    """The offers the outlooks' wishes name, with their organisations: one query."""
    ids = {int(w["offer"]) for row in rows for w in row.data.get("outlook", {}).get("wishes", [])}
    if not ids:
        return {}
    query = select(Offer).where(Offer.id.in_(ids)).options(selectinload(Offer.organisation))
    return {offer.id: offer for offer in db.session.scalars(query)}


def texts_for(requests: Sequence[ImmersionRequest]) -> dict[int, OutlookText]:
    """Request id -> the words the agent reads about the latest published round (see published_outlooks)."""
    rows = published_outlooks(requests)
    offers = wished_offers(rows.values())
    by_id = {r.id: r for r in requests}
    return {request_id: outlook_text(row, by_id[request_id], offers) for request_id, row in rows.items()}


def mark_to_notify(round_id: int) -> int:
    """At publication, in its transaction: each agent whose request is still waiting once the round's proposals
    are sent is to be told why (by `notify_pending`, in the scheduler). Returns how many."""
    waiting = select(ImmersionRequest.id).where(ImmersionRequest.status.in_(request_lifecycle.IN_QUEUE))
    return db.rows_matched(
        update(UnmatchedOutlook)
        .where(UnmatchedOutlook.round_id == round_id, UnmatchedOutlook.request_id.in_(waiting))
        .values(notify_pending=True)
        .execution_options(synchronize_session=False)
    )


NOTIFY_BATCH = 100


def notify_pending(batch: int = NOTIFY_BATCH, max_batches: int = 50) -> int:
    """The scheduler's part of a publication: word and queue the e-mail of each unmatched agent to be told,
    in batches, each batch claimed under its rows' locks (SKIP LOCKED on PostgreSQL, the single writer on
    SQLite) and cleared in the transaction that queues its messages: exactly once, whatever the number of
    schedulers; a batch that fails stays pending for the next run. Returns how many were told."""
    due = UnmatchedOutlook.notify_pending.is_(True)
    told = 0
    for _ in range(max_batches):
        if db.session.scalar(select(UnmatchedOutlook.round_id).where(due).limit(1)) is None:
            break  # the usual case, every 30 seconds: no write lock taken for nothing
        db.begin_write()
        query = (
            select(UnmatchedOutlook)
            .where(due)
            .order_by(UnmatchedOutlook.round_id, UnmatchedOutlook.request_id)
            .limit(batch)
        )
        if db.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = list(db.session.scalars(query))
        if not rows:
            db.session.rollback()  # all claimed by another scheduler
            break
        told += _tell(rows)
        db.session.commit()
    return told


def _tell(rows: Sequence[UnmatchedOutlook]) -> int:
    """Queue the message of each row whose request still waits; every row is marked told either way."""
    requests = {
        r.id: r
        for r in db.session.scalars(
            select(ImmersionRequest)
            .where(ImmersionRequest.id.in_([row.request_id for row in rows]))
            .options(selectinload(ImmersionRequest.agent))
        )
    }
    offers = wished_offers(rows)
    now, told = utcnow(), 0
    for row in sorted(rows, key=lambda r: (r.round_id, r.request_id)):
        row.notify_pending, row.notified_at = False, now
        immersion_request = requests.get(row.request_id)
        if immersion_request is None or immersion_request.status not in request_lifecycle.IN_QUEUE:
            continue  # placed or withdrawn since the publication: the reason no longer applies
        # Worded when rendered, in the agent's language.
        notifications.round_unmatched(immersion_request, partial(outlook_text, row, immersion_request, offers))
        told += 1
    return told


def notify_unmatched(round_: Round, requests: Sequence[ImmersionRequest]) -> int:
    """Tell each of these agents, now, why the published round left their waiting request unmatched (the
    scheduler's `notify_pending` does it for a publication). Returns how many were told."""
    if not requests:
        return 0
    rows = db.session.scalars(
        select(UnmatchedOutlook).where(
            UnmatchedOutlook.round_id == round_.id, UnmatchedOutlook.request_id.in_([r.id for r in requests])
        )
    ).all()
    return _tell(rows)
