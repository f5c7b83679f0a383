import pytest


@pytest.mark.browser
def test_api_docs_render_with_local_assets_only(page, live_server):
    page.goto(f"{live_server}/docs")
    page.get_by_text("/api/v1/reports", exact=True).first.wait_for(timeout=15000)
    assert page.outside_requests == []
