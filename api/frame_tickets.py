"""Short-lived tickets for documents a page loads into a frame (the moderator's report map).

A sandboxed frame has an opaque origin: it cannot send the console's bearer token, and must not
be able to read it. The console asks for a ticket with its token and puts it in the frame's URL;
the ticket names one moderator and one report and lapses after a minute, so a leaked URL (the
app sends no Referer) opens that one map, briefly, for someone who could see it anyway.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt

from accounts.security import ALGORITHM

REPORT_MAP = "report-map"
TICKET_SECONDS = 60


def _key(secret: str) -> str:
    # A key of its own: login tokens are checked with `secret` alone and only for sub/exp, so a
    # ticket signed with it would also work as a bearer token.
    return f"{secret}\x00{REPORT_MAP}"


def issue_ticket(*, account_id: int, report_id: int, secret: str, seconds: int = TICKET_SECONDS) -> str:
    now = datetime.now(UTC)
    claims = {"sub": str(account_id), "purpose": REPORT_MAP, "report": report_id, "iat": now,
              "exp": now + timedelta(seconds=seconds)}
    return jwt.encode(claims, _key(secret), algorithm=ALGORITHM)


def read_ticket(ticket: str, *, report_id: int, secret: str) -> int | None:
    """The account id of a valid, unexpired ticket for this report's map, else None. A ticket is
    never a login token and a login token is never a ticket (the purpose claim)."""
    try:
        claims = jwt.decode(ticket, _key(secret), algorithms=[ALGORITHM], options={"require": ["sub", "exp", "purpose"]})
        if claims["purpose"] != REPORT_MAP or claims.get("report") != report_id:
            return None
        return int(claims["sub"])
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
