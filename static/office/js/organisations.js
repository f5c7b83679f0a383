// Organisations (code, name, target; edited in place) and partners with their moderators.
import { el } from "/static/shared/dom.js";
import { $, call, clearError, say } from "./page.js";
import { w } from "./lang.js";

let orgs = [];
let partners = [];
let moderators = [];

export async function loadOrganisations() {
  [orgs, partners, moderators] = await Promise.all([call("/api/v1/organisations"), call("/api/v1/partners"),
    call("/api/v1/accounts?role=moderator")]);
  renderOrganisations();
}

export const partnerList = () => partners;

function orgRow(o) {
  const name = el("input", { id: `org-name-${o.id}`, value: o.name, maxlength: "200", required: true,
    "aria-label": w(`${o.code} 이름`, `${o.code} name`) });
  const target = el("input", { id: `org-target-edit-${o.id}`, type: "number", min: "0", max: "1000000",
    value: o.participant_target ?? "", "aria-label": w(`${o.code} 목표`, `${o.code} target`) });
  const save = async () => {
    clearError();
    await call(`/api/v1/organisations/${o.id}`, { method: "PATCH",
      json: { name: name.value, participant_target: target.value === "" ? null : Number(target.value) } });
    say(`${o.code} 저장했습니다.`, `Saved ${o.code}.`);
    await loadOrganisations();
  };
  return el("tr", {}, el("th", { scope: "row", text: o.code }), el("td", {}, name), el("td", {}, target),
    el("td", {}, el("button", { type: "button", onclick: () => save().catch(() => {}) },
      w(`${o.code} 저장`, `Save ${o.code}`))));
}

function partnerCard(p) {
  const select = el("select", { id: `partner-add-${p.id}` },
    moderators.filter((m) => m.partner_id !== p.id).map((m) => el("option", { value: m.id, text: m.username })));
  const add = async () => {
    if (!select.value) return;
    clearError();
    await call(`/api/v1/partners/${p.id}/moderators/${select.value}`, { method: "PUT" });
    say("검수자를 넣었습니다.", "Moderator added.");
    await loadOrganisations();
  };
  const remove = (m) => async () => {
    clearError();
    await call(`/api/v1/partners/${p.id}/moderators/${m.id}`, { method: "DELETE" });
    say("검수자를 뺐습니다.", "Moderator removed.");
    await loadOrganisations();
  };
  const titleId = `partner-title-${p.id}`;
  return el("section", { class: "card", "aria-labelledby": titleId },
    el("h4", { id: titleId, text: p.name }),
    el("p", { text: w(`결정 ${p.decisions}건`, `${p.decisions} decisions`) }),
    el("ul", { class: "plain-list", "aria-label": w(`${p.name} 검수자`, `${p.name} moderators`) },
      p.moderators.length ? p.moderators.map((m) => el("li", {}, el("span", { text: m.username + " " }),
        el("button", { type: "button", onclick: () => remove(m)().catch(() => {}) }, w(`${m.username} 빼기`, `Remove ${m.username}`))))
        : el("li", { class: "note", text: w("검수자가 없습니다.", "No moderators.") })),
    el("div", { class: "field inline" }, el("label", { for: select.id, text: w("검수자 넣기", "Add a moderator") }), select,
      el("button", { type: "button", onclick: () => add().catch(() => {}) }, w("넣기", "Add"))));
}

export function renderOrganisations() {
  const head = el("tr", {}, [["코드", "Code"], ["이름", "Name"], ["참여자 목표", "Target"], ["", ""]].map(([ko, en]) =>
    el("th", { scope: "col", text: w(ko, en) })));
  $("orgs-list").replaceChildren(orgs.length
    ? el("div", { class: "table-wrap" }, el("table", { "aria-labelledby": "orgs-list-title" }, el("thead", {}, head), el("tbody", {}, orgs.map(orgRow))))
    : el("p", { class: "note", text: w("단체가 아직 없습니다.", "No organisations yet.") }));
  $("partners-list").replaceChildren(...(partners.length ? partners.map(partnerCard)
    : [el("p", { class: "note", text: w("협력 기관이 아직 없습니다.", "No partners yet.") })]));
}

export async function createOrganisation(ev) {
  ev.preventDefault();
  clearError();
  const target = $("org-target").value;
  await call("/api/v1/organisations", { method: "POST", json: { code: $("org-code").value, name: $("org-name").value,
    participant_target: target === "" ? null : Number(target) } });
  $("org-create").reset();
  say("단체를 추가했습니다.", "Organisation added.");
  await loadOrganisations();
}

export async function createPartner(ev) {
  ev.preventDefault();
  clearError();
  await call("/api/v1/partners", { method: "POST", json: { name: $("partner-name").value } });
  $("partner-create").reset();
  say("협력 기관을 추가했습니다.", "Partner added.");
  await loadOrganisations();
}
