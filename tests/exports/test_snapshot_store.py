"""The snapshot store: a failure mid-write leaves nothing, a disk budget (507), retention by
count and by age, debris of a crash swept (exports/snapshot_store.py)."""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from exports import snapshots
from exports.request import parse_request
from exports.snapshot_store import create_snapshot
from tests.exports.helpers import publish, report_with_photos
from tests.factories import count_rows, login, make_account
from tests.workers import snapshot_via_api
from toilets.service import create_toilet

CSV = {"layer": "toilets", "profile": "smart-seoul-map", "format": "csv"}


def entries(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


@pytest.fixture
def published(db, settings):
    report, body, photos = report_with_photos(db, settings, kinds=("entrance", "door"))
    create_toilet(db, payload=body, report_id=report.id, review_id=None)
    publish(db, lon=127.0473, lat=37.5172)
    db.flush()
    return photos


@pytest.fixture
def exporter(client, db):
    return login(client, make_account(db, "exporter"), "correct horse")


def test_a_disk_that_fills_up_mid_write_leaves_nothing(client, db, connection, settings, published, exporter,
                                                       monkeypatch):
    copied, real_copy = [], shutil.copyfile

    def copy_then_fill_up(src, dst):
        if copied:  # the data file and one photo are written; the disk fills on the second
            raise OSError(errno.ENOSPC, "No space left on device")
        copied.append(real_copy(src, dst))

    monkeypatch.setattr(snapshots.shutil, "copyfile", copy_then_fill_up)
    job, snap = snapshot_via_api(client, exporter, CSV, connection=connection, settings=settings)
    assert job["status"] == "failed" and job["error_status"] == 507 and snap is None, job
    assert job["error"]["code"] == "snapshot_disk_full" and job["error"]["message_ko"]
    assert copied  # it did fail mid-write
    assert entries(Path(settings.snapshot_dir)) == [] and count_rows(db, "export_snapshots") == 0


def test_an_error_mid_stream_leaves_nothing(db, settings, published, monkeypatch):
    real = snapshots.stream_export

    def breaks_after_a_chunk(*args, **kwargs):
        stream = real(*args, **kwargs)
        yield next(stream)
        raise RuntimeError("connection lost mid-export")

    monkeypatch.setattr(snapshots, "stream_export", breaks_after_a_chunk)
    with pytest.raises(RuntimeError):
        create_snapshot(db, settings, parse_request(layer="toilets", fmt="csv"), created_by=None)
    assert entries(Path(settings.snapshot_dir)) == [] and count_rows(db, "export_snapshots") == 0


def test_a_rolled_back_snapshot_takes_its_directory_along(db, settings, published):
    snap = create_snapshot(db, settings, parse_request(layer="toilets", fmt="csv"), created_by=None)
    assert Path(snap.directory, snap.data_file).is_file()
    db.rollback()  # e.g. the request's commit failed
    assert entries(Path(settings.snapshot_dir)) == []
    kept = create_snapshot(db, settings, parse_request(layer="toilets", fmt="geojson"), created_by=None)
    db.commit()
    assert entries(Path(settings.snapshot_dir)) == [str(kept.id)]


def test_the_disk_budget_refuses_a_snapshot_that_would_not_fit(client, db, connection, settings, published, exporter):
    _, first = snapshot_via_api(client, exporter, CSV, connection=connection, settings=settings)
    assert first is not None
    used = sum(p.stat().st_size for p in Path(settings.snapshot_dir).rglob("*") if p.is_file())
    settings.snapshot_disk_budget_bytes = used + used // 2  # room for half a snapshot more
    job, _ = snapshot_via_api(client, exporter, CSV, connection=connection, settings=settings)
    assert job["status"] == "failed" and job["error_status"] == 507, job
    body = job["error"]
    assert body["code"] == "snapshot_over_budget" and "MB" in body["message_en"] and body["message_ko"]
    assert entries(Path(settings.snapshot_dir)) == [first["id"]]  # the first intact, no debris
    assert count_rows(db, "export_snapshots") == 1
    settings.snapshot_disk_budget_bytes = used  # full already: refused before writing anything
    assert snapshot_via_api(client, exporter, CSV, connection=connection, settings=settings)[0]["error_status"] == 507


def test_retention_keeps_the_newest_n_and_drops_the_old(client, db, connection, settings, published, exporter):
    settings.snapshot_keep_count, settings.snapshot_keep_days = 2, 30

    def made_now() -> str:
        return snapshot_via_api(client, exporter, CSV, connection=connection, settings=settings)[1]["id"]

    made = [made_now() for _ in range(3)]
    listed = [s["id"] for s in client.get("/api/v1/exports/snapshots", headers=exporter).json()]
    assert listed == [made[2], made[1]]
    assert entries(Path(settings.snapshot_dir)) == sorted(made[1:])  # the oldest's directory is gone
    db.execute(text("UPDATE export_snapshots SET created_at = now() - interval '31 days' WHERE id = :i"),
               {"i": made[1]})
    newest = made_now()
    assert [s["id"] for s in client.get("/api/v1/exports/snapshots", headers=exporter).json()] == [newest, made[2]]
    assert entries(Path(settings.snapshot_dir)) == sorted([newest, made[2]])


def test_debris_of_a_crash_is_swept_by_the_next_snapshot(db, settings, published):
    root = Path(settings.snapshot_dir)
    (root / ".tmp-5d0c8a4e-0000-4000-8000-000000000000").mkdir(parents=True)  # killed mid-write
    (root / ".tmp-5d0c8a4e-0000-4000-8000-000000000000" / "toilets.csv").write_text("partial")
    (root / "0b7e7f43-0000-4000-8000-000000000000").mkdir()  # renamed, then its commit never came
    (root / "kept-by-hand").mkdir()  # not a name the store gives: not its to remove
    snap = create_snapshot(db, settings, parse_request(layer="toilets", fmt="csv"), created_by=None)
    assert entries(root) == sorted([str(snap.id), "kept-by-hand"])


@pytest.fixture
def cli_env(monkeypatch, database_url, committed_engine, settings):
    from core.config import get_settings

    for name, value in (("DATABASE_URL", database_url), ("PHOTO_DIR", str(settings.photo_dir)),
                        ("SNAPSHOT_DIR", str(settings.snapshot_dir))):
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_cli_snapshot_that_fails_leaves_the_out_directory_as_it_was(cli_env, committed_engine, settings,
                                                                    tmp_path, monkeypatch):
    from sqlalchemy.orm import Session

    from cli.main import app

    with Session(committed_engine, expire_on_commit=False) as db:
        report, body, _ = report_with_photos(db, settings, kinds=("entrance",))
        create_toilet(db, payload=body, report_id=report.id, review_id=None)
        db.commit()
    out = tmp_path / "snap"
    out.mkdir()
    (out / "older.txt").write_text("the map team's own file")
    real_copy, failing = shutil.copyfile, [True]

    def copy(src, dst):
        if failing[0]:
            raise OSError(errno.EIO, "Input/output error")
        return real_copy(src, dst)

    monkeypatch.setattr(snapshots.shutil, "copyfile", copy)
    r = CliRunner().invoke(app, ["export", "snapshot", "--format", "csv", "--out", str(out)])
    assert r.exit_code != 0
    assert entries(out) == ["older.txt"] and "snap" in entries(tmp_path)
    assert not [n for n in entries(tmp_path) if n.startswith(".snap")]  # no scratch left beside it
    failing[0] = False
    # into the service's store, run in the command itself (the worker path: tests/exports/test_cli.py)
    r = CliRunner().invoke(app, ["export", "snapshot", "--format", "csv", "--here"])
    assert r.exit_code == 0, r.output
    with committed_engine.connect() as conn:
        directory = conn.execute(text("SELECT directory FROM export_snapshots")).scalar_one()
    assert Path(directory, "manifest.json").is_file() and Path(directory).parent == Path(settings.snapshot_dir)
