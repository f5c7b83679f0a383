// The words the console shows for codes, each read from where the server defines it: field
// choices and their labels from the form schema (/mobile-schema), reject reasons from
// /moderation/reason-codes, actions, report states and confirmable criteria from
// /moderation/vocabulary. Nothing here lists a code itself.
import { call } from "./api.js";

const words = { schema: null, reasons: [], actions: new Map(), statuses: new Map(), confirmable: [], changeRequests: [],
  evidence: new Map(), reference: {} };
const byCode = (items) => new Map(items.map((i) => [i.code, i]));

export async function loadWords() {
  const [schema, reasons, vocabulary] = await Promise.all([call("/api/v1/mobile-schema"),
    call("/api/v1/moderation/reason-codes"), call("/api/v1/moderation/vocabulary")]);
  Object.assign(words, { schema, reasons, actions: byCode(vocabulary.actions),
    statuses: byCode(vocabulary.report_statuses), confirmable: vocabulary.confirmable,
    changeRequests: vocabulary.change_requests, evidence: byCode(vocabulary.duplicate_evidence || []),
    reference: { flags: byCode(vocabulary.reference_flags || []),
      statuses: byCode(vocabulary.reference_match_statuses || []),
      methods: byCode(vocabulary.reference_match_methods || []) } });
}

/** The form schema's node for a dotted path (e.g. toilet.grab_bars), or undefined. */
export function fieldNode(path) {
  return path.split(".").reduce((node, key) => node?.properties?.[key], words.schema);
}

/** A field's choices as [{value, label}]: an enum's values with their labels, or yes/no. */
export function choices(node) {
  if (node.enum) return node.enum.filter((v) => v !== null).map((v) => ({ value: String(v), label: choiceLabel(node, v) }));
  return [{ value: "true", label: fmt(true) }, { value: "false", label: fmt(false) }];
}

function choiceLabel(node, value) {
  const label = node["x-enum-labels"]?.[value];
  return label ? `${label.ko} ${label.en}` : String(value);
}

/** A value as the console shows it; a choice field's value (path given) by its label. */
export function fmt(v, path) {
  if (v === null || v === undefined) return "모름 unknown";
  if (v === true) return "예 yes";
  if (v === false) return "아니오 no";
  if (typeof v === "object") return JSON.stringify(v);
  const node = path ? fieldNode(path) : undefined;
  return node?.enum ? choiceLabel(node, v) : String(v);
}

const labelOf = (item, code) => (item ? [item.label_ko, item.label_en] : [code, code]);
export const statusLabel = (code) => labelOf(words.statuses.get(code), code);
export function actionLabel(code) {
  const item = words.actions.get(code);
  return item ? `${item.label_ko} ${item.label_en}` : code;
}
export const reasons = () => words.reasons;
/** Why a candidate is a likely duplicate, in words (e.g. "같은 공공데이터 기록 Same public-data record"). */
export function evidenceLabel(code) {
  const item = words.evidence.get(code);
  return item ? `${item.label_ko} ${item.label_en}` : code;
}
/** A reference record's flag, match status or match method (kind: flags | statuses | methods) in words. */
export function referenceLabel(kind, code) {
  const item = words.reference[kind]?.get(code);
  return item ? `${item.label_ko} ${item.label_en}` : code;
}
export const confirmable = () => words.confirmable;
export const changeRequests = () => words.changeRequests;

/** A photo kind as the form schema words it (x-photo-kinds), e.g. "출입문 Door". */
export function photoKindLabel(kind) {
  const label = words.schema?.["x-photo-kinds"]?.[kind];
  return label ? `${label.ko} ${label.en}` : kind;
}
