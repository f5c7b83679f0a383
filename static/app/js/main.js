// The volunteer's app: join/log in, the report wizard rendered from the form schema,
// the outbox of reports waiting on the phone, and "my reports".
import { el as h } from "/static/shared/dom.js";
import { api, ApiError, OfflineError, session, clearSession } from "./api.js";
import { t, pick, getLang, setLang, titleOf, messageOf } from "./i18n.js";
import { renderNode, renderObject, collectObject, collectNode, validateNode, showErrors, emptyValue,
  baseType, isLineString, isPoint, nullLabel, fieldId, helpId } from "./schema-form.js";
import { loadMapConfig, locationTools, lineStringWidget, pointWidget } from "./where.js";
import { resizePhoto } from "./photos.js";
import { outbox, newItem, syncOutbox, sendNow, mine, draftPhotos } from "./outbox.js";
import { announce } from "./live.js";
import { setTitle, focusHeading } from "./page.js";
import { viewLogin, viewJoin } from "./auth-view.js";
import { viewMissions } from "./missions.js";

const SYSTEM_FIELDS = new Set(["client_submission_id", "schema_version", "observed_at"]);
const DRAFT_KEY = "reachable.draft";
const LINK_KEY = "reachable.linkToilet"; // ?toilet=<id> waits here through a log-in
const main = document.getElementById("main");
let schema = null;
let draft = null; // the report being written (answers in localStorage, photos in IndexedDB)
let currentView = null;

// --- small helpers ---------------------------------------------------------------------------

function uuid4() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((v) => v.toString(16).padStart(2, "0")).join("");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** RFC 3339 with the phone's own offset, e.g. 2026-11-26T21:04:00+09:00. */
function nowRfc3339() {
  const d = new Date();
  const off = -d.getTimezoneOffset();
  const pad = (n) => String(Math.trunc(Math.abs(n))).padStart(2, "0");
  const local = new Date(d.getTime() + off * 60000).toISOString().slice(0, 19);
  return `${local}${off >= 0 ? "+" : "-"}${pad(off / 60)}:${pad(off % 60)}`;
}


function steps() { return schema["x-steps"]; }
function stepNode(key) { return schema.properties[key]; }
function stepIndexForPath(path) {
  const root = (path || "").split(".")[0];
  const i = steps().findIndex((s) => s.key === root);
  return i >= 0 ? i : steps().findIndex((s) => s.key === "review");
}
/** Top-level fields no step owns (e.g. notes) are asked on the review step. */
function reviewFields() {
  const stepKeys = new Set(steps().map((s) => s.key));
  return Object.entries(schema.properties).filter(([k]) => !stepKeys.has(k) && !SYSTEM_FIELDS.has(k));
}

// --- schema, shell, navigation ---------------------------------------------------------------

async function loadSchema() {
  try {
    const { data } = await api("/api/v1/mobile-schema", { auth: false });
    localStorage.setItem("reachable.schema", JSON.stringify(data));
    return data;
  } catch (exc) {
    const cached = localStorage.getItem("reachable.schema");
    if (cached) return JSON.parse(cached);
    throw exc;
  }
}

async function renderShell() {
  document.documentElement.lang = getLang();
  document.getElementById("brand-text").textContent = t("app_title");
  document.getElementById("skip-link").textContent = t("skip");
  const toggle = document.getElementById("lang-toggle");
  toggle.textContent = t("lang_switch");
  toggle.setAttribute("lang", getLang() === "ko" ? "en" : "ko");
  toggle.setAttribute("aria-label", t("lang_switch_label"));
  const nav = document.getElementById("nav");
  nav.setAttribute("aria-label", t("nav_label"));
  nav.replaceChildren();
  if (session()) {
    const waiting = (await mine()).length;
    const here = location.hash || "#/new";
    const link = (href, text, extra) => h("a", { href, class: "nav-link", "aria-current": here.startsWith(href) ? "page" : null }, text, extra);
    nav.append(h("ul", {},
      h("li", {}, link("#/new", t("nav_new"))),
      h("li", {}, link("#/missions", t("nav_missions"))),
      h("li", {}, link("#/mine", t("nav_mine"), waiting ? h("span", { class: "badge" }, `\u00a0(${t("outbox_title")}: ${waiting})`) : null)),
      h("li", {}, h("button", { type: "button", class: "nav-link as-link", onclick: () => { clearSession(); draft = null; saveDraft(); location.hash = "#/login"; } },
        t("nav_logout"), `\u00a0(${session().username})`))));
  }
  updateNetBanner();
}

