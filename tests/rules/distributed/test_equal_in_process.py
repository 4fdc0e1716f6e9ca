"""On a local cluster of 2 workers, the results equal the in-process engine's on the same data:
random datasets of every entity of the pack (so every rule), status and amount of every row and rule,
the deciding condition and missing facts against one applicant's explanation, and the summary with
and without the cluster."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from gazette.rules.batch import normalise
from gazette.rules.distributed.job import Job, read_results
from gazette.rules.distributed.synth import random_dataset

ON = dt.date(2022, 10, 8)


@pytest.fixture(scope="module")
def random_runs(tmp_path_factory, dask_cluster, engine):
    root = tmp_path_factory.mktemp("rand")
    data = root / "data"
    frames = random_dataset(data, engine, seed=20221008, rows=120, files=2)
    clustered = Job(data, ON, root / "out-cluster", cluster=dask_cluster).run()
    inline = Job(data, ON, root / "out-inline").run()
    return frames, clustered, inline, read_results(root / "out-cluster"), read_results(root / "out-inline")


def test_every_rule_ran(random_runs, engine):
    _, clustered, _, res, _ = random_runs
    assert set(clustered["by_rule"]) == {r.id for r in engine.rules}
    assert set(res["rule"].cast(pl.String).unique()) == {r.id for r in engine.rules}


def test_status_and_amount_equal_the_in_process_engine(random_runs, engine):
    frames, _, _, res, _ = random_runs
    for name, raw in frames.items():
        ent = engine.entities[name]
        ev = engine.evaluate_frame(name, normalise(engine, ent, raw), ON)
        for c in engine.compile(ON)[name]:
            want = ev.select(pl.col("_id").alias("id"), engine.status_expr(c.rule).cast(pl.String).alias("status"),
                             engine.amount_expr(c.rule).alias("amount_fen")).sort("id")
            got = (res.filter((pl.col("entity") == name) & (pl.col("rule") == c.rule.id))
                   .select("id", pl.col("status").cast(pl.String), "amount_fen").sort("id"))
            assert got.equals(want), c.rule.id


def _situation(engine, name: str, row: dict) -> dict:
    ent = engine.entities[name]
    facts: dict = {}
    for col, v in row.items():
        if col == "_id" or v is None:
            continue
        base, _, year = col.partition("@")
        if base.endswith("_fen"):
            base, v = base[:-4] + "_yuan", str(Decimal(v) / 100)
        var = ent.variable(base)
        if var is None or var.type == "ref":
            continue
        v = v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v
        if year:
            facts.setdefault(base, {})[year] = v
        else:
            facts[base] = v
    return {ent.plural: {row["_id"]: facts}}


def test_deciding_condition_and_missing_facts_equal_the_explanation(random_runs, engine):
    frames, _, _, res, _ = random_runs
    for name, raw in frames.items():
        for row in raw.head(12).to_dicts():
            calc = engine.calculate(_situation(engine, name, row), ON)
            for r in calc["results"]:
                got = res.filter((pl.col("id") == row["_id"]) & (pl.col("rule") == r["rule"])).to_dicts()[0]
                assert got["status"] == r["status"], (name, r["rule"])
                items = [e for e in r["explanation"] if e["kind"] in ("validity", "condition")]
                if r["status"] == "ineligible":
                    first = next(e for e in items if e["status"] == "fail")
                    want = first.get("id", "validity") if first["kind"] == "condition" else "validity"
                elif r["status"] == "unknown":
                    want = next((e["id"] for e in items if e["status"] == "unknown"), "amount")
                else:
                    want = None
                assert got["deciding"] == want, (name, r["rule"], row["_id"])
                assert got["missing_facts"] == r["missing_facts"], (name, r["rule"], row["_id"])


def test_same_output_and_summary_with_and_without_the_cluster(random_runs):
    _, clustered, inline, res_c, res_i = random_runs
    assert clustered == inline
    assert res_c.equals(res_i)


def _hashes() -> list[int]:
    from gazette.rules.distributed.dataset import hash_buckets

    return [int(x) for b in hash_buckets(pl.Series(["P000000001", "企业-7", "x"]), 2) for x in b]


def test_id_hashes_agree_across_worker_processes(dask_cluster):
    """The id and link checks compare hashes made in different processes."""
    from distributed import Client

    with Client(dask_cluster) as client:
        theirs = client.run(_hashes)
    assert len(theirs) == 2 and all(h == _hashes() for h in theirs.values())


def test_summary_counts_the_result_rows(random_runs):
    """The summary (grouped per partition from the wide result) adds up the long result rows."""
    _, clustered, _, res, _ = random_runs
    g = (res.group_by(pl.col("rule").cast(pl.String), pl.col("status").cast(pl.String),
                      pl.col("district").cast(pl.String))
         .agg(pl.len().alias("count"), pl.col("amount_fen").sum().alias("amount_fen")))
    by_rule = {r: {s: {"count": 0, "amount_fen": 0} for s in ("eligible", "ineligible", "unknown")}
               for r in clustered["by_rule"]}
    by_district: dict = {}
    for row in g.to_dicts():
        cell = by_rule[row["rule"]][row["status"]]
        cell["count"] += row["count"]
        cell["amount_fen"] += row["amount_fen"]
        d = row["district"] if row["district"] is not None else "(none)"
        by_district.setdefault(d, {}).setdefault(row["rule"], {})[row["status"]] = {
            "count": row["count"], "amount_fen": row["amount_fen"]}
    assert clustered["by_rule"] == by_rule
    assert clustered["by_district"] == by_district
    assert clustered["rows"] == sum(clustered["entities"].values()) and res.height > clustered["rows"]
