"""The hard rules of the design, one function each.

Pair rules take the problem arrays and two equally long index arrays (requests ``r``,
sessions ``s``) and return a boolean array: True where the rule holds for the pair.  They are
vectorised so that eligibility never loops over request × session pairs in Python.

Assignment rules take the problem arrays and an assignment (``r``, ``s`` arrays of the
placements) and return True when the whole assignment respects the rule.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from .arrays import ProblemArrays

EARTH_RADIUS_KM = 6371.0

Mask = npt.NDArray[np.bool_]
Indices = npt.NDArray[np.integer]
Floats = npt.NDArray[np.float64]


class RuleName(StrEnum):
    """Every hard rule the engine can report (check_placements, exclusions, pins)."""

    OWN_ORGANISATION = "own_organisation"
    DATES = "dates"
    DURATION = "duration"
    QUOTA = "quota"
    DISTANCE = "distance"
    PREREQUISITES = "prerequisites"
    FORBIDDEN = "forbidden"
    ONE_PLACEMENT_PER_REQUEST = "one_placement_per_request"
    CAPACITY = "capacity"
    DIVERSITY = "diversity"
    PINS = "pins"
    CONTINUITY = "continuity"
    CLOSED = "closed"  # the request or the session is not part of the round's problem


def haversine_km(lat1: Floats, lon1: Floats, lat2: Floats, lon2: Floats) -> Floats:
    """Great-circle distance in kilometres (vectorised)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2) - np.radians(lon1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    km: Floats = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(h, 1.0)))
    return km


def pair_km(a: ProblemArrays, r: Indices, s: Indices) -> Floats:
    """haversine_km between requests r and sessions s, bit for bit, from the radians and
    cosines computed once per point (arrays.Geo): the same operations in the same order."""
    rg, sg = a.r_geo, a.s_geo
    dp, dl = sg.lat[s] - rg.lat[r], sg.lon[s] - rg.lon[r]
    h = np.sin(dp / 2) ** 2 + rg.cos_lat[r] * sg.cos_lat[s] * np.sin(dl / 2) ** 2
    km: Floats = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(h, 1.0)))
    return km


# ---- pair rules -------------------------------------------------------------------------


def own_organisation(a: ProblemArrays, r: Indices, s: Indices) -> Mask:
    """An agent is never placed in their own organisation."""
    same: Mask = a.r_org[r] != a.s_org[s]
    return same


def dates(a: ProblemArrays, r: Indices, s: Indices) -> Mask:
    """The session's dates lie inside one of the agent's availability windows."""
    start, end = a.s_start[s][:, None], a.s_end[s][:, None]
    inside = (a.r_win_start[r] <= start) & (end <= a.r_win_end[r])
    return np.asarray(inside.any(axis=1), dtype=bool)


def duration(a: ProblemArrays, r: Indices, s: Indices) -> Mask:
    """The session's length (working days) lies within the request's min–max duration."""
    days = a.s_days[s]
    return (a.r_min[r] <= days) & (days <= a.r_max[r])


def quota(a: ProblemArrays, r: Indices, s: Indices) -> Mask:
    """The session's length fits in the agent's remaining legal quota of days."""
    return a.s_days[s] <= a.r_quota[r]


def distance(a: ProblemArrays, r: Indices, s: Indices) -> Mask:
    """The host's place is within the agent's max distance, unless the session is remote."""
    limit = a.r_maxdist[r]
    ok: Mask = a.s_remote[s] | np.isinf(limit)  # no limit: no trigonometry either
    far = np.flatnonzero(~ok)
    ok[far] = pair_km(a, r[far], s[far]) <= limit[far]
    return ok


def prerequisites(a: ProblemArrays, r: Indices, s: Indices) -> Mask:
    """The agent holds every prerequisite skill of the offer at its minimum level."""
    ok = np.ones(len(r), dtype=bool)
    for j in range(a.s_pre_skill.shape[1]):
        skill, level = a.s_pre_skill[s, j], a.s_pre_level[s, j]
        held = a.r_level[r, np.maximum(skill, 0)]
        ok &= (skill < 0) | (held >= level)
    return ok


