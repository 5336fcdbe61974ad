"""Eligible request × session pairs, without enumerating the full product.

Sessions are indexed by (place, start day): a grid of half-degree cells, remote sessions in a
cell of their own, then start day.  Each request lists the cells of the box around its max
distance; each (cell, availability window) selects, by binary search, the run of sessions of
that cell starting inside the window.  Only those candidates (a small share of the product)
meet the other pair rules, applied vectorised, cheapest first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import rules
from .arrays import NO_DAY_START, ProblemArrays


@dataclass
class Pairs:
    """Eligible pairs, sorted by (request, session)."""

    r: np.ndarray  # int32 request index
    s: np.ndarray  # int32 session index

    def __len__(self) -> int:
        return len(self.r)


def _ranges(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate the integer ranges [lo_i, hi_i): returns (owner i, value)."""
    counts = np.maximum(hi - lo, 0)
    owner = np.repeat(np.arange(len(lo)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return owner, np.repeat(lo, counts) + offsets


CELL_DEG = 0.5  # grid cell of the place index (about 55 × 38 km in France)


def _place_index(a: ProblemArrays):
    """Sessions sorted by (grid cell, start day); remote sessions share cell 0."""
    lats, lons = np.concatenate((a.s_lat, a.r_lat)), np.concatenate((a.s_lon, a.r_lon))
    lat0, lon0 = float(lats.min()) - 1, float(lons.min()) - 1
    n_rows = int((lats.max() - lat0) / CELL_DEG) + 3
    n_cols = int((lons.max() - lon0) / CELL_DEG) + 3
    row = ((a.s_lat - lat0) / CELL_DEG).astype(np.int64)
    col = ((a.s_lon - lon0) / CELL_DEG).astype(np.int64)
    cell = np.where(a.s_remote, 0, 1 + row * n_cols + col)
    day0 = int(a.s_start.min())
    span = int(a.s_start.max()) - day0 + 1
    key = cell * span + (a.s_start - day0)
    order = np.argsort(key, kind="stable").astype(np.int32)
    return key[order], order, (lat0, lon0, n_rows, n_cols, day0, span)


def _request_cells(a: ProblemArrays, grid) -> tuple[np.ndarray, np.ndarray]:
    """(request, cell) rows: every cell of the box around the request's max distance."""
    lat0, lon0, n_rows, n_cols, _, _ = grid
    dlat = a.r_maxdist / 110.0 * 1.01  # conservative: 1° of latitude is 111.2 km
    far_lat = np.minimum(np.abs(a.r_lat) + dlat, 89.0)
    dlon = np.minimum(a.r_maxdist / (110.0 * np.cos(np.radians(far_lat))) * 1.01, 360.0)

    def clip(v, n):
        return np.clip(np.floor(v / CELL_DEG), 0, n - 1).astype(np.int64)

    r0, r1 = clip(a.r_lat - dlat - lat0, n_rows), clip(a.r_lat + dlat - lat0, n_rows)
    c0, c1 = clip(a.r_lon - dlon - lon0, n_cols), clip(a.r_lon + dlon - lon0, n_cols)
    width = c1 - c0 + 1
    owner, j = _ranges(np.zeros(a.n_req, dtype=np.int64), (r1 - r0 + 1) * width)
    cell = 1 + (r0[owner] + j // width[owner]) * n_cols + c0[owner] + j % width[owner]
    if a.s_remote.any():
        owner = np.concatenate((owner, np.arange(a.n_req)))
        cell = np.concatenate((cell, np.zeros(a.n_req, dtype=np.int64)))
    return owner, cell


def eligible_pairs(a: ProblemArrays) -> Pairs:
    """All pairs meeting every pair rule (pins are checked separately)."""
    if a.n_req == 0 or a.n_ses == 0:
        return Pairs(r=np.zeros(0, dtype=np.int32), s=np.zeros(0, dtype=np.int32))
    keys, order, grid = _place_index(a)
    day0, span = grid[4], grid[5]
    req, cell = _request_cells(a, grid)
    parts_r, parts_s = [], []
    for j in range(a.r_win_start.shape[1]):
        ws, we = a.r_win_start[req, j].astype(np.int64), a.r_win_end[req, j].astype(np.int64)
        real = ws != NO_DAY_START
        lo = cell * span + np.clip(ws - day0, 0, span)
        hi = cell * span + np.clip(we - day0 + 1, 0, span)
        lo = np.searchsorted(keys, lo[real], side="left")
        hi = np.searchsorted(keys, hi[real], side="left")
        owner, pos = _ranges(lo, hi)
        r, s = req[real][owner].astype(np.int32), order[pos]
        keep = a.s_end[s] <= we[real][owner]  # the dates rule, on the indexed candidates
        parts_r.append(r[keep])
        parts_s.append(s[keep])
    r, s = np.concatenate(parts_r), np.concatenate(parts_s)
    for name, rule in rules.PAIR_RULES:
        if name == "dates":
            continue
        keep = rule(a, r, s)
        r, s = r[keep], s[keep]
    key = np.sort(r.astype(np.int64) * a.n_ses + s)
    if _windows_overlap(a):
        # Overlapping windows of one request may yield a pair twice.
        key = key[np.concatenate(([True], key[1:] != key[:-1]))] if len(key) else key
    return Pairs(r=(key // a.n_ses).astype(np.int32), s=(key % a.n_ses).astype(np.int32))


def _windows_overlap(a: ProblemArrays) -> bool:
    if a.r_win_start.shape[1] < 2:
        return False
    order = np.argsort(a.r_win_start, axis=1)
    st = np.take_along_axis(a.r_win_start, order, axis=1)
    en = np.take_along_axis(a.r_win_end, order, axis=1)
    real = st[:, 1:] != NO_DAY_START
    return bool((real & (st[:, 1:] <= en[:, :-1])).any())


def exclusion_counts(a: ProblemArrays, req: int) -> dict[str, int]:
    """For one request: how many sessions each pair rule excludes (first failing rule)."""
    s = np.arange(a.n_ses, dtype=np.int32)
    r = np.full(a.n_ses, req, dtype=np.int32)
    counts: dict[str, int] = {}
    for name, rule in rules.PAIR_RULES:
        keep = rule(a, r, s)
        if (~keep).any():
            counts[name] = int((~keep).sum())
        r, s = r[keep], s[keep]
    return counts
