"""The agents' search in memory: each worker keeps, per network, the published offers' search fields as numpy
columns and works out a search's total and page of offer ids from them, instead of counting and walking the
offers in SQL at every search (services.search then loads the page's offers, as before). The index also
keeps, as long as it lives, what callers worked out from one offer alone (its JSON, its card): `memo`.

The answers are those of the SQL search (services.search._total_and_page, which a test compares them with):
the same filters, the same three orders and their ties broken by offer id. Text filters compare lower-cased
text (str.lower, where SQL uses the database's lower()).

Freshness. Every transaction that changes what the search reads (an offer, its sessions, themes, skills or
prerequisites, an organisation, a site, the labels of a theme or a skill) writes a new random value to
`catalogue_stamp` as it commits (the session hooks below, installed by init_app). A search reads that value,
one primary-key read, and rebuilds its network's index when it differs from the one the index was built at.
An index also lives at most MAX_AGE_SECONDS, for changes made outside the application (by hand in SQL), and
is keyed by the day, since "the next session" moves with it.
"""

from __future__ import annotations

import math
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from mobilite.extensions import db
from mobilite.models import (
    CatalogueStamp,
    Offer,
    OfferPrerequisite,
    OfferSession,
    OfferSkill,
    OfferStatus,
    OfferTheme,
    Organisation,
    Place,
    Site,
    Skill,
    Theme,
)
from mobilite.models.site import place_columns
from mobilite.services.search_geometry import FAR, squared_degrees, within

MAX_AGE_SECONDS = 300.0
MEMO_LIMIT = 10_000  # representations kept per index: an offer's API JSON takes about 3 KB, a card less
NO_SESSION = np.iinfo(np.int64).max  # sorts offers without a session to come last
SEPARATOR = "\x00"  # between an offer's title, team and description in its search text

# What the search and the offers' kept representations read (prerequisites: the API's; themes' and skills'
# labels: cards, and the order of an offer's themes and skills).
TRACKED = (Offer, OfferSession, OfferTheme, OfferSkill, OfferPrerequisite, Organisation, Site, Theme, Skill)
TRACKED_TABLES = frozenset(model.__table__.name for model in TRACKED)  # type: ignore[attr-defined]
CHANGED = "mobilite_catalogue_changed"

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


# Invalidation: the session hooks.


def _touches_catalogue(session: Session) -> bool:
    """Whether the session holds changes to what the search reads (an attribute set to its own value is none)."""
    changed = (obj for obj in session.dirty if session.is_modified(obj))
    return any(isinstance(obj, TRACKED) for obj in chain(session.new, changed, session.deleted))


def _after_flush(session: Session, _context: Any) -> None:
    if _touches_catalogue(session):
        session.info[CHANGED] = True


def _on_execute(state: Any) -> None:
    """Bulk UPDATE, DELETE or INSERT statements run through the session count too."""
    if state.is_update or state.is_delete or state.is_insert:
        table = getattr(state.statement, "table", None)
        if table is not None and table.name in TRACKED_TABLES:
            state.session.info[CHANGED] = True


def _before_commit(session: Session) -> None:
    if session.info.get(CHANGED) or _touches_catalogue(session):
        # Last statement of the transaction: the stamp row's lock is held only while committing.
        session.execute(update(CatalogueStamp).values(stamp=uuid.uuid4().hex))


def _forget(session: Session, transaction: Any) -> None:
    """Only at the end of the whole transaction: a savepoint's end says nothing of the changes around it."""
    if transaction.parent is None:
        session.info.pop(CHANGED, None)


def init_app(app) -> None:
    """Install the hooks on the application's session (once per process, whatever the number of apps)."""
    for name, hook in (
        ("after_flush", _after_flush),
        ("do_orm_execute", _on_execute),
        ("before_commit", _before_commit),
        ("after_transaction_end", _forget),
    ):
        if not event.contains(db.session, name, hook):
            event.listen(db.session, name, hook)


# The index.


