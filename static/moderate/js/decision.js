// The decision form: the edit inputs (정제) built from the form schema, the criteria confirmed by
// eye, the fields each action needs, and sending the decision or giving the report back.
import { el, bi } from "/static/shared/dom.js";
import { call } from "./api.js";
import { $, state, say, showError, clearError } from "./page.js";
import { EDITABLE, fieldLabel, get } from "./fields.js";
import { actionLabel, choices, confirmable, fieldNode, fmt } from "./words.js";
import { refresh } from "./queue.js";

const M = "/api/v1/moderation";

/** "choice" (an enum), "boolean", "number" or "text", from the field's schema node. */
function kindOf(node) {
  if (node.enum) return "choice";
  const types = [node.type].flat();
  if (types.includes("boolean")) return "boolean";
  return types.includes("number") || types.includes("integer") ? "number" : "text";
}

function editInput(path, current) {
  const node = fieldNode(path) || {};
  const kind = kindOf(node);
  const common = { id: "edit-" + path.replace(/\./g, "-"), "data-path": path, "data-kind": kind,
    "data-original": JSON.stringify(current ?? null) };
  const input = kind === "choice" || kind === "boolean"
    ? el("select", common, el("option", { value: "", text: "모름 unknown" }),
      choices(node).map((c) => el("option", { value: c.value, text: c.label })))
    : el("input", { ...common, type: kind, step: node["x-unit"] === "deg" ? "0.000001" : null });
  input.value = current === null || current === undefined ? "" : String(current);
  return input;
}

export function renderEditFields(payload) {
  $("edit-fields").replaceChildren(...EDITABLE.map((path) => {
    const input = editInput(path, get(payload, path));
    return el("div", { class: "field" }, el("label", { for: input.id }, bi(...fieldLabel(path))), input);
  }));
  $("confirm-boxes").replaceChildren(...confirmable().map((c) => el("label", { class: "check" },
    el("input", { type: "checkbox", name: "confirmed", value: c.code }), " ", bi(c.label_ko, c.label_en), el("br"))));
}

function inputValue(input) {
  const value = input.value;
  if (value === "") return null;
  if (input.dataset.kind === "number") return Number(value);
  if (input.dataset.kind === "boolean") return value === "true";
  return value;
}

function otherEdits() {
  const extra = $("edit-json").value.trim();
  if (!extra) return {};
  try { return JSON.parse(extra); } catch {
    const err = { message_ko: "그 밖의 수정 JSON을 읽을 수 없습니다.", message_en: "The other edits are not valid JSON.", fields: [] };
    showError(err); throw err;
  }
}

/** Only what changed: edited inputs, a moved point, a redrawn route, and the JSON edits. */
function collectEdits() {
  const edits = {};
  const loc = {};
  for (const input of $("edit-fields").querySelectorAll("[data-path]")) {
    const path = input.dataset.path;
    const value = inputValue(input);
    if (path.startsWith("location.")) { loc[path.split(".")[1]] = value; continue; }
    if (JSON.stringify(value) !== input.dataset.original) edits[path] = value;
  }
  const p = state.report.payload.location;
  if (loc.lon !== p.lon || loc.lat !== p.lat) edits.location = { ...p, lon: loc.lon, lat: loc.lat, source: "map_pin" };
  if (state.route.length >= 2) edits["access_route.path"] = { type: "LineString", coordinates: state.route };
  return Object.assign(edits, otherEdits());
}

function currentAction() { return new FormData($("decision-form")).get("action"); }

/** A field's label from the form schema (Korean and English), or its path. */
function schemaLabel(path) {
  const node = fieldNode(path);
  return node ? [node.title, node["x-title-en"] || node.title] : [path, path];
}

/** A merge value as words: a measurement with its bound ("90 이 값 이상 At least this"), a choice by its label. */
function mergeValue(v, path) {
  if (v && typeof v === "object" && "value" in v && "bound" in v) {
    const label = fieldNode(`${path}_bound`)?.["x-enum-labels"]?.[v.bound];
    return `${fmt(v.value, path)} (${label ? `${label.ko} ${label.en}` : v.bound})`;
  }
  return fmt(v, path);
}

/**
 * Merging into a published toilet, field by field (GET …/merge-preview): for each field that
 * differs, the published value with the version and date it came from, the report's, and a
 * choice of which one the toilet keeps (the default: the report's where it knows one). A field
 * the report leaves unknown keeps the published value unless the moderator says otherwise.
 */
