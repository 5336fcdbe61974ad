"""The declared schema of a problem: one table of fields per record, read by both doors.

``problem_from_dict`` (the JSON form) and ``Problem.validate`` (the Python API) check the same
declarations: exact types (a boolean is ``true``/``false``; an integer is never a float, a
string or a boolean), ranges, unknown fields refused by name, then the links between records
(unknown organisation, duplicate id, pins on unknown requests...).  Every problem found is
collected; ``ProblemError.errors`` lists them, one line each, naming the record and the field.

The table is plain data interpreted by a small loop rather than a marshmallow schema: on the
20,000 requests of a national round marshmallow takes about 4 s, this about 0.2 s.
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from .model import Problem

FORMAT: Final = "appariement/problem@1"

# Ranges.  Weights × 100 points × terms stay far inside int64 (and the preference keys of
# stable mode, which keep 20 bits for the weighted agent-side score: 2 terms × 1000 × 100).
MAX_WEIGHT: Final = 1_000
MAX_CAPACITY: Final = 10_000
MAX_DAYS: Final = 366
MAX_ROUNDS_WAITED: Final = 1_000
MAX_DISTANCE_KM: Final = 100_000.0  # beyond half the Earth's circumference; null = no limit
MAX_TIME_LIMIT: Final = 86_400.0
MAX_WORKERS: Final = 256
MAX_WINDOWS: Final = 100
MAX_LIST: Final = 1_000  # themes, skills, skill levels, prerequisites of one record
MAX_ID_LENGTH: Final = 200
MAX_TEXT_LENGTH: Final = 1_000
MAX_WISHES: Final = 5
MIN_LEVEL: Final = 1
MAX_LEVEL: Final = 4
MODES: Final = ("optimal", "stable")
OBJECTIVES: Final = ("score", "placements_first")
CONTINUITY_SCOPES: Final = ("organisation", "team")


class ProblemError(ValueError):
    """The problem data is invalid; ``errors`` lists every problem found, one line each."""

    def __init__(self, errors: str | list[str]):
        self.errors: list[str] = [errors] if isinstance(errors, str) else list(errors)
        head = self.errors[0] if len(self.errors) == 1 else f"{len(self.errors)} problems in the input:"
        body = "" if len(self.errors) == 1 else "\n  " + "\n  ".join(self.errors)
        super().__init__(head + body)


class _Bad(Exception):
    """One field's value is wrong; the message says why (the caller adds where)."""


_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxstring, _SHORT.maxother, _SHORT.maxlong = 2, 40, 40, 40


def _show(v: Any) -> str:
    """A short repr of a value, whatever its size or depth."""
    return _SHORT.repr(v)


# ---- value readers: (value, from_json) -> value of the dataclass, or _Bad ----------------
# From JSON, dates are ISO strings and sequences lists; from the Python API, dates are
# ``datetime.date`` and sequences tuples (lists are accepted too).

Reader = Callable[[Any, bool], Any]


def text(max_length: int = MAX_ID_LENGTH, empty: bool = False) -> Reader:
    def read(v: Any, from_json: bool) -> str:
        if not isinstance(v, str):
            raise _Bad(f"must be a string, got {_show(v)}")
        if not v and not empty:
            raise _Bad("must not be empty")
        if len(v) > max_length:
            raise _Bad(f"longer than {max_length} characters")
        if "\x00" in v:
            raise _Bad("contains a NUL character")
        return v

    return read


def integer(lo: int, hi: int) -> Reader:
    def read(v: Any, from_json: bool) -> int:
        if type(v) is not int:  # bool, float, str... are refused, never truncated
            raise _Bad(f"must be an integer, got {_show(v)}")
        if not lo <= v <= hi:
            raise _Bad(f"must lie in {lo}..{hi}, got {v}")
        return v

    return read


def number(lo: float, hi: float) -> Reader:
    def read(v: Any, from_json: bool) -> float:
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise _Bad(f"must be a number, got {_show(v)}")
        if not math.isfinite(v):
            raise _Bad(f"must be a finite number, got {v}")
        if not lo <= v <= hi:
            raise _Bad(f"must lie in {lo:g}..{hi:g}, got {v:g}")
        return float(v)

    return read


