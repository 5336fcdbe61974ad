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
from .placements import PlacementCheck, check_placements
from .rules import RuleName
from .solution import Assignment, SessionBlock, Solution, Unmatched

__all__ = [
    "Assignment",
    "InfeasiblePinsError",
    "Organisation",
    "PlacementCheck",
    "Problem",
    "ProblemError",
    "Request",
    "RuleName",
    "Session",
    "SessionBlock",
    "Settings",
    "Solution",
    "Unmatched",
    "Weights",
    "check_placements",
    "dumps_problem",
    "loads_problem",
    "problem_from_dict",
    "problem_to_dict",
    "solve",
]
