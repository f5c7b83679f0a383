"""Test fixtures: a fresh database of our own on a real PostGIS, a transaction per test.

The database is created on the project's own cluster (started by `core.localdb`, exactly as
`reachable db start` does) or, if DATABASE_URL is set, on that server; it is migrated with
Alembic and dropped at the end. Each test runs in one outer transaction that is rolled back
(SQLAlchemy's "join a Session into an external transaction" recipe), so request commits
become savepoints. Tests that need real commits from several connections (concurrency,
browser, live server) use `committed_engine` and clean up after themselves.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from api.app import create_app
from core.config import Settings
from core.migrate import upgrade

REFERENCE_TABLES = {"districts", "city_boundary", "spatial_ref_sys", "alembic_version"}


def _base_settings(tmp: Path) -> Settings:
    return Settings(photo_dir=tmp / "photos", snapshot_dir=tmp / "snapshots", secret_key="test-secret-" + "x" * 40)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    from core.scratchdb import create_scratch_database

    scratch = create_scratch_database(f"reachable_test_{os.getpid()}_{uuid.uuid4().hex[:6]}")
    upgrade(scratch.url)
    try:
        yield scratch.url
    finally:
        scratch.drop()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    eng = create_engine(database_url, pool_size=10, max_overflow=40)
    yield eng
    eng.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    conn = engine.connect()
    outer = conn.begin()
    try:
        yield conn
    finally:
        if outer.is_active:
            outer.rollback()
        conn.close()


@pytest.fixture
def db(connection: Connection) -> Iterator[Session]:
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return _base_settings(tmp_path)


@pytest.fixture
def app(settings: Settings, database_url: str, connection: Connection):
    """The real app; its sessions join the test's outer transaction."""
    application = create_app(settings, database_url=database_url)
    application.state.session_factory = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def truncate_all(engine: Engine) -> None:
    with engine.begin() as conn:
        tables = [r[0] for r in conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")) if r[0] not in REFERENCE_TABLES]
        if tables:
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


@pytest.fixture
def committed_engine(engine: Engine) -> Iterator[Engine]:
    """For tests that need real commits (concurrency, live server); tables are emptied after."""
    truncate_all(engine)
    yield engine
    truncate_all(engine)


@pytest.fixture
def committed_app(settings: Settings, database_url: str, committed_engine: Engine):
    application = create_app(settings, database_url=database_url)
    yield application
    application.state.engine.dispose()


# -- factories -------------------------------------------------------------------------------

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


# -- a live server and a real browser --------------------------------------------------------

def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_server(committed_app) -> Iterator[str]:
    """The app served by uvicorn on a loopback port, over the committed test database."""
    import threading
    import time

    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(committed_app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
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


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (no downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
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


@pytest.fixture
def page(browser, live_server):
    """A page in a guarded context (see `guarded_context`)."""
    context = guarded_context(browser, live_server)
    pg = context.new_page()
    pg.outside_requests = context.outside_requests  # type: ignore[attr-defined]
    yield pg
    context.close()


AXE_JS = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(pg, tags=("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")) -> list[dict]:
    """Run axe-core (from the npm registry) in the page; returns WCAG A/AA violations."""
    pg.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    result = pg.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", list(tags))
    return [{"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]]
