// Which of a report's fields the console shows and lets a moderator correct, in its own short
// words (the choices and their labels come from the form schema, see words.js).

/** The fields table, in order: dotted path, Korean, English. */
export const SHOWN = [
  ["place.name", "이름", "Name"], ["place.building_name", "건물", "Building"], ["place.floor", "층", "Floor"],
  ["place.road_address", "도로명주소", "Road address"], ["place.lot_address", "지번주소", "Lot address"],
  ["place.location_detail", "위치 설명", "Location detail"], ["place.opening", "개방", "Opening"],
  ["place.opening_hours", "개방 시간", "Opening hours"],
  ["access_route.step_free", "접근로 단차 없음", "Route step-free"], ["access_route.elevator", "승강기", "Lift"],
  ["access_route.ramp_slope_percent", "경사로 기울기 %", "Ramp slope %"],
  ["access_route.entrance_step_free", "출입구 단차 없음", "Entrance step-free"],
  ["toilet.arrangement", "화장실 형태", "Arrangement"], ["toilet.door_type", "문 종류", "Door type"],
  ["toilet.door_clear_width_cm", "문 유효폭 cm", "Door clear width cm"],
  ["toilet.threshold_height_cm", "문턱 높이 cm", "Threshold height cm"],
  ["toilet.turning_space_150cm", "회전 공간 150cm", "Turning space 150 cm"],
  ["toilet.interior_width_cm", "내부 폭 cm", "Interior width cm"], ["toilet.interior_depth_cm", "내부 깊이 cm", "Interior depth cm"],
  ["toilet.grab_bars", "손잡이", "Grab bars"], ["toilet.emergency_bell", "비상벨", "Emergency bell"],
  ["toilet.washbasin_accessible", "세면대 이용 가능", "Washbasin usable"],
  ["toilet.baby_changing_table", "기저귀 교환대", "Baby changing table"],
  ["notes", "메모", "Notes"],
];

/** The fields offered as edit inputs (정제); each input's kind follows the field's schema. */
export const EDITABLE = ["place.name", "place.floor", "place.road_address", "place.lot_address", "place.opening_hours",
  "toilet.door_clear_width_cm", "toilet.threshold_height_cm",
  "toilet.turning_space_150cm", "toilet.grab_bars", "toilet.emergency_bell", "toilet.arrangement", "toilet.door_type",
  "access_route.step_free", "location.lon", "location.lat"];

const LOCATION = { "location.lon": ["경도", "Longitude"], "location.lat": ["위도", "Latitude"] };

/** [Korean, English] for a shown or editable field. */
export function fieldLabel(path) {
  const shown = SHOWN.find((f) => f[0] === path);
  return shown ? [shown[1], shown[2]] : LOCATION[path] || [path, path];
}

/** Puts values (form path → text) into the edit inputs, sent with an approval or merge like any
 * edit; returns the [Korean, English] labels of the fields filled. The Smart Seoul Map card and
 * the public toilet list card both fill through here. */
export function fillEdits(values) {
  const filled = [];
  for (const [path, value] of Object.entries(values)) {
    const input = document.getElementById("edit-" + path.replace(/\./g, "-"));
    if (!input || value === null || value === undefined || value === "") continue;
    input.value = value;
    filled.push(fieldLabel(path));
  }
  return filled;
}

/** A value at a dotted path of an object. */
export function get(obj, path) { return path.split(".").reduce((o, k) => (o == null ? undefined : o[k]), obj); }
