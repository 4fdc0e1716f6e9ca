"""The map, drawn by the app as SVG: a notice's zones (the base line or area and its buffer), the
approved flights (circles) and a checked point — no tiles, nothing from a CDN, no script. Drawn in
the zone's metric projection (north up, metres to pixels at one scale) with a scale bar; colours
come from presentation attributes and /static/airspace.css classes (no inline style: strict CSP).
"""

from __future__ import annotations

from html import escape
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from jiaxing.schemes.airspace.geometry import project
from jiaxing.schemes.airspace.notices import Notice

WIDTH = 800
PAD = 30


class _Frame:
    def __init__(self, bounds: tuple[float, float, float, float]):
        minx, miny, maxx, maxy = bounds
        self.minx, self.maxy = minx, maxy
        span_x, span_y = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
        self.k = (WIDTH - 2 * PAD) / span_x
        self.height = int(min(span_y * self.k + 2 * PAD, 700))
        if span_y * self.k > self.height - 2 * PAD:  # very tall: fit the height instead
            self.k = (self.height - 2 * PAD) / span_y
        self.ox = PAD + ((WIDTH - 2 * PAD) - span_x * self.k) / 2
        self.oy = PAD + ((self.height - 2 * PAD) - span_y * self.k) / 2

    def xy(self, x: float, y: float) -> tuple[float, float]:
        return self.ox + (x - self.minx) * self.k, self.oy + (self.maxy - y) * self.k

    def path(self, geom: BaseGeometry) -> str:
        parts: list[str] = []
        for g in getattr(geom, "geoms", [geom]):
            rings = [g.exterior, *g.interiors] if g.geom_type == "Polygon" else [g]
            for ring in rings:
                pts = [self.xy(x, y) for x, y in np.asarray(ring.coords)[:, :2]]
                d = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in pts)
                parts.append(d + (" Z" if g.geom_type == "Polygon" else ""))
        return " ".join(parts)


def _scale_bar(f: _Frame) -> str:
    target = (WIDTH - 2 * PAD) / f.k / 5
    nice = max(n for n in (100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000) if n <= max(target, 100))
    px = nice * f.k
    x0, y0 = PAD, f.height - 12
    label = f"{nice // 1000} 公里 km" if nice >= 1000 else f"{nice} 米 m"
    return (f'<g class="scale"><path d="M{x0},{y0 - 6} L{x0},{y0} L{x0 + px:.1f},{y0} L{x0 + px:.1f},{y0 - 6}" '
            f'fill="none" stroke="#333" stroke-width="2"/>'
            f'<text x="{x0 + px + 6:.1f}" y="{y0}" font-size="13" fill="#333">{label}</text></g>')


def render(notice: Notice, flights: list[dict[str, Any]] = (), point: dict[str, Any] | None = None) -> str:
    """The SVG element for one notice (its first zone's projection frames the drawing)."""
    crs = notice.zones[0].crs
    geoms = [z.area for z in notice.zones]
    circles = []
    for fl in flights:
        x, y = project(fl["lon"], fl["lat"], crs)
        circles.append((fl, shapely.points(float(x), float(y)).buffer(fl["radius_m"], quad_segs=16)))
    pt = None
    if point is not None:
        x, y = project(point["lon"], point["lat"], crs)
        pt = (float(x), float(y))
    extent = shapely.union_all(geoms + [c for _, c in circles])
    minx, miny, maxx, maxy = extent.bounds
    if pt is not None and abs(pt[0] - (minx + maxx) / 2) < 60_000 and abs(pt[1] - (miny + maxy) / 2) < 60_000:
        minx, miny, maxx, maxy = min(minx, pt[0]), min(miny, pt[1]), max(maxx, pt[0]), max(maxy, pt[1])
    margin = max(maxx - minx, maxy - miny) * 0.06 + 200
    f = _Frame((minx - margin, miny - margin, maxx + margin, maxy + margin))
    title = f"{notice.id} 管控区域示意图 Control zones of {notice.id}"
    desc = "；".join(f"{z.name}：距{('基准线' if z.geometry.geom_type.endswith('LineString') else '区域')}"
                    f" {z.buffer_m:g} 米范围" for z in notice.zones)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {f.height}" class="airspace-map" '
           f'role="img" aria-labelledby="map-title map-desc" data-testid="airspace-map">',
           f'<title id="map-title">{escape(title)}</title><desc id="map-desc">{escape(desc)}</desc>',
           f'<rect x="0" y="0" width="{WIDTH}" height="{f.height}" fill="#f4f8fb"/>']
    for i, z in enumerate(notice.zones):
        out.append(f'<path class="zone-area" data-zone="{i}" d="{f.path(z.area)}" fill="#e4572e" fill-opacity="0.22" '
                   f'stroke="#c0392b" stroke-width="1.5" stroke-dasharray="6 4"/>')
        dash = ' stroke-dasharray="10 5"' if z.approximate else ""
        out.append(f'<path class="zone-base" d="{f.path(z.metric)}" fill="none" stroke="#1d3557" stroke-width="3"{dash}/>')
        lx, ly = f.xy(*z.metric.representative_point().coords[0])
        out.append(f'<text x="{lx:.1f}" y="{ly - 14:.1f}" font-size="13" fill="#1d3557" text-anchor="middle">'
                   f'{escape(z.name)}{"（近似）" if z.approximate else ""}</text>')
    for fl, c in circles:
        out.append(f'<path class="flight-area" data-flight="{fl["id"]}" d="{f.path(c)}" fill="#2a9d8f" '
                   f'fill-opacity="0.35" stroke="#1b6f65" stroke-width="1.5"/>')
        cx, cy = f.xy(*c.centroid.coords[0])
        out.append(f'<text x="{cx:.1f}" y="{cy + 4:.1f}" font-size="12" fill="#0b3d37" text-anchor="middle">'
                   f'批准 No.{fl["id"]}</text>')
    if pt is not None:
        px, py = f.xy(*pt)
        if 0 <= px <= WIDTH and 0 <= py <= f.height:
            colour = {"prohibited": "#b00020", "unknown": "#b26a00"}.get(point.get("outcome"), "#1b6f65")
            out.append(f'<circle class="check-point" cx="{px:.1f}" cy="{py:.1f}" r="7" fill="{colour}" '
                       f'stroke="#fff" stroke-width="2"/>')
    out.append(f'<g class="north"><path d="M{WIDTH - 30},{PAD + 30} L{WIDTH - 22},{PAD + 8} L{WIDTH - 14},{PAD + 30} Z" '
               f'fill="#333"/><text x="{WIDTH - 22}" y="{PAD + 46}" font-size="13" text-anchor="middle" '
               f'fill="#333">北 N</text></g>')
    out.append(_scale_bar(f))
    out.append("</svg>")
    return "".join(out)
