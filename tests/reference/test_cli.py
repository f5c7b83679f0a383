"""`reachable reference import` and `reachable reference match` on a committed database: the import
runs on a real worker process (`job_worker`), the command follows its job."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from cli.main import app
from core.config import get_settings
from tests.reference.helpers import csv_bytes, row


@pytest.fixture
def cli_env(monkeypatch, database_url, committed_engine):
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_import_twice_then_a_changed_file(cli_env, committed_engine, job_worker, tmp_path: Path):
    file = tmp_path / "공중화장실.csv"
    rows = [row(1), row(2, WGS84위도="", WGS84경도=""), row(3, WGS84위도="35.18848", WGS84경도="128.9904")]
    file.write_bytes(csv_bytes(rows, encoding="cp949"))
    runner = CliRunner()
    first = runner.invoke(app, ["reference", "import", str(file)])
    assert first.exit_code == 0, first.output
    assert "(cp949, key column 번호): 3 rows" in first.output
    assert "inserted 추가 3, updated 변경 0, unchanged 그대로 0" in first.output
    assert "no_coordinates: 1" in first.output and "outside_seoul: 1" in first.output
    assert "address-only matching" in first.output and "none 3" in first.output
    second = runner.invoke(app, ["reference", "import", str(file)])
    assert "inserted 추가 0, updated 변경 0, unchanged 그대로 3" in second.output
    rows[0]["전화번호"] = "02-0000-0000"
    gz = tmp_path / "공중화장실.csv.gz"
    gz.write_bytes(gzip.compress(csv_bytes(rows)))
    third = runner.invoke(app, ["reference", "import", str(gz)])
    assert "inserted 추가 0, updated 변경 1, unchanged 그대로 2" in third.output and "전화번호 1" in third.output
    with committed_engine.connect() as conn:
        assert conn.execute(text("SELECT phone FROM reference_toilets WHERE management_no = '1'")).scalar_one() \
            == "02-0000-0000"
    rematch = runner.invoke(app, ["reference", "match"])
    assert rematch.exit_code == 0 and "none 3" in rematch.output


def test_a_bad_file_exits_non_zero_in_both_languages(cli_env, committed_engine, job_worker, tmp_path: Path):
    bad = tmp_path / "other.csv"
    bad.write_text("name,lon,lat\nx,1,2\n", encoding="utf-8")
    runner = CliRunner()
    r = runner.invoke(app, ["reference", "import", str(bad)])
    assert r.exit_code == 2
    assert "Not a public toilet standard data file" in r.output and "공중화장실 표준데이터 파일이 아닙니다" in r.output
    missing = runner.invoke(app, ["reference", "import", str(tmp_path / "nothing.csv")])
    assert missing.exit_code == 2 and "no such file" in missing.output and "파일이 없습니다" in missing.output
    with committed_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM reference_toilets")).scalar_one() == 0


def test_here_runs_the_import_in_the_command_itself(cli_env, committed_engine, tmp_path: Path):
    """Without a worker: `--here` runs the very job a worker would, and records it the same way."""
    file = tmp_path / "공중화장실.csv"
    file.write_bytes(csv_bytes([row(1), row(2)]))
    r = CliRunner().invoke(app, ["reference", "import", "--here", str(file)])
    assert r.exit_code == 0, r.output
    assert "inserted 추가 2, updated 변경 0, unchanged 그대로 0" in r.output
    with committed_engine.connect() as conn:
        job = conn.execute(text("SELECT kind, status, owner_id, queue_job_id FROM jobs")).one()
        assert tuple(job) == ("reference_import", "succeeded", None, None)
        assert conn.execute(text("SELECT count(*) FROM job_uploads")).scalar_one() == 0  # let go with the result
