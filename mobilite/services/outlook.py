"""Why a published round left an approved request without a proposal, and what would open options.

The engine computes each unmatched request's reason and outlook during the round (appariement/outlook.py).
`save` keeps them, one row per (round, request), when the round's solution is saved; the agent's pages and
the round's e-mail read them once the round is published, and mobilite/outlook_text.py words them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import selectinload

import appariement
from mobilite import notifications
from mobilite.extensions import db
from mobilite.lifecycles import request as request_lifecycle
from mobilite.models import ImmersionRequest, Offer, Round, RoundStatus, UnmatchedOutlook
from mobilite.outlook_text import OutlookText, outlook_text


def save(round_id: int, unmatched: Iterable[appariement.Unmatched]) -> None:
    """Replace the round's outlooks by those of the solution's unmatched requests, in the caller's
    transaction. The agent's words are made from the reason, its counts and the outlook; the nearest sessions
    by id stay on the round, for the coordinator's review."""
    delete_for_round(round_id)
    rows = [
        {
            "round_id": round_id,
            "request_id": int(u.request_id),
            "reason": u.reason,
            "data": {
                "excluded": dict(u.excluded),
                "blocked": dict(u.blocked),
                "outlook": u.outlook.to_dict() if u.outlook is not None else {},
            },
        }
        for u in unmatched
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


def notify_unmatched(round_: Round, requests: Sequence[ImmersionRequest]) -> int:
    """The round is published: each agent whose waiting request it left unmatched gets the reason and what
    would open options, by e-mail, in the agent's language. Returns how many were told."""
    if not requests:
        return 0
    by_id = {r.id: r for r in requests}
    rows = list(
        db.session.scalars(
            select(UnmatchedOutlook).where(
                UnmatchedOutlook.round_id == round_.id, UnmatchedOutlook.request_id.in_(list(by_id))
            )
        )
    )
    offers = wished_offers(rows)
    for row in sorted(rows, key=lambda r: r.request_id):
        immersion_request = by_id[row.request_id]
        # Worded when rendered, in the agent's language.
        notifications.round_unmatched(immersion_request, partial(outlook_text, row, immersion_request, offers))
    return len(rows)