function updateNetBanner() {
  const banner = document.getElementById("net-banner");
  banner.hidden = navigator.onLine;
  banner.textContent = navigator.onLine ? "" : `⚠ ${t("offline_now")}`;
}

async function route() {
  stopWidgets();
  const hash = location.hash || "";
  if (!session() && !["#/join", "#/login"].includes(hash)) { location.hash = "#/login"; return; }
  await renderShell();
  if (hash === "#/join") { currentView = "join"; return viewJoin(main); }
  if (hash === "#/login") { currentView = "login"; return session() ? (location.hash = "#/new") : viewLogin(main); }
  if (hash === "#/mine") return viewMine();
  if (hash === "#/missions") { currentView = "missions"; return viewMissions(main, { onStart: startMission }); }
  if (hash === "#/sent") return viewSent();
  return viewWizard();
}

// --- the report wizard -----------------------------------------------------------------------

function newDraft() {
  return { id: uuid4(), observed_at: nowRfc3339(), body: {}, photos: [], step: 0, revisionOf: null,
    moderatorMessage: null, nearbyChoice: null, errors: [], located: false, toiletNames: {} };
}

/** Answers go to localStorage, photos to IndexedDB: a reload or a dead battery loses nothing. */
function saveDraft() {
  if (!draft) { localStorage.removeItem(DRAFT_KEY); draftPhotos.clear().catch(() => {}); return; }
  const { photos, ...rest } = draft;
  localStorage.setItem(DRAFT_KEY, JSON.stringify(rest));
}

function saveDraftPhotos() {
  if (draft) draftPhotos.save(draft.id, draft.photos).catch(() => {});
}

async function restoreDraft() {
  try {
    const saved = JSON.parse(localStorage.getItem(DRAFT_KEY));
    if (saved && saved.id) return { ...newDraft(), ...saved, photos: await draftPhotos.load(saved.id) };
  } catch { /* a broken draft is dropped */ }
  return null;
}

let activeWidgets = [];
function stopWidgets() { activeWidgets.forEach((w) => w.stop?.()); activeWidgets = []; }

/** Read the step on screen back into the draft. */
function collectStep() {
  const section = main.querySelector("section.step");
  if (!section || !draft) return;
  const key = section.dataset.step;
  if (schema.properties[key]) draft.body[key] = collectObject(key, stepNode(key), section);
  if (key === "review") for (const [k, node] of reviewFields()) draft.body[k] = collectNode(k, node, section);
  if (key === "photos") {
    draft.photos.forEach((p, i) => { const sel = section.querySelector(`#photo-kind-${i}`); if (sel) p.kind = sel.value; });
    saveDraftPhotos();
  }
  saveDraft();
}

function validateStep(key) {
  const errors = [];
  if (schema.properties[key]) {
    validateNode(key, stepNode(key), draft.body[key] ?? emptyValue(stepNode(key)), true, errors);
  }
  if (key === "review") for (const [k, node] of reviewFields()) validateNode(k, node, draft.body[k], (schema.required || []).includes(k), errors);
  return errors;
}

function buildBody() {
  const body = { client_submission_id: draft.id, schema_version: schema["x-schema-version"] ?? schema.properties.schema_version.const,
    observed_at: draft.observed_at };
  for (const key of Object.keys(schema.properties)) {
    if (SYSTEM_FIELDS.has(key)) continue;
    const value = draft.body[key] !== undefined ? draft.body[key] : emptyValue(schema.properties[key]);
    if (value !== undefined) body[key] = value;
  }
  return body;
}

function stepNav(index) {
  return h("nav", { class: "steps", "aria-label": t("steps_label") },
    h("ol", {}, steps().map((s, i) => h("li", {},
      h("button", { type: "button", class: "step-link", "aria-current": i === index ? "step" : null,
        onclick: () => goToStep(i) },
      h("span", { class: "step-no" }, `${i + 1}`), " ", pick(s),
      i === index ? h("span", { class: "visually-hidden" }, ` (${t("step_of", { n: i + 1, total: steps().length })})`) : null)))));
}

