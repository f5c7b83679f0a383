"""Publishing stores the verdict's reasons with the toilet and each of its versions, in the
same flush as the verdict; a retirement keeps the reasons of the version it retires."""

from __future__ import annotations

from tests.exports.helpers import publish
from tests.factories import report_body
from toilets.service import retire_toilet, update_toilet, versions_of
from toilets.verdict import assess, verdict_of


def _outcomes(reasons: list[dict]) -> dict[str, str]:
    return {r["criterion"]: r["outcome"] for r in reasons}


def test_create_update_and_retire_store_reasons_that_explain_the_stored_verdict(db):
    toilet = publish(db, **{"toilet.door_clear_width_cm": 85})
    assert toilet.verdict == "partially_accessible"
    by = {r["criterion"]: r for r in toilet.verdict_reasons}
    assert by["door_clear_width"]["outcome"] == "failed"
    assert by["door_clear_width"]["text"]["ko"] == "출입문 유효폭 85 cm < 90 cm"
    assert by["door_clear_width"]["measured"] == {"door_clear_width_cm": 85}

    body = report_body(**{"toilet.emergency_bell": None})
    # the report's "unknown" taken over the published bell (a merge keeps it by default)
    update_toilet(db, toilet=toilet, payload=body, report_id=None, review_id=None,
                  confirmed=frozenset({"emergency_bell"}), choices={"toilet.emergency_bell": "report"})
    db.flush()
    expected = assess(
        {"toilet": body["toilet"], "access_route": {k: v for k, v in body["access_route"].items() if k != "path"}},
        {"emergency_bell"})
    assert toilet.verdict == expected.verdict
    assert toilet.verdict_reasons == expected.reasons_json()
    assert _outcomes(toilet.verdict_reasons)["emergency_bell"] == "confirmed"

    retire_toilet(db, toilet=toilet, reason="철거", report_id=None, review_id=None)
    db.flush()
    db.refresh(toilet)
    versions = versions_of(db, toilet.id)
    assert [v.version for v in versions] == [1, 2, 3]
    assert _outcomes(versions[0].verdict_reasons)["door_clear_width"] == "failed"
    assert versions[1].verdict_reasons == versions[2].verdict_reasons == toilet.verdict_reasons
    for v in versions:
        assert v.verdict == _verdict(v.verdict_reasons)


def _verdict(reasons: list[dict]) -> str:
    from toilets.verdict import Reason

    return verdict_of([Reason(r["criterion"], r["outcome"], r["caps"], r["measured"], r["text"]["ko"],
                              r["text"]["en"]) for r in reasons])
