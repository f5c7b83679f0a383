// A table from the API ({key, title_ko, title_en, columns: [{key, kind, label_ko, label_en}],
// rows}) as an HTML table (what screen readers read), with its chart (Chart.js, drawn on a
// canvas: names are painted as pixels, never parsed as markup) and a CSV download of the same
// numbers, made by the server (text cells neutralised for spreadsheets).
import { el } from "/static/shared/dom.js";
import { download } from "./page.js";
import { fmtCell, w } from "./lang.js";

// Which columns each chart draws: label column, value columns, the chart's type.
const CHARTS = {
  organisations: { label: "name", values: ["volunteers", "target"], type: "bar", horizontal: true },
  age_bands: { label: "age_band", values: ["volunteers", "reporting"], type: "bar" },
  per_day: { label: "day", values: ["reports", "verified", "published"], type: "line" },
  districts: { label: "name_ko", labelEn: "name_en", values: ["reports", "verified", "active", "reference"], type: "bar", horizontal: true },
  backlog: { label: "partner", values: ["queued", "in_review", "second_review"], type: "bar", stacked: true, horizontal: true },
  verdicts: { label: "verdict", values: ["toilets"], type: "bar" },
  missions: { label: "name_ko", labelEn: "name_en", values: ["open_gap", "open_reverify", "taken", "reported", "done"], type: "bar", stacked: true, horizontal: true },
};
// Colour-blind-safe (Okabe–Ito), and every series is also named in the legend and the table.
const COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9"];
const charts = new Map();

export function tableElement(t, { caption = true } = {}) {
  const head = el("tr", {}, t.columns.map((c) => el("th", { scope: "col", text: w(c.label_ko, c.label_en) })));
  const body = t.rows.map((row) => el("tr", {}, t.columns.map((c, i) => (i === 0
    ? el("th", { scope: "row", text: fmtCell(row[c.key], c.kind, c.key) })
    : el("td", { class: c.kind === "text" ? null : "num", text: fmtCell(row[c.key], c.kind, c.key) })))));
  return el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": w(t.title_ko, t.title_en) },
    el("table", {}, caption ? el("caption", { text: w(t.title_ko, t.title_en) }) : null,
      el("thead", {}, head), el("tbody", {}, body)));
}

function drawChart(canvas, t) {
  const spec = CHARTS[t.key];
  if (!spec || !window.Chart) return;
  const label = (row) => String((w("ko", "en") === "en" && spec.labelEn ? row[spec.labelEn] : row[spec.label]) ?? "–");
  const col = (key) => t.columns.find((c) => c.key === key);
  const datasets = spec.values.map((key, i) => ({
    label: w(col(key).label_ko, col(key).label_en), data: t.rows.map((r) => r[key] ?? 0),
    backgroundColor: COLOURS[i % COLOURS.length], borderColor: COLOURS[i % COLOURS.length],
    borderWidth: spec.type === "line" ? 2 : 0, pointRadius: spec.type === "line" ? 2 : undefined,
  }));
  charts.get(canvas.id)?.destroy();
  charts.set(canvas.id, new window.Chart(canvas, {
    type: spec.type,
    data: { labels: t.rows.map(label), datasets },
    options: {
      indexAxis: spec.horizontal ? "y" : "x", responsive: true, maintainAspectRatio: false, animation: false,
      scales: { x: { stacked: !!spec.stacked, beginAtZero: true }, y: { stacked: !!spec.stacked, beginAtZero: true } },
      plugins: { legend: { position: "bottom" } },
    },
  }));
}

/** A figure: the title, the chart, the table and the CSV button, for a dashboard table. */
export function tableFigure(t, csvPath, rangeLabel) {
  const id = `chart-${t.key}`;
  const titleId = `title-${t.key}`;
  const rows = Math.max(t.rows.length, 4);
  const height = CHARTS[t.key]?.horizontal ? Math.min(40 + rows * 22, 700) : 280;
  const canvas = el("canvas", { id, role: "img",
    "aria-label": w(`${t.title_ko} 차트. 같은 수치가 아래 표에 있습니다.`, `${t.title_en} chart. The same numbers are in the table below.`) });
  const figure = el("section", { class: "card figure", "aria-labelledby": titleId },
    el("h3", { id: titleId, text: w(t.title_ko, t.title_en) }),
    CHARTS[t.key] ? el("div", { class: "chart", style: `height:${height}px` }, canvas) : null,
    tableElement(t, { caption: false }),
    el("button", { type: "button", class: "no-print", onclick: () => download(csvPath, `office-${t.key}-${rangeLabel}.csv`).catch(() => {}) },
      w(`${t.title_ko} CSV 내려받기`, `Download ${t.title_en} as CSV`)));
  queueMicrotask(() => drawChart(canvas, t));
  return figure;
}
