"""The folium map beside a report in the console: its point, its access route, published
toilets and pending reports nearby. Every asset is served by the app (geo.maps.render_local).

Names are crowd text and folium pastes a tooltip raw into a JS template literal that Leaflet
then parses as HTML: every tooltip goes through core.html.inert_html."""

from __future__ import annotations

import json

import folium
from branca.element import MacroElement
from jinja2 import Template
from geoalchemy2.shape import to_shape
from sqlalchemy.orm import Session

from core.html import inert_html
from geo.maps import add_district_outlines, render_local, seoul_map
from reports.models import Report
from reports.service import pending_reports_around
from toilets.public import active_toilets_around

VERDICT_COLOURS = {"accessible": "#1a7f37", "partially_accessible": "#9a6700", "not_accessible": "#cf222e",
                   "unknown": "#57606a"}


def report_map_html(db: Session, *, report: Report, radius_m: float = 300.0) -> str:
    point = to_shape(report.location)
    m = seoul_map(location=(point.y, point.x), zoom_start=18)
    add_district_outlines(m, db)

    toilets = active_toilets_around(db, lon=point.x, lat=point.y, radius_m=radius_m)
    published = folium.FeatureGroup(name="게시된 화장실 Published toilets").add_to(m)
    for t in toilets:
        colour = VERDICT_COLOURS.get(t["verdict"], "#57606a")
        folium.CircleMarker((t["lat"], t["lon"]), radius=9, color=colour, fill=True, fill_opacity=0.9,
                            tooltip=inert_html(f"게시 Published: {t['name']} ({t['floor'] or '?'}층) – {t['verdict']}")).add_to(published)
        if t["route"]:
            folium.GeoJson(json.loads(t["route"]), style_function=lambda _f, c=colour: {
                "color": c, "weight": 3, "dashArray": "4 4"}).add_to(published)

    pending = pending_reports_around(db, lon=point.x, lat=point.y, radius_m=radius_m, exclude_id=report.id)
    others = folium.FeatureGroup(name="대기 중인 제보 Pending reports").add_to(m)
    for r in pending:
        folium.CircleMarker((r["lat"], r["lon"]), radius=7, color="#8250df", fill=True, fill_opacity=0.5,
                            tooltip=inert_html(f"대기 제보 Pending report #{r['id']}: {r['name']} ({r['status']})")).add_to(others)

    this = folium.FeatureGroup(name="이 제보 This report").add_to(m)
    if report.route_path is not None:
        line = to_shape(report.route_path)
        folium.PolyLine([(y, x) for x, y in line.coords], color="#0969da", weight=5,
                        tooltip="접근로 Access route").add_to(this)
    folium.CircleMarker((point.y, point.x), radius=12, color="#0969da", fill=True, fill_color="#ffffff",
                        fill_opacity=1, weight=4, tooltip=inert_html(f"이 제보 This report #{report.id}: {report.name}")).add_to(this)
    folium.LayerControl(collapsed=False).add_to(m)
    pick = MacroElement()
    pick._template = Template("{% macro script(this, kwargs) %}" + _PICK_JS.replace("MAP", m.get_name())
                              + "{% endmacro %}")
    m.add_child(pick)  # a child renders after the map exists
    return render_local(m)


# The console (the parent page) moves the point and redraws the route with clicks on this map:
# a click is posted to the parent; the parent sends back what to draw (the moved point, the new
# route). Only messages from the parent window are accepted.
_PICK_JS = """
(function () {
  var drawn = L.layerGroup().addTo(MAP);
  MAP.on('click', function (e) {
    if (window.parent !== window) {
      window.parent.postMessage({type: 'reachable-pick', lon: e.latlng.lng, lat: e.latlng.lat}, '*');
    }
  });
  window.addEventListener('message', function (ev) {
    if (ev.source !== window.parent || !ev.data || ev.data.type !== 'reachable-draw') { return; }
    drawn.clearLayers();
    if (ev.data.point) {
      L.circleMarker([ev.data.point.lat, ev.data.point.lon], {radius: 10, color: '#bf3989', weight: 4,
        fillColor: '#ffffff', fillOpacity: 1}).bindTooltip('옮긴 위치 Moved point').addTo(drawn);
    }
    if (ev.data.route && ev.data.route.length) {
      L.polyline(ev.data.route.map(function (c) { return [c[1], c[0]]; }),
        {color: '#bf3989', weight: 5, dashArray: '8 6'}).bindTooltip('새 접근로 New route').addTo(drawn);
    }
  });
})();
"""
