// What every part of the console shares: the page's elements, the state of the report on
// screen, and the two places it talks back (the status line and the error box).
import { el } from "/static/shared/dom.js";

export const $ = (id) => document.getElementById(id);

export const state = { me: null, report: null, compare: null, photoUrls: [], route: [], moved: null };

export function say(ko, en) { $("status").textContent = `${ko} · ${en}`; }

export function showError(body) {
  const box = $("error");
  box.replaceChildren();
  box.append(el("p", { text: `${body.message_ko || "오류"} · ${body.message_en || "Error"}` }));
  if (body.fields && body.fields.length) {
    box.append(el("ul", {}, body.fields.map((f) => el("li", { text: `${f.path}: ${f.message_ko} · ${f.message_en}` }))));
  }
  box.hidden = false;
}

export function clearError() { $("error").hidden = true; $("error").replaceChildren(); }