def boolean(v: Any, from_json: bool) -> bool:
    if not isinstance(v, bool):
        raise _Bad(f"must be true or false, got {_show(v)}")
    return v


def choice(options: tuple[str, ...]) -> Reader:
    def read(v: Any, from_json: bool) -> str:
        if not isinstance(v, str) or v not in options:
            raise _Bad(f"must be one of {', '.join(options)}; got {_show(v)}")
        return v

    return read


def nullable(inner: Reader) -> Reader:
    def read(v: Any, from_json: bool) -> Any:
        return None if v is None else inner(v, from_json)

    return read


def day(v: Any, from_json: bool) -> date:
    if from_json:
        if not isinstance(v, str):
            raise _Bad(f"must be an ISO date (YYYY-MM-DD), got {_show(v)}")
        try:
            return date.fromisoformat(v)
        except ValueError:
            raise _Bad(f"{_show(v)} is not an ISO date (YYYY-MM-DD)") from None
    if not isinstance(v, date) or isinstance(v, datetime):
        raise _Bad(f"must be a datetime.date, got {_show(v)}")
    return v


def _sequence(v: Any, max_items: int) -> list[Any] | tuple[Any, ...]:
    # A string is a sequence in Python; here it is a mistake, never split into characters.
    if not isinstance(v, list | tuple):
        raise _Bad(f"must be a list, got {_show(v)}")
    if len(v) > max_items:
        raise _Bad(f"more than {max_items} items")
    return v


def _plain_texts(items: Any) -> bool:
    # Fast path for the common case: every item a short, non-empty string without NUL.
    return all(type(x) is str and 0 < len(x) <= MAX_ID_LENGTH and "\x00" not in x for x in items)


def text_list(max_items: int = MAX_LIST, distinct: bool = False) -> Reader:
    item = text()

    def read(v: Any, from_json: bool) -> tuple[str, ...]:
        items = _sequence(v, max_items)
        if not _plain_texts(items):
            for x in items:
                try:
                    item(x, from_json)
                except _Bad as e:
                    raise _Bad(f"every item {e}") from None
        out = tuple(items)
        if distinct and len(set(out)) != len(out):
            raise _Bad("items must be distinct")
        return out

    return read


def levels(v: Any, from_json: bool) -> dict[str, int]:
    """Skill -> level 1..4."""
    if not isinstance(v, Mapping):
        raise _Bad(f"must be an object of skill: level, got {_show(v)}")
    if len(v) > MAX_LIST:
        raise _Bad(f"more than {MAX_LIST} skills")
    if _plain_texts(v) and all(type(x) is int and MIN_LEVEL <= x <= MAX_LEVEL for x in v.values()):
        return dict(v)
    key, level = text(), integer(MIN_LEVEL, MAX_LEVEL)
    out = {}
    for k, lvl in v.items():
        try:
            out[key(k, from_json)] = level(lvl, from_json)
        except _Bad as e:
            raise _Bad(f"skill {_show(k)}: {e}") from None
    return out


def windows(v: Any, from_json: bool) -> tuple[tuple[date, date], ...]:
    items = _sequence(v, MAX_WINDOWS)
    if not items:
        raise _Bad("at least one availability window is needed")
    out = []
    for i, w in enumerate(items):
        if not isinstance(w, list | tuple) or len(w) != 2:
            raise _Bad(f"window {i} must be a pair [start, end], got {_show(w)}")
        try:
            a, b = day(w[0], from_json), day(w[1], from_json)
        except _Bad as e:
            raise _Bad(f"window {i}: {e}") from None
        if a > b:
            raise _Bad(f"window {a}..{b} ends before it starts")
        out.append((a, b))
    return tuple(out)


@dataclass(frozen=True)
class Field:
    name: str  # in the JSON form
    attr: str  # in the dataclass
    read: Reader
    required: bool = False
    default: Any = None  # used when the dataclass has none (organisation name)


def _fields(*spec: tuple[str, str, Reader, bool]) -> tuple[Field, ...]:
    return tuple(Field(name, attr, read, required) for name, attr, read, required in spec)


