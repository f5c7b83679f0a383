import pytest


@pytest.mark.browser
def test_api_docs_render_with_local_assets_only(page, live_server):
    page.goto(f"{live_server}/docs")
    page.get_by_text("/api/v1/reports", exact=True).first.wait_for(timeout=15000)
    assert page.outside_requests == []


@pytest.mark.browser
def test_landing_page_links_every_audience_and_passes_axe(page, live_server):
    from tests.browser import axe_violations

    page.goto(live_server)
    page.locator("#result-count").filter(has_text="곳").wait_for()  # the finder has answered
    # the public finder is the page; the staff links are in its footer
    links = [a.get_attribute("href") for a in page.locator("footer a").all()]
    assert links == ["/app/", "/moderate", "/maps/preview", "/docs"]
    assert axe_violations(page) == []
    assert page.outside_requests == []
