// Moderator console: plain JS over the moderation API. Text is always set with textContent
// (never innerHTML with data), so a report cannot inject markup into the console.
"use strict";

const API = "/api/v1";
const state = { token: sessionStorage.getItem("reachable.token"), me: null, report: null, compare: null,
  reasons: [], photoUrls: [], route: [], moved: null };

const $ = (id) => document.getElementById(id);
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}
function bi(ko, en) { // "한국어 English" with the English marked as such for screen readers
  const span = el("span", {}, ko + " ");
  span.append(el("span", { lang: "en", class: "en", text: en }));
  return span;
}

function say(ko, en) { $("status").textContent = `${ko} · ${en}`; }
function showError(body) {
  const box = $("error");
  box.replaceChildren();
  box.append(el("p", { text: `${body.message_ko || "오류"} · ${body.message_en || "Error"}` }));
  if (body.fields && body.fields.length) {
    const ul = el("ul");
    for (const f of body.fields) ul.append(el("li", { text: `${f.path}: ${f.message_ko} · ${f.message_en}` }));
    box.append(ul);
  }
  box.hidden = false;
}
function clearError() { $("error").hidden = true; $("error").replaceChildren(); }

async function api(path, { method = "GET", body, raw = false } = {}) {
  const headers = {};
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 401 && path !== "/auth/token") { logout(); }
  if (!res.ok) {
    let err;
    try { err = await res.json(); } catch { err = { message_ko: `오류 ${res.status}`, message_en: `Error ${res.status}` }; }
    showError(err);
    throw err;
  }
  if (raw) return res;
  return res.json();
}

// ---- log in / out ----------------------------------------------------------------------
async function login(ev) {
  ev.preventDefault();
  clearError();
  const form = new URLSearchParams({ username: $("login-username").value, password: $("login-password").value });
  const res = await fetch(`${API}/auth/token`, { method: "POST", body: form });
  const body = await res.json();
  if (!res.ok) { showError(body); return; }
  state.token = body.access_token;
  sessionStorage.setItem("reachable.token", state.token);
  await start();
}
function logout() {
  state.token = null; state.me = null;
  sessionStorage.removeItem("reachable.token");
  $("work").hidden = true; $("whoami").hidden = true; $("login-section").hidden = false;
}
async function start() {
  try { state.me = await api("/me"); } catch { logout(); return; }
  if (!["moderator", "admin"].includes(state.me.role)) {
    showError({ message_ko: "검수자 계정으로 로그인해 주세요.", message_en: "Log in with a moderator account." });
    logout(); return;
  }
  $("login-section").hidden = true; $("work").hidden = false; $("whoami").hidden = false;
  $("whoami-name").textContent = `${state.me.username} (${state.me.role})`;
  state.reasons = await api("/moderation/reason-codes");
  const sel = $("reason-code");
  sel.replaceChildren(...state.reasons.map((r) => el("option", { value: r.code, text: `${r.label_ko} · ${r.label_en}` })));
  say("로그인했습니다.", "Logged in.");
  await refresh();
  $("main").focus();
}

// ---- queue -----------------------------------------------------------------------------
const STATE_LABELS = { queued: ["대기", "Queued"], in_review: ["검토 중", "In review"],
  changes_requested: ["보완 요청", "Changes requested"], pending_second_review: ["2차 검토 대기", "Second review"],
  approved: ["승인", "Approved"], merged: ["병합", "Merged"], rejected: ["반려", "Rejected"] };

