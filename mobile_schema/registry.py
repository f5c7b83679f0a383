"""The report form's JSON Schemas, their upgrades, and validation with bilingual errors.

The schema files here are the one source of truth for the report payload: the server validates
with them, the phone page renders from them. A new form version ships as `report.vN.json`
plus an upgrade function N-1 → N, so reports from old phones keep being accepted: they are
validated against the version they claim and then upgraded on the way in.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from functools import cache
from importlib.resources import files
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError as SchemaError
from pydantic import BaseModel, ConfigDict, Field

from core.errors import FieldError, fail, field_error
from core.text import clean_document
from mobile_schema.upgrades import upgrade_v1_to_v2

Upgrade = Callable[[dict[str, Any]], dict[str, Any]]


class FormSchema(BaseModel):
    """A served form: a JSON Schema (2020-12) document with our x- keys (labels, steps, photo kinds)."""
    model_config = ConfigDict(extra="allow", populate_by_name=True)
    schema_uri: str = Field(alias="$schema")
    id: str = Field(alias="$id")
    title: str
    title_en: str = Field(alias="x-title-en")
    schema_version: int = Field(alias="x-schema-version")
    steps: list[dict[str, Any]] = Field(alias="x-steps")
    photo_kinds: dict[str, Any] = Field(alias="x-photo-kinds")
    type: str
    required: list[str]
    properties: dict[str, Any]


class SchemaRegistry:
    def __init__(self, schemas: dict[int, dict[str, Any]], upgrades: dict[int, Upgrade] | None = None):
        """`upgrades[n]` turns a version-n payload into a version-(n+1) payload."""
        if not schemas:
            raise ValueError("a registry needs at least one schema")
        self.schemas = dict(schemas)
        self.upgrades = dict(upgrades or {})
        self.latest_version = max(self.schemas)
        for version in range(min(self.schemas), self.latest_version):
            if version not in self.upgrades:
                raise ValueError(f"no upgrade from form version {version} to {version + 1}")
        self._validators = {
            v: Draft202012Validator(s, format_checker=FormatChecker(formats=CHECKED_FORMATS))
            for v, s in self.schemas.items()
        }
        # Compiled once per schema (Rust): answers "valid?" in microseconds. Only a document it
        # refuses goes through the validator above, whose errors are the ones translated.
        self._compiled = {v: compile_schema(s) for v, s in self.schemas.items()}

    def schema(self, version: int | None = None) -> dict[str, Any]:
        return self.schemas[self.latest_version if version is None else version]

    def has(self, version: int) -> bool:
        return version in self.schemas

    def validate(self, payload: Any) -> int:
        """Validate against the version the payload names; return that version or raise."""
        return self._validate(payload)[0]

    def accept(self, payload: Any) -> dict[str, Any]:
        """`validate` then `upgrade`, the text of the document cleaned once for both."""
        version, cleaned = self._validate(payload)
        return self._upgraded(version, cleaned)

    def _validate(self, payload: Any) -> tuple[int, dict[str, Any]]:
        if not isinstance(payload, dict):
            raise fail("invalid_report", field_error("", "JSON 객체여야 합니다.", "Must be a JSON object."))
        version = payload.get("schema_version")
        if not isinstance(version, int) or isinstance(version, bool) or version not in self.schemas:
            known = ", ".join(str(v) for v in sorted(self.schemas))
            raise fail("unknown_schema_version", field_error(
                "schema_version", f"지원하는 양식 버전: {known}", f"Supported form versions: {known}"))
        field_errors = [] if _passes(self._compiled[version], payload) else [
            translate(e) for e in sorted(self._validators[version].iter_errors(payload),
                                         key=lambda e: list(e.absolute_path))]
        field_errors += check_requires(self.schemas[version], payload)
        field_errors += _check_observed_at(payload.get("observed_at"))
        cleaned, text_errors = clean_document(payload, multiline=is_multiline)
        field_errors += text_errors
        if field_errors:
            raise fail("invalid_report", *_dedupe(field_errors))
        return version, cleaned

    def upgrade(self, payload: dict[str, Any]) -> dict[str, Any]:
        """The validated payload as stored beside the raw one: its text cleaned (core.text: NFC,
        invisible characters stripped) and upgraded to the latest form version. The argument is
        not changed: the raw payload stays exactly as sent."""
        return self._upgraded(payload["schema_version"], clean_document(payload, multiline=is_multiline)[0])

    def _upgraded(self, version: int, current: dict[str, Any]) -> dict[str, Any]:
        while version < self.latest_version:
            current = self.upgrades[version](json.loads(json.dumps(current)))
            version += 1
            current["schema_version"] = version
        return current


# The formats checked (the others, such as date-time, only annotate; observed_at has its own check).
CHECKED_FORMATS = ("uuid",)


def _formats_in(node: Any) -> set[str]:
    found, stack = set(), [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("format"), str):
                found.add(item["format"])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def compile_schema(schema: dict[str, Any]) -> Any:
    """The compiled twin of the reference validator: formats get the very checks of jsonschema's
    FormatChecker (the ones in CHECKED_FORMATS) or none, so both accept the same strings."""
    checker = FormatChecker(formats=CHECKED_FORMATS)
    formats = {name: (lambda value, name=name: checker.conforms(value, name)) if name in CHECKED_FORMATS
               else (lambda value: True) for name in _formats_in(schema)}
    return jsonschema_rs.validator_for(schema, formats=formats, validate_formats=True)


def _passes(compiled: Any, payload: Any) -> bool:
    """True when the compiled validator accepts the document. False sends it to the reference
    validator, which finds and words the errors (and has the last word: a pattern's `$` or a
    number beyond 64 bits may be read differently by the two, so a refusal here is only a hint)."""
    try:
        return bool(compiled.is_valid(payload))
    except (ValueError, OverflowError, TypeError):
        return False


# Free-text fields where a newline is part of the text (the phone shows them as text areas).
MULTILINE_FIELDS = ("notes", "place.location_detail", "access_route.obstacles.*.note")


def is_multiline(path: str) -> bool:
    """Whether the payload field at a dotted path (list items by index) is multi-line text."""
    parts = ["*" if p.isdigit() else p for p in path.split(".")]
    return ".".join(parts) in MULTILINE_FIELDS


def _dedupe(errors: list[FieldError]) -> list[FieldError]:
    seen: set[tuple[str, str]] = set()
    out = []
    for e in errors:
        if (e.path, e.message_en) not in seen:
            seen.add((e.path, e.message_en))
            out.append(e)
    return out


def check_requires(node: dict[str, Any], value: Any, path: str = "") -> list[FieldError]:
    """The form's one rule across fields, declared in the schema itself: a field marked
    `x-requires: <sibling>` may be given only with that sibling known (form v2: a bound needs
    its value; "it is gone" needs the toilet it is about), with its own words (`x-requires-ko`,
    `x-requires-en`) at the sibling. Kept out of JSON Schema's `if`/`then` so that every tool
    that reads the schema (test generators, the phone's own checks) understands it."""
    if not isinstance(value, dict):
        return []
    out: list[FieldError] = []
    for key, child in (node.get("properties") or {}).items():
        here = f"{path}.{key}" if path else key
        if child.get("x-requires") and value.get(key) is not None and value.get(child["x-requires"]) is None:
            out.append(field_error(f"{path}.{child['x-requires']}" if path else child["x-requires"],
                                   child["x-requires-ko"], child["x-requires-en"]))
        if isinstance(child, dict) and child.get("properties"):
            out += check_requires(child, value.get(key), here)
    return out


def _check_observed_at(value: Any) -> list[FieldError]:
    if not isinstance(value, str):
        return []
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None or "T" not in value.upper():
        return [field_error("observed_at", "RFC 3339 시각(시간대 포함)이어야 합니다. 예: 2023-10-05T14:30:00+09:00",
                            "Must be an RFC 3339 time with a zone, e.g. 2023-10-05T14:30:00+09:00")]
    return []


def _path(error: SchemaError) -> str:
    return ".".join(str(p) for p in error.absolute_path)


def translate(error: SchemaError) -> FieldError:
    """One jsonschema error → a field path with a Korean and an English message."""
    path = _path(error)
    kind, arg = error.validator, error.validator_value
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else str(arg)
        return field_error(".".join(filter(None, [path, missing])), "꼭 입력해야 합니다.", "This field is required.")
    if kind == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        name = ".".join(filter(None, [path, extra[0] if extra else ""]))
        return field_error(name, "이 양식에 없는 항목입니다.", "Unknown field: not part of this form.")
    if kind == "type":
        types = arg if isinstance(arg, list) else [arg]
        wanted = "/".join(t for t in types if t != "null")
        nullable = " (모르면 null)" if "null" in types else ""
        nullable_en = " (or null if unknown)" if "null" in types else ""
        return field_error(path, f"{_KO_TYPES.get(wanted, wanted)} 형식이어야 합니다{nullable}.",
                           f"Must be of type {wanted}{nullable_en}.")
    if kind == "enum":
        allowed = ", ".join("null" if v is None else str(v) for v in arg)
        return field_error(path, f"다음 중 하나여야 합니다: {allowed}", f"Must be one of: {allowed}")
    if kind == "const":
        return field_error(path, f"값은 {arg}이어야 합니다.", f"Must be {arg}.")
    if kind == "minimum":
        return field_error(path, f"{arg} 이상이어야 합니다.", f"Must be at least {arg}.")
    if kind == "maximum":
        return field_error(path, f"{arg} 이하여야 합니다.", f"Must be at most {arg}.")
    if kind == "minLength":
        return field_error(path, "비어 있으면 안 됩니다." if arg == 1 else f"{arg}자 이상이어야 합니다.",
                           "Must not be empty." if arg == 1 else f"Must be at least {arg} characters.")
    if kind == "maxLength":
        return field_error(path, f"{arg}자 이하여야 합니다.", f"Must be at most {arg} characters.")
    if kind == "minItems":
        return field_error(path, f"항목이 {arg}개 이상이어야 합니다.", f"Must have at least {arg} items.")
    if kind == "maxItems":
        return field_error(path, f"항목은 {arg}개까지입니다.", f"Must have at most {arg} items.")
    if kind == "pattern":
        return field_error(path, "형식이 올바르지 않습니다.", f"Has the wrong format (expected pattern {arg}).")
    if kind == "format":
        return field_error(path, f"{arg} 형식이어야 합니다.", f"Must be a valid {arg}.")
    return field_error(path, "값이 올바르지 않습니다.", error.message)


_KO_TYPES = {"string": "문자열", "number": "숫자", "integer": "정수", "boolean": "예/아니요(true/false)",
             "object": "객체", "array": "목록"}


def load_shipped_schema(version: int) -> dict[str, Any]:
    return json.loads((files("mobile_schema") / f"report.v{version}.json").read_text(encoding="utf-8"))


# Shipped upgrades: `SHIPPED_UPGRADES[n]` turns a version-n payload into version n+1
# (mobile_schema/upgrades.py says what each version added).
SHIPPED_UPGRADES: dict[int, Upgrade] = {1: upgrade_v1_to_v2}


@cache
def default_registry() -> SchemaRegistry:
    versions = sorted(
        int(p.name.split(".")[1][1:]) for p in files("mobile_schema").iterdir()
        if p.name.startswith("report.v") and p.name.endswith(".json")
    )
    return SchemaRegistry({v: load_shipped_schema(v) for v in versions}, SHIPPED_UPGRADES)
