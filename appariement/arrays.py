"""Columnar (numpy) view of a Problem, in a canonical order.

Requests, sessions and organisations are sorted by id, so the engine's output does not depend
on the order of the input.  Sets of themes/skills become bit masks (popcount = overlap size),
levels a dense request × skill matrix, dates day ordinals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import Problem, Request

NO_DAY_START = np.iinfo(np.int32).max  # padding window that contains nothing
NO_DAY_END = np.iinfo(np.int32).min


def _bits(items_per_row: list[list[int]], width: int) -> np.ndarray:
    """Rows of vocabulary indices -> (rows, words) uint64 bit masks."""
    words = max(1, (width + 63) // 64)
    out = np.zeros((len(items_per_row), words), dtype=np.uint64)
    for i, items in enumerate(items_per_row):
        for k in items:
            out[i, k >> 6] |= np.uint64(1) << np.uint64(k & 63)
    return out


def _padded(rows: list[list[int]], fill: int, dtype: type[np.generic]) -> np.ndarray:
    width = max((len(x) for x in rows), default=0)
    out = np.full((len(rows), max(width, 1)), fill, dtype=dtype)
    for i, x in enumerate(rows):
        out[i, : len(x)] = x
    return out


def popcount(x: np.ndarray) -> np.ndarray:
    """Number of set bits summed over the last axis (the mask words)."""
    counts: np.ndarray = np.bitwise_count(x).sum(axis=-1, dtype=np.int32)
    return counts


@dataclass
class Geo:
    """Latitudes and longitudes in radians and the cosine of the latitude, once per point: the
    great-circle distance of millions of pairs then needs no per-pair conversion or cosine
    (rules.pair_km; element-wise, so the same bits as computing them per pair)."""

    lat: np.ndarray
    lon: np.ndarray
    cos_lat: np.ndarray

    @classmethod
    def of(cls, lat: np.ndarray, lon: np.ndarray) -> Geo:
        rad = np.radians(lat)
        return cls(lat=rad, lon=np.radians(lon), cos_lat=np.cos(rad))


@dataclass
class ProblemArrays:
    problem: Problem
    req_ids: list[str]
    ses_ids: list[str]
    org_ids: list[str]
    offer_ids: list[str]
    # requests
    r_org: np.ndarray
    r_group: np.ndarray  # continuity group (organisation, or organisation+team)
    r_lat: np.ndarray
    r_lon: np.ndarray
    r_maxdist: np.ndarray  # km; inf = no limit
    r_min: np.ndarray
    r_max: np.ndarray
    r_quota: np.ndarray
    r_wait: np.ndarray
    r_win_start: np.ndarray  # (R, W) padded
    r_win_end: np.ndarray
    r_themes: np.ndarray  # (R, words) bits
    r_skills: np.ndarray
    r_level: np.ndarray  # (R, K) int8, 0 = skill not held
    r_nwanted: np.ndarray
    # sessions
    s_org: np.ndarray
    s_offer: np.ndarray
    s_start: np.ndarray
    s_end: np.ndarray
    s_days: np.ndarray
    s_cap: np.ndarray
    s_lat: np.ndarray
    s_lon: np.ndarray
    s_remote: np.ndarray
    s_themes: np.ndarray
    s_skills: np.ndarray
    s_pre_skill: np.ndarray  # (S, P) skill index, -1 = none
    s_pre_level: np.ndarray
    s_dev_skill: np.ndarray  # (S, D) skills developed, -1 = none
    # pairs given by id
    wish_keys: np.ndarray  # sorted r * n_offers + offer
    wish_rank: np.ndarray
    forbidden_keys: np.ndarray  # sorted r * S + s
    pin_r: np.ndarray
    pin_s: np.ndarray
    group_names: list[str]
    r_geo: Geo
    s_geo: Geo

    @property
    def n_req(self) -> int:
        return len(self.req_ids)

    @property
    def n_ses(self) -> int:
        return len(self.ses_ids)

    @property
    def n_org(self) -> int:
        return len(self.org_ids)


def build_arrays(p: Problem) -> ProblemArrays:
    """Index a validated problem into numpy arrays."""
    reqs = sorted(p.requests, key=lambda r: r.id)
    sess = sorted(p.sessions, key=lambda s: s.id)
    org_ids = sorted(o.id for o in p.organisations)
    org_ix = {o: i for i, o in enumerate(org_ids)}
    offer_ids = sorted({s.offer_id for s in sess} | {w for r in reqs for w in r.wishes})
    offer_ix = {o: i for i, o in enumerate(offer_ids)}
    themes = sorted({t for r in reqs for t in r.themes} | {t for s in sess for t in s.themes})
    t_ix = {t: i for i, t in enumerate(themes)}
    skills = sorted(
        {k for r in reqs for k in (*r.skills, *r.current_skills)}
        | {k for s in sess for k in (*s.skills, *s.prerequisites)}
    )
    k_ix = {k: i for i, k in enumerate(skills)}
    req_ix = {r.id: i for i, r in enumerate(reqs)}
    ses_ix = {s.id: i for i, s in enumerate(sess)}
    n_req, n_ses = len(reqs), len(sess)

    def f64(vals: list[float]) -> np.ndarray:
        return np.array(vals, dtype=np.float64)

    def i32(vals: list[int]) -> np.ndarray:
        return np.array(vals, dtype=np.int32)

    by_team = p.settings.continuity_scope == "team"
    group_names = sorted({_group(r, by_team) for r in reqs})
    g_ix = {g: i for i, g in enumerate(group_names)}

    r_level = np.zeros((n_req, max(1, len(skills))), dtype=np.int8)
    for i, r in enumerate(reqs):
        for k, lvl in r.current_skills.items():
            r_level[i, k_ix[k]] = lvl

    wins = [[(a.toordinal(), b.toordinal()) for a, b in r.windows] for r in reqs]
    width = max((len(w) for w in wins), default=1)
    r_win_start = np.full((n_req, width), NO_DAY_START, dtype=np.int32)
    r_win_end = np.full((n_req, width), NO_DAY_END, dtype=np.int32)
    for i, w in enumerate(wins):
        for j, (a, b) in enumerate(w):
            r_win_start[i, j], r_win_end[i, j] = a, b

    wish = sorted(
        (i * len(offer_ids) + offer_ix[o], rank) for i, r in enumerate(reqs) for rank, o in enumerate(r.wishes, start=1)
    )
    forb = sorted({req_ix[a] * n_ses + ses_ix[b] for a, b in p.forbidden})
    r_lat, r_lon = f64([r.lat for r in reqs]), f64([r.lon for r in reqs])
    s_lat, s_lon = f64([s.lat for s in sess]), f64([s.lon for s in sess])
    return ProblemArrays(
        problem=p,
        req_ids=[r.id for r in reqs],
        ses_ids=[s.id for s in sess],
        org_ids=org_ids,
        offer_ids=offer_ids,
        r_org=i32([org_ix[r.org_id] for r in reqs]),
        r_group=i32([g_ix[_group(r, by_team)] for r in reqs]),
        r_lat=r_lat,
        r_lon=r_lon,
        r_maxdist=f64([np.inf if r.max_distance_km is None else r.max_distance_km for r in reqs]),
        r_min=i32([r.min_days for r in reqs]),
        r_max=i32([r.max_days for r in reqs]),
        r_quota=i32([r.quota_days for r in reqs]),
        r_wait=i32([r.rounds_waited for r in reqs]),
        r_win_start=r_win_start,
        r_win_end=r_win_end,
        r_themes=_bits([[t_ix[t] for t in set(r.themes)] for r in reqs], len(themes)),
        r_skills=_bits([[k_ix[k] for k in set(r.skills)] for r in reqs], len(skills)),
        r_level=r_level,
        r_nwanted=i32([len(set(r.themes)) + len(set(r.skills)) for r in reqs]),
        s_org=i32([org_ix[s.org_id] for s in sess]),
        s_offer=i32([offer_ix[s.offer_id] for s in sess]),
        s_start=i32([s.start.toordinal() for s in sess]),
        s_end=i32([s.end.toordinal() for s in sess]),
        s_days=i32([s.working_days for s in sess]),
        s_cap=i32([s.capacity for s in sess]),
        s_lat=s_lat,
        s_lon=s_lon,
        s_remote=np.array([s.remote for s in sess], dtype=bool),
        s_themes=_bits([[t_ix[t] for t in set(s.themes)] for s in sess], len(themes)),
        s_skills=_bits([[k_ix[k] for k in set(s.skills)] for s in sess], len(skills)),
        s_pre_skill=_padded([[k_ix[k] for k in sorted(s.prerequisites)] for s in sess], -1, np.int32),
        s_pre_level=_padded([[s.prerequisites[k] for k in sorted(s.prerequisites)] for s in sess], 0, np.int8),
        s_dev_skill=_padded([sorted(k_ix[k] for k in set(s.skills)) for s in sess], -1, np.int32),
        wish_keys=np.array([k for k, _ in wish], dtype=np.int64),
        wish_rank=np.array([v for _, v in wish], dtype=np.int32),
        forbidden_keys=np.array(forb, dtype=np.int64),
        pin_r=i32([req_ix[a] for a, _ in sorted(set(p.pins))]),
        pin_s=i32([ses_ix[b] for _, b in sorted(set(p.pins))]),
        group_names=group_names,
        r_geo=Geo.of(r_lat, r_lon),
        s_geo=Geo.of(s_lat, s_lon),
    )


def _group(r: Request, by_team: bool) -> str:
    # The continuity unit: the home organisation, or its team when the scope is "team".
    return f"{r.org_id}/{r.team}" if by_team and r.team else r.org_id
