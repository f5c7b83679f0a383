"""The index box of toilets.public.nearby_toilets holds every point within the radius, so the
box only speeds the search up and never drops a toilet the geodesic test would keep."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from pyproj import Geod

from toilets.public import _degrees_around

WGS84 = Geod(ellps="WGS84")


@given(lon=st.floats(124.0, 130.0), lat=st.floats(-80.0, 80.0), radius_m=st.floats(1.0, 5000.0),
       azimuth=st.floats(0.0, 360.0))
def test_the_box_holds_the_circle(lon, lat, radius_m, azimuth):
    box = _degrees_around(lat, radius_m)
    end_lon, end_lat, _ = WGS84.fwd(lon, lat, azimuth, radius_m)
    assert abs(end_lat - lat) <= box["dlat"]
    assert abs(end_lon - lon) <= box["dlon"]


def test_the_box_is_not_much_larger_than_the_circle():
    box = _degrees_around(37.5663, 500)  # Seoul City Hall
    _, north, _ = WGS84.fwd(126.9779, 37.5663, 0, 500)
    east, _, _ = WGS84.fwd(126.9779, 37.5663, 90, 500)
    assert box["dlat"] < (north - 37.5663) * 1.05
    assert box["dlon"] < (east - 126.9779) * 1.05
