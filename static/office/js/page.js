// What every screen shares: the elements, the status line, the error box, and the API calls
// (the shared client; the login lives in this tab only, as in the moderator console).
import { el } from "/static/shared/dom.js";
import { ApiError, apiClient, tokenStore } from "/static/shared/api.js";
import { w } from "./lang.js";

export const $ = (id) => document.getElementById(id);
const client = apiClient(tokenStore(sessionStorage, "reachable.office.token", { tokenOnly: true }));
export const { logIn, session, clearSession } = client;
export { ApiError };

export function say(ko, en) { $("status").textContent = w(ko, en); }

export function showError(body) {
  const box = $("error");
  box.replaceChildren(el("p", { text: w(body.message_ko || "오류", body.message_en || "Error") }));
  if (body.fields && body.fields.length) {
    box.append(el("ul", {}, body.fields.map((f) => el("li", { text: `${f.path}: ${w(f.message_ko, f.message_en)}` }))));
  }
  box.hidden = false;
}

export function clearError() { $("error").hidden = true; $("error").replaceChildren(); }

/** The answer's body; an error answer is shown in the error box, then thrown on. */
export function call(path, options) {
  const shown = (exc) => { if (exc instanceof ApiError) showError(exc.body); throw exc; };
  return client.api(path, options).then((answer) => answer.data, shown);
}

/** Fetch `path` (with the login) as a file and hand it to the browser as a download. */
export async function download(path, filename) {
  const blob = await call(path, { blob: true });
  const url = URL.createObjectURL(blob);
  const a = el("a", { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
  say(`${filename} 내려받았습니다.`, `Downloaded ${filename}.`);
}

/** Query string of the non-empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== "" && v !== null && v !== undefined) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}

export const quietly = (fn) => (ev) => Promise.resolve(fn(ev)).catch(() => {}); // errors are shown already