export async function loadMergePreview() {
  const box = $("merge-preview");
  const toilet = $("merge-into").value.trim();
  state.mergePreview = null;
  box.replaceChildren();
  if (!toilet || !state.report) return;
  const p = await call(`${M}/reports/${state.report.id}/merge-preview?toilet_id=${encodeURIComponent(toilet)}`);
  state.mergePreview = p;
  const rows = p.fields.filter((f) => !f.same);
  const table = el("table", { class: "merge-table" },
    el("caption", {}, bi(`“${p.toilet_name}” v${p.toilet_version}에 병합: 판정 ${p.verdict_before} → ${p.verdict_after}`,
      `Merge into “${p.toilet_name}” v${p.toilet_version}: verdict ${p.verdict_before} → ${p.verdict_after}`)),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, bi("항목", "Field")),
      el("th", { scope: "col" }, bi("게시 값 (버전·날짜)", "Published (version, date)")),
      el("th", { scope: "col" }, bi("제보 값", "Reported")), el("th", { scope: "col" }, bi("병합 후", "After the merge")))),
    el("tbody", {}, rows.map((f, i) => {
      const id = `merge-choice-${i}`;
      const source = f.published_source ? ` (v${f.published_source.version ?? "?"} · ${f.published_source.at ? new Date(f.published_source.at).toLocaleDateString("ko-KR") : "?"})` : "";
      const select = el("select", { id, "data-path": f.path, "data-default": f.default },
        el("option", { value: "report", text: "제보 값 Reported", selected: f.default === "report" ? true : null }),
        el("option", { value: "published", text: "게시 값 유지 Keep published", selected: f.default === "published" ? true : null }));
      return el("tr", {}, el("th", { scope: "row" }, el("label", { for: id }, bi(...schemaLabel(f.path)))),
        el("td", { text: mergeValue(f.published, f.path) + source }), el("td", { text: mergeValue(f.report, f.path) }),
        el("td", {}, select));
    })));
  const kept = p.confirmed_kept.length ? el("p", { class: "note" }, bi(`유지되는 검수자 확인: ${p.confirmed_kept.join(", ")}`,
    `Moderator confirmations kept: ${p.confirmed_kept.join(", ")}`)) : null;
  box.replaceChildren(rows.length ? table : el("p", { class: "note" }, bi("다른 값이 없습니다.", "No field differs.")), kept || "");
}

/** The merge's choices that differ from the default, as field path → "published" | "report". */
function fieldChoices() {
  const out = {};
  for (const select of $("merge-preview").querySelectorAll("select[data-path]")) {
    if (select.value !== select.dataset.default) out[select.dataset.path] = select.value;
  }
  return Object.keys(out).length ? out : null;
}

export function updateDecisionFields() {
  const a = currentAction();
  $("edits-fieldset").hidden = !(a === "approve" || a === "merge");
  $("public-only-field").hidden = !(a === "approve" || a === "merge");
  $("merge-field").hidden = a !== "merge";
  if (a === "merge" && !state.mergePreview && $("merge-into").value) loadMergePreview().catch(() => {});
  $("retire-field").hidden = a !== "retire";
  $("reason-field").hidden = a !== "reject";
  $("message-field").hidden = a !== "request_changes";
}

function decisionBody(action) {
  const body = { action, comment: $("comment").value || null };
  if (action === "approve" || action === "merge") {
    body.edits = collectEdits();
    body.confirmed = [...document.querySelectorAll("input[name=confirmed]:checked")].map((c) => c.value);
    if ($("public-layer-only").checked) body.public_layer_only = true;
  }
  if (action === "merge") {
    body.merge_into = $("merge-into").value || null;
    const choices = state.mergePreview && state.mergePreview.toilet_id === body.merge_into ? fieldChoices() : null;
    if (choices) body.field_choices = choices;
  }
  if (action === "retire") body.toilet_id = $("retire-toilet").value || null;
  if (action === "reject") body.reason_code = $("reason-code").value;
  if (action === "request_changes") {
    body.message = $("message").value || null;
    body.reason_code = $("change-request").value || null;
  }
  return body;
}

export async function submitDecision(ev) {
  ev.preventDefault();
  clearError();
  const action = currentAction();
  const out = await call(`${M}/reports/${state.report.id}/decision`, { method: "POST", json: decisionBody(action) });
  const published = out.published ? ` 게시됨 Published (toilet ${out.toilet_id}, v${out.toilet_version})` : "";
  const pending = out.report_status === "pending_second_review" ? " 2차 검토 대기 Waiting for a second review." : "";
  say(`결정했습니다: ${actionLabel(action)}.${published}${pending}`, `Decision recorded: ${out.report_status}.`);
  $("report-section").hidden = true;
  state.report = null;
  await refresh();
  $("queue-title").setAttribute("tabindex", "-1");
  $("queue-title").focus();
}

export async function release() {
  clearError();
  const r = state.report;
  await call(`${M}/reports/${r.id}/release`, { method: "POST" });
  say(`제보 #${r.id}을 대기열로 돌려놓았습니다.`, `Report #${r.id} released.`);
  $("report-section").hidden = true;
  await refresh();
}
