"""The vectorised batch agrees with the one-track check, track by track; bad files are refused whole."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from gazette.errors import InvalidInput
from jiaxing.schemes.airspace.batch import check_frame
from jiaxing.schemes.airspace.check import check_track
from tests.schemes.airspace.helpers import C1, C2


def _tracks(seed: int, n_tracks: int = 40, per: int = 6) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    lat = rng.uniform(30.37, 30.42, n_tracks).repeat(per) + rng.normal(0, 0.003, n_tracks * per)
    lon = rng.uniform(120.45, 120.65, n_tracks).repeat(per) + rng.normal(0, 0.003, n_tracks * per)
    start = rng.integers(-3600, 3600, n_tracks).repeat(per)  # around 2022-09-10 00:00 Beijing
    t = start + np.tile(np.arange(per) * 120, n_tracks)
    base = np.datetime64("2022-09-09T16:00:00")
    at = [str(base + np.timedelta64(int(s), "s")) + "Z" for s in t]
    kinds = rng.choice(["drone", "sky_lantern", "other"], n_tracks).repeat(per)
    return pl.DataFrame({"track_id": np.arange(n_tracks).repeat(per).astype(str), "at": at, "lat": lat, "lon": lon,
                         "object": kinds})


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_batch_agrees_with_check_track(seed):
    df = _tracks(seed)
    out, summary = check_frame(df)
    per_track = {row["track_id"]: row for row in
                 out.group_by("track_id").agg(pl.col("outcome")).iter_rows(named=True)}
    seen = set()
    for tid, rows in df.group_by("track_id"):
        tid = tid[0]
        points = [{"lat": r["lat"], "lon": r["lon"], "at": r["at"]} for r in rows.iter_rows(named=True)]
        single = check_track(points, rows["object"][0])["outcome"]
        outcomes = per_track[tid]["outcome"]
        batch = max(outcomes, key=lambda o: {"prohibited": 3, "unknown": 2, "permitted": 1}[o])
        assert batch == single, (tid, outcomes, single)
        seen.add(single)
    assert "prohibited" in seen and "permitted" in seen  # the sample exercises both sides
    assert set(out["clause"].unique()) <= {C1, C2}


def test_bad_rows_reject_the_whole_file():
    df = pl.DataFrame({"track_id": ["a", "b", "c"], "at": ["2022-09-12T10:00+08:00", "nonsense", "2022-09-12T10:00"],
                       "lat": [30.39, 30.39, 120.55], "lon": [120.55, 120.55, 30.39], "object": ["drone", "ufo", "drone"]})
    with pytest.raises(InvalidInput) as err:
        check_frame(df)
    got = {(r["row"], r["column"]) for r in err.value.details["rejected"]}
    assert got == {(4, "lat"), (3, "at"), (3, "object")} and err.value.details["count"] == 3
