"""The round's review at any size: its indicators as they stand now, and its proposals one page at a time.

Every filter, sort and page is a SQL clause: the page reads 50 proposals, never the round's 2,000. The
indicators are a handful of GROUP BY queries over the round's proposals and unmatched requests, recomputed
on each read, so that they follow every rejection, replacement and publication.

Flags a coordinator filters on:
- last wish: placed on the last of two wishes or more; outside wishes: the agent made wishes, none is it;
- far: the distance term gave 20 points out of 100 or less, i.e. the host is at 80 % of the agent's maximum
  distance or beyond (remote sessions score 50: never far; no limit: never far);
- below floor: the agent's organisation has fewer placements than the network's fairness floor asks;
- pinned, replaced: set by a coordinator.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace

from flask_babel import format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, and_, exists, func, select
from sqlalchemy.orm import aliased, selectinload

from mobilite.extensions import db
from mobilite.limits import DEFAULT_WEIGHTS
from mobilite.models import (
    ImmersionRequest,
    Offer,
    OfferSession,
    Organisation,
    Proposal,
    ProposalStatus,
    Round,
    User,
    Wish,
)
from mobilite.services import score_words
from mobilite.services.pagination import Page, paginate

PER_PAGE = 50
HIGH_SHARE, LOW_SHARE = 0.6, 0.35  # score bands, as a share of the best score a pair can get
FAR_POINTS = 20  # distance points (of 100) at or under which a placement is "far"
PAIR_TERMS = ("base", "interest", "skill_fit", "wish", "distance", "waiting")


class Flag(enum.StrEnum):
    LAST_WISH = "last_wish"
    OUTSIDE_WISHES = "outside_wishes"
    FAR = "far"
    BELOW_FLOOR = "below_floor"
    PINNED = "pinned"
    REPLACED = "replaced"


class Band(enum.StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Sort(enum.StrEnum):
    SCORE = "score"
    SCORE_ASC = "score_asc"
    AGENT = "agent"
    HOME = "home"
    HOST = "host"
    START = "start"
    STATUS = "status"


FAR_SHARE = 1 - FAR_POINTS / 100  # of the agent's maximum distance


def flag_labels() -> dict[Flag, str]:
    return {
        Flag.LAST_WISH: _("Sur son dernier vœu"),
        Flag.OUTSIDE_WISHES: _("Hors de ses vœux"),
        Flag.FAR: _("Loin (%(share)s de sa distance maximale, ou plus)", share=format_percent(FAR_SHARE)),
        Flag.BELOW_FLOOR: _("Organisation d'origine sous le plancher d'équité"),
        Flag.PINNED: _("Épinglée"),
        Flag.REPLACED: _("Remplacée à la main"),
    }


FLAG_SHORT = {
    Flag.LAST_WISH: _l("dernier vœu"),
    Flag.OUTSIDE_WISHES: _l("hors vœux"),
    Flag.FAR: _l("loin"),
    Flag.BELOW_FLOOR: _l("organisation sous le plancher"),
    Flag.PINNED: _l("épinglée"),
    Flag.REPLACED: _l("remplacée à la main"),
}


def band_labels() -> dict[Band, str]:
    high, low = format_percent(HIGH_SHARE), format_percent(LOW_SHARE)
    return {
        Band.HIGH: _("Élevé (%(high)s du score maximal, ou plus)", high=high),
        Band.MEDIUM: _("Moyen (de %(low)s à %(high)s)", low=low, high=high),
        Band.LOW: _("Faible (moins de %(low)s)", low=low),
    }


BAND_SHORT = {Band.HIGH: _l("élevé"), Band.MEDIUM: _l("moyen"), Band.LOW: _l("faible")}
SORT_LABELS = {
    Sort.SCORE: _l("Meilleur score d'abord"),
    Sort.SCORE_ASC: _l("Plus petit score d'abord"),
    Sort.AGENT: _l("Agent (nom)"),
    Sort.HOME: _l("Organisation d'origine"),
    Sort.HOST: _l("Organisation d'accueil"),
    Sort.START: _l("Date de début"),
    Sort.STATUS: _l("Statut"),
}


@dataclass(frozen=True)
class ReviewFilter:
    home: int | None = None
    host: int | None = None
    status: ProposalStatus | None = None
    band: Band | None = None
    flags: tuple[Flag, ...] = ()
    sort: Sort = Sort.SCORE

    @classmethod
    def from_values(cls, values: dict) -> ReviewFilter:
        """From a loaded ReviewQuerySchema (or what loaded of it)."""
        return cls(
            home=values.get("home"),
            host=values.get("host"),
            status=values.get("status"),
            band=values.get("band"),
            flags=tuple(dict.fromkeys(values.get("flags") or ())),
            sort=values.get("sort") or Sort.SCORE,
        )

    def query_args(self, **changes) -> dict:
        """The filter as the page's query string (French names, as the form sends them), for links."""
        f = replace(self, **changes)
        args = {
            "origine": f.home,
            "accueil": f.host,
            "statut": f.status.value if f.status else None,
            "score": f.band.value if f.band else None,
            "signal": [flag.value for flag in f.flags] or None,
            "tri": f.sort.value if f.sort != Sort.SCORE else None,
        }
        return {k: v for k, v in args.items() if v is not None}

    @property
    def narrows(self) -> bool:
        return any((self.home, self.host, self.status, self.band, self.flags))