function goToStep(i, { validate = false } = {}) {
  collectStep();
  if (validate) {
    const key = steps()[draft.step].key;
    const errors = validateStep(key);
    if (errors.length) { draft.errors = errors; renderStep(); return; }
    draft.errors = draft.errors.filter((e) => stepIndexForPath(e.path) !== draft.step);
  }
  draft.step = Math.max(0, Math.min(steps().length - 1, i));
  saveDraft();
  renderStep();
}

async function viewWizard() {
  currentView = "wizard";
  const linked = localStorage.getItem(LINK_KEY);
  if (linked) {
    localStorage.removeItem(LINK_KEY);
    const made = await draftForToilet(linked);
    if (made) { draft = made; saveDraft(); }
  }
  draft ??= (await restoreDraft()) ?? newDraft();
  renderStep();
}

/** The field a published toilet's id goes in (the schema node that takes its choices from the
 * nearby toilets), as [group, key]. */
function linkField() {
  for (const [group, node] of Object.entries(schema.properties)) {
    for (const [key, child] of Object.entries(node.properties || {})) if (child["x-choices-from"]) return [group, key];
  }
  return null;
}

/**
 * `/app/?toilet=<id>` (the public finder's "report a change", the office's missions): a new
 * report about that published toilet, its point and its place's fields filled in from the
 * published layer and linked to it. Everything else is asked afresh; an unknown id is said so.
 */
async function draftForToilet(toiletId) {
  const field = linkField();
  try {
    const { data } = await api(`/api/v1/toilets/${encodeURIComponent(toiletId)}`, { auth: false });
    const d = newDraft();
    const [lon, lat] = data.geometry.coordinates;
    d.body.location = { lon, lat, accuracy_m: null, source: "map_pin" };
    if (field) {
      const [group] = field;
      const known = schema.properties[group].properties;
      const published = data.properties[group] || {};
      d.body[group] = Object.fromEntries(Object.keys(known).filter((k) => !known[k]["x-choices-from"] && published[k] !== undefined)
        .map((k) => [k, published[k]]));
      d.body[group][field[1]] = String(data.id);
    }
    d.toiletNames[String(data.id)] = data.properties.name;
    d.located = true;
    d.step = 1;
    announce(t("linked_opened", { name: data.properties.name }));
    return d;
  } catch (exc) {
    announce(exc instanceof OfflineError ? t("mine_offline") : t("linked_unknown"), { assertive: true });
    return null;
  }
}

/** A draft for a mission just taken: a re-verification is a report about that published toilet
 * (as /app/?toilet=<id>); a gap starts from what the city's list says of the place (its point,
 * if it has a usable one, name, addresses, hours). Either way the report is linked to the
 * mission once sent (outbox.js). */
async function startMission(m) {
  let d = null;
  if (m.kind === "reverify") {
    d = await draftForToilet(m.toilet_id);
  } else {
    d = newDraft();
    const known = schema.properties.place?.properties || {};
    d.body.place = Object.fromEntries(Object.entries(m.place || {}).filter(([k, v]) => known[k] && v));
    if (m.lon !== null && m.lat !== null) {
      d.body.location = { lon: m.lon, lat: m.lat, accuracy_m: null, source: "map_pin" };
      d.located = true;
      d.step = 1;
    }
  }
  if (!d) return;
  d.missionId = m.id;
  d.missionName = m.name;
  draft = d;
  saveDraft();
  location.hash = "#/new";
}

