// The programme office's console (/office): log in (admin), pick a screen from the navigation
// (the URL's #hash), switch Korean/English. ES modules over the shared API client and element
// helper; every name a person typed is set as text only.
import { $, ApiError, call, clearError, clearSession, logIn, quietly, say, session, showError } from "./page.js";
import { applyStatic, onSwitch, switchLanguage } from "./lang.js";
import { loadDashboard, renderDashboard } from "./dashboard.js";
import { loadCampaign, renderCampaign, saveCampaign } from "./campaign.js";
import { loadReport, makeReport, renderReport, reportCsv } from "./report.js";
import { createOrganisation, createPartner, loadOrganisations, renderOrganisations } from "./organisations.js";
import { createAccount, loadAccounts, renderAccounts, searchAccounts } from "./accounts.js";
import { loadGaps, renderGaps } from "./gaps.js";
import { auditCsv, filterAudit, loadAudit, renderAudit } from "./audit.js";

const VIEWS = {
  dashboard: { load: loadDashboard, render: renderDashboard },
  campaign: { load: loadCampaign, render: renderCampaign },
  report: { load: loadReport, render: renderReport },
  organisations: { load: loadOrganisations, render: renderOrganisations },
  accounts: { load: loadAccounts, render: renderAccounts },
  audit: { load: loadAudit, render: renderAudit },
  gaps: { load: loadGaps, render: renderGaps },
};
let me = null;
let current = null;

/** The login form: a refused login is shown in the error box and the form stays. */
function login(ev) {
  ev.preventDefault();
  clearError();
  const refused = (exc) => { if (!(exc instanceof ApiError)) throw exc; showError(exc.body); return false; };
  return logIn($("login-username").value, $("login-password").value).then(() => true, refused)
    .then((ok) => ok && start());
}

function logout() {
  me = null;
  clearSession();
  for (const v of document.querySelectorAll(".view")) v.hidden = true;
  $("views").hidden = true; $("logout").hidden = true; $("whoami-name").hidden = true;
  $("login-section").hidden = false;
}

async function show(name, { focus = true } = {}) {
  const view = VIEWS[name] ? name : "dashboard";
  current = view;
  for (const v of document.querySelectorAll(".view")) v.hidden = v.id !== `view-${view}`;
  for (const a of $("views").querySelectorAll("a")) {
    if (a.dataset.view === view) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  }
  document.body.dataset.view = view;
  clearError();
  await VIEWS[view].load();
  if (focus) $(`${view}-title`).focus();
}

async function start() {
  try { me = await call("/api/v1/me"); } catch { logout(); return; }
  if (me.role !== "admin") {
    showError({ message_ko: "운영 사무국(관리자) 계정으로 로그인해 주세요.", message_en: "Log in with a programme office (admin) account." });
    logout(); return;
  }
  $("login-section").hidden = true; $("views").hidden = false; $("logout").hidden = false;
  $("whoami-name").hidden = false; $("whoami-name").textContent = me.username;
  say("로그인했습니다.", "Logged in.");
  await show(location.hash.slice(1), { focus: false });
  $("main").focus();
}

window.addEventListener("reachable:unauthorised", logout);
window.addEventListener("hashchange", () => { if (me) show(location.hash.slice(1)).catch(() => {}); });
onSwitch(() => { if (current) VIEWS[current].render(); });
applyStatic();
for (const a of $("views").querySelectorAll("a")) a.parentElement.hidden = !VIEWS[a.dataset.view];
$("lang-switch").addEventListener("click", switchLanguage);
$("login-form").addEventListener("submit", login);
$("logout").addEventListener("click", logout);
$("dashboard-range").addEventListener("submit", quietly((ev) => { ev.preventDefault(); return loadDashboard(); }));
$("campaign-form").addEventListener("submit", quietly(saveCampaign));
$("report-range").addEventListener("submit", quietly(makeReport));
$("report-print").addEventListener("click", () => window.print());
$("report-csv").addEventListener("click", quietly(reportCsv));
$("org-create").addEventListener("submit", quietly(createOrganisation));
$("partner-create").addEventListener("submit", quietly(createPartner));
$("accounts-search").addEventListener("submit", quietly(searchAccounts));
$("account-create").addEventListener("submit", quietly(createAccount));
$("audit-filter").addEventListener("submit", quietly(filterAudit));
$("audit-csv").addEventListener("click", quietly(auditCsv));
if (session()) start();
