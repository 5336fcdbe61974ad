"""What an unplaced request could change: the outlook an agent reads after a round.

For each request the round left without a placement, the outlook gives, as data (the web app
words it):

* ``wishes`` — what became of each wished offer: no session in the round, its seats taken
  (``full``, ``diversity``, ``continuity``), or excluded, with the rules its closest session
  breaks and, for distance, how far it is;
* ``changes`` — the nearest change of one condition of the request that makes sessions
  eligible: a longer max distance (the next ``DISTANCE_STEP_KM`` above the nearest session),
  availability windows ending ``DATE_SLACK_DAYS`` later, a duration bound moved to the nearest
  session length, and — for the agent's profile — the offers whose prerequisites alone keep
  them out.  A change counts only sessions that break that one rule and hold every other
  (own organisation, quota and forbidden pairs are not the request's to change).  For an
  outcompeted request only sessions with a seat left after the round count (its eligible
  sessions were all taken already); for a request with no eligible session, every session
  counts, and ``offers_with_seats`` says how many of the offers still have a seat;
* ``offers_with_seats`` — offers of other organisations, not wished, with a seat left.

Every figure is computed by the engine's own pair rules (``rules.PAIR_RULES``) on candidate
pairs found through a start-day index (sessions starting inside a window or up to
``DATE_SLACK_DAYS`` after it; the dates rule is settled on that index, as eligibility.py does),
in blocks of requests: never the full request × session product, and bounded by a block's
candidates.  tests/appariement/test_outlook.py checks each change against ``eligible_pairs``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from . import rules
from .arrays import NO_DAY_START, ProblemArrays
from .context import Context
from .eligibility import _ranges
from .explain import BLOCKERS, blockers
from .rules import RuleName

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

DATE_SLACK_DAYS = 7  # availability windows ending one week later
DISTANCE_STEP_KM = 10  # a new max distance is proposed in steps of 10 km
BLOCK_REQUESTS = 512  # unplaced requests per block of candidates

# Rules a person can act on, in the order changes are listed. Prerequisites are the profile's.
CHANGEABLE = (RuleName.DISTANCE, RuleName.DATES, RuleName.DURATION, RuleName.PREREQUISITES)
_BIT = {name: 1 << i for i, name in enumerate(CHANGEABLE)}


@dataclass(frozen=True)
class Change:
    """One condition of the request changed alone, and the sessions it would make eligible."""

    rule: str  # "distance" | "dates" | "duration" | "prerequisites"
    offers: int  # distinct offers with a session it makes eligible
    sessions: int
    offers_with_seats: int  # of those offers, how many have one of those sessions with a seat left
    max_distance_km: int | None = None  # distance: the new limit
    extra_days: int | None = None  # dates: windows ending this many days later
    first_start: date | None = None  # dates: the first such session's start
    min_days: int | None = None  # duration: the new minimum (shorter sessions)
    max_days: int | None = None  # duration: the new maximum (longer sessions)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "rule": self.rule,
            "offers": self.offers,
            "sessions": self.sessions,
            "offers_with_seats": self.offers_with_seats,
        }
        for name in ("max_distance_km", "extra_days", "min_days", "max_days"):
            if getattr(self, name) is not None:
                d[name] = getattr(self, name)
        if self.first_start is not None:
            d["first_start"] = self.first_start.isoformat()
        return d


@dataclass(frozen=True)
class WishOutcome:
    """What became of one wished offer in the round."""

    offer_id: str
    rank: int
    # "no_session": none in the round; "excluded": no session eligible; else why its eligible
    # sessions could not take the request: "full", "diversity", "continuity", "not_chosen".
    state: str
    rules: tuple[str, ...] = ()  # excluded: the rules its closest session breaks
    distance_km: int | None = None  # excluded by distance: how far that session is

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"offer": self.offer_id, "rank": self.rank, "state": self.state}
        if self.rules:
            d["rules"] = list(self.rules)
        if self.distance_km is not None:
            d["distance_km"] = self.distance_km
        return d


@dataclass(frozen=True)
class Outlook:
    sessions_open: int  # sessions of other organisations in the round
    offers_with_seats: int  # offers of other organisations, not wished, with a seat left
    max_distance_km: float | None  # the request's limit in the round (None: no limit)
    wishes: tuple[WishOutcome, ...] = ()
    changes: tuple[Change, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "sessions_open": self.sessions_open,
            "offers_with_seats": self.offers_with_seats,
            "max_distance_km": self.max_distance_km,
            "wishes": [w.to_dict() for w in self.wishes],
            "changes": [c.to_dict() for c in self.changes],
        }


def outlooks(ctx: Context, x: npt.NDArray[np.bool_]) -> dict[int, Outlook]:
    """Request index -> Outlook, for every request the assignment x leaves unplaced."""
    a = ctx.a
    placed_req = np.zeros(a.n_req, dtype=bool)
    placed_req[ctx.pairs.r[x]] = True
    unplaced = np.flatnonzero(~placed_req).astype(np.int64)
    if len(unplaced) == 0:
        return {}
    used = np.bincount(ctx.pairs.s[x], minlength=a.n_ses)
    seat_left = used < a.s_cap
    has_pair = np.zeros(a.n_req, dtype=bool)
    has_pair[ctx.pairs.r] = True

    n_off = max(1, len(a.offer_ids))
    offer_org = np.full(n_off, -1, dtype=np.int64)
    offer_org[a.s_offer] = a.s_org
    offer_free = np.zeros(n_off, dtype=bool)
    offer_free[a.s_offer[seat_left]] = True
    free_by_org = np.bincount(offer_org[offer_free], minlength=a.n_org)
    ses_by_org = np.bincount(a.s_org, minlength=a.n_org)

    wish_r, wish_offer, wish_rank = _wishes_of(a, unplaced)
    wished_free = offer_free[wish_offer] & (offer_org[wish_offer] != a.r_org[wish_r])
    wished_free_count = np.bincount(wish_r[wished_free], minlength=a.n_req)
    wishes = _wish_outcomes(ctx, x, wish_r, wish_offer, wish_rank)
    changes = _changes(a, unplaced, has_pair, seat_left)

    sessions_open = a.n_ses - ses_by_org[a.r_org[unplaced]]
    with_seats = int(offer_free.sum()) - free_by_org[a.r_org[unplaced]] - wished_free_count[unplaced]
    limits = [None if math.isinf(v) else v for v in a.r_maxdist[unplaced].tolist()]
    return {
        r: Outlook(
            sessions_open=n_open,
            offers_with_seats=n_seats,
            max_distance_km=limit,
            wishes=tuple(wishes.get(r, ())),
            changes=tuple(changes.get(r, ())),
        )
        for r, n_open, n_seats, limit in zip(
            unplaced.tolist(), sessions_open.tolist(), with_seats.tolist(), limits, strict=True
        )
    }


# ---- wishes -------------------------------------------------------------------------------------


def _wishes_of(a: ProblemArrays, requests: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """(request, offer, rank) rows of the requests' wishes, by request then rank."""
    n_off = max(1, len(a.offer_ids))
    lo = np.searchsorted(a.wish_keys, requests * n_off)
    hi = np.searchsorted(a.wish_keys, (requests + 1) * n_off)
    owner, pos = _ranges(lo, hi)
    r, offer, rank = requests[owner], a.wish_keys[pos] % n_off, a.wish_rank[pos].astype(np.int64)
    order = np.lexsort((rank, r))
    return r[order], offer[order].astype(np.int64), rank[order]