function renderStep() {
  stopWidgets();
  const index = draft.step;
  const step = steps()[index];
  setTitle(pick(step));
  const section = h("section", { class: "step", dataset: { step: step.key }, "aria-labelledby": "step-title" },
    h("h2", { id: "step-title" }, h("span", { class: "step-count" }, t("step_of", { n: index + 1, total: steps().length })), " ", pick(step)));
  if (draft.missionId) section.append(h("p", { class: "notice mission-banner" }, t("mission_draft", { name: draft.missionName || t("untitled") })));
  if (draft.revisionOf) {
    section.append(h("div", { class: "notice" }, h("p", {}, t("revision_banner", { id: draft.revisionOf })),
      draft.moderatorMessage ? h("p", {}, h("strong", {}, `${t("moderator_says")}: `), draft.moderatorMessage) : null));
  }
  const body = h("div", { class: "step-body" });
  section.append(body);
  if (step.key === "location") renderLocationStep(body);
  else if (step.key === "photos") renderPhotosStep(body);
  else if (step.key === "review") renderReviewStep(body);
  else if (schema.properties[step.key]) renderObjectStep(body, step.key);

  const navButtons = h("div", { class: "button-row step-buttons" },
    index > 0 ? h("button", { type: "button", class: "btn secondary", onclick: () => goToStep(index - 1) }, `← ${t("back")}`) : null,
    step.key !== "review" ? h("button", { type: "button", class: "btn primary next", onclick: () => goToStep(index + 1, { validate: true }) }, `${t("next")} →`) : null);
  section.append(navButtons);
  main.replaceChildren(stepNav(index), section);
  const stepErrors = draft.errors.filter((e) => stepIndexForPath(e.path) === index);
  if (stepErrors.length) {
    const { summary } = showErrors(section, body, stepErrors);
    announce(`${t("errors_title", { n: stepErrors.length })}`, { assertive: true });
    summary.focus();
  } else {
    focusHeading(section);
  }
}

function renderLocationStep(body) {
  const node = stepNode("location");
  const fields = renderObject("location", node, draft.body.location || {}, {}, false);
  const wrap = h("div", { class: "fields" }, fields);
  const tools = locationTools(wrap, "location");
  body.append(tools.element, wrap);
  tools.draw();
  if (!draft.located && !tools.hasValue()) { draft.located = true; tools.find(); }
}

function renderObjectStep(body, key) {
  const widgets = {
    lineString: (p, n, v) => {
      const w = lineStringWidget(p, n, v, { toilet: () => {
        const loc = draft.body.location; return loc && Number.isFinite(loc.lon) ? [loc.lon, loc.lat] : null; } });
      activeWidgets.push(w);
      return w;
    },
    point: (p, n, v) => pointWidget(p, n, v, { lastRoutePoint: () => body.querySelector("[data-kind=line]")?.lastPoint?.() }),
    choicesFrom: (p, n, v) => nearbyToiletChoice(p, n, v),
  };
  body.append(h("div", { class: "fields" }, renderObject(key, stepNode(key), draft.body[key] || {}, widgets, false)));
}

function photoKinds() { return Object.entries(schema["x-photo-kinds"] || {}); }

function renderPhotosStep(body) {
  const list = h("ul", { class: "photo-list", "aria-label": t("photos_count", { n: draft.photos.length }) });
  const redraw = () => {
    list.replaceChildren();
    list.setAttribute("aria-label", t("photos_count", { n: draft.photos.length }));
    if (!draft.photos.length) list.append(h("li", { class: "empty" }, t("photo_none")));
    draft.photos.forEach((p, i) => {
      p.url ??= URL.createObjectURL(p.blob);
      const kindLabel = pick(schema["x-photo-kinds"][p.kind]);
      const select = h("select", { id: `photo-kind-${i}`, class: "photo-kind" },
        photoKinds().map(([k, pair]) => h("option", { value: k, selected: k === p.kind ? true : null }, pick(pair))));
      select.addEventListener("change", () => { p.kind = select.value; saveDraftPhotos(); });
      list.append(h("li", { class: "photo" },
        h("img", { src: p.url, alt: `${t("photo_n", { n: i + 1 })}: ${kindLabel}`, width: 96, height: 96 }),
        h("div", { class: "photo-meta" },
          h("label", { for: `photo-kind-${i}` }, `${t("photo_n", { n: i + 1 })} · ${t("photo_kind")}`), select,
          h("button", { type: "button", class: "btn secondary", onclick: () => {
            URL.revokeObjectURL(p.url); draft.photos.splice(i, 1); saveDraftPhotos(); redraw();
            body.querySelector("#photo-gallery")?.focus();
          } }, t("photo_remove", { n: i + 1 })))));
    });
  };
  const onFiles = async (input) => {
    const files = [...input.files];
    let added = 0;
    for (const file of files) {
      try {
        const resized = await resizePhoto(file);
        const firstKind = photoKinds()[Math.min(draft.photos.length, photoKinds().length - 1)]?.[0] || "other";
        draft.photos.push({ ...resized, kind: firstKind });
        added += 1;
      } catch { announce(t("photo_failed", { name: file.name }), { assertive: true }); }
    }
    input.value = "";
    saveDraftPhotos();
    redraw();
    announce(t("photo_added", { n: added }));
  };
  const picker = (id, text, attrs) => {
    const input = h("input", { type: "file", id, accept: "image/jpeg,image/png,image/webp,image/*", class: "visually-hidden-input", ...attrs });
    input.addEventListener("change", () => onFiles(input));
    return h("div", { class: "file-pick" }, input, h("label", { for: id, class: "btn secondary" }, text));
  };
  body.append(h("p", { class: "help" }, t("photo_help")),
    h("div", { class: "button-row" },
      picker("photo-camera", t("photo_camera"), { capture: "environment" }),
      picker("photo-gallery", t("photo_gallery"), { multiple: true })),
    list);
  redraw();
}

