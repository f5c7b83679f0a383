// Where the toilet is and the way to it: geolocation, a Leaflet map that works without tiles,
// the route recorded while walking or tapped on the map, and points (obstacles) taken from GPS.
import { el as h } from "/static/shared/dom.js";
import { fieldId, errorId, helpId } from "./schema-form.js";
import { t, titleOf, helpOf } from "./i18n.js";
import { announce } from "./live.js";

let mapConfig = { tile_url: null, tile_attribution: null };
export async function loadMapConfig() {
  try { mapConfig = await (await fetch("/app/config.json")).json(); } catch { /* offline: no tiles */ }
}

/** The phone's last position fix, shared by every widget. */
export const lastFix = { lon: null, lat: null, accuracy_m: null };

export function locate({ highAccuracy = true, maximumAge = 0 } = {}) {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) { reject(new Error("no geolocation")); return; }
    navigator.geolocation.getCurrentPosition((pos) => {
      Object.assign(lastFix, { lon: round(pos.coords.longitude), lat: round(pos.coords.latitude),
        accuracy_m: Math.round(pos.coords.accuracy) });
      resolve({ ...lastFix });
    }, (err) => reject(err), { enableHighAccuracy: highAccuracy, timeout: 20000, maximumAge });
  });
}

const round = (x) => Math.round(x * 1e7) / 1e7;
const M_PER_DEG_LAT = 111_320; // metres per degree of latitude (and of longitude at the equator)
export function distanceM(a, b) {
  const R = 6371008.8, rad = Math.PI / 180;
  const dLat = (b[1] - a[1]) * rad, dLon = (b[0] - a[0]) * rad;
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.sqrt(s));
}

function makeMap(el, label, center) {
  const L = window.L;
  if (!L) return null;
  el.setAttribute("role", "region");
  el.setAttribute("aria-label", label);
  const map = L.map(el, { attributionControl: !!mapConfig.tile_url, zoomControl: true, keyboard: true })
    .setView(center, 18);
  if (mapConfig.tile_url) {
    L.tileLayer(mapConfig.tile_url, { maxZoom: 19, attribution: mapConfig.tile_attribution || "" }).addTo(map);
  }
  L.control.scale({ imperial: false }).addTo(map);
  L.Icon.Default.imagePath = "/static/vendor/leaflet/images/";
  setTimeout(() => map.invalidateSize(), 50);
  return map;
}

/**
 * The "where" step's tools, placed above the schema's location fields (lon, lat, accuracy,
 * source): a "find me" button, the accuracy said in words, and a map whose pin can be dragged.
 * Everything is written into those fields, so the page works without the map.
 */
