"""The flight check: is this object, here, at this time, prohibited, permitted or unknown?

One point, a track (points with times, and the straight segments between them), or a batch of
tracks (vectorised: numpy + shapely 2, one pass per notice). Pure: no database. Approved exempt
flights are passed in (see :mod:`.queries`); a flight is *permitted — approved flight N* only when
an approval of that notice covers the device, the time and the place.

Outcomes, for one notice (二 of 17号 and its like):
* outside the window or the zone → ``permitted`` (the notice does not restrict it);
* inside both, an object the notice lists → ``prohibited`` unless an approved flight covers it;
* inside both, an object the notice does not list while its list ends in 等 → ``unknown`` (一):
  it may be covered — ask the 公安 before flying; never ``permitted``.
Several notices: the strictest answer wins (prohibited > unknown > permitted).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import shapely

from gazette.errors import InvalidInput
from jiaxing.schemes.airspace.geometry import project, to_wgs84, within_circle
from jiaxing.schemes.airspace.notices import OTHER, SHANGHAI, Notice, all_notices, check_kind
from jiaxing.schemes.airspace.statuses import FlightStatus

RANK = {"prohibited": 3, "unknown": 2, "permitted": 1}
UTC = dt.UTC

# Jiaxing lies near 30.7°N 120.8°E: a longitude can never be a valid latitude here, so a "latitude"
# beyond ±90 whose partner is a valid latitude is a swapped pair (docs/airspace.md).


def parse_time(value: Any, field: str = "at") -> dt.datetime:
    """ISO 8601 with an offset (Z, +00:00, +08:00); without one it is Beijing time (the notices' clock)."""
    if isinstance(value, dt.datetime):
        t = value
    else:
        raw = str(value or "").strip()
        try:
            t = dt.datetime.fromisoformat(raw.replace("z", "Z"))
        except ValueError:
            raise InvalidInput(f"时间格式错误：{raw}（如 2022-09-12T10:00+08:00）",
                               f"malformed time: {raw} (e.g. 2022-09-12T10:00+08:00)", field=field,
                               code="invalid_time") from None
    if not 1900 <= t.year <= 2200:
        raise InvalidInput(f"时间超出范围：{t.year} 年", f"time out of range: year {t.year}", field=field,
                           code="invalid_time")
    return t.replace(tzinfo=SHANGHAI) if t.tzinfo is None else t


def check_coords(lat: Any, lon: Any, prefix: str = "") -> tuple[float, float]:
    try:
        la, lo = float(lat), float(lon)
    except (TypeError, ValueError):
        raise InvalidInput("纬度、经度应为数字（度）", "lat and lon are numbers (degrees)", field=f"{prefix}lat",
                           code="invalid_coordinates") from None
    if not (np.isfinite(la) and np.isfinite(lo)):
        raise InvalidInput("纬度、经度应为有限数字", "lat and lon must be finite", field=f"{prefix}lat",
                           code="invalid_coordinates")
    if abs(la) > 90 and abs(lo) <= 90 and abs(la) <= 180:
        raise InvalidInput(f"纬度 {la} 超出范围，纬度与经度疑似填反（嘉兴约为纬度 30.7、经度 120.8）",
                           f"lat {la} is out of range: lat and lon look swapped (Jiaxing is near lat 30.7, lon 120.8)",
                           field=f"{prefix}lat", code="coordinates_swapped")
    if abs(la) > 90:
        raise InvalidInput(f"纬度应在 −90 至 90 之间：{la}", f"lat must be within −90..90: {la}", field=f"{prefix}lat",
                           code="invalid_coordinates")
    if abs(lo) > 180:
        raise InvalidInput(f"经度应在 −180 至 180 之间：{lo}", f"lon must be within −180..180: {lo}",
                           field=f"{prefix}lon", code="invalid_coordinates")
    return la, lo


def _notices(notices: Iterable[Notice] | None) -> list[Notice]:
    return list(all_notices().values()) if notices is None else list(notices)


def _approved(flights: Sequence[dict], notice: Notice, lat: float, lon: float, at: dt.datetime) -> dict | None:
    for f in flights:
        if f.get("status") != FlightStatus.APPROVED or f.get("notice_id") != notice.id:
            continue
        if not (f["start"] <= at <= f["end"]):
            continue
        inside, _ = within_circle(lon, lat, f["lon"], f["lat"], f["radius_m"])
        if inside:
            return f
    return None


def _zone_distances(notice: Notice, lon, lat) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per point: distance to the nearest-ruling zone, whether inside any zone, and which zone."""
    d = np.vstack([z.distances(lon, lat) for z in notice.zones])
    buf = np.array([z.buffer_m for z in notice.zones])[:, None]
    margin = d - buf
    which = np.argmin(margin, axis=0)
    cols = np.arange(d.shape[1])
    return d[which, cols], margin[which, cols] <= 0, which


def _verdict(notice: Notice, kind: str, at: dt.datetime, in_zone: bool, lat: float, lon: float,
             flights: Sequence[dict]) -> dict[str, Any]:
    in_window = notice.in_window(at)
    if not in_window:
        return {"outcome": "permitted", "clause": notice.ban_clause, "reason": "outside_window",
                "reason_zh": "不在管控时段内", "reason_en": "outside the control window"}
    if not in_zone:
        return {"outcome": "permitted", "clause": notice.ban_clause, "reason": "outside_zone",
                "reason_zh": "不在管控区域内", "reason_en": "outside the control zone"}
    if kind not in notice.kinds:
        if notice.kinds_open:
            return {"outcome": "unknown", "clause": notice.clause("objects"), "reason": "object_not_listed",
                    "reason_zh": "通告所列物体以“等”结尾，未列明的物体是否属管控对象需向公安机关确认，不视为允许",
                    "reason_en": "the notice's list ends in 等: an object not listed may be covered — ask the police; "
                                 "it is not permitted"}
        return {"outcome": "permitted", "clause": notice.clause("objects"), "reason": "object_not_covered",
                "reason_zh": "该物体不属本通告管控对象", "reason_en": "the notice does not cover this object"}
    f = _approved(flights, notice, lat, lon, at)
    if f is not None:
        return {"outcome": "permitted", "clause": notice.ban_clause, "reason": "approved_flight",
                "approved_flight": f["id"],
                "reason_zh": f"经依法批准的飞行（第 {f['id']} 号）", "reason_en": f"permitted — approved flight {f['id']}"}
    return {"outcome": "prohibited", "clause": notice.ban_clause, "reason": "in_zone_and_window",
            "reason_zh": "管控时段内位于管控区域，未经依法批准禁止飞行、施放",
            "reason_en": "inside the zone during the window without approval: prohibited"}


def _pick(evals: list[dict]) -> dict:
    return max(evals, key=lambda e: (RANK[e["outcome"]], e["_in_window"], -e["_margin"]))


def _public(e: dict, notice_by_id: dict[str, Notice]) -> dict:
    out = {k: v for k, v in e.items() if not k.startswith("_")}
    out["window"] = notice_by_id[e["notice"]].window_json()
    return out


def check_point(lat: Any, lon: Any, at: Any, kind: str, *, flights: Sequence[dict] = (),
                notices: Iterable[Notice] | None = None) -> dict[str, Any]:
    """One point: ``{"outcome", "clause", "distance_m", "window", …}``, the strictest notice's answer."""
    la, lo = check_coords(lat, lon)
    t = parse_time(at)
    kind = check_kind(kind)
    ns = _notices(notices)
    if not ns:
        return {"outcome": "permitted", "clause": None, "distance_m": None, "window": None, "notices": [],
                "reason": "no_notice", "reason_zh": "没有管控通告", "reason_en": "no control notice"}
    evals = []
    for n in ns:
        d, inside, which = _zone_distances(n, [lo], [la])
        v = _verdict(n, kind, t, bool(inside[0]), la, lo, flights)
        z = n.zones[int(which[0])]
        evals.append({**v, "notice": n.id, "zone": z.name, "distance_m": round(float(d[0]), 1),
                      "buffer_m": z.buffer_m, "approximate": z.approximate, "_in_window": n.in_window(t),
                      "_margin": float(d[0]) - z.buffer_m})
    by_id = {n.id: n for n in ns}
    best = _public(_pick(evals), by_id)
    best.update({"lat": la, "lon": lo, "at": t.astimezone(SHANGHAI).isoformat(), "object": kind,
                 "notices": [_public(e, by_id) for e in evals]})
    return best


def check_track(points: Sequence[dict], kind: str, *, flights: Sequence[dict] = (),
                notices: Iterable[Notice] | None = None) -> dict[str, Any]:
    """A track: every fix, and every straight segment between fixes at its closest approach to a zone
    (its time interpolated along the segment). The strictest answer of any fix or segment wins."""
    if not isinstance(points, (list, tuple)) or not points:
        raise InvalidInput("航迹至少须有一个点", "a track has at least one point", field="track", code="invalid_track")
    if len(points) > 100_000:
        raise InvalidInput("单条航迹最多 100000 个点（更多请用批量检查）", "a track has at most 100,000 points (use batch)",
                           field="track", code="invalid_track")
    kind = check_kind(kind)
    lats, lons, times = [], [], []
    for i, p in enumerate(points):
        if not isinstance(p, dict):
            raise InvalidInput("航迹点应为 {lat, lon, at}", "a track point is {lat, lon, at}", field=f"track[{i}]",
                               code="invalid_track")
        la, lo = check_coords(p.get("lat"), p.get("lon"), f"track[{i}].")
        t = parse_time(p.get("at"), f"track[{i}].at")
        if times and t < times[-1]:
            raise InvalidInput(f"航迹时间顺序错误：第 {i + 1} 个点早于前一个点",
                               f"track times out of order: point {i} is earlier than point {i - 1}",
                               field=f"track[{i}].at", code="track_out_of_order")
        lats.append(la)
        lons.append(lo)
        times.append(t)
    ns = _notices(notices)
    by_id = {n.id: n for n in ns}
    lat_a, lon_a = np.array(lats), np.array(lons)
    candidates: list[dict] = []
    for n in ns:
        d, inside, which = _zone_distances(n, lon_a, lat_a)
        for i in range(len(points)):
            z = n.zones[int(which[i])]
            v = _verdict(n, kind, times[i], bool(inside[i]), lats[i], lons[i], flights)
            candidates.append({**v, "notice": n.id, "zone": z.name, "distance_m": round(float(d[i]), 1),
                               "buffer_m": z.buffer_m, "approximate": z.approximate, "point": i,
                               "at": times[i].astimezone(SHANGHAI).isoformat(), "lat": lats[i], "lon": lons[i],
                               "_in_window": n.in_window(times[i]), "_margin": float(d[i]) - z.buffer_m})
        if len(points) > 1:
            candidates.extend(_segments(n, kind, lat_a, lon_a, times, flights))
    best = _public(_pick(candidates), by_id)
    best["object"] = kind
    best["points"] = len(points)
    best["breaches"] = sum(1 for c in candidates if c["outcome"] == "prohibited")
    return best


def _segments(n: Notice, kind: str, lat_a: np.ndarray, lon_a: np.ndarray, times: list[dt.datetime],
              flights: Sequence[dict]) -> list[dict]:
    out = []
    for z in n.zones:
        x, y = project(lon_a, lat_a, z.crs)
        segs = shapely.linestrings(np.stack([np.column_stack([x[:-1], y[:-1]]), np.column_stack([x[1:], y[1:]])], axis=1))
        d = shapely.distance(segs, z.metric)
        for i in np.nonzero(d <= z.buffer_m)[0]:
            seg = segs[i]
            near = shapely.get_point(shapely.shortest_line(seg, z.metric), 0)
            frac = float(shapely.line_locate_point(seg, near, normalized=True)) if seg.length > 0 else 0.0
            t = times[i] + (times[i + 1] - times[i]) * frac
            lo, la = to_wgs84(near.x, near.y, z.crs)
            v = _verdict(n, kind, t, True, float(la), float(lo), flights)
            out.append({**v, "notice": n.id, "zone": z.name, "distance_m": round(float(d[i]), 1),
                        "buffer_m": z.buffer_m, "approximate": z.approximate, "segment": int(i),
                        "at": t.astimezone(SHANGHAI).isoformat(), "lat": round(float(la), 6), "lon": round(float(lo), 6),
                        "_in_window": n.in_window(t), "_margin": float(d[i]) - z.buffer_m})
    return out


def objects_label(kind: str) -> str:
    from jiaxing.schemes.airspace.notices import known_kinds

    k = known_kinds().get(kind) or known_kinds()[OTHER]
    return f"{k['zh']} {k['en']}"
