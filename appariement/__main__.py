"""Command line: ``python -m appariement solve problem.json > solution.json``.

solve PROBLEM.json [--no-stats] [--outlooks]
                                  solve a round (``-`` reads stdin); --no-stats drops the
                                  timing/memory block so the output is byte-for-byte
                                  reproducible; --outlooks adds each unmatched request's outlook
generate --size S|M|L [--seed N] [--continuity K] [--congested] [--time-limit S]
                                  write a generated problem
"""

from __future__ import annotations

import argparse
import sys

from .engine import solve
from .generator import SIZES, generate
from .jsonio import dumps_problem, loads_problem
from .model import InfeasiblePinsError, ProblemError


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m appariement")
    sub = ap.add_subparsers(dest="command", required=True)
    sp = sub.add_parser("solve", help="solve a problem JSON file, print the solution JSON")
    sp.add_argument("problem", help="path of the problem JSON, or - for stdin")
    sp.add_argument("--no-stats", action="store_true", help="omit timings and memory")
    sp.add_argument("--outlooks", action="store_true", help="add each unmatched request's outlook")
    gp = sub.add_parser("generate", help="print a generated problem JSON")
    gp.add_argument("--size", choices=sorted(SIZES), default="S")
    gp.add_argument("--seed", type=int, default=1)
    gp.add_argument("--continuity", type=int, default=None, help="service continuity K")
    gp.add_argument("--congested", action="store_true", help="every home organisation overloaded")
    gp.add_argument("--time-limit", type=float, default=None, help="settings.time_limit (seconds)")
    args = ap.parse_args(argv)

    if args.command == "generate":
        limit = {} if args.time_limit is None else {"time_limit": args.time_limit}
        problem = generate(args.size, args.seed, continuity=args.continuity, congested=args.congested, **limit)
        sys.stdout.write(dumps_problem(problem))
        return 0
    try:
        if args.problem == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(args.problem, "rb") as f:
                data = f.read()
        # Checked by the JSON door already; outlooks only when printed.
        solution = solve(loads_problem(data), validated=True, with_outlooks=args.outlooks)
    except ProblemError as e:
        for line in e.errors:
            print(f"error: {line}", file=sys.stderr)
        return 2
    except (InfeasiblePinsError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    sys.stdout.write(solution.to_json(stats=not args.no_stats, outlooks=args.outlooks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
