"""Searching the network's published offers: filters, a page of results, its total, from the worker's
in-memory index (services.catalogue_index) or in SQL.

Distances are services.search_geometry's. Remote offers (place = remote) are never excluded by distance: the
agent does not travel.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypedDict

from flask import current_app
from sqlalchemy import Integer, cast, exists, func, literal, literal_column, null, or_, select, union_all
from sqlalchemy.orm import aliased

from mobilite.extensions import db
from mobilite.models import (
    Offer,
    OfferSession,
    OfferSkill,
    OfferStatus,
    OfferTheme,
    Organisation,
    Place,
    Site,
    Skill,
    Theme,
    User,
)
from mobilite.models.site import located_offers, place_columns
from mobilite.services import catalogue_index, offer_records
from mobilite.services.offer_records import OfferRecord
from mobilite.services.search_geometry import FAR, KM_PER_DEGREE, squared_degrees, within

OFFER_LATITUDE, OFFER_LONGITUDE, OFFER_CITY = place_columns()  # the offer's site's, else its organisation's
PER_PAGE = 20
SORTS = ("soonest", "closest", "newest")
NEVER = literal(date(9999, 12, 31))  # sorts offers without a session to come last
WALK_FIRST_BATCH = 64  # session rows in the soonest sort's first batch, at least…
WALK_ROWS_PER_OFFER = 2  # …or this many per offer wanted (offers tend to have a few sessions)


def distance_km(lat0: float, lon0: float, lat: float, lon: float) -> float:
    """The same equirectangular distance as the SQL expression, for display."""
    k = math.cos(math.radians(lat0))
    return math.hypot((lon - lon0) * k, lat - lat0) * KM_PER_DEGREE


def distance_to(user: User, offer: Offer) -> float | None:
    """From the agent's work place to where the offer happens (Offer.location); None if either is unknown."""
    place = offer.location
    if user.work_latitude is None or user.work_longitude is None or place.latitude is None or place.longitude is None:
        return None
    return distance_km(user.work_latitude, user.work_longitude, place.latitude, place.longitude)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _origin(user: User) -> tuple[float, float] | None:
    if user.work_latitude is None or user.work_longitude is None:
        return None
    return user.work_latitude, user.work_longitude


def published_offers(user: User, *, located: bool = True):
    """The offers the agent may browse: published in their network, of another organisation than theirs.
    Their site is outer-joined: OFFER_LATITUDE, OFFER_LONGITUDE and OFFER_CITY read it (Offer.location).
    `located=False` leaves the site out for a query that reads none of those: the same rows (at most one site
    per offer), and PostgreSQL can then count them from an index alone (it drops the unused outer join, but
    too late to stop reading offers.site_id from the table)."""
    query = select(Offer).join(Organisation, Offer.organisation_id == Organisation.id)
    if located:
        query, *_place = located_offers(query)
    query = query.where(
        Offer.status == OfferStatus.PUBLISHED,
        Organisation.network_id == user.home_network_id,
        Organisation.is_active,  # a suspended organisation's offers leave the catalogue
    )
    if user.organisation_id is not None:
        query = query.where(Offer.organisation_id != user.organisation_id)
    return query


@dataclass
class _Page:
    """A search's total and its page of offer ids, in order; from the index when there is one."""

    total: int
    ids: list[int]
    index: catalogue_index.NetworkIndex | None
    next_sessions: dict[int, date] | None  # from the index; None: work them out from the offers' sessions


def _page_of_ids(user: User, filters: dict, offset: int, per_page: int, today: date) -> _Page:
    index = None
    if current_app.config["CATALOGUE_INDEX"] and user.home_network_id is not None:
        index = catalogue_index.current_index(user.home_network_id, today)
    if index is not None:
        total, ids, next_sessions = catalogue_index.total_and_page(
            index, filters, user.organisation_id, _origin(user), offset, per_page
        )
        return _Page(total, ids, index, next_sessions)
    query, distance2 = filtered_offers(user, filters)
    total, ids = _total_and_page(query, filters.get("sort") or "soonest", distance2, today, offset, per_page)
    return _Page(total, ids, None, None)


def _next_sessions(offers: Iterable[OfferRecord], today: date) -> dict[int, date]:
    found = {}
    for offer in offers:
        upcoming = [s.start_date for s in offer.sessions if s.start_date >= today]
        if upcoming:
            found[offer.id] = min(upcoming)
    return found


