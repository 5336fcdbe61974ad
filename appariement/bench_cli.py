"""The whole command line on a dense national round (size XL): ``python -m appariement.bench_cli``.

Generates the XL problem (20,000 requests × 4,000 sessions, about 7 M eligible pairs), runs
``python -m appariement solve`` on it in a child process (read + validate + solve + write),
and reports the child's wall time and its peak resident memory (``ru_maxrss`` of the child,
so measured after the output is written).  In the same run: a chunked brute-force numpy scan
of all request × session pairs (what the place index must beat), and pure
``SimpleMinCostFlow`` on the whole network of the engine's own edges, unpruned (the reference
optimum; the engine's flow phase over it).  A second
run, with ``--no-stats`` while another process keeps a core busy, must give the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from . import rules
from .arrays import ProblemArrays, build_arrays
from .generator import generate
from .jsonio import dumps_problem

SIZE = "XL"


def brute_force_scan(a: ProblemArrays, block: int = 256) -> tuple[int, float]:
    """Every request × session pair through every pair rule, in blocks of requests (seconds)."""
    t0 = time.perf_counter()
    found = 0
    s_all = np.arange(a.n_ses, dtype=np.int64)
    for first in range(0, a.n_req, block):
        req = np.arange(first, min(first + block, a.n_req), dtype=np.int64)
        r, s = np.repeat(req, a.n_ses), np.tile(s_all, len(req))
        for _, rule in rules.PAIR_RULES:
            keep = rule(a, r, s)
            r, s = r[keep], s[keep]
        found += len(r)
    return found, time.perf_counter() - t0


def pure_flow(problem_path: str) -> dict[str, Any]:
    """SimpleMinCostFlow alone on the whole network of the engine's edges, unpruned (prepared
    first, not timed): the reference optimum."""
    from .context import objective_parts
    from .engine import prepare
    from .flow import solve_flow
    from .jsonio import loads_problem

    ctx = prepare(loads_problem(Path(problem_path).read_bytes()))
    t0, c0 = time.perf_counter(), time.process_time()
    x = solve_flow(ctx, prune=False)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"seconds": seconds, "cpu": cpu, "score": objective_parts(ctx, x)["total"], "pairs": len(ctx.pairs)}


def run_cli(problem_path: str, out_path: str, *extra: str) -> tuple[float, float, float]:
    """Run the CLI in a child; (wall seconds, child's CPU seconds, child's peak RSS in MiB)."""
    t0 = time.perf_counter()
    with open(out_path, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "appariement", "solve", problem_path, *extra],
            stdout=out,
            cwd=Path(__file__).resolve().parents[1],
        )
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    if status != 0:
        raise RuntimeError(f"solve exited with status {status}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _busy(stop: Any) -> None:
    x = 0
    while not stop.is_set():
        x = (x * 31 + 7) % 1_000_003


def canonical(path: str) -> str:
    doc = json.loads(Path(path).read_text())
    doc.pop("stats", None)
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m appariement.bench_cli")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        problem_path, out1, out2 = (str(Path(tmp) / n) for n in ("problem.json", "s1.json", "s2.json"))
        problem = generate(SIZE, args.seed)
        Path(problem_path).write_text(dumps_problem(problem))
        a = build_arrays(problem)
        found, brute_s = brute_force_scan(a)
        del a, problem
        load_before = os.getloadavg()
        seconds, cpu, peak = run_cli(problem_path, out1)
        with mp.get_context("spawn").Pool(1) as pool:
            flow = pool.apply(pure_flow, (problem_path,))
        # Second run without stats while another process keeps a core busy.
        stop = mp.get_context("spawn").Event()
        busy = mp.get_context("spawn").Process(target=_busy, args=(stop,))
        busy.start()
        try:
            seconds2, cpu2, peak2 = run_cli(problem_path, out2, "--no-stats")
        finally:
            stop.set()
            busy.join()
        same = canonical(out1) == canonical(out2)
        sol = json.loads(Path(out1).read_text())
        size_mb = os.path.getsize(out1) / 2**20
    m, st = sol["metrics"], sol["stats"]
    phases = st["seconds"]
    print(f"{SIZE}: {m['requests']} requests × {m['sessions']} sessions, {m['eligible_pairs']} eligible pairs")
    print(f"  machine: {os.cpu_count()} cores; load average before the run {load_before[0]:.1f}")
    print(
        f"  CLI (read + validate + solve + write): {seconds:.2f} s wall, {cpu:.2f} s CPU, peak {peak:.0f} MiB "
        f"after output ({size_mb:.1f} MiB written); loaded rerun {seconds2:.2f} s wall, {cpu2:.2f} s CPU, "
        f"{peak2:.0f} MiB"
    )
    print(
        f"  score {m['score']}, bound {m['bound']}, gap {sol['solver']['gap']}, status {sol['solver']['status']}, "
        f"placed {m['placed']}"
    )
    print(f"  phases (s): {phases}")
    print(
        f"  eligibility {phases['eligibility']:.2f} s (indexing included) vs chunked brute-force "
        f"scan {brute_s:.2f} s ({found} pairs: {'same count' if found == m['eligible_pairs'] else 'DIFFERENT'})"
    )
    print(
        f"  flow: engine {phases['solve_flow']:.2f} s vs pure SimpleMinCostFlow {flow['seconds']:.2f} s wall "
        f"({flow['cpu']:.2f} s CPU) on the same {flow['pairs']} pairs "
        f"({phases['solve_flow'] / max(flow['seconds'], 1e-9):.2f}x); "
        f"exact (score = pure flow optimum {flow['score']}): {m['score'] == flow['score'] == m['bound']}"
    )
    print(f"  byte-identical solution on the loaded rerun (--no-stats): {same}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
