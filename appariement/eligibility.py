"""Eligible request × session pairs, without enumerating the full product.

Sessions are indexed by (place, start day).  A place is a cell of a global grid
(``CELL_DEG`` degrees) that holds at least one session, so the index and its cost depend on
the sessions, never on the map's extent: metropolitan France, the overseas departments and
regions, or any mix of them cost the same.  Remote sessions share a place of their own, and a
second index by start day alone serves the requests with no distance limit.

Requests are taken in blocks.  For each block, every (request, place) whose cell meets the
request's reach (the bounding box of its spherical cap) is kept; each (request, place,
availability window) then takes, by binary search, the run of sessions of that place starting
inside the window.  Only those candidates meet the other pair rules, applied vectorised,
cheapest first, so memory is bounded by a block's candidates, not by the product.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from . import rules
from .arrays import NO_DAY_START, ProblemArrays
from .rules import EARTH_RADIUS_KM, RuleName

IntArray = npt.NDArray[np.int64]

CELL_DEG = 0.5  # grid cell of the place index (about 55 × 38 km in France)
BLOCK_CELLS = 4_000_000  # (request, place) tests per block: bounds the memory of a block
BLOCK_REQUESTS = 512  # requests per block at most (keeps a block's candidates in cache)
KM_PER_DEGREE = np.pi * EARTH_RADIUS_KM / 180.0
REACH_MARGIN = 1.001  # rounding room: the index must never lose an eligible pair


@dataclass
class Pairs:
    """Eligible pairs, sorted by (request, session)."""

    r: npt.NDArray[np.int32]  # request index
    s: npt.NDArray[np.int32]  # session index

    def __len__(self) -> int:
        return len(self.r)


def _ranges(lo: IntArray, hi: IntArray) -> tuple[IntArray, IntArray]:
    """Concatenate the integer ranges [lo_i, hi_i): returns (owner i, value)."""
    counts = np.maximum(hi - lo, 0)
    owner = np.repeat(np.arange(len(lo)), counts)
    offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    return owner, np.repeat(lo, counts) + offsets


@dataclass
class PlaceIndex:
    """Sessions sorted by (place, start day) and by start day alone."""

    keys: IntArray  # place * span + (start - day0), sorted
    order: npt.NDArray[np.int32]  # session of each key
    day_keys: IntArray  # start - day0, sorted
    day_order: npt.NDArray[np.int32]
    day0: int
    span: int
    cell_lat: npt.NDArray[np.float64]  # (places,) south edge of each place's cell (place 1..)
    cell_lon: npt.NDArray[np.float64]  # west edge
    has_remote: bool


def _place_index(a: ProblemArrays) -> PlaceIndex:
    row = np.floor((a.s_lat + 90.0) / CELL_DEG).astype(np.int64)
    col = np.floor((a.s_lon + 180.0) / CELL_DEG).astype(np.int64)
    cell = row * (int(360 / CELL_DEG) + 1) + col
    cells, place = np.unique(cell[~a.s_remote], return_inverse=True)
    place_of = np.zeros(a.n_ses, dtype=np.int64)  # remote sessions: place 0
    place_of[~a.s_remote] = place + 1
    n_cols = int(360 / CELL_DEG) + 1
    day0 = int(a.s_start.min())
    span = int(a.s_start.max()) - day0 + 1
    days = a.s_start.astype(np.int64) - day0
    key = place_of * span + days
    order = np.argsort(key, kind="stable").astype(np.int32)
    day_order = np.argsort(days, kind="stable").astype(np.int32)
    return PlaceIndex(
        keys=key[order],
        order=order,
        day_keys=days[day_order],
        day_order=day_order,
        day0=day0,
        span=span,
        cell_lat=(cells // n_cols) * CELL_DEG - 90.0,
        cell_lon=(cells % n_cols) * CELL_DEG - 180.0,
        has_remote=bool(a.s_remote.any()),
    )


def _reach_boxes(a: ProblemArrays, req: IntArray) -> tuple[np.ndarray, np.ndarray]:
    """Half-height (degrees of latitude) and half-width (degrees of longitude, 180 = all) of
    the bounding box of each request's spherical cap of radius max distance."""
    arc = np.minimum(a.r_maxdist[req] / EARTH_RADIUS_KM, np.pi) * REACH_MARGIN + 1e-9  # radians
    dlat = np.degrees(arc)
    lat = np.radians(a.r_lat[req])
    over_pole = np.abs(lat) + arc >= np.pi / 2
    ratio = np.sin(np.minimum(arc, np.pi / 2)) / np.maximum(np.cos(lat), 1e-12)
    dlon = np.where(over_pole | (ratio >= 1.0), 180.0, np.degrees(np.arcsin(np.minimum(ratio, 1.0))))
    return dlat, dlon


def _reachable_places(a: ProblemArrays, index: PlaceIndex, req: IntArray) -> tuple[IntArray, IntArray]:
    """(request, place) rows: the places whose cell meets the request's box (conservative)."""
    dlat, dlon = _reach_boxes(a, req)
    lat, lon = a.r_lat[req][:, None], a.r_lon[req][:, None]
    south, west = index.cell_lat[None, :], index.cell_lon[None, :]
    near_lat = (south - dlat[:, None] <= lat) & (lat <= south + CELL_DEG + dlat[:, None])
    # Longitudes on a circle: how far east of the cell's west edge the request lies (mod 360).
    east_of = np.mod(lon - west, 360.0)
    near_lon = (east_of <= CELL_DEG + dlon[:, None]) | (east_of >= 360.0 - dlon[:, None])
    owner, place = np.nonzero(near_lat & near_lon)
    return req[owner], place.astype(np.int64) + 1