@dataclass
class SearchPage:
    """A page of search results, each offer as the search's `represent` gave it (the offer itself, its JSON,
    its card)."""

    items: list[Any]
    ids: list[int]
    total: int
    page: int
    per_page: int
    distances: dict[int, float]  # offer id → km, when the agent has a work place
    next_sessions: dict[int, date]

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def search_offers(
    user: User,
    filters: dict,
    *,
    page: int = 1,
    per_page: int = PER_PAGE,
    today: date | None = None,
    with_details: bool = False,
) -> SearchPage:
    """Filters (each optional): themes, skills (any of the ids), organisation, city, distance_km, date_from,
    date_to (a session overlaps the range), remote (remote or hybrid), q (title, description or team),
    sort (soonest session, closest, newest). The page's offers are records (services.offer_records) with
    their organisation, site and themes; `with_details` also with their sessions, skills and prerequisites."""
    return search_represented(
        user, filters, lambda offer: offer, None, page=page, per_page=per_page, today=today, with_details=with_details
    )


def search_represented(
    user: User,
    filters: dict,
    represent: Callable[[OfferRecord], Any],
    kind: str | None,
    *,
    page: int = 1,
    per_page: int = PER_PAGE,
    today: date | None = None,
    with_details: bool = False,
) -> SearchPage:
    """search_offers, each offer given as `represent(offer)`. An offer's representation of a `kind` is kept
    with the worker's index (the same catalogue stamp, so the same offer) and given again while it lives,
    rather than loading and representing the offer at each search. `represent` must depend on the offer
    alone (its organisation, site, themes, and with_details its sessions, skills and prerequisites) and on
    what `kind` names (a language, say), never on the reader: the distance and the next session, which do,
    come apart. No `kind`: nothing is kept."""
    today = today or date.today()
    found = _page_of_ids(user, filters, (page - 1) * per_page, per_page, today)
    keeper = found.index if kind is not None else None  # where representations are kept, if anywhere
    memo: dict[tuple[str, int], Any] = keeper.memo if keeper is not None else {}
    key = kind or ""
    loaded = offer_records.load(
        [i for i in found.ids if (key, i) not in memo],
        sessions=with_details or found.next_sessions is None,
        details=with_details,
    )
    fresh = {offer_id: represent(offer) for offer_id, offer in loaded.items()}
    if keeper is not None:
        for offer_id, item in fresh.items():
            catalogue_index.remember(keeper, (key, offer_id), item)
    ids = [i for i in found.ids if i in fresh or (key, i) in memo]  # (one deleted since the index was read: left out)
    items = [fresh[i] if i in fresh else memo[(key, i)] for i in ids]
    if found.index is not None and found.next_sessions is not None:
        next_sessions = found.next_sessions
        places = catalogue_index.places(found.index, ids)
    else:
        next_sessions = _next_sessions(loaded.values(), today)
        places = {i: (loaded[i].location.latitude, loaded[i].location.longitude) for i in ids}
    origin = _origin(user)
    distances = {}
    if origin:
        for offer_id, (latitude, longitude) in places.items():
            if latitude is not None and longitude is not None:
                distances[offer_id] = distance_km(origin[0], origin[1], latitude, longitude)
    return SearchPage(items, ids, found.total, page, per_page, distances, next_sessions)


def filtered_offers(user: User, filters: dict):
    """The published offers the agent may browse that pass the filters, and the squared distance expression
    (None without a work place); see search_offers for the filters."""
    origin = _origin(user)
    sort = filters.get("sort") or "soonest"
    located = bool(filters.get("city") or (origin and (filters.get("distance_km") or sort == "closest")))
    query = published_offers(user, located=located)
    if filters.get("themes"):
        query = query.where(exists().where(OfferTheme.offer_id == Offer.id, OfferTheme.theme_id.in_(filters["themes"])))
    if filters.get("skills"):
        query = query.where(exists().where(OfferSkill.offer_id == Offer.id, OfferSkill.skill_id.in_(filters["skills"])))
    if filters.get("organisation"):
        query = query.where(Offer.organisation_id == filters["organisation"])
    if filters.get("city"):
        query = query.where(func.lower(OFFER_CITY) == filters["city"].strip().lower())
    if filters.get("remote"):
        query = query.where(Offer.place.in_((Place.REMOTE, Place.HYBRID)))
    if filters.get("q"):
        pattern = f"%{_escape_like(filters['q'].strip())}%"
        query = query.where(
            or_(
                Offer.title.ilike(pattern, escape="\\"),
                Offer.team.ilike(pattern, escape="\\"),
                Offer.description.ilike(pattern, escape="\\"),
            )
        )
    date_from, date_to = filters.get("date_from"), filters.get("date_to")
    if date_from or date_to:
        overlap = [OfferSession.offer_id == Offer.id]
        if date_from:
            overlap.append(OfferSession.end_date >= date_from)
        if date_to:
            overlap.append(OfferSession.start_date <= date_to)
        query = query.where(exists().where(*overlap))

    distance2 = squared_degrees(OFFER_LATITUDE, OFFER_LONGITUDE, origin) if origin else None
    if filters.get("distance_km") and origin:
        near = within(OFFER_LATITUDE, OFFER_LONGITUDE, origin, filters["distance_km"], distance2)
        query = query.where(or_(near, Offer.place == Place.REMOTE))
    return query, distance2