@dataclass
class NetworkIndex:
    """A network's published offers (active organisations only), one row each, in offer id order."""

    ids: IntArray
    organisation: IntArray
    place: npt.NDArray[np.int8]  # 0 on site, 1 hybrid, 2 remote
    latitude: FloatArray  # NaN: unknown
    longitude: FloatArray
    city: list[str]  # lower-cased
    text: list[str]  # title, team and description, lower-cased, joined by SEPARATOR
    next_session: IntArray  # ordinal of the next session starting on or after the day, else NO_SESSION
    session_offer: IntArray  # every session: its offer's row, start and end ordinals
    session_start: IntArray
    session_end: IntArray
    themes: dict[int, IntArray]  # theme id → rows
    skills: dict[int, IntArray]
    soonest_order: IntArray  # rows by (next session, id)
    newest_order: IntArray  # rows by (published_at desc, id desc)
    # (kind, offer id) → what a caller worked out from the offer alone (services.search.search_represented),
    # kept as long as this index: the same stamp, so the same offer. At most MEMO_LIMIT entries.
    memo: dict[tuple[str, int], Any] = field(default_factory=dict)


PLACE_CODE = {Place.ON_SITE: 0, Place.HYBRID: 1, Place.REMOTE: 2}


def _rows(ids: IntArray, offer_ids: IntArray) -> tuple[IntArray, BoolArray]:
    """Each offer id's row in ids (sorted), and whether it is there at all."""
    if not len(ids):
        return np.zeros(len(offer_ids), dtype=np.int64), np.zeros(len(offer_ids), dtype=bool)
    rows = np.minimum(np.searchsorted(ids, offer_ids), len(ids) - 1)
    return rows, ids[rows] == offer_ids


def _rows_by_key(ids: IntArray, pairs: Sequence[Any]) -> dict[int, IntArray]:
    """(offer id, key) pairs as key → rows of the index, for the offers it holds."""
    columns = np.array([(offer_id, key) for offer_id, key in pairs], dtype=np.int64).reshape(-1, 2)
    rows, found = _rows(ids, columns[:, 0])
    rows, keys = rows[found], columns[found, 1]
    if not len(keys):
        return {}
    order = np.lexsort((rows, keys))
    rows, keys = rows[order], keys[order]
    distinct, starts = np.unique(keys, return_index=True)
    return {int(key): part for key, part in zip(distinct.tolist(), np.split(rows, starts[1:]), strict=True)}


def build(network_id: int, today: date) -> NetworkIndex:
    """Read the network's published offers and what the search filters them on (four queries, plain rows)."""
    connection = db.session.connection()
    latitude, longitude, city = place_columns()
    published_here = (
        select(Offer.id)
        .join(Organisation, Offer.organisation_id == Organisation.id)
        .where(Offer.status == OfferStatus.PUBLISHED, Organisation.network_id == network_id, Organisation.is_active)
    )
    offers = connection.execute(
        published_here.with_only_columns(
            Offer.id,
            Offer.organisation_id,
            Offer.place,
            latitude,
            longitude,
            city,
            Offer.title,
            Offer.team,
            Offer.description,
            Offer.published_at,
        )
        .outerjoin(Site, Offer.site_id == Site.id)
        .order_by(Offer.id)
    ).all()
    n = len(offers)
    ids = np.fromiter((o[0] for o in offers), dtype=np.int64, count=n)
    published = np.fromiter(
        (o[9].timestamp() if o[9] is not None else -math.inf for o in offers), dtype=np.float64, count=n
    )
    sessions = connection.execute(
        select(OfferSession.offer_id, OfferSession.start_date, OfferSession.end_date).where(
            OfferSession.offer_id.in_(published_here)
        )
    ).all()
    # Each query is a snapshot of its own: an offer published since the first one is left out of this build
    # (its commit changed the stamp, so the next search rebuilds).
    session_offer, found = _rows(ids, np.fromiter((s[0] for s in sessions), dtype=np.int64, count=len(sessions)))
    session_start = np.fromiter((s[1].toordinal() for s in sessions), dtype=np.int64, count=len(sessions))[found]
    session_end = np.fromiter((s[2].toordinal() for s in sessions), dtype=np.int64, count=len(sessions))[found]
    session_offer = session_offer[found]
    next_session = np.full(n, NO_SESSION, dtype=np.int64)
    upcoming = session_start >= today.toordinal()
    np.minimum.at(next_session, session_offer[upcoming], session_start[upcoming])
    themes = connection.execute(
        select(OfferTheme.offer_id, OfferTheme.theme_id).where(OfferTheme.offer_id.in_(published_here))
    ).all()
    skills = connection.execute(
        select(OfferSkill.offer_id, OfferSkill.skill_id).where(OfferSkill.offer_id.in_(published_here))
    ).all()
    return NetworkIndex(
        ids=ids,
        organisation=np.fromiter((o[1] for o in offers), dtype=np.int64, count=n),
        place=np.fromiter((PLACE_CODE[Place(o[2])] for o in offers), dtype=np.int8, count=n),
        latitude=np.array([math.nan if o[3] is None else o[3] for o in offers], dtype=np.float64),
        longitude=np.array([math.nan if o[4] is None else o[4] for o in offers], dtype=np.float64),
        city=[(o[5] or "").lower() for o in offers],
        text=[SEPARATOR.join((o[6] or "", o[7] or "", o[8] or "")).lower() for o in offers],
        next_session=next_session,
        session_offer=session_offer,
        session_start=session_start,
        session_end=session_end,
        themes=_rows_by_key(ids, themes),
        skills=_rows_by_key(ids, skills),
        soonest_order=np.lexsort((ids, next_session)),
        newest_order=np.lexsort((-ids, -published)),
    )


