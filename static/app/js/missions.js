// "Toilets to check near you" (issue 12 item 6): missions from GET /api/v1/missions/nearby,
// taken with POST /api/v1/missions/{id}/take and turned into a report draft about that place.
// Names and addresses come from the city's list or from volunteers: shown as text only.
import { el as h } from "/static/shared/dom.js";
import { api, ApiError, OfflineError } from "./api.js";
import { t, getLang, messageOf } from "./i18n.js";
import { announce } from "./live.js";
import { setTitle, focusHeading } from "./page.js";

const RADIUS_M = 1000;

function position() {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) { reject(new Error("no geolocation")); return; }
    navigator.geolocation.getCurrentPosition((p) => resolve(p.coords), reject, { enableHighAccuracy: true, timeout: 15000 });
  });
}

function when(iso) {
  return new Date(iso).toLocaleString(getLang() === "ko" ? "ko-KR" : "en-GB", { dateStyle: "medium", timeStyle: "short" });
}

function missionCard(m, onStart) {
  const { address } = m;
  const status = m.status === "reported" ? t("mission_reported")
    : m.mine ? t("mission_mine", { until: m.held_until ? when(m.held_until) : "" }) : null;
  return h("li", { class: `card mission mission-${m.kind}`, dataset: { missionId: m.id } },
    h("h3", {}, m.name || t("untitled")),
    h("p", {}, m.kind === "gap" ? t("mission_gap", { n: m.disabled_stalls ?? "?" }) : t("mission_reverify", { d: m.verified_on || "?" })),
    address ? h("p", {}, t("mission_address", { a: address })) : null,
    m.distance_m !== null && m.distance_m !== undefined ? h("p", {}, t("mission_distance", { d: m.distance_m })) : null,
    status ? h("p", { class: "state" }, h("strong", {}, status)) : null,
    m.status === "reported" ? null : h("div", { class: "button-row" },
      h("button", { type: "button", class: "btn primary take", onclick: (ev) => onStart(m, ev.currentTarget) },
        m.mine ? t("mission_continue") : t("mission_take"))));
}

/** The missions view: a button asks for the location, then the list near it. `onStart(mission)`
 * makes the draft once the mission is taken. */
export function viewMissions(main, { onStart }) {
  setTitle(t("missions_title"));
  const results = h("div", { class: "missions-results" });
  const find = h("button", { type: "button", class: "btn primary find" }, t("missions_find"));
  const take = async (m, button) => {
    button.disabled = true;
    try {
      const { data } = await api(`/api/v1/missions/${m.id}/take`, { method: "POST" });
      announce(t("mission_taken_now", { name: data.name || t("untitled") }));
      await onStart(data);
    } catch (exc) {
      button.disabled = false;
      announce(exc instanceof OfflineError ? t("mine_offline") : messageOf(exc.body || {}), { assertive: true });
      if (exc instanceof ApiError && exc.status === 409) load();
    }
  };
  let last = null;
  const load = async () => {
    find.disabled = true;
    results.replaceChildren(h("p", { role: "status" }, t("missions_locating")));
    try {
      last = last || await position();
    } catch {
      find.disabled = false;
      results.replaceChildren(h("p", { class: "notice", role: "alert" }, t("missions_no_location")));
      return;
    }
    try {
      const q = `lon=${last.longitude.toFixed(6)}&lat=${last.latitude.toFixed(6)}&radius_m=${RADIUS_M}`;
      const { data } = await api(`/api/v1/missions/nearby?${q}`);
      const parts = [h("p", { role: "status" }, data.items.length ? t("missions_found", { n: data.items.length }) : t("missions_none"))];
      if (data.items.length) parts.push(h("ul", { class: "cards missions" }, data.items.map((m) => missionCard(m, take))));
      if (data.in_district.length) {
        const district = getLang() === "ko" ? data.in_district[0].district_ko : data.in_district[0].district_en;
        parts.push(h("h2", {}, t("missions_in_district", { district: district || "" })),
          h("ul", { class: "cards missions" }, data.in_district.map((m) => missionCard(m, take))));
      }
      results.replaceChildren(...parts);
    } catch (exc) {
      results.replaceChildren(h("p", { class: "notice", role: "alert" },
        exc instanceof OfflineError ? t("mine_offline") : messageOf(exc.body || {})));
    } finally {
      find.disabled = false;
    }
  };
  find.addEventListener("click", () => { last = null; load(); });
  main.replaceChildren(h("h1", {}, t("missions_title")), h("p", {}, t("missions_intro")),
    h("div", { class: "button-row" }, find), results);
  focusHeading();
}
