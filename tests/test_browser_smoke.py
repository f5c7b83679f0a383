import pytest


@pytest.mark.browser
def test_api_docs_render_with_local_assets_only(page, live_server):
    page.goto(f"{live_server}/docs")
    page.wait_for_selector("text=/api/v1/reports", timeout=15000)
    assert page.outside_requests == []
