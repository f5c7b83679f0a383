// The moderator console: log in and out, and the wiring of the page's controls. The console is
// ES modules over the shared API client and element helper (/static/shared/); text is only ever
// set as text, so a report cannot inject markup into the console.
import { el } from "/static/shared/dom.js";
import { ApiError, call, clearSession, logIn, session } from "./api.js";
import { $, state, say, showError, clearError } from "./page.js";
import { changeRequests, loadWords, reasons } from "./words.js";
import { claim, refresh, retireStandalone } from "./queue.js";
import { loadCompare, openReport } from "./detail.js";
import { release, submitDecision, updateDecisionFields } from "./decision.js";
import { loadMergePreview } from "./merge-preview.js";
import { wireMapTools } from "./map-frame.js";
import { wireSmartSeoulMap } from "./ssm.js";
import { wireReference } from "./reference.js";

async function login(ev) {
  ev.preventDefault();
  clearError();
  try {
    await logIn($("login-username").value, $("login-password").value);
  } catch (exc) {
    if (exc instanceof ApiError) { showError(exc.body); return; }
    throw exc;
  }
  await start();
}

function logout() {
  state.me = null;
  clearSession();
  $("work").hidden = true; $("whoami").hidden = true; $("login-section").hidden = false;
}

async function start() {
  try { state.me = await call("/api/v1/me"); } catch { logout(); return; }
  if (!["moderator", "admin"].includes(state.me.role)) {
    showError({ message_ko: "검수자 계정으로 로그인해 주세요.", message_en: "Log in with a moderator account." });
    logout(); return;
  }
  $("login-section").hidden = true; $("work").hidden = false; $("whoami").hidden = false;
  $("whoami-name").textContent = `${state.me.username} (${state.me.role})`;
  await loadWords();
  $("reason-code").replaceChildren(...reasons().map((r) => el("option", { value: r.code, text: `${r.label_ko} · ${r.label_en}` })));
  $("change-request").replaceChildren(el("option", { value: "", text: "직접 쓰기 · Write my own" }),
    ...changeRequests().map((c) => el("option", { value: c.code, text: `${c.label_ko} · ${c.label_en}` })));
  say("로그인했습니다.", "Logged in.");
  await refresh();
  $("main").focus();
}

const quietly = (fn) => (ev) => fn(ev).catch(() => {}); // errors are already shown in the error box

window.addEventListener("reachable:unauthorised", logout);
wireMapTools();
wireSmartSeoulMap();
wireReference();
$("login-form").addEventListener("submit", login);
$("logout").addEventListener("click", logout);
$("claim-form").addEventListener("submit", quietly(claim));
$("claims").addEventListener("click", (ev) => {
  const button = ev.target.closest("button[data-report-id]");
  if (button) openReport(Number(button.dataset.reportId));
});
$("refresh-button").addEventListener("click", quietly(refresh));
$("decision-form").addEventListener("submit", quietly(submitDecision));
$("decision-form").addEventListener("change", (e) => { if (e.target.name === "action") updateDecisionFields(); });
$("retire-form").addEventListener("submit", quietly(retireStandalone));
$("release-button").addEventListener("click", quietly(release));
$("compare-select").addEventListener("change", quietly((e) => loadCompare(e.target.value)));
$("merge-preview-button").addEventListener("click", quietly(loadMergePreview));
$("merge-into").addEventListener("change", () => { $("merge-preview").replaceChildren(); });
if (session()) start();
