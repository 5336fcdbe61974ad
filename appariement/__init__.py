"""appariement: the matching engine of mobilite (pure Python + OR-Tools + numpy).

Public API (everything else is internal)::

    from appariement import Problem, Request, Session, Organisation, Settings, Weights, solve

    solution = solve(Problem(organisations=..., requests=..., sessions=..., settings=Settings()))
    solution.assignments    # Assignment(request_id, session_id, score, breakdown, ...)
    solution.unmatched      # Unmatched(request_id, reason, excluded | sessions)
    solution.metrics        # score, bound, placed, rank profile, org rates, blocking pairs...
    solution.to_json()      # documented JSON form (README.md); stats=False for the
                            # deterministic part only

Errors: ProblemError (bad input: ``errors`` lists every problem, naming the record and field),
InfeasiblePinsError (names the pins).
Placements chosen by hand: ``check_placements(problem, pairs)`` says which hard rules (``RuleName``)
each placement breaks and which the whole set breaks.
Where one placement could move: ``replacement_options(problem, request_id, others)`` gives every
session with the rules it would break and the pair's score and breakdown, valid ones best first.
Why a pair is (not) eligible: ``check_pairs(problem, pairs)`` gives each pair's broken pair rules
with their figures (``PairCheck.failures``: ``TooFar(distance_km, max_distance_km)``...).
Each unmatched request's ``outlook`` (``Outlook``): its wishes' fate and the nearest ``Change`` of one
condition that would open sessions (outlook.py).
JSON: problem_from_dict / problem_to_dict; CLI: ``python -m appariement solve problem.json``.
"""

from .engine import solve
from .jsonio import dumps_problem, loads_problem, problem_from_dict, problem_to_dict
from .model import (
    InfeasiblePinsError,
    Organisation,
    Problem,
    ProblemError,
    Request,
    Session,
    Settings,
    Weights,
)
from .outlook import Change, Outlook, WishOutcome
from .pair_check import (
    Closed,
    DurationOutside,
    Failure,
    Forbidden,
    MissingSkill,
    OutsideWindows,
    OverQuota,
    OwnOrganisation,
    PairCheck,
    PrerequisitesMissing,
    TooFar,
    check_pairs,
)
from .placements import PlacementCheck, check_placements
from .replacements import ReplacementOption, replacement_options
from .rules import RuleName
from .solution import Assignment, SessionBlock, Solution, Unmatched

__all__ = [
    "Assignment",
    "Change",
    "Closed",
    "DurationOutside",
    "Failure",
    "Forbidden",
    "InfeasiblePinsError",
    "MissingSkill",
    "Organisation",
    "Outlook",
    "OutsideWindows",
    "OverQuota",
    "OwnOrganisation",
    "PairCheck",
    "PlacementCheck",
    "PrerequisitesMissing",
    "Problem",
    "ProblemError",
    "ReplacementOption",
    "Request",
    "RuleName",
    "Session",
    "SessionBlock",
    "Settings",
    "Solution",
    "TooFar",
    "Unmatched",
    "Weights",
    "WishOutcome",
    "check_pairs",
    "check_placements",
    "dumps_problem",
    "loads_problem",
    "problem_from_dict",
    "problem_to_dict",
    "replacement_options",
    "solve",
]
