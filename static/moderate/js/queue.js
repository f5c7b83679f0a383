// The queue column: the figures, my claims, claiming more, decisions waiting for a second
// review, and retiring a published toilet without a report.
import { el, bi } from "/static/shared/dom.js";
import { call } from "./api.js";
import { $, state, say, clearError } from "./page.js";
import { actionLabel, fmt, statusLabel } from "./words.js";

const M = "/api/v1/moderation";

export async function refresh() {
  const [q, claims, reviews] = await Promise.all([call(`${M}/queue`), call(`${M}/claims`), call(`${M}/reviews`)]);
  renderFigures(q);
  renderClaims(claims.items);
  renderSecondReviews(reviews.items);
}

function renderFigures(q) {
  const dl = $("queue-figures");
  dl.replaceChildren();
  const add = (ko, en, value) => { dl.append(el("dt", {}, bi(ko, en)), el("dd", { text: String(value) })); };
  add("대기 중", "Waiting", q.depth);
  add("가장 오래된 대기", "Oldest waiting", q.oldest_age_seconds == null ? "–" : formatAge(q.oldest_age_seconds));
  for (const [s, n] of Object.entries(q.by_state)) if (s !== "queued") add(...statusLabel(s), n);
  add("2차 검토 대기", "Second reviews waiting", q.pending_second_reviews);
  $("lease-note").textContent = `맡은 제보는 ${q.lease_minutes}분 뒤 대기열로 돌아갑니다 · Claims return to the queue after ${q.lease_minutes} minutes.`;
  $("district-table").querySelector("tbody").replaceChildren(...q.by_district.map((d) => el("tr", {},
    el("th", { scope: "row", text: `${d.name_ko} ${d.name_en}` }), el("td", { text: d.queued }),
    el("td", { text: d.in_review }), el("td", { text: d.published }))));
}

/** Each claim is a button with data-report-id; main.js opens the report it names. */
function renderClaims(items) {
  const list = $("claims");
  list.replaceChildren(...items.map((c) => el("li", {},
    el("button", { type: "button", class: "link", "data-report-id": c.id }, `#${c.id} ${c.name}`),
    el("div", { class: "note", text: `~${new Date(c.lease_expires_at).toLocaleTimeString("ko-KR")} 까지 until` }))));
  if (!items.length) list.append(el("li", { class: "note", text: "맡은 제보가 없습니다 · No claimed reports" }));
}

function formatAge(seconds) {
  const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60);
  return h >= 48 ? `${Math.floor(h / 24)}일 days` : `${h}시간 h ${m}분 min`;
}

export async function claim(ev) {
  ev.preventDefault();
  clearError();
  const count = parseInt($("claim-count").value, 10) || 1;
  const out = await call(`${M}/claims`, { method: "POST", json: { count } });
  if (!out.items.length) say("가져올 제보가 없습니다.", "Nothing to claim.");
  else say(`${out.items.length}건을 맡았습니다.`, `Claimed ${out.items.length} report(s).`);
  await refresh();
  if (out.items.length) {
    const first = $("claims").querySelector("button");
    if (first) first.focus();
  }
}

function renderSecondReviews(items) {
  const ul = $("second-reviews");
  ul.replaceChildren();
  if (!items.length) { ul.append(el("li", { class: "note", text: "없음 · None" })); return; }
  for (const r of items) ul.append(secondReviewItem(r));
}

function secondReviewItem(r) {
  const commentId = `second-comment-${r.id}`;
  const what = r.report_id ? `제보 Report #${r.report_id}` : `화장실 Toilet ${r.toilet_id}`;
  const li = el("li", {},
    el("div", { text: `${actionLabel(r.action)} – ${what} – ${r.moderator} (${r.second_review_reasons.join(", ")})` }));
  if (r.comment) li.append(el("div", { class: "note", text: r.comment }));
  if (r.edits && r.edits.length) {
    li.append(el("div", { class: "note",
      text: `정제 Edits: ${r.edits.map((e) => `${e.path}: ${fmt(e.before, e.path)} → ${fmt(e.after, e.path)}`).join("; ")}` }));
  }
  if (state.me && r.moderator_id === state.me.id) {
    li.append(el("div", { class: "note", text: "내 결정이라 2차 검토할 수 없습니다 · Your own decision: another moderator must review it." }));
    return li;
  }
  li.append(el("label", { for: commentId }, bi("2차 검토 메모", "Second review comment")),
    el("input", { id: commentId }),
    el("div", { class: "buttons" },
      el("button", { type: "button", onclick: () => secondReview(r.id, "confirm", commentId) }, bi("확정", "Confirm")),
      el("button", { type: "button", onclick: () => secondReview(r.id, "overturn", commentId) }, bi("번복", "Overturn"))));
  return li;
}

async function secondReview(id, outcome, commentId) {
  clearError();
  const out = await call(`${M}/reviews/${id}/second-review`, { method: "POST",
    json: { outcome, comment: $(commentId).value || null } });
  say(outcome === "confirm" ? "확정했습니다." : "번복했습니다.", outcome === "confirm" ? `Confirmed${out.published ? " and published" : ""}.` : "Overturned.");
  await refresh();
}

export async function retireStandalone(ev) {
  ev.preventDefault();
  clearError();
  const id = $("retire-standalone-id").value.trim();
  const out = await call(`${M}/toilets/${encodeURIComponent(id)}/retire`, { method: "POST",
    json: { reason: $("retire-standalone-reason").value } });
  say(out.published ? "폐쇄했습니다." : "폐쇄 요청을 2차 검토에 올렸습니다.",
    out.published ? "Retired." : "Retirement sent for a second review.");
  $("retire-form").reset();
  await refresh();
}
