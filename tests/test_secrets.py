"""The signing key has no usable default: production refuses to start, the demo keeps its own key."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.app import create_app
from cli.main import app as cli
from core.config import PROJECT_ROOT, Settings, get_settings
from core.secrets import PUBLISHED_SECRETS, InsecureSecret, usable_settings

REAL = "a-real-secret-" + "k" * 40


@pytest.mark.parametrize("secret", [None, "", *sorted(PUBLISHED_SECRETS), "change-me-" + "x" * 40, "short-but-set"])
def test_production_refuses_to_start_without_a_secret_of_its_own(tmp_path, secret):
    settings = Settings(secret_key=secret, local_db_dir=tmp_path / "local", photo_dir=tmp_path / "p")
    with pytest.raises(InsecureSecret) as caught:
        create_app(settings)
    message = str(caught.value)
    assert "SECRET_KEY" in message and "REACHABLE_MODE=demo" in message and "token_urlsafe" in message
    assert not (tmp_path / "local" / "secret_key").exists()


def test_a_real_secret_is_used_as_given(tmp_path):
    settings = Settings(secret_key=REAL, local_db_dir=tmp_path)
    assert usable_settings(settings, host="0.0.0.0").secret_key == REAL
    assert not (tmp_path / "secret_key").exists()


def test_demo_mode_makes_a_random_key_once_keeps_it_private_and_reuses_it(tmp_path):
    settings = Settings(reachable_mode="demo", secret_key=None, local_db_dir=tmp_path / "local")
    first = usable_settings(settings, host="127.0.0.1").secret_key
    assert first and len(first) >= 32 and first not in PUBLISHED_SECRETS
    path = tmp_path / "local" / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert usable_settings(settings, host="localhost").secret_key == first
    assert usable_settings(settings).secret_key == first  # under plain uvicorn (host unknown)
    other = Settings(reachable_mode="demo", local_db_dir=tmp_path / "elsewhere")
    assert usable_settings(other).secret_key != first  # random, not derived from anything public
    # A published key is never signed with, even in demo mode: the local one replaces it.
    published = Settings(reachable_mode="demo", secret_key=sorted(PUBLISHED_SECRETS)[0], local_db_dir=tmp_path / "local")
    assert usable_settings(published).secret_key == first


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "example.org", ""])
def test_demo_key_never_serves_beyond_loopback(tmp_path, host):
    settings = Settings(reachable_mode="demo", local_db_dir=tmp_path)
    with pytest.raises(InsecureSecret, match="refusing to serve on"):
        usable_settings(settings, host=host)
    assert not (tmp_path / "secret_key").exists()


@pytest.fixture
def cli_env(monkeypatch, tmp_path):
    # Set first so that monkeypatch restores whatever the CLI sets in os.environ for its workers.
    for name in ("SECRET_KEY", "REACHABLE_MODE", "DATABASE_URL"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    monkeypatch.setenv("LOCAL_DB_DIR", str(tmp_path / "local"))
    get_settings.cache_clear()
    yield tmp_path / "local"
    get_settings.cache_clear()


@pytest.mark.parametrize("args, env", [
    (["serve"], {}),
    (["serve", "--host", "0.0.0.0"], {"REACHABLE_MODE": "demo"}),
    (["serve", "--host", "0.0.0.0"], {"SECRET_KEY": sorted(PUBLISHED_SECRETS)[1]}),
    (["up", "--host", "0.0.0.0"], {}),
])
def test_cli_refuses_to_serve_before_starting_anything(cli_env, monkeypatch, args, env):
    started = []
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: started.append(a))
    monkeypatch.setattr("cli.main._database_url", lambda start=True: started.append("db") or "x")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert "SECRET_KEY" in result.output and "refusing to" in result.output
    assert started == []


def test_up_runs_the_demo_with_the_kept_key_and_hands_it_to_the_workers(cli_env, monkeypatch):
    served: list[dict] = []
    monkeypatch.setattr("cli.main.db_start", lambda: None)
    monkeypatch.setattr("cli.main.demo_load", lambda force=False: None)
    monkeypatch.setattr("cli.main._database_url", lambda start=True: "postgresql+psycopg://unused/x")
    monkeypatch.setattr("core.migrate.upgrade", lambda url: None)

    def fake_run(target, **kwargs):
        import os

        served.append({"target": target, "host": kwargs["host"], "key": os.environ.get("SECRET_KEY"),
                       "mode": os.environ.get("REACHABLE_MODE")})

    monkeypatch.setattr("uvicorn.run", fake_run)
    runner = CliRunner()
    assert runner.invoke(cli, ["up"]).exit_code == 0
    kept = (cli_env / "secret_key").read_text().strip()
    assert served[0] == {"target": "api.main:app", "host": "127.0.0.1", "key": kept, "mode": "demo"}
    monkeypatch.delenv("SECRET_KEY")  # a second run, as after a restart: the same key
    assert runner.invoke(cli, ["up"]).exit_code == 0
    assert served[1]["key"] == kept


def test_docker_compose_has_no_public_secret_and_loads_demo_only_when_asked():
    text = (PROJECT_ROOT / "docker-compose.yml").read_text()
    assert re.search(r"SECRET_KEY: \$\{SECRET_KEY:\?", text)
    assert re.search(r"POSTGRES_PASSWORD: \$\{POSTGRES_PASSWORD:\?", text)
    assert "reachable:reachable@" not in text and not any(s in text for s in PUBLISHED_SECRETS)
    command = next(line for line in text.splitlines() if line.strip().startswith("command:"))
    assert 'if [ "$$LOAD_DEMO" = 1 ]; then reachable demo load; fi' in command
    assert "LOAD_DEMO: ${LOAD_DEMO:-0}" in text


def test_the_local_folder_with_the_demo_key_is_git_ignored():
    ignored = (PROJECT_ROOT / ".gitignore").read_text().splitlines()
    assert ".reachable/" in ignored and Settings().local_db_dir == PROJECT_ROOT / ".reachable"
    assert Path(Settings().local_db_dir).name == ".reachable"
