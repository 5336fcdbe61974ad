"""Soft goals: integer points per eligible pair, then weighted by the settings.

Each term gives 0–100 points; the pair's score is the sum of weight × points.
Organisation-level goals (fairness floor, reciprocity) are not pair terms: the flow and CP-SAT
models add them (see flow.py, cpsat.py) and the solution reports them separately.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .arrays import ProblemArrays, popcount
from .eligibility import Pairs
from .model import Weights
from .rules import EARTH_RADIUS_KM, pair_km

POINTS_PER_TERM = 100  # each soft goal scores 0–100 points before its weight
PAIR_TERMS = ("base", "interest", "skill_fit", "wish", "distance", "waiting")
AGENT_SIDE = ("wish", "interest", "distance")  # what the agent wants (stable mode), wish first
HOST_SIDE = ("wish", "interest", "skill_fit", "waiting")  # how the offer ranks applicants
REMOTE_DISTANCE_POINTS = 50  # remote sessions: no trip, but a weaker immersion
NO_LIMIT_REFERENCE_KM = np.pi * EARTH_RADIUS_KM  # no limit: 0 points at the antipode only
NO_SKILL_POINTS = 50  # session that lists no skill developed: neutral
WAITING_CAP_ROUNDS = 5  # rounds waited that still raise the waiting term (20 points each)
TIE_BITS = 25  # tie-break room in preference keys (up to 33 M requests/sessions)


@dataclass
class Scores:
    points: dict[str, np.ndarray]  # term -> uint8 points (0–100) per pair: a quarter of int32's memory
    total: np.ndarray  # int64 weighted score per pair
    pairs: Pairs
    weights: Weights
    # Strict preferences (stable mode, blocking pairs): made on first use, after the flow, so
    # that their memory is not held through the flow's peak (XL: 112 MB).
    _keys: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    @property
    def agent_key(self) -> np.ndarray:
        """int64 strict preference of the agent (higher = better)."""
        return self._preference_keys()[0]

    @property
    def host_key(self) -> np.ndarray:
        """int64 strict preference of the session."""
        return self._preference_keys()[1]

    def _preference_keys(self) -> tuple[np.ndarray, np.ndarray]:
        if self._keys is None:
            n = len(self.total)
            agent_key, host_key = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
            tie = (1 << TIE_BITS) - 1
            for lo in range(0, n, CHUNK):
                part = slice(lo, lo + CHUNK)
                chunk = {t: v[part] for t, v in self.points.items()}
                # Ties are broken by index (lower id first) so preferences are strict and
                # reproducible.  Agents rank their wished offers first, in their own order; then
                # the rest by interest and distance.  Sessions rank applicants by the offer-side score.
                agent = (chunk["wish"].astype(np.int64) << 20) + weighted(chunk, self.weights, AGENT_SIDE[1:])
                agent_key[part] = (agent << TIE_BITS) + (tie - self.pairs.s[part])
                host_key[part] = (weighted(chunk, self.weights, HOST_SIDE) << TIE_BITS) + (tie - self.pairs.r[part])
            self._keys = (agent_key, host_key)
        return self._keys


CHUNK = 1 << 17  # pairs scored at a time: the temporaries stay in the processor's cache


def pair_points(a: ProblemArrays, r: np.ndarray, s: np.ndarray) -> dict[str, np.ndarray]:
    """Points (0–100) of every pair term for the pairs (r, s)."""
    out = {t: np.empty(len(r), dtype=np.int32) for t in PAIR_TERMS}
    for lo in range(0, len(r), CHUNK):
        for t, v in _chunk_points(a, r[lo : lo + CHUNK], s[lo : lo + CHUNK]).items():
            out[t][lo : lo + CHUNK] = v
    return out


def _chunk_points(a: ProblemArrays, r: np.ndarray, s: np.ndarray) -> dict[str, np.ndarray]:
    n = len(r)
    matched = popcount(a.r_themes[r] & a.s_themes[s]) + popcount(a.r_skills[r] & a.s_skills[s])
    wanted = a.r_nwanted[r]
    interest = np.where(wanted > 0, (100 * matched) // np.maximum(wanted, 1), 0)

    room = np.zeros(n, dtype=np.int32)
    counted = np.zeros(n, dtype=np.int32)
    for j in range(a.s_dev_skill.shape[1]):
        skill = a.s_dev_skill[s, j]
        valid = skill >= 0
        level = a.r_level[r, np.maximum(skill, 0)].astype(np.int32)
        room += np.where(valid, (4 - level) * 25, 0)  # unknown skill (0) = 100
        counted += valid
    skill_fit = np.where(counted > 0, room // np.maximum(counted, 1), NO_SKILL_POINTS)

    wish = np.zeros(n, dtype=np.int32)
    if len(a.wish_keys):
        key = r.astype(np.int64) * len(a.offer_ids) + a.s_offer[s]
        ix = np.minimum(np.searchsorted(a.wish_keys, key), len(a.wish_keys) - 1)
        hit = a.wish_keys[ix] == key
        wish = np.where(hit, (6 - a.wish_rank[ix]) * 20, 0)

    km = pair_km(a, r, s)
    reference = np.where(np.isinf(a.r_maxdist[r]), NO_LIMIT_REFERENCE_KM, a.r_maxdist[r])
    near = np.clip(100.0 * (1.0 - km / np.maximum(reference, 1e-9)), 0, 100)
    dist = np.where(a.s_remote[s], REMOTE_DISTANCE_POINTS, np.floor(near))

    waiting = np.minimum(a.r_wait[r], WAITING_CAP_ROUNDS) * 20
    out = {
        "base": np.full(n, 100),
        "interest": interest,
        "skill_fit": skill_fit,
        "wish": wish,
        "distance": dist,
        "waiting": waiting,
    }
    return {k: v.astype(np.int32) for k, v in out.items()}


def weighted(points: dict[str, np.ndarray], weights: Weights, terms: tuple[str, ...] = PAIR_TERMS) -> np.ndarray:
    """Sum of weight × points over the given terms (int64)."""
    total = np.zeros(len(points["base"]), dtype=np.int64)
    for t in terms:
        total += getattr(weights, t) * points[t].astype(np.int64)
    return total


def score_pairs(a: ProblemArrays, pairs: Pairs) -> Scores:
    """Score every eligible pair (the strict preferences used by stable mode come on demand)."""
    w = a.problem.settings.weights
    n = len(pairs)
    pts = {t: np.empty(n, dtype=np.uint8) for t in PAIR_TERMS}
    total = np.empty(n, dtype=np.int64)
    for lo in range(0, n, CHUNK):
        part = slice(lo, lo + CHUNK)
        chunk = _chunk_points(a, pairs.r[part], pairs.s[part])
        for t, v in chunk.items():
            pts[t][part] = v
        total[part] = weighted(chunk, w)
    return Scores(points=pts, total=total, pairs=pairs, weights=w)
