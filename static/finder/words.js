// The finder's words, Korean first with English; the language is the one every page shares
// (static/shared/lang.js).
import { getLang, setLang } from "/static/shared/lang.js";

const WORDS = {
  title: ["휠체어도 가는 화장실", "Reachable toilets Seoul"],
  tagline: ["휠체어·유모차로 실제로 갈 수 있는 서울의 화장실을 찾고, 왜 그런지 확인하세요.",
            "Find toilets in Seoul you can actually reach by wheelchair or stroller, and see why."],
  lang_switch: ["English", "한국어"],
  lang_switch_label: ["Switch to English", "한국어로 보기"],
  skip: ["본문으로 건너뛰기", "Skip to content"],
  search_heading: ["찾기", "Search"],
  search_label: ["이름, 주소 또는 자치구", "Name, address or district"],
  search_hint: ["예: 시청, 세종대로, 강남구, Mapo-gu", "e.g. City Hall, Sejong-daero, 강남구, Mapo-gu"],
  search_button: ["검색", "Search"],
  near_me: ["내 주변 찾기", "Near me"],
  near_me_hint: ["누르면 브라우저가 위치 사용을 묻습니다. 위치는 이 기기에서만 씁니다.",
                 "Your browser will ask to share your location; it is used on this device only."],
  locating: ["위치를 확인하는 중…", "Finding where you are…"],
  located: ["내 위치에서 {r} 안의 화장실을 가까운 순서로 보여 줍니다.", "Showing toilets within {r} of you, nearest first."],
  location_denied: ["위치를 쓸 수 없습니다. 이름이나 자치구로 찾아 주세요.", "Your location is not available. Search by name or district instead."],
  clear_location: ["내 위치 지우기", "Stop using my location"],
  radius_label: ["반경", "Within"],
  filters: ["조건", "Filters"],
  filters_count: ["조건 ({n})", "Filters ({n})"],
  filters_legend: ["꼭 필요한 것 (모두 충족)", "What you need (all must hold)"],
  filters_note: ["확인되지 않은 항목은 조건을 충족하지 않은 것으로 봅니다.", "A criterion nobody checked does not count as met."],
  verdict_legend: ["판정", "Verdict"],
  verdict_all: ["모든 판정", "Any verdict"],
  verdict_reachable: ["접근 가능 · 일부 가능", "Accessible or partly"],
  verdict_accessible: ["접근 가능만", "Accessible only"],
  apply: ["적용", "Apply"],
  reset: ["조건 모두 지우기", "Clear all filters"],
  results_heading: ["결과", "Results"],
  view_list: ["목록", "List"],
  view_map: ["지도", "Map"],
  view_label: ["보기 방식", "View"],
  count: ["{n}곳을 찾았습니다.", "{n} toilets found."],
  count_more: ["{n}곳 중 {shown}곳을 보여 줍니다.", "Showing {shown} of {n} toilets."],
  none: ["조건에 맞는 화장실이 없습니다. 조건을 줄이거나 다른 곳을 찾아 보세요.",
         "No toilet matches. Try fewer filters or another place."],
  loading: ["불러오는 중…", "Loading…"],
  more: ["더 보기", "Show more"],
  error: ["목록을 불러오지 못했습니다.", "Could not load the list."],
  offline: ["서버에 연결할 수 없습니다. 연결을 확인하고 다시 시도해 주세요.", "Cannot reach the server. Check your connection and try again."],
  retry: ["다시 시도", "Try again"],
  distance: ["{d} 거리", "{d} away"],
  floor: ["{f}층", "Floor {f}"],
  ageing: ["{date}에 마지막으로 확인: 오래되었습니다", "Last checked {date}: may be out of date"],
  verified: ["{date} 확인", "Checked {date}"],
  details: ["자세히", "Details"],
  open_now_yes: ["지금 열림", "Open now"],
  open_now_no: ["지금 닫힘", "Closed now"],
  open_24h: ["24시간", "24 hours"],
  open_now_unknown: ["지금 열려 있는지는 알 수 없습니다. 개방 시간을 확인하세요.", "Whether it is open now is not known; check the hours."],
  map_label: ["화장실 지도", "Map of toilets"],
  map_loading: ["지도를 불러오는 중…", "Loading the map…"],
  map_failed: ["이 브라우저에서는 지도를 그릴 수 없습니다. 목록을 이용해 주세요.", "This browser cannot draw the map. Please use the list."],
  map_hint: ["지도는 목록과 같은 결과를 보여 줍니다. 키보드로는 목록이 더 편합니다.",
             "The map shows the same results as the list; by keyboard the list is easier."],
  map_shows_layer: ["지도에는 공개된 화장실이 모두 보입니다. 숫자는 그곳에 모인 화장실 수이며, 누르면 확대됩니다.",
                    "The map shows every published toilet. A number is how many toilets are grouped there; tap it to zoom in."],
  map_shows_layer_verdict: ["지도에는 고른 판정의 화장실이 모두 보입니다. 숫자는 그곳에 모인 그 화장실 수이며, 누르면 확대됩니다.",
                            "The map shows every published toilet of the chosen verdicts. A number is how many of them are grouped there; tap it to zoom in."],
  map_shows_results: ["지도에는 목록의 결과 {shown}곳이 보입니다 (모두 {n}곳). 숫자는 그곳에 모인 결과 수입니다.",
                      "The map shows the list's {shown} results (of {n}). A number is how many results are grouped there."],
  map_you: ["내 위치", "You are here"],
  legend: ["범례: 지도의 모양과 색", "Legend: shapes and colours on the map"],
  staff_heading: ["참여하는 분들께", "For the people behind the map"],
  staff_app: ["제보하기 (자원봉사자)", "Report a toilet (volunteers)"],
  staff_moderate: ["검수 콘솔 (검수 기관)", "Moderator console (partner)"],
  staff_preview: ["지도 미리보기 (지도팀)", "Map preview (map team)"],
  staff_docs: ["API 문서", "API documentation"],
  about: ["시민이 제보하고 검수 기관이 확인한 화장실만 보여 줍니다. 판정은 측정값에서 계산됩니다.",
          "Only toilets volunteers reported and moderators verified; each verdict is computed from measurements."],
  // the toilet page
  back: ["← 찾기로 돌아가기", "← Back to the finder"],
  verdict_heading: ["판정과 이유", "Verdict and why"],
  criteria_heading: ["기준별 확인 결과", "Each criterion"],
  place_heading: ["위치", "Where"],
  route_heading: ["들어가는 길", "The way in"],
  route_map_label: ["접근로와 장애물 지도", "Map of the way in and its obstacles"],
  no_route: ["접근로가 기록되지 않았습니다.", "No route was recorded."],
  obstacles_heading: ["장애물", "Obstacles"],
  no_obstacles: ["기록된 장애물이 없습니다.", "No obstacles recorded."],
  hours_heading: ["개방 시간", "Opening hours"],
  photos_heading: ["사진", "Photos"],
  no_photos: ["사진이 없습니다.", "No photos."],
  photo_alt: ["{name} 사진 {i}/{n}", "{name}, photo {i} of {n}"],
  verified_heading: ["확인 날짜", "Last verified"],
  report_change: ["바뀐 점 알리기", "Report a change"],
  report_change_hint: ["이 화장실에 연결된 제보 양식이 열립니다.", "Opens the report form, linked to this toilet."],
  building: ["건물", "Building"],
  floor_label: ["층", "Floor"],
  location_detail: ["건물 안 위치", "Where in the building"],
  road_address: ["도로명주소", "Road address"],
  lot_address: ["지번주소", "Lot address"],
  district: ["자치구", "District"],
  unknown: ["확인 안 됨", "not checked"],
  not_found: ["이 화장실을 찾을 수 없습니다.", "This toilet could not be found."],
  outcome_met: ["충족", "met"],
  outcome_failed: ["미충족", "not met"],
  outcome_unknown: ["확인 안 됨", "not checked"],
  outcome_confirmed: ["검수자 확인", "confirmed by a moderator"],
  opening: ["개방 형태", "Opening"],
};