async function refresh() {
  const [q, claims, reviews] = await Promise.all([api("/moderation/queue"), api("/moderation/claims"),
    api("/moderation/reviews")]);
  const dl = $("queue-figures");
  dl.replaceChildren();
  const add = (ko, en, value) => { dl.append(el("dt", {}, bi(ko, en)), el("dd", { text: String(value) })); };
  add("대기 중", "Waiting", q.depth);
  add("가장 오래된 대기", "Oldest waiting", q.oldest_age_seconds == null ? "–" : formatAge(q.oldest_age_seconds));
  for (const [s, n] of Object.entries(q.by_state)) if (s !== "queued") add(STATE_LABELS[s][0], STATE_LABELS[s][1], n);
  add("2차 검토 대기", "Second reviews waiting", q.pending_second_reviews);
  $("lease-note").textContent = `맡은 제보는 ${q.lease_minutes}분 뒤 대기열로 돌아갑니다 · Claims return to the queue after ${q.lease_minutes} minutes.`;
  const tbody = $("district-table").querySelector("tbody");
  tbody.replaceChildren(...q.by_district.map((d) => el("tr", {},
    el("th", { scope: "row", text: `${d.name_ko} ${d.name_en}` }), el("td", { text: d.queued }),
    el("td", { text: d.in_review }), el("td", { text: d.published }))));
  const list = $("claims");
  list.replaceChildren(...claims.items.map((c) => el("li", {},
    el("button", { type: "button", class: "link", "data-report-id": c.id, onclick: () => openReport(c.id) },
      `#${c.id} ${c.name}`),
    el("div", { class: "note", text: `~${new Date(c.lease_expires_at).toLocaleTimeString("ko-KR")} 까지 until` }))));
  if (!claims.items.length) list.append(el("li", { class: "note", text: "맡은 제보가 없습니다 · No claimed reports" }));
  renderSecondReviews(reviews.items);
}

function formatAge(seconds) {
  const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60);
  return h >= 48 ? `${Math.floor(h / 24)}일 days` : `${h}시간 h ${m}분 min`;
}

async function claim(ev) {
  ev.preventDefault();
  clearError();
  const count = parseInt($("claim-count").value, 10) || 1;
  const out = await api("/moderation/claims", { method: "POST", body: { count } });
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
  for (const r of items) {
    const mine = state.me && r.moderator_id === state.me.id;
    const commentId = `second-comment-${r.id}`;
    const what = r.report_id ? `제보 Report #${r.report_id}` : `화장실 Toilet ${r.toilet_id}`;
    const li = el("li", {},
      el("div", { text: `${actionLabel(r.action)} – ${what} – ${r.moderator} (${r.second_review_reasons.join(", ")})` }));
    if (r.comment) li.append(el("div", { class: "note", text: r.comment }));
    if (r.edits && r.edits.length) li.append(el("div", { class: "note", text: `정제 Edits: ${r.edits.map((e) => `${e.path}: ${fmt(e.before)} → ${fmt(e.after)}`).join("; ")}` }));
    if (mine) {
      li.append(el("div", { class: "note", text: "내 결정이라 2차 검토할 수 없습니다 · Your own decision: another moderator must review it." }));
    } else {
      li.append(el("label", { for: commentId }, bi("2차 검토 메모", "Second review comment")),
        el("input", { id: commentId }),
        el("div", { class: "buttons" },
          el("button", { type: "button", onclick: () => secondReview(r.id, "confirm", commentId) }, bi("확정", "Confirm")),
          el("button", { type: "button", onclick: () => secondReview(r.id, "overturn", commentId) }, bi("번복", "Overturn"))));
    }
    ul.append(li);
  }
}

async function secondReview(id, outcome, commentId) {
  clearError();
  const out = await api(`/moderation/reviews/${id}/second-review`, { method: "POST",
    body: { outcome, comment: $(commentId).value || null } });
  say(outcome === "confirm" ? "확정했습니다." : "번복했습니다.", outcome === "confirm" ? `Confirmed${out.published ? " and published" : ""}.` : "Overturned.");
  await refresh();
}