def not_forbidden(a: ProblemArrays, r: Indices, s: Indices) -> Mask:
    """A pair rejected or declined earlier is never proposed again."""
    if len(a.forbidden_keys) == 0:
        return np.ones(len(r), dtype=bool)
    keys = r.astype(np.int64) * a.n_ses + s
    allowed: Mask = ~np.isin(keys, a.forbidden_keys)
    return allowed


# Order matters for explanations: a session that fails several rules is counted under the
# first one here (cheap and obvious rules first), so the counts add up to the sessions.
PairRule = Callable[[ProblemArrays, Indices, Indices], Mask]
PAIR_RULES: tuple[tuple[RuleName, PairRule], ...] = (
    (RuleName.OWN_ORGANISATION, own_organisation),
    (RuleName.DATES, dates),
    (RuleName.DURATION, duration),
    (RuleName.QUOTA, quota),
    (RuleName.DISTANCE, distance),
    (RuleName.PREREQUISITES, prerequisites),
    (RuleName.FORBIDDEN, not_forbidden),
)


def failing_pair_rules(a: ProblemArrays, r: int, s: int) -> list[RuleName]:
    """Names of the pair rules that the pair (r, s) breaks (empty: eligible)."""
    ri, si = np.array([r]), np.array([s])
    return [name for name, rule in PAIR_RULES if not rule(a, ri, si)[0]]


# ---- assignment rules -------------------------------------------------------------------


def one_placement_per_request(a: ProblemArrays, r: Indices, s: Indices) -> bool:
    """Each request gets at most one placement per round."""
    return len(np.unique(r)) == len(r)


def capacity(a: ProblemArrays, r: Indices, s: Indices) -> bool:
    """Each session holds no more agents than its capacity."""
    return bool((np.bincount(s, minlength=a.n_ses) <= a.s_cap).all())


def diversity(a: ProblemArrays, r: Indices, s: Indices, n: int | None) -> bool:
    """A session takes at most N agents from the same home organisation."""
    if n is None or len(r) == 0:
        return True
    keys = s.astype(np.int64) * a.n_org + a.r_org[r]
    return bool(np.unique(keys, return_counts=True)[1].max() <= n)


def pins_held(a: ProblemArrays, r: Indices, s: Indices) -> bool:
    """Every pair pinned by a coordinator is placed."""
    placed = set(zip(r.tolist(), s.tolist(), strict=True))
    return all((pr, ps) in placed for pr, ps in zip(a.pin_r.tolist(), a.pin_s.tolist(), strict=True))


def continuity_load(a: ProblemArrays, r: Indices, s: Indices) -> dict[tuple[int, int], int]:
    """Agents away per (continuity group, day), checked at session start days."""
    load: dict[tuple[int, int], int] = {}
    groups = a.r_group[r]
    for g in np.unique(groups):
        mine = s[groups == g]
        starts, ends = a.s_start[mine], a.s_end[mine]
        # The peak overlap of intervals is reached at one of their start days.
        for d in np.unique(starts):
            load[(int(g), int(d))] = int(((starts <= d) & (d <= ends)).sum())
    return load


def continuity(a: ProblemArrays, r: Indices, s: Indices, k: int | None) -> bool:
    """A home organisation (or team) has at most K agents away on the same day."""
    if k is None:
        return True
    return all(v <= k for v in continuity_load(a, r, s).values())


def broken_rules(a: ProblemArrays, r: Indices, s: Indices) -> list[RuleName]:
    """Names of every hard rule the assignment breaks (empty when all hold)."""
    st = a.problem.settings
    broken = [name for name, rule in PAIR_RULES if len(r) and not rule(a, r, s).all()]
    checks = (
        (RuleName.ONE_PLACEMENT_PER_REQUEST, one_placement_per_request(a, r, s)),
        (RuleName.CAPACITY, capacity(a, r, s)),
        (RuleName.DIVERSITY, diversity(a, r, s, st.diversity)),
        (RuleName.PINS, pins_held(a, r, s)),
        (RuleName.CONTINUITY, continuity(a, r, s, st.continuity)),
    )
    return broken + [name for name, ok in checks if not ok]
