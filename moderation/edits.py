"""A moderator's corrections (정제) to a report, as dotted paths, and the diff they make.

`{"toilet.door_clear_width_cm": 92, "location": {"lon": …, "lat": …}, "access_route.path": {…}}`
The report's own payload is never changed (raw submissions are immutable); the edited copy
is what gets published, and the diff is stored on the review.
"""

from __future__ import annotations

import copy
from typing import Any

from core.errors import fail, field_error
from core.text import clean_document
from mobile_schema.registry import is_multiline

EDITABLE_ROOTS = ("place", "toilet", "access_route", "location", "notes")

_MISSING = object()


def apply_edits(payload: dict[str, Any], raw_edits: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The payload with the edits applied, and the diff `[{path, before, after}]` (unchanged values dropped)."""
    result = copy.deepcopy(payload)
    diff: list[dict[str, Any]] = []
    # The moderator's text is cleaned like the volunteer's (core.text), each value at the
    # payload path it lands on; refused characters are field errors under edits.<path>.
    edits, refused = {}, []
    for path, value in raw_edits.items():
        edits[path] = clean_document(value, path=path, multiline=is_multiline, errors=refused)[0]
    if refused:
        raise fail("invalid_edits", *[field_error(f"edits.{e.path}", e.message_ko, e.message_en) for e in refused])
    for path, value in sorted(edits.items()):
        parts = path.split(".")
        if not path or parts[0] not in EDITABLE_ROOTS or any(not p for p in parts):
            raise fail("invalid_edits", field_error(
                f"edits.{path}", "고칠 수 없는 항목입니다.", f"'{path}' cannot be edited; edit place.*, toilet.*, "
                           "access_route.*, location or notes."))
        target = result
        for key in parts[:-1]:
            nxt = target.get(key) if isinstance(target, dict) else None
            if nxt is None:
                nxt = {}
                target[key] = nxt
            if not isinstance(nxt, dict):
                raise fail("invalid_edits", field_error(
                    f"edits.{path}", "이 경로는 고칠 수 없습니다.", f"'{path}' does not lead to an editable field."))
            target = nxt
        before = target.get(parts[-1], _MISSING)
        if before == value:
            continue
        target[parts[-1]] = copy.deepcopy(value)
        diff.append({"path": path, "before": None if before is _MISSING else before, "after": value})
    return result, diff


def touches_geometry(diff: list[dict[str, Any]]) -> bool:
    return any(d["path"].startswith("location") or d["path"].startswith("access_route.path")
               or d["path"] == "access_route" or d["path"].startswith("access_route.obstacles")
               for d in diff)
