"""Upgrades between shipped form versions: `upgrade_v1_to_v2(payload)` turns a validated v1
payload into a v2 one. Every field v2 adds is unknown (null) in a v1 report: a v1 phone could not
say it, so nothing is guessed.

Form v2 (docs/volunteer-app.md "Form v2"):
- every measurement may carry a bound beside it, `<field>_bound`: `at_least` | `at_most` | null
  (null: the number is exact). The number stays a plain number where it always was, so a reader
  of v1 fields still reads a number; the bound says how to read it.
- new measured fields of the Korean rules: `toilet.grab_bar_height_cm` (60–70 cm),
  `toilet.emergency_bell_height_cm` (60–90 cm), `toilet.washbasin_knee_clearance_cm` (≥ 65 cm);
  `toilet.seat_height_cm` (40–45 cm) was already there.
- `place.existing_toilet_id` ("this is that published toilet") and `place.existing_toilet_gone`
  (`closed` | `removed` | `no_accessible_toilet`: it is gone, retire it after review).
"""

from __future__ import annotations

from typing import Any

# The measurements that may carry a bound, by group (their bound is `<field>_bound`).
BOUNDED_FIELDS: dict[str, tuple[str, ...]] = {
    "toilet": ("door_clear_width_cm", "threshold_height_cm", "interior_width_cm", "interior_depth_cm",
               "seat_height_cm", "grab_bar_height_cm", "emergency_bell_height_cm", "washbasin_knee_clearance_cm"),
    "access_route": ("ramp_slope_percent",),
}
BOUND_SUFFIX = "_bound"
BOUNDS = ("at_least", "at_most")

_NEW_IN_V2: dict[str, tuple[str, ...]] = {
    "place": ("existing_toilet_id", "existing_toilet_gone"),
    "toilet": ("grab_bar_height_cm", "emergency_bell_height_cm", "washbasin_knee_clearance_cm")
              + tuple(f + BOUND_SUFFIX for f in BOUNDED_FIELDS["toilet"]),
    "access_route": tuple(f + BOUND_SUFFIX for f in BOUNDED_FIELDS["access_route"]),
}


def bound_key(field: str) -> str:
    """The key of a measurement's bound: `door_clear_width_cm` → `door_clear_width_cm_bound`."""
    return field + BOUND_SUFFIX


def upgrade_v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """A v1 payload as v2: the new fields null (unknown), everything else as it was."""
    for group, fields in _NEW_IN_V2.items():
        target = payload.get(group)
        if not isinstance(target, dict):
            continue
        for field in fields:
            target.setdefault(field, None)
    payload["schema_version"] = 2
    return payload
