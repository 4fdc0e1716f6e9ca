"""Shared test helpers: points at a chosen distance from the 17号 seawall, a second notice as data."""

from __future__ import annotations

import numpy as np
import shapely

from jiaxing.schemes.airspace.geometry import to_wgs84
from jiaxing.schemes.airspace.notices import get_notice

DOC = "嘉政发〔2022〕17号"
C1, C2, C3, C4 = (f"{DOC}#{n}" for n in "一二三四")
IN_WINDOW = "2022-09-12T10:00:00+08:00"


def point_at(distance_m: float, along: float = 0.5, side: int = 1) -> tuple[float, float]:
    """(lat, lon) of a point ``distance_m`` from the seawall line, beside its middle, on one side
    (+1 north / landward here, −1 the river side)."""
    z = get_notice(DOC).zones[0]
    line = z.metric
    p = line.interpolate(along, normalized=True)
    q = line.interpolate(min(along + 0.001, 1.0), normalized=True)
    dx, dy = q.x - p.x, q.y - p.y
    n = np.array([-dy, dx]) / np.hypot(dx, dy) * side
    x, y = p.x + n[0] * distance_m, p.y + n[1] * distance_m
    # refine: the nearest part of the line may be another vertex's segment; scale until exact
    for _ in range(5):
        d = shapely.distance(shapely.points(x, y), line)
        if d == 0:
            break
        k = distance_m / d
        x, y = p.x + (x - p.x) * k, p.y + (y - p.y) * k
    lon, lat = to_wgs84(x, y, z.crs)
    return lat, lon


SECOND_NOTICE = """
id: 嘉政发〔2099〕1号
title: 测试通告：马拉松赛事期间临时管控（测试数据）
title_en: Test notice — a marathon
clauses: {objects: 嘉政发〔2022〕17号#一, ban: 嘉政发〔2022〕17号#二}
window:
  text: 自2099年4月1日6时起至4月1日14时止
  start: "2099-04-01T06:00:00+08:00"
  end: "2099-04-01T14:00:00+08:00"
  end_reading: 14时整结束，不含
zones:
  - name: 南湖景区（面）
    buffer_m: 200
    geometry:
      type: Polygon
      coordinates: [[[120.750, 30.750], [120.770, 30.750], [120.770, 30.765], [120.750, 30.765], [120.750, 30.750]]]
objects:
  listed_open: false
  kinds:
    drone: {zh: 无人机, en: drone}
    kite: {zh: 风筝, en: kite}
exempt:
  purposes:
    broadcast: {zh: 电视转播, en: broadcast}
departments: {registrar: 公安机关, co_registrars: [体育]}
"""