def _wish_outcomes(
    ctx: Context, x: npt.NDArray[np.bool_], wish_r: IntArray, wish_offer: IntArray, wish_rank: IntArray
) -> dict[int, list[WishOutcome]]:
    """Each wished offer's fate, judged on each of its sessions by the pair rules."""
    a = ctx.a
    by_offer = np.argsort(a.s_offer, kind="stable")
    offer_sorted = a.s_offer[by_offer]
    lo, hi = np.searchsorted(offer_sorted, wish_offer), np.searchsorted(offer_sorted, wish_offer, side="right")
    row, pos = _ranges(lo, hi)  # one pair per (wish, session of the wished offer)
    r, s = wish_r[row], by_offer[pos].astype(np.int64)
    broken = np.array([~rule(a, r, s) for _, rule in rules.PAIR_RULES]).reshape(len(rules.PAIR_RULES), len(r))
    n_broken = broken.sum(axis=0)
    km = np.where(a.s_remote[s], 0.0, rules.pair_km(a, r, s))

    # A wish's eligible sessions: why none could take the request (the lowest BLOCKERS index).
    why = np.full(len(r), len(BLOCKERS), dtype=np.int64)
    eligible = np.flatnonzero(n_broken == 0)
    if len(eligible):
        keys = ctx.pairs.r.astype(np.int64) * a.n_ses + ctx.pairs.s
        p = np.searchsorted(keys, r[eligible] * a.n_ses + s[eligible]).astype(np.int64)
        why[eligible] = blockers(ctx, x, p)
    best_why = np.full(len(wish_r), len(BLOCKERS), dtype=np.int64)
    np.minimum.at(best_why, row, why)
    # An excluded wish is told by its closest session: fewest broken rules, then nearest.
    order = np.lexsort((s, km, n_broken, row))
    starts = np.ones(len(order), dtype=bool)
    starts[1:] = row[order][1:] != row[order][:-1]

    # Per wish: its state (a BLOCKERS index, or one of the two below), and for an excluded wish the
    # rules its closest session breaks (a bit mask) and, when distance is one, how far it is (else -1).
    no_session, excluded = len(BLOCKERS) + 1, len(BLOCKERS)
    pick = np.full(len(wish_r), -1, dtype=np.int64)
    pick[row[order][starts]] = order[starts]
    state = np.where(pick < 0, no_session, best_why)
    names = [name.value for name, _ in rules.PAIR_RULES]
    masks = (broken.astype(np.int64) << np.arange(len(names))[:, None]).sum(axis=0)
    # Per pair values taken at each wish's closest session (a wish without one gets 0: unused).
    at = np.maximum(pick, 0)
    mask = np.where(state == excluded, masks[at], 0) if len(r) else np.zeros(len(pick), dtype=np.int64)
    far = np.round(km[at]).astype(np.int64) if len(r) else np.zeros(len(pick), dtype=np.int64)
    far = np.where(mask & (1 << names.index(RuleName.DISTANCE.value)), far, -1)
    # Outcomes are frozen: equal ones are made once and shared.
    words = [str(b) for b in BLOCKERS] + ["excluded", "no_session"]
    made: dict[tuple[int, int, int, int, int], WishOutcome] = {}
    outcomes = []
    columns = (wish_offer.tolist(), wish_rank.tolist(), state.tolist(), mask.tolist(), far.tolist())
    for key in zip(*columns, strict=True):
        if key not in made:
            offer, rank, k, bits, distance = key
            failed = tuple(name for n, name in enumerate(names) if bits >> n & 1)
            made[key] = WishOutcome(a.offer_ids[offer], rank, words[k], failed, None if distance < 0 else distance)
        outcomes.append(made[key])
    # Rows are sorted by request: each request's wishes are one slice.
    bounds = np.flatnonzero(np.diff(wish_r)) + 1
    firsts = np.concatenate(([0], bounds)).tolist()
    lasts = np.concatenate((bounds, [len(wish_r)])).tolist()
    return {int(wish_r[lo]): outcomes[lo:hi] for lo, hi in zip(firsts, lasts, strict=True) if hi > lo}


