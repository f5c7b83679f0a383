// Korean first, with an English switch. Static text in index.html is Korean, with its English
// in data-en (and data-en-label for aria-label); `w(ko, en)` picks the current language for text
// the scripts write. The choice is kept in localStorage; switching re-renders the open screen.
const KEY = "reachable.office.lang";
let current = localStorage.getItem(KEY) === "en" ? "en" : "ko";
const listeners = [];

export const lang = () => current;
export const w = (ko, en) => (current === "en" ? en : ko);

export function applyStatic(root = document) {
  document.documentElement.lang = current;
  for (const node of root.querySelectorAll("[data-en]")) {
    if (node.dataset.ko === undefined) node.dataset.ko = node.textContent;
    node.textContent = current === "en" ? node.dataset.en : node.dataset.ko;
  }
  for (const node of root.querySelectorAll("[data-en-label]")) {
    if (node.dataset.koLabel === undefined) node.dataset.koLabel = node.getAttribute("aria-label") || "";
    node.setAttribute("aria-label", current === "en" ? node.dataset.enLabel : node.dataset.koLabel);
  }
  const button = document.getElementById("lang-switch");
  button.textContent = current === "en" ? "한국어" : "English";
  button.lang = current === "en" ? "ko" : "en";
}

export function onSwitch(fn) { listeners.push(fn); }

export function switchLanguage() {
  current = current === "en" ? "ko" : "en";
  localStorage.setItem(KEY, current);
  applyStatic();
  for (const fn of listeners) fn();
}

/** A number as the office reads it; shares (0..1) as percentages. */
export function fmtCell(value, kind, key) {
  if (value === null || value === undefined) return "–";
  if (kind === "float" && /share|coverage/.test(key)) return `${(value * 100).toFixed(1)} %`;
  if (typeof value === "number") return value.toLocaleString(current === "en" ? "en-GB" : "ko-KR");
  return String(value);
}
