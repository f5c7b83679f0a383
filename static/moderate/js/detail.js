// One report: its heading and warnings, the duplicate candidates, the fields beside a published
// toilet's, and everything opened with it (photos, map, decision form, history).
import { el, bi } from "/static/shared/dom.js";
import { call } from "./api.js";
import { $, state, say, clearError } from "./page.js";
import { SHOWN, get } from "./fields.js";
import { fmt, statusLabel } from "./words.js";
import { renderEditFields, updateDecisionFields } from "./decision.js";
import { renderPhotos } from "./photos.js";
import { loadMap, resetMapEdits } from "./map-frame.js";
import { renderHistory } from "./history.js";
import { renderSmartSeoulMap } from "./ssm.js";

export async function openReport(id) {
  clearError();
  const r = await call(`/api/v1/moderation/reports/${id}`);
  state.report = r;
  state.compare = null;
  $("report-section").hidden = false;
  $("report-title").textContent = `제보 Report #${r.id}: ${r.payload.place.name}`;
  $("report-meta").textContent = `${statusLabel(r.status).join(" ")} · ${r.district.name_ko} ${r.district.name_en} · `
    + `봉사자 Volunteer: ${r.volunteer} · 수정본 Revision ${r.revision} · ${new Date(r.submitted_at).toLocaleString("ko-KR")}`;
  const warn = $("report-warnings");
  warn.replaceChildren();
  if (r.district_mismatch) warn.append(el("p", { class: "error", text: "주소의 자치구와 위치가 다릅니다 · The address names another district than the point." }));
  const firstToilet = renderCandidates(r.duplicate_candidates);
  if (firstToilet) await loadCompare(firstToilet.id); else renderFields();
  $("decision-form").reset();
  renderEditFields(r.payload);
  renderPhotos(r.photos);
  resetMapEdits();
  loadMap(r.id);
  renderHistory(r.reviews);
  renderSmartSeoulMap(r);
  $("merge-into").value = firstToilet ? firstToilet.id : "";
  $("retire-toilet").value = firstToilet ? firstToilet.id : "";
  updateDecisionFields();
  $("report-title").focus();
  say(`제보 #${r.id}을 열었습니다.`, `Opened report #${r.id}.`);
}

/** Lists the candidates and offers the published ones to compare and merge into; returns the nearest published one. */
function renderCandidates(candidates) {
  const cands = $("candidates");
  cands.replaceChildren();
  const select = $("compare-select");
  select.replaceChildren(el("option", { value: "", text: "없음 None" }));
  const datalist = $("merge-options");
  datalist.replaceChildren();
  for (const c of candidates) {
    const kind = c.type === "toilet" ? "게시 화장실 Published toilet" : `대기 제보 Pending report #${c.id}`;
    cands.append(el("li", { text: `${kind}: ${c.name} – ${c.distance_m} m, 이름 유사도 name similarity ${c.name_similarity}`
      + (c.same_floor === false ? ", 다른 층 other floor" : c.same_floor ? ", 같은 층 same floor" : "") }));
    if (c.type === "toilet") {
      select.append(el("option", { value: c.id, text: `${c.name} (${c.distance_m} m)` }));
      datalist.append(el("option", { value: c.id, text: c.name }));
    }
  }
  if (!candidates.length) cands.append(el("li", { class: "note", text: "없음 · None" }));
  const firstToilet = candidates.find((c) => c.type === "toilet");
  select.value = firstToilet ? firstToilet.id : "";
  return firstToilet;
}

export async function loadCompare(toiletId) {
  state.compare = toiletId ? (await call(`/api/v1/toilets/${toiletId}`)).properties : null;
  renderFields();
}

function renderFields() {
  const r = state.report, pub = state.compare;
  $("published-col").hidden = !pub;
  const tbody = $("fields-table").querySelector("tbody");
  tbody.replaceChildren();
  for (const [path, ko, en] of SHOWN) {
    const mine = get(r.payload, path);
    const row = el("tr", {}, el("th", { scope: "row" }, bi(ko, en)), el("td", { text: fmt(mine, path) }));
    if (pub) {
      const theirs = get(pub, path);
      const td = el("td", { text: fmt(theirs, path) });
      if (JSON.stringify(theirs ?? null) !== JSON.stringify(mine ?? null)) {
        td.className = "differs";
        td.setAttribute("aria-label", `${fmt(theirs, path)} (제보와 다름 differs from the report)`);
      }
      row.append(td);
    }
    tbody.append(row);
  }
  if (pub) {
    tbody.append(el("tr", {}, el("th", { scope: "row" }, bi("판정", "Verdict")), el("td", { text: "–" }),
      el("td", { class: "verdict", text: `${pub.verdict} (v${pub.version})` })));
  }
}