export function locationTools(stepEl, locationPath) {
  const input = (key) => stepEl.querySelector(`#${fieldId(`${locationPath}.${key}`)}`);
  const setSource = (value) => {
    const radio = stepEl.querySelector(`input[name="${locationPath}.source"][value="${value}"]`);
    if (radio) radio.checked = true;
  };
  const status = h("p", { class: "locate-status", id: "locate-status", role: "status" });
  const mapEl = h("div", { class: "map", id: "location-map" });
  const note = h("p", { class: "help" }, mapConfig.tile_url ? "" : t("map_no_tiles"));
  let map = null, marker = null, circle = null;

  const current = () => {
    const lon = Number(input("lon")?.value), lat = Number(input("lat")?.value);
    return Number.isFinite(lon) && Number.isFinite(lat) && input("lon").value !== "" ? [lat, lon] : null;
  };
  const draw = () => {
    const ll = current();
    if (!ll || !window.L) return;
    if (!map) {
      map = makeMap(mapEl, t("map_label"), ll);
      if (!map) return;
      marker = window.L.marker(ll, { draggable: true, keyboard: true, title: t("pin_label"), alt: t("pin_label") }).addTo(map);
      const placed = (p) => {
        input("lat").value = round(p.lat); input("lon").value = round(p.lng);
        setSource("map_pin");
        announce(t("pin_moved", { lat: round(p.lat), lon: round(p.lng) }));
      };
      marker.on("dragend", () => placed(marker.getLatLng()));
      // The keyboard way to drag: arrow keys move the focused pin 1 m (10 m with Shift). The
      // map would otherwise take the arrows to pan, so they stop here.
      marker.getElement()?.addEventListener("keydown", (ev) => {
        const dir = { ArrowUp: [0, 1], ArrowDown: [0, -1], ArrowLeft: [-1, 0], ArrowRight: [1, 0] }[ev.key];
        if (!dir) return;
        ev.preventDefault(); ev.stopPropagation();
        const m = ev.shiftKey ? 10 : 1, p = marker.getLatLng();
        const next = window.L.latLng(p.lat + (dir[1] * m) / M_PER_DEG_LAT,
          p.lng + (dir[0] * m) / (M_PER_DEG_LAT * Math.cos((p.lat * Math.PI) / 180)));
        marker.setLatLng(next);
        map.panTo(next);
        placed(next);
      });
    }
    marker.setLatLng(ll);
    const acc = Number(input("accuracy_m")?.value);
    if (circle) circle.remove();
    if (acc > 0) circle = window.L.circle(ll, { radius: acc, weight: 1, fillOpacity: 0.1 }).addTo(map);
    map.setView(ll, map.getZoom());
  };
  const find = async () => {
    status.textContent = t("locating");
    try {
      const fix = await locate();
      input("lon").value = fix.lon; input("lat").value = fix.lat;
      const acc = input("accuracy_m");
      if (acc) { acc.disabled = false; acc.value = fix.accuracy_m; const u = stepEl.querySelector(`#${fieldId(`${locationPath}.accuracy_m`)}-unknown`); if (u) u.checked = false; }
      setSource("gps");
      status.textContent = t(fix.accuracy_m > 50 ? "located_poor" : "located", { m: fix.accuracy_m });
      draw();
    } catch (err) {
      status.textContent = t("locate_failed", { why: err.message || err.code });
    }
  };
  for (const key of ["lon", "lat", "accuracy_m"]) input(key)?.addEventListener("change", draw);
  const button = h("button", { type: "button", class: "btn primary", onclick: find },
    h("span", { "aria-hidden": "true" }, "◎ "), t("locate"));
  const tools = h("div", { class: "where-tools" }, button, status, mapEl, note);
  return { element: tools, find, draw, hasValue: () => current() !== null };
}

/**
 * The access route (a GeoJSON LineString): points added while walking (watchPosition),
 * "add where I am", or a tap on the map. The list of points is summarised in words.
 */
