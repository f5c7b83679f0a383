// The page's own words (buttons, headings, status names). Field labels, help, units and choices
// never live here: they come from the form schema (title / x-title-en, description / x-description-en).
import { getLang, setLang } from "/static/shared/lang.js";

const WORDS = {
  app_title: ["휠체어도 가는 화장실 제보", "Reachable toilets: report"],
  skip: ["본문으로 건너뛰기", "Skip to content"],
  lang_switch: ["English", "한국어"],
  lang_switch_label: ["Switch to English", "한국어로 보기"],
  nav_label: ["주 메뉴", "Main menu"],
  nav_new: ["새 제보", "New report"],
  nav_mine: ["내 제보", "My reports"],
  nav_missions: ["근처 확인 요청", "Toilets to check"],
  nav_logout: ["로그아웃", "Log out"],
  loading: ["불러오는 중…", "Loading…"],
  offline_now: ["인터넷 연결 없음: 제보는 이 휴대폰에 저장했다가 연결되면 보냅니다.", "Offline: reports are kept on this phone and sent when the connection returns."],
  online_now: ["인터넷에 연결되었습니다.", "Back online."],
  // auth
  login_title: ["로그인", "Log in"],
  join_title: ["봉사자 가입", "Join as a volunteer"],
  nickname: ["닉네임", "Nickname"],
  nickname_help: ["로그인할 때 쓰는 이름입니다 (2~40자). 실명은 쓰지 마세요.", "Your login name (2–40 characters). Please don't use your real name."],
  password: ["비밀번호", "Password"],
  password_help: ["8자 이상", "At least 8 characters"],
  org_code: ["기관 코드 (선택)", "Organisation code (optional)"],
  org_code_help: ["봉사 기관에서 받은 코드가 있으면 적어 주세요.", "If your volunteer organisation gave you a code, enter it."],
  age_band: ["나이대", "Age band"],
  age_under_20: ["20세 미만", "Under 20"], age_20s: ["20대", "20s"], age_30s: ["30대", "30s"],
  age_40s: ["40대", "40s"], age_50s: ["50대", "50s"], age_60_plus: ["60대 이상", "60 or over"],
  do_login: ["로그인", "Log in"],
  do_join: ["가입하기", "Join"],
  to_join: ["처음이세요? 가입하기", "New here? Join"],
  to_login: ["이미 가입했어요: 로그인", "Already joined? Log in"],
  auth_offline: ["로그인하려면 인터넷 연결이 필요합니다.", "Logging in needs a connection."],
  session_expired: ["다시 로그인해 주세요. 저장된 제보는 그대로 있습니다.", "Please log in again. Saved reports are kept."],
  // wizard
  steps_label: ["제보 단계", "Report steps"],
  step_of: ["{n}/{total} 단계", "Step {n} of {total}"],
  next: ["다음", "Next"],
  back: ["이전", "Back"],
  edit_step: ["고치기", "Edit"],
  unknown: ["모름", "I don't know"],
  yes: ["예", "Yes"],
  no: ["아니요", "No"],
  required_mark: ["필수", "required"],
  errors_title: ["고칠 곳이 {n}개 있습니다", "{n} thing(s) to fix"],
  err_required: ["꼭 입력해야 합니다.", "This field is required."],
  err_number: ["숫자로 적어 주세요.", "Please enter a number."],
  err_min: ["{min} 이상이어야 합니다.", "Must be at least {min}."],
  err_max: ["{max} 이하여야 합니다.", "Must be at most {max}."],
  err_pattern: ["형식이 맞지 않습니다.", "Wrong format."],
  err_too_long: ["{max}자 이하로 적어 주세요.", "At most {max} characters."],
  err_min_items: ["점이 {min}개 이상 필요합니다.", "Needs at least {min} points."],
  error_prefix: ["오류", "Error"],
  revision_banner: ["검수자의 요청에 따라 제보 #{id}를 고치고 있습니다.", "You are fixing report #{id} as the moderator asked."],
  moderator_says: ["검수자 메시지", "Moderator's message"],
  // where
  locate: ["내 위치 찾기", "Find my location"],
  locating: ["위치를 찾는 중…", "Finding your location…"],
  located: ["위치를 찾았습니다. 정확도 ±{m} m", "Location found. Accuracy ±{m} m"],
  located_poor: ["위치가 부정확합니다 (±{m} m). 창가나 입구로 가거나 지도에서 핀을 옮기거나 좌표를 고쳐 주세요.", "The location is imprecise (±{m} m). Move near a window or entrance, drag the pin, or correct the coordinates."],
  locate_failed: ["위치를 가져올 수 없습니다: {why}. 좌표를 직접 적거나 지도에서 핀을 옮겨 주세요.", "Cannot get the location: {why}. Type the coordinates or drag the pin on the map."],
  map_label: ["지도: 핀을 끌어 화장실 입구로 옮기세요. 지도 없이 아래 좌표를 고쳐도 됩니다.", "Map: drag the pin to the toilet door. You can also edit the coordinates below instead."],
  map_no_tiles: ["지도 배경 없이 핀과 경로만 보여 줍니다.", "Shown without a base map: pin and route only."],
  pin_label: ["화장실 위치 핀: 끌거나, Tab으로 고른 뒤 화살표 키로 1 m씩(Shift는 10 m씩) 옮기세요", "Toilet pin: drag it, or focus it and use the arrow keys to move it 1 m (10 m with Shift)"],
  pin_moved: ["핀을 옮겼습니다: {lat}, {lon}", "Pin moved: {lat}, {lon}"],
  // route
  route_record: ["걸으며 경로 기록 시작", "Start recording while walking"],
  route_stop: ["경로 기록 멈춤", "Stop recording"],
  route_add_here: ["지금 위치를 경로에 추가", "Add where I am to the route"],
  route_undo: ["마지막 점 지우기", "Remove the last point"],
  route_clear: ["경로 모두 지우기", "Clear the route"],
  route_summary: ["경로: 점 {n}개, 약 {m} m", "Route: {n} points, about {m} m"],
  route_empty: ["경로 없음 (선택)", "No route yet (optional)"],
  route_help: ["거리 입구에서 출발해 걸으며 점을 추가하거나 지도를 눌러 점을 찍으세요. 마지막 점은 화장실 문입니다.", "Start at the street entrance and add points as you walk, or tap the map. The last point is the toilet door."],
  route_map_label: ["접근 경로 지도: 누르면 점이 추가됩니다", "Access route map: tap to add a point"],
  add_item: ["{what} 추가", "Add {what}"],
  remove_item: ["{what} {n} 삭제", "Remove {what} {n}"],
  point_here: ["지금 내 위치로", "Use where I am"],
  point_last_route: ["경로의 마지막 점으로", "Use the last route point"],
  point_clear: ["위치 지우기", "Clear the place"],
  point_none: ["위치 정하지 않음", "No place set"],
  point_value: ["위치: {lat}, {lon}", "Place: {lat}, {lon}"],
  // photos
  photo_camera: ["카메라로 찍기", "Take a photo"],
  photo_gallery: ["앨범에서 고르기", "Choose from gallery"],
  photo_help: ["사진은 이 휴대폰에서 줄인 다음 보냅니다. 얼굴이 찍히지 않게 해 주세요.", "Photos are made smaller on this phone before sending. Please avoid people's faces."],
  photo_n: ["사진 {n}", "Photo {n}"],
  photo_kind: ["사진 종류", "What the photo shows"],
  photo_remove: ["사진 {n} 삭제", "Remove photo {n}"],
  photo_none: ["아직 사진이 없습니다.", "No photos yet."],
  photo_added: ["사진 {n}개를 추가했습니다.", "{n} photo(s) added."],
  photo_failed: ["이 사진을 읽을 수 없습니다: {name}", "Could not read this photo: {name}"],
  photos_count: ["사진 {n}장", "{n} photo(s)"],
  // review
  review_intro: ["보내기 전에 내용을 확인하세요.", "Check your answers before sending."],
  nearby_new: ["아니요, 새로 찾은 화장실입니다", "No, this is a new toilet"],
  nearby_is: ["예, 이 화장실입니다: {name} ({d} m)", "Yes, this one: {name} ({d} m)"],
  nearby_none: ["근처에 등록된 화장실이 없습니다.", "No published toilet nearby."],
  nearby_unavailable: ["근처 화장실 목록을 지금 볼 수 없습니다. 검수자가 중복을 확인합니다.", "The list of nearby toilets is not available now; the moderator checks for duplicates."],
  nearby_note: ["고른 답은 제보와 함께 보내지고, 검수자가 확인합니다.", "Your answer is sent with the report; a moderator checks it."],
  nearby_linked: ["예, 이 화장실입니다: {name}", "Yes, this one: {name}"],
  linked_opened: ["게시된 화장실 '{name}'에 대한 제보를 시작합니다. 장소는 미리 채워 두었습니다.", "A report about the published toilet '{name}': its place is filled in."],
  linked_unknown: ["그 화장실을 찾을 수 없습니다. 새 제보로 시작합니다.", "That toilet could not be found; starting a new report."],
  send: ["보내기", "Send"],
  send_revision: ["고친 제보 보내기", "Send the fixed report"],
  sending: ["보내는 중…", "Sending…"],
  sent_title: ["보냈습니다", "Sent"],
  sent_body: ["제보 #{id}가 접수되었습니다. 검수를 기다립니다.", "Report #{id} was received and awaits review."],
  saved_offline_title: ["이 휴대폰에 저장했습니다", "Saved on this phone"],
  saved_offline_body: ["인터넷에 연결되면 자동으로 보냅니다. 다시 보내도 제보는 하나만 만들어집니다.", "It will be sent automatically when the connection returns. Retries never create a second report."],
  send_failed_title: ["보내지 못했습니다", "Not sent"],
  candidates_title: ["근처의 비슷한 제보·화장실", "Similar reports or toilets nearby"],
  candidate_line: ["{name}: {d} m", "{name}: {d} m"],
  warnings_title: ["확인해 주세요", "Please check"],
  new_report: ["새 제보 쓰기", "Write a new report"],
  to_mine: ["내 제보 보기", "See my reports"],
  // outbox & my reports
  outbox_title: ["이 휴대폰에서 보낼 제보", "Waiting on this phone"],
  outbox_waiting: ["연결을 기다리는 중", "Waiting for a connection"],
  outbox_sending: ["보내는 중", "Sending"],
  outbox_photos: ["사진 보내는 중 ({done}/{total})", "Sending photos ({done}/{total})"],
  outbox_failed: ["고칠 곳이 있어 보내지 못함", "Not sent: something needs fixing"],
  outbox_conflict: ["보내지 못함: {msg}", "Not sent: {msg}"],
  outbox_fix: ["고치기", "Fix it"],
  outbox_retry: ["지금 보내기", "Send now"],
  outbox_discard: ["버리기", "Discard"],
  outbox_discard_confirm: ["이 제보를 이 휴대폰에서 지울까요?", "Delete this report from the phone?"],
  mine_title: ["내 제보", "My reports"],
  mine_empty: ["아직 보낸 제보가 없습니다.", "You have not sent any report yet."],
  mine_retry: ["다시 불러오기", "Try again"],
  mine_more: ["더 보기 (전체 {total}개 중 {shown}개 표시)", "Show more ({shown} of {total} shown)"],
  mine_offline: ["연결이 없어 목록을 불러올 수 없습니다.", "No connection: cannot load the list."],
  fix_resubmit: ["고쳐서 다시 보내기", "Fix and send again"],
  submitted_on: ["보낸 날: {d}", "Sent: {d}"],
  untitled: ["(이름 없음)", "(no name)"],
  status: ["상태", "Status"],
  st_queued: ["검수 대기", "Waiting for review"],
  st_in_review: ["검수 중", "Being reviewed"],
  st_changes_requested: ["수정 요청 받음", "Changes requested"],
  st_pending_second_review: ["2차 검수 대기", "Waiting for a second review"],
  st_approved: ["승인됨", "Approved"],
  st_merged: ["기존 화장실에 합쳐짐", "Merged into an existing toilet"],
  st_rejected: ["반려됨", "Rejected"],
  // missions
  missions_title: ["근처 확인이 필요한 화장실", "Toilets to check near you"],
  missions_intro: ["아직 아무도 확인하지 않은 공공 화장실과, 확인한 지 오래된 화장실입니다. 하나를 맡아 제보해 주세요.",
    "Listed public toilets nobody has checked yet, and toilets checked long ago. Take one and report it."],
  missions_find: ["내 위치 근처에서 찾기", "Find near my location"],
  missions_locating: ["위치를 찾는 중…", "Finding your location…"],
  missions_no_location: ["위치를 알 수 없습니다. 위치 권한을 확인해 주세요.", "Your location is not available. Please check the location permission."],
  missions_found: ["{n}곳을 찾았습니다.", "{n} found."],
  missions_none: ["이 근처(1 km)에는 확인할 곳이 없습니다.", "Nothing to check within 1 km."],
  missions_in_district: ["좌표 없이 주소만 있는 곳 ({district})", "Listed by address only ({district})"],
  mission_gap: ["아직 확인되지 않은 공공 화장실 (장애인 칸 {n}개로 등록)", "Listed public toilet nobody has checked (listed with {n} accessible stall(s))"],
  mission_reverify: ["다시 확인 필요: 마지막 확인 {d}", "Check again: last verified {d}"],
  mission_distance: ["{d} m 거리", "{d} m away"],
  mission_address: ["주소: {a}", "Address: {a}"],
  mission_mine: ["내가 맡음 ({until}까지)", "Taken by you (until {until})"],
  mission_reported: ["제보함: 검수 대기", "Reported: waiting for review"],
  mission_take: ["맡아서 제보하기", "Take it and report"],
  mission_continue: ["이어서 제보하기", "Continue the report"],
  mission_taken_now: ["'{name}' 확인을 맡았습니다. 장소는 미리 채워 두었습니다.", "You took '{name}'. Its place is filled in."],
  mission_draft: ["확인 요청: {name}", "Mission: {name}"],
  mission_link_failed: ["제보는 보냈지만 확인 요청에 연결하지 못했습니다: {msg}", "The report was sent but could not be linked to the mission: {msg}"],
};

const AGE_BANDS = ["under_20", "20s", "30s", "40s", "50s", "60_plus"];

export { getLang, setLang };

/** A page word in the current language, with {placeholders} filled. */
export function t(key, vars = {}) { return tIn(getLang(), key, vars); }

/** A page word in a given language (client-side errors carry both, like the server's). */
export function tIn(language, key, vars = {}) {
  const pair = WORDS[key];
  if (!pair) return key;
  let s = pair[language === "ko" ? 0 : 1];
  for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v));
  return s;
}

/** Pick a {ko, en} pair (enum labels, step names). */
export function pick(pair) { return pair ? (pair[getLang()] ?? pair.ko ?? "") : ""; }

/** The label of a schema node: `title` is Korean, `x-title-en` English. */
export function titleOf(node) { return (getLang() === "en" && node["x-title-en"]) || node.title || ""; }
export function helpOf(node) { return (getLang() === "en" && node["x-description-en"]) || node.description || ""; }
export function messageOf(err) { return (getLang() === "en" ? err.message_en : err.message_ko) || err.message_en || err.message_ko || ""; }

export function ageBands() { return AGE_BANDS.map((v) => ({ value: v, label: t(`age_${v}`) })); }
