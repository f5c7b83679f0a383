"""The audit-log browser (issue 12 item 3): filter by who, action, object and date, a page at a
time, or everything that matches as CSV. The log itself is `core.audit` (append-only)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from exports.sql import csv_safe
from office.service import DateRange, check_range

CSV_COLUMNS = ("id", "at", "actor_id", "actor", "action", "object_type", "object_id", "reason", "detail")
CSV_BATCH = 2000


@dataclass(frozen=True)
class AuditFilter:
    """`actor`: a username (any case, exact); `action`: exact, or a prefix ending in '.'
    (`account.` is every account action); `object_type`, `object_id`: exact; `start`, `end`:
    days in Seoul time, both included."""
    actor: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    start: date | None = None
    end: date | None = None

    def where(self) -> tuple[str, dict[str, Any]]:
        conditions, params = ["true"], {}
        if self.actor:
            conditions.append("lower(ac.username) = lower(:actor)")
            params["actor"] = self.actor.strip()
        if self.action:
            if self.action.endswith("."):
                conditions.append("left(a.action, char_length(:action)) = :action")
            else:
                conditions.append("a.action = :action")
            params["action"] = self.action.strip()
        if self.object_type:
            conditions.append("a.object_type = :object_type")
            params["object_type"] = self.object_type.strip()
        if self.object_id:
            conditions.append("a.object_id = :object_id")
            params["object_id"] = self.object_id.strip()
        if self.start or self.end:
            rng = self.range()
            conditions.append("a.at >= :start AND a.at < :end_excl")
            params |= rng.params
        return " AND ".join(conditions), params

    def range(self) -> DateRange:
        start = self.start or date(2000, 1, 1)
        end = self.end or date(2100, 12, 31)
        if self.start and self.end:
            return check_range(start, end)
        # one end open: the span limit does not apply, the order and the bounds do
        check_range(start, start)
        check_range(end, end)
        if end < start:
            check_range(start, end)  # raises: the end is before the start
        return DateRange(start, end)


_FROM = "FROM audit_log a LEFT JOIN accounts ac ON ac.id = a.actor_id"


def search_audit(db: Session, f: AuditFilter, *, offset: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
    """The total that matches and one page of it, newest first."""
    where, params = f.where()
    total = db.execute(text(f"SELECT count(*) {_FROM} WHERE {where}"), params).scalar_one()
    rows = db.execute(text(
        f"SELECT a.id, a.at, a.actor_id, ac.username AS actor, a.action, a.object_type, a.object_id, a.reason, "
        f"a.detail {_FROM} WHERE {where} ORDER BY a.id DESC OFFSET :offset LIMIT :limit"),
        {**params, "offset": offset, "limit": limit}).mappings()
    return total, [dict(r) for r in rows]


def audit_csv(db: Session, f: AuditFilter) -> Iterator[str]:
    """Every matching entry as CSV (UTF-8, no BOM), newest first, in batches by id (keyset): the
    log can be large. Text cells are neutralised for spreadsheets (`csv_safe`)."""
    where, params = f.where()
    cols = (f"a.id, to_char(a.at AT TIME ZONE 'Asia/Seoul', 'YYYY-MM-DD\"T\"HH24:MI:SS+09:00'), a.actor_id, "
            f"{csv_safe('ac.username')}, {csv_safe('a.action')}, {csv_safe('a.object_type')}, "
            f"{csv_safe('a.object_id')}, {csv_safe('a.reason')}, {csv_safe('a.detail::text')}")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    yield out.getvalue()
    before = None
    while True:
        page = db.execute(text(
            f"SELECT {cols} {_FROM} WHERE {where} AND (CAST(:before AS bigint) IS NULL OR a.id < :before) "
            f"ORDER BY a.id DESC LIMIT {CSV_BATCH}"), {**params, "before": before}).all()
        if not page:
            return
        out.seek(0)
        out.truncate()
        writer.writerows(["" if v is None else v for v in row] for row in page)
        yield out.getvalue()
        before = page[-1][0]
