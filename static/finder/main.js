// The public finder (/): search, near me, filters by criterion, and the results as a list and
// as a map. The list is a full way to use it; the map (MapLibre, ~450 kB compressed) is loaded
// only when the map view is shown, so the first load stays small. The state lives in the URL
// (?q=&criteria=&verdict=&view=), so a search can be shared or bookmarked.
import { ApiError, apiClient } from "/static/shared/api.js";
import { el } from "/static/shared/dom.js";
import { CRITERIA, VERDICTS, criterionItem, verdictBadge } from "./verdict.js";
import { languageButton, messageOf, metres, pick, t } from "./words.js";

const { api } = apiClient({ get: () => null, save() {}, clear() {} });
const PAGE_SIZE = 20;
const SHOWN_ON_CARD = ["step_free", "door_90", "grab_bars_both", "bell_reachable", "turning_space"];
const VERDICT_FILTERS = { "": "verdict_all", reachable: "verdict_reachable", accessible: "verdict_accessible" };
const VERDICT_PARAM = { reachable: "accessible,partially_accessible", accessible: "accessible" };

const $ = (id) => document.getElementById(id);

const state = {
  q: "", criteria: new Set(), verdict: "", view: "list", near: null, radius: 1000,
  features: [], matched: 0, page: 1, hasNext: false,
};
let map = null; // the map module's handle, once loaded
let request = 0; // the latest search: answers to older ones are dropped

function readUrl() {
  const p = new URLSearchParams(location.search);
  state.q = (p.get("q") || "").slice(0, 100);
  state.criteria = new Set((p.get("criteria") || "").split(",").filter((c) => c in CRITERIA));
  state.verdict = p.get("verdict") in VERDICT_PARAM ? p.get("verdict") : "";
  state.view = p.get("view") === "map" ? "map" : "list";
}

function writeUrl() {
  const p = new URLSearchParams();
  if (state.q) p.set("q", state.q);
  if (state.criteria.size) p.set("criteria", [...state.criteria].join(","));
  if (state.verdict) p.set("verdict", state.verdict);
  if (state.view === "map") p.set("view", "map");
  const query = p.toString();
  history.replaceState(null, "", query ? `?${query}` : location.pathname);
}

function queryParams() {
  const p = new URLSearchParams();
  if (state.q) p.set("q", state.q);
  if (state.criteria.size) p.set("criteria", [...state.criteria].join(","));
  if (state.verdict) p.set("verdict", VERDICT_PARAM[state.verdict]);
  return p;
}

// -- static words ------------------------------------------------------------------------------

function renderWords() {
  document.title = `${t("title")} · ${t("search_heading")}`;
  $("skip-link").textContent = t("skip");
  $("brand-text").textContent = t("title");
  $("page-title").textContent = t("title");
  $("tagline").textContent = t("tagline");
  $("search-heading").textContent = t("search_heading");
  $("q-label").textContent = t("search_label");
  $("q-hint").textContent = t("search_hint");
  $("search-button").textContent = t("search_button");
  $("near-me").textContent = t("near_me");
  $("near-hint").textContent = t("near_me_hint");
  $("radius-label").textContent = t("radius_label");
  $("clear-location").textContent = t("clear_location");
  $("criteria-legend").textContent = t("filters_legend");
  $("filters-note").textContent = t("filters_note");
  $("verdict-legend").textContent = t("verdict_legend");
  $("apply-filters").textContent = t("apply");
  $("reset-filters").textContent = t("reset");
  $("results-heading").textContent = t("results_heading");
  $("view-label").textContent = t("view_label");
  $("view-list").textContent = t("view_list");
  $("view-map").textContent = t("view_map");
  $("map-label").textContent = t("map_label");
  $("map-hint").textContent = t("map_hint");
  $("legend-heading").textContent = t("legend");
  $("legend").replaceChildren(...Object.keys(VERDICTS).map((v) => el("li", {}, verdictBadge(v))));
  $("more").textContent = t("more");
  $("staff-heading").textContent = t("staff_heading");
  $("about").textContent = t("about");
  for (const a of document.querySelectorAll("#staff-links a")) a.textContent = t(a.dataset.word);
  renderFilterBoxes();
  renderFiltersToggle();
  renderLocation();
}

