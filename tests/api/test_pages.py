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
            used = sorted(n for n in names if re.search(rf"[\"'.`]{re.escape(n)}\b", source))
            assert used == [], f"{name} names form fields {used}: read them from the schema"


def test_the_service_worker_keeps_every_script_for_offline_use():
    sw = (APP_DIR / "sw.js").read_text("utf-8")
    for script in sorted((APP_DIR / "js").glob("*.js")):
        assert f'"/app/js/{script.name}"' in sw, f"{script.name} missing from sw.js SHELL: the app would not open offline"
