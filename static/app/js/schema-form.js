// Form fields rendered from the report's JSON Schema: one function per kind of schema node,
// never per field name. A field's DOM id comes from its dotted path (place.floor →
// f-place-floor) so the server's error paths find their field.
import { el as h } from "/static/shared/dom.js";
import { t, tIn, titleOf, helpOf, pick, messageOf } from "./i18n.js";

export const fieldId = (path) => "f-" + path.replace(/[^A-Za-z0-9_]+/g, "-");
export const errorId = (path) => fieldId(path) + "-err";
export const helpId = (path) => fieldId(path) + "-help";

export function types(node) { return Array.isArray(node.type) ? node.type : node.type ? [node.type] : []; }
export function isNullable(node) { return types(node).includes("null") || (node.enum || []).includes(null); }
export function baseType(node) { return types(node).find((x) => x !== "null"); }
export const isLineString = (node) => baseType(node) === "object" && node.properties?.type?.const === "LineString";
export const isPoint = (node) => baseType(node) === "object" && node.properties?.lon && node.properties?.lat
  && Object.keys(node.properties).length === 2;
export const isObjectList = (node) => baseType(node) === "array" && baseType(node.items || {}) === "object";

function labelText(node, required) {
  const unit = node["x-unit"] && node["x-unit"] !== "deg" ? ` (${node["x-unit"]})` : "";
  return [titleOf(node) + unit, required ? h("span", { class: "req" }, ` (${t("required_mark")})`) : null];
}

function help(path, node, extra) {
  const text = [helpOf(node), extra].filter(Boolean).join(" ");
  return text ? h("p", { class: "help", id: helpId(path) }, text) : null;
}

function errorSlot(path) {
  return h("p", { class: "error", id: errorId(path), hidden: true });
}

function choiceList(node) {
  if (node.enum) {
    const labels = node["x-enum-labels"] || {};
    return node.enum.filter((v) => v !== null).map((v) => ({ value: String(v), label: pick(labels[v]) || String(v) }));
  }
  return [{ value: "true", label: t("yes") }, { value: "false", label: t("no") }];
}

/** What null means for a field: "I don't know", unless the schema words it (x-null-label: a
 * measurement's bound, where null is "exact"). */
export function nullLabel(node) { return pick(node["x-null-label"]) || t("unknown"); }

/** Radio buttons for an enum or a boolean, with "I don't know" when the schema allows null
 * (first, and chosen by default, where the schema words null itself: "exact"). */
function renderChoice(path, node, value, required) {
  const choices = choiceList(node);
  if (node["x-null-label"]) choices.unshift({ value: "", label: nullLabel(node) });
  else if (isNullable(node)) choices.push({ value: "", label: t("unknown"), unknown: true });
  const current = value === null || value === undefined ? "" : String(value);
  const describedBy = [helpOf(node) ? helpId(path) : null].filter(Boolean).join(" ") || null;
  return h("fieldset", { class: "field choice", role: "radiogroup", id: fieldId(path), dataset: { path, kind: "choice" },
    "aria-describedby": describedBy },
  h("legend", {}, labelText(node, required)),
  help(path, node),
  h("div", { class: "choices" }, choices.map((c, i) => h("label", { class: c.unknown ? "choice-opt unknown" : "choice-opt" },
    h("input", { type: "radio", name: path, value: c.value, id: `${fieldId(path)}-${i}`,
      checked: c.value === current && !(c.value === "" && !isNullable(node)) ? true : null }),
    h("span", {}, c.label)))),
  errorSlot(path));
}