// ---- one report ------------------------------------------------------------------------
const FIELDS = [
  ["place.name", "이름", "Name"], ["place.building_name", "건물", "Building"], ["place.floor", "층", "Floor"],
  ["place.road_address", "도로명주소", "Road address"], ["place.lot_address", "지번주소", "Lot address"],
  ["place.location_detail", "위치 설명", "Location detail"], ["place.opening", "개방", "Opening"],
  ["place.opening_hours", "개방 시간", "Opening hours"],
  ["access_route.step_free", "접근로 단차 없음", "Route step-free"], ["access_route.elevator", "승강기", "Lift"],
  ["access_route.ramp_slope_percent", "경사로 기울기 %", "Ramp slope %"],
  ["access_route.entrance_step_free", "출입구 단차 없음", "Entrance step-free"],
  ["toilet.arrangement", "화장실 형태", "Arrangement"], ["toilet.door_type", "문 종류", "Door type"],
  ["toilet.door_clear_width_cm", "문 유효폭 cm", "Door clear width cm"],
  ["toilet.threshold_height_cm", "문턱 높이 cm", "Threshold height cm"],
  ["toilet.turning_space_150cm", "회전 공간 150cm", "Turning space 150 cm"],
  ["toilet.interior_width_cm", "내부 폭 cm", "Interior width cm"], ["toilet.interior_depth_cm", "내부 깊이 cm", "Interior depth cm"],
  ["toilet.grab_bars", "손잡이", "Grab bars"], ["toilet.emergency_bell", "비상벨", "Emergency bell"],
  ["toilet.washbasin_accessible", "세면대 이용 가능", "Washbasin usable"],
  ["toilet.baby_changing_table", "기저귀 교환대", "Baby changing table"],
  ["notes", "메모", "Notes"],
];
// Fields offered as edit inputs (정제); options for enumerations, numbers otherwise.
const EDITABLE = {
  "place.name": { type: "text" }, "place.floor": { type: "text" },
  "toilet.door_clear_width_cm": { type: "number" }, "toilet.threshold_height_cm": { type: "number" },
  "toilet.turning_space_150cm": { options: ["", "true", "false"] },
  "toilet.grab_bars": { options: ["", "both_sides", "one_side", "none"] },
  "toilet.emergency_bell": { options: ["", "reachable_from_floor", "present", "none"] },
  "toilet.arrangement": { options: ["", "separate_accessible_per_gender", "unisex_accessible", "inside_general_toilet", "none"] },
  "toilet.door_type": { options: ["", "automatic", "sliding", "hinged_outward", "hinged_inward", "folding", "curtain", "other"] },
  "access_route.step_free": { options: ["", "yes", "partial", "no"] },
  "location.lon": { type: "number", step: "0.000001" }, "location.lat": { type: "number", step: "0.000001" },
};
const CONFIRMABLE = [["step_free", "접근로 단차 없음", "Step-free route"], ["door_clear_width", "문 유효폭 90cm 이상", "Door ≥ 90 cm"],
  ["door_type", "문이 안쪽으로 열리지 않음", "Door does not open inward"],
  ["threshold", "문턱 2cm 이하", "Threshold ≤ 2 cm"], ["turning_space", "회전 공간 150×150", "Turning space 150×150"],
  ["grab_bars", "양쪽 손잡이", "Grab bars both sides"], ["emergency_bell", "바닥에서 닿는 비상벨", "Bell reachable from the floor"]];

function get(obj, path) { return path.split(".").reduce((o, k) => (o == null ? undefined : o[k]), obj); }
function fmt(v) {
  if (v === null || v === undefined) return "모름 unknown";
  if (v === true) return "예 yes";
  if (v === false) return "아니오 no";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}
function actionLabel(a) {
  return { approve: "승인 Approve", merge: "병합 Merge", request_changes: "보완 요청 Request changes",
    reject: "반려 Reject", retire: "폐쇄 Retire" }[a] || a;
}