# ---- changes ------------------------------------------------------------------------------------


def _candidates(a: ProblemArrays, req: IntArray, sessions: IntArray) -> tuple[IntArray, IntArray, BoolArray]:
    """(request, session, dates broken) for the sessions among `sessions` that fit a window of the
    request once it ends DATE_SLACK_DAYS later; each pair once, sorted.

    As in eligibility.py, the dates rule is settled on the indexed candidates: a session starting
    in [window start, window end + slack] fits the later window if it ends by then, and fits the
    window itself if it ends by the window's end."""
    by_start = sessions[np.argsort(a.s_start[sessions], kind="stable")]
    starts = a.s_start[by_start].astype(np.int64)
    parts = []
    for j in range(a.r_win_start.shape[1]):
        ws, we = a.r_win_start[req, j].astype(np.int64), a.r_win_end[req, j].astype(np.int64)
        real = ws != NO_DAY_START
        lo = np.searchsorted(starts, ws[real])
        hi = np.searchsorted(starts, we[real] + DATE_SLACK_DAYS, side="right")
        owner, pos = _ranges(lo, hi)
        s = by_start[pos]
        end, window_end = a.s_end[s].astype(np.int64), we[real][owner]
        fits = end <= window_end + DATE_SLACK_DAYS
        # key * 2 + 1 when the dates rule breaks in this window: sorted, a pair's first row says
        # whether any of its windows holds it.
        parts.append((req[real][owner] * a.n_ses + s)[fits] * 2 + (end > window_end)[fits])
    keys = np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
    if len(keys) > 1:  # a session within reach of two windows counts once
        keys = keys[np.concatenate(([True], keys[1:] >> 1 != keys[:-1] >> 1))]
    pair = keys >> 1
    return pair // a.n_ses, pair % a.n_ses, (keys & 1).astype(bool)


def _single_failures(
    a: ProblemArrays, r: IntArray, s: IntArray, late: BoolArray
) -> tuple[IntArray, IntArray, IntArray]:
    """The pairs that break exactly one changeable rule and hold every other: (r, s, rule bit).

    `late`: the pair breaks the dates rule (but fits the windows ending DATE_SLACK_DAYS later).
    Cheap rules first; a pair leaves as soon as it breaks a rule the request cannot change, or
    a second changeable one."""
    for rule in (rules.own_organisation, rules.quota, rules.not_forbidden):
        keep = rule(a, r, s)
        r, s, late = r[keep], s[keep], late[keep]
    bits = np.where(late, _BIT[RuleName.DATES], 0)
    for name, rule in ((RuleName.DURATION, rules.duration), (RuleName.PREREQUISITES, rules.prerequisites)):
        bits = bits | np.where(rule(a, r, s), 0, _BIT[name])
        keep = np.bitwise_count(bits) <= 1
        r, s, bits = r[keep], s[keep], bits[keep]
    bits = bits | np.where(rules.distance(a, r, s), 0, _BIT[RuleName.DISTANCE])
    keep = np.bitwise_count(bits) == 1
    return r[keep], s[keep], bits[keep].astype(np.int64)


