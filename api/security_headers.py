"""Defence in depth for pages that show crowd text: a Content-Security-Policy on every HTML
response, `nosniff` and `Referrer-Policy` on every response.

The pages already treat stored text as text (textContent, core.html); the policy is the net
under that: should markup ever slip through, no script runs that the app did not ship.

- Scripts come from the app's own files ('self'). Pages made of static files (/, /app,
  /moderate) have no inline script, so nothing inline runs there at all: no 'unsafe-inline',
  no 'unsafe-eval', no inline event handlers (an injected `onerror=` does nothing).
- folium and Swagger UI emit inline scripts. Routes that return such a document build it
  from escaped text and JSON data blocks only, and send it with `html_with_inline_scripts`,
  which lists the SHA-256 of each of its inline scripts. Hashes, not nonces: folium's
  templates cannot carry a nonce attribute, and a hash is fixed by the content.
- Styles allow 'unsafe-inline': Leaflet, folium and Swagger UI write style attributes and
  <style> blocks; CSS cannot run script, and the text that could carry it is never markup.
- The moderator's report map is sent with `sandbox allow-scripts` in its own policy (and the
  console frames it with the same sandbox): an opaque origin that cannot read the console's
  storage (its login token), cookies or DOM, even when the map URL is opened directly.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from fastapi.responses import HTMLResponse
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.html import inline_script_hashes

REFERRER_POLICY = "no-referrer"  # nothing needs it, and the map frame's URL carries a ticket


def tile_source(tile_url: str | None) -> str | None:
    """The CSP source for a configured MAP_TILE_URL (https://{s}.tile.example/… → https://*.tile.example),
    None when there is none or it is on the app itself."""
    if not tile_url:
        return None
    parts = urlsplit(tile_url)
    if not parts.scheme or not parts.netloc:
        return None  # a relative URL: served by the app, covered by 'self'
    host = parts.netloc.split("@")[-1]
    if "{" in host:  # Leaflet's {s} (and similar) subdomain templates: any subdomain of the rest
        host = "*." + host.rsplit("}", 1)[1].lstrip(".-")
    return f"{parts.scheme}://{host}"


@lru_cache(maxsize=64)
def content_security_policy(tile_url: str | None = None, script_hashes: tuple[str, ...] = (),
                            sandbox: bool = False) -> str:
    img = ["'self'", "data:", "blob:"]  # data: Leaflet/Swagger icons; blob: photo previews
    if source := tile_source(tile_url):
        img.append(source)
    directives = [
        "default-src 'self'",
        "script-src " + " ".join(["'self'", *script_hashes]),
        "style-src 'self' 'unsafe-inline'",
        "img-src " + " ".join(img),
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "frame-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
    if sandbox:
        directives.append("sandbox allow-scripts")
    return "; ".join(directives)


def _tile_url(app: object) -> str | None:
    settings = getattr(getattr(app, "state", None), "settings", None)
    return getattr(settings, "map_tile_url", None)


def html_with_inline_scripts(request: Request, document: str, *, sandbox: bool = False,
                             headers: dict[str, str] | None = None) -> HTMLResponse:
    """An HTML response whose policy allows exactly the inline scripts in `document` (see the
    module docstring for when that is right)."""
    policy = content_security_policy(_tile_url(request.app), tuple(inline_script_hashes(document)), sandbox)
    return HTMLResponse(document, headers={**(headers or {}), "Content-Security-Policy": policy})


class SecurityHeaders:
    """ASGI middleware: headers only, so streamed responses stay streamed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        tile_url = _tile_url(scope.get("app"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", REFERRER_POLICY)
                if headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("Content-Security-Policy", content_security_policy(tile_url))
            await send(message)

        await self.app(scope, receive, send_with_headers)
