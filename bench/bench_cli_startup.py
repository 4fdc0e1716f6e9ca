"""CLI start-up benchmark: the ``gazette`` process as a whole, beside ``python -c pass`` in the same run.

Measures wall time of whole processes (interpreter start, imports, work, exit) for
``gazette --help``, ``gazette --version``, ``gazette show <文号>`` and ``gazette status <文号>`` against
a private SQLite database holding the shipped issues (created and ingested first, not timed).
Each figure is the median of several runs after one warm-up run, as wall time and as CPU time. Goals (issue #18): ``--help`` under
0.3 s, ``show`` / ``status`` under 1 s. Benchmarks are not tests: this prints figures, it asserts nothing.

    .venv/bin/python bench/bench_cli_startup.py [--rounds 7] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GAZETTE = ROOT / ".venv" / "bin" / "gazette"
PYTHON = ROOT / ".venv" / "bin" / "python"
GOALS = {"--help": 0.3, "show": 1.0, "status": 1.0}


def _time(cmd: list[str], env: dict[str, str], rounds: int) -> tuple[float, float]:
    """Median wall time and median CPU time (user + system) of the process. CPU time is the steadier
    figure on a shared machine: waiting for a core counts in wall time only."""
    subprocess.run(cmd, env=env, capture_output=True, check=False)  # warm the OS cache
    wall, cpu = [], []
    for _ in range(rounds):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, env=env, capture_output=True, check=False)
        wall.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args()
    gazette = str(GAZETTE) if GAZETTE.exists() else "gazette"
    python = str(PYTHON) if PYTHON.exists() else sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, GAZETTE_DATABASE_URL=f"sqlite:///{tmp}/bench.db")
        subprocess.run([gazette, "ingest", "--pack"], env=env, capture_output=True, check=True)
        anchor, anchor_cpu = _time([python, "-c", "pass"], env, args.rounds)
        cases = {
            "--help": [gazette, "--help"],
            "--version": [gazette, "--version"],
            "show": [gazette, "show", "嘉政办发〔2022〕47号"],
            "status": [gazette, "status", "嘉政办发〔2022〕47号", "--on", "2022-10-08"],
        }
        rows = []
        for name, cmd in cases.items():
            ours, ours_cpu = _time(cmd, env, args.rounds)
            rows.append({"command": f"gazette {name}", "ours_s": round(ours, 3), "anchor_s": round(anchor, 3),
                         "ratio": round(ours / anchor, 1), "ours_cpu_s": round(ours_cpu, 3),
                         "anchor_cpu_s": round(anchor_cpu, 3), "goal_s": GOALS.get(name),
                         "meets_goal": None if name not in GOALS else ours < GOALS[name]})
    if args.json:
        print(json.dumps({"anchor": "python -c pass", "rounds": args.rounds, "results": rows}, indent=2))
        return
    print(f"anchor: python -c pass = {anchor:.3f} s (median of {args.rounds})")
    for r in rows:
        goal = f"  goal < {r['goal_s']} s: {'met' if r['meets_goal'] else 'NOT met'}" if r["goal_s"] else ""
        print(f"{r['command']:<18} {r['ours_s']:.3f} s  anchor {r['anchor_s']:.3f} s  ratio {r['ratio']}×"
              f"  (cpu {r['ours_cpu_s']:.3f} s, anchor {r['anchor_cpu_s']:.3f} s){goal}")


if __name__ == "__main__":
    main()
