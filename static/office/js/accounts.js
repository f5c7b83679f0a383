// Accounts: find (by name, role), create staff accounts, deactivate and reactivate, reset a
// password. Every action is the API's (accounts/service.py); the page only asks and shows.
import { el } from "/static/shared/dom.js";
import { $, call, clearError, query, say } from "./page.js";
import { w } from "./lang.js";

const ROLES = { volunteer: ["봉사자", "Volunteer"], moderator: ["검수자", "Moderator"], exporter: ["내보내기", "Exporter"],
  admin: ["관리자", "Admin"] };
let accounts = [];
let partners = [];
const PAGE = 100;
let page = 1;

export async function loadAccounts() {
  [accounts, partners] = await Promise.all([
    call(`/api/v1/accounts${query({ q: $("accounts-q").value, role: $("accounts-role").value, page, page_size: PAGE })}`),
    call("/api/v1/partners")]);
  renderAccounts();
}

export function searchAccounts(ev) { ev.preventDefault(); page = 1; return loadAccounts(); }

function role(code) { const r = ROLES[code]; return r ? w(...r) : code; }

async function act(account, path, body, ko, en) {
  clearError();
  await call(`/api/v1/accounts/${account.id}/${path}`, { method: "POST", json: body });
  say(ko, en);
  await loadAccounts();
}

function resetForm(a) {
  const id = `reset-${a.id}`;
  const input = el("input", { id, type: "password", minlength: "8", maxlength: "128", autocomplete: "new-password", required: true });
  const form = el("form", { class: "field inline", onsubmit: (ev) => { ev.preventDefault();
    act(a, "password", { new_password: input.value }, `${a.username}의 비밀번호를 바꿨습니다.`,
      `Password of ${a.username} reset.`).catch(() => {}); } },
  el("label", { for: id, text: w(`${a.username} 새 비밀번호`, `New password for ${a.username}`) }), input,
  el("button", { type: "submit" }, w("비밀번호 바꾸기", "Reset password")));
  return form;
}

function accountRow(a) {
  const partner = partners.find((p) => p.id === a.partner_id);
  const toggle = a.is_active
    ? el("button", { type: "button", onclick: () => act(a, "deactivate", {}, `${a.username} 사용 중지`, `${a.username} deactivated`).catch(() => {}) },
      w(`${a.username} 사용 중지`, `Deactivate ${a.username}`))
    : el("button", { type: "button", onclick: () => act(a, "reactivate", {}, `${a.username} 다시 사용`, `${a.username} reactivated`).catch(() => {}) },
      w(`${a.username} 다시 사용`, `Reactivate ${a.username}`));
  return el("tr", {}, el("th", { scope: "row", text: a.username }), el("td", { text: role(a.role) }),
    el("td", { text: partner ? partner.name : "–" }),
    el("td", { text: a.is_active ? w("사용 중", "Active") : w("사용 중지됨", "Deactivated") }),
    el("td", {}, toggle, el("details", {}, el("summary", { text: w("비밀번호 바꾸기", "Reset password") }), resetForm(a))));
}

export function renderAccounts() {
  $("account-partner").replaceChildren(el("option", { value: "", text: w("없음", "None") }),
    ...partners.map((p) => el("option", { value: p.id, text: p.name })));
  const head = el("tr", {}, [["아이디", "Username"], ["역할", "Role"], ["협력 기관", "Partner"], ["상태", "State"], ["", ""]]
    .map(([ko, en]) => el("th", { scope: "col", text: w(ko, en) })));
  const pager = el("div", { class: "pager" },
    el("button", { type: "button", disabled: page === 1, onclick: () => { page -= 1; loadAccounts().catch(() => {}); } }, w("이전", "Previous")),
    el("span", { text: w(`${page}쪽`, `Page ${page}`) }),
    el("button", { type: "button", disabled: accounts.length < PAGE, onclick: () => { page += 1; loadAccounts().catch(() => {}); } }, w("다음", "Next")));
  $("accounts-list").replaceChildren(accounts.length
    ? el("div", { class: "table-wrap" }, el("table", { "aria-label": w("계정 목록", "Accounts") }, el("thead", {}, head),
      el("tbody", {}, accounts.map(accountRow))))
    : el("p", { class: "note", text: w("맞는 계정이 없습니다.", "No accounts match.") }), pager);
}

export async function createAccount(ev) {
  ev.preventDefault();
  clearError();
  const partner = $("account-partner").value;
  const made = await call("/api/v1/accounts", { method: "POST", json: { username: $("account-username").value,
    password: $("account-password").value, role: $("account-role").value,
    partner_id: partner && $("account-role").value === "moderator" ? Number(partner) : null } });
  $("account-create").reset();
  say(`${made.username} 계정을 만들었습니다.`, `Account ${made.username} created.`);
  await loadAccounts();
}