REQUIRED, OPTIONAL = True, False
LATITUDE, LONGITUDE = number(-90.0, 90.0), number(-180.0, 180.0)

ORGANISATION: Final = (
    Field("id", "id", text(), REQUIRED),
    Field("name", "name", text(MAX_TEXT_LENGTH, empty=True), OPTIONAL, default=""),
    Field("lat", "lat", LATITUDE, REQUIRED),
    Field("lon", "lon", LONGITUDE, REQUIRED),
)
REQUEST: Final = _fields(
    ("id", "id", text(), REQUIRED),
    ("agent", "agent_id", text(), REQUIRED),
    ("org", "org_id", text(), REQUIRED),
    ("team", "team", nullable(text(empty=True)), OPTIONAL),
    ("themes", "themes", text_list(), OPTIONAL),
    ("skills", "skills", text_list(), OPTIONAL),
    ("current_skills", "current_skills", levels, OPTIONAL),
    ("windows", "windows", windows, REQUIRED),
    ("min_days", "min_days", integer(1, MAX_DAYS), OPTIONAL),
    ("max_days", "max_days", integer(1, MAX_DAYS), OPTIONAL),
    ("max_distance_km", "max_distance_km", nullable(number(0.0, MAX_DISTANCE_KM)), OPTIONAL),
    ("lat", "lat", LATITUDE, REQUIRED),
    ("lon", "lon", LONGITUDE, REQUIRED),
    ("quota_days", "quota_days", integer(0, MAX_DAYS), OPTIONAL),
    ("wishes", "wishes", text_list(MAX_WISHES, distinct=True), OPTIONAL),
    ("rounds_waited", "rounds_waited", integer(0, MAX_ROUNDS_WAITED), OPTIONAL),
)
SESSION: Final = _fields(
    ("id", "id", text(), REQUIRED),
    ("offer", "offer_id", text(), REQUIRED),
    ("org", "org_id", text(), REQUIRED),
    ("start", "start", day, REQUIRED),
    ("end", "end", day, REQUIRED),
    ("working_days", "working_days", integer(1, MAX_DAYS), REQUIRED),
    ("capacity", "capacity", integer(0, MAX_CAPACITY), REQUIRED),
    ("lat", "lat", LATITUDE, REQUIRED),
    ("lon", "lon", LONGITUDE, REQUIRED),
    ("remote", "remote", boolean, OPTIONAL),
    ("themes", "themes", text_list(), OPTIONAL),
    ("skills", "skills", text_list(), OPTIONAL),
    ("prerequisites", "prerequisites", levels, OPTIONAL),
)
WEIGHTS: Final = _fields(
    *(
        (name, name, integer(0, MAX_WEIGHT), OPTIONAL)
        for name in ("base", "interest", "skill_fit", "wish", "distance", "waiting", "fairness", "reciprocity")
    )
)
SETTINGS: Final = _fields(
    ("diversity", "diversity", nullable(integer(1, MAX_CAPACITY)), OPTIONAL),
    ("continuity", "continuity", nullable(integer(0, 1_000_000)), OPTIONAL),
    ("continuity_scope", "continuity_scope", choice(CONTINUITY_SCOPES), OPTIONAL),
    ("fairness_floor", "fairness_floor", number(0.0, 1.0), OPTIONAL),
    ("reciprocity", "reciprocity", boolean, OPTIONAL),
    ("mode", "mode", choice(MODES), OPTIONAL),
    ("objective", "objective", choice(OBJECTIVES), OPTIONAL),
    ("time_limit", "time_limit", number(0.001, MAX_TIME_LIMIT), OPTIONAL),
    ("workers", "workers", nullable(integer(1, MAX_WORKERS)), OPTIONAL),
    ("deterministic", "deterministic", boolean, OPTIONAL),
)


