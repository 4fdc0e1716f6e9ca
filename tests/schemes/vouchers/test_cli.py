"""The `gazette vouchers` commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from typer.testing import CliRunner

from gazette.cli import app


def run(*args: str):
    res = CliRunner().invoke(app, ["vouchers", *args])
    return res


def test_cli_claim_redeem_apply_and_reconcile(vdb):
    r = run("claim", "--programme", "appliances", "--district", "南湖区", "--person", "330402199001011230", "--key", "k1")
    assert r.exit_code == 0, r.output
    vid = json.loads(r.output)["voucher_id"]
    r = run("redeem", str(vid), "--price", "12000", "--date", "2022-10-08", "--category", "air_conditioner",
            "--energy-label", "2", "--key", "r1")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["face_yuan"] == "2000.00"
    r = run("applications", "submit", "--enterprise", "91330400000000001U", "--clause", "嘉政办发〔2022〕47号#二", "--facts",
            '{"nev_sales_company": true, "nev_show_filed": true, "nev_show_expense_yuan": "80000"}', "--key", "a1")
    assert r.exit_code == 0, r.output
    r = run("reconcile")
    assert r.exit_code == 0 and json.loads(r.output)["ok"] is True


def test_cli_error_is_one_line_and_nonzero(vdb):
    env = {**os.environ}
    proc = subprocess.run([sys.executable, "-m", "gazette.cli", "vouchers", "claim", "--programme", "nev",
                           "--district", "火星区", "--person", "p1", "--key", "k"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "unknown_district" in lines[0]
