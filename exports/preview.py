"""The HTML preview of the published layer (folium): circle markers coloured by verdict and
labelled in words (no colour-only signal), popups with the key fields and the main photo, a
legend, a district filter and marker clustering. Every asset is local (geo.maps.render_local).

Markers are built in the browser (static/maps/preview.js) from one embedded JSON block, so a
large layer does not become tens of thousands of generated script lines; tooltip and popup
text is set with textContent (names come from volunteers: never HTML, never script source).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import folium
from branca.element import CssLink, Element, JavascriptLink
from folium.plugins import MarkerCluster
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.html import inline_script_hashes, json_for_script
from geo.districts import DISTRICTS
from reports.photos import storage_key_of_public_name
from toilets.public import is_main_photo
from geo.maps import add_district_outlines, render_local, seoul_map

VERDICT_STYLE = {  # colour-blind-safe palette; the legend and the popup also say it in words
    "accessible": ("#1a9850", "접근 가능 · Accessible"),
    "partially_accessible": ("#f39c12", "부분 접근 가능 · Partly accessible"),
    "not_accessible": ("#d73027", "접근 불가 · Not accessible"),
    "unknown": ("#7f7f7f", "판정 보류 · Unknown"),
}
RETIRED_STYLE = ("#000000", "폐쇄 · Retired")
PREVIEW_JS = "/static/maps/preview.js"
PREVIEW_CSS = "/static/maps/preview.css"

_ROWS = text("""
SELECT t.id::text AS id, t.name, t.building_name, t.floor, t.district_code, t.verdict, t.status,
       ST_X(t.location) AS lon, ST_Y(t.location) AS lat,
       t.data #>> '{toilet,door_clear_width_cm}' AS door_cm,
       t.data #>> '{access_route,step_free}' AS step_free,
       to_char(t.last_verified_at AT TIME ZONE 'Asia/Seoul', 'YYYY-MM-DD') AS verified,
       t.photo_files[1] AS photo
  FROM toilets t
 WHERE (CAST(:district AS text) IS NULL OR t.district_code = CAST(:district AS text))
 ORDER BY t.id
""")


def preview_points(db: Session, *, district: str | None = None) -> list[dict]:
    return [dict(r._mapping) for r in db.execute(_ROWS, {"district": district})]


def main_photo_storage_key(db: Session, name: str) -> str | None:
    """The storage key of a photo that is the main photo of a published toilet, else None: the
    preview serves those photos only. Each table is asked through its owner."""
    key = storage_key_of_public_name(db, name)  # first: it refuses a malformed name unread
    return key if key is not None and is_main_photo(db, name) else None


def build_preview(db: Session, *, district: str | None = None, photo_base: str = "/maps/photos/") -> folium.Map:
    points = preview_points(db, district=district)
    m = seoul_map()
    m.options["max_zoom"] = 19  # without a tile layer Leaflet has no maxZoom, and clustering needs one
    add_district_outlines(m, db)
    # neutral clusters: the default green/yellow/orange would read as verdict colours
    cluster = MarkerCluster(name="화장실 Toilets", options={"disableClusteringAtZoom": 17, "chunkedLoading": True},
                            icon_create_function="""
        function(c) { return L.divIcon({html: '<div><span>' + c.getChildCount() + '</span></div>',
            className: 'marker-cluster rv-cluster', iconSize: new L.Point(40, 40)}); }""").add_to(m)
    legend_rows = "".join(
        f'<li><span class="sw" style="background:{c}"></span>{label} '
        f'(<span data-count="{k}">{sum(1 for p in points if p["verdict"] == k and p["status"] == "active")}</span>)</li>'
        for k, (c, label) in VERDICT_STYLE.items())
    legend_rows += (f'<li><span class="sw" style="background:{RETIRED_STYLE[0]}"></span>{RETIRED_STYLE[1]} '
                    f'({sum(1 for p in points if p["status"] == "retired")})</li>')
    options = "".join(f'<option value="{code}">{ko} {en}</option>' for code, (ko, en) in DISTRICTS.items())
    root = m.get_root()
    root.title = "지도 미리보기 · Map preview · 휠체어도 가는 화장실"
    # markup from our own constants only; the crowd's text travels in the JSON block below
    root.header.add_child(CssLink(PREVIEW_CSS))
    root.header.add_child(JavascriptLink(PREVIEW_JS))
    root.html.add_child(Element(f"""
<div id="rv-filter"><label for="rv-district">자치구 District</label>
 <select id="rv-district"><option value="">전체 All</option>{options}</select>
 <span id="rv-shown" aria-live="polite"></span></div>
<div id="rv-legend" role="region" aria-label="범례 Legend"><strong>접근성 판정 · Verdict</strong>
 <ul>{legend_rows}</ul></div>"""))
    styles = {k: {"color": c, "label": label} for k, (c, label) in VERDICT_STYLE.items()}
    step_free = {"yes": "단차 없음 · Step-free", "partial": "일부 단차 · Partly step-free",
                 "no": "단차 있음 · Steps"}
    payload = {"points": points, "styles": styles, "stepFree": step_free, "photoBase": photo_base,
               "retired": {"color": RETIRED_STYLE[0], "label": RETIRED_STYLE[1]},
               "map": m.get_name(), "cluster": cluster.get_name()}  # folium's global names for the two layers
    root.html.add_child(Element(f'<script type="application/json" id="rv-data">{json_for_script(payload)}</script>'))
    return m


def preview_html(db: Session, *, district: str | None = None, photo_base: str = "/maps/photos/") -> str:
    return render_local(build_preview(db, district=district, photo_base=photo_base))


_ASSET = re.compile(r'<(script|link)([^>]*?)(?:src|href)="(/static/[^"]+)"([^>]*)>(?:</script>)?')


def inline_assets(html: str, resolve: Callable[[str], Path | None]) -> str:
    """A standalone file: every /static asset inlined (CSS and JS), nothing fetched, and a
    Content-Security-Policy of its own in a <meta> element (no server sends one for a file):
    its inline scripts by hash, images from beside the file (the copied photos) only."""
    def repl(m: re.Match[str]) -> str:
        path = resolve(m.group(3))
        if path is None or not path.is_file():
            raise RuntimeError(f"local asset not found: {m.group(3)}")
        body = path.read_text(encoding="utf-8")
        if m.group(1) == "script":
            return "<script>" + body.replace("</script", "<\\/script") + "</script>"
        return "<style>" + body + "</style>"
    out = _ASSET.sub(repl, html)
    if "/static/" in out:
        raise RuntimeError("an asset reference survived inlining")
    policy = "; ".join([
        "default-src 'none'", "script-src " + " ".join(inline_script_hashes(out)), "style-src 'unsafe-inline'",
        "img-src 'self' data: blob:", "font-src 'self' data:", "object-src 'none'", "base-uri 'none'", "form-action 'none'"])
    head = out.index("<head>") + len("<head>")  # first in <head>: a meta policy covers what follows it
    return f'{out[:head]}\n<meta http-equiv="Content-Security-Policy" content="{policy}">{out[head:]}'
