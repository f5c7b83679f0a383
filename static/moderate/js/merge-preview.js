// Merging a report into a published toilet, field by field: the published value with the
// version and date it came from, the report's, and the moderator's choice per field.
import { el, bi } from "/static/shared/dom.js";
import { call } from "./api.js";
import { $, state } from "./page.js";
import { fieldNode, fmt } from "./words.js";

const M = "/api/v1/moderation";

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
export function fieldChoices() {
  const out = {};
  for (const select of $("merge-preview").querySelectorAll("select[data-path]")) {
    if (select.value !== select.dataset.default) out[select.dataset.path] = select.value;
  }
  return Object.keys(out).length ? out : null;
}