function renderFilterBoxes() {
  const boxes = Object.entries(CRITERIA).map(([name, words]) => el("div", { class: "box" },
    el("input", { type: "checkbox", id: `c-${name}`, name: "criteria", value: name, checked: state.criteria.has(name) }),
    el("label", { for: `c-${name}`, text: pick(words) })));
  $("criteria-boxes").replaceChildren(...boxes);
  const radios = Object.entries(VERDICT_FILTERS).map(([value, word]) => el("div", { class: "box" },
    el("input", { type: "radio", id: `v-${value || "all"}`, name: "verdict", value, checked: state.verdict === value }),
    el("label", { for: `v-${value || "all"}`, text: t(word) })));
  $("verdict-boxes").replaceChildren(...radios);
}

function renderFiltersToggle() {
  const n = state.criteria.size + (state.verdict ? 1 : 0);
  $("filters-toggle").textContent = n ? t("filters_count", { n }) : t("filters");
}

function renderLocation() {
  $("clear-location").hidden = !state.near;
  $("location-status").textContent = state.near ? t("located", { r: metres(state.radius) }) : "";
}

// -- results -----------------------------------------------------------------------------------

function card(feature) {
  const p = feature.properties;
  const facts = [
    p.distance_m != null ? el("span", { class: "distance", text: t("distance", { d: metres(p.distance_m) }) }) : null,
    el("span", { text: pick({ ko: p.district_name_ko, en: p.district_name_en }) }),
    p.floor ? el("span", { text: t("floor", { f: p.floor }) }) : null,
    p.criteria.open_24h ? el("span", { text: t("open_24h") }) :
      p.criteria.open_now === true ? el("span", { text: t("open_now_yes") }) :
        p.criteria.open_now === false ? el("span", { text: t("open_now_no") }) : null,
  ].filter(Boolean);
  const age = p.verified_age;
  return el("li", { class: "card", dataset: { id: p.id } },
    el("article", { "aria-labelledby": `name-${p.id}` },
      el("h3", { id: `name-${p.id}` }, el("a", { href: `/toilets/${encodeURIComponent(p.id)}`, text: p.name })),
      verdictBadge(p.verdict),
      el("p", { class: "facts" }, facts.flatMap((f, i) => (i ? [" · ", f] : [f]))),
      el("ul", { class: "crits" }, SHOWN_ON_CARD.map((c) => criterionItem(c, p.criteria[c]))),
      age.ageing ? el("p", { class: "ageing", text: `⚠ ${t("ageing", { date: age.verified_on })}` })
        : el("p", { class: "verified", text: t("verified", { date: age.verified_on }) })));
}

function renderResults() {
  $("list").replaceChildren(...state.features.map(card));
  $("more").hidden = !state.hasNext;
  const n = state.matched;
  $("result-count").textContent = n === 0 ? t("none")
    : state.features.length < n ? t("count_more", { n, shown: state.features.length }) : t("count", { n });
  showOnMap();
}

// A plain browse draws the whole layer from the vector tiles; a search, a place or criteria
// draw exactly the list's results (the tiles carry no search, and their clusters count every
// criterion), grouped with counts. The map says in words which of the two it shows.
function showOnMap() {
  if (!map) return;
  const tiles = !state.q && !state.near && state.criteria.size === 0;
  map.show(state.features, state.near, { tiles, verdicts: state.verdict ? VERDICT_PARAM[state.verdict].split(",") : null });
  $("map-shows").textContent = !tiles ? t("map_shows_results", { shown: state.features.length, n: state.matched })
    : state.verdict ? t("map_shows_layer_verdict") : t("map_shows_layer");
}

function showError(err) {
  const message = err instanceof ApiError ? `${t("error")} ${messageOf(err.body)}` : t("offline");
  $("error").replaceChildren(el("p", { text: message }),
    el("button", { type: "button", class: "btn", text: t("retry"), onclick: () => search() }));
}

