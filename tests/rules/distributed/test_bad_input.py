"""Bad input stops the job before any result is written, naming the file, row group and column;
``--skip-bad`` moves the bad partitions to a report and goes on."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from gazette.errors import GazetteError
from gazette.rules.distributed.job import Job
from gazette.rules.distributed.synth import synth

ON = dt.date(2022, 10, 31)


@pytest.fixture()
def data(tmp_path):
    synth(tmp_path / "data", 40, 60, 20, seed=5, rows_per_file=20, row_group_rows=5)
    return tmp_path / "data"


def _rewrite(path, fn):
    fn(pl.read_parquet(path)).write_parquet(path, row_group_size=5)


def _missing_column(d):
    _rewrite(d / "vehicle_purchases/part-00001.parquet", lambda df: df.drop("price_fen"))
    return "vehicle_purchases/part-00001.parquet", "missing_column", "price_fen", None


def _wrong_type(d):
    _rewrite(d / "enterprises/part-00000.parquet", lambda df: df.with_columns(pl.col("nev_sales_company").cast(pl.Int64)))
    return "enterprises/part-00000.parquet", "wrong_type", "nev_sales_company", 0


def _wrong_value(d):
    _rewrite(d / "persons/part-00001.parquet",
             lambda df: df.with_columns(pl.when(pl.int_range(pl.len()) == 12).then(pl.lit("火星")).otherwise("district")
                                        .alias("district")))
    return "persons/part-00001.parquet", "wrong_value", "district", 2


def _duplicate_id(d):
    first = pl.read_parquet(d / "vehicle_purchases/part-00000.parquet")["_id"][3]
    _rewrite(d / "vehicle_purchases/part-00002.parquet",
             lambda df: df.with_columns(pl.when(pl.int_range(pl.len()) == 7).then(pl.lit(first)).otherwise("_id").alias("_id")))
    return "vehicle_purchases/part-00002.parquet", "duplicate_id", "_id", 1


def _dangling_link(d):
    _rewrite(d / "vehicle_purchases/part-00001.parquet",
             lambda df: df.with_columns(pl.when(pl.int_range(pl.len()) == 16).then(pl.lit("P999999999")).otherwise("buyer")
                                        .alias("buyer")))
    return "vehicle_purchases/part-00001.parquet", "dangling_link", "buyer", 3


def _unreadable(d):
    (d / "persons/part-00000.parquet").write_bytes(b"PAR1 this is not parquet")
    return "persons/part-00000.parquet", "unreadable_partition", None, None


CASES = [_missing_column, _wrong_type, _wrong_value, _duplicate_id, _dangling_link, _unreadable]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__.strip("_") for c in CASES])
def test_bad_partition_stops_before_writing(case, data, tmp_path):
    file, code, column, rg = case(data)
    out = tmp_path / "out"
    with pytest.raises(GazetteError) as exc:
        Job(data, ON, out).run()
    e = exc.value
    assert e.code == code
    assert file in e.message_en and file in (e.field or "")
    if column:
        assert f"column {column}" in e.message_en
    if rg is not None:
        assert f"row group {rg}" in e.message_en
    assert e.message_zh and not (out / "results").exists()


def test_skip_bad_reports_and_goes_on(data, tmp_path, dask_cluster):
    file, code, _, _ = _dangling_link(data)
    _unreadable(data)
    summary = Job(data, ON, tmp_path / "out", cluster=dask_cluster, skip_bad=True).run()
    bad = {(b["file"].split("/data/")[1], b["code"]) for b in summary["partitions"]["bad"]}
    # the persons of the unreadable file are gone: every purchase file whose buyers were there is refused
    # too (its links would be dropped silently otherwise)
    assert (file, code) in bad and ("persons/part-00000.parquet", "unreadable_partition") in bad
    assert {c for _, c in bad} == {"dangling_link", "unreadable_partition"}
    assert summary["partitions"]["computed"] == 6 - len(bad)  # 2 + 3 + 1 files
    assert (tmp_path / "out" / "bad_partitions.json").exists()
    assert summary["entities"]["person"] == 20 and summary["entities"]["enterprise"] == 20
