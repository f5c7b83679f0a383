"""Demo data: real Seoul places, made-up measurements (and every demo report says so).

Places come from `seoul_public_toilets_sample.csv`: 248 rows of the national public toilet
standard data (공중화장실정보, 행정안전부, data.go.kr standard dataset 15012892) that list at least
one disabled-use stall and carry coordinates inside Seoul. The access measurements are invented
by a seeded random generator: the city's file has none, which is the gap this product fills.

The reference layer is the whole Seoul subset of the same data, shipped as
`seoul_public_toilets.csv.gz` (5,226 rows, UTF-8, as shipped in July 2024 by
gyeongmin-03/whereToilet; source: 행정안전부 「공중화장실정보」, 공공데이터포털, free use with
attribution), imported through `reachable reference import`'s own importer after the demo
toilets are published, so the demo shows real matches and real gaps; nothing is read from
outside the package at run time.

Photos: every demo report carries placeholder photos from `photos/` (an entrance, a door, an
interior picture), each marked "DEMO 예시" and "not a photo of the place" in the image itself,
uploaded through the real photo pipeline. The Smart Seoul Map layer needs a main photo and both
addresses (its known consumer drops a row without them), so the demo's smart-seoul-map export
is what the consumer imports whole: reports whose place lacks the lot-number address stay on the
public layer and are listed in a snapshot's manifest as left out, and the demo moderator
publishes a toilet whose verdict is unknown to the public layer only (the layer's 사용가능여부
slot cannot say "unknown").
"""

from __future__ import annotations

import csv
import random
import uuid
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from accounts.models import Account, Organisation
from accounts.service import create_account
from core.config import Settings
from core.errors import DomainError
from mobile_schema.registry import default_registry
from reports.service import submit_report

DEMO_NOTE = "[데모] 장소는 실제, 측정값은 데모용으로 지어낸 값입니다 / demo: real place, made-up measurements"
# Placeholder photos, marked DEMO 예시 in the picture, in the order a toilet shows them.
DEMO_PHOTOS = ("entrance", "door", "interior")

# (code, name, participant target): the 2023 campaign's 3,000 citizens shared among its recruiters
ORGANISATIONS = [
    ("SNU-SSC", "서울대학교 사회봉사센터", 1000),
    ("SEOUL-VC", "서울특별시 자원봉사센터", 1500),
    ("SWCA", "서울시사회복지관협회", 500),
]
# The demo campaign: 100 days and 3,000 participants as in 2023, running since ten days before the
# demo was loaded, so the office's dashboard opens on it with the demo's reports inside.
DEMO_CAMPAIGN = ("휠체어도 가는 화장실 찾기 (데모 캠페인 · demo campaign)", 100, 3000)

# Demo logins (README lists them). Never use these outside a demo.
ACCOUNTS = [
    ("admin", "admin-demo-pass", "admin", None, None),
    ("moderator", "moderator-demo-pass", "moderator", None, None),
    ("moderator2", "moderator-demo-pass", "moderator", None, None),
    ("mapteam", "exporter-demo-pass", "exporter", None, None),
    ("휠체어탐험대", "volunteer-demo-pass", "volunteer", "SNU-SSC", "20s"),
    ("유모차맘", "volunteer-demo-pass", "volunteer", "SEOUL-VC", "30s"),
]


@dataclass(frozen=True)
class PublicToiletRow:
    name: str
    road_address: str
    lot_address: str | None
    lon: float
    lat: float
    opening_hours: str | None
    emergency_bell: bool
    baby_changing: bool
    public: bool


def read_sample() -> list[PublicToiletRow]:
    text = (files("demo") / "seoul_public_toilets_sample.csv").read_text(encoding="utf-8")
    rows = []
    for r in csv.DictReader(text.splitlines()):
        rows.append(PublicToiletRow(
            name=r["화장실명"].strip(), road_address=r["소재지도로명주소"].strip(),
            lot_address=r["소재지지번주소"].strip() or None,
            lon=float(r["WGS84경도"]), lat=float(r["WGS84위도"]),
            opening_hours=r["개방시간상세"].strip() or None,
            emergency_bell=r["비상벨설치여부"] == "Y", baby_changing=r["기저귀교환대유무"] == "Y",
            public=r["화장실소유구분"].startswith("공공"),
        ))
    return rows