async function search({ append = false } = {}) {
  const mine = ++request;
  $("error").replaceChildren();
  if (!append) $("result-count").textContent = t("loading");
  const p = queryParams();
  let path;
  if (state.near) {
    p.set("lon", state.near.lon); p.set("lat", state.near.lat); p.set("radius_m", state.radius); p.set("limit", 200);
    path = `/api/v1/toilets/nearby?${p}`;
  } else {
    p.set("page", append ? state.page + 1 : 1); p.set("page_size", PAGE_SIZE);
    path = `/api/v1/toilets?${p}`;
  }
  try {
    const { data } = await api(path, { auth: false });
    if (mine !== request) return;
    if (state.near) {
      Object.assign(state, { features: data.features, matched: data.numberReturned, page: 1, hasNext: false });
    } else {
      state.features = append ? state.features.concat(data.features) : data.features;
      Object.assign(state, { matched: data.numberMatched, page: data.page, hasNext: data.has_next });
    }
    renderResults();
  } catch (err) {
    if (mine !== request) return;
    $("result-count").textContent = "";
    showError(err);
  }
}

// -- near me -----------------------------------------------------------------------------------

function nearMe() {
  if (!("geolocation" in navigator)) { $("location-status").textContent = t("location_denied"); return; }
  $("location-status").textContent = t("locating");
  navigator.geolocation.getCurrentPosition((pos) => {
    state.near = { lon: pos.coords.longitude, lat: pos.coords.latitude };
    renderLocation();
    search();
  }, () => {
    state.near = null;
    renderLocation();
    $("location-status").textContent = t("location_denied");
  }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 60000 });
}

// -- views -------------------------------------------------------------------------------------

async function setView(view) {
  state.view = view;
  $("view-list").setAttribute("aria-pressed", String(view === "list"));
  $("view-map").setAttribute("aria-pressed", String(view === "map"));
  $("map-panel").hidden = view !== "map";
  $("list").hidden = view === "map";
  $("more").hidden = view === "map" || !state.hasNext;
  writeUrl();
  if (view === "map" && !map) {
    $("map-status").textContent = t("map_loading");
    try {
      const module = await import("./map.js");
      map = await module.createMap($("map"));
      window.reachableFinder = { map: map.map }; // for the browser tests, like the preview's
      $("map-status").textContent = "";
      showOnMap();
    } catch (err) {
      console.warn("map unavailable", err);
      $("map-status").textContent = t("map_failed");
    }
  } else if (view === "map") {
    map.resize();
  }
}

// -- wiring ------------------------------------------------------------------------------------

function init() {
  readUrl();
  $("q").value = state.q;
  languageButton(() => { renderWords(); renderResults(); if (map) map.relabel(); });
  renderWords();
  $("search-form").addEventListener("submit", (e) => {
    e.preventDefault();
    state.q = $("q").value.trim().slice(0, 100);
    writeUrl();
    search();
  });
  $("near-me").addEventListener("click", nearMe);
  $("clear-location").addEventListener("click", () => { state.near = null; renderLocation(); search(); $("near-me").focus(); });
  $("radius").addEventListener("change", () => { state.radius = Number($("radius").value); renderLocation(); if (state.near) search(); });
  $("filters-toggle").addEventListener("click", () => {
    const open = $("filters").hidden;
    $("filters").hidden = !open;
    $("filters-toggle").setAttribute("aria-expanded", String(open));
    if (open) $("c-step_free").focus();
  });
  $("filters").addEventListener("submit", (e) => {
    e.preventDefault();
    const form = new FormData($("filters"));
    state.criteria = new Set(form.getAll("criteria"));
    state.verdict = form.get("verdict") || "";
    renderFiltersToggle();
    writeUrl();
    search();
  });
  $("reset-filters").addEventListener("click", () => {
    state.criteria = new Set(); state.verdict = "";
    renderFilterBoxes(); renderFiltersToggle(); writeUrl(); search();
  });
  $("more").addEventListener("click", () => search({ append: true }));
  $("view-list").addEventListener("click", () => setView("list"));
  $("view-map").addEventListener("click", () => setView("map"));
  search();
  if (state.view === "map") setView("map");
}

init();