/** One answer in words for the review list: enum label, yes/no, unit, or "I don't know". */
function answerText(node, value) {
  if (value === null || value === undefined || value === "") return node["x-choices-from"] ? t("nearby_new") : nullLabel(node);
  if (node["x-choices-from"]) return draft.toiletNames?.[value] || value;
  if (isLineString(node)) return t("route_summary", { n: value.coordinates.length, m: "?" }).replace(/, .*$/, "");
  if (isPoint(node)) return `${value.lat}, ${value.lon}`;
  if (Array.isArray(value)) return value.map((v) => answerText(node.items, v)).join(" / ");
  if (baseType(node) === "object") {
    return Object.entries(node.properties || {}).filter(([k]) => value[k] !== null && value[k] !== undefined)
      .map(([k, child]) => `${titleOf(child)}: ${answerText(child, value[k])}`).join(", ");
  }
  if (typeof value === "boolean") return value ? t("yes") : t("no");
  if (node["x-enum-labels"]?.[value]) return pick(node["x-enum-labels"][value]);
  if (node["x-unit"] && node["x-unit"] !== "deg") return `${value} ${node["x-unit"]}`;
  return String(value);
}

function reviewList() {
  const out = h("div", { class: "review" });
  steps().forEach((s, i) => {
    const node = schema.properties[s.key];
    if (!node && s.key !== "photos") return;
    const dl = h("dl", {});
    if (node) {
      for (const [key, child] of Object.entries(node.properties || {})) {
        dl.append(h("div", { class: "answer" }, h("dt", {}, titleOf(child)), h("dd", {}, answerText(child, draft.body[s.key]?.[key]))));
      }
    } else {
      dl.append(h("div", { class: "answer" }, h("dt", {}, pick(s)), h("dd", {}, t("photos_count", { n: draft.photos.length }))));
    }
    out.append(h("section", { class: "review-part", "aria-labelledby": `review-${s.key}` },
      h("h3", { id: `review-${s.key}` }, pick(s)), dl,
      h("button", { type: "button", class: "btn secondary", onclick: () => goToStep(i), "aria-label": `${pick(s)}: ${t("edit_step")}` }, t("edit_step"))));
  });
  return out;
}

/** Published toilets near the point (GET /api/v1/toilets/nearby): [{id, name, distance_m}]. */
async function nearbyToilets(lon, lat) {
  const { data } = await api(`/api/v1/toilets/nearby?lon=${lon}&lat=${lat}&radius_m=60`, { auth: false });
  return (data?.features ?? []).map((f) => ({ id: String(f.id ?? f.properties.id), name: f.properties.name ?? "?",
    distance_m: Math.round(f.properties.distance_m ?? 0) }));
}

/**
 * "Is it a toilet already on the map?": a field whose schema node names its choices'
 * source (`x-choices-from: nearby_toilets`, form v2 place.existing_toilet_id). One radio per
 * published toilet near the point (and the linked one, when the form was opened for it), and
 * "no, a new toilet" (null). Names are crowd text: shown as text only.
 */