def demo_payload(row: PublicToiletRow, rng: random.Random) -> dict[str, Any]:
    """A plausible report of a real place; measurements drawn at random (and marked as demo)."""
    good = rng.random() < 0.55
    width = rng.choice([95, 100, 110, 120]) if good else rng.choice([70, 80, 85, 90, None])
    # The street entrance 10–45 m from the toilet door.
    dlon = rng.choice([-1, 1]) * rng.uniform(0.00012, 0.0004)
    dlat = rng.choice([-1, 1]) * rng.uniform(0.00012, 0.0004)
    return {
        "client_submission_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "schema_version": 1,
        "observed_at": f"2023-{rng.randint(9, 11):02d}-{rng.randint(1, 28):02d}T{rng.randint(9, 18):02d}:00:00+09:00",
        "location": {"lon": row.lon, "lat": row.lat, "accuracy_m": rng.choice([5, 8, 12, 20]), "source": "gps"},
        "place": {
            "name": row.name[:200], "building_name": None, "building_type": "public" if row.public else "private",
            "category": "government_office" if row.public else "commercial",
            "road_address": row.road_address, "lot_address": row.lot_address,
            "floor": rng.choice(["1", "1", "B1", "2"]), "location_detail": None,
            "opening": "always" if rng.random() < 0.5 else "business_hours", "opening_hours": row.opening_hours,
        },
        "access_route": {
            "step_free": "yes" if good else rng.choice(["partial", "no"]),
            "path": {"type": "LineString", "coordinates": [[row.lon + dlon, row.lat + dlat], [row.lon, row.lat]]},
            "entrance_step_free": good, "entrance_door": rng.choice(["automatic", "sliding", "hinged"]),
            "ramp_slope_percent": None, "elevator": rng.choice(["present", "none"]),
            "obstacles": [] if good else [{"kind": "step", "location": None, "height_cm": rng.choice([3, 5, 15]),
                                           "width_cm": None, "note": None}],
        },
        "toilet": {
            "arrangement": rng.choice(["separate_accessible_per_gender", "unisex_accessible"]) if good
            else rng.choice(["inside_general_toilet", "unisex_accessible", "none"]),
            "door_type": rng.choice(["automatic", "sliding", "hinged_outward"]),
            "door_clear_width_cm": width, "threshold_height_cm": 0 if good else rng.choice([0, 2, 4]),
            "turning_space_150cm": good or None, "interior_width_cm": 200 if good else 140,
            "interior_depth_cm": 200 if good else 150, "grab_bars": "both_sides" if good else "one_side",
            "grab_bar_foldable": good, "seat_height_cm": rng.choice([40, 42, 45]),
            "emergency_bell": "reachable_from_floor" if good and row.emergency_bell else
            ("present" if row.emergency_bell else "none"),
            "washbasin_accessible": good, "baby_changing_table": row.baby_changing,
            "ostomy_sink": False, "lock_operable_one_hand": good or None,
        },
        "notes": DEMO_NOTE,
    }