class Errors:
    """Collects problems as 'where: field: why' lines."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, where: str, why: str) -> None:
        self.lines.append(f"{where}: {why}")

    def raise_if_any(self) -> None:
        if self.lines:
            raise ProblemError(self.lines)


def record_name(kind: str, position: int, record: Any, from_json: bool) -> str:
    """'request 'req-1'' when the record has a usable id, else 'request #3'."""
    rid = record.get("id") if from_json and isinstance(record, Mapping) else getattr(record, "id", None)
    if isinstance(rid, str) and rid and len(rid) <= MAX_ID_LENGTH:
        return f"{kind} {rid!r}"
    return f"{kind} #{position}"


def read_record(spec: tuple[Field, ...], raw: Any, where: str, errors: Errors) -> dict[str, Any] | None:
    """A JSON object checked against its fields -> dataclass keyword arguments (None if bad)."""
    if not isinstance(raw, dict):
        errors.add(where, f"must be an object, got {_show(raw)}")
        return None
    out: dict[str, Any] = {}
    ok = True
    known = set()
    for f in spec:
        known.add(f.name)
        if f.name not in raw:
            if f.required:
                errors.add(where, f"missing field {f.name!r}")
                ok = False
            elif f.default is not None:
                out[f.attr] = f.default
            continue
        try:
            out[f.attr] = f.read(raw[f.name], True)
        except _Bad as e:
            errors.add(where, f"{f.name}: {e}")
            ok = False
    if len(raw) > sum(1 for f in spec if f.name in raw) or not ok:
        for k in raw:
            if k not in known:
                errors.add(where, f"unknown field {_show(k)}")
                ok = False
    return out if ok else None


def check_record(spec: tuple[Field, ...], obj: Any, where: str, errors: Errors) -> bool:
    """A dataclass instance checked against the same fields (the Python API)."""
    ok = True
    for f in spec:
        try:
            f.read(getattr(obj, f.attr), False)
        except _Bad as e:
            errors.add(where, f"{f.name}: {e}")
            ok = False
    return ok


def records(kind: str, raw: Any, errors: Errors) -> list[Any]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        errors.add(kind, f"must be a list, got {_show(raw)}")
        return []
    return raw


def id_pairs(kind: str, raw: Any, from_json: bool, errors: Errors) -> tuple[tuple[str, str], ...]:
    """Pins or forbidden pairs: a list of [request id, session id]."""
    if raw is None or (not from_json and raw == ()):
        return ()
    if not isinstance(raw, list | tuple) or (from_json and not isinstance(raw, list)):
        errors.add(kind, f"must be a list of [request, session], got {_show(raw)}")
        return ()
    out = []
    for i, pair in enumerate(raw):
        if (
            not isinstance(pair, list | tuple)
            or len(pair) != 2
            or not all(isinstance(x, str) and 0 < len(x) <= MAX_ID_LENGTH for x in pair)
        ):
            errors.add(f"{kind}[{i}]", f"must be a pair [request id, session id], got {_show(pair)}")
            continue
        out.append((pair[0], pair[1]))
    return tuple(out)


def check_links(p: Problem, errors: Errors) -> None:
    """Rules between records: unique ids, known organisations and ids, durations, wishes."""
    orgs = _unique("organisation", [o.id for o in p.organisations], errors)
    reqs = _unique("request", [r.id for r in p.requests], errors)
    sess = _unique("session", [s.id for s in p.sessions], errors)
    for r in p.requests:
        where = f"request {r.id!r}"
        if r.org_id not in orgs:
            errors.add(where, f"org: unknown organisation {r.org_id!r}")
        if r.min_days > r.max_days:
            errors.add(where, f"min_days: {r.min_days} is more than max_days {r.max_days}")
    for x in p.sessions:
        where = f"session {x.id!r}"
        if x.org_id not in orgs:
            errors.add(where, f"org: unknown organisation {x.org_id!r}")
        if x.start > x.end:
            errors.add(where, f"end: {x.end} is before start {x.start}")
    for kind, pairs in (("pins", p.pins), ("forbidden", p.forbidden)):
        for i, (r_id, s_id) in enumerate(pairs):
            if r_id not in reqs:
                errors.add(f"{kind}[{i}]", f"unknown request {r_id!r}")
            if s_id not in sess:
                errors.add(f"{kind}[{i}]", f"unknown session {s_id!r}")


def _unique(kind: str, ids: list[str], errors: Errors) -> set[str]:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            errors.add(f"{kind} {i!r}", "duplicate id")
        seen.add(i)
    return seen


def check_problem(p: Problem) -> None:
    """The Python API's door: every dataclass of the problem against the declared fields."""
    from .model import Organisation, Request, Session, Settings, Weights

    errors = Errors()
    typed = True
    parts = (
        ("organisations", "organisation", ORGANISATION, Organisation),
        ("requests", "request", REQUEST, Request),
        ("sessions", "session", SESSION, Session),
    )
    for attr, kind, spec, cls in parts:
        items = getattr(p, attr)
        if not isinstance(items, list | tuple):
            errors.add(attr, f"must be a tuple of {cls.__name__}, got {_show(items)}")
            typed = False
            continue
        for i, obj in enumerate(items):
            if not isinstance(obj, cls):
                errors.add(f"{kind} #{i}", f"must be a {cls.__name__}, got {_show(obj)}")
                typed = False
            elif not check_record(spec, obj, record_name(kind, i, obj, False), errors):
                typed = False
    st = p.settings
    if not isinstance(st, Settings):
        errors.add("settings", f"must be a Settings, got {_show(st)}")
        typed = False
    else:
        typed &= check_record(SETTINGS, st, "settings", errors)
        if not isinstance(st.weights, Weights):
            errors.add("settings", f"weights: must be a Weights, got {_show(st.weights)}")
            typed = False
        else:
            typed &= check_record(WEIGHTS, st.weights, "settings.weights", errors)
    before = len(errors.lines)
    pins = id_pairs("pins", p.pins, False, errors)
    forbidden = id_pairs("forbidden", p.forbidden, False, errors)
    if typed and len(errors.lines) == before:
        # Links are checked on well-typed records only (no comparison of a date with a string).
        check_links(type(p)(p.organisations, p.requests, p.sessions, st, pins, forbidden), errors)
    errors.raise_if_any()