function nearbyToiletChoice(path, node, value) {
  const options = h("div", { class: "choices" });
  const note = h("p", { class: "help", id: helpId(path) }, [pick({ ko: node.description, en: node["x-description-en"] }), t("loading")].join(" "));
  const wrap = h("fieldset", { class: "field choice nearby", role: "radiogroup", id: fieldId(path), dataset: { path, kind: "choice" },
    "aria-describedby": helpId(path) },
  h("legend", {}, titleOf(node)), note, options, h("p", { class: "error", id: `${fieldId(path)}-err`, hidden: true }));
  const current = value || "";
  const labels = new Map(); // id → its label's text node holder
  const add = (id, label) => {
    if (labels.has(id)) { labels.get(id).textContent = label; return; }
    const span = h("span", {}, label);
    labels.set(id, span);
    options.append(h("label", { class: "choice-opt" },
      h("input", { type: "radio", name: path, value: id, id: `${fieldId(path)}-${labels.size}`, checked: id === current ? true : null }),
      span));
  };
  add("", t("nearby_new"));
  if (current) add(current, t("nearby_linked", { name: draft.toiletNames?.[current] || current }));
  const loc = draft.body.location;
  const done = (message) => { note.textContent = [pick({ ko: node.description, en: node["x-description-en"] }), message].filter(Boolean).join(" "); };
  if (loc && Number.isFinite(loc.lon) && Number.isFinite(loc.lat)) {
    const mine = draft; // the list may come back after this report was sent or left
    nearbyToilets(loc.lon, loc.lat).then((list) => {
      for (const c of list) { mine.toiletNames[c.id] = c.name; add(c.id, t("nearby_is", { name: c.name, d: c.distance_m })); }
      if (draft === mine) saveDraft();
      done(list.length ? t("nearby_note") : t("nearby_none"));
    }).catch(() => done(t("nearby_unavailable")));
  } else done(t("nearby_unavailable"));
  return wrap;
}

function renderReviewStep(body) {
  body.append(h("p", {}, t("review_intro")), reviewList());
  for (const [key, node] of reviewFields()) body.append(h("div", { class: "fields" }, renderNode(key, node, draft.body[key])));
  body.append(h("div", { class: "button-row" },
    h("button", { type: "button", class: "btn primary send", onclick: sendDraft }, draft.revisionOf ? t("send_revision") : t("send"))));
}

async function sendDraft(event) {
  collectStep();
  const errors = [];
  for (const s of steps()) errors.push(...validateStep(s.key));
  if (errors.length) {
    draft.errors = errors;
    draft.step = stepIndexForPath(errors[0].path);
    return renderStep();
  }
  const button = event?.currentTarget;
  if (button) { button.disabled = true; button.textContent = t("sending"); }
  announce(t("sending"));
  const item = newItem({ body: buildBody(), photos: draft.photos, revisionOf: draft.revisionOf, nearbyChoice: draft.nearbyChoice,
    missionId: draft.missionId ?? null });
  const result = await sendNow(item);
  if (result.state === "invalid") {
    draft.errors = result.error?.fields?.length ? result.error.fields
      : [{ path: "", message_ko: result.error?.message_ko, message_en: result.error?.message_en }];
    draft.step = stepIndexForPath(draft.errors[0].path);
    saveDraft();
    return renderStep();
  }
  if (result.state === "conflict") {
    if (button) { button.disabled = false; button.textContent = draft.revisionOf ? t("send_revision") : t("send"); }
    const { summary } = showErrors(main, main.querySelector(".step-body"), [], { message: messageOf(result.error) });
    return summary.focus();
  }
  draft.photos.forEach((p) => p.url && URL.revokeObjectURL(p.url));
  lastOutcome = result;
  draft = null;
  saveDraft();
  location.hash = "#/sent";
}

let lastOutcome = null;

function viewSent() {
  currentView = "sent";
  const r = lastOutcome;
  if (!r) { location.hash = "#/mine"; return; }
  const sent = r.state === "sent";
  setTitle(sent ? t("sent_title") : t("saved_offline_title"));
  const parts = [h("h1", {}, h("span", { "aria-hidden": "true" }, sent ? "✓ " : "↻ "), sent ? t("sent_title") : t("saved_offline_title")),
    h("p", { class: "notice", role: "status" }, sent ? t("sent_body", { id: r.response.id }) : t("saved_offline_body"))];
  const candidates = r.response?.duplicate_candidates || [];
  if (candidates.length) {
    parts.push(h("h2", {}, t("candidates_title")),
      h("ul", {}, candidates.map((c) => h("li", {}, t("candidate_line", { name: c.name, d: c.distance_m })))));
  }
  if (r.mission_error) parts.push(h("p", { class: "notice", role: "alert" }, t("mission_link_failed", { msg: messageOf(r.mission_error) })));
  const warnings = r.response?.warnings || [];
  if (warnings.length) parts.push(h("h2", {}, t("warnings_title")), h("ul", {}, warnings.map((w) => h("li", {}, messageOf(w)))));
  parts.push(h("div", { class: "button-row" },
    h("a", { href: "#/new", class: "btn primary" }, t("new_report")),
    h("a", { href: "#/mine", class: "btn secondary" }, t("to_mine"))));
  main.replaceChildren(...parts);
  focusHeading();
}

