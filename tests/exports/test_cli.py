"""The `reachable export` commands on a committed database (models vs migrations: tests/test_database.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from cli.main import app
from core.config import get_settings
from tests.exports.helpers import publish, report_with_photos
from toilets.service import create_toilet


@pytest.fixture
def cli_env(monkeypatch, database_url, committed_engine, settings):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("PHOTO_DIR", str(settings.photo_dir))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_cli_snapshot_check_and_preview(cli_env, committed_engine, settings, tmp_path: Path):
    with Session(committed_engine, expire_on_commit=False) as db:
        report, body, photos = report_with_photos(db, settings, kinds=("entrance",))
        create_toilet(db, payload=body, report_id=report.id, review_id=None)
        left_out = publish(db, lon=127.0473, lat=37.5172, **{"place.lot_address": None})
        db.commit()
    runner = CliRunner()
    out = tmp_path / "snap"
    r = runner.invoke(app, ["export", "snapshot", "--layer", "toilets", "--profile", "smart-seoul-map",
                            "--format", "csv", "--out", str(out)])
    assert r.exit_code == 0, r.output
    manifest = json.loads((out / "manifest.json").read_text())
    # the toilet without a lot-number address is left out (the consumer would drop it) and listed
    assert manifest["feature_count"] == 1 and (out / "photos" / f"{photos[0].id}.png").is_file()
    assert "0 dropped" in r.output and "left out" in r.output and str(left_out.id) in r.output
    assert "lot-number address" in r.output and manifest["excluded"]["total"] == 1
    assert "features" in r.output  # the progress bar's unit (tqdm writes to the terminal)

    ok = runner.invoke(app, ["export", "check", str(out / manifest["file"])])
    assert ok.exit_code == 0 and "1 imported" in ok.output
    bommed = tmp_path / "bom.csv"
    bommed.write_bytes(b"\xef\xbb\xbf" + (out / manifest["file"]).read_bytes())
    bad = runner.invoke(app, ["export", "check", str(bommed), "--json"])
    assert bad.exit_code == 1 and json.loads(bad.output)["aborts"][0]["code"] == "bom"

    html = tmp_path / "preview.html"
    r = runner.invoke(app, ["export", "preview", "--out", str(html)])
    assert r.exit_code == 0, r.output
    text = html.read_text()
    assert "/static/vendor" not in text and "L.markerClusterGroup" in text
    assert not __import__("re").search(r'<(script|link)[^>]*(src|href)=', text)  # all inlined: nothing fetched
    assert (tmp_path / "preview_photos" / f"{photos[0].id}.png").is_file()
    assert "preview_photos/" in text


def test_cli_snapshot_into_the_store_is_a_job_a_worker_runs(cli_env, committed_engine, settings, job_worker):
    """Into the service's store the command queues the API's own snapshot job and follows it: the
    snapshot is written by the worker process, recorded under the job, and reported here."""
    from sqlalchemy import text

    with Session(committed_engine, expire_on_commit=False) as db:
        report, body, _ = report_with_photos(db, settings, kinds=("entrance",))
        create_toilet(db, payload=body, report_id=report.id, review_id=None)
        db.commit()
    r = CliRunner().invoke(app, ["export", "snapshot", "--format", "csv"])
    assert r.exit_code == 0, r.output
    with committed_engine.connect() as conn:
        job = conn.execute(text("SELECT status, result, attempts FROM jobs WHERE kind = 'snapshot'")).one()
        snap = conn.execute(text("SELECT id, directory, feature_count FROM export_snapshots")).one()
    assert job.status == "succeeded" and job.result["snapshot_id"] == str(snap.id)
    assert snap.feature_count == 1 and Path(snap.directory, "manifest.json").is_file()
    assert f"{Path(snap.directory)}" in r.output and "1 features" in r.output and "0 dropped" in r.output


def test_cli_snapshot_bad_request_refused_before_any_job(cli_env, committed_engine):
    from sqlalchemy import text

    r = CliRunner().invoke(app, ["export", "snapshot", "--format", "xlsx"])
    assert r.exit_code == 2 and "error:" in r.output and "오류:" in r.output
    with committed_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM jobs")).scalar_one() == 0