/** A text or number box; nullable ones get an "I don't know" tick box beside them. */
function renderInput(path, node, value, required) {
  const numeric = ["number", "integer"].includes(baseType(node));
  const long = (node.maxLength || 0) > 300;
  const attrs = { id: fieldId(path), name: path, "aria-describedby": helpOf(node) ? helpId(path) : null,
    autocomplete: "off", required: required || null, dataset: { numeric: numeric ? "1" : "" } };
  if (numeric) Object.assign(attrs, { type: "text", inputmode: "decimal" });
  else if (!long) attrs.type = "text";
  const control = long ? h("textarea", { ...attrs, rows: 3 }) : h("input", attrs);
  control.value = value === null || value === undefined ? "" : String(value);
  const wrap = h("div", { class: "field input", dataset: { path, kind: numeric ? "number" : "text" } },
    h("label", { for: fieldId(path) }, labelText(node, required)), help(path, node), control);
  if (isNullable(node)) {
    // Ticked means "I don't know" (null); an empty box means the same, so it starts unticked.
    const box = h("input", { type: "checkbox", id: `${fieldId(path)}-unknown`, class: "unknown-box" });
    const sync = () => { control.disabled = box.checked; if (box.checked) control.value = ""; };
    box.addEventListener("change", sync);
    sync();
    wrap.append(h("label", { class: "unknown-opt", for: `${fieldId(path)}-unknown` }, box, h("span", {}, t("unknown"))));
  }
  wrap.append(errorSlot(path));
  return wrap;
}

/**
 * Render one schema node at `path`. `widgets` supplies the interactive parts the schema
 * cannot describe by itself (a route drawn on a map, a point taken from GPS), chosen by the
 * node's shape, not its name.
 */
export function renderNode(path, node, value, { required = false, widgets = {} } = {}) {
  if (node["x-choices-from"] && widgets.choicesFrom) return widgets.choicesFrom(path, node, value);
  if (isLineString(node) && widgets.lineString) return widgets.lineString(path, node, value);
  if (isPoint(node) && widgets.point) return widgets.point(path, node, value);
  if (isObjectList(node)) return renderList(path, node, value, widgets);
  const bt = baseType(node);
  if (node.enum || bt === "boolean") return renderChoice(path, node, value, required);
  if (bt === "object") return renderObject(path, node, value || {}, widgets, true);
  return renderInput(path, node, value, required);
}

export function renderObject(path, node, value, widgets, withLegend) {
  const req = new Set(node.required || []);
  const children = Object.entries(node.properties || {}).map(([key, child]) =>
    renderNode(path ? `${path}.${key}` : key, child, value?.[key], { required: req.has(key), widgets }));
  if (!withLegend) return children;
  return h("fieldset", { class: "group", id: fieldId(path), dataset: { path, kind: "object" } },
    h("legend", {}, titleOf(node)), children);
}

/** A list of objects (e.g. obstacles): add and remove items, each rendered from `items`. */
function renderList(path, node, value, widgets) {
  const itemNode = node.items;
  const itemsBox = h("div", { class: "list-items" });
  const wrap = h("fieldset", { class: "field list", id: fieldId(path), dataset: { path, kind: "list" } },
    h("legend", {}, titleOf(node)), help(path, node), itemsBox);
  const renumber = () => {
    [...itemsBox.children].forEach((fs, i) => {
      const old = fs.dataset.path;
      const next = `${path}.${i}`;
      if (old !== next) {
        const data = collectNode(old, itemNode, fs);
        fs.replaceWith(item(i, data));
      }
    });
  };
  const item = (i, data) => {
    const itemPath = `${path}.${i}`;
    const fs = h("fieldset", { class: "list-item group", id: fieldId(itemPath), dataset: { path: itemPath, kind: "object" } },
      h("legend", {}, `${titleOf(itemNode)} ${i + 1}`),
      renderObject(itemPath, itemNode, data || {}, widgets, false),
      h("button", { type: "button", class: "btn secondary", onclick: () => { fs.remove(); renumber(); wrap.querySelector(".add-item").focus(); } },
        t("remove_item", { what: titleOf(itemNode), n: i + 1 })));
    return fs;
  };
  (value || []).forEach((v, i) => itemsBox.append(item(i, v)));
  wrap.append(h("button", { type: "button", class: "btn secondary add-item", onclick: () => {
    const fs = item(itemsBox.children.length, {});
    itemsBox.append(fs);
    fs.querySelector("input")?.focus();
  } }, "+ ", t("add_item", { what: titleOf(itemNode) })), errorSlot(path));
  return wrap;
}

/** What an unvisited part of the form sends: null for every nullable field ("I don't know"),
 * nested objects filled the same way; required fields stay absent so validation names them. */
