// A toilet's own page (/toilets/{id}): the verdict with every criterion's value and outcome,
// where it is, the way in and its obstacles (text, and a small map loaded after the text),
// opening hours, photos, how recently it was checked, and "report a change" (/app/?toilet=id).
// Everything the crowd wrote is set as text only.
import { ApiError, apiClient } from "/static/shared/api.js";
import { el } from "/static/shared/dom.js";
import { CRITERIA, criterionItem, verdictBadge } from "./verdict.js";
import { CODES, languageButton, messageOf, pick, t } from "./words.js";

const { api } = apiClient({ get: () => null, save() {}, clear() {} });
const $ = (id) => document.getElementById(id);
const toiletId = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop() || "");
const OUTCOME = {
  met: { mark: "✓", word: "outcome_met" }, confirmed: { mark: "✓", word: "outcome_confirmed" },
  failed: { mark: "✕", word: "outcome_failed" }, unknown: { mark: "?", word: "outcome_unknown" },
};
let feature = null;
let routeMap = null;

function section(id, heading, ...content) {
  return el("section", { "aria-labelledby": id }, el("h2", { id, text: heading }), ...content);
}

function reasons(p) {
  return el("ul", { class: "reasons" }, p.verdict_reasons.map((r) => {
    const o = OUTCOME[r.outcome] || OUTCOME.unknown;
    return el("li", { class: `reason-${r.outcome}` },
      el("span", { class: "mark", "aria-hidden": "true", text: o.mark }),
      el("span", {}, el("span", { class: "reason-text", text: pick(r.text) }), " ",
        el("span", { class: "outcome", text: `(${t(o.word)})` })));
  }));
}

function place(p) {
  const pl = p.place || {};
  const rows = [
    ["building", p.building_name], ["floor_label", p.floor], ["location_detail", pl.location_detail],
    ["road_address", pl.road_address], ["lot_address", pl.lot_address],
    ["district", pick({ ko: p.district_name_ko, en: p.district_name_en })],
  ].filter(([, v]) => v);
  return el("dl", { class: "place" }, rows.flatMap(([k, v]) => [el("dt", { text: t(k) }), el("dd", { text: v })]));
}

function hours(p) {
  const pl = p.place || {};
  const bits = [];
  if (pl.opening) bits.push(el("p", {}, `${t("opening")}: `, pick(CODES.opening[pl.opening]) || pl.opening));
  if (pl.opening_hours) bits.push(el("p", { class: "hours-text", text: pl.opening_hours }));
  if (!bits.length) bits.push(el("p", { text: t("unknown") }));
  const now = p.criteria.open_24h ? "open_24h" : p.criteria.open_now === true ? "open_now_yes"
    : p.criteria.open_now === false ? "open_now_no" : "open_now_unknown";
  bits.push(el("p", { class: "open-now", text: t(now) }));
  return bits;
}

function obstacles(p) {
  const list = (p.access_route && p.access_route.obstacles) || [];
  if (!list.length) return el("p", { text: t("no_obstacles") });
  return el("ol", { class: "obstacles" }, list.map((o) => {
    const size = [o.height_cm != null ? `${o.height_cm} cm ↕` : null, o.width_cm != null ? `${o.width_cm} cm ↔` : null]
      .filter(Boolean).join(", ");
    return el("li", {}, pick(CODES.obstacle[o.kind]) || String(o.kind || ""), size ? ` (${size})` : "",
      o.note ? el("span", {}, ": ", el("span", { class: "note", text: o.note })) : null);
  }));
}

function photos(p) {
  if (!p.photos.length) return el("p", { text: t("no_photos") });
  const n = p.photos.length;
  return el("ul", { class: "photos" }, p.photos.map((name, i) => {
    const base = `/api/v1/toilets/${encodeURIComponent(p.id)}/photos/${encodeURIComponent(name)}`;
    return el("li", {}, el("a", { href: base },
      el("img", { src: `${base}?size=thumb`, alt: t("photo_alt", { name: p.name, i: i + 1, n }), loading: "lazy",
        width: 320, height: 240 })));
  }));
}

function render() {
  if (!feature) return;
  const p = feature.properties;
  document.title = `${p.name} · ${t("title")}`;
  $("skip-link").textContent = t("skip");
  $("back").textContent = t("back");
  $("name").textContent = p.name;
  const age = p.verified_age;
  const route = [
    el("ul", { class: "crits" }, ["step_free"].map((c) => criterionItem(c, p.criteria[c]))),
    el("div", { id: "route-map", class: "map small-map", role: "region", "aria-label": t("route_map_label") }),
    p.route ? null : el("p", { text: t("no_route") }),
    el("h3", { text: t("obstacles_heading") }), obstacles(p),
  ];
  $("toilet").replaceChildren(
    el("p", {}, verdictBadge(p.verdict)),
    el("ul", { class: "crits" }, Object.keys(CRITERIA).filter((c) => !c.startsWith("open")).map((c) => criterionItem(c, p.criteria[c]))),
    section("h-reasons", t("criteria_heading"), reasons(p)),
    section("h-place", t("place_heading"), place(p)),
    section("h-route", t("route_heading"), ...route),
    section("h-hours", t("hours_heading"), ...hours(p)),
    section("h-photos", t("photos_heading"), photos(p)),
    section("h-verified", t("verified_heading"),
      age.ageing ? el("p", { class: "ageing", text: `⚠ ${t("ageing", { date: age.verified_on })}` })
        : el("p", { text: t("verified", { date: age.verified_on }) })),
    el("p", { class: "report-change" },
      el("a", { class: "btn primary", href: `/app/?toilet=${encodeURIComponent(p.id)}`, "aria-describedby": "change-hint",
        text: t("report_change") }),
      " ", el("span", { id: "change-hint", class: "hint", text: t("report_change_hint") })),
  );
  drawRouteMap();
}

async function drawRouteMap() {
  const container = $("route-map");
  try {
    const module = await import("./map.js");
    if (routeMap) routeMap.remove();
    routeMap = await module.createRouteMap(container, feature);
  } catch (err) {
    console.warn("map unavailable", err);
    container.replaceWith(el("p", { class: "hint", text: t("map_failed") }));
  }
}

async function load() {
  try {
    const { data } = await api(`/api/v1/toilets/${encodeURIComponent(toiletId)}`, { auth: false });
    feature = data;
    render();
  } catch (err) {
    $("name").textContent = t("not_found");
    const message = err instanceof ApiError ? messageOf(err.body) : t("offline");
    $("error").replaceChildren(el("p", { text: message }), el("p", {}, el("a", { href: "/", text: t("back") })));
  }
}

languageButton(render);
load();
