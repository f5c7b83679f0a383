// The finder's map, loaded only when the map view is shown: MapLibre GL JS from npm, served by
// the app. Base tiles only when the deployment sets MAP_TILE_URL; otherwise the 25 districts from
// our own data (/api/v1/districts), so it works offline from a city network. Toilets are drawn
// with the verdict's colour AND shape (icons drawn here: no glyph server is needed), and a
// popup is built from DOM nodes (setDOMContent): crowd text is never markup.
import { AttributionControl, LngLatBounds, Map as MapLibreMap, NavigationControl, Popup }
  from "/static/vendor/maplibre-gl/maplibre-gl.mjs";
import { el } from "/static/shared/dom.js";
import { VERDICTS, verdictBadge } from "./verdict.js";
import { metres, t } from "./words.js";

const SEOUL = [[126.76, 37.41], [127.19, 37.72]];
const EMPTY = { type: "FeatureCollection", features: [] };

function loadCss() {
  if (document.querySelector("link[data-maplibre]")) return;
  document.head.append(el("link", { rel: "stylesheet", href: "/static/vendor/maplibre-gl/maplibre-gl.css",
    dataset: { maplibre: "1" } }));
}

// One icon per verdict: its shape in its colour, white-edged so it reads on any base.
function icon(shape, colour, size = 44) {
  const c = document.createElement("canvas");
  c.width = c.height = size;
  const g = c.getContext("2d");
  const m = size / 2;
  g.lineWidth = size / 11;
  g.strokeStyle = "#ffffff";
  g.fillStyle = colour;
  g.beginPath();
  if (shape === "●") g.arc(m, m, size * 0.38, 0, 2 * Math.PI);
  else if (shape === "▲") { g.moveTo(m, size * 0.08); g.lineTo(size * 0.94, size * 0.88); g.lineTo(size * 0.06, size * 0.88); g.closePath(); }
  else if (shape === "✕") {
    const a = size * 0.16, b = size * 0.84, w = size * 0.14;
    g.moveTo(a, a + w); g.lineTo(a + w, a); g.lineTo(m, m - w); g.lineTo(b - w, a); g.lineTo(b, a + w); g.lineTo(m + w, m);
    g.lineTo(b, b - w); g.lineTo(b - w, b); g.lineTo(m, m + w); g.lineTo(a + w, b); g.lineTo(a, b - w); g.lineTo(m - w, m); g.closePath();
  } else { g.moveTo(m, size * 0.06); g.lineTo(size * 0.94, m); g.lineTo(m, size * 0.94); g.lineTo(size * 0.06, m); g.closePath(); }
  g.stroke();
  g.fill();
  if (shape === "?") {
    g.fillStyle = "#ffffff";
    g.font = `bold ${Math.round(size * 0.5)}px sans-serif`;
    g.textAlign = "center"; g.textBaseline = "middle";
    g.fillText("?", m, m + 1);
  }
  return { width: size, height: size, data: new Uint8Array(g.getImageData(0, 0, size, size).data.buffer) };
}

// A group's count as an icon (drawn here, so the count needs no glyph server): a disc in the
// brand colour sized by the number's digits, the number in white.
function countIcon(n) {
  const text = n > 9999 ? "9999+" : String(n);
  const size = 40 + 10 * Math.max(0, text.length - 2);
  const c = document.createElement("canvas");
  c.width = c.height = size;
  const g = c.getContext("2d");
  g.fillStyle = "#12355b";
  g.strokeStyle = "#ffffff";
  g.lineWidth = 4;
  g.beginPath();
  g.arc(size / 2, size / 2, size / 2 - 3, 0, 2 * Math.PI);
  g.fill();
  g.stroke();
  g.fillStyle = "#ffffff";
  g.font = "bold 20px sans-serif";
  g.textAlign = "center"; g.textBaseline = "middle";
  g.fillText(text, size / 2, size / 2 + 1);
  return { width: size, height: size, data: new Uint8Array(g.getImageData(0, 0, size, size).data.buffer) };
}
const COUNT_ICON = "count-";

async function baseConfig() {
  try {
    const r = await fetch("/app/config.json", { headers: { Accept: "application/json" } });
    return r.ok ? await r.json() : {};
  } catch { return {}; }
}