export function emptyValue(node) {
  if (baseType(node) === "object" && !isNullable(node)) {
    const out = {};
    for (const [key, child] of Object.entries(node.properties || {})) {
      const v = emptyValue(child);
      if (v !== undefined) out[key] = v;
    }
    return out;
  }
  return isNullable(node) ? null : undefined;
}

/** Read a node's value back from the DOM below `root`. Unparseable numbers stay strings
 * so that validation can point at them. */
export function collectNode(path, node, root) {
  const el = root.querySelector(`[data-path="${CSS.escape(path)}"]`) || (root.dataset?.path === path ? root : null);
  if (!el) return undefined;
  const kind = el.dataset.kind;
  if (kind === "line" || kind === "point") return el.widgetValue ? el.widgetValue() : null;
  if (kind === "choice") {
    const checked = el.querySelector(`input[type=radio]:checked`);
    if (!checked || checked.value === "") return null;
    if (baseType(node) === "boolean") return checked.value === "true";
    return checked.value;
  }
  if (kind === "number" || kind === "text") {
    const control = el.querySelector(`#${CSS.escape(fieldId(path))}`);
    const raw = control.value.trim();
    if (control.disabled || raw === "") return isNullable(node) ? null : kind === "text" ? "" : undefined;
    if (kind === "number") {
      const n = Number(raw.replace(",", "."));
      return Number.isFinite(n) ? n : raw;
    }
    return raw;
  }
  if (kind === "list") {
    const items = [...el.querySelector(".list-items").children].map((fs) => collectNode(fs.dataset.path, node.items, fs));
    return items.length ? items : (isNullable(node) ? null : []);
  }
  if (kind === "object") {
    const out = {};
    for (const [key, child] of Object.entries(node.properties || {})) {
      const v = collectNode(`${path}.${key}`, child, el);
      if (v !== undefined) out[key] = v;
    }
    return out;
  }
  return undefined;
}