async function openReport(id) {
  clearError();
  const r = await api(`/moderation/reports/${id}`);
  state.report = r;
  state.compare = null;
  $("report-section").hidden = false;
  $("report-title").textContent = `제보 Report #${r.id}: ${r.payload.place.name}`;
  $("report-meta").textContent = `${STATE_LABELS[r.status].join(" ")} · ${r.district.name_ko} ${r.district.name_en} · `
    + `봉사자 Volunteer: ${r.volunteer} · 수정본 Revision ${r.revision} · ${new Date(r.submitted_at).toLocaleString("ko-KR")}`;
  const warn = $("report-warnings");
  warn.replaceChildren();
  if (r.district_mismatch) warn.append(el("p", { class: "error", text: "주소의 자치구와 위치가 다릅니다 · The address names another district than the point." }));
  // candidates
  const cands = $("candidates");
  cands.replaceChildren();
  const select = $("compare-select");
  select.replaceChildren(el("option", { value: "", text: "없음 None" }));
  const datalist = $("merge-options");
  datalist.replaceChildren();
  for (const c of r.duplicate_candidates) {
    const kind = c.type === "toilet" ? "게시 화장실 Published toilet" : `대기 제보 Pending report #${c.id}`;
    cands.append(el("li", { text: `${kind}: ${c.name} – ${c.distance_m} m, 이름 유사도 name similarity ${c.name_similarity}`
      + (c.same_floor === false ? ", 다른 층 other floor" : c.same_floor ? ", 같은 층 same floor" : "") }));
    if (c.type === "toilet") {
      select.append(el("option", { value: c.id, text: `${c.name} (${c.distance_m} m)` }));
      datalist.append(el("option", { value: c.id, text: c.name }));
    }
  }
  if (!r.duplicate_candidates.length) cands.append(el("li", { class: "note", text: "없음 · None" }));
  const firstToilet = r.duplicate_candidates.find((c) => c.type === "toilet");
  select.value = firstToilet ? firstToilet.id : "";
  if (firstToilet) await loadCompare(firstToilet.id); else renderFields();
  $("decision-form").reset();
  renderEditFields(r.payload);
  renderPhotos(r.photos);
  state.route = []; state.moved = null;
  document.querySelector("input[name=map-mode][value=none]").checked = true;
  describeMapEdits();
  loadMap(r.id);
  renderHistory(r.reviews);
  $("merge-into").value = firstToilet ? firstToilet.id : "";
  $("retire-toilet").value = firstToilet ? firstToilet.id : "";
  updateDecisionFields();
  $("report-title").focus();
  say(`제보 #${r.id}을 열었습니다.`, `Opened report #${r.id}.`);
}

async function loadCompare(toiletId) {
  state.compare = toiletId ? (await api(`/toilets/${toiletId}`)).properties : null;
  renderFields();
}

