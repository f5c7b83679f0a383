"""A live server and a real browser for tests: uvicorn on a loopback port, Debian's Chromium
driven by Playwright (no downloaded browser), requests outside the app blocked, axe-core."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE_JS = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(app, *, send_buffer: int | None = None) -> Iterator[str]:
    """The app served by uvicorn in a thread on a free loopback port; yields its base URL.
    `send_buffer` caps each connection's kernel send buffer (SO_SNDBUF, inherited from the
    listening socket), whatever the machine's tcp_wmem lets it grow to."""
    import uvicorn

    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if send_buffer:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "live server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def tab_to(pg, selector: str, limit: int = 120) -> None:
    """Press Tab until `selector` has focus, and check the focus is visible (a real outline)."""
    for _ in range(limit):
        pg.keyboard.press("Tab")
        if pg.evaluate("(s) => document.activeElement.matches(s)", selector):
            assert pg.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none", selector
            return
    raise AssertionError(f"Tab never reached {selector}")


@contextmanager
def chromium():
    """Debian's Chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def guarded_context(browser, live_server: str, **options):
    """A fresh browser context whose requests may reach only the app: anything else is
    blocked and recorded in `context.outside_requests`, so a test can assert that no CDN or
    outside host was asked. `options` go to `browser.new_context` (viewport, geolocation…)."""
    options.setdefault("locale", "ko-KR")
    context = browser.new_context(**options)
    outside: list[str] = []

    def guard(route):
        url = route.request.url
        if url.startswith(live_server) or url.startswith("data:") or url.startswith("blob:"):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", guard)
    context.outside_requests = outside  # type: ignore[attr-defined]
    return context


def axe_violations(pg, tags=("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")) -> list[dict]:
    """Run axe-core (from the npm registry) in the page; returns WCAG A/AA violations."""
    # evaluated through the DevTools protocol: the pages' CSP forbids an inline <script> tag
    pg.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")
    result = pg.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", list(tags))
    return [{"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]]
