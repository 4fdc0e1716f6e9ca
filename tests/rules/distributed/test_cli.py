"""The CLI contract: ``gazette synth`` then ``gazette batch DIR --on DATE --out OUT [--cluster …] --json``,
the same summary with and without the cluster; ``--set`` gives the difference from the baseline; bad
input is one line and a non-zero exit."""

from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from gazette.cli import app
from gazette.errors import GazetteError

runner = CliRunner()
TIERS = 'nev.voucher.tiers=[{"threshold": 0, "amount": 3000}, {"threshold": 200000, "amount": 8000}]'
VOUCHER = "嘉政办发〔2022〕47号#一"


def _json(r) -> dict:
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout[r.stdout.index("{"):])


def test_synth_then_batch_with_and_without_cluster(tmp_path, dask_cluster):
    r = runner.invoke(app, ["synth", "--out", str(tmp_path / "p"), "--persons", "300", "--purchases", "500",
                            "--enterprises", "200", "--seed", "11", "--rows-per-file", "100"])
    assert r.exit_code == 0, r.output
    assert "vehicle_purchases: 500 rows in 5 file(s)" in r.output
    args = ["batch", str(tmp_path / "p"), "--on", "2022-10-31", "--json"]
    inline = _json(runner.invoke(app, [*args, "--out", str(tmp_path / "a")]))
    local = _json(runner.invoke(app, [*args, "--out", str(tmp_path / "b"), "--cluster", "local:2"]))
    assert inline == local
    assert inline["rows"] == 1000 and set(inline["by_rule"][VOUCHER]) == {"eligible", "ineligible", "unknown"}
    assert inline["by_rule"][VOUCHER]["eligible"]["count"] > 0
    assert (tmp_path / "a" / "summary.json").exists()

    what_if = _json(runner.invoke(app, [*args, "--out", str(tmp_path / "c"), "--cluster", dask_cluster, "--set", TIERS]))
    w = what_if["what_if"]["by_rule"][VOUCHER]
    base = inline["by_rule"][VOUCHER]["eligible"]["amount_fen"]
    assert w["baseline_fen"] == base
    assert w["what_if_fen"] == what_if["by_rule"][VOUCHER]["eligible"]["amount_fen"]
    assert w["cost_fen"] == w["what_if_fen"] - base and w["gainers"] > 0 and w["losers"] > 0
    assert sum(d["cost_fen"] for d in w["by_district"].values()) == w["cost_fen"]
    assert what_if["what_if"]["cost_fen"] == w["cost_fen"]


def _gazette(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gazette.cli", *args], capture_output=True, text=True, timeout=120)


def test_bad_input_is_one_line(tmp_path):
    runner.invoke(app, ["synth", "--out", str(tmp_path / "p"), "--persons", "10", "--purchases", "10",
                        "--enterprises", "0", "--rows-per-file", "5"])
    (tmp_path / "p" / "persons" / "part-00001.parquet").write_bytes(b"garbage")
    r = _gazette("batch", str(tmp_path / "p"), "--on", "2022-10-31", "--out", str(tmp_path / "o"))
    assert r.returncode == 1 and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "unreadable_partition" in r.stderr and "part-00001.parquet" in r.stderr
    assert not (tmp_path / "o" / "results").exists()
    r = runner.invoke(app, ["batch", str(tmp_path / "p"), "--on", "2022-10-31", "--out", str(tmp_path / "o"),
                            "--cluster", "udp://x"])
    assert isinstance(r.exception, GazetteError) and r.exception.field == "--cluster"
