// Page-wide habits: the document title names the view, and a new view's heading takes focus
// so a screen reader starts reading there.
import { t } from "./i18n.js";

export function setTitle(text) { document.title = `${text} · ${t("app_title")}`; }

export function focusHeading(root = document.getElementById("main")) {
  const heading = root.querySelector("h1, h2");
  if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
}
