// The audit-log browser: filter by who, action, object and date, page through, export as CSV.
import { el } from "/static/shared/dom.js";
import { $, call, clearError, download, query } from "./page.js";
import { w } from "./lang.js";

const PAGE = 50;
let page = 1;
let last = null;

function filters() {
  return { who: $("audit-actor").value, action: $("audit-action").value, object_type: $("audit-object-type").value,
    object_id: $("audit-object-id").value, from: $("audit-from").value, to: $("audit-to").value };
}

export async function loadAudit() {
  last = await call(`/api/v1/office/audit${query({ ...filters(), page, page_size: PAGE })}`);
  renderAudit();
}

export function filterAudit(ev) { ev.preventDefault(); clearError(); page = 1; return loadAudit(); }

export function auditCsv() { return download(`/api/v1/office/audit.csv${query(filters())}`, "office-audit.csv"); }

export function renderAudit() {
  if (!last) return;
  const head = el("tr", {}, [["때", "When"], ["누가", "Who"], ["동작", "Action"], ["대상", "Object"], ["사유", "Reason"], ["내용", "Detail"]]
    .map(([ko, en]) => el("th", { scope: "col", text: w(ko, en) })));
  const rows = last.items.map((e) => el("tr", {},
    el("th", { scope: "row", text: new Date(e.at).toLocaleString(w("ko-KR", "en-GB"), { timeZone: "Asia/Seoul" }) }),
    el("td", { text: e.actor ?? (e.actor_id ? `#${e.actor_id}` : w("시스템·CLI", "system / CLI")) }),
    el("td", { text: e.action }), el("td", { text: `${e.object_type} ${e.object_id}` }),
    el("td", { text: e.reason ?? "" }), el("td", {}, el("code", { text: JSON.stringify(e.detail) }))));
  const pages = Math.max(1, Math.ceil(last.total / PAGE));
  $("audit-list").replaceChildren(
    el("p", { text: w(`${last.total}건 중 ${page}/${pages}쪽`, `${last.total} entries, page ${page} of ${pages}`) }),
    el("div", { class: "table-wrap" }, el("table", { "aria-label": w("감사 기록", "Audit log") }, el("thead", {}, head), el("tbody", {}, rows))),
    el("div", { class: "pager" },
      el("button", { type: "button", disabled: page <= 1, onclick: () => { page -= 1; loadAudit().catch(() => {}); } }, w("이전", "Previous")),
      el("button", { type: "button", disabled: page >= pages, onclick: () => { page += 1; loadAudit().catch(() => {}); } }, w("다음", "Next"))));
}
