"""无人驾驶航空器和空飘物临时管控（嘉政发〔2022〕17号 二）— the ban and its exemption.

For a prohibition, status ``eligible`` means *prohibited* (the result carries ``outcome``).
The window is checked against the flight's own time, whatever the calculation date.
"""

import datetime as dt
import math

import polars as pl

from gazette.rules import rule

DOC = "嘉政发〔2022〕17号"
OBJECTS = ["drone", "airship", "model_aircraft", "glider", "hang_glider", "powered_paraglider",
           "hot_air_balloon", "balloon", "sky_lantern"]


def _distance_m(lon: pl.Expr, lat: pl.Expr, line) -> pl.Expr:
    """Distance in metres from a point to a polyline (local equirectangular projection; fine at 500 m)."""
    lat0 = float(line[0][1])
    kx, ky = 111_320.0 * math.cos(math.radians(lat0)), 110_574.0
    px, py = lon * kx, lat * ky
    dists = []
    for (ax, ay), (bx, by) in zip(line, line[1:], strict=False):
        ax, ay, bx, by = float(ax) * kx, float(ay) * ky, float(bx) * kx, float(by) * ky
        dx, dy = bx - ax, by - ay
        t = (((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)).clip(0.0, 1.0)
        dists.append(((px - (ax + t * dx)) ** 2 + (py - (ay + t * dy)) ** 2).sqrt())
    return pl.min_horizontal(dists)


@rule(id=f"{DOC}#二", entity="flight", title_zh="观潮节期间海塘 500 米范围内禁飞", title_en="tidal-bore festival flight ban",
      valid=("2022-09-10", "2022-09-15"), kind="prohibition", unit=None, references=[f"{DOC}#一"], on_window=False)
def ban(r):
    # both lists in 一 end in 等: an object not named there may still be one — unknown, never "permitted" (D18b)
    obj = r.fact("object_type")
    r.require("object", pl.when(obj.is_in(OBJECTS)).then(pl.lit(True)).otherwise(pl.lit(None, dtype=pl.Boolean)),
              facts=[r.col("object_type")], reference=f"{DOC}#一",
              zh="无人驾驶航空器或空飘物（第一条所列；所列之外的物体须由公安机关认定）",
              en="a drone or airborne object listed in item 1 (an object not listed: the police decide)")
    start = dt.datetime.fromisoformat(r.param("ban.start"))
    end = dt.datetime.fromisoformat(r.param("ban.end"))
    takes_off = r.fact("start_time")
    lands = pl.coalesce([r.fact("end_time"), takes_off])
    r.require("window", (takes_off < pl.lit(end)) & (lands >= pl.lit(start)), facts=["start_time"],
              zh="在{ban.start}至{ban.end:until}之间", en="between {ban.start} and {ban.end:until}")
    line = r.param("ban.seawall_line")
    lon = r.fact("lon").cast(pl.Float64) / 1e6
    lat = r.fact("lat").cast(pl.Float64) / 1e6
    distance = r.detail("distance_m", _distance_m(lon, lat, line).round(0).cast(pl.Int64),
                 zh="距标准海塘距离（米，近似）", en="distance to the standard seawall (m, approximate)", unit="int")
    r.at_most("zone", distance, r.param("ban.distance_m"), facts=["lat", "lon"],
              label=("distance to the seawall (m)", "距海塘（米）"), unit="int",
              zh="黄湾镇至长安镇钱塘江距标准海塘{ban.distance_m}范围内", en="within {ban.distance_m} of the standard seawall")
    r.is_false("not_approved", "approved", zh="未经依法批准（电视转播、航拍、警务、应急救援、气象探测等除外）",
               en="not approved by law (broadcast, aerial photography, police, rescue, weather … are exempt)")
