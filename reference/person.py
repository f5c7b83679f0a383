"""A person's match: a moderator who publishes a report that checks a record of the city's public
toilet list (a mission's record, or the one accepted in the console) ties that record to the
published toilet, at once (`match_method = 'person'`, `matched_by_id`, `matched_at`).

The automatic matcher (reference.matching) leaves such a match alone while its toilet is active,
so neither `reachable reference match` nor a re-import of the file undoes it; once the toilet is
retired the record is matched automatically again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.audit import record_audit
from core.errors import fail, field_error

FIELD = "reference_management_no"


def _find_record(db: Session, management_no: str) -> int | None:
    return db.execute(text("SELECT id FROM reference_toilets WHERE management_no = :n"),
                      {"n": management_no}).scalar_one_or_none()


def record_id_of(db: Session, management_no: str, *, path: str = FIELD) -> int:
    """The id of the record with this management number; 422 (the field, Korean and English) if
    the list has none."""
    found = _find_record(db, management_no)
    if found is None:
        raise fail("invalid_decision", field_error(
            path, "공공 화장실 목록에 이 관리번호의 기록이 없습니다.",
            "The city's public toilet list has no record with this management number."))
    return found


def match_by_person(db: Session, *, record_id: int, toilet_id: Any, person_id: int, actor_id: int,
                    review_id: int | None, report_id: int | None) -> dict[str, Any] | None:
    """Match the record to the toilet as `person_id`'s decision; returns the audit entry (the
    caller writes it with its decision's other rows), with the match it replaced. None when the
    record is gone (deleted meanwhile)."""
    db.flush()  # the toilet just published
    row = db.execute(text("""
        UPDATE reference_toilets r SET match_status = 'matched', match_method = 'person',
               candidate_toilet_id = t.id,
               match_distance_m = round(ST_Distance(r.location::geography, t.location::geography)::numeric, 1),
               match_similarity = round(similarity(t.name, r.name)::numeric, 3), matched_at = now(),
               matched_by_id = :person
          FROM reference_toilets old, toilets t
         WHERE r.id = :id AND old.id = r.id AND t.id = CAST(:toilet AS uuid)
        RETURNING r.management_no, old.match_status AS was_status, old.match_method AS was_method,
                  old.candidate_toilet_id::text AS was_toilet_id"""),
        {"id": record_id, "toilet": str(toilet_id), "person": person_id}).mappings().first()
    if row is None:
        return None
    return dict(actor_id=actor_id, action="reference.match", object_type="reference", object_id=row["management_no"],
                reason=None, detail={"method": "person", "toilet_id": str(toilet_id), "matched_by_id": person_id,
                                     "review_id": review_id, "report_id": report_id,
                                     "before": {"status": row["was_status"], "method": row["was_method"],
                                                "toilet_id": row["was_toilet_id"]}})


def match_by_office(db: Session, *, management_no: str, toilet_id: Any, admin_id: int) -> dict[str, Any]:
    """The office resolves a record by hand (an `ambiguous` match, or any other): the record is the
    person's match to `toilet_id`, an active published toilet, and audited as `reference.match`.
    404 for a number the list does not have; 422 (field `toilet_id`) for a toilet that is not
    published or is retired. Returns the record's match as it now stands."""
    found = _find_record(db, management_no)
    if found is None:
        raise fail("reference_not_found")
    active = db.execute(text("SELECT status = 'active' FROM toilets WHERE id = CAST(:t AS uuid)"),
                        {"t": str(toilet_id)}).scalar_one_or_none()
    if not active:
        raise fail("invalid_request", field_error(
            "toilet_id", "게시 중인 화장실이 아닙니다 (없거나 폐쇄됨).",
            "Not a published toilet (there is none, or it is retired)."))
    entry = match_by_person(db, record_id=found, toilet_id=toilet_id, person_id=admin_id, actor_id=admin_id,
                            review_id=None, report_id=None)
    if entry is None:  # deleted between the two statements
        raise fail("reference_not_found")
    record_audit(db, **entry)
    return dict(db.execute(text("""
        SELECT management_no, match_status, match_method, candidate_toilet_id AS toilet_id, matched_by_id,
               match_distance_m, match_similarity, matched_at
          FROM reference_toilets WHERE id = :id"""), {"id": found}).mappings().one())
