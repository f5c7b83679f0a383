"""/docs (Swagger UI, served locally) under its CSP, and a hostile published toilet read through
"Try it out": the response is shown as text, nothing runs, no CSP violation."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.factories import report_body
from tests.hostile_text import assert_inert, hostile, report_fields, watch
from toilets.service import create_toilet


@pytest.mark.browser
def test_docs_run_under_the_csp_and_show_hostile_responses_as_text(page, live_server, committed_engine):
    fields = report_fields("docs", 0)
    fields["place.name"] = hostile("docs name", 5)  # no " or \ : reads the same inside JSON
    with Session(committed_engine) as db:
        create_toilet(db, payload=report_body(**fields), report_id=None, review_id=None)
        db.commit()
    watch(page.context)
    page.goto(f"{live_server}/docs")
    page.get_by_text("/api/v1/reports", exact=True).first.wait_for(timeout=15000)
    assert_inert(page, where="/docs")
    op = page.locator(".opblock-get").filter(has=page.get_by_text("/api/v1/toilets", exact=True)).first
    op.locator(".opblock-summary").click()
    op.get_by_role("button", name="Try it out").click()
    op.get_by_role("button", name="Execute").click()
    body = op.locator(".responses-wrapper .live-responses-table .response-col_description pre").first
    body.wait_for(timeout=15000)
    assert fields["place.name"] in body.inner_text()
    assert_inert(page, [fields["place.name"]], where="/docs, GET /api/v1/toilets tried out")
    assert page.outside_requests == []
