"""The campaign, the date ranges the office counts over, and the tables of `office.tables` read
as rows (JSON) or CSV. Plain functions over the session; the caller commits."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.orm import Session

from accounts.models import Account, Organisation
from accounts.service import check_name, update_organisation
from core.audit import record_audit
from core.errors import fail, field_error
from office.models import CAMPAIGN_ID, Campaign
from office.tables import TABLES, Table, without_jit

SEOUL = ZoneInfo("Asia/Seoul")
MAX_RANGE_DAYS = 731  # two years: a campaign and its follow-up
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
DEFAULT_DAYS = 30


def today_kst() -> date:
    return datetime.now(SEOUL).date()


@dataclass(frozen=True)
class DateRange:
    """Whole days in Seoul time, both ends included."""
    start: date
    end: date

    @property
    def params(self) -> dict[str, datetime]:
        return {"start": datetime.combine(self.start, time(), SEOUL),
                "end_excl": datetime.combine(self.end + timedelta(days=1), time(), SEOUL)}

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _range_error(path: str, ko: str, en: str):
    return fail("invalid_date_range", field_error(path, ko, en))


def check_range(start: date, end: date, *, start_path: str = "from", end_path: str = "to") -> DateRange:
    for value, path in ((start, start_path), (end, end_path)):
        if not EARLIEST <= value <= LATEST:
            raise _range_error(path, f"{EARLIEST}부터 {LATEST} 사이의 날짜여야 합니다.",
                               f"Must be a date from {EARLIEST} to {LATEST}.")
    if end < start:
        raise _range_error(end_path, "끝 날짜가 시작 날짜보다 빠릅니다.", "The end date is before the start date.")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise _range_error(end_path, f"기간은 {MAX_RANGE_DAYS}일을 넘을 수 없습니다.",
                           f"The range may span at most {MAX_RANGE_DAYS} days.")
    return DateRange(start, end)


def get_campaign(db: Session) -> Campaign | None:
    return db.get(Campaign, CAMPAIGN_ID)


def resolve_range(db: Session, start: date | None, end: date | None) -> DateRange:
    """The range asked for; a missing end is today (or the campaign's end), a missing start the
    campaign's start (or 30 days before the end)."""
    campaign = get_campaign(db)
    if end is None:
        end = min(campaign.ends_on, today_kst()) if campaign and campaign.starts_on <= today_kst() else \
            (campaign.ends_on if campaign else today_kst())
    if start is None:
        start = campaign.starts_on if campaign and campaign.starts_on <= end else end - timedelta(days=DEFAULT_DAYS - 1)
    return check_range(start, end)


def save_campaign(db: Session, *, name: str, starts_on: date, ends_on: date, participant_target: int,
                  organisation_targets: dict[int, int | None], by: Account) -> Campaign:
    """Set the campaign (there is one) and the organisations' targets; audited with what changed."""
    name = check_name(name)
    check_range(starts_on, ends_on, start_path="starts_on", end_path="ends_on")
    if not 1 <= participant_target <= 10_000_000:
        raise fail("invalid_target", field_error("participant_target", "1~10,000,000 사이의 수여야 합니다.",
                                                 "Must be a number from 1 to 10,000,000."))
    orgs = {o.id: o for o in db.query(Organisation).filter(Organisation.id.in_(list(organisation_targets)))}
    unknown = [i for i in organisation_targets if i not in orgs]
    if unknown:
        raise fail("unknown_organisation_id", field_error(
            "organisation_targets", f"없는 단체: {unknown}", f"No such organisation: {unknown}"))
    campaign = get_campaign(db)
    new = {"name": name, "starts_on": starts_on, "ends_on": ends_on, "participant_target": participant_target}
    if campaign is None:
        campaign = Campaign(id=CAMPAIGN_ID, **new)
        db.add(campaign)
        changed = {k: [None, str(v) if isinstance(v, date) else v] for k, v in new.items()}
    else:
        changed = {k: [_plain(getattr(campaign, k)), _plain(v)] for k, v in new.items() if getattr(campaign, k) != v}
        for k, v in new.items():
            setattr(campaign, k, v)
    if changed:
        campaign.updated_at = datetime.now(SEOUL)
        db.flush()
        record_audit(db, actor_id=by.id, action="campaign.update", object_type="campaign", object_id=CAMPAIGN_ID,
                     detail={"changed": changed})
    for org_id, target in organisation_targets.items():
        update_organisation(db, organisation=orgs[org_id], by=by, participant_target=target)
    return campaign


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def campaign_days(campaign: Campaign | None, today: date | None = None) -> dict[str, int] | None:
    if campaign is None:
        return None
    today = today or today_kst()
    total = (campaign.ends_on - campaign.starts_on).days + 1
    elapsed = min(max((today - campaign.starts_on).days + 1, 0), total)
    return {"total": total, "elapsed": elapsed, "left": total - elapsed}


def table_rows(db: Session, table: Table, rng: DateRange) -> list[dict[str, Any]]:
    without_jit(db)
    return [dict(row) for row in db.execute(text(table.sql), rng.params).mappings()]


def table_csv(db: Session, table: Table, rng: DateRange) -> str:
    """The table as CSV: UTF-8 without a BOM, a header of column keys, text cells neutralised."""
    without_jit(db)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.key for c in table.columns])
    for row in db.execute(text(table.csv_sql()), rng.params):
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()


def report_csv(db: Session, rng: DateRange) -> Iterator[str]:
    """The final report as one CSV: a `section` column (totals, districts, organisations) before
    each table's own columns, one header line per section."""
    totals = report_totals(db, rng)
    yield f"section,from,to\r\nrange,{rng.start},{rng.end}\r\n\r\n"
    yield "section," + ",".join(totals) + "\r\n"
    yield "totals," + ",".join("" if v is None else str(v) for v in totals.values()) + "\r\n\r\n"
    for key in ("districts", "organisations"):
        lines = table_csv(db, TABLES[key], rng).splitlines()
        yield "section," + lines[0] + "\r\n"
        yield "".join(f"{key},{line}\r\n" for line in lines[1:])
        yield "\r\n"


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def report_totals(db: Session, rng: DateRange, *, districts: list[dict[str, Any]] | None = None,
                  orgs: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The council report's headline numbers, summed from the per-district and per-organisation
    tables (their rows, when the caller has them already)."""
    districts = districts if districts is not None else table_rows(db, TABLES["districts"], rng)
    orgs = orgs if orgs is not None else table_rows(db, TABLES["organisations"], rng)
    campaign = get_campaign(db)
    s = {k: sum(r[k] for r in districts) for k in ("reports", "verified", "published", "active", "accessible",
                                                      "reference", "reference_matched")}
    volunteers = sum(r["volunteers"] for r in orgs)
    return {"participant_target": campaign.participant_target if campaign else None, "volunteers": volunteers,
            "target_share": _share(volunteers, campaign.participant_target) if campaign else None,
            "reporting": sum(r["reporting"] for r in orgs), **s,
            "accessible_share": _share(s["accessible"], s["active"]),
            "coverage": _share(s["reference_matched"], s["reference"])}
