"""`reachable`: the project's command line (database, accounts, demo data, server)."""

from __future__ import annotations

import os
import typer

from core.config import get_settings

app = typer.Typer(help="Reachable toilets Seoul · 휠체어도 가는 화장실", no_args_is_help=True)
db_app = typer.Typer(help="The local PostGIS cluster (used when DATABASE_URL is not set).", no_args_is_help=True)
accounts_app = typer.Typer(help="Accounts.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(accounts_app, name="accounts")
app.add_typer(demo_app, name="demo")


def _database_url(start: bool = True) -> str:
    """DATABASE_URL if set; otherwise the project's own cluster, started (and migrated) if needed."""
    settings = get_settings()
    if settings.database_url:
        from core.db import resolve_database_url

        return resolve_database_url(settings)
    from core.localdb import LocalCluster

    cluster = LocalCluster(settings)
    if start:
        cluster.ensure_running()
    return cluster.url()


@db_app.command("start")
def db_start() -> None:
    """Install PostGIS if missing, init the cluster once, start it, create the database, migrate."""
    from core.migrate import upgrade

    url = _database_url(start=True)
    upgrade(url)
    typer.echo(f"database ready: {url}")


@db_app.command("stop")
def db_stop() -> None:
    from core.localdb import LocalCluster

    stopped = LocalCluster(get_settings()).stop()
    typer.echo("stopped" if stopped else "not running")


@db_app.command("status")
def db_status() -> None:
    from core.localdb import LocalCluster

    cluster = LocalCluster(get_settings())
    typer.echo(f"{'running' if cluster.is_running() else 'stopped'}: {cluster.url()}")


@db_app.command("migrate")
def db_migrate() -> None:
    from core.migrate import upgrade

    upgrade(_database_url())
    typer.echo("migrated to head")


@db_app.command("url")
def db_url() -> None:
    typer.echo(_database_url(start=False))


@accounts_app.command("create")
def accounts_create(
    role: str = typer.Option(..., help="volunteer | moderator | exporter | admin"),
    username: str = typer.Option(...),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
    organisation_code: str | None = typer.Option(None),
    age_band: str | None = typer.Option(None, help="volunteers: under_20 | 20s | 30s | 40s | 50s | 60_plus"),
) -> None:
    from accounts.service import create_account
    from core.db import make_engine, make_session_factory, unit_of_work
    from core.errors import DomainError

    settings = get_settings()
    engine = make_engine(settings, _database_url())
    try:
        with unit_of_work(make_session_factory(engine)) as db:
            account = create_account(db, username=username, password=password, role=role,
                                     organisation_code=organisation_code, age_band=age_band,
                                     username_field="username")
            typer.echo(f"created {account.role} '{account.username}' (id {account.id})")
    except DomainError as exc:
        details = "; ".join(f"{f.path}: {f.message_en}" for f in exc.fields)
        typer.echo(f"error: {exc.message_en} {details}", err=True)
        raise typer.Exit(2) from exc
    finally:
        engine.dispose()


@demo_app.command("load")
def demo_load(force: bool = typer.Option(False, help="Load even if the database already has reports.")) -> None:
    """Realistic Seoul demo data: organisations, accounts, published toilets and pending reports."""
    from core.db import make_engine, make_session_factory, unit_of_work
    from demo.loader import load_demo

    settings = get_settings()
    engine = make_engine(settings, _database_url())
    try:
        with unit_of_work(make_session_factory(engine)) as db:
            typer.echo(load_demo(db, settings=settings, force=force))
    finally:
        engine.dispose()


@app.command("serve")
def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Serve the API (and pages)."""
    import uvicorn

    from core.migrate import upgrade

    url = _database_url()
    upgrade(url)
    os.environ.setdefault("DATABASE_URL", url)
    uvicorn.run("api.main:app", host=host, port=port, workers=workers, proxy_headers=True, log_level="info")


@app.command("up")
def up(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Start the database, migrate, load demo data once, serve: the README's first command."""
    db_start()
    demo_load(force=False)
    typer.echo(f"\nOpen http://{host}:{port}/docs (API) · demo logins are listed in the README\n")
    serve(host=host, port=port)


if __name__ == "__main__":
    app()
