// The city's public toilet list card (공공 화장실 목록): the record the report checks, either the one
// a mission sent the volunteer to (report.reference.via_mission) or the nearest listed one, every
// field as text (city data is handled like crowd text), its distance, and one button that
// accepts its road and lot addresses and opening hours into the edits. Accepting also ticks "tie
// this record": approving or merging then sends its management number and the server matches it
// to the published toilet (a mission's record is tied without asking).
import { el, bi } from "/static/shared/dom.js";
import { $, state, say } from "./page.js";
import { fillEdits } from "./fields.js";
import { referenceLabel } from "./words.js";

/** The record's fields, in order: key, Korean, English. */
const SHOWN = [
  ["management_no", "관리번호", "Management number"], ["name", "이름", "Name"], ["category", "구분", "Category"],
  ["road_address", "도로명주소", "Road address"], ["lot_address", "지번주소", "Lot address"],
  ["opening", "개방", "Opening"], ["opening_hours", "개방 시간", "Opening hours"],
  ["manager", "관리기관", "Manager"], ["phone", "전화번호", "Phone"],
  ["disabled_stalls", "장애인용 대변기 수", "Disabled-use stalls"],
];

/** What the button accepts: the record's key → the report form's path. */
const ACCEPTED = { road_address: "place.road_address", lot_address: "place.lot_address",
  opening_hours: "place.opening_hours" };

function acceptable(ref) {
  return Object.fromEntries(Object.entries(ACCEPTED).filter(([key]) => String(ref[key] ?? "").trim())
    .map(([key, path]) => [path, ref[key]]));
}

function accept() {
  const ref = state.report.reference;
  const filled = fillEdits(acceptable(ref));
  const ko = filled.map((l) => l[0]).join(", "), en = filled.map((l) => l[1]).join(", ");
  if (!ref.via_mission) $("reference-tie").checked = true;
  $("reference-state").textContent = `정제 칸에 넣었습니다: ${ko}. 승인하거나 병합하면 반영되고 이 기록이 게시 화장실과 연결됩니다. · `
    + `In the edits: ${en}. Approving or merging applies them and ties this record to the published toilet.`;
  say(`공공 화장실 목록에서 채웠습니다: ${ko}`, `Filled from the public toilet list: ${en}`);
}

function matchText(ref) {
  let out = referenceLabel("statuses", ref.match_status);
  if (ref.match_method) out += ` (${referenceLabel("methods", ref.match_method)})`;
  if (ref.candidate_toilet_id) out += ` – 게시 화장실 Published toilet ${ref.candidate_toilet_id}`;
  return out;
}

function distanceText(ref) {
  if (ref.distance_m === null || ref.distance_m === undefined) {
    return "쓸 수 있는 좌표가 없어 주소로 연결된 기록입니다 · No usable point: matched by address";
  }
  return `제보 위치에서 ${ref.distance_m} m · ${ref.distance_m} m from the report's point`;
}

export function renderReference(r) {
  const ref = r.reference;
  $("reference-state").textContent = "";
  $("reference-tie").checked = false;
  $("reference-none").hidden = Boolean(ref);
  $("reference-record").hidden = !ref;
  if (!ref) return;
  $("reference-mission").hidden = !ref.via_mission;
  $("reference-tie-field").hidden = ref.via_mission;
  const flags = ref.flags.map((f) => referenceLabel("flags", f)).join("; ");
  $("reference-fields").replaceChildren(
    ...SHOWN.flatMap(([key, ko, en]) => [el("dt", {}, bi(ko, en)), el("dd", { text: ref[key] ?? "–" })]),
    el("dt", {}, bi("표시", "Flags")), el("dd", { text: flags || "없음 none" }),
    el("dt", {}, bi("게시 화장실과의 연결", "Match")), el("dd", { text: matchText(ref) }));
  $("reference-distance").textContent = distanceText(ref);
  $("reference-source").textContent = `출처 Source: ${ref.source}`;
  $("reference-accept").hidden = !Object.keys(acceptable(ref)).length;
}

/** The management number of the public toilet list's record to tie to the toilet: the one the
 * moderator accepted (ticked); a mission's record is tied by the server without it. */
export function tiedReference() {
  const ref = state.report.reference;
  return ref && !ref.via_mission && $("reference-tie").checked ? ref.management_no : null;
}

export function wireReference() {
  $("reference-accept").addEventListener("click", accept);
}