def _candidates(a: ProblemArrays, index: PlaceIndex, req: IntArray) -> tuple[IntArray, IntArray]:
    """(request, session) pairs of a block that meet the dates rule and may meet distance."""
    unlimited = np.isinf(a.r_maxdist[req])
    rows_r, rows_p = _reachable_places(a, index, req[~unlimited])
    if index.has_remote:
        bounded = req[~unlimited]
        rows_r = np.concatenate((rows_r, bounded))
        rows_p = np.concatenate((rows_p, np.zeros(len(bounded), dtype=np.int64)))
    parts_r, parts_s = [], []
    every = req[unlimited]
    for j in range(a.r_win_start.shape[1]):
        for owners, place, keys, order in (
            (rows_r, rows_p, index.keys, index.order),
            (every, np.zeros(len(every), dtype=np.int64), index.day_keys, index.day_order),
        ):
            ws = a.r_win_start[owners, j].astype(np.int64)
            we = a.r_win_end[owners, j].astype(np.int64)
            real = ws != NO_DAY_START
            base = place[real] * index.span
            lo = base + np.clip(ws[real] - index.day0, 0, index.span)
            hi = base + np.clip(we[real] - index.day0 + 1, 0, index.span)
            owner, pos = _ranges(np.searchsorted(keys, lo), np.searchsorted(keys, hi))
            r, s = owners[real][owner], order[pos]
            keep = a.s_end[s] <= we[real][owner]  # the dates rule, on the indexed candidates
            parts_r.append(r[keep])
            parts_s.append(s[keep].astype(np.int64))
    return np.concatenate(parts_r), np.concatenate(parts_s)


# Cheap and selective first; "dates" is settled by the index, "duration" and "quota" by one
# test (_length_fits).
FILTER_ORDER = (
    RuleName.OWN_ORGANISATION,
    RuleName.PREREQUISITES,
    RuleName.DISTANCE,
    RuleName.FORBIDDEN,
)


def _length_fits(a: ProblemArrays, longest: IntArray, r: IntArray, s: IntArray) -> npt.NDArray[np.bool_]:
    """The duration and quota rules at once: min days <= the session's days <= longest[r]
    (the lower of max days and the quota left)."""
    days = a.s_days[s]
    fits: npt.NDArray[np.bool_] = (a.r_min[r] <= days) & (days <= longest[r])
    return fits


def eligible_pairs(a: ProblemArrays) -> Pairs:
    """All pairs meeting every pair rule (pins are checked separately)."""
    empty = np.zeros(0, dtype=np.int32)
    if a.n_req == 0 or a.n_ses == 0:
        return Pairs(r=empty, s=empty.copy())
    index = _place_index(a)
    places = max(1, len(index.cell_lat))
    block = int(max(1, min(BLOCK_REQUESTS, BLOCK_CELLS // places)))
    rule_of = dict(rules.PAIR_RULES)
    longest = np.minimum(a.r_max, a.r_quota)
    out_r, out_s = [], []
    for first in range(0, a.n_req, block):
        req = np.arange(first, min(first + block, a.n_req), dtype=np.int64)
        r, s = _candidates(a, index, req)
        keep = _length_fits(a, longest, r, s)
        r, s = r[keep], s[keep]
        for name in FILTER_ORDER:
            if len(r):
                keep = rule_of[name](a, r, s)
                r, s = r[keep], s[keep]
        key = np.sort(r * a.n_ses + s)
        if len(key) > 1:  # a pair found through two overlapping windows counts once
            key = key[np.concatenate(([True], key[1:] != key[:-1]))]
        out_r.append((key // a.n_ses).astype(np.int32))
        out_s.append((key % a.n_ses).astype(np.int32))
    return Pairs(r=np.concatenate(out_r), s=np.concatenate(out_s))


def first_failing_rule(a: ProblemArrays, r: IntArray, s: IntArray) -> npt.NDArray[np.int8]:
    """Per pair, the position in PAIR_RULES of the first rule it breaks (len: eligible)."""
    first = np.full(len(r), len(rules.PAIR_RULES), dtype=np.int8)
    undecided = np.ones(len(r), dtype=bool)
    for i, (_, rule) in enumerate(rules.PAIR_RULES):
        ix = np.flatnonzero(undecided)
        if len(ix) == 0:
            break
        broken = ~rule(a, r[ix], s[ix])
        first[ix[broken]] = i
        undecided[ix[broken]] = False
    return first


def exclusion_counts(a: ProblemArrays, requests: IntArray) -> list[dict[str, int]]:
    """For each request: how many sessions each pair rule excludes (first failing rule)."""
    out: list[dict[str, int]] = []
    block = max(1, BLOCK_CELLS // max(1, a.n_ses))
    names = [name.value for name, _ in rules.PAIR_RULES]
    for first in range(0, len(requests), block):
        req = requests[first : first + block]
        r = np.repeat(req, a.n_ses)
        s = np.tile(np.arange(a.n_ses, dtype=np.int64), len(req))
        codes = first_failing_rule(a, r, s).reshape(len(req), a.n_ses).astype(np.int64)
        offsets = np.arange(len(req), dtype=np.int64)[:, None] * (len(names) + 1)
        counts = np.bincount((codes + offsets).ravel(), minlength=len(req) * (len(names) + 1))
        for row in counts.reshape(len(req), len(names) + 1)[:, : len(names)].tolist():
            out.append({names[i]: n for i, n in enumerate(row) if n})
    return out
