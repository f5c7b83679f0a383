"""The volunteer app's files and route (api/routes/pages.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from api.routes.pages import APP_DIR
from core.config import Settings

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "mobile_schema" / "report.v1.json").read_text("utf-8"))


def test_app_is_served_at_slash_app(client):
    r = client.get("/app", follow_redirects=False)
    assert r.status_code in (307, 308) and r.headers["location"] == "/app/"
    page = client.get("/app/")
    assert page.status_code == 200 and 'src="js/main.js"' in page.text and '<html lang="ko">' in page.text
    assert page.headers["cache-control"] == "no-cache"
    assert client.get("/app/js/main.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/app/sw.js").status_code == 200


def test_map_config_has_no_tile_host_unless_configured(client, app):
    assert client.get("/app/config.json").json() == {"tile_url": None, "tile_attribution": None}
    app.state.settings = Settings(secret_key="x" * 40, map_tile_url="https://tiles.example/{z}/{x}/{y}.png")
    assert client.get("/app/config.json").json()["tile_url"] == "https://tiles.example/{z}/{x}/{y}.png"


def _app_sources() -> dict[str, str]:
    return {str(p.relative_to(APP_DIR)): p.read_text("utf-8") for p in APP_DIR.rglob("*")
            if p.suffix in {".html", ".js", ".css", ".webmanifest"}}


def test_no_outside_host_is_referenced():
    for name, source in _app_sources().items():
        assert not re.search(r"(?:src|href)\s*=\s*[\"']?(?:https?:)?//", source), name
        assert not re.search(r"(?:import|fetch)\s*\(?\s*[\"']https?://", source), name


def test_the_form_fields_are_written_only_in_the_schema():
    """No field list written twice: the page's code names none of the schema's fields
    (the wizard, the review and the validation all walk the fetched schema)."""
    names: set[str] = set()

    def walk(node):
        for key, child in (node.get("properties") or {}).items():
            names.add(key)
            walk(child)
        if isinstance(node.get("items"), dict):
            walk(node["items"])

    walk(SCHEMA)
    # generic JSON/GeoJSON words that the code may use as words, not as form fields
    # Allowed: the GPS tool fills the location fields DESIGN.md fixes (lon, lat, accuracy_m,
    # source), a waiting report shows its place's name, and the envelope the phone makes itself.
    names -= {"type", "coordinates", "path", "location", "lon", "lat", "accuracy_m", "source", "kind", "notes",
              "name", "place", "client_submission_id", "schema_version", "observed_at"}
    for name, source in _app_sources().items():
        if name.endswith(".js"):
            source = re.sub(r"^\s*//.*$|^\s*/?\*.*$", "", source, flags=re.M)
            # `/app/?toilet=<id>` (the finder's and the office's links) is a URL parameter, not a field
            source = source.replace('new URLSearchParams(location.search).get("toilet")', "")
            used = sorted(n for n in names if re.search(rf"[\"'.`]{re.escape(n)}\b", source))
            assert used == [], f"{name} names form fields {used}: read them from the schema"


def test_the_service_worker_keeps_every_script_for_offline_use():
    sw = (APP_DIR / "sw.js").read_text("utf-8")
    for script in sorted((APP_DIR / "js").glob("*.js")):
        assert f'"/app/js/{script.name}"' in sw, f"{script.name} missing from sw.js SHELL: the app would not open offline"


SHARED_DIR = APP_DIR.parent / "shared"


def test_the_service_worker_keeps_the_shared_modules_the_app_imports():
    sw = (APP_DIR / "sw.js").read_text("utf-8")
    imported = set()
    for script in (APP_DIR / "js").glob("*.js"):
        imported |= set(re.findall(r"from \"/static/shared/([\w.-]+\.js)\"", script.read_text("utf-8")))
    assert imported == {p.name for p in SHARED_DIR.glob("*.js")} == {"api.js", "dom.js", "lang.js"}
    for name in sorted(imported):
        assert f'"/static/shared/{name}"' in sw, f"{name} missing from sw.js SHELL: the app would not open offline"
    assert 'url.pathname.startsWith("/static/shared/")' in sw  # and the fresh copy replaces the cached one


def test_both_pages_use_the_one_shared_client_with_their_own_token_storage():
    app_client = (APP_DIR / "js" / "api.js").read_text("utf-8")
    console_client = (APP_DIR.parent / "moderate" / "js" / "api.js").read_text("utf-8")
    assert 'tokenStore(localStorage, "reachable.auth")' in app_client
    assert 'tokenStore(sessionStorage, "reachable.token", { tokenOnly: true })' in console_client
    for source in (app_client, console_client):
        assert 'from "/static/shared/api.js"' in source and "fetch(" not in source


def test_page_modules_are_served_as_javascript_and_revalidated(client):
    for path in ["/static/shared/api.js", "/static/shared/dom.js", "/static/moderate/js/main.js", "/app/js/api.js"]:
        r = client.get(path)
        assert r.status_code == 200, path
        assert r.headers["content-type"].startswith("text/javascript"), path
        assert r.headers["cache-control"] == "no-cache", path
    assert client.get("/static/moderate/console.css").headers["cache-control"] == "no-cache"
    assert client.get("/static/favicon.svg").status_code == 200  # the rest of /static is still served
