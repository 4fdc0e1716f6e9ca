"""Batch check of a file of tracks: every fix of every track, vectorised (polars + numpy + shapely 2).

Input columns: ``track_id``, ``at`` (ISO 8601; without an offset it is Beijing time), ``lat``,
``lon``, optionally ``object`` (default: the ``kind`` given) and ``device`` (serial or registration
number, for approved flights). A file is checked whole or not at all: any bad row (coordinates out
of range or swapped, a malformed time, an unknown object kind, times out of order within a track)
rejects the file with every rejected row and column listed (the first 50), and nothing is written.
Segments between fixes of the same track are checked too, at their closest approach (as in
:func:`.check.check_track`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import shapely

from gazette.errors import InvalidInput
from jiaxing.schemes.airspace.check import RANK, _approved
from jiaxing.schemes.airspace.geometry import project
from jiaxing.schemes.airspace.notices import Notice, all_notices, known_kinds

OUTCOMES = ["", "permitted", "unknown", "prohibited"]
MAX_REJECTS = 50


def read_tracks(path: Path) -> pl.DataFrame:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return pl.read_parquet(path)
    if suffix in (".arrow", ".ipc", ".feather"):
        return pl.read_ipc(path)
    if suffix == ".csv":
        return pl.read_csv(path, schema_overrides={"track_id": pl.Utf8, "at": pl.Utf8, "object": pl.Utf8,
                                                   "device": pl.Utf8}, infer_schema_length=10_000)
    raise InvalidInput("航迹文件须为 .csv、.parquet 或 .arrow", "a tracks file is .csv, .parquet or .arrow", field="file",
                       code="invalid_file")


def _times_us(col: pl.Series) -> pl.Series:
    """Microseconds since the epoch (UTC); naive values are Beijing time."""
    if col.dtype == pl.Datetime:
        s = col if col.dtype.time_zone else col.dt.replace_time_zone("Asia/Shanghai")
        return s.dt.convert_time_zone("UTC").dt.cast_time_unit("us").dt.epoch("us")
    text = col.cast(pl.Utf8).str.strip_chars()
    text = pl.select(pl.when(text.str.contains(r"(?i)(z|[+-]\d\d:?\d\d)$")).then(text)
                     .otherwise(text + "+08:00")).to_series()
    return text.str.to_datetime(time_zone="UTC", strict=False, time_unit="us").dt.epoch("us")


def _reject(rejects: list[dict], rows: np.ndarray, column: str, zh: str, en: str) -> None:
    for r in rows[: MAX_REJECTS - len(rejects)]:
        rejects.append({"row": int(r) + 2, "column": column, "message_zh": zh, "message_en": en})  # +1 header, 1-based


def validate(df: pl.DataFrame, kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    missing = [c for c in ("track_id", "at", "lat", "lon") if c not in df.columns]
    if missing:
        raise InvalidInput(f"航迹文件缺少列：{', '.join(missing)}", f"the tracks file lacks columns: {', '.join(missing)}",
                           field=missing[0], code="invalid_file")
    n = df.height
    rejects: list[dict] = []
    count = 0
    lat = df["lat"].cast(pl.Float64, strict=False).to_numpy()
    lon = df["lon"].cast(pl.Float64, strict=False).to_numpy()
    with np.errstate(invalid="ignore"):
        swapped = (np.abs(lat) > 90) & (np.abs(lat) <= 180) & (np.abs(lon) <= 90)
        bad_lat = ~np.isfinite(lat) | (np.abs(lat) > 90)
        bad_lon = ~np.isfinite(lon) | (np.abs(lon) > 180)
    for mask, column, zh, en in (
        (swapped, "lat", "纬度超出范围，纬度与经度疑似填反", "lat out of range: lat and lon look swapped"),
        (bad_lat & ~swapped, "lat", "纬度应为 −90 至 90 的数字", "lat must be a number within −90..90"),
        (bad_lon & ~swapped, "lon", "经度应为 −180 至 180 的数字", "lon must be a number within −180..180"),
    ):
        rows = np.nonzero(mask)[0]
        count += len(rows)
        _reject(rejects, rows, column, zh, en)
    t = _times_us(df["at"])
    bad_t = t.is_null().to_numpy()
    rows = np.nonzero(bad_t)[0]
    count += len(rows)
    _reject(rejects, rows, "at", "时间格式错误（ISO 8601）", "malformed time (ISO 8601)")
    t_us = t.fill_null(0).to_numpy()
    if "object" in df.columns:
        kinds = df["object"].cast(pl.Utf8).fill_null(kind).str.strip_chars()
    else:
        kinds = pl.Series("object", [kind]).extend_constant(kind, n - 1) if n else pl.Series("object", [], pl.Utf8)
    known = list(known_kinds())
    rows = np.nonzero(~kinds.is_in(known).to_numpy())[0]
    count += len(rows)
    _reject(rejects, rows, "object", f"未知的物体类型（可选：{'、'.join(known)}）", f"unknown object kind (one of {', '.join(known)})")
    track = df["track_id"].cast(pl.Utf8)
    same = (track == track.shift(1)).fill_null(False).to_numpy()
    order = np.zeros(n, dtype=bool)
    order[1:] = same[1:] & (t_us[1:] < t_us[:-1]) & ~bad_t[1:] & ~bad_t[:-1]
    rows = np.nonzero(order)[0]
    count += len(rows)
    _reject(rejects, rows, "at", "同一航迹的时间顺序错误（早于上一个点）", "track times out of order (earlier than the previous fix)")
    if count:
        raise _rejected(count, rejects)
    return lat, lon, t_us, kinds, same


def _rejected(count: int, rejects: list[dict]) -> InvalidInput:
    first = rejects[0]
    err = InvalidInput(f"航迹文件有 {count} 处错误（首个：第 {first['row']} 行 {first['column']} 列），未做任何检查",
                       f"{count} bad value(s) in the tracks file (first: row {first['row']}, column {first['column']}): "
                       "nothing checked", field=first["column"], code="invalid_tracks")
    err.details = {"rejected": rejects, "count": count}
    return err


def check_frame(df: pl.DataFrame, kind: str = "drone", *, notices: Iterable[Notice] | None = None,
                flights_by_device: Mapping[str, Sequence[dict]] | None = None) -> tuple[pl.DataFrame, dict[str, Any]]:
    """Every fix's outcome (columns outcome, clause, notice, distance_m) and per-track totals."""
    lat, lon, t_us, kinds, same = validate(df, kind)
    ns = list(all_notices().values()) if notices is None else list(notices)
    n = df.height
    rank = np.zeros(n, dtype=np.int8)
    best_notice = np.full(n, -1, dtype=np.int16)
    best_dist = np.full(n, np.inf)
    clause = np.zeros(n, dtype=np.int32)  # index into clause_names
    clause_names: list[str] = [""]
    devices = df["device"].cast(pl.Utf8).to_numpy() if "device" in df.columns and flights_by_device else None
    for j, notice in enumerate(ns):
        start = int(notice.start.timestamp() * 1_000_000)
        end = int(notice.end.timestamp() * 1_000_000)
        in_window = (t_us >= start) & (t_us < end)
        d = np.full(n, np.inf)
        inside = np.zeros(n, dtype=bool)
        seg_inside = np.zeros(n, dtype=bool)  # the segment ending at this fix passes within the zone in the window
        for z in notice.zones:
            x, y = project(lon, lat, z.crs)
            dz = z.distance_xy(x, y, lon, lat)
            inside |= dz <= z.buffer_m
            d = np.minimum(d, dz)
            if n > 1:
                seg_inside[1:] |= _segments_in(z, x, y, dz, t_us, same, start, end, in_window & inside)
        listed = kinds.is_in(list(notice.kinds)).to_numpy()
        hit = (in_window & inside) | seg_inside
        r = np.where(hit, np.where(listed, 3, 2 if notice.kinds_open else 1), 1).astype(np.int8)
        if devices is not None:
            for i in np.nonzero((r == 3) & (devices != None))[0]:  # noqa: E711 - numpy elementwise
                fl = flights_by_device.get(devices[i]) or ()
                at = dt.datetime.fromtimestamp(t_us[i] / 1e6, dt.UTC)
                if fl and _approved(fl, notice, float(lat[i]), float(lon[i]), at):
                    r[i] = 1
        better = (r > rank) | ((r == rank) & (d < best_dist))
        rank = np.where(better, r, rank)
        best_dist = np.where(better, d, best_dist)
        best_notice = np.where(better, j, best_notice)
        ban_i, obj_i = len(clause_names), len(clause_names) + 1
        clause_names += [notice.ban_clause, notice.clause("objects")]
        clause = np.where(better, np.where(listed | (r == 1), ban_i, obj_i), clause)
    out = df.with_columns(
        pl.Series("outcome", OUTCOMES).gather(rank),  # small label series gathered by code: no 1M Python strings
        pl.Series("clause", clause_names).gather(clause),
        pl.Series("notice", [x.id for x in ns] + [""]).gather(np.where(best_notice < 0, len(ns), best_notice)),
        pl.Series("distance_m", np.round(best_dist, 1)),
    )
    totals = (out.group_by("track_id", maintain_order=True)
              .agg(pl.col("outcome").replace_strict(RANK, default=0).max().alias("rank"),
                   pl.len().alias("points"), pl.col("distance_m").min().alias("min_distance_m"))
              .with_columns(pl.col("rank").replace_strict({v: k for k, v in RANK.items()}, default="permitted")
                            .alias("outcome")))
    counts = dict(out["outcome"].value_counts().iter_rows())
    summary = {"points": n, "tracks": totals.height,
               "points_by_outcome": {k: int(counts.get(k, 0)) for k in ("prohibited", "unknown", "permitted")},
               "tracks_by_outcome": {k: int((totals["outcome"] == k).sum()) for k in ("prohibited", "unknown", "permitted")},
               "notices": [x.id for x in ns],
               "prohibited_tracks": totals.filter(pl.col("outcome") == "prohibited")["track_id"].head(100).to_list()}
    return out, summary