export function lineStringWidget(path, node, value, { toilet } = {}) {
  let coords = value?.coordinates ? value.coordinates.map((c) => [...c]) : [];
  let watchId = null;
  const summary = h("p", { class: "route-summary", id: `${fieldId(path)}-summary`, "aria-live": "polite" });
  const mapEl = h("div", { class: "map", id: `${fieldId(path)}-map` });
  let map = null, line = null, dots = null;
  const redraw = () => {
    let m = 0;
    for (let i = 1; i < coords.length; i++) m += distanceM(coords[i - 1], coords[i]);
    summary.textContent = coords.length ? t("route_summary", { n: coords.length, m: Math.round(m) }) : t("route_empty");
    if (!window.L) return;
    const center = coords.length ? [coords.at(-1)[1], coords.at(-1)[0]]
      : toilet?.() ? [toilet()[1], toilet()[0]] : lastFix.lat ? [lastFix.lat, lastFix.lon] : null;
    if (!center) return;
    if (!map) {
      map = makeMap(mapEl, t("route_map_label"), center);
      if (!map) return;
      line = window.L.polyline([], { weight: 5 }).addTo(map);
      dots = window.L.layerGroup().addTo(map);
      map.on("click", (e) => add([round(e.latlng.lng), round(e.latlng.lat)]));
    }
    line.setLatLngs(coords.map((c) => [c[1], c[0]]));
    dots.clearLayers();
    coords.forEach((c, i) => window.L.circleMarker([c[1], c[0]], { radius: 6, weight: 2 })
      .bindTooltip(String(i + 1)).addTo(dots));
    const tp = toilet?.();
    if (tp) window.L.circleMarker([tp[1], tp[0]], { radius: 9, weight: 3, fill: false }).addTo(dots);
    map.setView(center, map.getZoom());
  };
  const add = (c) => {
    const last = coords.at(-1);
    if (last && last[0] === c[0] && last[1] === c[1]) return;
    coords.push(c);
    redraw();
  };
  const addHere = async () => {
    try {
      const fix = await locate();
      const c = [fix.lon, fix.lat];
      if (watchId === null || !coords.length || distanceM(coords.at(-1), c) >= 3) add(c);
    }
    catch (err) { announce(t("locate_failed", { why: err.message || err.code })); }
  };
  const recordBtn = h("button", { type: "button", class: "btn secondary", "aria-pressed": "false" }, t("route_record"));
  recordBtn.addEventListener("click", () => {
    if (watchId !== null) {
      navigator.geolocation.clearWatch(watchId); watchId = null;
      recordBtn.textContent = t("route_record"); recordBtn.setAttribute("aria-pressed", "false");
      return;
    }
    // The first point is where recording starts (the street entrance); a watch may take a
    // while to report, or report an error first, so ask for it at once as well.
    addHere();
    watchId = navigator.geolocation.watchPosition((pos) => {
      const c = [round(pos.coords.longitude), round(pos.coords.latitude)];
      Object.assign(lastFix, { lon: c[0], lat: c[1], accuracy_m: Math.round(pos.coords.accuracy) });
      // Drop jitter: a new point only once the phone has moved a few metres.
      if (!coords.length || distanceM(coords.at(-1), c) >= 3) add(c);
    // maximumAge 0: a cached fix would be where the volunteer stood before (often the toilet
    // itself, from the first step) and would become a bogus first point of the route.
    }, () => {}, { enableHighAccuracy: true, maximumAge: 0 });
    recordBtn.textContent = t("route_stop"); recordBtn.setAttribute("aria-pressed", "true");
  });
  const wrap = h("fieldset", { class: "field route", id: fieldId(path), dataset: { path, kind: "line" },
    "aria-describedby": `${helpId(path)} ${fieldId(path)}-summary` },
  h("legend", {}, titleOf(node)),
  h("p", { class: "help", id: helpId(path) }, [helpOf(node), t("route_help")].filter(Boolean).join(" ")),
  h("div", { class: "button-row" },
    recordBtn,
    h("button", { type: "button", class: "btn secondary route-add", onclick: addHere }, t("route_add_here")),
    h("button", { type: "button", class: "btn secondary", onclick: () => { coords.pop(); redraw(); } }, t("route_undo")),
    h("button", { type: "button", class: "btn secondary", onclick: () => { coords = []; redraw(); } }, t("route_clear"))),
  summary, mapEl, h("p", { class: "error", id: errorId(path), hidden: true }));
  wrap.widgetValue = () => (coords.length ? { type: "LineString", coordinates: coords.map((c) => [...c]) } : null);
  wrap.lastPoint = () => coords.at(-1) || null;
  wrap.redraw = redraw;
  wrap.stop = () => { if (watchId !== null) navigator.geolocation.clearWatch(watchId); watchId = null; };
  setTimeout(redraw, 0);
  return wrap;
}

/** A {lon, lat} point (an obstacle's place): from GPS now or the route's last point. */
export function pointWidget(path, node, value, { lastRoutePoint } = {}) {
  let point = value && Number.isFinite(value.lon) ? { lon: value.lon, lat: value.lat } : null;
  const text = h("p", { class: "point-value", id: `${fieldId(path)}-value` });
  const show = () => { text.textContent = point ? t("point_value", point) : t("point_none"); };
  const wrap = h("fieldset", { class: "field point", id: fieldId(path), dataset: { path, kind: "point" },
    "aria-describedby": `${fieldId(path)}-value` },
  h("legend", {}, titleOf(node)), text,
  h("div", { class: "button-row" },
    h("button", { type: "button", class: "btn secondary point-here", onclick: async () => {
      try { const fix = await locate(); point = { lon: fix.lon, lat: fix.lat }; show(); announce(text.textContent); }
      catch (err) { announce(t("locate_failed", { why: err.message || err.code })); }
    } }, t("point_here")),
    h("button", { type: "button", class: "btn secondary", onclick: () => {
      const last = lastRoutePoint?.(); if (last) { point = { lon: last[0], lat: last[1] }; show(); announce(text.textContent); }
    } }, t("point_last_route")),
    h("button", { type: "button", class: "btn secondary", onclick: () => { point = null; show(); } }, t("point_clear"))),
  h("p", { class: "error", id: errorId(path), hidden: true }));
  wrap.widgetValue = () => (point ? { ...point } : null);
  show();
  return wrap;
}
