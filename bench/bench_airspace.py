"""Airspace check benchmark (嘉政发〔2022〕17号), beside the current polars formula in the same run.

1. Batch: N fixes (default 1,000,000) on random-walk tracks around the seawall, checked by
   ``jiaxing.schemes.airspace.batch.check_frame`` (validation, window, zone distance in a metric
   projection with shapely 2, the segments between fixes, per-track totals) — beside the anchor:
   the drone rule's polars formula (src/jiaxing/policies/drones: equirectangular point-to-polyline
   distance, window and object test) over the same fixes. Goal: 1M fixes < 10 s.
2. HTTP: a real uvicorn on 127.0.0.1 (one worker, a private SQLite database), a bounded loop of
   sequential requests (default 1,000) to ``POST /api/v1/airspace/check`` — beside the anchor, the
   same flight through ``POST /api/v1/calculate`` (the drone rule) on the same server. Goal: p99 < 20 ms.

Benchmarks are not tests: this prints figures and asserts nothing.

    .venv/bin/python bench/bench_airspace.py [--points 1000000] [--requests 1000] [--json]
    .venv/bin/python bench/bench_airspace.py --points 20000 --requests 100     # a short smoke run
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

CHECK_BODY = {"lat": 30.39, "lon": 120.55, "at": "2022-09-12T10:00+08:00", "object": "drone"}
CALC_BODY = {"situation": {"flights": {"f1": {"object_type": "drone", "start_time": "2022-09-12T10:00:00",
                                              "lat": 30.39, "lon": 120.55, "approved": False}}}, "on": "2022-09-12"}


def tracks(n: int, per_track: int = 100, seed: int = 17) -> pl.DataFrame:
    """Random-walk tracks: starts spread over 20 km × 12 km around the seawall, ~10 m steps every 2 s."""
    rng = np.random.default_rng(seed)
    n_tracks = max(1, n // per_track)
    n = n_tracks * per_track
    lat0 = rng.uniform(30.33, 30.44, n_tracks).repeat(per_track)
    lon0 = rng.uniform(120.42, 120.68, n_tracks).repeat(per_track)
    steps_lat = rng.normal(0, 0.0001, n).reshape(n_tracks, per_track).cumsum(axis=1).ravel()
    steps_lon = rng.normal(0, 0.0001, n).reshape(n_tracks, per_track).cumsum(axis=1).ravel()
    start = rng.integers(0, 10 * 86400, n_tracks).repeat(per_track)  # 2022-09-08 … 09-17
    t = (np.datetime64("2022-09-07T16:00:00", "us") + (start + np.tile(np.arange(per_track) * 2, n_tracks))
         * np.timedelta64(1, "s"))
    return pl.DataFrame({"track_id": np.arange(n_tracks).repeat(per_track).astype(str),
                         "at": pl.Series(t).dt.replace_time_zone("UTC"),
                         "lat": lat0 + steps_lat, "lon": lon0 + steps_lon})


def batch(n: int) -> dict:
    from jiaxing.schemes.airspace.batch import check_frame

    df = tracks(n)
    check_frame(df.head(1000))  # warm (projections, caches)
    t = time.perf_counter()
    out, summary = check_frame(df)
    ours = time.perf_counter() - t
    res = {"points": df.height, "ours_s": round(ours, 3), "prohibited": summary["points_by_outcome"]["prohibited"]}
    try:
        from jiaxing.policies.drones.rules import OBJECTS, _distance_m
    except ImportError as exc:  # the drone rule is being reworked: report, do not fail
        res["anchor_error"] = f"polars formula unavailable: {exc}"
        return res
    import yaml

    params = yaml.safe_load((ROOT / "src/jiaxing/policies/drones/parameters.yaml").read_text(encoding="utf-8"))
    line = next(iter(params["ban"]["seawall_line"]["values"].values()))["value"]
    start = dt.datetime(2022, 9, 9, 16, tzinfo=dt.UTC)
    end = dt.datetime(2022, 9, 15, 16, tzinfo=dt.UTC)
    frame = df.with_columns(pl.lit("drone").alias("object"))
    t = time.perf_counter()
    anchor = frame.select(
        ((pl.col("at") >= start) & (pl.col("at") < end) & pl.col("object").is_in(OBJECTS)
         & (_distance_m(pl.col("lon"), pl.col("lat"), line) <= 500)).alias("prohibited"))
    anchor_s = time.perf_counter() - t
    res.update({"anchor": "drone rule polars formula (points only, equirectangular)", "anchor_s": round(anchor_s, 3),
                "ratio": round(ours / anchor_s, 1) if anchor_s else None,
                "anchor_prohibited": int(anchor["prohibited"].sum()),
                "agreement": float(((out["outcome"] == "prohibited") == anchor["prohibited"]).mean())})
    return res


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _latencies(port: int, path: str, body: dict, n: int) -> tuple[list[float], int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    payload = json.dumps(body)
    headers = {"Content-Type": "application/json"}
    for _ in range(min(50, n)):  # warm-up, not timed
        conn.request("POST", path, payload, headers)
        conn.getresponse().read()
    lat, errors = [], 0
    for _ in range(n):  # a bounded loop of sequential requests on one keep-alive connection
        t = time.perf_counter()
        conn.request("POST", path, payload, headers)
        r = conn.getresponse()
        r.read()
        lat.append(time.perf_counter() - t)
        errors += r.status != 200
    conn.close()
    return sorted(lat), errors


def _summary(lat: list[float], errors: int) -> dict:
    return {"requests": len(lat), "errors": errors, "p50_ms": round(statistics.median(lat) * 1000, 2),
            "p99_ms": round(lat[max(0, int(len(lat) * 0.99) - 1)] * 1000, 2), "max_ms": round(lat[-1] * 1000, 2)}


def http_bench(n: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, GAZETTE_DATABASE_URL=f"sqlite:///{tmp}/bench.db", GAZETTE_SEARCH_INDEX_DIR=tmp)
        gazette = str(Path(sys.executable).parent / "gazette")
        subprocess.run([gazette, "migrate"], env=env, capture_output=True, check=False)
        port = _free_port()
        proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "gazette.api.app:app", "--host", "127.0.0.1",
                                 "--port", str(port), "--log-level", "warning"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.time() + 90
            while True:
                try:
                    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                    c.request("GET", "/api/v1/health")
                    c.getresponse().read()
                    break
                except OSError:
                    if time.time() > deadline or proc.poll() is not None:
                        err = proc.stderr.read().decode()[-500:] if proc.stderr and proc.poll() is not None else ""
                        return {"error": "server did not start: " + err}
                    time.sleep(0.2)
            ours = _summary(*_latencies(port, "/api/v1/airspace/check", CHECK_BODY, n))
            anchor = _summary(*_latencies(port, "/api/v1/calculate", CALC_BODY, n))
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    return {"ours": ours, "anchor": anchor, "anchor_name": "POST /api/v1/calculate (drone rule, polars)",
            "ratio_p99": round(ours["p99_ms"] / anchor["p99_ms"], 2) if anchor["p99_ms"] else None}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--points", type=int, default=1_000_000, help="fixes in the batch (default 1,000,000)")
    ap.add_argument("--requests", type=int, default=1000, help="sequential HTTP requests (default 1,000)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args()
    out = {"batch": batch(args.points), "http": http_bench(args.requests),
           "goals": {"batch_1M_s": 10, "http_p99_ms": 20}}
    if args.json:
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return
    b, h = out["batch"], out["http"]
    print(f"== batch: {b['points']:,} fixes ==")
    print(f"ours   check_frame          {b['ours_s']:.3f} s  ({b['prohibited']:,} prohibited)")
    if "anchor_s" in b:
        print(f"anchor polars formula      {b['anchor_s']:.3f} s  ({b['anchor_prohibited']:,} prohibited; "
              f"agreement {b['agreement']:.4f})")
        print(f"ratio  {b['ratio']}×   goal: 1M fixes < 10 s")
    else:
        print(b.get("anchor_error"))
    if "error" in h:
        print(f"== http: {h['error']} ==")
        return
    print(f"== http: {h['ours']['requests']} sequential requests, uvicorn 1 worker ==")
    for name, r in (("ours   POST /api/v1/airspace/check", h["ours"]), ("anchor POST /api/v1/calculate", h["anchor"])):
        print(f"{name:<36} p50 {r['p50_ms']:.2f} ms  p99 {r['p99_ms']:.2f} ms  max {r['max_ms']:.2f} ms  "
              f"errors {r['errors']}")
    print(f"ratio (p99) {h['ratio_p99']}×   goal: p99 < 20 ms")


if __name__ == "__main__":
    main()