def _segments_in(z, x: np.ndarray, y: np.ndarray, dz: np.ndarray, t_us: np.ndarray, same: np.ndarray, start: int,
                 end: int, fix_hit: np.ndarray) -> np.ndarray:
    """For segments i-1 → i of the same track: passes within the zone's buffer, at a time in the window.
    Only segments whose ends are not already in breach and whose time span meets the window are drawn."""
    cand = same[1:] & ~fix_hit[1:] & ~fix_hit[:-1] & (t_us[1:] >= start) & (t_us[:-1] < end)
    idx = np.nonzero(cand)[0]  # segment k joins fixes idx → idx+1
    res = same[1:] & fix_hit[:-1]  # a leg leaving a fix in breach starts in the zone, in the window
    if not len(idx):
        return res
    # a segment can come within the buffer only if an end is within buffer + its length (triangle inequality)
    seg_len = np.hypot(x[idx + 1] - x[idx], y[idx + 1] - y[idx])
    idx = idx[np.minimum(dz[idx], dz[idx + 1]) - seg_len <= z.buffer_m]
    if not len(idx):
        return res
    segs = shapely.linestrings(np.stack([np.column_stack([x[idx], y[idx]]), np.column_stack([x[idx + 1], y[idx + 1]])], axis=1))
    close = shapely.dwithin(segs, z.metric, z.buffer_m)
    idx, segs = idx[close], segs[close]
    if not len(idx):
        return res
    near_pts = shapely.get_point(shapely.shortest_line(segs, z.metric), 0)
    lengths = shapely.length(segs)
    frac = np.where(lengths > 0, shapely.line_locate_point(segs, near_pts) / np.where(lengths > 0, lengths, 1), 0.0)
    t = t_us[idx] + (t_us[idx + 1] - t_us[idx]) * frac
    res[idx] = (t >= start) & (t < end)
    return res


