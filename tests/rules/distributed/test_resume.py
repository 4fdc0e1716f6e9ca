"""Exactly once and resumable: a worker SIGKILLed mid-run loses nothing (output equal to a clean
run's, byte for byte after sorting); a rerun after completion does nothing; a changed input partition
is the only one redone."""

from __future__ import annotations

import datetime as dt
import io
import os
import signal

import polars as pl
import pytest

from gazette.rules.distributed.job import Job, read_results
from gazette.rules.distributed.synth import synth

ON = dt.date(2022, 10, 31)


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    root = tmp_path_factory.mktemp("prov")
    synth(root / "data", 400, 600, 200, seed=3, rows_per_file=100, row_group_rows=50)
    Job(root / "data", ON, root / "clean").run()
    return root


def _bytes(df: pl.DataFrame) -> bytes:
    """The sorted results as Parquet bytes (values, not the in-memory buffer layout)."""
    buf = io.BytesIO()
    df.write_parquet(buf, compression="uncompressed", statistics=False)
    return buf.getvalue()


def test_sigkilled_worker_loses_nothing(province, dask_cluster):
    from distributed import Client

    client = Client(dask_cluster)
    killed: list[int] = []

    def progress(p: dict) -> None:
        if p["done_parts"] == 1 and not killed:
            busy = [w for w, keys in client.processing().items() if keys]
            pid = client.run(os.getpid, workers=busy[:1])[busy[0]]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    # row-group ranges (two tasks per file) and a delay, so the kill lands mid-run
    job = Job(province / "data", ON, province / "killed", cluster=dask_cluster, rows_per_task=50, task_delay=0.4,
              progress=progress)
    summary = job.run()
    assert killed, "no worker was killed"
    assert summary["partitions"]["computed"] == summary["partitions"]["total"] == 24
    clean, after = read_results(province / "clean"), read_results(province / "killed")
    assert _bytes(after) == _bytes(clean)
    client.wait_for_workers(2, timeout=60)
    client.close()


def test_rerun_does_nothing_and_a_changed_partition_alone_is_redone(province):
    out = province / "clean"
    results = sorted((out / "results").glob("*/*.parquet"))
    before = {f: f.stat().st_mtime_ns for f in results}
    again = Job(province / "data", ON, out).run()
    assert again["partitions"] == {"total": 12, "computed": 0, "skipped": 12, "bad": []}
    assert {f: f.stat().st_mtime_ns for f in results} == before

    src = province / "data" / "vehicle_purchases" / "part-00002.parquet"
    df = pl.read_parquet(src)
    df.with_columns(pl.when(pl.int_range(pl.len()) == 0).then(30_000_000).otherwise(pl.col("price_fen"))
                    .alias("price_fen"), new_energy=pl.lit(True), date=pl.lit(dt.date(2022, 10, 8))
                    ).write_parquet(src, row_group_size=50)
    redo = Job(province / "data", ON, out).run()
    assert redo["partitions"]["computed"] == 1 and redo["partitions"]["skipped"] == 11
    changed = [f for f in results if f.stat().st_mtime_ns != before[f]]
    assert [f.name for f in changed] == ["part-00002.parquet"] and changed[0].parent.name == "vehicle_purchases"
    first = df["_id"][0]
    row = read_results(out).filter((pl.col("id") == first) & (pl.col("rule") == "嘉政办发〔2022〕47号#一")).to_dicts()[0]
    assert row["status"] == "eligible" and row["amount_fen"] == 1_000_000
