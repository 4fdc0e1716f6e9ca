"""Geometry of control zones: WGS84 in, metres out, through shapely 2 and pyproj.

Every distance and buffer is computed in CGCS2000 / 3-degree Gauss-Kruger CM 120E (EPSG:4549), a
metric projection whose central meridian runs through Jiaxing (scale error < 1e-5 there); a zone
far from 120°E may name another CRS in its notice (``crs``). Coordinates are (lon, lat) in WGS84
(GPS); the difference between WGS84 and CGCS2000 (centimetres) is below any seawall survey.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from gazette.errors import InvalidInput

DEFAULT_CRS = "EPSG:4549"
_GEOD = Geod(ellps="WGS84")


@lru_cache(maxsize=8)
def _to_metric(crs: str) -> Transformer:
    return Transformer.from_crs("EPSG:4326", crs, always_xy=True)


@lru_cache(maxsize=8)
def _to_wgs84(crs: str) -> Transformer:
    return Transformer.from_crs(crs, "EPSG:4326", always_xy=True)


def project(lon, lat, crs: str = DEFAULT_CRS) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 lon/lat (scalars or arrays) → metric x/y arrays."""
    x, y = _to_metric(crs).transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def to_wgs84(x: float, y: float, crs: str = DEFAULT_CRS) -> tuple[float, float]:
    """Metric x/y → WGS84 (lon, lat)."""
    lon, lat = _to_wgs84(crs).transform(x, y)
    return float(lon), float(lat)


def project_geometry(geom: BaseGeometry, crs: str = DEFAULT_CRS) -> BaseGeometry:
    t = _to_metric(crs)
    return shapely.transform(geom, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))


def unproject_geometry(geom: BaseGeometry, crs: str = DEFAULT_CRS) -> BaseGeometry:
    t = _to_wgs84(crs)
    return shapely.transform(geom, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))


def read_geojson(obj: dict[str, Any], field_name: str) -> BaseGeometry:
    """A GeoJSON LineString, MultiLineString, Polygon, MultiPolygon or Point (WGS84 lon/lat)."""
    if not isinstance(obj, dict) or obj.get("type") not in ("LineString", "MultiLineString", "Polygon",
                                                            "MultiPolygon", "Point"):
        raise InvalidInput("区域须为 GeoJSON 线或面（LineString / Polygon）",
                           "a zone is a GeoJSON LineString or Polygon", field=field_name, code="invalid_geometry")
    try:
        geom = shape(obj)
    except Exception:  # noqa: BLE001 - any malformed GeoJSON is one error
        raise InvalidInput("GeoJSON 坐标格式错误", "malformed GeoJSON coordinates", field=field_name,
                           code="invalid_geometry") from None
    xs, ys = shapely.get_coordinates(geom).T if not geom.is_empty else (np.array([]), np.array([]))
    if geom.is_empty or (np.abs(xs) > 180).any() or (np.abs(ys) > 90).any():
        raise InvalidInput("GeoJSON 坐标应为 WGS84 经度、纬度", "GeoJSON coordinates are WGS84 [lon, lat]",
                           field=field_name, code="invalid_geometry")
    return geom


@dataclass
class Zone:
    """One zone of a notice: a base geometry (the seawall line, an area) and a buffer around it."""

    name: str
    name_en: str
    text: str
    buffer_m: float
    geometry: BaseGeometry  # WGS84
    crs: str = DEFAULT_CRS
    approximate: bool = False
    source: str = ""
    measured_from: str = "line"
    metric: BaseGeometry = field(init=False)  # the base geometry, projected
    area: BaseGeometry = field(init=False)  # the controlled area (base buffered), projected

    def __post_init__(self) -> None:
        self.metric = project_geometry(self.geometry, self.crs)
        self.area = self.metric.buffer(self.buffer_m, quad_segs=32) if self.buffer_m > 0 else self.metric
        shapely.prepare(self.metric)

    def distances(self, lon, lat) -> np.ndarray:
        """Metres from each point to the base geometry (0 inside a polygon) — vectorised."""
        x, y = project(lon, lat, self.crs)
        return self.distance_xy(x, y, lon, lat)

    def distance_xy(self, x: np.ndarray, y: np.ndarray, lon, lat) -> np.ndarray:
        """As :meth:`distances`, from already projected points. A point the projection cannot carry
        (the far side of the globe) gets its geodesic distance to the zone's centre instead: far from
        every zone either way, and never a non-finite number."""
        with np.errstate(invalid="ignore"):
            d = shapely.distance(shapely.points(x, y), self.metric)
        bad = ~np.isfinite(d)
        if bad.any():
            c = self.geometry.centroid
            lo, la = np.broadcast_to(np.asarray(lon, dtype=float), d.shape), np.broadcast_to(np.asarray(lat, dtype=float), d.shape)
            d = d.copy()
            d[bad] = _GEOD.inv(lo[bad], la[bad], np.full(bad.sum(), c.x), np.full(bad.sum(), c.y))[2]
        return d

    def segment_distances(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Metres from each segment (point i → i+1) of a track to the base geometry."""
        x, y = project(lon, lat, self.crs)
        coords = np.stack([np.column_stack([x[:-1], y[:-1]]), np.column_stack([x[1:], y[1:]])], axis=1)
        return shapely.distance(shapely.linestrings(coords), self.metric)

    def area_wgs84(self) -> BaseGeometry:
        return unproject_geometry(self.area, self.crs)


def circle_wgs84(lon: float, lat: float, radius_m: float, crs: str = DEFAULT_CRS) -> BaseGeometry:
    """An approved flight's area: a circle of ``radius_m`` around a point, back in WGS84."""
    x, y = project(lon, lat, crs)
    return unproject_geometry(shapely.points(x[()], y[()]).buffer(radius_m, quad_segs=16), crs)


def within_circle(lon: float, lat: float, c_lon: float, c_lat: float, radius_m: float,
                  crs: str = DEFAULT_CRS) -> tuple[bool, float]:
    x, y = project([lon, c_lon], [lat, c_lat], crs)
    d = float(np.hypot(x[0] - x[1], y[0] - y[1]))
    return d <= radius_m, d