function style(config, extra = {}) {
  const sources = {
    districts: { type: "geojson", data: "/api/v1/districts" },
    // the list's results, grouped below zoom 14 like the tiles' clusters, with their counts
    toilets: { type: "geojson", data: EMPTY, cluster: true, clusterMaxZoom: 13, clusterRadius: 40 },
    you: { type: "geojson", data: EMPTY },
    ...extra,
  };
  const layers = [{ id: "background", type: "background", paint: { "background-color": "#eef1f4" } }];
  if (config.tile_url) {
    sources.base = { type: "raster", tiles: [config.tile_url.replace("{s}", "a")], tileSize: 256,
                     attribution: config.tile_attribution || "" };
    layers.push({ id: "base", type: "raster", source: "base" });
  } else {
    layers.push({ id: "district-fill", type: "fill", source: "districts", paint: { "fill-color": "#ffffff", "fill-opacity": 0.7 } });
  }
  layers.push(
    { id: "district-line", type: "line", source: "districts", paint: { "line-color": "#5b6770", "line-width": 1 } },
    ...(extra.route ? [
      { id: "route", type: "line", source: "route", paint: { "line-color": "#0b4f9c", "line-width": 5 } },
      { id: "obstacles", type: "circle", source: "obstacles",
        paint: { "circle-radius": 7, "circle-color": "#ff9f1a", "circle-stroke-color": "#1b1b1b", "circle-stroke-width": 2 } },
    ] : []),
    { id: "you", type: "circle", source: "you",
      paint: { "circle-radius": 8, "circle-color": "#0b4f9c", "circle-stroke-color": "#ffffff", "circle-stroke-width": 3 } },
    { id: "toilets", type: "symbol", source: "toilets", filter: ["!", ["has", "point_count"]],
      layout: { "icon-image": ["get", "verdict"], "icon-size": 1, "icon-allow-overlap": true } },
  );
  if (extra.route) return { version: 8, sources, layers };
  layers.push({ id: "result-clusters", type: "symbol", source: "toilets", filter: ["has", "point_count"],
    layout: { "icon-image": clusterIcon(null), "icon-size": 1, "icon-allow-overlap": true } });
  // the whole published layer as vector tiles (toilets/tiles.py): clusters below zoom 14
  sources.tiles = { type: "vector", tiles: [`${location.origin}/tiles/toilets/{z}/{x}/{y}.mvt`], minzoom: 0, maxzoom: 22 };
  layers.push(
    { id: "tile-clusters", type: "symbol", source: "tiles", "source-layer": "toilets",
      filter: ["==", ["get", "cluster"], true],
      layout: { visibility: "none", "icon-image": clusterIcon(null), "icon-size": 1, "icon-allow-overlap": true } },
    { id: "tile-toilets", type: "symbol", source: "tiles", "source-layer": "toilets",
      filter: ["!=", ["get", "cluster"], true], layout: { visibility: "none", "icon-image": ["get", "verdict"],
                                                          "icon-size": 1, "icon-allow-overlap": true } },
  );
  return { version: 8, sources, layers };
}

// A tile cluster's count: all its toilets, or those of the verdicts shown (count_<verdict>).
function clusterCount(verdicts) {
  return verdicts ? ["+", ...verdicts.map((v) => ["coalesce", ["get", `count_${v}`], 0])] : ["get", "point_count"];
}

// `again` gives an equivalent expression that differs, to make MapLibre lay the layer out anew.
function clusterIcon(verdicts, again = false) {
  return ["concat", COUNT_ICON, ...(again ? [""] : []), ["to-string", clusterCount(verdicts)]];
}

function popupContent(p) {
  return el("div", { class: "popup" },
    el("p", { class: "popup-name" }, el("a", { href: `/toilets/${encodeURIComponent(p.id)}`, text: p.name })),
    verdictBadge(p.verdict),
    p.distance_m != null ? el("p", { text: t("distance", { d: metres(Number(p.distance_m)) }) }) : null);
}

async function newMap(container, extra, label) {
  loadCss();
  const config = await baseConfig();
  const map = new MapLibreMap({ container, style: style(config, extra), bounds: SEOUL, attributionControl: false,
    maxZoom: 19 });
  // the verdict icons: drawn when a layer first asks for one, and all of them once loaded (a
  // tile laid out while its icon was missing would never show it)
  const addIcon = (id) => {
    const v = VERDICTS[id];
    if (v && !map.hasImage(id)) map.addImage(id, icon(v.shape, v.colour), { pixelRatio: 2 });
    const n = id.startsWith(COUNT_ICON) ? Number(id.slice(COUNT_ICON.length)) : NaN;
    if (Number.isInteger(n) && !map.hasImage(id)) map.addImage(id, countIcon(n), { pixelRatio: 2 });
  };
  map.on("styleimagemissing", (e) => addIcon(e.id));
  map.addControl(new NavigationControl({ showCompass: false }));
  if (config.tile_url) map.addControl(new AttributionControl({ compact: true }));
  await new Promise((resolve, reject) => {
    map.once("load", resolve);
    map.once("error", (e) => reject(e.error || e));
  });
  Object.keys(VERDICTS).forEach(addIcon);
  map.getCanvas().setAttribute("aria-label", label);
  return map;
}

function fit(map, points) {
  if (!points.length) return;
  const bounds = points.reduce((b, c) => b.extend(c), new LngLatBounds(points[0], points[0]));
  map.fitBounds(bounds, { padding: 40, maxZoom: 18, duration: 0 });
}

