// The dashboard: the headline figures (participants against the target, days left), then each
// table of /api/v1/office/dashboard as a chart, a table and a CSV download.
import { el } from "/static/shared/dom.js";
import { $, call, query } from "./page.js";
import { fmtCell, w } from "./lang.js";
import { tableFigure } from "./tables.js";

let last = null;

export async function loadDashboard() {
  const params = { from: $("dashboard-from").value, to: $("dashboard-to").value };
  last = await call(`/api/v1/office/dashboard${query(params)}`);
  $("dashboard-from").value = last.range.from;
  $("dashboard-to").value = last.range.to;
  renderDashboard();
}

export function renderDashboard() {
  if (!last) return;
  const { range, campaign, tables } = last;
  const volunteers = tables.organisations.rows.reduce((n, r) => n + r.volunteers, 0);
  const target = campaign.campaign?.participant_target;
  const dl = $("headline");
  const add = (ko, en, value) => dl.append(el("dt", { text: w(ko, en) }), el("dd", { text: value }));
  dl.replaceChildren();
  if (campaign.campaign) add("캠페인", "Campaign", campaign.campaign.name);
  add("참여자", "Participants", target ? `${fmtCell(volunteers, "int")} / ${fmtCell(target, "int")} (${fmtCell(volunteers / target, "float", "share")})`
    : fmtCell(volunteers, "int"));
  if (campaign.days) add("남은 날", "Days left", w(`${campaign.days.left}일 (전체 ${campaign.days.total}일)`, `${campaign.days.left} of ${campaign.days.total}`));
  add("기간", "Range", `${range.from} – ${range.to}`);
  const rangeQuery = query({ from: range.from, to: range.to });
  $("dashboard-tables").replaceChildren(...Object.values(tables).map((t) =>
    tableFigure(t, `/api/v1/office/tables/${t.key}.csv${rangeQuery}`, `${range.from}-${range.to}`)));
}