def _total_and_page(query, sort: str, distance2, today: date, offset: int, limit: int) -> tuple[int, list[int]]:
    """How many offers `query` finds, and the ids of those from `offset` to `offset + limit` in the sort's
    order; the sort key is the only per-row work besides the filters."""

    def count() -> int:
        # count(*) straight over the joined rows (each offer's organisation and site are one row, the filters
        # are EXISTS): no subquery selecting offers.id, which kept the planner from an index-only scan.
        return db.session.scalar(query.with_only_columns(func.count()).order_by(None)) or 0

    if sort == "closest" and distance2 is not None:
        # Every matching offer's distance is worked out to sort them: the total comes in the same pass,
        # count(*) OVER () being evaluated before ORDER BY … LIMIT keeps the page. Only an empty page, with no
        # row to carry the total, counts on its own.
        rows: Sequence[Any] = db.session.execute(
            query.with_only_columns(Offer.id, func.count().over())
            .order_by(func.coalesce(distance2, FAR), Offer.id)
            .limit(limit)
            .offset(offset)
        ).all()
        return (rows[0][1] if rows else count()), [offer_id for offer_id, _total in rows]
    total = count()  # (newest first: counting from an index alone beat the same single pass, measured)
    if offset >= total:  # nothing to fetch, and no offset too large for the database
        return total, []
    if sort in ("soonest", "closest"):  # closest without a work place: soonest
        return total, _soonest_ids(query, today, offset, limit)
    newest = query.with_only_columns(Offer.id).order_by(Offer.published_at.desc().nulls_last(), Offer.id.desc())
    return total, list(db.session.scalars(newest.limit(limit).offset(offset)))


def _soonest_ids(query, today: date, offset: int, limit: int) -> list[int]:
    """The ids of `query`'s offers ordered by their next session (from `today`), then id; offers without one
    come last, by id. Rather than working out every matching offer's next session before sorting, walk the
    upcoming sessions in (start_date, offer_id) order with the same filters: an offer first shows up there at
    its earliest session, so the first `offset + limit` distinct offers met are the page and those before it.
    The walk is fetched in doubling batches until it has enough offers or runs out."""
    wanted = offset + limit
    upcoming = aliased(OfferSession)  # not correlated with the date filter's own EXISTS on offer_sessions
    walk = (
        query.with_only_columns(upcoming.offer_id)
        .join(upcoming, upcoming.offer_id == Offer.id)
        .where(upcoming.start_date >= today)
        .order_by(upcoming.start_date, upcoming.offer_id)  # rows tied on both keys hold the same offer id
    )
    seen: dict[int, None] = {}  # insertion-ordered: an offer's first occurrence is its place
    fetched, batch = 0, max(WALK_ROWS_PER_OFFER * wanted, WALK_FIRST_BATCH)
    while len(seen) < wanted:
        rows = list(db.session.scalars(walk.limit(batch).offset(fetched)))
        seen.update(dict.fromkeys(rows))
        fetched += len(rows)
        if len(rows) < batch:
            break  # the walk is over: every other offer has no session to come
        batch *= 2
    with_session = list(seen)
    if len(with_session) >= wanted:
        return with_session[offset:wanted]
    # Then the offers without a session to come, by id, from the right place in that second list.
    without = query.with_only_columns(Offer.id).where(
        ~exists().where(OfferSession.offer_id == Offer.id, OfferSession.start_date >= today)
    )
    skip = max(0, offset - len(with_session))
    rest = db.session.scalars(without.order_by(Offer.id).limit(wanted - max(offset, len(with_session))).offset(skip))
    return with_session[offset:] + list(rest)


class ChoiceList(list):
    """A list of the search form's choices that lives a while (cached, below): the web layer may keep its
    markup for as long as the list lives (web.widgets)."""


class FilterChoices(TypedDict):
    """The search form's options: (value, label) pairs; skills grouped under their theme's label."""

    themes: list[tuple[str, str]]
    skills: list[tuple[str, list[tuple[str, str]]]]
    organisations: list[tuple[str, str]]
    cities: list[tuple[str, str]]


