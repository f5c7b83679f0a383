// The final report for a date range: headline totals, then per district and per organisation;
// printable (print CSS keeps only this) and as one CSV.
import { el } from "/static/shared/dom.js";
import { $, call, clearError, download, query } from "./page.js";
import { fmtCell, w } from "./lang.js";
import { tableElement } from "./tables.js";

let last = null;

const TOTALS = [
  ["participant_target", "참여자 목표", "Participant target", "int"], ["volunteers", "가입 봉사자", "Volunteers joined", "int"],
  ["target_share", "목표 달성률", "Share of target", "float"], ["reporting", "제보한 봉사자", "Volunteers who reported", "int"],
  ["reports", "제보", "Reports", "int"], ["verified", "검증된 제보", "Verified reports", "int"],
  ["published", "새로 게시", "Newly published", "int"], ["active", "게시 중인 화장실", "Published toilets now", "int"],
  ["accessible_share", "접근 가능 비율", "Accessible share", "float"], ["coverage", "공공 목록 대비 확인률", "Coverage of the reference", "float"],
];

function range() { return { from: $("report-from").value, to: $("report-to").value }; }

export async function makeReport(ev) {
  ev?.preventDefault();
  clearError();
  last = await call(`/api/v1/office/report${query(range())}`);
  $("report-from").value = last.range.from;
  $("report-to").value = last.range.to;
  renderReport();
}

/** On first opening: the default range (the campaign so far, else the last 30 days). */
export async function loadReport() { if (!last) await makeReport(); }

export function renderReport() {
  if (!last) return;
  const { totals, tables, campaign } = last;
  const dl = el("dl", { class: "figures" }, TOTALS.flatMap(([key, ko, en, kind]) =>
    [el("dt", { text: w(ko, en) }), el("dd", { text: fmtCell(totals[key], kind, key) })]));
  $("report-body").replaceChildren(
    el("p", { class: "report-range", text: w(`${campaign ? campaign.name + " · " : ""}기간 ${last.range.from} – ${last.range.to} (${last.range.days}일)`,
      `${campaign ? campaign.name + " · " : ""}${last.range.from} – ${last.range.to} (${last.range.days} days)`) }),
    dl, tableElement(tables.districts), tableElement(tables.organisations));
}

export function reportCsv() {
  const r = range();
  return download(`/api/v1/office/report.csv${query(r)}`, `office-report-${r.from}-${r.to}.csv`);
}