function renderFields() {
  const r = state.report, pub = state.compare;
  $("published-col").hidden = !pub;
  const tbody = $("fields-table").querySelector("tbody");
  tbody.replaceChildren();
  for (const [path, ko, en] of FIELDS) {
    const mine = get(r.payload, path);
    const row = el("tr", {}, el("th", { scope: "row" }, bi(ko, en)), el("td", { text: fmt(mine) }));
    if (pub) {
      const theirs = get(pub, path);
      const td = el("td", { text: fmt(theirs) });
      if (JSON.stringify(theirs ?? null) !== JSON.stringify(mine ?? null)) {
        td.className = "differs";
        td.setAttribute("aria-label", `${fmt(theirs)} (제보와 다름 differs from the report)`);
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

function renderEditFields(payload) {
  const box = $("edit-fields");
  box.replaceChildren();
  for (const [path, spec] of Object.entries(EDITABLE)) {
    const label = FIELDS.find((f) => f[0] === path) || [path, path === "location.lon" ? "경도" : "위도", path === "location.lon" ? "Longitude" : "Latitude"];
    const id = "edit-" + path.replace(/\./g, "-");
    const current = get(payload, path);
    let input;
    if (spec.options) {
      input = el("select", { id, "data-path": path, "data-original": JSON.stringify(current ?? null) },
        ...spec.options.map((o) => el("option", { value: o, text: o === "" ? "모름 unknown" : o })));
      input.value = current === null || current === undefined ? "" : String(current);
    } else {
      input = el("input", { id, type: spec.type, step: spec.step, "data-path": path,
        "data-original": JSON.stringify(current ?? null) });
      input.value = current === null || current === undefined ? "" : String(current);
    }
    box.append(el("div", { class: "field" }, el("label", { for: id }, bi(label[1], label[2])), input));
  }
  const boxes = $("confirm-boxes");
  boxes.replaceChildren(...CONFIRMABLE.map(([code, ko, en]) => el("label", { class: "check" },
    el("input", { type: "checkbox", name: "confirmed", value: code }), " ", bi(ko, en), el("br"))));
}

function collectEdits() {
  const edits = {};
  const loc = {};
  for (const input of $("edit-fields").querySelectorAll("[data-path]")) {
    const path = input.dataset.path;
    const original = JSON.parse(input.dataset.original);
    let value = input.value;
    if (value === "") value = null;
    else if (input.type === "number") value = Number(value);
    else if (value === "true") value = true;
    else if (value === "false") value = false;
    if (path.startsWith("location.")) { loc[path.split(".")[1]] = value; continue; }
    if (JSON.stringify(value) !== JSON.stringify(original)) edits[path] = value;
  }
  const p = state.report.payload.location;
  if (loc.lon !== p.lon || loc.lat !== p.lat) edits.location = { ...p, lon: loc.lon, lat: loc.lat, source: "map_pin" };
  if (state.route.length >= 2) edits["access_route.path"] = { type: "LineString", coordinates: state.route };
  const extra = $("edit-json").value.trim();
  if (extra) {
    let parsed;
    try { parsed = JSON.parse(extra); } catch {
      const err = { message_ko: "그 밖의 수정 JSON을 읽을 수 없습니다.", message_en: "The other edits are not valid JSON.", fields: [] };
      showError(err); throw err;
    }
    Object.assign(edits, parsed);
  }
  return edits;
}

function renderPhotos(photos) {
  for (const u of state.photoUrls) URL.revokeObjectURL(u);
  state.photoUrls = [];
  const ul = $("photos");
  ul.replaceChildren();
  if (!photos.length) { ul.append(el("li", { class: "note", text: "사진 없음 · No photos" })); return; }
  const KINDS = { entrance: "입구 entrance", route: "접근로 route", door: "문 door", interior: "내부 interior", other: "기타 other" };
  photos.forEach(async (p, i) => {
    const img = el("img", { alt: `사진 Photo ${i + 1}: ${KINDS[p.kind] || p.kind}`, "data-photo-id": p.id });
    const link = el("a", { href: "#", text: "원본 보기 Open full size" });
    ul.append(el("li", {}, el("figure", {}, img, el("figcaption", {}, `${KINDS[p.kind] || p.kind} · ${p.width_px}×${p.height_px} `, link))));
    // Photos need the login token: fetched as blobs, shown through object URLs.
    const res = await api(p.thumb_url.replace(API, ""), { raw: true });
    const url = URL.createObjectURL(await res.blob());
    state.photoUrls.push(url);
    img.src = url;
    link.addEventListener("click", async (ev) => {
      ev.preventDefault();
      const full = await api(p.url.replace(API, ""), { raw: true });
      const fu = URL.createObjectURL(await full.blob());
      state.photoUrls.push(fu);
      window.open(fu, "_blank", "noopener");
    });
  });
}

// The map is crowd data drawn by folium: it runs in a frame sandboxed to an opaque origin
// (index.html and the map's own CSP), so nothing in it can read this page or its token. That
// frame cannot send the token either, so it is opened with a one-minute ticket for this report.
async function loadMap(id) {
  const ticket = await api(`/moderation/reports/${id}/map-ticket`, { method: "POST" });
  $("map-frame").src = ticket.url;
}

function renderHistory(reviews) {
  const ol = $("history");
  ol.replaceChildren();
  if (!reviews.length) { ol.append(el("li", { class: "note", text: "결정 없음 · No decisions yet" })); return; }
  for (const r of reviews) {
    ol.append(el("li", { text: `${new Date(r.created_at).toLocaleString("ko-KR")} – ${actionLabel(r.action)} (${r.status}) – ${r.moderator}`
      + (r.reason_label ? ` – ${r.reason_label.join(" · ")}` : "") + (r.comment ? ` – ${r.comment}` : "")
      + (r.message ? ` – "${r.message}"` : "") }));
  }
}

function currentAction() { return new FormData($("decision-form")).get("action"); }
function updateDecisionFields() {
  const a = currentAction();
  $("edits-fieldset").hidden = !(a === "approve" || a === "merge");
  $("merge-field").hidden = a !== "merge";
  $("retire-field").hidden = a !== "retire";
  $("reason-field").hidden = a !== "reject";
  $("message-field").hidden = a !== "request_changes";
}

async function submitDecision(ev) {
  ev.preventDefault();
  clearError();
  const r = state.report;
  const action = currentAction();
  const body = { action, comment: $("comment").value || null };
  if (action === "approve" || action === "merge") {
    body.edits = collectEdits();
    body.confirmed = [...document.querySelectorAll("input[name=confirmed]:checked")].map((c) => c.value);
  }
  if (action === "merge") body.merge_into = $("merge-into").value || null;
  if (action === "retire") body.toilet_id = $("retire-toilet").value || null;
  if (action === "reject") body.reason_code = $("reason-code").value;
  if (action === "request_changes") body.message = $("message").value;
  const out = await api(`/moderation/reports/${r.id}/decision`, { method: "POST", body });
  const published = out.published ? ` 게시됨 Published (toilet ${out.toilet_id}, v${out.toilet_version})` : "";
  const pending = out.report_status === "pending_second_review" ? " 2차 검토 대기 Waiting for a second review." : "";
  say(`결정했습니다: ${actionLabel(action)}.${published}${pending}`, `Decision recorded: ${out.report_status}.`);
  $("report-section").hidden = true;
  state.report = null;
  await refresh();
  $("queue-title").setAttribute("tabindex", "-1");
  $("queue-title").focus();
}

async function release() {
  clearError();
  const r = state.report;
  await api(`/moderation/reports/${r.id}/release`, { method: "POST" });
  say(`제보 #${r.id}을 대기열로 돌려놓았습니다.`, `Report #${r.id} released.`);
  $("report-section").hidden = true;
  await refresh();
}

async function retireStandalone(ev) {
  ev.preventDefault();
  clearError();
  const id = $("retire-standalone-id").value.trim();
  const out = await api(`/moderation/toilets/${encodeURIComponent(id)}/retire`, { method: "POST",
    body: { reason: $("retire-standalone-reason").value } });
  say(out.published ? "폐쇄했습니다." : "폐쇄 요청을 2차 검토에 올렸습니다.",
    out.published ? "Retired." : "Retirement sent for a second review.");
  $("retire-form").reset();
  await refresh();
}

// ---- corrections on the map (the folium map posts clicks; we send back what to draw) ----
function round6(x) { return Math.round(x * 1e6) / 1e6; }
function describeMapEdits() {
  const parts = [];
  if (state.moved) parts.push(`옮긴 위치 Moved point: ${state.moved.lon}, ${state.moved.lat}`);
  if (state.route.length) parts.push(`새 접근로 New route: ${state.route.length}개 점 points`
    + (state.route.length < 2 ? " (2개 이상 필요 needs 2 or more)" : ""));
  $("map-tools-state").textContent = parts.join(" · ");
}
function drawOnMap() {
  const frame = $("map-frame").contentWindow;
  if (frame) frame.postMessage({ type: "reachable-draw", point: state.moved, route: state.route }, "*");
}
window.addEventListener("message", (ev) => {
  if (!state.report || ev.source !== $("map-frame").contentWindow || !ev.data || ev.data.type !== "reachable-pick") return;
  const mode = document.querySelector("input[name=map-mode]:checked").value;
  const lon = round6(Number(ev.data.lon)), lat = round6(Number(ev.data.lat));
  if (!Number.isFinite(lon) || !Number.isFinite(lat)) return;  // the frame is untrusted: numbers only
  if (mode === "point") {
    state.moved = { lon, lat };
    $("edit-location-lon").value = String(lon);
    $("edit-location-lat").value = String(lat);
  } else if (mode === "route") {
    state.route.push([lon, lat]);
  } else {
    return;
  }
  describeMapEdits();
  drawOnMap();
});
$("route-clear").addEventListener("click", () => { state.route = []; describeMapEdits(); drawOnMap(); });

// ---- wiring ----------------------------------------------------------------------------
$("login-form").addEventListener("submit", login);
$("logout").addEventListener("click", logout);
$("claim-form").addEventListener("submit", (e) => claim(e).catch(() => {}));
$("refresh-button").addEventListener("click", () => refresh().catch(() => {}));
$("decision-form").addEventListener("submit", (e) => submitDecision(e).catch(() => {}));
$("decision-form").addEventListener("change", (e) => { if (e.target.name === "action") updateDecisionFields(); });
$("retire-form").addEventListener("submit", (e) => retireStandalone(e).catch(() => {}));
$("release-button").addEventListener("click", () => release().catch(() => {}));
$("compare-select").addEventListener("change", (e) => loadCompare(e.target.value).catch(() => {}));
if (state.token) start();
