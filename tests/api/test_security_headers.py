"""api/security_headers.py: a CSP on every HTML response, nosniff and Referrer-Policy on all;
api/frame_tickets.py: the sandboxed report map's one-minute ticket."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from api.frame_tickets import issue_ticket
from api.security_headers import content_security_policy, tile_source
from core.config import Settings
from core.html import inline_script_hashes
from tests.hostile_text import watch
from tests.moderation.helpers import moderator, submit

HTML_PAGES = ["/", "/app/", "/moderate", "/maps/preview", "/docs"]


def _directives(policy: str) -> dict[str, list[str]]:
    out = {}
    for part in policy.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def _assert_strict(policy: str) -> dict[str, list[str]]:
    d = _directives(policy)
    assert d["script-src"][0] == "'self'"
    assert all(v.startswith("'sha256-") for v in d["script-src"][1:]), d["script-src"]
    assert "'unsafe-eval'" not in policy and "'unsafe-inline'" not in d["script-src"]
    assert d["object-src"] == ["'none'"] and d["base-uri"] == ["'none'"] and d["frame-ancestors"] == ["'self'"]
    assert d["default-src"] == ["'self'"] and d["img-src"] == ["'self'", "data:", "blob:"]
    return d


def test_every_html_page_has_a_strict_policy_and_every_response_nosniff(client):
    for path in HTML_PAGES:
        r = client.get(path)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), path
        _assert_strict(r.headers["content-security-policy"])
        assert r.headers["x-content-type-options"] == "nosniff" and r.headers["referrer-policy"] == "no-referrer"
    for path in ["/healthz", "/api/v1/toilets", "/api/v1/nope", "/static/moderate/js/main.js", "/openapi.json"]:
        r = client.get(path)
        assert r.headers["x-content-type-options"] == "nosniff", path
        assert r.headers["referrer-policy"] == "no-referrer", path


def test_every_parameterless_html_route_in_the_app_sends_a_policy(app, client):
    """Pages added later are covered too: walk the route table."""
    seen = 0
    for route in app.routes:
        path = getattr(route, "path", "")
        if "GET" not in (getattr(route, "methods", None) or {"GET"}) or "{" in path:
            continue
        r = client.get(path.rstrip("/") + "/" if path in ("/app", "/static") else path)
        if r.headers.get("content-type", "").startswith("text/html"):
            seen += 1
            _assert_strict(r.headers["content-security-policy"])
    assert seen >= 4


def test_the_static_pages_allow_no_inline_script_and_docs_only_its_own():
    assert _directives(content_security_policy())["script-src"] == ["'self'"]


def test_docs_policy_hashes_exactly_swagger_inline_script(client):
    r = client.get("/docs")
    scripts = re.findall(r"<script>(.*?)</script>", r.text, re.DOTALL)
    assert len(scripts) == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert _assert_strict(r.headers["content-security-policy"])["script-src"] == ["'self'", f"'sha256-{digest}'"]


def test_inline_script_hashes_skip_external_and_data_scripts():
    doc = ('<script src="/a.js"></script><script type="application/json">{"a":1}</script>'
           '<SCRIPT>x=1\r\n</SCRIPT ><script>x=1\n</script>')
    digest = base64.b64encode(hashlib.sha256(b"x=1\n").digest()).decode()
    assert inline_script_hashes(doc) == [f"'sha256-{digest}'"]


def test_a_configured_tile_host_may_serve_images(client, app):
    assert tile_source("https://{s}.tile.example.org/{z}/{x}/{y}.png") == "https://*.tile.example.org"
    assert tile_source("https://tiles.example/{z}/{x}/{y}.png") == "https://tiles.example"
    assert tile_source("/tiles/{z}/{x}/{y}.png") is None and tile_source(None) is None
    app.state.settings = Settings(secret_key="x" * 40, map_tile_url="https://tiles.example/{z}/{x}/{y}.png")
    img = _directives(client.get("/app/").headers["content-security-policy"])["img-src"]
    assert img == ["'self'", "data:", "blob:", "https://tiles.example"]


def test_report_map_opens_with_a_ticket_in_a_sandbox_and_the_ticket_is_no_login(client, db, settings):
    a = moderator(db, client)
    report_id, volunteer = submit(client)
    other_id, _ = submit(client)
    r = client.post(f"/api/v1/moderation/reports/{report_id}/map-ticket", headers=a)
    assert r.status_code == 200, r.text
    url = r.json()["url"]
    ticket = url.split("ticket=", 1)[1]
    page = client.get(url)
    assert page.status_code == 200 and "leaflet" in page.text
    assert page.headers["cache-control"] == "no-store"
    d = _assert_strict(page.headers["content-security-policy"])
    assert d["sandbox"] == ["allow-scripts"] and len(d["script-src"]) > 1  # folium's inline scripts, by hash
    assert inline_script_hashes(page.text) == d["script-src"][1:]
    # the ticket opens that report's map only, is not a login, and volunteers get none
    assert client.get(f"/api/v1/moderation/reports/{other_id}/map?ticket={ticket}").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {ticket}"}).status_code == 401
    assert client.get(f"/api/v1/moderation/reports/{report_id}/map?ticket=nonsense").status_code == 401
    assert client.post(f"/api/v1/moderation/reports/{report_id}/map-ticket", headers=volunteer).status_code == 403
    me = client.get("/api/v1/me", headers=a).json()
    expired = issue_ticket(account_id=me["id"], report_id=report_id, secret=settings.secret_key, seconds=-5)
    assert client.get(f"/api/v1/moderation/reports/{report_id}/map?ticket={expired}").status_code == 401
    vol_id = client.get("/api/v1/me", headers=volunteer).json()["id"]
    as_volunteer = issue_ticket(account_id=vol_id, report_id=report_id, secret=settings.secret_key)
    assert client.get(f"/api/v1/moderation/reports/{report_id}/map?ticket={as_volunteer}").status_code == 403


@pytest.mark.browser
def test_the_policy_stops_markup_that_slips_into_a_page(page, live_server):
    """Defence in depth: were a page ever to put stored text into innerHTML, the injected handler
    and script would not run, and the browser would report the violation."""
    watch(page.context)
    for path in ["/", "/app/", "/moderate", "/maps/preview", "/docs"]:
        page.goto(live_server + path)
        page.evaluate("""() => { document.body.insertAdjacentHTML('beforeend',
            '<img src="x" onerror="window.__xss=1"><svg><script>window.__xss=2</script></svg>');
            const s = document.createElement('script'); s.textContent = 'window.__xss=3';
            document.body.append(s); }""")
        page.wait_for_function("() => window.__csp.length >= 2", timeout=5000)
        state = page.evaluate("() => [window.__xss === undefined, window.__csp]")
        assert state[0], path
        assert all(v.startswith("script-src") for v in state[1]), (path, state[1])
