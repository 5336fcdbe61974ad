"""appariement: the matching engine of mobilite (pure Python + OR-Tools + numpy).

Public API (everything else is internal)::

    from appariement import Problem, Request, Session, Organisation, Settings, Weights, solve

    solution = solve(Problem(organisations=..., requests=..., sessions=..., settings=Settings()))
    solution.assignments    # Assignment(request_id, session_id, score, breakdown, ...)
    solution.unmatched      # Unmatched(request_id, reason, excluded | sessions)
    solution.metrics        # score, bound, placed, rank profile, org rates, blocking pairs...
    solution.to_json()      # documented JSON form (README.md); stats=False for the
                            # deterministic part only

Errors: ProblemError (bad input, names the field), InfeasiblePinsError (names the pins).
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
from .solution import Assignment, SessionBlock, Solution, Unmatched

__all__ = [
    "Assignment",
    "InfeasiblePinsError",
    "Organisation",
    "Problem",
    "ProblemError",
    "Request",
    "Session",
    "SessionBlock",
    "Settings",
    "Solution",
    "Unmatched",
    "Weights",
    "dumps_problem",
    "loads_problem",
    "problem_from_dict",
    "problem_to_dict",
    "solve",
]
