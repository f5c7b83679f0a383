"""Merging a report into a published toilet without losing what was known (issue 15 item 2).

A merge takes each field of the toilet (place, toilet, access route) from the report where the
report knows it, and keeps the published value where the report left it unknown, with the
version and date that value came from (`field_sources`). A moderator may choose, field by field,
the other way: keep the published value over a new one, or take the report's (even its "unknown",
which then clears the field). A measurement and its bound (`<field>_bound`, form v2) are one
field: they move together. Pure functions of their inputs; `toilets.service.update_toilet`
applies them.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Literal

Choice = Literal["published", "report"]
CHOICES = ("published", "report")
BOUND_SUFFIX = "_bound"
MERGED_GROUPS = ("place", "toilet", "access_route")


@dataclass(frozen=True)
class MergedField:
    """One field of a merge: the published value (with where it came from), the report's, which
    one the merge takes by default and which one it took."""
    path: str
    published: Any
    published_source: dict[str, Any] | None
    report: Any
    default: Choice
    chosen: Choice

    @property
    def same(self) -> bool:
        return self.published == self.report

    @property
    def result(self) -> Any:
        return self.report if self.chosen == "report" else self.published

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "published": self.published, "published_source": self.published_source,
                "report": self.report, "same": self.same, "default": self.default, "chosen": self.chosen,
                "result": self.result}


def _is_known(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, dict):  # a measurement with its bound
        return value.get("value") is not None
    return True


def _units(group: dict[str, Any]) -> dict[str, Any]:
    """A group's fields as merge units: a measurement and its bound as {"value", "bound"}."""
    out: dict[str, Any] = {}
    for key, value in group.items():
        if key.endswith(BOUND_SUFFIX) and key[: -len(BOUND_SUFFIX)] in group:
            continue
        if key + BOUND_SUFFIX in group:
            out[key] = {"value": value, "bound": group.get(key + BOUND_SUFFIX)}
        else:
            out[key] = value
    return out


def _unit_value(unit: Any) -> Any:
    return unit.get("value") if isinstance(unit, dict) and set(unit) == {"value", "bound"} else unit


def _put(group: dict[str, Any], key: str, unit: Any, bounded: bool) -> None:
    if bounded:
        unit = unit if isinstance(unit, dict) else {"value": unit, "bound": None}
        group[key] = unit["value"]
        group[key + BOUND_SUFFIX] = unit["value"] is not None and unit["bound"] or None
    else:
        group[key] = unit


def merge_fields(published: dict[str, Any], incoming: dict[str, Any], *, sources: dict[str, Any] | None = None,
                 choices: dict[str, Choice] | None = None) -> list[MergedField]:
    """Every field of the published data and the report's (both as `toilets.service.published_data`),
    in order, with the merge's default and the moderator's choice (`choices[path]`)."""
    sources, choices = sources or {}, choices or {}
    out = []
    for group in MERGED_GROUPS:
        old, new = _units(published.get(group) or {}), _units(incoming.get(group) or {})
        for key in list(dict.fromkeys([*new, *old])):
            path = f"{group}.{key}"
            before, after = copy.deepcopy(old.get(key)), copy.deepcopy(new.get(key))
            default: Choice = "report" if _is_known(after) or not _is_known(before) else "published"
            out.append(MergedField(path, _plain(before), sources.get(path) if _is_known(before) else None,
                                   _plain(after), default, choices.get(path, default)))
    return out


def _plain(unit: Any) -> Any:
    """A measurement without a bound reads as its number; with one, as {"value", "bound"}."""
    if isinstance(unit, dict) and set(unit) == {"value", "bound"} and unit["bound"] is None:
        return unit["value"]
    return unit


def merged_data(published: dict[str, Any], incoming: dict[str, Any], fields: list[MergedField], *,
                version: int, at: str, sources: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The toilet's data after the merge and where each known field now comes from: a value
    taken from the report comes from `version` at `at`; a kept one keeps its source."""
    sources = sources or {}
    data: dict[str, Any] = {group: {} for group in MERGED_GROUPS}
    new_sources: dict[str, Any] = {}
    for f in fields:
        group, key = f.path.split(".", 1)
        bounded = any(k == key + BOUND_SUFFIX for k in (published.get(group) or {})) or \
            any(k == key + BOUND_SUFFIX for k in (incoming.get(group) or {}))
        _put(data[group], key, copy.deepcopy(f.result), bounded)
        if _is_known(f.result):
            new_sources[f.path] = {"version": version, "at": at} if f.chosen == "report" \
                else (sources.get(f.path) or {"version": None, "at": None})
    return data, new_sources


def sources_of(data: dict[str, Any], *, version: int, at: str) -> dict[str, Any]:
    """Where each known field of freshly published data comes from: all of it from `version`."""
    out = {}
    for group in MERGED_GROUPS:
        for key, unit in _units(data.get(group) or {}).items():
            if _is_known(unit):
                out[f"{group}.{key}"] = {"version": version, "at": at}
    return out


def check_choices(choices: Any, known_paths: set[str]) -> list[tuple[str, str, str]]:
    """Problems with a moderator's field choices, as (path, ko, en); empty when they are fine."""
    if choices is None:
        return []
    if not isinstance(choices, dict):
        return [("field_choices", "필드 경로와 'published' 또는 'report'의 객체여야 합니다.",
                 "Must be an object of field paths to 'published' or 'report'.")]
    problems = []
    for path, choice in choices.items():
        if path not in known_paths:
            problems.append((f"field_choices.{path}", "게시 화장실이나 제보에 없는 항목입니다.",
                             "Not a field of the published toilet or the report."))
        elif choice not in CHOICES:
            problems.append((f"field_choices.{path}", "'published'(게시 값) 또는 'report'(제보 값)이어야 합니다.",
                             "Must be 'published' or 'report'."))
    return problems
