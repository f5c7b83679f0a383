"""`reachable`: the project's command line (database, accounts, demo data, server)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import typer

from core.config import PROJECT_ROOT, get_settings

app = typer.Typer(help="Reachable toilets Seoul · 휠체어도 가는 화장실", no_args_is_help=True)
db_app = typer.Typer(help="The local PostGIS cluster (used when DATABASE_URL is not set).", no_args_is_help=True)
accounts_app = typer.Typer(help="Accounts.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(accounts_app, name="accounts")
app.add_typer(demo_app, name="demo")
export_app = typer.Typer(help="Exports for the map team (docs/exports.md).", no_args_is_help=True)
app.add_typer(export_app, name="export")
reference_app = typer.Typer(help="Reference data: the national public toilet data (docs/office.md).",
                            no_args_is_help=True)
app.add_typer(reference_app, name="reference")


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


@db_app.command("replica")
def db_replica(
    stop: bool = typer.Option(False, "--stop", help="stop the replica"),
    remove: bool = typer.Option(False, "--remove", help="stop it and delete its folder"),
) -> None:
    """A streaming replica of the local cluster (pg_basebackup -R, its own socket and port), made
    once and started; prints the DATABASE_READ_URL that sends public reads to it (docs/scaling.md)."""
    from core.localdb import LocalReplica

    replica = LocalReplica(get_settings())
    if remove:
        replica.remove()
        typer.echo("replica removed")
    elif stop:
        typer.echo("stopped" if replica.stop() else "not running")
    else:
        replica.ensure_running()
        typer.echo(f"DATABASE_READ_URL={replica.url()}")


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


def _lifecycle(username: str, change) -> None:
    """Run one account change in one transaction; a missing account or a refusal exits 2."""
    from accounts.service import find_by_username
    from core.db import make_engine, make_session_factory, unit_of_work
    from core.errors import DomainError, fail

    engine = make_engine(get_settings(), _database_url())
    try:
        with unit_of_work(make_session_factory(engine)) as db:
            account = find_by_username(db, username)
            if account is None:
                raise fail("account_not_found")
            change(db, account)
            typer.echo(f"{account.role} '{account.username}' (id {account.id}): "
                       f"{'active' if account.is_active else 'deactivated'}")
    except DomainError as exc:
        _exit_on_domain_error(exc)
    finally:
        engine.dispose()


@accounts_app.command("deactivate")
def accounts_deactivate(username: str = typer.Argument(...),
                        reason: str | None = typer.Option(None, help="Why (kept in the audit log)")) -> None:
    """Stop an account: no new logins, and its tokens stop working at once. Audited."""
    from accounts.service import deactivate_account

    _lifecycle(username, lambda db, a: deactivate_account(db, account=a, by=None, reason=reason))


@accounts_app.command("reactivate")
def accounts_reactivate(username: str = typer.Argument(...),
                        reason: str | None = typer.Option(None, help="Why (kept in the audit log)")) -> None:
    """Let a deactivated account log in again (old tokens stay dead). Audited."""
    from accounts.service import reactivate_account

    _lifecycle(username, lambda db, a: reactivate_account(db, account=a, by=None, reason=reason))


@accounts_app.command("reset-password")
def accounts_reset_password(
    username: str = typer.Argument(...),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
    reason: str | None = typer.Option(None, help="Why (kept in the audit log)"),
) -> None:
    """Set a new password; every token of the account stops working. Audited (never the password)."""
    from accounts.service import reset_password

    _lifecycle(username, lambda db, a: reset_password(db, account=a, new_password=password, by=None, reason=reason))


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


def _exit_on_domain_error(exc) -> None:
    """The error in English and Korean on stderr, exit 2."""
    details = "; ".join(f"{f.path}: {f.message_en}" for f in exc.fields)
    details_ko = "; ".join(f"{f.path}: {f.message_ko}" for f in exc.fields)
    typer.echo(f"error: {exc.message_en} {details}".rstrip(), err=True)
    typer.echo(f"오류: {exc.message_ko} {details_ko}".rstrip(), err=True)
    raise typer.Exit(2) from exc


def _snapshot_into_directory(req, out: Path, settings, factory, *, desc: str) -> dict:
    from tqdm import tqdm

    from core.db import unit_of_work
    from core.errors import DomainError
    from exports.snapshot_store import write_snapshot_into

    bar = tqdm(unit=" features", desc=desc, mininterval=0.5)

    def progress(done: int, total: int) -> None:
        if bar.total != total:
            bar.total = total
        if done % 500 == 0 or done == total:
            bar.update(done - bar.n)

    try:
        with unit_of_work(factory) as db:
            return write_snapshot_into(db, settings, req, out, on_progress=progress)
    except DomainError as exc:
        _exit_on_domain_error(exc)
    finally:
        bar.close()


def _snapshot_into_store(params: dict, settings, factory, *, here: bool) -> tuple[dict, Path]:
    """The snapshot job (the API's own kind), run by a worker or `--here`, followed to its end."""
    import uuid

    import all_models  # noqa: F401  every table in the ORM's metadata (the audit entry's foreign keys)
    from core.db import unit_of_work
    from exports.models import Snapshot
    from jobs import service as jobs

    with unit_of_work(factory) as db:
        job, _ = jobs.create_job(db, kind="snapshot", owner_id=None, params={"request": params}, enqueue=not here)
    if here:
        _run_here(job.id, settings, factory)
    view = _follow_job(job.id, factory, unit=" features", phases={"write": "writing 쓰는 중"})
    if view["status"] == "failed":
        _exit_on_job_error(view)
    with unit_of_work(factory) as db:
        snap = db.get(Snapshot, uuid.UUID(view["result"]["snapshot_id"]))
        return snap.manifest, Path(snap.directory)


@export_app.command("snapshot")
def export_snapshot(
    layer: str = typer.Option("toilets", help="toilets | routes"),
    profile: str = typer.Option("smart-seoul-map", help="smart-seoul-map | geojson"),
    format: str = typer.Option("csv", "--format", help="geojson | csv | json (API wrapper, smart-seoul-map)"),
    out: Path | None = typer.Option(None, help="Directory to write the file, photos/ and manifest.json into; "
                                               "without it, a snapshot in the service's store (budget, retention)"),
    district: str | None = typer.Option(None), verdict: str | None = typer.Option(None),
    bbox: str | None = typer.Option(None, help="minLon,minLat,maxLon,maxLat"),
    bom: bool = typer.Option(False, help="CSV only: add a UTF-8 BOM (spreadsheets; breaks the known consumer)"),
    columns: str = typer.Option("all", help="CSV only: all | consumer (only the columns 계단뿌셔클럽 reads)"),
    here: bool = typer.Option(False, "--here", help="Into the store: run the snapshot in this process instead of "
                                                     "on a worker"),
) -> None:
    """A file plus manifest (sha256, count, sequence, profile, consumer check) and bundled photos.
    Into the service's store, the snapshot is a job a worker (`reachable worker`) runs, as the API's
    are; this command follows it with a progress bar. With --out it is written here, by this
    process: the directory is on this machine, which a worker elsewhere cannot reach."""
    from core.db import make_engine, make_session_factory
    from core.errors import DomainError
    from exports.request import parse_request

    settings = get_settings()
    params = {"layer": layer, "fmt": format, "profile": profile, "district": district, "verdict": verdict,
              "bbox": bbox, "bom": bom, "columns": columns}
    try:
        req = parse_request(**params)
    except DomainError as exc:
        _exit_on_domain_error(exc)
    engine = make_engine(settings, _database_url())
    factory = make_session_factory(engine)
    try:
        if out is None:
            manifest, out = _snapshot_into_store(params, settings, factory, here=here)
        else:
            manifest = _snapshot_into_directory(req, out, settings, factory, desc=f"{layer} {profile} {format}")
    finally:
        engine.dispose()
    typer.echo(f"{out / manifest['file']}: {manifest['feature_count']} features, {manifest['bytes']} bytes, "
               f"seq {manifest['seq']}, sha256 {manifest['sha256']}, {manifest['photos']['count']} photos")
    check = manifest.get("consumer_check")
    if check:
        typer.echo(_check_summary(check))
    excluded = manifest.get("excluded")
    if excluded and excluded["total"]:
        typer.echo(f"left out (incomplete for the consumer, or public layer only): {excluded['total']} toilets, "
                   "listed with the reasons in manifest.json 'excluded'")
        for item in excluded["items"][:20]:
            typer.echo(f"  {item['id']} {item['name']}: " + "; ".join(r["message_en"] for r in item["reasons"]))
    typer.echo(json.dumps({k: manifest[k] for k in ("file", "sha256", "feature_count", "seq")}))


def _check_summary(check: dict) -> str:
    lines = [f"consumer check ({check['consumer']}): {'OK' if check['ok'] else 'IMPORT WOULD FAIL'}; "
             f"{check['rows']} rows, {check['rows_imported']} imported, "
             f"{check.get('dropped_total', len(check['dropped']))} dropped, "
             f"{check.get('misread_total', len(check['misread']))} misread values"]
    for f in check["aborts"][:20]:
        lines.append(f"  ABORT row {f['row']} {f['column'] or ''}: {f['message_en']}")
    for d in check["dropped"][:20]:
        lines.append(f"  dropped row {d['row']} ({d['id']}): " + "; ".join(r["message_en"] for r in d["reasons"]))
    for f in check["misread"][:20]:
        lines.append(f"  misread row {f['row']} {f['column']}: {f['message_en']}")
    return "\n".join(lines)


@export_app.command("check")
def export_check(file: Path = typer.Argument(..., exists=True, dir_okay=False),
                 json_out: bool = typer.Option(False, "--json", help="Print the full report as JSON")) -> None:
    """Which rows the known consumer (계단뿌셔클럽) would drop or misread, and whether it would abort.
    Exits 1 when its import would fail."""

    from exports.consumer_check import check_file

    report = check_file(file).as_dict()
    if json_out:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        typer.echo(_check_summary(report))
    if not report["ok"]:
        raise typer.Exit(1)


@export_app.command("preview")
def export_preview(out: Path = typer.Option(..., help="HTML file to write"),
                   district: str | None = typer.Option(None, help="Only this district (code or name)")) -> None:
    """A standalone preview map (assets inlined, photos copied next to the file)."""
    import shutil

    from api.static_assets import NODE_MODULES, VENDOR_DIRS
    from core.db import make_engine, make_session_factory, unit_of_work
    from exports.preview import inline_assets, preview_html, preview_points
    from toilets.filters import parse_districts

    from core.errors import DomainError

    settings = get_settings()
    try:
        code = (parse_districts(district) or (None,))[0]
    except DomainError as exc:
        _exit_on_domain_error(exc)
    photos_dir = out.parent / f"{out.stem}_photos"

    def resolve(url: str):
        rest = url.removeprefix("/static/")
        if not rest.startswith("vendor/"):
            return PROJECT_ROOT / "static" / rest  # the app's own files (static/maps/preview.js)
        name, _, rest = rest.removeprefix("vendor/").partition("/")
        return NODE_MODULES / VENDOR_DIRS[name] / rest if name in VENDOR_DIRS else None

    engine = make_engine(settings, _database_url())
    try:
        with unit_of_work(make_session_factory(engine)) as db:
            html = preview_html(db, district=code, photo_base=f"{photos_dir.name}/")
            photos = [p["photo"] for p in preview_points(db, district=code) if p["photo"]]
            from exports.preview import main_photo_storage_key

            copied = 0
            for name in photos:
                key = main_photo_storage_key(db, name)
                if key and (Path(settings.photo_dir) / key).is_file():
                    photos_dir.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(Path(settings.photo_dir) / key, photos_dir / name)
                    copied += 1
    finally:
        engine.dispose()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(inline_assets(html, resolve), encoding="utf-8")
    typer.echo(f"wrote {out} ({len(photos)} toilets with a photo, {copied} photos in {photos_dir})")


_PHASES = {"read": "reading rows 행 읽는 중", "locate": "districts 자치구 확인", "upsert": "writing 저장",
           "match": "matching 매칭", "done": "done 완료"}


@reference_app.command("import")
def reference_import(
    file: Path = typer.Argument(..., help="공중화장실정보 CSV (UTF-8 with or without BOM, or EUC-KR/CP949; .gz too)"),
    match: bool = typer.Option(True, help="Match the records to published toilets after the import"),
    here: bool = typer.Option(False, "--here", help="Run the import in this process instead of on a worker"),
) -> None:
    """Load or update the national public toilet standard data (공중화장실정보) as the reference layer:
    idempotent on the management number; reports inserted / updated / unchanged rows and flagged ones.
    The file goes to the database and a worker (`reachable worker`) imports it; this command follows
    the job with a progress bar (Ctrl-C stops following, not the import)."""
    import all_models  # noqa: F401  every table in the ORM's metadata (the audit entry's foreign keys)
    from core.db import make_engine, make_session_factory, unit_of_work
    from core.errors import DomainError, fail, field_error
    from jobs import service as jobs
    from reference.importer import read_file

    if not file.is_file():
        _exit_on_domain_error(fail("reference_file_unreadable", field_error(
            "file", f"파일이 없습니다: {file}", f"no such file: {file}")))
    try:
        data = read_file(file)
    except DomainError as exc:
        _exit_on_domain_error(exc)
    settings = get_settings()
    engine = make_engine(settings, _database_url())
    factory = make_session_factory(engine)
    try:
        with unit_of_work(factory) as db:
            job, _ = jobs.create_job(db, kind="reference_import", owner_id=None, params={"match": match},
                                     upload=(file.name, data), enqueue=not here)
        del data
        if here:
            _run_here(job.id, settings, factory)
        view = _follow_job(job.id, factory, unit=" rows", phases=_PHASES)
    finally:
        engine.dispose()
    if view["status"] == "failed":
        _exit_on_job_error(view)
    typer.echo(_import_summary(view["result"]))


def _run_here(job_id, settings, factory) -> None:
    """A job run by this process, exactly as a worker runs it (jobs.runner)."""
    from jobs.runner import run_job
    from jobs.tasks import HANDLERS

    run_job(job_id, handlers=HANDLERS, settings=settings, session_factory=factory, progress_factory=factory,
            attempt=1, final=True)


def _follow_job(job_id, factory, *, unit: str, phases: dict[str, str], poll_s: float = 0.5,
                hint_after_s: float = 10.0) -> dict:
    """Poll the job until it is done, with a progress bar; the job's view at the end."""
    import time

    from tqdm import tqdm

    from core.db import unit_of_work
    from jobs import service as jobs
    from jobs.models import Job

    bar = tqdm(unit=unit, desc="queued 대기 중", mininterval=0.5)
    started, hinted = time.monotonic(), False
    try:
        while True:
            with unit_of_work(factory) as db:
                view = jobs.job_view(db.get(Job, job_id))
            progress = view["progress"]
            if progress["phase"]:
                bar.set_description(phases.get(progress["phase"], progress["phase"]))
            if progress["total"] is not None and bar.total != progress["total"]:
                bar.total = progress["total"]
            if progress["done"] > bar.n:
                bar.update(progress["done"] - bar.n)
            if view["status"] in ("succeeded", "failed"):
                return view
            if view["status"] == "queued" and not hinted and time.monotonic() - started > hint_after_s:
                hinted = True
                bar.write("waiting for a worker: start one with `reachable worker` "
                          "(작업자를 기다리는 중: `reachable worker`로 시작하세요)")
            time.sleep(poll_s)
    finally:
        bar.close()


def _exit_on_job_error(view: dict) -> None:
    """A failed job's error in English and Korean on stderr, exit 2."""
    error = view["error"] or {}
    fields = error.get("fields", [])
    details = "; ".join(f"{f['path']}: {f['message_en']}" for f in fields)
    details_ko = "; ".join(f"{f['path']}: {f['message_ko']}" for f in fields)
    typer.echo(f"error: {error.get('message_en', '')} {details}".rstrip(), err=True)
    typer.echo(f"오류: {error.get('message_ko', '')} {details_ko}".rstrip(), err=True)
    raise typer.Exit(2)


def _import_summary(r: dict) -> str:
    lines = [f"{r['file']} ({r['encoding']}, key column {r['key_column']}): {r['rows']} rows",
             f"  inserted 추가 {r['inserted']}, updated 변경 {r['updated']}, unchanged 그대로 {r['unchanged']}"]
    if r["changed_columns"]:
        lines.append("  changed columns 바뀐 열: " + ", ".join(f"{k} {v}" for k, v in r["changed_columns"].items()))
    if r["skipped_without_key"]:
        lines.append(f"  skipped without a management number 관리번호 없음: {len(r['skipped_without_key'])} "
                     f"(lines {', '.join(map(str, r['skipped_without_key'][:20]))})")
    if r["duplicate_keys"]:
        lines.append(f"  repeated management numbers 중복 (the last row kept): {r['duplicate_keys']}")
    lines.append(f"  kept without a usable point (address-only matching) 좌표 없이 보관: {r['without_point']}")
    lines.extend(f"    {flag}: {count}" for flag, count in r["flags"].items())
    if r["matches"]:
        lines.append("  matches to published toilets 게시 화장실 매칭: "
                     + ", ".join(f"{k} {v}" for k, v in r["matches"].items()))
    return "\n".join(lines)


@reference_app.command("match")
def reference_match() -> None:
    """Match every reference record to the published toilets again (after publishing or retiring)."""
    from core.db import make_engine, make_session_factory, unit_of_work
    from reference.service import rematch_all

    settings = get_settings()
    engine = make_engine(settings, _database_url())
    try:
        with unit_of_work(make_session_factory(engine)) as db:
            counts = rematch_all(db, settings=settings)
    finally:
        engine.dispose()
    typer.echo("matches 매칭: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


def _serving_settings(host: str):
    """The settings to serve with, the signing key settled (a demo's local key made once);
    exits 2 with the reason when the key may not serve this host (core/secrets.py)."""
    from core.secrets import InsecureSecret, usable_settings

    get_settings.cache_clear()
    try:
        settings = usable_settings(get_settings(), host=host)
    except InsecureSecret as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    # uvicorn's workers (and api.main) read the environment: hand them the same key.
    os.environ["SECRET_KEY"] = settings.secret_key or ""
    get_settings.cache_clear()
    return settings


@app.command("worker")
def worker(concurrency: int | None = typer.Option(None, help="Jobs at once (default JOB_WORKER_CONCURRENCY)"),
           name: str | None = typer.Option(None, help="A name for this worker in the queue's tables")) -> None:
    """Run a background worker (photos, snapshots, reference imports) until SIGTERM/SIGINT. Start
    any number, on any machine that reaches the database and shares PHOTO_DIR and SNAPSHOT_DIR."""
    import logging

    from jobs.worker import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    run_worker(get_settings(), _database_url(), concurrency=concurrency, name=name)


@app.command("serve")
def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Serve the API (and pages). Needs SECRET_KEY unless REACHABLE_MODE=demo on 127.0.0.1."""
    import uvicorn

    from core.migrate import upgrade

    _serving_settings(host)  # before anything starts: a refused key changes nothing
    url = _database_url()
    upgrade(url)
    os.environ.setdefault("DATABASE_URL", url)
    uvicorn.run("api.main:app", host=host, port=port, workers=workers, proxy_headers=True, log_level="info")


@app.command("up")
def up(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Start the database, migrate, load demo data once, serve: the README's first command.
    Runs in demo mode: without a SECRET_KEY it signs with a random key kept in .reachable/."""
    os.environ.setdefault("REACHABLE_MODE", "demo")
    _serving_settings(host)
    db_start()
    demo_load(force=False)
    typer.echo(f"\nOpen http://{host}:{port}/docs (API) · demo logins are listed in the README\n")
    serve(host=host, port=port)


if __name__ == "__main__":
    app()
