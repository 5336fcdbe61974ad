"""JSON form of a Problem (see README.md): ``problem_to_dict`` / ``problem_from_dict``."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from datetime import date
from typing import Any

from . import schema
from .model import Problem, ProblemError, Settings

FORMAT = schema.FORMAT


def _d(x: date) -> str:
    return x.isoformat()


def problem_from_dict(d: Any) -> Problem:
    """Build a Problem from its decoded JSON form; ProblemError lists every faulty field."""
    return schema.problem_from_dict(d)


def problem_to_dict(p: Problem) -> dict[str, Any]:
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


def dumps_problem(p: Problem) -> str:
    return json.dumps(problem_to_dict(p), indent=1, ensure_ascii=False) + "\n"


def _no_constant(name: str) -> Any:
    raise ProblemError(f"not valid JSON: {name} is not a number")


def loads_problem(text: str | bytes) -> Problem:
    """Parse and validate; NaN and Infinity are refused, like any malformed JSON."""
    try:
        document = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as e:  # JSONDecodeError, bad UTF-8, too many digits, too deep
        if isinstance(e, ProblemError):
            raise
        raise ProblemError(f"not valid JSON: {e}") from None
    return problem_from_dict(document)