// --- the outbox and my reports ---------------------------------------------------------------

function outboxState(item) {
  if (item.state === "invalid") return `⚠ ${t("outbox_failed")}`;
  if (item.state === "conflict") return `⚠ ${t("outbox_conflict", { msg: messageOf(item.error || {}) })}`;
  if (item.state === "sending" && item.response) {
    return `↑ ${t("outbox_photos", { done: item.photos.filter((p) => p.sent).length, total: item.photos.length })}`;
  }
  if (item.state === "sending") return `↑ ${t("outbox_sending")}`;
  return `↻ ${t("outbox_waiting")}`;
}

async function outboxSection() {
  const items = await mine();
  if (!items.length) return null;
  return h("section", { class: "outbox", "aria-labelledby": "outbox-title" },
    h("h2", { id: "outbox-title" }, `${t("outbox_title")} (${items.length})`),
    h("ul", { class: "cards" }, items.map((item) => h("li", { class: "card outbox-item", dataset: { id: item.client_submission_id } },
      h("h3", {}, item.body.place?.name || t("untitled")),
      h("p", { class: "state" }, outboxState(item)),
      h("p", {}, t("photos_count", { n: item.photos.length })),
      h("div", { class: "button-row" },
        item.state === "invalid" ? h("button", { type: "button", class: "btn primary", onclick: () => fixOutboxItem(item) }, t("outbox_fix")) : null,
        h("button", { type: "button", class: "btn secondary", onclick: async () => { await syncOutbox(); route(); } }, t("outbox_retry")),
        h("button", { type: "button", class: "btn secondary", onclick: async () => {
          if (confirm(t("outbox_discard_confirm"))) { await outbox.remove(item.client_submission_id); route(); }
        } }, t("outbox_discard")))))));
}

function draftFromBody(body, extra = {}) {
  const d = newDraft();
  d.id = extra.newId ? uuid4() : body.client_submission_id;
  d.observed_at = body.observed_at || d.observed_at;
  for (const [k, v] of Object.entries(body)) if (!SYSTEM_FIELDS.has(k)) d.body[k] = v;
  d.located = true;
  return Object.assign(d, extra.fields || {});
}

function fixOutboxItem(item) {
  draft = draftFromBody(item.body, { fields: { revisionOf: item.revision_of, nearbyChoice: item.nearby_choice,
    photos: item.photos.map((p) => ({ blob: p.blob, kind: p.kind, name: p.name })), errors: item.error?.fields || [] } });
  draft.step = draft.errors.length ? stepIndexForPath(draft.errors[0].path) : 0;
  saveDraft();
  saveDraftPhotos();
  location.hash = "#/new";
  if (currentView === "wizard") renderStep();
}

async function fixReport(reportId) {
  try {
    const { data } = await api(`/api/v1/reports/${reportId}`);
    draft = draftFromBody(data.payload, { newId: true, fields: { revisionOf: data.id, moderatorMessage: data.moderator_message } });
    saveDraft();
    if (location.hash === "#/new") route(); else location.hash = "#/new";
  } catch (exc) {
    announce(exc instanceof OfflineError ? t("mine_offline") : messageOf(exc.body || {}), { assertive: true });
  }
}

const STATUS_ICON = { queued: "…", in_review: "…", changes_requested: "✎", pending_second_review: "…",
  approved: "✓", merged: "✓", rejected: "✕" };

const MINE_PAGE = 50;

function reportCard(r) {
  return h("li", { class: `card report status-${r.status}`, dataset: { reportId: r.id } },
    h("h2", { class: "h3", tabindex: "-1" }, `#${r.id} ${r.name || t("untitled")}`),
    h("p", { class: "status" }, `${t("status")}: `, h("span", { "aria-hidden": "true" }, `${STATUS_ICON[r.status] || ""} `),
      h("strong", {}, t(`st_${r.status}`))),
    h("p", {}, t("submitted_on", { d: new Date(r.submitted_at).toLocaleString(getLang() === "ko" ? "ko-KR" : "en-GB") })),
    r.status === "changes_requested" && r.moderator_message
      ? h("div", { class: "notice moderator" }, h("p", {}, h("strong", {}, `${t("moderator_says")}: `), r.moderator_message)) : null,
    r.status === "changes_requested"
      ? h("button", { type: "button", class: "btn primary fix", onclick: () => fixReport(r.id) }, t("fix_resubmit")) : null);
}

