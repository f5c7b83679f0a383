// A verdict is shown by colour AND shape AND words, never by colour alone (WCAG 1.4.1), in the
// list, on the map and on the toilet page alike.
import { el } from "/static/shared/dom.js";
import { pick, t } from "./words.js";

export const VERDICTS = {
  accessible: { shape: "●", words: ["접근 가능", "Accessible"], colour: "#1a7f37" },
  partially_accessible: { shape: "▲", words: ["일부 가능", "Partly accessible"], colour: "#9a6700" },
  not_accessible: { shape: "✕", words: ["접근 불가", "Not accessible"], colour: "#b3261e" },
  unknown: { shape: "?", words: ["확인 필요", "Not enough known"], colour: "#57606a" },
};

export function verdictBadge(verdict) {
  const v = VERDICTS[verdict] || VERDICTS.unknown;
  return el("span", { class: `verdict verdict-${verdict}` },
    el("span", { class: "shape", "aria-hidden": "true", text: v.shape }), " ", pick(v.words));
}

// The finder's criteria in display order, with their words (toilets/criteria.py CRITERIA_LABELS).
export const CRITERIA = {
  step_free: ["단차 없는 출입", "Step-free way in"],
  door_90: ["출입문 90 cm 이상", "Door at least 90 cm"],
  grab_bars_both: ["양쪽 손잡이", "Grab bars on both sides"],
  bell_reachable: ["바닥에서 닿는 비상벨", "Emergency bell reachable from the floor"],
  turning_space: ["휠체어 회전 공간", "Wheelchair turning space"],
  open_now: ["지금 열림", "Open now"],
  open_24h: ["24시간 개방", "Open 24 hours"],
  unisex: ["남녀공용 장애인 화장실", "Unisex accessible stall"],
};

const STATE = {
  true: { mark: "✓", cls: "yes", word: "outcome_met" },
  false: { mark: "✕", cls: "no", word: "outcome_failed" },
  null: { mark: "?", cls: "unknown", word: "outcome_unknown" },
};

/** One criterion as a list item: mark (hidden from screen readers), its name, and in words what holds. */
export function criterionItem(name, value) {
  const s = STATE[value === true ? "true" : value === false ? "false" : "null"];
  return el("li", { class: `crit crit-${s.cls}` },
    el("span", { class: "mark", "aria-hidden": "true", text: s.mark }), " ", pick(CRITERIA[name]),
    el("span", { class: "visually-hidden", text: `: ${t(s.word)}` }));
}
