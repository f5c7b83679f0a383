// One report: its heading and warnings, the duplicate candidates, the fields beside a published
// toilet's, and everything opened with it (photos, map, decision form, history).
import { el, bi } from "/static/shared/dom.js";
import { call } from "./api.js";
import { $, state, say, clearError } from "./page.js";
import { SHOWN, get } from "./fields.js";
import { evidenceLabel, fmt, statusLabel } from "./words.js";
import { renderEditFields, updateDecisionFields } from "./decision.js";
import { renderPhotos } from "./photos.js";
import { loadMap, resetMapEdits } from "./map-frame.js";
import { renderHistory } from "./history.js";
import { renderSmartSeoulMap } from "./ssm.js";
import { renderReference } from "./reference.js";

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
  const suggested = r.suggested_decision;
  if (suggested) warn.append(suggestionNotice(suggested));
  const firstToilet = renderCandidates(r.duplicate_candidates);
  const compareWith = suggested ? suggested.toilet_id : firstToilet?.id;
  if (suggested && ![...$("compare-select").options].some((o) => o.value === suggested.toilet_id)) {
    $("compare-select").append(el("option", { value: suggested.toilet_id, text: `${suggested.toilet.name} (v${suggested.toilet.version})` }));
  }
  if (compareWith) { $("compare-select").value = compareWith; await loadCompare(compareWith); } else renderFields();
  $("decision-form").reset();
  renderEditFields(r.payload);
  renderPhotos(r.photos);
  resetMapEdits();
  loadMap(r.id);
  renderHistory(r.reviews);
  renderSmartSeoulMap(r);
  renderReference(r);
  state.mergePreview = null;
  $("merge-preview").replaceChildren();
  $("merge-into").value = compareWith || "";
  $("retire-toilet").value = compareWith || "";
  if (suggested?.action) {
    // the report names the published toilet it is about: merge into it, or retire it (form v2)
    const radio = document.querySelector(`input[name=action][value="${suggested.action}"]`);
    if (radio) radio.checked = true;
    if (suggested.action === "retire") $("comment").value = `${suggested.reason_ko} / ${suggested.reason_en}`;
  }
  updateDecisionFields();
  $("report-title").focus();
  say(`제보 #${r.id}을 열었습니다.`, `Opened report #${r.id}.`);
}

/** What the volunteer said the report is about: a published toilet to update, or one that is gone. */
function suggestionNotice(s) {
  const name = `${s.toilet.name} (v${s.toilet.version})`;
  if (s.action === "retire") {
    return el("p", { class: "notice suggestion" }, bi(`봉사자: 게시된 화장실 “${name}”이(가) 없어졌다고 합니다 – ${s.reason_ko}. 폐쇄가 선택되어 있습니다 (2차 검토).`,
      `The volunteer says the published toilet “${name}” is gone – ${s.reason_en}. Retire is pre-selected (second review).`));
  }
  if (s.action === "merge") {
    return el("p", { class: "notice suggestion" }, bi(`봉사자: 이 제보는 게시된 화장실 “${name}”에 관한 것입니다. 병합이 선택되어 있습니다.`,
      `The volunteer says this report is about the published toilet “${name}”. Merge is pre-selected.`));
  }
  return el("p", { class: "error suggestion" }, bi(`봉사자가 고른 게시 화장실 “${name}”은(는) 이미 폐쇄되었습니다.`,
    `The published toilet the volunteer chose (“${name}”) has been retired meanwhile.`));
}

/** Lists the candidates and offers the published ones to compare and merge into; returns the nearest published one. */
function renderCandidates(candidates) {
  const cands = $("candidates");
  cands.replaceChildren();
  const select = $("compare-select");
  select.replaceChildren(el("option", { value: "", text: "없음 None" }));
  const datalist = $("merge-options");
  datalist.replaceChildren();
  // likely duplicates first (on evidence), then what is only nearby
  const ordered = [...candidates].sort((a, b) => Number(b.likely_duplicate) - Number(a.likely_duplicate));
  for (const c of ordered) {
    const kind = c.type === "toilet" ? "게시 화장실 Published toilet" : `대기 제보 Pending report #${c.id}`;
    const tag = c.likely_duplicate
      ? `⚠ 중복 가능성 높음 Likely duplicate (${(c.evidence || []).map(evidenceLabel).join("; ")})`
      : "근처 Nearby";
    cands.append(el("li", { class: c.likely_duplicate ? "likely" : "nearby" },
      el("strong", { text: tag }), el("span", { text: ` – ${kind}: ${c.name} – ${c.distance_m} m, 이름 유사도 name similarity ${c.name_similarity}`
      + (c.same_floor === false ? ", 다른 층 other floor" : c.same_floor ? ", 같은 층 same floor" : "") })));
    if (c.type === "toilet") {
      select.append(el("option", { value: c.id, text: `${c.name} (${c.distance_m} m)` }));
      datalist.append(el("option", { value: c.id, text: c.name }));
    }
  }
  if (!candidates.length) cands.append(el("li", { class: "note", text: "없음 · None" }));
  const firstToilet = ordered.find((c) => c.type === "toilet");
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