/** Collect an object's properties (a whole step) from the DOM. */
export function collectObject(path, node, root) {
  const out = {};
  for (const [key, child] of Object.entries(node.properties || {})) {
    const v = collectNode(path ? `${path}.${key}` : key, child, root);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** The schema's own constraints, checked on the phone so a report made offline is right
 * before it waits; the server checks again (and checks what only it can: geometry, districts). */
export function validateNode(path, node, value, required, out = []) {
  const err = (key, vars) => out.push({ path, message_ko: tr(key, vars, 0), message_en: tr(key, vars, 1) });
  if (value === null || value === undefined) {
    if (required || (!isNullable(node) && value === null && baseType(node) !== "object")) {
      if (required) err("err_required");
    }
    return out;
  }
  const bt = baseType(node);
  if (["number", "integer"].includes(bt)) {
    if (typeof value !== "number") { err("err_number"); return out; }
    if (node.minimum !== undefined && value < node.minimum) err("err_min", { min: node.minimum });
    if (node.maximum !== undefined && value > node.maximum) err("err_max", { max: node.maximum });
  } else if (bt === "string" && !node.enum) {
    if (required && value === "") err("err_required");
    else if (node.maxLength && value.length > node.maxLength) err("err_too_long", { max: node.maxLength });
    else if (node.pattern && value !== "" && !new RegExp(node.pattern, "u").test(value)) err("err_pattern");
  } else if (isLineString(node)) {
    const min = node.properties.coordinates.minItems || 2;
    if ((value.coordinates || []).length < min) err("err_min_items", { min });
  } else if (bt === "object") {
    const req = new Set(node.required || []);
    for (const [key, child] of Object.entries(node.properties || {})) {
      validateNode(`${path}.${key}`, child, value[key], req.has(key), out);
    }
    checkRequires(path, node, value, out);
  } else if (bt === "array" && node.items) {
    value.forEach((v, i) => validateNode(`${path}.${i}`, node.items, v, true, out));
  }
  return out;
}

/** The schema's one rule across fields (`x-requires: <sibling>`, with its own words): e.g. a
 * bound needs its value. The server checks the same (mobile_schema.registry.check_requires). */
function checkRequires(path, node, value, out) {
  for (const [key, child] of Object.entries(node.properties || {})) {
    const needs = child["x-requires"];
    if (!needs || value[key] === null || value[key] === undefined) continue;
    if (value[needs] === null || value[needs] === undefined) {
      out.push({ path: `${path}.${needs}`, message_ko: child["x-requires-ko"], message_en: child["x-requires-en"] });
    }
  }
}

// Client-side messages in both languages, like the server's.
const tr = (key, vars, i) => tIn(i === 0 ? "ko" : "en", key, vars);

// --- errors at their fields ------------------------------------------------------------------

export function clearErrors(root) {
  root.querySelectorAll(".field.has-error, .group.has-error").forEach((el) => el.classList.remove("has-error"));
  root.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
  root.querySelectorAll("p.error").forEach((p) => { p.hidden = true; p.textContent = ""; });
  root.querySelectorAll("[data-error-linked]").forEach((el) => {
    const ids = (el.getAttribute("aria-describedby") || "").split(" ").filter((x) => x && x !== el.dataset.errorLinked);
    if (ids.length) el.setAttribute("aria-describedby", ids.join(" ")); else el.removeAttribute("aria-describedby");
    delete el.dataset.errorLinked;
  });
  root.querySelector(".error-summary")?.remove();
}

/** The field element for a dotted error path, or its nearest rendered ancestor. */
export function fieldFor(root, path) {
  let p = path;
  while (p) {
    const el = root.querySelector(`[data-path="${CSS.escape(p)}"]`);
    if (el) return el;
    p = p.includes(".") ? p.slice(0, p.lastIndexOf(".")) : "";
  }
  return null;
}

function controlsOf(field) {
  if (field.dataset.kind === "choice" || field.dataset.kind === "list" || field.dataset.kind === "object") return [field];
  const own = field.querySelector(`#${CSS.escape(fieldId(field.dataset.path))}`);
  return [own || field];
}

/**
 * Show errors: each at its field (text with an "Error:" prefix, aria-invalid, aria-describedby)
 * and a summary with links at the top, in a live region so screen readers announce it.
 * Returns the errors that found no field (the caller shows them in the summary only).
 */
export function showErrors(root, summaryHost, fields, { message } = {}) {
  clearErrors(root);
  const unplaced = [];
  const items = [];
  for (const f of fields) {
    const field = fieldFor(root, f.path);
    if (!field) { unplaced.push(f); items.push(h("li", {}, messageOf(f))); continue; }
    field.classList.add("has-error");
    const slot = field.querySelector(`:scope > p.error`) || field.querySelector("p.error");
    if (slot) {
      slot.hidden = false;
      const line = h("span", { class: "error-line" }, h("span", { "aria-hidden": "true" }, "⚠ "), `${t("error_prefix")}: ${messageOf(f)}`);
      slot.append(line);
      for (const c of controlsOf(field)) {
        c.setAttribute("aria-invalid", "true");
        if (!c.dataset.errorLinked) {
          c.setAttribute("aria-describedby", [c.getAttribute("aria-describedby"), slot.id].filter(Boolean).join(" "));
          c.dataset.errorLinked = slot.id;
        }
      }
    }
    const label = field.querySelector("legend, label")?.textContent?.trim() || f.path;
    const target = focusTarget(field);
    items.push(h("li", {}, h("a", { href: `#${target.id}`, onclick: (e) => { e.preventDefault(); target.focus(); } },
      `${label}: ${messageOf(f)}`)));
  }
  const summary = h("div", { class: "error-summary", role: "alert", tabindex: "-1", "aria-labelledby": "error-summary-title" },
    h("h2", { id: "error-summary-title" }, h("span", { "aria-hidden": "true" }, "⚠ "), t("errors_title", { n: fields.length })),
    message ? h("p", {}, message) : null,
    h("ul", {}, items));
  summaryHost.prepend(summary);
  return { summary, unplaced };
}

export function focusTarget(field) {
  const own = field.dataset.path && field.querySelector(`#${CSS.escape(fieldId(field.dataset.path))}`);
  if (own) return own;
  const first = field.querySelector("input:not([type=hidden]):not(:disabled), button, select, textarea");
  if (first && first.id) return first;
  if (!field.id) field.id = `${fieldId(field.dataset.path || "x")}-group`;
  return field;
}
