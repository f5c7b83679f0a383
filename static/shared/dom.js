// The one element helper of every page. Crowd text is hostile: it only ever becomes a text
// node or an attribute value (never markup), so nothing a volunteer typed can inject HTML.

/**
 * el("p", {class: "x", text: "…", onclick: fn, dataset: {path: "a"}}, "text", child, [more]):
 * `text` sets textContent, `on…` adds a listener, `class` the class name, `dataset` data-*
 * attributes; anything else is an attribute (true → present, null/undefined/false → left out).
 * Children may be nodes, strings or numbers (as text) or lists of them; null/undefined/false are skipped.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "class") node.className = v;
    else if (k === "dataset") Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c instanceof Node ? c : String(c));
  return node;
}

/** "한국어 English", the English marked as such for screen readers. */
export function bi(ko, en) {
  return el("span", {}, ko + " ", el("span", { lang: "en", class: "en", text: en }));
}
