"""folium maps whose every script and stylesheet is served by the app (no CDN), and which
work without map tiles: the district boundaries are drawn from our own data as the base."""

from __future__ import annotations

import re
from typing import Any

import folium
from branca.element import Element
from sqlalchemy.orm import Session

from geo.service import district_outlines

VENDOR = "/static/vendor"

# folium's asset names → local URLs. Assets not listed here (glyphicons, awesome-markers,
# the rotate CSS) are dropped: our maps use circle markers and need none of them.
LOCAL_ASSETS = {
    "leaflet": f"{VENDOR}/leaflet/leaflet.js",
    "jquery": f"{VENDOR}/jquery/jquery.min.js",
    "bootstrap": f"{VENDOR}/bootstrap/js/bootstrap.bundle.min.js",
    "leaflet_css": f"{VENDOR}/leaflet/leaflet.css",
    "bootstrap_css": f"{VENDOR}/bootstrap/css/bootstrap.min.css",
    "awesome_markers_font_css": f"{VENDOR}/fontawesome/css/all.min.css",
    "markerclusterjs": f"{VENDOR}/leaflet.markercluster/leaflet.markercluster.js",
    "markerclustercss": f"{VENDOR}/leaflet.markercluster/MarkerCluster.css",
    "markerclusterdefaultcss": f"{VENDOR}/leaflet.markercluster/MarkerCluster.Default.css",
}


def _localise_element(element: Any) -> None:
    for attr in ("default_js", "default_css"):
        assets = getattr(element, attr, None)
        if assets is not None:
            setattr(element, attr, [(name, LOCAL_ASSETS[name]) for name, _url in assets if name in LOCAL_ASSETS])
    for child in getattr(element, "_children", {}).values():
        _localise_element(child)


def render_local(m: folium.Map) -> str:
    """The map's HTML with every asset pointing at the app's own /static/vendor."""
    _localise_element(m)
    html = m.get_root().render()
    # WCAG: the page names its language, and people may zoom (folium's template forbids it)
    html = html.replace("<html>", '<html lang="ko">', 1)
    html = re.sub(r'<meta name="viewport" content="width=device-width,\s*initial-scale=1.0, maximum-scale=1.0, '
                  r'user-scalable=no" />', '<meta name="viewport" content="width=device-width, initial-scale=1" />', html)
    if "cdn" in html.lower() or "cloudflare" in html.lower() or "bootstrapcdn" in html.lower():
        raise RuntimeError("a CDN reference survived localisation")  # a new folium asset: add it above
    return html


def seoul_map(*, location: tuple[float, float] = (37.5665, 126.9780), zoom_start: int = 12,
              tiles_url: str | None = None, tiles_attribution: str | None = None) -> folium.Map:
    """A map with no tiles unless a (local or permitted) tile URL is configured."""
    if tiles_url:
        return folium.Map(location=location, zoom_start=zoom_start, tiles=tiles_url, attr=tiles_attribution or "")
    m = folium.Map(location=location, zoom_start=zoom_start, tiles=None)
    m.get_root().header.add_child(Element("<style>.leaflet-container{background:#eef2f3}</style>"))
    return m


def add_district_outlines(m: folium.Map, db: Session, *, simplify_deg: float = 0.0002) -> None:
    """The 25 districts as the base layer, so the map reads without tiles."""
    outlines = district_outlines(db, simplify_deg=simplify_deg)
    features = [{"type": "Feature", "properties": {"name": f"{f['properties']['name_ko']} {f['properties']['name_en']}"},
                 "geometry": f["geometry"]} for f in outlines["features"]]
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features}, name="자치구 Districts",
        style_function=lambda _f: {"color": "#5b6770", "weight": 1, "fillColor": "#ffffff", "fillOpacity": 0.6},
        tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
    ).add_to(m)
