// The preview map of the published layer (exports/preview.py). The server hands the points over
// as JSON in <script type="application/json" id="rv-data">; names and addresses are crowd text,
// so every tooltip and popup is built from DOM nodes with textContent, never from HTML strings.
"use strict";

// folium's own scripts (the map, the cluster layer) run after this file: start on window load.
window.addEventListener("load", function () {
  var DATA = JSON.parse(document.getElementById("rv-data").textContent);
  var map = window[DATA.map], cluster = window[DATA.cluster];

  function node(tag, text, className) {
    var el = document.createElement(tag);
    if (text !== undefined) el.textContent = text;
    if (className) el.className = className;
    return el;
  }
  function row(dl, k, v) {
    if (v === null || v === undefined || v === "") return;
    dl.appendChild(node("dt", k));
    dl.appendChild(node("dd", v));
  }
  function floorLabel(f) {
    if (!f) return null;
    if (/^[Bb]\d+$/.test(f)) return "지하 " + f.slice(1) + "층";
    return /^\d+$/.test(f) ? f + "층" : f;
  }
  function popup(p, style) {
    var box = node("div", undefined, "rv-popup");
    box.appendChild(node("strong", p.name));
    var dl = document.createElement("dl");
    row(dl, "판정 Verdict", style.label);
    row(dl, "건물·층 Building/floor", [p.building_name, floorLabel(p.floor)].filter(Boolean).join(" · "));
    row(dl, "출입문 폭 Door width", p.door_cm ? p.door_cm + " cm" : null);
    row(dl, "접근로 Route", DATA.stepFree[p.step_free]);
    row(dl, "최종 확인 Last verified", p.verified);
    box.appendChild(dl);
    if (p.photo) {
      var img = document.createElement("img");
      img.src = DATA.photoBase + encodeURIComponent(p.photo);
      img.alt = "대표 사진 Main photo: " + p.name;
      box.appendChild(img);
    }
    return box;
  }
  function tooltip(p, style) {
    return node("span", p.name + " · " + style.label);
  }

  var markers = DATA.points.map(function (p) {
    var style = p.status === "retired" ? DATA.retired : DATA.styles[p.verdict];
    var mk = L.circleMarker([p.lat, p.lon], {radius: 8, color: "#222", weight: 1, fillColor: style.color,
      fillOpacity: 0.9, className: "rv-marker rv-" + p.verdict});
    mk.bindPopup(function () { return popup(p, style); });
    mk.bindTooltip(function () { return tooltip(p, style); });
    mk.rvDistrict = p.district_code;
    return mk;
  });

  function show(code) {
    cluster.clearLayers();
    var shown = markers.filter(function (m) { return !code || m.rvDistrict === code; });
    cluster.addLayers(shown);
    document.getElementById("rv-shown").textContent = shown.length + "곳 shown";
    if (shown.length) map.fitBounds(L.featureGroup(shown).getBounds(), {maxZoom: 16, padding: [20, 20]});
  }
  var sel = document.getElementById("rv-district");
  sel.addEventListener("change", function () { show(sel.value); });
  window.reachablePreview = {map: map, markers: markers, cluster: cluster, show: show};
  show("");
});
