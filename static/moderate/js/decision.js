// The decision form: the edit inputs (정제) built from the form schema, the criteria confirmed by
// eye, the fields each action needs, and sending the decision or giving the report back.
import { el, bi } from "/static/shared/dom.js";
import { call } from "./api.js";
import { $, state, say, showError, clearError } from "./page.js";
import { EDITABLE, fieldLabel, get } from "./fields.js";
import { actionLabel, choices, confirmable, fieldNode } from "./words.js";
import { fieldChoices, loadMergePreview } from "./merge-preview.js";
import { tiedReference } from "./reference.js";
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
    const reference = tiedReference();
    if (reference) body.reference_management_no = reference;
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
