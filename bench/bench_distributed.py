"""Distributed batch benchmark: the whole Jiaxing pack over a synthetic province (vehicle purchases and
enterprises, 10:1 as in the goal) on a local Dask cluster of 1 and 2 workers, beside the anchor measured
in the same run: the in-process engine (``gazette batch DIR`` without ``--cluster``: the same partition
tasks, one after another, in one process with one polars thread) on a slice of the same files — the
first tenth of each entity's files, so the same partitions, the same mix and the same result writing.
Nothing differs between the two but Dask: the ratio is the distributed overhead per row.

Prints ours, the anchor, their ratio, the 1 → 2 worker scaling, the engine's evaluation alone for
reference, and the projections (65 million people; 1.4 billion: workers for a one-hour run) from the
measured per-worker rate. Figures only, no assertions. Wall times on a shared machine measure the
neighbours too: CPU seconds and the load average are printed beside them.

Usage: python bench/bench_distributed.py [--purchases N] [--enterprises N] [--rows-per-file N]
       [--slice 0.1] [--workers 1,2] [--data DIR] [--keep] [--json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ON = dt.date(2022, 10, 31)
PLURALS = {"vehicle_purchases": "vehicle_purchase", "enterprises": "enterprise", "persons": "person"}
ONE_THREAD = dict(os.environ, POLARS_MAX_THREADS="1")


def _slices(data: Path, share: float, dest: Path) -> dict[str, Path]:
    """Per entity, the first ``share`` of its files linked into a dataset of its own (the anchor runs
    each entity apart, so its per-row costs weigh by the full dataset's mix whatever the file counts)."""
    out = {}
    for plural in PLURALS:
        files = sorted((data / plural).glob("*.parquet"))
        if not files:
            continue
        (dest / plural / plural).mkdir(parents=True)
        for f in files[:max(1, math.ceil(len(files) * share))]:
            (dest / plural / plural / f.name).symlink_to(f)
        out[plural] = dest / plural
    return out


def anchor(data: Path, out: Path, rows_per_task: int) -> dict:
    """In this process (started with POLARS_MAX_THREADS=1): the Job without a cluster, and the engine alone."""
    import polars as pl

    from gazette.rules.batch import normalise
    from gazette.rules.distributed import task as tk
    from gazette.rules.distributed.job import Job, pack_fingerprint
    from gazette.rules.engine import get_engine

    engine = get_engine()
    engine.compile(ON)
    pack_fingerprint()
    t, c = time.perf_counter(), time.process_time()
    job = Job(data, ON, out, rows_per_task=rows_per_task)
    summary = job.run()
    res = {"threads": pl.thread_pool_size(), "rows": summary["rows"], "entities": summary["entities"],
           "wall_s": time.perf_counter() - t, "cpu_s": time.process_time() - c,
           "validate_s": job.stats["validate_seconds"], "evaluate_s": job.stats["evaluate_seconds"], "engine": {}}
    for plural, entity in PLURALS.items():  # the engine's evaluation alone, on the first partition
        files = sorted((data / plural).glob("*.parquet"))
        if files:
            raw = tk.read_partition(str(files[0]), 0, rows_per_task, False)
            df = normalise(engine, engine.entities[entity], raw)
            c = time.process_time()
            engine.evaluate_frame(entity, df, ON)
            res["engine"][entity] = (time.process_time() - c) / raw.height * 1e6
    return res


def _in_subprocess(data: Path, out: Path, rows_per_task: int) -> dict:
    p = subprocess.run([sys.executable, __file__, "--_anchor", str(data), str(out), str(rows_per_task)],
                       capture_output=True, text=True, env=ONE_THREAD, check=True)
    return json.loads(p.stdout.strip().splitlines()[-1])


def _warm() -> dict:
    import polars as pl

    from gazette.rules.distributed.job import pack_fingerprint
    from gazette.rules.engine import get_engine

    get_engine().compile(ON)
    pack_fingerprint()
    return {"polars_threads": pl.thread_pool_size()}


def distributed(data: Path, out: Path, workers: int, rows_per_task: int) -> dict:
    from gazette.rules.distributed.cluster import Dask
    from gazette.rules.distributed.job import Job

    t = time.perf_counter()
    cl = Dask(f"local:{workers}")  # the scheduler runs in this process: its CPU counts in client_cpu_s
    threads = cl.client.run(_warm)
    start_s = time.perf_counter() - t
    job = Job(data, ON, out, cluster=cl.cluster.scheduler_address, rows_per_task=rows_per_task)
    load0 = os.getloadavg()[0]
    t, c = time.perf_counter(), time.process_time()
    try:
        summary = job.run()
    finally:
        cl.close()
    st = job.stats
    return {"workers": workers, "rows": summary["rows"], "wall_s": time.perf_counter() - t, "run_s": st["seconds"],
            "startup_s": start_s, "validate_s": st["validate_seconds"], "evaluate_s": st["evaluate_seconds"],
            "worker_cpu_s": st["worker_cpu_seconds"], "client_cpu_s": time.process_time() - c,
            "polars_threads": sorted({v["polars_threads"] for v in threads.values()}),
            "load_average": [load0, os.getloadavg()[0]], "summary": summary}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--purchases", type=int, default=4_000_000)
    ap.add_argument("--enterprises", type=int, default=400_000)
    ap.add_argument("--rows-per-file", type=int, default=500_000, help="also the rows per task")
    ap.add_argument("--slice", type=float, default=0.1, help="the anchor's share of each entity's files")
    ap.add_argument("--people", type=int, default=1_000_000, help="persons run in-process for the projections")
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--data", type=Path, help="reuse or keep the synthetic dataset here")
    ap.add_argument("--keep", action="store_true", help="keep the results (default: removed at the end)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--_anchor", nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a._anchor:
        print(json.dumps(anchor(Path(a._anchor[0]), Path(a._anchor[1]), int(a._anchor[2]))))
        return

    from gazette.rules.distributed.synth import synth

    tmp = Path(tempfile.mkdtemp(prefix="bench-dist-", dir=os.environ.get("BENCH_TMP")))
    data = a.data or tmp / "data"
    t = time.perf_counter()
    if not (data / "_synth.json").exists():
        synth(data, 0, a.purchases, a.enterprises, seed=1, rows_per_file=a.rows_per_file)
    synth_s = time.perf_counter() - t
    try:
        slices = _slices(data, a.slice, tmp / "slice")
        synth(tmp / "people", a.people, 0, 0, seed=2, rows_per_file=a.rows_per_file)
        anc = {}
        for plural, d in slices.items():
            load0 = os.getloadavg()[0]
            anc[PLURALS[plural]] = _in_subprocess(d, tmp / "out-anchor" / plural, a.rows_per_file)
            anc[PLURALS[plural]]["load_average"] = [load0, os.getloadavg()[0]]
        people = _in_subprocess(tmp / "people", tmp / "out-people", a.rows_per_file)
        runs = [distributed(data, tmp / f"out-{w}", int(w), a.rows_per_file) for w in a.workers.split(",")]
    finally:
        for d in ["slice", "out-anchor", "out-people", "people"] + ([] if a.keep else [f"out-{w}" for w in a.workers.split(",")]):
            shutil.rmtree(tmp / d, ignore_errors=True)
        if not a.data:
            shutil.rmtree(data, ignore_errors=True)
    out = report(anc, people, runs, synth_s)
    print(json.dumps(out, indent=2, ensure_ascii=False) if a.json else text(out))


def report(anc: dict[str, dict], people: dict, runs: list[dict], synth_s: float) -> dict:
    rows, mix = runs[0]["rows"], runs[0]["summary"]["entities"]
    # the anchor's cost of the whole dataset: its per-row cost per entity, weighted by the dataset's mix
    a_wall = sum(anc[e]["wall_s"] / anc[e]["rows"] * n for e, n in mix.items()) / rows * 1e6  # µs per row
    a_cpu = sum(anc[e]["cpu_s"] / anc[e]["rows"] * n for e, n in mix.items()) / rows * 1e6
    out: dict = {"rows": rows, "entities": mix, "synth_s": synth_s, "anchor": anc,
                 "anchor_us_per_row": a_wall, "anchor_cpu_us_per_row": a_cpu,
                 "anchor_dataset_s": a_wall * rows / 1e6, "runs": {}}
    for r in runs:
        cpu = r["worker_cpu_s"] + r["client_cpu_s"]
        out["runs"][r["workers"]] = {k: v for k, v in r.items() if k != "summary"} | {
            "rows_per_s": rows / r["run_s"], "us_per_row": r["run_s"] / rows * 1e6, "cpu_us_per_row": cpu / rows * 1e6}
    one, two = out["runs"].get(1), out["runs"].get(2)
    if one:  # the distributed overhead per row: one worker against the anchor (one process, one thread)
        out["overhead_wall"] = one["us_per_row"] / a_wall - 1
        out["overhead_cpu"] = one["cpu_us_per_row"] / a_cpu - 1
    if one and two:
        out["scaling_1_to_2"] = one["run_s"] / two["run_s"]
        out["scaling_1_to_2_evaluate"] = one["evaluate_s"] / two["evaluate_s"]
        out["same_summary"] = runs[0]["summary"]["by_rule"] == runs[1]["summary"]["by_rule"]
    # projections: per-row worker cost (CPU, steadier than wall on a shared machine) times the measured overhead
    over = 1 + max(out.get("overhead_cpu", 0.0), 0.0)
    person_us = people["cpu_s"] / people["rows"] * 1e6
    mix_us = (two or one)["cpu_us_per_row"]
    proj = {"person_cpu_us_per_row_in_process": person_us, "overhead_factor": over,
            "mix_cpu_us_per_row_distributed": mix_us, "per_worker_rows_per_s_mix": 1e6 / mix_us}
    for label, persons, others in (("65M_people", 65e6, 0), ("65M_people_plus_110M_purchases_enterprises", 65e6, 110e6),
                                   ("1.4B_people", 1.4e9, 0), ("1.4B_people_plus_2.37B_purchases_enterprises", 1.4e9, 2.37e9)):
        cpu = (persons * person_us * over + others * mix_us) / 1e6
        proj[label] = {"worker_seconds": cpu, "workers_for_1h": math.ceil(cpu / 3600), "minutes_on_2_workers": cpu / 120}
    out["projection"] = proj
    return out


def text(o: dict) -> str:
    lines = [f"dataset: {o['rows']:,} rows {o['entities']} (synth {o['synth_s']:.0f} s)"]
    for e, a in o["anchor"].items():
        lines.append(f"anchor {e} (in-process, {a['threads']} thread) on a slice of {a['rows']:,} rows: {a['wall_s']:.1f} s "
                     f"(validate {a['validate_s']:.1f}, evaluate {a['evaluate_s']:.1f}), cpu {a['cpu_s']:.1f} s — "
                     f"{a['wall_s'] / a['rows'] * 1e6:.2f} µs/row wall, {a['cpu_s'] / a['rows'] * 1e6:.2f} cpu; "
                     f"engine alone {a['engine'][e]:.2f} µs/row cpu; load {a['load_average']}")
    lines.append(f"anchor weighted by the dataset's mix: {o['anchor_us_per_row']:.2f} µs/row wall "
                 f"({o['anchor_dataset_s']:.0f} s for the dataset), {o['anchor_cpu_us_per_row']:.2f} cpu")
    for w, r in o["runs"].items():
        lines.append(f"ours, {w} worker(s): {r['run_s']:.1f} s (+ {r['startup_s']:.1f} s cluster start; validate "
                     f"{r['validate_s']:.1f}, evaluate {r['evaluate_s']:.1f}), {r['rows_per_s']:,.0f} rows/s, "
                     f"{r['us_per_row']:.2f} µs/row; cpu workers {r['worker_cpu_s']:.1f} s + client {r['client_cpu_s']:.1f} s "
                     f"= {r['cpu_us_per_row']:.2f} µs/row; polars threads {r['polars_threads']}; load {r['load_average']}")
    if "overhead_wall" in o:
        lines.append(f"overhead per row, 1 worker vs anchor: wall {o['overhead_wall']:+.0%}, cpu {o['overhead_cpu']:+.0%}")
    if "scaling_1_to_2" in o:
        lines.append(f"scaling 1 → 2 workers: {o['scaling_1_to_2']:.2f}× (evaluate phase {o['scaling_1_to_2_evaluate']:.2f}×);"
                     f" same summary: {o['same_summary']}")
    lines.append(json.dumps(o["projection"], indent=2))
    return "\n".join(lines)


if __name__ == "__main__":
    main()