# Themes, skills, organisations and cities change rarely (an administrator's edit, a network sync), while
# every search page shows them all: each worker keeps them a short while rather than querying them each time.
# A change shows up within FILTER_CHOICES_CACHE_SECONDS (60 by default; 0, the default under testing, turns
# the cache off so tests see their own data at once).
FILTER_CHOICES_CACHE_SECONDS = 60
FILTER_CHOICES_CACHE_SIZE = 256  # (network, organisation, locale) keys kept, the oldest dropped first
_choices_cache: dict[tuple[int | None, int | None, str], tuple[float, FilterChoices]] = {}
_choices_lock = threading.Lock()


def filter_choices(user: User, locale: str) -> FilterChoices:
    """The search form's options (cached a minute per network, organisation and locale; read-only)."""
    ttl = current_app.config.get(
        "FILTER_CHOICES_CACHE_SECONDS", 0 if current_app.testing else FILTER_CHOICES_CACHE_SECONDS
    )
    if not ttl:
        return _load_filter_choices(user, locale)
    key = (user.home_network_id, user.organisation_id, locale)
    now = time.monotonic()
    with _choices_lock:
        cached = _choices_cache.get(key)
    if cached and cached[0] > now:
        return cached[1]
    choices = _load_filter_choices(user, locale)
    with _choices_lock:
        _choices_cache.pop(key, None)  # re-inserted last: the dict's order is the expiry order
        _choices_cache[key] = (now + ttl, choices)
        while len(_choices_cache) > FILTER_CHOICES_CACHE_SIZE:
            del _choices_cache[next(iter(_choices_cache))]
    return choices


def _load_filter_choices(user: User, locale: str) -> FilterChoices:
    """The search form's options as plain (value, label) pairs, no ORM objects: one query, the four lists
    (kind 0 themes, 1 skills, 2 organisations, 3 cities) one after the other, each in its own order."""
    theme_label = Theme.label_en if locale == "en" else Theme.label_fr
    skill_label = Skill.label_en if locale == "en" else Skill.label_fr
    in_network = Organisation.network_id == user.home_network_id
    # The cities offers happen in: the organisations' and their active sites'.
    site_cities = (
        select(Site.city)
        .join(Organisation, Site.organisation_id == Organisation.id)
        .where(in_network, Site.archived_at.is_(None))
    )
    cities = select(Organisation.city).where(in_network, Organisation.city != "").union(site_cities).subquery()
    no_id = cast(null(), Integer)
    lists = union_all(
        select(
            literal_column("0", Integer).label("kind"),
            Theme.id.label("id"),
            no_id.label("parent"),
            theme_label.label("text"),
            Theme.label_fr.label("sort"),
        ),
        select(literal_column("1", Integer), Skill.id, Skill.theme_id, skill_label, Skill.label_fr),
        select(literal_column("2", Integer), Organisation.id, no_id, Organisation.name, Organisation.name).where(
            in_network, Organisation.id != (user.organisation_id or 0)
        ),
        select(literal_column("3", Integer), no_id, no_id, cities.c.city, cities.c.city),
    ).order_by("kind", "sort")
    themes: list[tuple[int, str]] = []
    skills: dict[int, list[tuple[str, str]]] = {}
    organisations: list[tuple[str, str]] = []
    city_names: list[str] = []
    rows: Sequence[Any] = db.session.execute(lists).all()  # one fetch, not one a row
    for kind, id_, parent, text, _sort in rows:
        if kind == 0:
            themes.append((id_, text))
        elif kind == 1:
            skills.setdefault(parent, []).append((str(id_), text))
        elif kind == 2:
            organisations.append((str(id_), text))
        else:
            city_names.append(text)
    return {
        "themes": ChoiceList((str(i), text) for i, text in themes),
        "skills": ChoiceList((text, skills.get(i, [])) for i, text in themes),
        "organisations": ChoiceList(organisations),
        "cities": ChoiceList((city, city) for city in city_names),
    }


def offer_for_agent(user: User, offer_id: int) -> OfferRecord | None:
    """One offer with its sessions, themes, skills and prerequisites, if its organisation is active (authz says
    whether the agent may see it): a record (services.offer_records), as a search page's offers."""
    offer = offer_records.load([offer_id], sessions=True, details=True).get(offer_id)
    return offer if offer is not None and offer.organisation.is_active else None


def wish_choices(user: User, offer_ids: list[int]) -> list[Offer]:
    """Of these offers, those the agent may rank as wishes, in the given order."""
    if not offer_ids:
        return []
    found = {o.id: o for o in db.session.scalars(published_offers(user).where(Offer.id.in_(set(offer_ids))))}
    return [found[i] for i in dict.fromkeys(offer_ids) if i in found]
