// The report's decisions so far, oldest first.
import { el } from "/static/shared/dom.js";
import { $ } from "./page.js";
import { actionLabel } from "./words.js";

export function renderHistory(reviews) {
  const ol = $("history");
  ol.replaceChildren();
  if (!reviews.length) { ol.append(el("li", { class: "note", text: "결정 없음 · No decisions yet" })); return; }
  for (const r of reviews) {
    ol.append(el("li", { text: `${new Date(r.created_at).toLocaleString("ko-KR")} – ${actionLabel(r.action)} (${r.status}) – ${r.moderator}`
      + (r.reason_label ? ` – ${r.reason_label.join(" · ")}` : "") + (r.comment ? ` – ${r.comment}` : "")
      + (r.message ? ` – "${r.message}"` : "") }));
  }
}
