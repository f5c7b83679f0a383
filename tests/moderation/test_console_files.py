"""The console's files (static/moderate/): ES modules over the shared client and element helper,
and no list of codes the server defines written again in them."""

from __future__ import annotations

import json
import re

from core.config import PROJECT_ROOT
from moderation.models import REJECT_REASONS
from reference.models import FLAGS, MATCH_METHODS
from toilets.verdict import CONFIRMABLE

CONSOLE = PROJECT_ROOT / "static" / "moderate"
SHARED = PROJECT_ROOT / "static" / "shared"
SCHEMA = json.loads((PROJECT_ROOT / "mobile_schema" / "report.v1.json").read_text("utf-8"))


def _modules() -> dict[str, str]:
    return {p.name: p.read_text("utf-8") for p in sorted((CONSOLE / "js").glob("*.js"))}


def _choice_values(node: dict) -> set[str]:
    values = {str(v) for v in node.get("enum") or [] if v is not None}
    for child in (node.get("properties") or {}).values():
        values |= _choice_values(child)
    if isinstance(node.get("items"), dict):
        values |= _choice_values(node["items"])
    return values


def _quoted(source: str) -> set[str]:
    """Every string literal that is a whole word (a code, not a sentence)."""
    return set(re.findall(r"[\"'`]([A-Za-z_]+)[\"'`]", source))


def test_the_page_loads_one_module_and_no_classic_script():
    html = (CONSOLE / "index.html").read_text("utf-8")
    assert re.findall(r"<script[^>]*>", html) == ['<script type="module" src="/static/moderate/js/main.js">']
    assert not list(CONSOLE.glob("*.js"))


def test_every_module_talks_through_the_shared_client_and_builds_through_the_shared_helper():
    modules = _modules()
    assert len(modules) >= 6
    for name, source in modules.items():
        assert len(source.splitlines()) <= 150, f"{name}: a module this long is probably two jobs"
        assert "fetch(" not in source, f"{name}: requests go through static/shared/api.js"
        assert "createElement(" not in source, f"{name}: elements come from static/shared/dom.js"
        assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", source), name
        for target in re.findall(r"from \"([^\"]+)\"", source):
            resolved = (CONSOLE / "js" / target) if target.startswith("./") else PROJECT_ROOT / target.lstrip("/")
            assert resolved.is_file(), f"{name} imports {target}, which is not there"
    assert 'from "/static/shared/api.js"' in modules["api.js"]
    assert sum('from "/static/shared/dom.js"' in s for s in modules.values()) >= 5


def test_no_module_writes_a_code_the_schema_or_the_server_defines():
    """Field choices are read from /mobile-schema, reject reasons from /reason-codes, the
    confirmable criteria from /vocabulary. (Actions and report states are named where the console
    acts on them, e.g. which fields a merge needs, so they are not checked here; nor is the one
    choice the console sets itself: a point moved on the map has `source: map_pin`.)"""
    defined = ((_choice_values(SCHEMA) - {"map_pin"}) | set(REJECT_REASONS) | set(CONFIRMABLE) | set(FLAGS)
               | {"matched", "ambiguous"} | set(MATCH_METHODS))  # "none" is also the map's mode
    assert {"both_sides", "hinged_inward", "insufficient_evidence", "door_clear_width"} <= defined
    for name, source in _modules().items():
        source = re.sub(r"^\s*//.*$", "", source, flags=re.M)
        written = sorted(_quoted(source) & defined)
        assert written == [], f"{name} writes {written}: read them from the API"


def test_photo_kinds_are_worded_by_the_schema():
    """The kinds' words come from the schema's x-photo-kinds; no module keeps its own table
    ("route" is also the map's drawing mode, so only the other kinds are looked for)."""
    kinds = set(SCHEMA["x-photo-kinds"]) - {"route"}
    for name, source in _modules().items():
        source = re.sub(r"^\s*//.*$", "", source, flags=re.M)
        assert not re.findall(rf"\b({'|'.join(kinds)})\s*:", source), f"{name} keeps its own photo-kind words"
        assert sorted(_quoted(source) & kinds) == [], name
    assert 'x-photo-kinds' in _modules()["words.js"]


def test_the_shared_modules_set_text_only_as_text():
    dom = (SHARED / "dom.js").read_text("utf-8")
    assert "textContent = v" in dom and "String(c)" in dom
    for path in SHARED.glob("*.js"):
        assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", path.read_text("utf-8"))