def load_demo(db: Session, *, settings: Settings, force: bool = False, report_count: int = 60) -> str:
    if not force and db.scalars(select(Account).where(Account.username == "admin")).first() is not None:
        if db.execute(text("SELECT NOT EXISTS (SELECT 1 FROM reference_toilets)")).scalar_one():
            reference = load_demo_reference(db, settings=settings)  # a demo database from before issue 12
            missions = open_demo_missions(db, settings=settings)
            return f"demo data already loaded; reference data added: {reference.inserted} records; {missions}"
        if db.execute(text("SELECT NOT EXISTS (SELECT 1 FROM missions)")).scalar_one():
            return f"demo data already loaded; {open_demo_missions(db, settings=settings)}"
        return "demo data already loaded (use --force to add more reports)"
    for code, name, target in ORGANISATIONS:
        if db.scalars(select(Organisation).where(Organisation.code == code)).first() is None:
            db.add(Organisation(code=code, name=name, participant_target=target))
    db.flush()
    accounts: dict[str, Account] = {}
    for username, password, role, org, age in ACCOUNTS:
        existing = db.scalars(select(Account).where(Account.username == username)).first()
        accounts[username] = existing or create_account(
            db, username=username, password=password, role=role, organisation_code=org, age_band=age,
            username_field="username")
    open_demo_campaign(db, admin=accounts["admin"])
    rng = random.Random(20230901)
    volunteers = [a for a in accounts.values() if a.role == "volunteer"]
    registry = default_registry()
    stored = skipped = 0
    twins: list[int] | None = None
    for row in read_sample()[:report_count]:
        payload = demo_payload(row, rng)
        try:
            with db.begin_nested():
                report = submit_report(db, volunteer=rng.choice(volunteers), body=payload, registry=registry,
                                       settings=settings).report
                add_demo_photos(db, report=report, settings=settings)
            stored += 1
        except DomainError:
            skipped += 1  # a real row whose point fails our checks (e.g. outside the boundary)
            continue
        if twins is None:  # right after the first report, so both are among the oldest the queue hands out first
            twin = submit_demo_twin(db, payload, volunteer=volunteers[0], registry=registry, settings=settings,
                                    rng=rng)
            twins = [report.id] + ([twin] if twin else [])
            stored += twin is not None
    moderation = {"moderator": accounts["moderator"], "registry": registry, "settings": settings}
    published = publish_demo_share(db, **moderation, count=stored * 2 // 5)
    published += publish_demo_reports(db, **moderation, report_ids=twins or [])  # if the queue put them later
    reference = load_demo_reference(db, settings=settings)
    missions = open_demo_missions(db, settings=settings)
    return (f"demo loaded: {len(ORGANISATIONS)} organisations, {len(accounts)} accounts, "
            f"{stored} reports ({skipped} sample rows skipped by validation), "
            f"{published} of them published by the demo moderator, the rest queued; "
            f"reference data: {reference.inserted + reference.updated + reference.unchanged} Seoul public toilet "
            f"records, {reference.matches.get('matched', 0)} matched to published toilets; {missions}")


def open_demo_campaign(db: Session, *, admin: Account) -> None:
    """The demo campaign, through the office's own service (audited), unless one is set."""
    from datetime import timedelta

    from office.service import get_campaign, save_campaign, today_kst

    if get_campaign(db) is not None:
        return
    name, days, target = DEMO_CAMPAIGN
    starts_on = today_kst() - timedelta(days=10)
    save_campaign(db, name=name, starts_on=starts_on, ends_on=starts_on + timedelta(days=days - 1),
                  participant_target=target, organisation_targets={}, by=admin)


def open_demo_missions(db: Session, *, settings: Settings) -> str:
    """Every second demo toilet keeps the date of its 2023 survey as its last verification (so the
    demo shows fresh and ageing toilets), then the worker's missions sweep runs once, so a new
    user sees "toilets to check near you" at once (the worker keeps it up after that)."""
    from missions.service import sweep_missions

    db.execute(text("""
        UPDATE toilets t SET last_verified_at = r.observed_at
          FROM (SELECT v.toilet_id, min(rp.observed_at) AS observed_at,
                       row_number() OVER (ORDER BY v.toilet_id) AS n
                  FROM toilet_versions v JOIN reports rp ON rp.id = v.report_id GROUP BY v.toilet_id) r
         WHERE r.toilet_id = t.id AND r.n % 2 = 0 AND t.version = 1"""))
    counts = sweep_missions(db, settings=settings)
    return f"missions: {counts['opened_gaps']} gaps and {counts['opened_reverify']} toilets to re-verify"


def add_demo_photos(db: Session, *, report, settings: Settings) -> None:
    """The placeholder photos (marked DEMO 예시), through the real pipeline (checked, cleaned, resized)."""
    from reports.photos import add_photo

    for kind in DEMO_PHOTOS:
        add_photo(db, report=report, kind=kind, raw=(files("demo") / "photos" / f"demo-{kind}.png").read_bytes(),
                  settings=settings)


REFERENCE_FILE = "seoul_public_toilets.csv.gz"


def load_demo_reference(db: Session, *, settings: Settings):
    """The Seoul subset of the national public toilet data, from inside the package, as the reference layer."""
    import gzip

    from reference.importer import import_reference

    data = gzip.decompress((files("demo") / REFERENCE_FILE).read_bytes())
    return import_reference(db, data, settings=settings, file_name=REFERENCE_FILE)


def submit_demo_twin(db: Session, payload: dict[str, Any], *, volunteer: Account, registry, settings: Settings,
                     rng: random.Random) -> int | None:
    """A second accessible toilet one floor away in the building of the first demo report, under
    the same name (big public buildings often have one per floor). Both are published, so the
    building's reference record has two equally good candidates and the matcher leaves it
    ambiguous: the office's gap list shows "확인 필요 · To confirm" with both, as it will for real
    data. Returns the report's id (None if it is refused)."""
    import copy

    twin = copy.deepcopy(payload)
    twin["client_submission_id"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    twin["place"]["floor"] = "3" if twin["place"]["floor"] == "2" else "2"
    try:
        with db.begin_nested():
            report = submit_report(db, volunteer=volunteer, body=twin, registry=registry, settings=settings).report
            add_demo_photos(db, report=report, settings=settings)
    except DomainError:
        return None
    return report.id


def _approve_demo(db: Session, report, *, moderator: Account, registry, settings: Settings) -> None:
    """Approve through the real decision service (so toilets, versions, change log and audit are all real)."""
    from moderation.service import DecisionInput, decide
    from toilets.service import published_data
    from toilets.verdict import toilet_verdict

    # Smart Seoul Map's 사용가능여부 cannot say "unknown": the public layer only
    unknown = toilet_verdict(published_data(report.payload)) == "unknown"
    comment = ("데모 검수: 판정 보류라 공개 지도에만 게시 · demo moderation: verdict unknown, public layer only"
               if unknown else "데모 검수 demo moderation")
    with db.begin_nested():
        decide(db, report_id=report.id, moderator=moderator, registry=registry, settings=settings,
               given=DecisionInput(action="approve", comment=comment, public_layer_only=unknown or None))


def publish_demo_share(db: Session, *, moderator: Account, registry, settings: Settings, count: int) -> int:
    """Publish `count` queued reports as the demo moderator would: claim them, then approve each."""
    from moderation.queue import claim_reports, release_report

    published = 0
    while published < count:
        claimed = claim_reports(db, moderator=moderator, count=min(settings.claim_max_count, count - published),
                                settings=settings).reports
        if not claimed:
            break
        for report in claimed:
            try:
                _approve_demo(db, report, moderator=moderator, registry=registry, settings=settings)
                published += 1
            except DomainError:
                release_report(db, report_id=report.id, moderator=moderator)
    return published


def publish_demo_reports(db: Session, *, moderator: Account, registry, settings: Settings,
                         report_ids: list[int]) -> int:
    """Publish these reports if still queued: claim the queue batch by batch until they are in hand,
    approve them, and hand every other claimed report back. Returns how many were published."""
    from moderation.queue import claim_reports, release_report

    wanted = set(db.execute(text("SELECT id FROM reports WHERE id = ANY(:ids) AND status = 'queued'"),
                            {"ids": report_ids}).scalars())
    held, published = [], 0
    while wanted:
        claimed = claim_reports(db, moderator=moderator, count=settings.claim_max_count, settings=settings).reports
        if not claimed:
            break
        for report in claimed:
            if report.id not in wanted:
                held.append(report.id)
                continue
            wanted.discard(report.id)
            try:
                _approve_demo(db, report, moderator=moderator, registry=registry, settings=settings)
                published += 1
            except DomainError:
                held.append(report.id)
    for report_id in held:
        release_report(db, report_id=report_id, moderator=moderator)
    return published
