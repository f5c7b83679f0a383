"""What a report asks for itself (form v2): "this is that published toilet" (`place.existing_toilet_id`)
is an update of it, and "it is gone" (`place.existing_toilet_gone`) a request to retire it. The
console pre-selects the decision; the moderator (and for a retirement, a second one) decides.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from reports.models import Report
from toilets.public import toilet_summary

# The volunteer's "it is gone" answers (form v2 place.existing_toilet_gone) as a retirement reason.
GONE_REASONS: dict[str, tuple[str, str]] = {
    "closed": ("제보: 폐쇄됨", "Report: closed"),
    "removed": ("제보: 철거됨", "Report: removed"),
    "no_accessible_toilet": ("제보: 장애인이 쓸 수 있는 화장실이 더는 없음", "Report: no accessible toilet any more"),
}


def suggested_decision(db: Session, report: Report) -> dict[str, Any] | None:
    """What the report itself asks for (form v2): "this is that published toilet" → merge into it;
    with "it is gone" (or no accessible toilet there any more) → retire it. None for a report
    about a new toilet; `action` None when that toilet was retired meanwhile."""
    place = (report.payload or {}).get("place") or {}
    toilet_id = place.get("existing_toilet_id")
    if not toilet_id:
        return None
    toilet = toilet_summary(db, toilet_id)
    if toilet is None:
        return None
    gone = place.get("existing_toilet_gone")
    if gone is None and ((report.payload or {}).get("toilet") or {}).get("arrangement") == "none":
        gone = "no_accessible_toilet"
    out: dict[str, Any] = {"action": "merge", "toilet_id": toilet["id"], "reason_ko": None, "reason_en": None,
                           "toilet": {k: toilet[k] for k in ("id", "name", "status", "verdict", "version", "floor")}}
    if gone in GONE_REASONS:
        out.update(action="retire", reason_ko=GONE_REASONS[gone][0], reason_en=GONE_REASONS[gone][1])
    if toilet["status"] != "active":
        out["action"] = None  # retired meanwhile: nothing left to update or retire
    return out


def named_toilet(report: Report) -> str | None:
    """The published toilet the volunteer says the report is about, if any."""
    return ((report.payload or {}).get("place") or {}).get("existing_toilet_id")
