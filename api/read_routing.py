"""Which database a read goes to when DATABASE_READ_URL names a replica (docs/scaling.md).

Public reads (the finder's /api/v1/toilets*, tiles, the preview map, exporters' streams) go to
the replica; writes always go to the primary (DATABASE_URL). A replica replays the primary's
WAL in commit order, so what it shows is the primary as it was a moment ago, never a mix.

Read-your-writes, the rule: a request that carries credentials (a bearer token or an API key)
reads the primary, and so does a browser for READ_PRIMARY_AFTER_WRITE_S after one of its writes
(a cookie this module sets on every successful write). Everyone who writes is logged in, so a
volunteer's own reports, a moderator's queue and what they just published always come from the
primary, while the anonymous public, the bulk of the traffic, reads the replica. The rule needs
no state shared between API processes (no sticky sessions, no WAL positions kept per user), so
it holds behind any load balancer; a moderator who publishes and then opens the public finder in
the same browser carries the cookie and sees the toilet at once.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

READ_PRIMARY_COOKIE = "reachable_read_primary"
_READS = frozenset({"GET", "HEAD", "OPTIONS"})


def reads_primary(request: Request) -> bool:
    """True when this request must see the primary: it carries credentials, or its browser wrote
    a moment ago."""
    headers = request.headers
    return bool(headers.get("authorization") or headers.get("x-api-key")
                or request.cookies.get(READ_PRIMARY_COOKIE))


def public_read_factory(request: Request):
    """The session factory for a public read: the replica's, unless the rule above says primary
    (or there is no replica)."""
    replica = getattr(request.app.state, "read_session_factory", None)
    if replica is None or reads_primary(request):
        return request.app.state.session_factory
    return replica


class ReadAfterWriteCookie:
    """Marks the browser of a successful write (any method but GET/HEAD/OPTIONS, status < 400) so
    its next reads, anonymous or not, go to the primary for `max_age_s` seconds. The cookie says
    nothing about the person (its value is "1") and is not a credential."""

    def __init__(self, app: ASGIApp, *, max_age_s: int) -> None:
        self.app = app
        self.max_age_s = max_age_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in _READS:
            await self.app(scope, receive, send)
            return
        secure = "; Secure" if scope.get("scheme") == "https" else ""
        cookie = f"{READ_PRIMARY_COOKIE}=1; Max-Age={self.max_age_s}; Path=/; HttpOnly; SameSite=Lax{secure}"

        async def send_marked(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                MutableHeaders(scope=message).append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_marked)
