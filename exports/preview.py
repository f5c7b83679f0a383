"""The HTML preview of the published layer (folium): circle markers coloured by verdict and
labelled in words (no colour-only signal), popups with the key fields and the main photo, a
legend, a district filter and marker clustering. Every asset is local (geo.maps.render_local).

Markers are built in the browser from one embedded GeoJSON-like array, so a large layer does
not become tens of thousands of generated script lines; popup text is set with textContent
(names come from volunteers: never HTML).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import folium
from branca.element import Element
from folium.plugins import MarkerCluster
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.districts import DISTRICTS
from geo.maps import add_district_outlines, render_local, seoul_map

VERDICT_STYLE = {  # colour-blind-safe palette; the legend and the popup also say it in words
    "accessible": ("#1a9850", "접근 가능 · Accessible"),
    "partially_accessible": ("#f39c12", "부분 접근 가능 · Partly accessible"),
    "not_accessible": ("#d73027", "접근 불가 · Not accessible"),
    "unknown": ("#7f7f7f", "판정 보류 · Unknown"),
}
RETIRED_STYLE = ("#000000", "폐쇄 · Retired")

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
    preview serves those photos only."""
    m = re.fullmatch(r"([0-9a-f-]{36})\.([A-Za-z0-9]+)", name)
    if not m:
        return None
    row = db.execute(text("""
        SELECT p.storage_key FROM report_photos p
         WHERE p.id = CAST(:id AS uuid)
           AND EXISTS (SELECT 1 FROM toilets t WHERE t.photo_files[1] = :name)"""),
                     {"id": m.group(1), "name": name}).first()
    return row.storage_key if row else None


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
    m.get_root().html.add_child(Element(f"""
<style>
 #rv-legend{{position:absolute;z-index:1000;bottom:16px;left:16px;background:#fff;padding:8px 12px;
   border:1px solid #5b6770;border-radius:4px;font:14px/1.4 sans-serif}}
 #rv-legend ul{{list-style:none;margin:4px 0 0;padding:0}} #rv-legend .sw{{display:inline-block;width:12px;
   height:12px;border-radius:50%;margin-right:6px;border:1px solid #333}}
 #rv-filter{{position:absolute;z-index:1000;top:12px;right:12px;background:#fff;padding:6px 10px;
   border:1px solid #5b6770;border-radius:4px;font:14px sans-serif}}
 .rv-cluster div{{background:#2c3e73;color:#fff}} .rv-cluster{{background:rgba(44,62,115,.35)}}
 .rv-popup img{{max-width:220px;max-height:160px;display:block;margin-top:6px}}
 .rv-popup dt{{font-weight:bold}} .rv-popup dd{{margin:0 0 4px}}
</style>
<div id="rv-filter"><label for="rv-district">자치구 District</label>
 <select id="rv-district"><option value="">전체 All</option>{options}</select>
 <span id="rv-shown" aria-live="polite"></span></div>
<div id="rv-legend" role="region" aria-label="범례 Legend"><strong>접근성 판정 · Verdict</strong>
 <ul>{legend_rows}</ul></div>"""))
    styles = {k: {"color": c, "label": label} for k, (c, label) in VERDICT_STYLE.items()}
    step_free = {"yes": "단차 없음 · Step-free", "partial": "일부 단차 · Partly step-free",
                 "no": "단차 있음 · Steps"}
    payload = json.dumps({"points": points, "styles": styles, "stepFree": step_free, "retired": {"color": RETIRED_STYLE[0],
                          "label": RETIRED_STYLE[1]}, "photoBase": photo_base}, ensure_ascii=False)
    payload = payload.replace("</", "<\\/")  # never close the script element from data
    # folium renders the map's and the cluster's own scripts after ours: start on window load
    m.get_root().script.add_child(Element(f"""
window.addEventListener('load', function() {{
  var DATA = {payload};
  var map = {m.get_name()}, cluster = {cluster.get_name()};
  function row(dl, k, v) {{
    if (v === null || v === undefined || v === '') return;
    var dt = document.createElement('dt'); dt.textContent = k; dl.appendChild(dt);
    var dd = document.createElement('dd'); dd.textContent = v; dl.appendChild(dd);
  }}
  function popup(p, style) {{
    var box = document.createElement('div'); box.className = 'rv-popup';
    var h = document.createElement('strong'); h.textContent = p.name; box.appendChild(h);
    var dl = document.createElement('dl');
    row(dl, '판정 Verdict', style.label);
    var floor = !p.floor ? null : /^[Bb]\\d+$/.test(p.floor) ? '지하 ' + p.floor.slice(1) + '층'
      : /^\\d+$/.test(p.floor) ? p.floor + '층' : p.floor;
    row(dl, '건물·층 Building/floor', [p.building_name, floor].filter(Boolean).join(' · '));
    row(dl, '출입문 폭 Door width', p.door_cm ? p.door_cm + ' cm' : null);
    row(dl, '접근로 Route', DATA.stepFree[p.step_free]);
    row(dl, '최종 확인 Last verified', p.verified);
    box.appendChild(dl);
    if (p.photo) {{ var img = document.createElement('img'); img.src = DATA.photoBase + p.photo;
      img.alt = '대표 사진 Main photo: ' + p.name; box.appendChild(img); }}
    return box;
  }}
  var markers = DATA.points.map(function(p) {{
    var style = p.status === 'retired' ? DATA.retired : DATA.styles[p.verdict];
    var mk = L.circleMarker([p.lat, p.lon], {{radius: 8, color: '#222', weight: 1, fillColor: style.color,
      fillOpacity: 0.9, className: 'rv-marker rv-' + p.verdict}});
    mk.bindPopup(function() {{ return popup(p, style); }});
    mk.bindTooltip(p.name + ' · ' + style.label);
    mk.rvDistrict = p.district_code;
    return mk;
  }});
  function show(code) {{
    cluster.clearLayers();
    var shown = markers.filter(function(m) {{ return !code || m.rvDistrict === code; }});
    cluster.addLayers(shown);
    document.getElementById('rv-shown').textContent = shown.length + '곳 shown';
    if (shown.length) {{ map.fitBounds(L.featureGroup(shown).getBounds(), {{maxZoom: 16, padding: [20, 20]}}); }}
  }}
  var sel = document.getElementById('rv-district');
  sel.addEventListener('change', function() {{ show(sel.value); }});
  window.reachablePreview = {{map: map, markers: markers, cluster: cluster, show: show}};
  show('');
}});"""))
    return m


def preview_html(db: Session, *, district: str | None = None, photo_base: str = "/maps/photos/") -> str:
    return render_local(build_preview(db, district=district, photo_base=photo_base))


_ASSET = re.compile(r'<(script|link)([^>]*?)(?:src|href)="(/static/vendor/[^"]+)"([^>]*)>(?:</script>)?')


def inline_assets(html: str, resolve: Callable[[str], Path | None]) -> str:
    """A standalone file: every /static/vendor asset inlined (CSS and JS), nothing fetched."""
    def repl(m: re.Match[str]) -> str:
        path = resolve(m.group(3))
        if path is None or not path.is_file():
            raise RuntimeError(f"local asset not found: {m.group(3)}")
        body = path.read_text(encoding="utf-8")
        if m.group(1) == "script":
            return "<script>" + body.replace("</script", "<\\/script") + "</script>"
        return "<style>" + body + "</style>"
    out = _ASSET.sub(repl, html)
    if "/static/vendor/" in out:
        raise RuntimeError("an asset reference survived inlining")
    return out
