// The gap list: per district, then the city's listed toilets with a disabled-use stall that no
// verified toilet is matched to, on a map (Leaflet; each tooltip a DOM node holding text, never
// an HTML string) and as a list, with a CSV download.
import { el } from "/static/shared/dom.js";
import { $, call, clearError, download, query, say } from "./page.js";
import { fmtCell, w } from "./lang.js";

let last = null;
let district = "";
let map = null;
let layer = null;
let tiles = null;

export async function loadGaps() {
  if (tiles === null) tiles = await call("/app/config.json", { auth: false });
  last = await call(`/api/v1/office/gaps${query({ district, page_size: 1000 })}`);
  renderGaps();
}

function tooltip(g) {
  return el("div", {}, el("strong", { text: g.name }), el("br"), el("span", { text: g.road_address || g.lot_address || "" }));
}

function drawMap(items) {
  const L = window.L;
  if (!L) return;
  if (!map) {
    map = L.map("gaps-map", { keyboard: true }).setView([37.5665, 126.978], 11);
    if (tiles?.tile_url) L.tileLayer(tiles.tile_url, { attribution: tiles.tile_attribution || "" }).addTo(map);
    layer = L.layerGroup().addTo(map);
  }
  layer.clearLayers();
  const points = items.filter((g) => g.lat !== null && g.lon !== null);
  for (const g of points) {
    L.circleMarker([g.lat, g.lon], { radius: 6, color: "#a40e26", weight: 2, fillOpacity: 0.6 })
      .bindTooltip(tooltip(g)).addTo(layer);
  }
  if (points.length) map.fitBounds(points.map((g) => [g.lat, g.lon]), { maxZoom: 15, padding: [20, 20] });
  map.invalidateSize();
}

// An ambiguous record: its candidate toilets, each with a button that makes it the office's match
// (the record then leaves the gap list). Names are crowd text: text nodes only.
function resolver(g) {
  const choose = (c) => async () => {
    clearError();
    await call(`/api/v1/office/reference/${encodeURIComponent(g.management_no)}/match`,
      { method: "POST", json: { toilet_id: c.toilet_id } });
    await loadGaps();
    say(`${g.name} → ${c.name}: 연결했습니다.`, `Matched ${g.name} to ${c.name}.`);
    $("gaps-title").focus();
  };
  const where = (c) => [c.distance_m !== null ? `${fmtCell(c.distance_m, "float")} m` : w("주소 일치", "same address"),
    c.similarity !== null ? w(`이름 유사도 ${c.similarity}`, `name similarity ${c.similarity}`) : ""].filter(Boolean).join(" · ");
  return el("details", { class: "resolver" },
    el("summary", { text: w(`확인 필요 · 후보 ${g.candidates.length}곳`, `To confirm · ${g.candidates.length} candidates`) }),
    el("ul", {}, g.candidates.map((c) => el("li", {}, el("span", { text: c.name }), " ", el("span", { class: "note", text: `(${where(c)})` }), " ",
      el("button", { type: "button", onclick: () => choose(c)().catch(() => {}),
        "aria-label": w(`${g.name}을(를) ${c.name}에 연결`, `Match ${g.name} to ${c.name}`) }, w("이 화장실로 연결", "Match to this toilet"))))));
}

export function renderGaps() {
  if (!last) return;
  const select = el("select", { id: "gaps-district", onchange: (ev) => { district = ev.target.value; loadGaps().catch(() => {}); } },
    el("option", { value: "", text: w("서울 전체", "All of Seoul") }),
    last.districts.map((d) => el("option", { value: d.code, selected: d.code === district, text: w(d.name_ko, d.name_en) })));
  const summary = el("div", { class: "table-wrap" }, el("table", {},
    el("caption", { text: w("자치구별 미확인 공중화장실", "Gaps per district") }),
    el("thead", {}, el("tr", {}, [["자치구", "District"], ["장애인 칸 있는 곳", "With a disabled-use stall"], ["미확인", "Gaps"]]
      .map(([ko, en]) => el("th", { scope: "col", text: w(ko, en) })))),
    el("tbody", {}, last.districts.map((d) => el("tr", {}, el("th", { scope: "row", text: w(d.name_ko, d.name_en) }),
      el("td", { class: "num", text: fmtCell(d.with_stall, "int") }), el("td", { class: "num", text: fmtCell(d.gaps, "int") }))))));
  const list = el("div", { class: "table-wrap" }, el("table", {},
    el("caption", { text: w(`미확인 ${last.total}곳`, `${last.total} gaps`) }),
    el("thead", {}, el("tr", {}, [["이름", "Name"], ["자치구", "District"], ["도로명 주소", "Road address"],
      ["지번 주소", "Lot address"], ["장애인 칸", "Stalls"], ["연결", "Match"]].map(([ko, en]) => el("th", { scope: "col", text: w(ko, en) })))),
    el("tbody", {}, last.items.map((g) => el("tr", {}, el("th", { scope: "row", text: g.name }), el("td", { text: g.district_ko ?? "–" }),
      el("td", { text: g.road_address ?? "" }), el("td", { text: g.lot_address ?? "" }), el("td", { class: "num", text: g.disabled_stalls }),
      el("td", {}, g.match_status === "ambiguous" ? resolver(g) : w("없음", "none")))))));
  $("gaps-body").replaceChildren(
    el("div", { class: "field inline" }, el("label", { for: "gaps-district", text: w("자치구", "District") }), select,
      el("button", { type: "button", onclick: () => download(`/api/v1/office/gaps.csv${query({ district })}`, "office-gaps.csv").catch(() => {}) },
        w("CSV 내려받기", "Download CSV"))),
    el("div", { id: "gaps-map", class: "gap-map", role: "region", "aria-label": w("미확인 공중화장실 지도 (같은 곳이 아래 목록에 있습니다)",
      "Map of the gaps (the same places are in the list below)") }),
    summary, list);
  map = null;
  drawMap(last.items);
}
