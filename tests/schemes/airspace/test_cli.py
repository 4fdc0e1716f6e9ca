"""`gazette airspace …`: the issue's check example, a track file, a batch file, the registry flow."""

from __future__ import annotations

import json

import polars as pl
import pytest
from typer.testing import CliRunner

from gazette.cli import app
from gazette.validate import example_person_id
from tests.schemes.airspace.helpers import C2, IN_WINDOW, point_at

LAT, LON = point_at(100)


def run(*args: str):
    return CliRunner().invoke(app, ["airspace", *args])


def test_issue_example_json(clean_db):
    r = run("check", "--lat", "30.39", "--lon", "120.55", "--at", "2022-09-12T10:00+08:00", "--object", "drone", "--json")
    assert r.exit_code == 0, r.output
    body = json.loads(r.output)
    assert {"outcome", "clause", "distance_m", "window"} <= set(body)
    assert (body["outcome"], body["clause"]) == ("prohibited", C2)


def test_swapped_coordinates_fail_with_the_field(clean_db):
    r = run("check", "--lat", "120.55", "--lon", "30.39", "--at", IN_WINDOW)
    assert r.exit_code != 0
    assert r.exception.field == "lat"


def test_track_file(clean_db, tmp_path):
    a, b = point_at(2000, side=1), point_at(2000, side=-1)
    f = tmp_path / "track.json"
    f.write_text(json.dumps([{"lat": a[0], "lon": a[1], "at": "2022-09-12T02:00:00Z"},
                             {"lat": b[0], "lon": b[1], "at": "2022-09-12T02:05:00Z"}]))
    r = run("check", "--track", str(f), "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["outcome"] == "prohibited"


def test_batch_file_and_rejects(clean_db, tmp_path):
    near, far = point_at(100), point_at(900)
    rows = {"track_id": ["t1", "t1", "t2", "t3"],
            "at": ["2022-09-12T10:00+08:00", "2022-09-12T10:01+08:00", "2022-09-12T02:00:00Z", "2022-09-17T10:00"],
            "lat": [near[0], near[0], far[0], near[0]], "lon": [near[1], near[1], far[1], near[1]],
            "object": ["drone", "drone", "balloon", "drone"]}
    src = tmp_path / "tracks.csv"
    pl.DataFrame(rows).write_csv(src)
    out = tmp_path / "out.parquet"
    r = run("batch", str(src), "-o", str(out), "--json")
    assert r.exit_code == 0, r.output
    s = json.loads(r.output)
    assert s["tracks_by_outcome"] == {"prohibited": 1, "unknown": 0, "permitted": 2}
    assert pl.read_parquet(out)["outcome"].to_list() == ["prohibited", "prohibited", "permitted", "permitted"]
    bad = dict(rows, at=[rows["at"][1], rows["at"][0], *rows["at"][2:]])  # t1 out of order
    pl.DataFrame(bad).write_csv(src)
    out2 = tmp_path / "out2.parquet"
    r = run("batch", str(src), "-o", str(out2))
    assert r.exit_code != 0 and r.exception.field == "at"
    assert r.exception.details["rejected"][0]["row"] == 3  # the header is row 1
    assert not out2.exists()


def test_registry_flow(clean_db):
    owner = example_person_id(5)
    r = run("devices", "register", "--owner-id", owner, "--owner-name", "赵六", "--kind", "drone", "--model", "M30",
            "--serial", "CLI-1", "--co-registrar", "气象", "--key", "k1", "--json")
    assert r.exit_code == 0, r.output
    dev = json.loads(r.output)
    r = run("flights", "apply", "--device-id", str(dev["id"]), "--purpose", "rescue", "--pilot", "赵六",
            "--start", "2022-09-12T09:00+08:00", "--end", "2022-09-12T12:00+08:00", "--lat", str(LAT),
            "--lon", str(LON), "--json")
    assert r.exit_code == 0, r.output
    fid = json.loads(r.output)["id"]
    r = run("devices", "seal", str(dev["id"]), "--reason", "临时封存", "--place", "盐官", "--officer", "警号 1")
    assert r.exit_code == 0, r.output
    r = run("flights", "decide", str(fid), "--basis", "批复", "--department", "海宁市公安局")
    assert r.exit_code != 0 and r.exception.code == "device_sealed"
    assert run("devices", "release", str(dev["id"]), "--reason", "结束", "--officer", "警号 1").exit_code == 0
    r = run("flights", "decide", str(fid), "--basis", "批复", "--department", "海宁市公安局", "--json")
    assert json.loads(r.output)["status"] == "approved"
    r = run("check", "--lat", str(LAT), "--lon", str(LON), "--at", IN_WINDOW, "--device", "CLI-1", "--json")
    assert json.loads(r.output)["approved_flight"] == fid
    r = run("violations", "record", "--at", IN_WINDOW, "--lat", str(LAT), "--lon", str(LON), "--json")
    vid = json.loads(r.output)["id"]
    r = run("violations", "handover", str(vid), "--department", "海宁市公安局", "--json")
    assert json.loads(r.output)["status"] == "handed_over"
    assert "handed_over" in run("violations", "list").output


@pytest.mark.parametrize("cmd", [["notices"], ["devices", "list"], ["flights", "list"]])
def test_listings_run(clean_db, cmd):
    assert run(*cmd).exit_code == 0


def test_validate_a_notice_file(clean_db, tmp_path):
    from tests.schemes.airspace.helpers import SECOND_NOTICE

    good = tmp_path / "n.yaml"
    good.write_text(SECOND_NOTICE, encoding="utf-8")
    r = run("validate", str(good))
    assert r.exit_code == 0 and "嘉政发〔2099〕1号" in r.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(SECOND_NOTICE.replace("[120.750, 30.750], [120.770", "[30.750, 120.750], [120.770"), encoding="utf-8")
    r = run("validate", str(bad))
    assert r.exit_code != 0 and r.exception.field == "zones[0].geometry"
