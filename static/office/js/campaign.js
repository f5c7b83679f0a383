// The campaign: its name, dates, participant target, and each organisation's target.
import { el } from "/static/shared/dom.js";
import { $, call, clearError, say } from "./page.js";
import { w } from "./lang.js";

let last = null;

export async function loadCampaign() {
  last = await call("/api/v1/office/campaign");
  renderCampaign();
}

export function renderCampaign() {
  if (!last) return;
  const c = last.campaign;
  if (c && !$("campaign-name").value) {
    $("campaign-name").value = c.name; $("campaign-start").value = c.starts_on;
    $("campaign-end").value = c.ends_on; $("campaign-target").value = c.participant_target;
  }
  $("campaign-org-targets").replaceChildren(...last.organisations.map((o) => el("div", { class: "field" },
    el("label", { for: `org-target-${o.id}`, text: `${o.name} (${o.code})` }),
    el("input", { id: `org-target-${o.id}`, type: "number", min: "0", max: "1000000", inputmode: "numeric",
      "data-organisation-id": o.id, value: o.participant_target ?? "" }))));
  if (!last.organisations.length) {
    $("campaign-org-targets").append(el("p", { class: "note", text: w("단체가 아직 없습니다.", "No organisations yet.") }));
  }
}

export async function saveCampaign(ev) {
  ev.preventDefault();
  clearError();
  const targets = [...$("campaign-org-targets").querySelectorAll("input[data-organisation-id]")].map((i) => ({
    organisation_id: Number(i.dataset.organisationId), participant_target: i.value === "" ? null : Number(i.value) }));
  last = await call("/api/v1/office/campaign", { method: "PUT", json: {
    name: $("campaign-name").value, starts_on: $("campaign-start").value, ends_on: $("campaign-end").value,
    participant_target: Number($("campaign-target").value), organisation_targets: targets } });
  renderCampaign();
  say("캠페인을 저장했습니다.", "Campaign saved.");
}
