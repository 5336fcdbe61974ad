"""Seeded, realistic instances for tests and the benchmark.

Organisations sit in real French cities (bigger cities hold more of them); offers have
1–3 sessions of 1–10 working days within a 12-week horizon and 1–3 seats; agents have one or
two availability windows, durations of 2–10 days, a max distance, and up to five wishes drawn
with Zipf-like popularity among the offers they can reach, so popular offers are
oversubscribed.  Same (size, seed) -> same problem.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from .model import Organisation, Problem, Request, Session, Settings
from .rules import haversine_km

_Placed = TypeVar("_Placed", Request, Session)
_Moved = TypeVar("_Moved", Organisation, Request, Session)
Floats = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]

# size: (requests, sessions, organisations)
SIZES = {
    "XS": (60, 20, 8),
    "S": (500, 150, 30),
    "M": (5_000, 1_500, 150),
    "L": (20_000, 4_000, 400),
    "XL": (20_000, 4_000, 400),
}
# Max distances (km; None = no limit) and their shares.  XL is a dense national network:
# agents willing to travel (a fifth with no limit at all), so about 7 M pairs are eligible.
MAX_KM = {"XL": ((100, 300, 600, 1000, None), (0.1, 0.2, 0.25, 0.25, 0.2))}
DEFAULT_MAX_KM = ((20, 40, 60, 100, 200), (0.3, 0.3, 0.25, 0.1, 0.05))

CITIES = (  # name, lat, lon, weight (rough population class)
    ("Paris", 48.857, 2.352, 12),
    ("Marseille", 43.296, 5.370, 5),
    ("Lyon", 45.764, 4.836, 5),
    ("Toulouse", 43.605, 1.444, 4),
    ("Nice", 43.710, 7.262, 3),
    ("Nantes", 47.218, -1.554, 3),
    ("Montpellier", 43.611, 3.877, 3),
    ("Strasbourg", 48.573, 7.752, 3),
    ("Bordeaux", 44.838, -0.579, 3),
    ("Lille", 50.629, 3.057, 3),
    ("Rennes", 48.117, -1.678, 2),
    ("Reims", 49.258, 4.032, 2),
    ("Toulon", 43.124, 5.928, 2),
    ("Saint-Étienne", 45.440, 4.387, 2),
    ("Le Havre", 49.494, 0.108, 2),
    ("Grenoble", 45.188, 5.724, 2),
    ("Dijon", 47.322, 5.041, 2),
    ("Angers", 47.478, -0.563, 2),
    ("Nîmes", 43.837, 4.360, 1),
    ("Clermont-Ferrand", 45.778, 3.087, 2),
    ("Le Mans", 48.006, 0.199, 1),
    ("Aix-en-Provence", 43.530, 5.447, 1),
    ("Brest", 48.390, -4.486, 1),
    ("Tours", 47.394, 0.685, 1),
    ("Amiens", 49.894, 2.296, 1),
    ("Limoges", 45.834, 1.261, 1),
    ("Metz", 49.120, 6.176, 1),
    ("Besançon", 47.238, 6.024, 1),
    ("Perpignan", 42.699, 2.896, 1),
    ("Orléans", 47.903, 1.909, 1),
    ("Rouen", 49.443, 1.100, 1),
    ("Caen", 49.182, -0.371, 1),
    ("Nancy", 48.692, 6.184, 1),
    ("Poitiers", 46.580, 0.340, 1),
    ("Pau", 43.295, -0.371, 1),
    ("La Rochelle", 46.160, -1.151, 1),
    ("Dunkerque", 51.034, 2.377, 1),
    ("Cergy", 49.036, 2.076, 1),
    ("Caluire-et-Cuire", 45.795, 4.846, 1),
    ("Avignon", 43.949, 4.806, 1),
    ("Bayonne", 43.493, -1.475, 1),
    ("Ajaccio", 41.919, 8.738, 1),
    ("Chambéry", 45.564, 5.917, 1),
    ("Valence", 44.933, 4.892, 1),
    ("Troyes", 48.297, 4.074, 1),
    ("Quimper", 47.996, -4.097, 1),
    ("Lorient", 47.748, -3.370, 1),
    ("Niort", 46.323, -0.459, 1),
    ("Angoulême", 45.648, 0.156, 1),
    ("Chartres", 48.446, 1.489, 1),
    ("Blois", 47.586, 1.335, 1),
    ("Bourges", 47.081, 2.399, 1),
    ("Auxerre", 47.798, 3.567, 1),
    ("Mulhouse", 47.750, 7.336, 1),
    ("Colmar", 48.079, 7.358, 1),
    ("Annecy", 45.899, 6.129, 1),
    ("Saint-Brieuc", 48.514, -2.765, 1),
    ("Vannes", 47.658, -2.760, 1),
    ("Laval", 48.073, -0.770, 1),
    ("Cherbourg", 49.639, -1.616, 1),
    ("Évreux", 49.024, 1.151, 1),
    ("Beauvais", 49.430, 2.081, 1),
    ("Arras", 50.291, 2.777, 1),
    ("Valenciennes", 50.358, 3.523, 1),
    ("Épinal", 48.172, 6.449, 1),
    ("Belfort", 47.638, 6.863, 1),
    ("Mâcon", 46.307, 4.828, 1),
    ("Nevers", 46.990, 3.159, 1),
    ("Aurillac", 44.926, 2.440, 1),
    ("Rodez", 44.350, 2.575, 1),
    ("Albi", 43.929, 2.148, 1),
    ("Montauban", 44.018, 1.355, 1),
    ("Agen", 44.203, 0.616, 1),
    ("Périgueux", 45.184, 0.721, 1),
    ("Tarbes", 43.233, 0.078, 1),
    ("Carcassonne", 43.213, 2.351, 1),
    ("Béziers", 43.344, 3.216, 1),
    ("Gap", 44.559, 6.079, 1),
)
KINDS = ("Ville de", "CCAS de", "Agglomération de", "Département —", "Métropole de", "CARSAT —")
THEMES = (
    "action-sociale",
    "urbanisme",
    "finances",
    "ressources-humaines",
    "numerique",
    "environnement",
    "culture",
    "education",
    "sante",
    "securite",
    "voirie",
    "marches-publics",
    "communication",
    "juridique",
    "petite-enfance",
    "sport",
    "eau-assainissement",
    "developpement-economique",
    "mobilites",
    "accueil-du-public",
)
SKILLS = (
    "gestion-de-projet",
    "conduite-du-changement",
    "animation-de-reunion",
    "analyse-budgetaire",
    "redaction-administrative",
    "accueil",
    "mediation",
    "sig",
    "donnees",
    "achat-public",
    "management",
    "paie",
    "recrutement",
    "communication-ecrite",
    "reseaux-sociaux",
    "droit-public",
    "urbanisme-reglementaire",
    "evaluation-des-politiques",
    "design-de-service",
    "prevention",
    "relation-usagers",
    "comptabilite",
    "controle-de-gestion",
    "informatique",
    "cybersecurite",
    "conduite-de-chantier",
    "transition-ecologique",
    "insertion",
    "petite-enfance",
    "logistique",
)
DAYS_P = np.array([8, 15, 20, 17, 15, 7, 5, 5, 4, 4], dtype=float)  # 1..10 working days
HORIZON_WEEKS = 12
CONGESTION = 5  # congested instances: this many times fewer organisations
START = date(2025, 1, 6)  # a Monday


def _jitter(rng: np.random.Generator, lat: float, lon: float, km: float) -> tuple[float, float]:
    """Move a point by up to ~km in a random direction."""
    d, t = km * np.sqrt(rng.random()), rng.random() * 2 * np.pi
    dlon = d * np.sin(t) / (111.0 * np.cos(np.radians(lat)))
    return round(float(lat + d * np.cos(t) / 111.0), 5), round(float(lon + dlon), 5)


def _busday(d: date, n: int) -> date:
    day: date = np.busday_offset(np.datetime64(d), n, roll="forward").astype(date)
    return day


def generate(
    size: str = "S", seed: int = 1, continuity: int | None = None, congested: bool = False, **settings: Any
) -> Problem:
    """A seeded instance of the given size (XS, S, M, L).

    ``congested``: five times fewer home organisations, each sending the same number of agents,
    so that service continuity (K agents away per organisation and day) binds everywhere."""
    n_req, n_ses, n_org = SIZES[size]
    km_choices, km_shares = MAX_KM.get(size, DEFAULT_MAX_KM)
    rng = np.random.default_rng(seed)
    # A network of this size covers this many cities, bigger ones first more often.
    cw = np.array([c[3] for c in CITIES], dtype=float)
    n_cities = min(len(CITIES), max(4, n_org // 5))
    if congested:
        n_org = max(2, n_org // CONGESTION)
    cities = rng.choice(len(CITIES), n_cities, replace=False, p=cw / cw.sum())
    cw = cw[cities]
    orgs = []
    for i in range(n_org):
        name, lat, lon, _ = CITIES[cities[rng.choice(n_cities, p=cw / cw.sum())]]
        la, lo = _jitter(rng, lat, lon, 8)
        orgs.append(Organisation(f"org-{i:04d}", f"{KINDS[i % len(KINDS)]} {name} ({i})", la, lo))
    org_size = rng.pareto(2.5, n_org) + 1  # a few large employers send and host more
    org_p = org_size / org_size.sum()

    sessions: list[Session] = []
    offer_of: list[int] = []
    horizon_days = int(np.busday_count(np.datetime64(START), np.datetime64(START + timedelta(weeks=HORIZON_WEEKS))))
    offer = 0
    while len(sessions) < n_ses:
        host = orgs[rng.choice(n_org, p=org_p)]
        themes = tuple(sorted(rng.choice(THEMES, rng.integers(1, 3), replace=False).tolist()))
        skills = tuple(sorted(rng.choice(SKILLS, rng.integers(1, 4), replace=False).tolist()))
        prereq = {}
        if rng.random() < 0.3:
            prereq = {str(rng.choice(SKILLS)): int(rng.integers(1, 4))}
        remote = bool(rng.random() < 0.03)
        wd = int(rng.choice(10, p=DAYS_P / DAYS_P.sum()) + 1)
        lat, lon = _jitter(rng, host.lat, host.lon, 3)
        for _ in range(min(int(rng.integers(1, 4)), n_ses - len(sessions))):
            start = _busday(START, int(rng.integers(0, max(1, horizon_days - wd))))
            end = _busday(start, wd - 1)
            k = len(sessions)
            sessions.append(
                Session(
                    id=f"ses-{k:05d}",
                    offer_id=f"off-{offer:05d}",
                    org_id=host.id,
                    start=start,
                    end=end,
                    working_days=wd,
                    capacity=int(rng.choice([1, 2, 3], p=[0.4, 0.35, 0.25])),
                    lat=lat,
                    lon=lon,
                    remote=remote,
                    themes=themes,
                    skills=skills,
                    prerequisites=prereq,
                )
            )
            offer_of.append(offer)
        offer += 1

    # Offer popularity: Zipf over a random ranking of the offers.
    popularity = 1.0 / (rng.permutation(offer) + 1) ** 1.1
    s_lat = np.array([s.lat for s in sessions])
    s_lon = np.array([s.lon for s in sessions])
    s_remote = np.array([s.remote for s in sessions])
    s_offer = np.array(offer_of)
    requests = []
    for i in range(n_req):
        home = i % n_org if congested else int(rng.choice(n_org, p=org_p))
        org = orgs[home]
        lat, lon = _jitter(rng, org.lat, org.lon, 5)
        pick = km_choices[int(rng.choice(len(km_choices), p=km_shares))]
        maxd = None if pick is None else float(pick)
        reach_km = np.inf if maxd is None else maxd
        windows = []
        for _ in range(1 if rng.random() < 0.7 else 2):
            a = START + timedelta(days=int(rng.integers(0, HORIZON_WEEKS * 7 - 10)))
            windows.append((a, a + timedelta(days=int(rng.integers(10, 36)))))
        windows.sort()
        lo = int(rng.choice([1, 2, 2, 2, 3]))
        hi = int(rng.integers(max(lo, 3), 11))
        current = {str(k): int(rng.integers(1, 5)) for k in rng.choice(SKILLS, rng.integers(2, 7), replace=False)}
        # Wishes among reachable offers (near enough, or remote), popular ones first.
        near = (np.abs(s_lat - lat) < reach_km / 111.0) & (np.abs(s_lon - lon) < reach_km / 75.0) | s_remote
        reach = np.unique(s_offer[near])
        wishes: tuple[str, ...] = ()
        k = min(len(reach), int(rng.choice([0, 1, 2, 3, 5], p=[0.2, 0.15, 0.2, 0.25, 0.2])))
        if k:
            w = popularity[reach]
            picks = rng.choice(reach, k, replace=False, p=w / w.sum())
            wishes = tuple(f"off-{o:05d}" for o in picks)
        requests.append(
            Request(
                id=f"req-{i:05d}",
                agent_id=f"agent-{i:05d}",
                org_id=org.id,
                team=f"team-{int(rng.integers(0, 4))}",
                windows=tuple(windows),
                lat=lat,
                lon=lon,
                themes=tuple(sorted(rng.choice(THEMES, rng.integers(1, 4), replace=False).tolist())),
                skills=tuple(sorted(rng.choice(SKILLS, rng.integers(1, 5), replace=False).tolist())),
                current_skills=current,
                min_days=lo,
                max_days=hi,
                max_distance_km=maxd,
                quota_days=int(rng.choice([20, 20, 20, 15, 10, 5, 2])),
                wishes=wishes,
                rounds_waited=int(min(rng.geometric(0.6) - 1, 6)),
            )
        )
    return Problem(
        organisations=tuple(orgs),
        requests=tuple(requests),
        sessions=tuple(sessions),
        settings=Settings(continuity=continuity, **settings),
    )


def small_problem(
    seed: int,
    n_req: int = 5,
    n_ses: int = 3,
    n_org: int = 3,
    **settings: Any,
) -> Problem:
    """A tiny, dense random problem (one metropolitan area, overlapping dates): most pairs
    are eligible, so that capacities, diversity and continuity really compete.  For tests."""
    rng = np.random.default_rng(seed)
    orgs = tuple(Organisation(f"o{i}", f"Org {i}", *_jitter(rng, 45.76, 4.84, 15)) for i in range(n_org))
    skills = SKILLS[:4]
    sessions = []
    for j in range(n_ses):
        host = orgs[int(rng.integers(n_org))]
        start = _busday(START, int(rng.integers(0, 8)))
        wd = int(rng.integers(1, 6))
        prereq = {skills[int(rng.integers(4))]: int(rng.integers(1, 4))} if rng.random() < 0.3 else {}
        sessions.append(
            Session(
                id=f"s{j}",
                offer_id=f"f{j // 2}",
                org_id=host.id,
                start=start,
                end=_busday(start, wd - 1),
                working_days=wd,
                capacity=int(rng.integers(1, 3)),
                lat=host.lat,
                lon=host.lon,
                remote=bool(rng.random() < 0.15),
                themes=tuple(sorted(rng.choice(THEMES[:4], rng.integers(1, 3), replace=False).tolist())),
                skills=tuple(sorted(rng.choice(skills, rng.integers(1, 3), replace=False).tolist())),
                prerequisites=prereq,
            )
        )
    offers = sorted({s.offer_id for s in sessions})
    requests = []
    for i in range(n_req):
        home = orgs[int(rng.integers(n_org))]
        a = START + timedelta(days=int(rng.integers(0, 4)))
        windows = ((a, a + timedelta(days=int(rng.integers(10, 25)))),)
        lo = int(rng.integers(1, 3))
        k = int(rng.integers(0, len(offers) + 1))
        requests.append(
            Request(
                id=f"r{i}",
                agent_id=f"a{i}",
                org_id=home.id,
                team=f"t{int(rng.integers(2))}",
                windows=windows,
                lat=home.lat,
                lon=home.lon,
                themes=tuple(sorted(rng.choice(THEMES[:4], rng.integers(0, 3), replace=False).tolist())),
                skills=tuple(sorted(rng.choice(skills, rng.integers(0, 3), replace=False).tolist())),
                current_skills={str(s): int(rng.integers(1, 5)) for s in rng.choice(skills, 2, replace=False)},
                min_days=lo,
                max_days=int(rng.integers(3, 8)),
                max_distance_km=float(rng.choice([10, 40, 60])),
                quota_days=int(rng.choice([20, 20, 3])),
                wishes=tuple(rng.choice(offers, k, replace=False).tolist()),
                rounds_waited=int(rng.integers(0, 3)),
            )
        )
    return Problem(orgs, tuple(requests), tuple(sessions), Settings(**settings))


# Overseas departments and regions, and the Pacific (Wallis-et-Futuna lies across the
# antimeridian from Nouméa): (lat, lon).
OVERSEAS = (
    (-20.882, 55.451),  # Saint-Denis, La Réunion
    (16.241, -61.533),  # Pointe-à-Pitre, Guadeloupe
    (-22.276, 166.458),  # Nouméa
    (-13.282, -176.174),  # Mata-Utu
    (-17.535, -149.570),  # Papeete
)


# Radii (km) of the candidate areas to carry overseas: the organisations within one of them
# of an organisation.
AREA_KM = (25.0, 50.0, 75.0, 100.0, 150.0, 200.0)


def _frame(lat: float, lon: float) -> Floats:
    """The local east, north and up axes at a point, as the columns of a rotation."""
    la, lo = np.radians(lat), np.radians(lon)
    east = [-np.sin(lo), np.cos(lo), 0.0]
    north = [-np.sin(la) * np.cos(lo), -np.sin(la) * np.sin(lo), np.cos(la)]
    up = [np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)]
    return np.array([east, north, up]).T


def carry(points: Floats, src: tuple[float, float], dst: tuple[float, float]) -> Floats:
    """(lat, lon) rows around src carried around dst, each as far east and north of it."""
    # The rotation of the sphere taking src's east/north/up axes onto dst's: every distance kept.
    la, lo = np.radians(points[:, 0]), np.radians(points[:, 1])
    v = np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)
    v = v @ (_frame(*dst) @ _frame(*src).T).T
    lat = np.degrees(np.arcsin(np.clip(v[:, 2], -1.0, 1.0)))
    lon = np.degrees(np.arctan2(v[:, 1], v[:, 0]))  # within [-180, 180], antimeridian or not
    out: Floats = np.stack([lat, lon], axis=-1)
    return out


def areas(problem: Problem, target: int, n_areas: int) -> list[tuple[int, Mask]]:
    """Up to n_areas disjoint areas (centre, organisations) with about target organisations."""
    # The most self-contained first: the smallest share of their pairs crossing their edge.
    org_at = {o.id: i for i, o in enumerate(problem.organisations)}
    olat = np.array([o.lat for o in problem.organisations])
    olon = np.array([o.lon for o in problem.organisations])
    n = len(olat)
    home = np.array([org_at[r.org_id] for r in problem.requests], dtype=np.int64)
    limit = np.array([np.inf if r.max_distance_km is None else r.max_distance_km for r in problem.requests])
    rlat = np.array([r.lat for r in problem.requests])
    rlon = np.array([r.lon for r in problem.requests])
    # w[i, j]: roughly the pairs of i's agents with j's sessions (dates and skills ignored;
    # remote sessions are reachable from anywhere, so they cross no edge).  One host at a time:
    # the instance's peak memory is benchmarked.
    hosts = np.array([org_at[s.org_id] for s in problem.sessions if not s.remote], dtype=np.int64)
    hosted = np.bincount(hosts, minlength=n)
    w = np.zeros((n, n))
    for j in np.flatnonzero(hosted):
        near = haversine_km(rlat, rlon, olat[j], olon[j]) <= limit
        w[:, j] = np.bincount(home, weights=near, minlength=n) * hosted[j]
    touching = w.sum(axis=0) + w.sum(axis=1)
    km = haversine_km(olat[:, None], olon[:, None], olat[None, :], olon[None, :])
    centre = np.repeat(np.arange(n), len(AREA_KM))
    masks = (km[:, None, :] <= np.array(AREA_KM)[None, :, None]).reshape(-1, n).astype(np.float64)
    inside = ((masks @ w) * masks).sum(axis=1)
    crossing = masks @ touching - 2 * inside
    share_crossing = crossing / np.maximum(inside + crossing, 1.0)
    taken = np.zeros(n)
    chosen: list[tuple[int, Mask]] = []
    for k in range(n_areas):
        left = target - int(taken.sum())
        if left <= 0:
            break
        # Disjoint, and no area more than twice a fair share of what is left to move.
        fits = ((masks @ taken) == 0) & (masks.sum(axis=1) <= 2 * -(-left // (n_areas - k)))
        if not fits.any():
            break
        best = int(np.flatnonzero(fits)[np.argmin(share_crossing[fits])])  # ties: the first
        chosen.append((int(centre[best]), masks[best] > 0))
        taken += masks[best]
    return chosen


def overseas_mix(problem: Problem, share: int = 5, unlimited_every: int | None = 3, scattered: bool = False) -> Problem:
    """The round with about 1/share of it overseas; every unlimited_every-th agent unlimited."""
    # Carried: up to five whole areas (``areas``), one per territory, each keeping its shape
    # (``carry``), so that only the geography changes (pairs across an area's edge are lost).
    # ``scattered``: the former mix, every share-th organisation with its agents and sessions
    # squeezed next to one point, a denser round.  unlimited_every=None: all limits kept.
    problem = _scattered(problem, share) if scattered else _carried(problem, share)
    if not unlimited_every:
        return problem
    requests = tuple(
        replace(r, max_distance_km=None) if i % unlimited_every == 0 else r for i, r in enumerate(problem.requests)
    )
    return replace(problem, requests=requests)


def _carried(problem: Problem, share: int) -> Problem:
    """Whole areas of the network carried overseas, every distance inside them kept."""
    orgs = problem.organisations
    area_of: dict[str, int] = {}
    centres: list[tuple[float, float]] = []
    for k, (c, mask) in enumerate(areas(problem, -(-len(orgs) // share), len(OVERSEAS))):
        centres.append((orgs[c].lat, orgs[c].lon))
        area_of.update((orgs[i].id, k) for i in np.flatnonzero(mask))

    def move(items: tuple[_Moved, ...], org_ids: list[str]) -> tuple[_Moved, ...]:
        out = list(items)
        for k, centre in enumerate(centres):
            at = [j for j, o in enumerate(org_ids) if area_of.get(o) == k]
            if not at:
                continue
            points = carry(np.array([(items[j].lat, items[j].lon) for j in at]), centre, OVERSEAS[k])
            for j, (lat, lon) in zip(at, points.tolist(), strict=True):
                out[j] = replace(items[j], lat=round(lat, 5), lon=round(lon, 5))
        return tuple(out)

    return replace(
        problem,
        organisations=move(orgs, [o.id for o in orgs]),
        requests=move(problem.requests, [r.org_id for r in problem.requests]),
        sessions=move(problem.sessions, [s.org_id for s in problem.sessions]),
    )


def _scattered(problem: Problem, share: int) -> Problem:
    """Every share-th organisation with its agents and sessions next to a territory's point."""
    moved = {o.id: OVERSEAS[i % len(OVERSEAS)] for i, o in enumerate(problem.organisations) if i % share == 0}
    orgs = tuple(
        replace(o, lat=moved[o.id][0], lon=moved[o.id][1]) if o.id in moved else o for o in problem.organisations
    )

    def move(x: _Placed, i: int) -> _Placed:
        if x.org_id not in moved:
            return x
        lat, lon = moved[x.org_id]
        return replace(x, lat=round(lat + (i % 7) * 0.01, 5), lon=round(lon - (i % 5) * 0.01, 5))

    requests = tuple(move(r, i) for i, r in enumerate(problem.requests))
    sessions = tuple(move(s, i) for i, s in enumerate(problem.sessions))
    return replace(problem, organisations=orgs, requests=requests, sessions=sessions)