// Form codes the page shows in words (the rest come from the API's reasons texts).
export const CODES = {
  opening: { always: ["항상 개방", "Always open"], business_hours: ["영업·근무 시간", "Business hours"],
             on_request: ["요청 시 개방", "Opened on request"] },
  obstacle: { step: ["계단·턱", "Step"], steep_ramp: ["가파른 경사로", "Steep ramp"],
              narrow_passage: ["좁은 통로", "Narrow passage"], heavy_door: ["무거운 문", "Heavy door"],
              uneven_surface: ["울퉁불퉁한 바닥", "Uneven surface"], other: ["기타", "Other"] },
};

export { getLang, setLang };

/** A page word in the current language, {placeholders} filled. */
export function t(key, vars = {}) {
  const pair = WORDS[key];
  let s = pair ? pair[getLang() === "ko" ? 0 : 1] : key;
  for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v));
  return s;
}

/** A [ko, en] pair or {ko, en} object in the current language. */
export function pick(pair) {
  if (!pair) return "";
  if (Array.isArray(pair)) return pair[getLang() === "ko" ? 0 : 1];
  return pair[getLang()] ?? pair.ko ?? "";
}

/** The error body's message (the one error shape of the API) in the current language. */
export function messageOf(body) {
  return (getLang() === "en" ? body?.message_en : body?.message_ko) || body?.message_en || "";
}

export function metres(d) {
  if (d < 1000) return `${Math.round(d)} m`;
  const km = (d / 1000).toFixed(1);
  return `${km.endsWith(".0") ? km.slice(0, -2) : km} km`;
}

/** Wire the language button (id lang-toggle) and call `render` after each switch. */
export function languageButton(render) {
  const button = document.getElementById("lang-toggle");
  const label = () => {
    button.textContent = t("lang_switch");
    button.setAttribute("lang", getLang() === "ko" ? "en" : "ko");
    button.setAttribute("aria-label", t("lang_switch_label"));
  };
  document.documentElement.lang = getLang();
  label();
  button.addEventListener("click", () => { setLang(getLang() === "ko" ? "en" : "ko"); label(); render(); });
}
