"""Pure geometry rules, apart from the database."""

from hypothesis import given
from hypothesis import strategies as st

from geo.districts import district_in_address, normalise_district_name
from geo.validation import RouteRules, check_point, check_route, distance_m, line_length_m

RULES = RouteRules(min_length_m=2, max_length_m=2000, end_tolerance_m=60, start_max_distance_m=300,
                   obstacle_max_distance_m=25)
TOILET = (126.9779, 37.5663)


def test_distance_is_geodesic_metres():
    # 0.001° of latitude is about 111 m anywhere.
    assert 110 < distance_m((126.9779, 37.5663), (126.9779, 37.5673)) < 112
    assert line_length_m([(126.9779, 37.5663), (126.9779, 37.5673), (126.9779, 37.5683)]) > 220


@given(st.floats(126.71, 127.24), st.floats(37.39, 37.74))
def test_points_in_the_seoul_box_pass_the_quick_check(lon, lat):
    assert check_point(lon, lat) == []


@given(st.one_of(st.floats(-1e6, -180.0001), st.floats(180.0001, 1e6)), st.floats(-90, 90))
def test_longitudes_out_of_range_always_fail(lon, lat):
    assert check_point(lon, lat)[0].path == "location"


@given(st.lists(st.tuples(st.floats(-0.0003, 0.0003), st.floats(-0.0003, 0.0003)), min_size=2, max_size=12))
def test_route_checks_never_crash_and_always_explain(offsets):
    coords = [[TOILET[0] + dx, TOILET[1] + dy] for dx, dy in offsets]
    for error in check_route(coords, toilet=TOILET, accuracy_m=10, rules=RULES):
        assert error.path.startswith("access_route.path") and error.message_ko and error.message_en


def test_a_straight_route_to_the_door_passes_and_reversed_fails():
    route = [[126.9775, 37.5660], [126.9777, 37.5662], [126.9779, 37.5663]]
    assert check_route(route, toilet=TOILET, accuracy_m=5, rules=RULES) == []
    reversed_errors = check_route(route[::-1], toilet=TOILET, accuracy_m=5, rules=RULES)
    assert any("reversed" in e.message_en for e in reversed_errors)


def test_poor_gps_widens_the_end_tolerance():
    route = [[126.9770, 37.5650], [126.9776, 37.5656]]  # ends ~90 m from the toilet
    assert check_route(route, toilet=TOILET, accuracy_m=5, rules=RULES)
    assert check_route(route, toilet=TOILET, accuracy_m=50, rules=RULES) == []


def test_district_names_normalise():
    assert normalise_district_name("서울시성북구") == "11290"
    assert normalise_district_name("서울특별시 강남구") == "11680"
    assert normalise_district_name("Gangnam-gu") == "11680"
    assert normalise_district_name("성남시") is None
    assert district_in_address("서울특별시 중구 세종대로 110") == "11140"
    assert district_in_address("세종대로 110") is None