@dataclass(frozen=True)
class Scale:
    """What the round's settings make of a score: the best a pair can get, the bands, "far"."""

    weights: dict[str, int]
    fairness_floor: float
    reciprocity: bool

    @classmethod
    def of(cls, round_: Round) -> Scale:
        snapshot = round_.settings_snapshot or {}
        weights = {**DEFAULT_WEIGHTS, **{k: int(v) for k, v in (snapshot.get("weights") or {}).items()}}
        return cls(weights, float(snapshot.get("fairness_floor") or 0.0), bool(snapshot.get("reciprocity")))

    @property
    def best_pair_score(self) -> int:
        return 100 * sum(max(self.weights.get(t, 0), 0) for t in PAIR_TERMS)

    def band(self, score: int) -> Band:
        best = self.best_pair_score or 1
        return Band.HIGH if score >= HIGH_SHARE * best else Band.LOW if score < LOW_SHARE * best else Band.MEDIUM

    def band_clause(self, band: Band) -> ColumnElement[bool]:
        high, low = HIGH_SHARE * self.best_pair_score, LOW_SHARE * self.best_pair_score
        if band == Band.HIGH:
            return Proposal.score >= high
        if band == Band.LOW:
            return Proposal.score < low
        return and_(Proposal.score >= low, Proposal.score < high)

    @property
    def knows_far(self) -> bool:
        return self.weights.get("distance", 0) > 0

    def far(self, breakdown: dict) -> bool:
        points = breakdown.get("distance")
        return self.knows_far and points is not None and points <= FAR_POINTS * self.weights["distance"]

    def far_clause(self) -> ColumnElement[bool]:
        if not self.knows_far:
            return Proposal.id.is_(None)  # no proximity weighed: nothing is "far"
        return Proposal.breakdown["distance"].as_integer() <= FAR_POINTS * self.weights["distance"]


# --- the proposals table --------------------------------------------------------------------------------

_LAST_RANK = select(func.max(Wish.rank)).where(Wish.request_id == Proposal.request_id).correlate(Proposal)


def _on_wish() -> ColumnElement[bool]:
    return exists().where(Wish.request_id == Proposal.request_id, Wish.offer_id == OfferSession.offer_id)


def filtered(round_: Round, f: ReviewFilter, below_floor: Iterable[int] = ()) -> Select:
    """The round's proposals that pass the filter, in its order (no loading options: callers add theirs)."""
    scale = Scale.of(round_)
    query = (
        select(Proposal)
        .join(ImmersionRequest, Proposal.request_id == ImmersionRequest.id)
        .join(OfferSession, Proposal.session_id == OfferSession.id)
        .join(Offer, OfferSession.offer_id == Offer.id)
        .where(Proposal.round_id == round_.id)
    )
    if f.home is not None:
        query = query.where(ImmersionRequest.organisation_id == f.home)
    if f.host is not None:
        query = query.where(Offer.organisation_id == f.host)
    if f.status is not None:
        query = query.where(Proposal.status == f.status)
    if f.band is not None:
        query = query.where(scale.band_clause(f.band))
    for flag in f.flags:
        if flag == Flag.PINNED:
            query = query.where(Proposal.pinned.is_(True))
        elif flag == Flag.REPLACED:
            query = query.where(Proposal.replaced.is_(True))
        elif flag == Flag.FAR:
            query = query.where(scale.far_clause())
        elif flag == Flag.BELOW_FLOOR:
            query = query.where(ImmersionRequest.organisation_id.in_(list(below_floor)))
        elif flag == Flag.LAST_WISH:
            last = exists().where(
                Wish.request_id == Proposal.request_id,
                Wish.offer_id == OfferSession.offer_id,
                Wish.rank == _LAST_RANK.scalar_subquery(),
                Wish.rank > 1,
            )
            query = query.where(last)
        elif flag == Flag.OUTSIDE_WISHES:
            query = query.where(exists().where(Wish.request_id == Proposal.request_id), ~_on_wish())
    return _ordered(query, f.sort)


