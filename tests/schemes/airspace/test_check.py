"""The flight check against 嘉政发〔2022〕17号: window (一 and 二), zone, objects (一), exemptions (二),
bad input. Every case cites its clause."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from gazette.errors import InvalidInput
from jiaxing.schemes.airspace.check import check_point, check_track
from jiaxing.schemes.airspace.notices import all_notices, parse_notice
from tests.schemes.airspace.helpers import C1, C2, IN_WINDOW, SECOND_NOTICE, point_at

LAT, LON = point_at(100)


@pytest.mark.parametrize(("at", "outcome"), [
    ("2022-09-09T23:59:59+08:00", "permitted"),  # before 9月10日零时
    ("2022-09-10T00:00:00+08:00", "prohibited"),  # 零时起
    ("2022-09-15T23:59:59+08:00", "prohibited"),  # the last second of the 15th
    ("2022-09-16T00:00:00+08:00", "permitted"),  # 9月15日24时止 = the 16th 00:00, not included
    ("2022-09-09T15:59:59Z", "permitted"),  # the same instants in UTC
    ("2022-09-09T16:00:00Z", "prohibited"),
    ("2022-09-15T15:59:59+00:00", "prohibited"),
    ("2022-09-15T16:00:00+00:00", "permitted"),
    ("2022-09-12T10:00:00", "prohibited"),  # no offset: Beijing time
])
def test_window_both_sides_cites_2(at, outcome):
    r = check_point(LAT, LON, at, "drone")
    assert (r["outcome"], r["clause"]) == (outcome, C2)
    assert r["window"]["start"] == "2022-09-10T00:00:00+08:00" and r["window"]["end"] == "2022-09-16T00:00:00+08:00"


@pytest.mark.parametrize(("d", "side", "outcome"), [
    (0, 1, "prohibited"), (499.5, 1, "prohibited"), (500.5, 1, "permitted"),
    (499.5, -1, "prohibited"), (500.5, -1, "permitted"),  # the river side is measured the same way
])
def test_zone_both_sides_of_500m_cites_2(d, side, outcome):
    lat, lon = point_at(d, side=side)
    r = check_point(lat, lon, IN_WINDOW, "drone")
    assert r["outcome"] == outcome and r["clause"] == C2
    assert abs(r["distance_m"] - d) < 0.2
    assert r["approximate"] is True  # the shipped seawall is approximate


def test_exactly_500m_is_inside():
    lat, lon = point_at(500.0)
    r = check_point(lat, lon, IN_WINDOW, "drone")
    assert r["distance_m"] == pytest.approx(500.0, abs=0.05)
    assert r["outcome"] == "prohibited" or r["distance_m"] > 500  # 500米范围 includes 500 m (floating point aside)


@pytest.mark.parametrize("kind", ["drone", "airship", "model_aircraft", "glider", "hang_glider",
                                  "powered_paraglider", "hot_air_balloon", "balloon", "sky_lantern"])
def test_every_listed_object_is_covered_cites_1(kind):
    r = check_point(LAT, LON, IN_WINDOW, kind)
    assert r["outcome"] == "prohibited"


def test_other_objects_are_unknown_never_permitted_cites_1():
    r = check_point(LAT, LON, IN_WINDOW, "other")
    assert r["outcome"] == "unknown" and r["clause"] == C1
    # outside the zone the notice does not reach it at all
    far = point_at(2000)
    assert check_point(*far, IN_WINDOW, "other")["outcome"] == "permitted"


def test_exempt_purpose_needs_an_approval_cites_2():
    approved = [{"id": 7, "notice_id": "嘉政发〔2022〕17号", "status": "approved",
                 "start": dt.datetime.fromisoformat("2022-09-12T09:00+08:00"),
                 "end": dt.datetime.fromisoformat("2022-09-12T12:00+08:00"),
                 "lat": LAT, "lon": LON, "radius_m": 300.0}]
    r = check_point(LAT, LON, IN_WINDOW, "drone", flights=approved)
    assert (r["outcome"], r["approved_flight"], r["clause"]) == ("permitted", 7, C2)
    assert "approved flight 7" in r["reason_en"]
    # outside the approved hours or area it is prohibited again
    assert check_point(LAT, LON, "2022-09-12T12:00:01+08:00", "drone", flights=approved)["outcome"] == "prohibited"
    lat2, lon2 = point_at(450, along=0.2)
    assert check_point(lat2, lon2, IN_WINDOW, "drone", flights=approved)["outcome"] == "prohibited"
    # a refused or applied flight exempts nothing
    assert check_point(LAT, LON, IN_WINDOW, "drone", flights=[{**approved[0], "status": "applied"}])["outcome"] == \
        "prohibited"


def test_track_segment_crossing_the_zone_between_fixes():
    a, b = point_at(3000, side=1), point_at(3000, side=-1)
    track = [{"lat": a[0], "lon": a[1], "at": "2022-09-12T10:00+08:00"},
             {"lat": b[0], "lon": b[1], "at": "2022-09-12T10:10+08:00"}]
    r = check_track(track, "drone")
    assert r["outcome"] == "prohibited" and r["segment"] == 0 and r["distance_m"] == 0.0
    # the same crossing before the window opens (closest approach at 23:55 on the 9th)
    early = [{**track[0], "at": "2022-09-09T23:50+08:00"}, {**track[1], "at": "2022-09-10T00:00:00+08:00"}]
    assert check_track(early, "drone")["outcome"] == "permitted"


@pytest.mark.parametrize(("lat", "lon", "field", "code"), [
    (120.55, 30.39, "lat", "coordinates_swapped"),
    (91, 120.5, "lat", "invalid_coordinates"),
    (30.39, 181, "lon", "invalid_coordinates"),
    ("x", 120.5, "lat", "invalid_coordinates"),
])
def test_bad_coordinates_name_the_field(lat, lon, field, code):
    with pytest.raises(InvalidInput) as err:
        check_point(lat, lon, IN_WINDOW, "drone")
    assert (err.value.field, err.value.code) == (field, code)


def test_bad_time_and_kind_name_the_field():
    with pytest.raises(InvalidInput) as err:
        check_point(LAT, LON, "12/09/2022", "drone")
    assert err.value.field == "at"
    with pytest.raises(InvalidInput) as err:
        check_point(LAT, LON, IN_WINDOW, "ufo")
    assert (err.value.field, err.value.code) == ("object", "unknown_object_kind")


def test_track_out_of_order_names_the_point():
    with pytest.raises(InvalidInput) as err:
        check_track([{"lat": LAT, "lon": LON, "at": "2022-09-12T10:00+08:00"},
                     {"lat": LAT, "lon": LON, "at": "2022-09-12T01:59Z"}], "drone")  # 09:59 Beijing
    assert (err.value.field, err.value.code) == ("track[1].at", "track_out_of_order")


def test_second_notice_is_data_only(second_notice):
    ids = set(all_notices())
    assert ids == {"嘉政发〔2022〕17号", "嘉政发〔2099〕1号"}
    inside = check_point(30.757, 120.76, "2099-04-01T08:00+08:00", "kite")
    assert (inside["outcome"], inside["notice"], inside["distance_m"]) == ("prohibited", "嘉政发〔2099〕1号", 0.0)
    # 190 m south of the polygon is within its 200 m buffer; the window ends at 14:00 sharp
    assert check_point(30.7483, 120.76, "2099-04-01T13:59:59+08:00", "drone")["outcome"] == "prohibited"
    assert check_point(30.7483, 120.76, "2099-04-01T14:00:00+08:00", "drone")["outcome"] == "permitted"
    # its list is closed (no 等): an unlisted object is not covered by it
    assert check_point(30.757, 120.76, "2099-04-01T08:00+08:00", "sky_lantern")["outcome"] == "permitted"
    # 17号 still answers as before
    assert check_point(LAT, LON, IN_WINDOW, "drone")["notice"] == "嘉政发〔2022〕17号"


def test_notice_with_end_before_start_is_refused():
    raw = yaml.safe_load(SECOND_NOTICE)
    raw["window"]["end"] = "2099-04-01T05:00:00+08:00"
    with pytest.raises(InvalidInput) as err:
        parse_notice(raw)
    assert err.value.field == "window.end"