def _changes(
    a: ProblemArrays, unplaced: IntArray, has_pair: BoolArray, seat_left: BoolArray
) -> dict[int, list[Change]]:
    """Per unplaced request, the changes that open sessions (none listed when none does)."""
    everything = np.arange(a.n_ses, dtype=np.int64)
    with_seat = np.flatnonzero(seat_left).astype(np.int64)
    out: dict[int, list[Change]] = {}
    for group, sessions in ((unplaced[~has_pair[unplaced]], everything), (unplaced[has_pair[unplaced]], with_seat)):
        if len(sessions) == 0:
            continue
        for first in range(0, len(group), BLOCK_REQUESTS):
            r, s, bits = _single_failures(a, *_candidates(a, group[first : first + BLOCK_REQUESTS], sessions))
            for name in CHANGEABLE:
                mine = bits == _BIT[name]
                for request, change in _change(a, name, r[mine], s[mine], seat_left):
                    out.setdefault(request, []).append(change)
    return out


def _change(
    a: ProblemArrays, rule: RuleName, r: IntArray, s: IntArray, seat_left: BoolArray
) -> list[tuple[int, Change]]:
    """The nearest change of `rule` for each request among pairs that break that rule alone."""
    if len(r) == 0:
        return []
    extra: dict[str, Any] = {}
    if rule == RuleName.DISTANCE:
        km = rules.pair_km(a, r, s)
        nearest = _group_min(r, km)
        limit = np.ceil(nearest[r] / DISTANCE_STEP_KM) * DISTANCE_STEP_KM
        keep = km <= limit
        extra["max_distance_km"] = limit.astype(np.int64)
    elif rule == RuleName.DURATION:
        days = a.s_days[s].astype(np.int64)
        shorter = days < a.r_min[r]
        # The nearest length on either side; on a tie, the shorter immersion.
        gap = np.where(shorter, a.r_min[r] - days, days - a.r_max[r])
        best = _group_min(r, gap * 2 + (~shorter))
        keep = gap * 2 + (~shorter) == best[r]
        extra["min_days"] = np.where(shorter, days, -1)
        extra["max_days"] = np.where(shorter, -1, days)
    else:
        keep = np.ones(len(r), dtype=bool)
    r, s = r[keep], s[keep]
    first = np.concatenate(([0], np.flatnonzero(r[1:] != r[:-1]) + 1))  # rows are sorted by request
    reqs = r[first]
    offers = a.s_offer[s].astype(np.int64)
    size, seat = int(r.max()) + 1, seat_left[s]
    counts = {
        "offers": _distinct_per_request(r, offers, size)[reqs],
        "sessions": np.bincount(r)[reqs],
        "offers_with_seats": _distinct_per_request(r[seat], offers[seat], size)[reqs],
    }
    columns = {k: v.tolist() for k, v in counts.items()} | {k: v[keep][first].tolist() for k, v in extra.items()}
    names = list(columns)
    starts = _group_min(r, a.s_start[s].astype(np.int64))[reqs].tolist() if rule == RuleName.DATES else []
    out = []
    for n, (req, *values) in enumerate(zip(reqs.tolist(), *columns.values(), strict=True)):
        figures: dict[str, Any] = {k: v for k, v in zip(names, values, strict=True) if v >= 0}
        if rule == RuleName.DATES:
            figures |= {"extra_days": DATE_SLACK_DAYS, "first_start": date.fromordinal(starts[n])}
        out.append((req, Change(rule.value, **figures)))
    return out


def _group_min(r: IntArray, values: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Per request index (a dense array over 0..max(r)): the least value among its rows."""
    out = np.full(int(r.max()) + 1, np.inf if values.dtype.kind == "f" else np.iinfo(np.int64).max, dtype=values.dtype)
    np.minimum.at(out, r, values)
    return out


def _distinct_per_request(r: IntArray, offers: IntArray, size: int = 0) -> IntArray:
    """Per request index (dense over 0..max(r), or `size`): how many distinct offers its rows name."""
    if len(r) == 0:
        return np.zeros(size, dtype=np.int64)
    width = int(offers.max()) + 1
    keys = np.sort(r * width + offers)
    keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
    return np.bincount(keys // width, minlength=size)
