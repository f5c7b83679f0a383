"""The preview map: local assets only, markers coloured by verdict, popups, legend, district filter."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.exports.helpers import publish, report_with_photos, settle_preview
from toilets.service import create_toilet


def test_preview_page_has_legend_filter_and_no_cdn(client, db):
    publish(db, **{"place.name": "<script>alert(1)</script> 화장실"})
    publish(db, lon=127.0473, lat=37.5172, **{"toilet.door_clear_width_cm": 70})
    r = client.get("/maps/preview")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert "cdn" not in html.lower() and "/static/vendor/leaflet/leaflet.js" in html
    assert "leaflet.markercluster.js" in html and 'id="rv-district"' in html and 'id="rv-legend"' in html
    assert "<script>alert(1)</script>" not in html  # names travel as data, never as markup
    assert '<span data-count="accessible">1</span>' in html and '<span data-count="not_accessible">1</span>' in html
    only = client.get("/maps/preview?district=강남구").text
    assert '<span data-count="accessible">0</span>' in only
    assert client.get("/maps/preview?district=Busan").status_code == 422


def test_preview_serves_only_main_photos_of_published_toilets(client, db, settings):
    report, body, photos = report_with_photos(db, settings, kinds=("entrance", "interior"))
    create_toilet(db, payload=body, report_id=report.id, review_id=None)
    unpublished, _, other = report_with_photos(db, settings, kinds=("entrance",))
    db.flush()
    assert client.get(f"/maps/photos/{photos[0].id}.png").content[:4] == b"\x89PNG"
    assert client.get(f"/maps/photos/{photos[1].id}.png").status_code == 404  # published, but not the main one
    assert client.get(f"/maps/photos/{other[0].id}.png").status_code == 404
    assert client.get("/maps/photos/..%2F..%2Fetc%2Fpasswd").status_code == 404


@pytest.mark.browser
def test_preview_in_chromium_shows_markers_and_a_popup(page, live_server, committed_engine, settings):
    with Session(committed_engine) as db:
        report, body, photos = report_with_photos(db, settings, kinds=("entrance",))
        create_toilet(db, payload=body, report_id=report.id, review_id=None)
        publish(db, lon=127.0473, lat=37.5172, **{"place.name": "강남구청 화장실",
                                                   "toilet.door_clear_width_cm": 70})
        publish(db, lon=126.9016, lat=37.5663, **{"place.name": "마포구청 화장실", "toilet.grab_bars": "one_side"})
        db.commit()
    page.goto(f"{live_server}/maps/preview")
    page.wait_for_function("() => window.reachablePreview && window.reachablePreview.markers.length === 3", timeout=20000)
    assert page.locator("#rv-shown").inner_text().startswith("3")
    # clustered at city zoom: zoom in where the markers separate, then click one like a user would
    city_hall = "p.markers.find(x => x.rvDistrict === '11140')"
    settle_preview(page, f"{city_hall}.getLatLng()",
                   markers=f"p.map.hasLayer({city_hall}) && {city_hall}._path.isConnected")
    page.locator("path.rv-accessible").first.click(timeout=15000)
    popup = page.locator(".leaflet-popup-content .rv-popup")
    popup.wait_for(timeout=15000)
    text = popup.inner_text()
    assert "서울시청 본관 1층 장애인 화장실" in text and "접근 가능" in text and "서울특별시청 · 1층" in text
    assert "100 cm" in text and "단차 없음" in text
    img = popup.locator("img")
    img.wait_for(timeout=10000)
    page.wait_for_function("() => { const i = document.querySelector('.rv-popup img'); "
                           "return i && i.complete && i.naturalWidth > 0; }", timeout=10000)
    page.select_option("#rv-district", "11680")
    assert page.locator("#rv-shown").inner_text().startswith("1")
    assert page.locator(".rv-marker").count() >= 1
    assert page.outside_requests == []