def _ordered(query: Select, sort: Sort) -> Select:
    """The sort, joining the names it orders by (a join, not a subquery per row)."""
    if sort == Sort.SCORE_ASC:
        return query.order_by(Proposal.score.asc(), Proposal.id)
    if sort == Sort.AGENT:
        agent = aliased(User)
        query = query.join(agent, agent.id == ImmersionRequest.agent_id)
        return query.order_by(agent.last_name, agent.first_name, Proposal.id)
    if sort in (Sort.HOME, Sort.HOST):
        organisation = aliased(Organisation)
        on = ImmersionRequest.organisation_id if sort == Sort.HOME else Offer.organisation_id
        return query.join(organisation, organisation.id == on).order_by(organisation.name, Proposal.id)
    if sort == Sort.START:
        return query.order_by(OfferSession.start_date, Proposal.id)
    if sort == Sort.STATUS:
        return query.order_by(Proposal.status, Proposal.score.desc(), Proposal.id)
    return query.order_by(Proposal.score.desc(), Proposal.id)


@dataclass(frozen=True)
class ReviewRow:
    proposal: Proposal
    band: Band
    flags: frozenset[Flag]
    short: str  # which wish it is, how far: the terms people compare first


def _row_details(query: Select) -> Select:
    """What a row shows: the agent and their organisation, their wishes, the offer and its host (the words of
    every score term are on the proposal's own page: a row says which wish it is and how far)."""
    return query.options(
        # Not the agents' roles (selectin by default): a row never reads them, one query less.
        selectinload(Proposal.request).selectinload(ImmersionRequest.agent).lazyload(User.role_rows),
        selectinload(Proposal.request).selectinload(ImmersionRequest.organisation),
        selectinload(Proposal.request).selectinload(ImmersionRequest.wishes),
        selectinload(Proposal.session).selectinload(OfferSession.offer).selectinload(Offer.organisation),
        # The offer's site, where it has one: the distance reads it (Offer.location), not a query a row.
        selectinload(Proposal.session).selectinload(OfferSession.offer).selectinload(Offer.site),
    )


def rows_of(round_: Round, proposals: Iterable[Proposal], below_floor: Iterable[int] = ()) -> list[ReviewRow]:
    scale, below = Scale.of(round_), set(below_floor)
    rows = []
    for p in proposals:
        wishes = p.request.wishes
        rank = score_words.wish_rank(p.request, p.session)
        flags = {
            Flag.PINNED: p.pinned,
            Flag.REPLACED: p.replaced,
            Flag.FAR: scale.far(p.breakdown or {}),
            Flag.BELOW_FLOOR: p.request.organisation_id in below,
            Flag.LAST_WISH: rank is not None and rank > 1 and rank == max(w.rank for w in wishes),
            Flag.OUTSIDE_WISHES: bool(wishes) and rank is None,
        }
        short = score_words.short(p.request, p.session, p.breakdown, scale.weights)
        rows.append(ReviewRow(p, scale.band(p.score), frozenset(k for k, on in flags.items() if on), short))
    return rows


def page(
    round_: Round, f: ReviewFilter, number: int, below_floor: Iterable[int] = (), total: int | None = None
) -> tuple[Page, list[ReviewRow]]:
    """One page of the filtered proposals, with what each row shows (`total`: their count, if known)."""
    below = list(below_floor)
    found = paginate(_row_details(filtered(round_, f, below)), number, PER_PAGE, total)
    return found, rows_of(round_, found.items, below)


def token(round_: Round, f: ReviewFilter | None = None, below_floor: Iterable[int] = ()) -> str:
    """A fingerprint of the proposals a filter selects, as they are now: a bulk decision sent with it applies
    only if nothing it covers changed since.

    Aggregates, not the rows (the page shows it on every read): every change of a proposal raises its version
    and sets its updated_at, so a change inside the set moves the sums and the latest time; one that takes a
    proposal out of the set or brings one in moves the count or the sum of ids. And the run of the round."""
    return token_and_count(round_, f, below_floor)[0]


def token_and_count(round_: Round, f: ReviewFilter | None = None, below_floor: Iterable[int] = ()) -> tuple[str, int]:
    """The token and the number of proposals the filter selects: one query, which the page's count reuses."""
    selected = filtered(round_, f or ReviewFilter(), below_floor).order_by(None).subquery()
    row = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(selected.c.id), 0),
            func.coalesce(func.sum(selected.c.version), 0),
            func.max(selected.c.updated_at),
        )
    ).one()
    digest = hashlib.sha256(f"{round_.id}:{round_.finished_at}:{tuple(row)}".encode())
    return digest.hexdigest()[:32], int(row[0])