_cache: dict[tuple[str, int, date], tuple[str, float, NetworkIndex]] = {}
# One per network, never dropped: another thread may hold it (a few networks per database).
_build_locks: dict[tuple[str, int], threading.Lock] = {}
_locks_lock = threading.Lock()


_STAMP = select(CatalogueStamp.stamp).where(CatalogueStamp.id == 1)  # (built once: every search reads it)


def _read_stamp() -> str | None:
    # On the session's connection, in its transaction, without the ORM's work for a single value.
    return db.session.connection().scalar(_STAMP)


def _fresh(key: tuple[str, int, date], stamp: str) -> NetworkIndex | None:
    cached = _cache.get(key)
    if cached and cached[0] == stamp and time.monotonic() - cached[1] < MAX_AGE_SECONDS:
        return cached[2]
    return None


def current_index(network_id: int, today: date) -> NetworkIndex | None:
    """The network's index, rebuilt if the catalogue changed since. None (search in SQL) without a stamp row,
    or inside a transaction that changed the catalogue: an index of uncommitted data must not be shared."""
    session = db.session()
    if session.info.get(CHANGED) or _touches_catalogue(session):
        return None
    stamp = _read_stamp()
    if stamp is None:
        return None
    key = (str(db.bound_engine.url), network_id, today)
    index = _fresh(key, stamp)
    if index is not None:
        return index
    with _locks_lock:
        build_lock = _build_locks.setdefault(key[:2], threading.Lock())
    # One build per network at a time in a worker; searches of other networks, and those finding a fresh
    # index, do not wait for it.
    with build_lock:
        read_at = time.monotonic()
        stamp = _read_stamp() or stamp  # what another thread's build, just finished, may be at
        index = _fresh(key, stamp)
        if index is not None:
            return index
        index = build(network_id, today)
        with _locks_lock:
            for old in [
                k for k, kept in _cache.items() if k[2] != today or (k[0] == key[0] and _older(kept, stamp, read_at))
            ]:
                del _cache[old]
            _cache[key] = (stamp, time.monotonic(), index)
        return index


def _older(kept: tuple[str, float, NetworkIndex], stamp: str, read_at: float) -> bool:
    """Whether a kept index (of any network) is older than `stamp`, read at `read_at`: the stamp is one for the
    whole service, so one kept before that read at another stamp is out of date (and would hold its kept
    representations all day). One kept since may be newer than `stamp`: it stays."""
    kept_stamp, kept_at, _ = kept
    return kept_stamp != stamp and kept_at < read_at


