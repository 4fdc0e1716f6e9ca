"""Distributed batch benchmark: the whole Jiaxing pack over a synthetic province (vehicle purchases and
enterprises, 10:1 as in the goal) on a local Dask cluster of 1 and 2 workers, beside the anchor measured
in the same run — the in-process engine on a slice, one thread:

* ``anchor``: the same partition task in-process (read, evaluate with the same engine code, write the
  long result partition) — the cost the distributed run adds to is this one;
* ``engine``: ``Engine.evaluate_frame`` alone (what ``gazette batch FILE`` evaluates), for reference.

Prints ours, the anchor, their ratio (the distributed overhead per row), the 1 → 2 worker scaling and
the projections (65 million people; 1.4 billion; workers for a one-hour run) from the measured
per-worker rate. Figures only, no assertions.

Usage: python bench/bench_distributed.py [--purchases N] [--enterprises N] [--persons N]
       [--rows-per-file N] [--anchor-rows N] [--workers 1,2] [--data DIR] [--json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ON = dt.date(2022, 10, 31)
ENTITIES = [("vehicle_purchases", "vehicle_purchase"), ("enterprises", "enterprise"), ("persons", "person")]


def anchor(data: Path, rows: int, out: Path, extra: Path) -> dict:
    """One thread, in this process (started with POLARS_MAX_THREADS=1): per-row cost per entity."""
    import polars as pl

    from gazette.rules.batch import normalise
    from gazette.rules.distributed import dataset as ds
    from gazette.rules.distributed import task as tk
    from gazette.rules.engine import get_engine

    engine = get_engine()
    res: dict = {"threads": pl.thread_pool_size()}
    for plural, entity in ENTITIES:
        files = sorted((data / plural).glob("*.parquet")) or sorted((extra / plural).glob("*.parquet"))
        if not files:
            continue
        part = ds.Partition(entity, plural, str(files[0]), 0, 1, 0, rows, False)
        engine.compile(ON)
        tk.run_partition(engine, ds.Partition(entity, plural, str(files[0]), 0, 1, 0, 1000, False), "x", "x", str(out),
                         ON, None)  # warm
        t, c = time.perf_counter(), time.process_time()
        entry = tk.run_partition(engine, part, "x", "x", str(out), ON, None)
        task_s, task_cpu = time.perf_counter() - t, time.process_time() - c
        raw = tk.read_partition(part.path, 0, rows, False)
        df = normalise(engine, engine.entities[entity], raw)
        t, c = time.perf_counter(), time.process_time()
        engine.evaluate_frame(entity, df, ON)
        eng_s, eng_cpu = time.perf_counter() - t, time.process_time() - c
        n = entry["rows"]
        res[entity] = {"rows": n, "task_us_per_row": task_s / n * 1e6, "task_cpu_us_per_row": task_cpu / n * 1e6,
                       "engine_us_per_row": eng_s / n * 1e6, "engine_cpu_us_per_row": eng_cpu / n * 1e6}
    return res


def _warm() -> None:
    from gazette.rules.distributed.job import pack_fingerprint
    from gazette.rules.engine import get_engine

    get_engine().compile(ON)
    pack_fingerprint()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--purchases", type=int, default=4_000_000)
    ap.add_argument("--enterprises", type=int, default=400_000)
    ap.add_argument("--persons", type=int, default=0, help="persons (0: purchases carry no buyer link)")
    ap.add_argument("--rows-per-file", type=int, default=500_000)
    ap.add_argument("--anchor-rows", type=int, default=500_000)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--data", type=Path, help="reuse or keep the synthetic dataset here")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--_anchor", nargs=4, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a._anchor:
        print(json.dumps(anchor(Path(a._anchor[0]), int(a._anchor[1]), Path(a._anchor[2]), Path(a._anchor[3]))))
        return

    from gazette.rules.distributed.cluster import Dask
    from gazette.rules.distributed.job import Job
    from gazette.rules.distributed.synth import synth

    tmp = Path(tempfile.mkdtemp(prefix="bench-dist-"))
    data = a.data or tmp / "data"
    t = time.perf_counter()
    if not (data / "_synth.json").exists():
        synth(data, a.persons, a.purchases, a.enterprises, seed=1, rows_per_file=a.rows_per_file)
    synth_s = time.perf_counter() - t
    rows_total = a.purchases + a.enterprises + a.persons

    arows = min(a.anchor_rows, a.rows_per_file)
    if not a.persons:  # persons are not in the run, but their per-row cost makes the people projections
        synth(tmp / "people", arows, 0, 0, seed=2, rows_per_file=arows)
    env = dict(os.environ, POLARS_MAX_THREADS="1")
    p = subprocess.run([sys.executable, __file__, "--_anchor", str(data), str(arows), str(tmp / "anchor"),
                        str(tmp / "people")], capture_output=True, text=True, env=env, check=True)
    anc = json.loads(p.stdout.strip().splitlines()[-1])
    mix = {"vehicle_purchase": a.purchases, "enterprise": a.enterprises, "person": a.persons}
    # the anchor's cost of this dataset: per-row costs weighted by the dataset's mix
    anchor_s = sum(anc[e]["task_us_per_row"] * n for e, n in mix.items() if n and e in anc) / 1e6
    anchor_cpu = sum(anc[e]["task_cpu_us_per_row"] * n for e, n in mix.items() if n and e in anc) / 1e6
    engine_s = sum(anc[e]["engine_us_per_row"] * n for e, n in mix.items() if n and e in anc) / 1e6

    runs = {}
    for w in [int(x) for x in a.workers.split(",")]:
        # start the cluster and load the pack on each worker first: a fixed cost per worker, reported apart
        t = time.perf_counter()
        cl = Dask(f"local:{w}")
        cl.client.run(_warm)
        start_s = time.perf_counter() - t
        job = Job(data, ON, tmp / f"out-{w}", cluster=cl.cluster.scheduler_address, rows_per_task=a.rows_per_file)
        t = time.perf_counter()
        try:
            job.run()
        finally:
            cl.close()
        wall = time.perf_counter() - t
        st = job.stats
        st["startup_seconds"] = start_s
        runs[w] = {"wall_s": wall, "startup_s": st["startup_seconds"], "run_s": st["seconds"], "validate_s": st["validate_seconds"], "evaluate_s": st["evaluate_seconds"],
                   "worker_cpu_s": st["worker_cpu_seconds"], "rows_per_s": rows_total / st["seconds"],
                   "eval_rows_per_s": rows_total / st["evaluate_seconds"]}
    one, two = runs.get(1), runs.get(2)
    out: dict = {"rows": rows_total, "mix": mix, "synth_s": synth_s, "anchor": anc,
                 "anchor_dataset_s": anchor_s, "anchor_dataset_cpu_s": anchor_cpu, "engine_dataset_s": engine_s,
                 "runs": runs, "load_average": os.getloadavg()}
    if one:
        out["overhead_wall"] = one["run_s"] / anchor_s - 1
        out["overhead_cpu"] = one["worker_cpu_s"] / anchor_cpu - 1
    if one and two:
        out["scaling_1_to_2"] = one["run_s"] / two["run_s"]
        out["scaling_1_to_2_evaluate"] = one["evaluate_s"] / two["evaluate_s"]
    # projections from the per-worker CPU cost of a row (robust to a shared machine), in rows per worker-second
    base = two or one
    n_workers = 2 if two else 1
    per_worker_rate = rows_total / base["worker_cpu_s"]
    out["per_worker_rows_per_s"] = per_worker_rate
    person_us = anc.get("person", {}).get("task_cpu_us_per_row")
    over = 1 + max(out.get("overhead_cpu", 0.0), 0.0)
    goal_rows = 110_000_000
    out["projection"] = {
        "goal_100M_purchases_10M_enterprises_s_on_2_workers": goal_rows / per_worker_rate / 2,
        "measured_wall_rate_rows_per_s": rows_total / base["wall_s"], "workers_in_run": n_workers,
    }
    if person_us:
        for label, n in (("65M_people", 65_000_000), ("1.4B_people", 1_400_000_000)):
            cpu = n * person_us / 1e6 * over
            out["projection"][label] = {"worker_seconds": cpu, "workers_for_1h": cpu / 3600,
                                        "hours_on_2_workers": cpu / 2 / 3600}
    if a.json:
        print(json.dumps(out, indent=2))
        return
    print(f"dataset: {rows_total:,} rows {mix} (synth {synth_s:.1f} s); load average {os.getloadavg()[0]:.1f}")
    for e, r in anc.items():
        if isinstance(r, dict):
            print(f"anchor {e}: task {r['task_us_per_row']:.2f} µs/row (cpu {r['task_cpu_us_per_row']:.2f}), "
                  f"engine alone {r['engine_us_per_row']:.2f} µs/row")
    print(f"anchor (in-process, 1 thread) on this dataset: {anchor_s:.1f} s (cpu {anchor_cpu:.1f} s); engine alone {engine_s:.1f} s")
    for w, r in runs.items():
        print(f"ours, {w} worker(s): {r['run_s']:.1f} s (+ {r['startup_s']:.1f} s cluster start and pack load; validate "
              f"{r['validate_s']:.1f}, evaluate {r['evaluate_s']:.1f}), "
              f"{r['rows_per_s']:,.0f} rows/s, worker cpu {r['worker_cpu_s']:.1f} s")
    if one:
        print(f"ratio ours(1 worker)/anchor: wall {one['run_s'] / anchor_s:.2f}, cpu {one['worker_cpu_s'] / anchor_cpu:.2f}")
    if "scaling_1_to_2" in out:
        print(f"scaling 1 → 2 workers: {out['scaling_1_to_2']:.2f}× (evaluate phase {out['scaling_1_to_2_evaluate']:.2f}×)")
    print(json.dumps(out["projection"], indent=2))


if __name__ == "__main__":
    main()
