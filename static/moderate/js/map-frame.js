// The map is crowd data drawn by folium: it runs in a frame sandboxed to an opaque origin
// (index.html and the map's own CSP), so nothing in it can read this page or its token. That
// frame cannot send the token either, so it is opened with a one-minute ticket for this report.
// Corrections: the map posts clicks; the console keeps the moved point and the new route and
// sends back what to draw.
import { call } from "./api.js";
import { $, state } from "./page.js";

export async function loadMap(id) {
  const ticket = await call(`/api/v1/moderation/reports/${id}/map-ticket`, { method: "POST" });
  $("map-frame").src = ticket.url;
}

/** A new report: no moved point, no new route, clicks change nothing. */
export function resetMapEdits() {
  state.route = []; state.moved = null;
  document.querySelector("input[name=map-mode][value=none]").checked = true;
  describeMapEdits();
}

function round6(x) { return Math.round(x * 1e6) / 1e6; }

function describeMapEdits() {
  const parts = [];
  if (state.moved) parts.push(`옮긴 위치 Moved point: ${state.moved.lon}, ${state.moved.lat}`);
  if (state.route.length) parts.push(`새 접근로 New route: ${state.route.length}개 점 points`
    + (state.route.length < 2 ? " (2개 이상 필요 needs 2 or more)" : ""));
  $("map-tools-state").textContent = parts.join(" · ");
}

function drawOnMap() {
  const frame = $("map-frame").contentWindow;
  if (frame) frame.postMessage({ type: "reachable-draw", point: state.moved, route: state.route }, "*");
}

function onPick(ev) {
  if (!state.report || ev.source !== $("map-frame").contentWindow || !ev.data || ev.data.type !== "reachable-pick") return;
  const mode = document.querySelector("input[name=map-mode]:checked").value;
  const lon = round6(Number(ev.data.lon)), lat = round6(Number(ev.data.lat));
  if (!Number.isFinite(lon) || !Number.isFinite(lat)) return;  // the frame is untrusted: numbers only
  if (mode === "point") {
    state.moved = { lon, lat };
    $("edit-location-lon").value = String(lon);
    $("edit-location-lat").value = String(lat);
  } else if (mode === "route") {
    state.route.push([lon, lat]);
  } else {
    return;
  }
  describeMapEdits();
  drawOnMap();
}

export function wireMapTools() {
  window.addEventListener("message", onPick);
  $("route-clear").addEventListener("click", () => { state.route = []; describeMapEdits(); drawOnMap(); });
}