def remember(index: NetworkIndex, key: tuple[str, int], value: Any) -> None:
    """Keep an offer's representation with the index, while there is room (the first ones asked for stay)."""
    if len(index.memo) < MEMO_LIMIT:
        index.memo[key] = value


def places(index: NetworkIndex, offer_ids: Sequence[int]) -> dict[int, tuple[float | None, float | None]]:
    """Where these offers (all in the index) happen: latitude and longitude, None where unknown."""
    rows = np.searchsorted(index.ids, np.asarray(offer_ids, dtype=np.int64))
    return {
        offer_id: (None if math.isnan(lat) else lat, None if math.isnan(lon) else lon)
        for offer_id, lat, lon in zip(
            offer_ids, index.latitude[rows].tolist(), index.longitude[rows].tolist(), strict=True
        )
    }


# Searching.


def _any_of(rows_by_key: dict[int, IntArray], keys: Iterable[int], size: int) -> BoolArray:
    mask = np.zeros(size, dtype=bool)
    for key in keys:
        rows = rows_by_key.get(int(key))
        if rows is not None:
            mask[rows] = True
    return mask


def total_and_page(
    index: NetworkIndex,
    filters: dict,
    organisation_id: int | None,
    origin: tuple[float, float] | None,
    offset: int,
    limit: int,
) -> tuple[int, list[int], dict[int, date]]:
    """The same as services.search's filters and _total_and_page, over the index; with the page's offers'
    next sessions (offer id → day, for those with a session to come)."""
    n = len(index.ids)
    mask = np.ones(n, dtype=bool)
    if organisation_id is not None:
        mask &= index.organisation != organisation_id
    if filters.get("themes"):
        mask &= _any_of(index.themes, filters["themes"], n)
    if filters.get("skills"):
        mask &= _any_of(index.skills, filters["skills"], n)
    if filters.get("organisation"):
        mask &= index.organisation == int(filters["organisation"])
    if filters.get("city"):
        wanted = filters["city"].strip().lower()
        mask &= np.fromiter((c == wanted for c in index.city), dtype=bool, count=n)
    if filters.get("remote"):
        mask &= index.place >= PLACE_CODE[Place.HYBRID]
    if filters.get("q"):
        needle = filters["q"].strip().lower()
        if SEPARATOR in needle:  # in no offer's text (PostgreSQL cannot even store it): nothing found
            mask[:] = False
        rows = np.flatnonzero(mask)
        found = np.fromiter((needle in index.text[r] for r in rows.tolist()), dtype=bool, count=len(rows))
        mask[rows[~found]] = False
    date_from, date_to = filters.get("date_from"), filters.get("date_to")
    if date_from or date_to:
        overlap = np.ones(len(index.session_offer), dtype=bool)
        if date_from:
            overlap &= index.session_end >= date_from.toordinal()
        if date_to:
            overlap &= index.session_start <= date_to.toordinal()
        has = np.zeros(n, dtype=bool)
        has[index.session_offer[overlap]] = True
        mask &= has
    distance2: FloatArray | None = None
    if origin:
        distance2 = squared_degrees(index.latitude, index.longitude, origin)  # NaN where unknown
    if filters.get("distance_km") and origin:
        with np.errstate(invalid="ignore"):  # NaN compares as False: unknown places are never near
            near = within(index.latitude, index.longitude, origin, filters["distance_km"], distance2)
        mask &= near | (index.place == PLACE_CODE[Place.REMOTE])
    total = int(mask.sum())
    if offset >= total:
        return total, [], {}
    sort = filters.get("sort") or "soonest"
    if sort == "closest" and distance2 is not None:
        rows = np.flatnonzero(mask)
        keys = np.where(np.isnan(distance2[rows]), FAR, distance2[rows])
        page = rows[np.lexsort((index.ids[rows], keys))[offset : offset + limit]]
    else:
        order = index.newest_order if sort == "newest" else index.soonest_order
        page = order[mask[order]][offset : offset + limit]
    next_sessions = {
        offer_id: date.fromordinal(day)
        for offer_id, day in zip(index.ids[page].tolist(), index.next_session[page].tolist(), strict=True)
        if day != NO_SESSION
    }
    return total, index.ids[page].tolist(), next_sessions