async function viewMine() {
  currentView = "mine";
  setTitle(t("mine_title"));
  const parts = [h("h1", {}, t("mine_title"))];
  const waiting = await outboxSection();
  if (waiting) parts.push(waiting);
  const list = h("ul", { class: "cards reports" });
  const more = h("p", { class: "more" });
  // Pages of MINE_PAGE reports, newest first; "show more" appends the next page and moves the
  // focus to its first card, so nothing a volunteer sent is out of reach. A card already shown
  // (a report sent meanwhile shifts the pages) is not shown twice.
  const pageButton = (page, label) => h("button", { type: "button", class: "btn secondary", onclick: async (ev) => {
    ev.currentTarget.disabled = true;
    const added = await loadPage(page);
    added[0]?.querySelector("h2")?.focus();
  } }, label);
  const loadPage = async (page) => {
    try {
      const { data } = await api(`/api/v1/reports?page_size=${MINE_PAGE}&page=${page}`);
      if (page === 1 && !data.items.length) list.append(h("li", {}, t("mine_empty")));
      const cards = data.items.filter((r) => !list.querySelector(`[data-report-id="${r.id}"]`)).map(reportCard);
      list.append(...cards);
      const shown = list.querySelectorAll(".report").length;
      more.replaceChildren(shown < data.total && data.items.length
        ? pageButton(page + 1, t("mine_more", { shown, total: data.total })) : "");
      return cards;
    } catch (exc) {
      if (!(exc instanceof OfflineError) && !(exc instanceof ApiError)) throw exc;
      more.replaceChildren(h("span", { class: "notice", role: "alert" },
        exc instanceof OfflineError ? t("mine_offline") : messageOf(exc.body)),
        page > 1 ? pageButton(page, t("mine_retry")) : "");
      return [];
    }
  };
  await loadPage(1);
  parts.push(list, more);
  main.replaceChildren(...parts);
  focusHeading();
}

// --- start -----------------------------------------------------------------------------------

async function syncAndRefresh() {
  if (!session()) return;
  const results = await syncOutbox();
  if (results.some((r) => r.state === "sent")) {
    const n = results.filter((r) => r.state === "sent").length;
    announce(getLang() === "ko" ? `저장된 제보 ${n}개를 보냈습니다.` : `${n} saved report(s) sent.`);
  }
  if (results.length) {
    await renderShell();
    if (currentView === "mine") viewMine();
  }
}

async function start() {
  setLang(getLang());
  const linked = new URLSearchParams(location.search).get("toilet");
  if (linked) {
    localStorage.setItem(LINK_KEY, linked);
    history.replaceState(null, "", `${location.pathname}#/new`);
  }
  try {
    [schema] = await Promise.all([loadSchema(), loadMapConfig()]);
  } catch {
    main.replaceChildren(h("p", { class: "notice", role: "alert" }, t("mine_offline")));
    return;
  }
  document.getElementById("lang-toggle").addEventListener("click", () => {
    if (currentView === "wizard") collectStep();
    setLang(getLang() === "ko" ? "en" : "ko");
    route();
  });
  window.addEventListener("hashchange", () => { if (currentView === "wizard") collectStep(); route(); });
  window.addEventListener("online", () => { updateNetBanner(); announce(t("online_now")); syncAndRefresh(); });
  window.addEventListener("offline", () => { updateNetBanner(); announce(t("offline_now")); });
  window.addEventListener("reachable:unauthorised", () => {
    clearSession();
    if (location.hash !== "#/login") { location.hash = "#/login"; }
    setTimeout(() => { currentView = "login"; viewLogin(main, t("session_expired")); }, 0);
  });
  setInterval(async () => { if (navigator.onLine && (await mine()).some((i) => i.state === "waiting")) syncAndRefresh(); }, 20000);
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/app/sw.js", { scope: "/app/" }).catch(() => {});
  await route();
  syncAndRefresh();
}

start();
