"""Factories and small helpers for tests: valid bodies and accounts, so each test states only
what it changes (dispatch's tests/factories.py). Fixtures live in conftest.py."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from core.config import Settings

def settings_for(tmp: Path) -> Settings:
    """The settings every test app starts from: files under the test's tmp dir, a test secret."""
    return Settings(photo_dir=tmp / "photos", snapshot_dir=tmp / "snapshots", secret_key="test-secret-" + "x" * 40)


REFERENCE_TABLES = {"districts", "city_boundary", "spatial_ref_sys", "alembic_version"}
# A worker process registers itself here while it lives (tests/workers.py); its jobs are emptied.
KEPT_TABLES = REFERENCE_TABLES | {"procrastinate_workers"}

CITY_HALL = (126.9779, 37.5663)  # 서울특별시청, 중구


def report_body(**overrides: Any) -> dict[str, Any]:
    """A valid v1 report at Seoul City Hall; pass dotted keys to change one field,
    e.g. report_body(**{"toilet.door_clear_width_cm": 80})."""
    body: dict[str, Any] = {
        "client_submission_id": str(uuid.uuid4()),
        "schema_version": 1,
        "observed_at": "2026-11-20T10:30:00+09:00",
        "location": {"lon": CITY_HALL[0], "lat": CITY_HALL[1], "accuracy_m": 8, "source": "gps"},
        "place": {
            "name": "서울시청 본관 1층 장애인 화장실", "building_name": "서울특별시청", "building_type": "public",
            "category": "government_office", "road_address": "서울특별시 중구 세종대로 110",
            "lot_address": "서울특별시 중구 태평로1가 31", "district": "중구", "floor": "1",
            "location_detail": "안내데스크 왼쪽", "opening": "business_hours", "opening_hours": "09:00~18:00",
        },
        "access_route": {
            "step_free": "yes",
            "path": {"type": "LineString", "coordinates": [[126.97745, 37.56605], [126.97770, 37.56622],
                                                           [126.97790, 37.56630]]},
            "entrance_step_free": True, "entrance_door": "automatic", "ramp_slope_percent": None,
            "elevator": "present",
            "obstacles": [{"kind": "heavy_door", "location": {"lon": 126.97770, "lat": 37.56622},
                           "height_cm": None, "width_cm": None, "note": "무거운 방화문"}],
        },
        "toilet": {
            "arrangement": "separate_accessible_per_gender", "door_type": "automatic",
            "door_clear_width_cm": 100, "threshold_height_cm": 0, "turning_space_150cm": True,
            "interior_width_cm": 200, "interior_depth_cm": 210, "grab_bars": "both_sides",
            "grab_bar_foldable": True, "seat_height_cm": 43, "emergency_bell": "reachable_from_floor",
            "washbasin_accessible": True, "baby_changing_table": True, "ostomy_sink": False,
            "lock_operable_one_hand": True,
        },
        "notes": None,
    }
    return _override(body, overrides)


def report_body_v2(**overrides: Any) -> dict[str, Any]:
    """The same report as form v2 sends it (every field v2 added unknown unless overridden),
    e.g. report_body_v2(**{"toilet.door_clear_width_cm_bound": "at_least"})."""
    from mobile_schema.upgrades import upgrade_v1_to_v2

    return _override(upgrade_v1_to_v2(report_body()), overrides)


def _override(body: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    for dotted, value in overrides.items():
        target = body
        *parents, last = dotted.split(".")
        for key in parents:
            target = target[key]
        if value is _DELETE:
            target.pop(last, None)
        else:
            target[last] = value
    return body


_DELETE = object()
DELETE = _DELETE


def join_and_login(client: TestClient, nickname: str | None = None, **extra: Any) -> dict[str, str]:
    nickname = nickname or f"v{uuid.uuid4().hex[:10]}"
    r = client.post("/api/v1/volunteers", json={"nickname": nickname, "password": "correct horse",
                                                "age_band": "30s", **extra})
    assert r.status_code == 201, r.text
    return login(client, nickname, "correct horse")


def login(client: TestClient, username: str, password: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def make_account(db: Session, role: str, username: str | None = None, password: str = "correct horse") -> str:
    from accounts.service import create_account

    username = username or f"{role}-{uuid.uuid4().hex[:8]}"
    create_account(db, username=username, password=password, role=role, username_field="username")
    db.commit()
    return username


def count_rows(db: Session, table: str) -> int:
    return db.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def truncate_all(engine: Engine) -> None:
    """Empty every table but the reference data (for tests that commit for real)."""
    with engine.begin() as conn:
        tables = [r[0] for r in conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")) if r[0] not in KEPT_TABLES]
        if tables:
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


def fresh_rate_limits(application) -> None:
    """The abuse counters commit on their own connections (they must survive a failed request),
    so the test transaction cannot roll them back: each test starts from none."""
    application.state.rate_limits.storage.reset()


def dispose(application) -> None:
    application.state.engine.dispose()
    application.state.rate_limit_engine.dispose()
    if application.state.read_engine is not None:
        application.state.read_engine.dispose()


def exporter_api_key(db: Session, *, prefix: str = "exporter") -> str:
    """An exporter account and an API key for it, made by an admin (both created here); the key."""
    from accounts.service import create_account
    from exports.api_keys import create_api_key

    admin = create_account(db, username=f"{prefix}-admin", password="admin pass word", role="admin",
                           username_field="username")
    exporter = create_account(db, username=f"{prefix}-exporter", password="exporter pass word", role="exporter",
                              username_field="username")
    _, key = create_api_key(db, admin=admin, account_id=exporter.id, label=f"{prefix} key")
    db.commit()
    return key
