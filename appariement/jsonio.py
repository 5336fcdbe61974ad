"""JSON form of a Problem (see README.md): ``problem_to_dict`` / ``problem_from_dict``."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from datetime import date
from typing import Any

from .model import Organisation, Problem, ProblemError, Request, Session, Settings, Weights

FORMAT = "appariement/problem@1"


def _d(x: date) -> str:
    return x.isoformat()


def problem_to_dict(p: Problem) -> dict:
    s = p.settings
    settings = {f.name: getattr(s, f.name) for f in fields(Settings) if f.name != "weights"}
    settings["weights"] = asdict(s.weights)
    return {
        "format": FORMAT,
        "settings": settings,
        "organisations": [asdict(o) for o in p.organisations],
        "requests": [
            {
                "id": r.id,
                "agent": r.agent_id,
                "org": r.org_id,
                "team": r.team,
                "themes": list(r.themes),
                "skills": list(r.skills),
                "current_skills": dict(sorted(r.current_skills.items())),
                "windows": [[_d(a), _d(b)] for a, b in r.windows],
                "min_days": r.min_days,
                "max_days": r.max_days,
                "max_distance_km": r.max_distance_km,
                "lat": r.lat,
                "lon": r.lon,
                "quota_days": r.quota_days,
                "wishes": list(r.wishes),
                "rounds_waited": r.rounds_waited,
            }
            for r in p.requests
        ],
        "sessions": [
            {
                "id": x.id,
                "offer": x.offer_id,
                "org": x.org_id,
                "start": _d(x.start),
                "end": _d(x.end),
                "working_days": x.working_days,
                "capacity": x.capacity,
                "lat": x.lat,
                "lon": x.lon,
                "remote": x.remote,
                "themes": list(x.themes),
                "skills": list(x.skills),
                "prerequisites": dict(sorted(x.prerequisites.items())),
            }
            for x in p.sessions
        ],
        "pins": [list(x) for x in p.pins],
        "forbidden": [list(x) for x in p.forbidden],
    }


def _date(v: Any, where: str) -> date:
    try:
        return date.fromisoformat(v)
    except (TypeError, ValueError):
        raise ProblemError(f"{where}: {v!r} is not an ISO date (YYYY-MM-DD)") from None


def _get(d: dict, key: str, where: str, default: Any = ...) -> Any:
    if key in d:
        return d[key]
    if default is ...:
        raise ProblemError(f"{where}: missing field {key!r}")
    return default


def problem_from_dict(d: dict) -> Problem:
    """Build a Problem from its JSON form; ProblemError names the faulty field."""
    if d.get("format", FORMAT) != FORMAT:
        raise ProblemError(f"format: expected {FORMAT!r}, got {d.get('format')!r}")
    sd = dict(d.get("settings") or {})
    wd = sd.pop("weights", None) or {}
    known = {f.name for f in fields(Settings)}
    unknown = sorted(set(sd) - known) + [f"weights.{k}" for k in sorted(set(wd) - set(asdict(Weights())))]
    if unknown:
        raise ProblemError(f"settings: unknown field(s) {', '.join(unknown)}")
    settings = Settings(weights=Weights(**wd), **sd)
    orgs = tuple(
        Organisation(
            id=_get(o, "id", "organisation"),
            name=_get(o, "name", f"organisation {o.get('id')}", ""),
            lat=float(_get(o, "lat", f"organisation {o.get('id')}")),
            lon=float(_get(o, "lon", f"organisation {o.get('id')}")),
        )
        for o in d.get("organisations", [])
    )
    reqs = []
    for r in d.get("requests", []):
        w = f"request {r.get('id')!r}"
        reqs.append(
            Request(
                id=_get(r, "id", w),
                agent_id=_get(r, "agent", w),
                org_id=_get(r, "org", w),
                team=r.get("team"),
                themes=tuple(r.get("themes", ())),
                skills=tuple(r.get("skills", ())),
                current_skills=dict(r.get("current_skills", {})),
                windows=tuple((_date(a, w), _date(b, w)) for a, b in _get(r, "windows", w)),
                min_days=int(r.get("min_days", 2)),
                max_days=int(r.get("max_days", 10)),
                max_distance_km=float(r.get("max_distance_km", 50.0)),
                lat=float(_get(r, "lat", w)),
                lon=float(_get(r, "lon", w)),
                quota_days=int(r.get("quota_days", 20)),
                wishes=tuple(r.get("wishes", ())),
                rounds_waited=int(r.get("rounds_waited", 0)),
            )
        )
    sess = []
    for x in d.get("sessions", []):
        w = f"session {x.get('id')!r}"
        sess.append(
            Session(
                id=_get(x, "id", w),
                offer_id=_get(x, "offer", w),
                org_id=_get(x, "org", w),
                start=_date(_get(x, "start", w), w),
                end=_date(_get(x, "end", w), w),
                working_days=int(_get(x, "working_days", w)),
                capacity=int(_get(x, "capacity", w)),
                lat=float(_get(x, "lat", w)),
                lon=float(_get(x, "lon", w)),
                remote=bool(x.get("remote", False)),
                themes=tuple(x.get("themes", ())),
                skills=tuple(x.get("skills", ())),
                prerequisites=dict(x.get("prerequisites", {})),
            )
        )
    problem = Problem(
        organisations=orgs,
        requests=tuple(reqs),
        sessions=tuple(sess),
        settings=settings,
        pins=tuple((a, b) for a, b in d.get("pins", [])),
        forbidden=tuple((a, b) for a, b in d.get("forbidden", [])),
    )
    problem.validate()
    return problem


def dumps_problem(p: Problem) -> str:
    return json.dumps(problem_to_dict(p), indent=1, ensure_ascii=False) + "\n"


def loads_problem(text: str) -> Problem:
    try:
        return problem_from_dict(json.loads(text))
    except json.JSONDecodeError as e:
        raise ProblemError(f"not valid JSON: {e}") from None