/** The toilet page's small map: the toilet, its access route and the route's obstacles. */
export async function createRouteMap(container, feature) {
  const p = feature.properties;
  const obstacles = ((p.access_route && p.access_route.obstacles) || []).filter((o) => o && o.location)
    .map((o) => ({ type: "Feature", geometry: { type: "Point", coordinates: [o.location.lon, o.location.lat] }, properties: {} }));
  const extra = {
    route: { type: "geojson", data: p.route ? { type: "Feature", geometry: p.route, properties: {} } : EMPTY },
    obstacles: { type: "geojson", data: { type: "FeatureCollection", features: obstacles } },
    toilets: { type: "geojson", data: { type: "Feature", geometry: feature.geometry, properties: { verdict: p.verdict } } },
  };
  const map = await newMap(container, extra, t("route_map_label"));
  fit(map, [feature.geometry.coordinates, ...(p.route ? p.route.coordinates : [])]);
  return map;
}

export async function createMap(container) {
  const map = await newMap(container, {}, t("map_label"));
  const label = () => map.getCanvas().setAttribute("aria-label", t("map_label"));
  let popup = null;
  let byId = new Map();
  const open = (lngLat, p) => {
    if (popup) popup.remove();
    popup = new Popup({ closeButton: true, maxWidth: "18rem" }).setLngLat(lngLat).setDOMContent(popupContent(p)).addTo(map);
  };
  map.on("click", "toilets", (e) => {
    const f = e.features && e.features[0];
    const p = f && byId.get(f.properties.id);
    if (p) open(f.geometry.coordinates, p);
  });
  // a tile carries id, name and verdict: enough for the popup (the name as text, like every name)
  map.on("click", "tile-toilets", (e) => {
    const f = e.features && e.features[0];
    if (f) open(f.geometry.coordinates, { id: f.properties.id, name: String(f.properties.name ?? ""), verdict: f.properties.verdict });
  });
  for (const layer of ["tile-clusters", "result-clusters"]) {
    map.on("click", layer, (e) => map.easeTo({ center: e.lngLat, zoom: Math.min(map.getZoom() + 2, 19) }));
  }
  for (const layer of ["toilets", "tile-toilets", "tile-clusters", "result-clusters"]) {
    map.on("mouseenter", layer, () => { map.getCanvas().style.cursor = "pointer"; });
    map.on("mouseleave", layer, () => { map.getCanvas().style.cursor = ""; });
  }
  const visible = (layer, yes) => map.setLayoutProperty(layer, "visibility", yes ? "visible" : "none");
  // A count icon is drawn when a tile first asks for it, but a tile laid out while its icon was
  // missing never shows it: once the map is idle, lay the count layers out again (an equivalent
  // expression that differs), now that every icon they asked for exists.
  let verdictsShown = null;
  let countsMissing = false;
  let again = false;
  map.on("styleimagemissing", (e) => { if (e.id.startsWith(COUNT_ICON)) countsMissing = true; });
  map.on("idle", () => {
    if (!countsMissing) return;
    countsMissing = false;
    again = !again;
    map.setLayoutProperty("tile-clusters", "icon-image", clusterIcon(verdictsShown, again));
    map.setLayoutProperty("result-clusters", "icon-image", clusterIcon(null, again));
  });

  return {
    map,
    /** The results, grouped with their counts below zoom 14; with `tiles` (a plain browse: no
     * search, no place, no criteria) the whole layer from the vector tiles instead, limited to
     * `verdicts` (a list, or null for all), clusters counting only those verdicts. */
    show(features, near, { tiles = false, verdicts = null } = {}) {
      for (const layer of ["tile-toilets", "tile-clusters"]) visible(layer, tiles);
      for (const layer of ["toilets", "result-clusters"]) visible(layer, !tiles);
      const base = ["!=", ["get", "cluster"], true];
      map.setFilter("tile-toilets", verdicts ? ["all", base, ["in", ["get", "verdict"], ["literal", verdicts]]] : base);
      // a cluster counts (and shows) only the toilets of the verdicts shown, like the points
      const cluster = ["==", ["get", "cluster"], true];
      map.setFilter("tile-clusters", verdicts ? ["all", cluster, [">", clusterCount(verdicts), 0]] : cluster);
      verdictsShown = verdicts;
      map.setLayoutProperty("tile-clusters", "icon-image", clusterIcon(verdicts, again));
      if (popup) { popup.remove(); popup = null; }
      if (tiles) return;
      byId = new Map(features.map((f) => [f.properties.id, f.properties]));
      // only what the map draws goes into its source: the id and the verdict
      map.getSource("toilets").setData({ type: "FeatureCollection", features: features.map((f) => ({
        type: "Feature", geometry: f.geometry, properties: { id: f.properties.id, verdict: f.properties.verdict } })) });
      map.getSource("you").setData(near ? { type: "FeatureCollection", features: [{ type: "Feature",
        geometry: { type: "Point", coordinates: [near.lon, near.lat] }, properties: {} }] } : EMPTY);
      const points = features.map((f) => f.geometry.coordinates);
      if (near) points.push([near.lon, near.lat]);
      fit(map, points);
    },
    relabel() { label(); if (popup) { popup.remove(); popup = null; } },
    resize() { map.resize(); },
  };
}
