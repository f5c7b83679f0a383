// The Smart Seoul Map card: what the city's layer needs and this report lacks, as the server
// reads it with the known consumer's rules (report.smart_seoul_map; the console lists no rule
// itself), and the three ways out: fill the addresses from the matched reference record, ask
// the volunteer for what is missing (request changes), or publish to the public layer only.
import { el, bi } from "/static/shared/dom.js";
import { $, state, say } from "./page.js";
import { changeRequests } from "./words.js";
import { updateDecisionFields } from "./decision.js";
import { fillEdits } from "./fields.js";

function requestLabel(code) {
  const item = changeRequests().find((c) => c.code === code);
  return item ? [item.label_ko, item.label_en] : [code, code];
}

/** Chooses "request changes" with the named request (its words become the message). */
function askFor(code) {
  $("decision-form").querySelector("input[name=action][value=request_changes]").checked = true;
  $("change-request").value = code;
  $("message").value = "";
  updateDecisionFields();
  $("change-request").focus();
  say(`보완 요청을 골랐습니다: ${requestLabel(code)[0]}`, `Request changes chosen: ${requestLabel(code)[1]}`);
}

/** Puts the reference record's addresses into the edit inputs (sent with an approval or merge). */
function fillAddresses() {
  fillEdits(state.report.smart_seoul_map.fill);
  $("ssm-fill-state").textContent = "참조 자료의 주소를 정제 칸에 넣었습니다. 승인하면 반영됩니다. · "
    + "The reference record's addresses are in the edits; they apply when you approve.";
  say("주소를 채웠습니다.", "Addresses filled.");
}

export function renderSmartSeoulMap(r) {
  const check = r.smart_seoul_map;
  $("ssm-state").replaceChildren(check.complete
    ? bi("스마트서울맵 레이어에 들어갑니다.", "The Smart Seoul Map layer will carry it.")
    : bi("이대로 게시하면 스마트서울맵 내보내기에서 빠집니다 (공개 지도에는 게시됨).",
      "Published as it is, it is left out of the Smart Seoul Map export (it is on the public layer)."));
  $("ssm-state").className = check.complete ? "ok" : "warning";
  const list = $("ssm-findings");
  list.replaceChildren(...check.findings.map((f) => {
    const item = el("li", { dataset: { code: f.code } }, el("strong", { text: `${f.severity_ko} ${f.severity_en}: ` }),
      `${f.message_ko} · ${f.message_en}`);
    if (f.change_request) {
      const [ko, en] = requestLabel(f.change_request);
      item.append(" ", el("button", { type: "button", class: "small", dataset: { request: f.change_request },
        onclick: () => askFor(f.change_request) }, bi(`요청: ${ko}`, `Ask: ${en}`)));
    }
    return item;
  }));
  if (!check.findings.length) list.append(el("li", { class: "note", text: "빠진 것 없음 · Nothing missing" }));
  const fill = Object.entries(check.fill);
  $("ssm-fill").hidden = !fill.length;
  $("ssm-fill-values").replaceChildren(...fill.map(([path, value]) =>
    el("li", { text: `${path === "place.road_address" ? "도로명주소 Road address" : "지번주소 Lot address"}: ${value}` })));
  $("ssm-fill-state").textContent = "";
  $("public-layer-only").checked = false;
}

export function wireSmartSeoulMap() {
  $("ssm-fill-button").addEventListener("click", fillAddresses);
}
