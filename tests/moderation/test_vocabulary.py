"""The codes the moderator console shows come from the server, each defined once: actions,
report states and confirmable criteria (/moderation/vocabulary), reject reasons (/reason-codes)."""

from __future__ import annotations

from moderation.models import ACTIONS, CHANGE_REQUESTS, REJECT_REASONS
from reference.models import FLAGS, MATCH_STATUSES
from reports.duplicate_evidence import EVIDENCE_LABELS
from reports.models import REPORT_STATUSES
from toilets.verdict import CONFIRMABLE


def _codes(items: list[dict]) -> list[str]:
    assert all(i["label_ko"] and i["label_en"] and i["label_ko"] != i["code"] for i in items), items
    return [i["code"] for i in items]


def test_vocabulary_lists_each_code_the_server_defines_in_order_with_both_labels(client):
    r = client.get("/api/v1/moderation/vocabulary")
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"actions", "report_statuses", "confirmable", "change_requests", "duplicate_evidence",
                         "reference_flags", "reference_match_statuses", "reference_match_methods"}
    assert _codes(body["reference_flags"]) == list(FLAGS)
    assert _codes(body["reference_match_statuses"]) == list(MATCH_STATUSES)
    assert _codes(body["reference_match_methods"]) == ["distance", "address", "person"]
    assert _codes(body["change_requests"]) == list(CHANGE_REQUESTS)
    assert _codes(body["duplicate_evidence"]) == list(EVIDENCE_LABELS)
    assert _codes(body["actions"]) == list(ACTIONS)
    assert _codes(body["report_statuses"]) == list(REPORT_STATUSES)
    assert _codes(body["confirmable"]) == list(CONFIRMABLE)
    approve = body["actions"][0]
    assert (approve["label_ko"], approve["label_en"]) == ("승인", "Approve")


def test_reason_codes_list_every_reject_reason_with_both_labels(client):
    r = client.get("/api/v1/moderation/reason-codes")
    assert r.status_code == 200, r.text
    assert _codes(r.json()) == list(REJECT_REASONS)
    assert r.json()[-1] == {"code": "other", "label_ko": "기타 (설명 필수)", "label_en": "Other (comment required)"}