def problem_from_dict(d: Any) -> Problem:
    """The JSON door: a decoded JSON document -> a valid Problem, or ProblemError listing all."""
    from .model import Organisation, Problem, Request, Session, Settings, Weights

    errors = Errors()
    if not isinstance(d, dict):
        raise ProblemError(f"top level: must be an object, got {_show(d)}")
    top = {"format", "settings", "organisations", "requests", "sessions", "pins", "forbidden"}
    for k in d:
        if k not in top:
            errors.add("top level", f"unknown field {_show(k)}")
    if "format" in d and d["format"] != FORMAT:
        errors.add("format", f"expected {FORMAT!r}, got {_show(d['format'])}")
    settings = Settings()
    raw_settings = d.get("settings")
    if raw_settings is not None:
        if isinstance(raw_settings, dict):
            raw_settings = dict(raw_settings)
            raw_weights = raw_settings.pop("weights", None)
            kw = read_record(SETTINGS, raw_settings, "settings", errors)
            wkw = {} if raw_weights is None else read_record(WEIGHTS, raw_weights, "settings.weights", errors)
            if kw is not None and wkw is not None:
                settings = Settings(weights=Weights(**wkw), **kw)
        else:
            errors.add("settings", f"must be an object, got {_show(raw_settings)}")
    built: dict[str, list[Any]] = {}
    parts = (
        ("organisations", "organisation", ORGANISATION, Organisation),
        ("requests", "request", REQUEST, Request),
        ("sessions", "session", SESSION, Session),
    )
    for key, kind, spec, cls in parts:
        out = []
        for i, raw in enumerate(records(key, d.get(key), errors)):
            kw = read_record(spec, raw, record_name(kind, i, raw, True), errors)
            if kw is not None:
                out.append(cls(**kw))
        built[key] = out
    pins = id_pairs("pins", d.get("pins"), True, errors)
    forbidden = id_pairs("forbidden", d.get("forbidden"), True, errors)
    problem = Problem(
        organisations=tuple(built["organisations"]),
        requests=tuple(built["requests"]),
        sessions=tuple(built["sessions"]),
        settings=settings,
        pins=pins,
        forbidden=forbidden,
    )
    if not errors.lines:
        check_links(problem, errors)
    errors.raise_if_any()
    return problem
