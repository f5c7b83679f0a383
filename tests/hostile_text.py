"""Hostile crowd text for browser tests (issue 11): payloads, and the checks that none of it ran,
rendered as markup, or went missing as text, and that the page met its CSP.

Every payload carries `<b id="injected">`: if any of it is ever parsed as HTML, that element
appears in the DOM. Every payload that could run tries to set `window.__xss`.
"""

from __future__ import annotations

import re

from playwright.sync_api import Error as PlaywrightError

PAYLOADS = [
    '<img src=x onerror="window.__xss=1"><b id="injected">img</b>',
    '</script><script>window.__xss=1</script><b id="injected">script</b>',
    '${window.__xss=1}<b id="injected">template</b>',
    '`;window.__xss=1;`<b id="injected">backtick</b>',
    '"><svg onload=window.__xss=1><b id="injected">svg</b>',
    "javascript:window.__xss=1//<b id='injected'>js</b>",
    "\\`${1}\\' </textarea><b id=\"injected\">escape</b>",
]


# For fields of at most 40 characters (nicknames, usernames).
SHORT = ['<img src=x onerror=window.__xss=1>', '"><b id=injected>`${1}\\</b>', "</script><b id='injected'>"]


def report_fields(tag: str, i: int = 0) -> dict[str, str]:
    """Every free-text field of a report (mobile form v1) with a hostile value of its own, as
    report_body overrides. (place.floor and place.district have patterns or lists: no free text.)"""
    paths = ["place.name", "place.building_name", "place.road_address", "place.lot_address",
             "place.location_detail", "place.opening_hours", "notes"]
    return {p: hostile(f"{tag} {p}", i + n) for n, p in enumerate(paths)}


def hostile(label: str, i: int | None = None) -> str:
    """A payload with a label, so each field's text is its own and can be found verbatim."""
    if i is None:
        i = sum(map(ord, label))
    return f"{PAYLOADS[i % len(PAYLOADS)]} [{label}]"


# Installed in every frame before any page script: records CSP violations in the frame.
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sourceFile || '') + ':' + e.lineNumber);
}, true);
"""


def watch(context) -> list[str]:
    """Watch a browser context: CSP violations are recorded in each frame (see `assert_inert`)
    and 'Content Security Policy' console messages in the returned list."""
    context.add_init_script(WATCH)
    messages: list[str] = []

    def on_page(pg) -> None:
        pg.on("console", lambda m: "Content Security Policy" in m.text and messages.append(m.text))

    context.on("page", on_page)
    for pg in context.pages:
        on_page(pg)
    context.csp_messages = messages  # type: ignore[attr-defined]
    return messages


_STATE = """() => ({xss: window.__xss === undefined ? null : String(window.__xss),
  injected: document.querySelectorAll('#injected, [id="injected"], img[src="x"], svg[onload]').length,
  csp: window.__csp === undefined ? ['(not watched)'] : window.__csp,
  text: document.body ? document.body.innerText : ''})"""


def _frame_state(f, attempts: int = 5) -> dict:
    # A frame may be navigating when asked (the console's map frame is rewritten when the detail
    # or its candidates change); its new document is the one to check, so wait for it and ask again.
    for attempt in range(attempts):
        try:
            return {"url": f.url[:80], **f.evaluate(_STATE)}
        except PlaywrightError as e:  # the message says whether it was a navigation
            if "context was destroyed" not in str(e) or attempt == attempts - 1:
                raise
            f.wait_for_load_state()
    raise AssertionError("unreachable")


def frame_states(pg) -> list[dict]:
    return [_frame_state(f) for f in pg.frames]


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s)


def assert_inert(pg, texts: list[str] = (), *, where: str = "") -> None:
    """In the page and every frame: nothing ran (`window.__xss`), nothing became an element,
    no CSP violation; and each of `texts` is shown verbatim as text somewhere."""
    states = frame_states(pg)
    for s in states:
        assert s["xss"] is None, f"{where}: script from stored text ran in {s['url']}"
        assert s["injected"] == 0, f"{where}: stored text became markup in {s['url']}"
        assert s["csp"] == [], f"{where}: CSP violations in {s['url']}: {s['csp']}"
    messages = getattr(pg.context, "csp_messages", [])
    assert messages == [], f"{where}: CSP console messages: {messages}"
    shown = _norm(" ".join(s["text"] for s in states))
    missing = [t for t in texts if _norm(t) not in shown]
    assert missing == [], f"{where}: not shown verbatim as text: {missing}"
