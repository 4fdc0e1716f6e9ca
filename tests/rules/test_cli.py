from __future__ import annotations

import json

import polars as pl
import pytest
from typer.testing import CliRunner

from gazette.cli import app

runner = CliRunner()


@pytest.fixture()
def situation(tmp_path):
    p = tmp_path / "s.json"
    p.write_text(json.dumps({"vehicle_purchases": {"c1": {"price_yuan": "250000.00", "new_energy": True,
                                                          "date": "2022-10-08"}}}), encoding="utf-8")
    return p


def test_calc_json(situation):
    r = runner.invoke(app, ["calc", str(situation), "--on", "2022-10-08", "--json"])
    assert r.exit_code == 0, r.output
    res = json.loads(r.output)
    v = next(x for x in res["results"] if x["rule"] == "嘉政办发〔2022〕47号#一")
    assert v["amount_yuan"] == "6000.00" and v["status"] == "eligible"


def test_calc_table_and_what_if(situation):
    r = runner.invoke(app, ["calc", str(situation), "--on", "2022-10-08", "--set",
                            'nev.voucher.tiers=[{"threshold": 0, "amount": 3000}, {"threshold": 200000, "amount": 8000}]'])
    assert r.exit_code == 0, r.output
    assert "8000.00" in r.output


def test_calc_bad_input_is_one_line(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    r = runner.invoke(app, ["calc", str(bad), "--on", "2022-10-08"])
    assert r.exit_code != 0
    assert "Traceback" not in r.output
    r = runner.invoke(app, ["calc", str(tmp_path / "missing.json"), "--on", "2022-10-08"])
    assert r.exit_code != 0 and "Traceback" not in r.output


def test_gazette_test_runs_every_policy():
    r = runner.invoke(app, ["test"])
    assert r.exit_code == 0, r.output
    assert " 0 failed" in r.output
    for name in ("nev", "appliances", "software", "resident_pension", "provident_fund", "ltc", "drones"):
        assert f"{name}:" in r.output


def test_params_and_rules():
    r = runner.invoke(app, ["params", "nev.voucher.tiers"])
    assert r.exit_code == 0 and "嘉政办发〔2022〕47号#一" in r.output
    r = runner.invoke(app, ["rules", "--on", "2022-10-08"])
    assert r.exit_code == 0 and "嘉政办发〔2022〕47号#一" in r.output


@pytest.mark.parametrize("ext", ["csv", "parquet"])
def test_batch_with_totals(tmp_path, ext):
    df = pl.DataFrame({
        "id": ["a", "b", "c", "d"],
        "district": ["南湖区", "南湖区", "海宁市", "海宁市"],
        "price_yuan": ["150000", "250000.00", "300000", "99.99"],
        "new_energy": ["true", "true", "true", "false"],
        "date": ["2022-10-08"] * 4,
    })
    src = tmp_path / f"in.{ext}"
    df.write_csv(src) if ext == "csv" else df.write_parquet(src)
    out = tmp_path / f"out.{ext}"
    totals = tmp_path / "totals.json"
    r = runner.invoke(app, ["batch", str(src), "--on", "2022-10-08", "-o", str(out), "--totals", str(totals)])
    assert r.exit_code == 0, r.output
    t = json.loads(totals.read_text(encoding="utf-8"))
    assert t["entity"] == "vehicle_purchase" and t["rows"] == 4
    v = next(x for x in t["by_rule"] if x["rule"] == "嘉政办发〔2022〕47号#一")
    assert v["eligible"] == 3 and v["amount_yuan"] == "19000.00"
    assert {d["district"]: d["amount_yuan"] for d in t["by_district"]} == {"南湖区": "9000.00", "海宁市": "10000.00"}
    res = pl.read_csv(out) if ext == "csv" else pl.read_parquet(out)
    assert res.height == 4


def test_batch_what_if_cost(tmp_path):
    src = tmp_path / "in.csv"
    pl.DataFrame({"price_yuan": ["190000", "150000"], "new_energy": ["true", "true"], "date": ["2022-10-08"] * 2,
                  "district": ["南湖区", "秀洲区"]}).write_csv(src)
    totals = tmp_path / "t.json"
    r = runner.invoke(app, ["batch", str(src), "--on", "2022-10-08", "-o", str(tmp_path / "o.parquet"),
                            "--totals", str(totals), "--set",
                            'nev.voucher.tiers=[{"threshold": 0, "amount": 3000}, {"threshold": 180000, "amount": 6000}]'])
    assert r.exit_code == 0, r.output
    t = json.loads(totals.read_text(encoding="utf-8"))
    assert t["what_if_cost_yuan"] == "3000.00"


def test_batch_bad_input(tmp_path):
    r = runner.invoke(app, ["batch", str(tmp_path / "nope.csv"), "--on", "2022-10-08", "-o", str(tmp_path / "o.csv")])
    assert r.exit_code != 0 and "Traceback" not in r.output


def test_batch_rejects_a_value_outside_choices(tmp_path):
    src = tmp_path / "in.csv"
    pl.DataFrame({"price_yuan": ["190000"], "new_energy": ["true"], "date": ["2022-10-08"],
                  "district": ["杭州市"]}).write_csv(src)
    r = runner.invoke(app, ["batch", str(src), "--on", "2022-10-08", "-o", str(tmp_path / "o.csv")])
    assert r.exit_code != 0 and "Traceback" not in r.output


# --- #9: the CLI speaks plainly ------------------------------------------------------------------


def test_calc_without_on_uses_today_and_says_so(situation):
    import datetime as dt

    r = runner.invoke(app, ["calc", str(situation), "--json"])
    assert r.exit_code == 0, r.output
    today = dt.date.today().isoformat()
    assert f"computed for today, {today}" in r.stderr
    assert json.loads(r.stdout)["on"] == today


def test_calc_table_fits_80_columns_eligible_first(situation):
    from rich.cells import cell_len

    r = runner.invoke(app, ["calc", str(situation), "--on", "2022-10-08"], terminal_width=80)
    assert r.exit_code == 0, r.output
    assert max(cell_len(line) for line in r.stdout.splitlines()) <= 80
    rows = [line for line in r.stdout.splitlines() if line.startswith("│ ") and line.split("│")[1].strip()]
    statuses = [line.split("│")[1].strip() for line in rows]
    assert statuses[0] == "eligible" and "6000.00" in rows[0]
    assert statuses == sorted(statuses, key=lambda s: {"eligible": 0, "unknown": 1}.get(s, 2))
    assert all(s in ("eligible", "unknown", "ineligible", "not_in_force") or s.isidentifier() for s in statuses)


def test_rules_json():
    r = runner.invoke(app, ["rules", "--on", "2022-10-08", "--json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert any(x["id"] == "嘉政办发〔2022〕47号#一" for x in rows)
    assert set(rows[0]) == {"id", "entity", "kind", "valid_from", "valid_to", "title_zh"}


def test_scheme_commands_take_json(db_url):
    for args in (["vouchers", "pools", "--json"], ["fund", "show", "330402199001011234", "--json"],
                 ["fund", "open", "--help"]):
        r = runner.invoke(app, args)
        assert r.exit_code in (0, 1), r.output  # 2 would be a usage error: --json refused
        assert "No such option" not in r.output
    assert "--json" in runner.invoke(app, ["fund", "open", "--help"]).output


def test_params_json():
    rows = json.loads(runner.invoke(app, ["params", "--on", "2022-10-08", "--json"]).stdout)
    assert any(r["id"] == "nev.voucher.tiers" for r in rows)
    one = json.loads(runner.invoke(app, ["params", "nev.voucher.tiers", "--json"]).stdout)
    assert one["id"] == "nev.voucher.tiers"
