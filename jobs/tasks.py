"""What a worker runs: one procrastinate task per kind of job, each a thin wrapper around
`jobs.runner.run_job` and a handler that calls the owning domain's functions.

Only the worker imports this module (procrastinate's `import_paths`); the web process defers the
tasks by name (jobs.queue.defer).
"""

from __future__ import annotations

import logging
import threading
import uuid
from typing import Any

from procrastinate import JobContext, RetryStrategy

from core.db import unit_of_work
from core.errors import DomainError, fail
from jobs import service
from jobs.queue import QUEUE, TASKS, app
from jobs.runner import AlreadyDone, Handler, JobRun, run_job

log = logging.getLogger("reachable.jobs")

# A failing attempt is retried after 2, 4, 8, 16 s (procrastinate: exponential_wait ** (attempts+1));
# RETRIES retries, so RETRIES + 1 attempts in all.
RETRIES = 4
RETRY = RetryStrategy(max_attempts=RETRIES, exponential_wait=2)

PHOTO_TASK, SNAPSHOT_TASK, REFERENCE_IMPORT_TASK = TASKS["photo"], TASKS["snapshot"], TASKS["reference_import"]
STALLED_TASK = "reachable.retry_stalled_jobs"
MISSIONS_TASK = "reachable.sweep_missions"

# Set by the worker at start (jobs.worker.run_worker): settings and sessions of this process.
RUNTIME: dict[str, Any] = {}


# -- handlers ---------------------------------------------------------------------------------

_DECODE_SLOTS: dict[int, threading.BoundedSemaphore] = {}
_DECODE_SLOTS_LOCK = threading.Lock()


def _decode_slots(settings) -> threading.BoundedSemaphore:
    """At most PHOTO_DECODE_CONCURRENCY decodes at once in this process (memory: one decoded image
    each), whatever the worker's concurrency."""
    with _DECODE_SLOTS_LOCK:
        return _DECODE_SLOTS.setdefault(settings.photo_decode_concurrency,
                                        threading.BoundedSemaphore(settings.photo_decode_concurrency))


def run_photo(run: JobRun) -> None:
    """Decode, clean and resize a volunteer's original (no transaction open meanwhile), then record
    the photo and the job's success in one transaction; the files get their names after it."""
    from reports import photos
    from reports.representation import photo_view

    with unit_of_work(run.session_factory) as db:
        if service.is_finished(db, run.job_id):
            raise AlreadyDone
        upload = service.upload_of(db, run.job_id)
        raw = upload.data if upload is not None else None
    if raw is None:
        raise fail("job_upload_missing")
    run.progress("decode", 0, 1)
    with _decode_slots(run.settings):
        staged = photos.stage_photo(raw, report_id=run.params["report_id"], settings=run.settings)
    del raw
    try:
        with run.transaction() as db:
            photo, created = photos.record_photo(db, report_id=run.params["report_id"], staged=staged,
                                                 kind=run.params["kind"], settings=run.settings)
            view = photo_view(photo)
            run.succeed(db, view, view["url"])
    except (AlreadyDone, DomainError):
        staged.discard()  # rolled back for certain
        raise
    # Any other failure (the connection lost during COMMIT) leaves the .part files: the commit may
    # have happened, and photo recovery renames or removes them once the row's fate is known.
    if created:
        staged.finalize()
    else:
        staged.complete(photo)


def run_snapshot(run: JobRun) -> None:
    from exports.request import parse_request
    from exports.snapshot_store import create_snapshot

    req = parse_request(**run.params["request"])
    with run.transaction() as db:
        snap = create_snapshot(db, run.settings, req, created_by=run.owner_id,
                               on_progress=lambda done, total: run.progress("write", done, total))
        run.succeed(db, {"snapshot_id": str(snap.id), "feature_count": snap.feature_count, "seq": snap.seq,
                         "sha256": snap.sha256}, f"/api/v1/exports/snapshots/{snap.id}")


def run_reference_import(run: JobRun) -> None:
    import all_models  # noqa: F401  every table in the ORM's metadata (the audit entry's foreign keys)
    from reference.importer import import_reference

    with run.transaction() as db:
        upload = service.upload_of(db, run.job_id)
        if upload is None:
            raise fail("job_upload_missing")
        result = import_reference(db, upload.data, settings=run.settings, file_name=upload.file_name,
                                  on_progress=run.progress, match=bool(run.params.get("match", True)))
        run.succeed(db, result.as_dict())


HANDLERS: dict[str, Handler] = {"photo": run_photo, "snapshot": run_snapshot, "reference_import": run_reference_import}


# -- procrastinate tasks --------------------------------------------------------------------

def _run(context: JobContext, job_id: str) -> None:
    attempts = context.job.attempts  # earlier attempts of this queue entry
    outcome = run_job(uuid.UUID(job_id), handlers=HANDLERS, settings=RUNTIME["settings"],
                      session_factory=RUNTIME["session_factory"], progress_factory=RUNTIME["session_factory"],
                      attempt=attempts + 1, final=attempts >= RETRIES)
    log.info("job %s: %s", job_id, outcome)


@app.task(name=PHOTO_TASK, queue=QUEUE, pass_context=True, retry=RETRY)
def photo_task(context: JobContext, job_id: str) -> None:
    _run(context, job_id)


@app.task(name=SNAPSHOT_TASK, queue=QUEUE, pass_context=True, retry=RETRY)
def snapshot_task(context: JobContext, job_id: str) -> None:
    _run(context, job_id)


@app.task(name=REFERENCE_IMPORT_TASK, queue=QUEUE, pass_context=True, retry=RETRY)
def reference_import_task(context: JobContext, job_id: str) -> None:
    _run(context, job_id)


async def retry_stalled_jobs(context: JobContext, timestamp: int) -> None:
    """procrastinate's stalled-job recovery: the jobs of a worker whose heartbeat stopped (killed,
    machine gone) are put back in the queue, for any live worker to take."""
    stalled = await context.app.job_manager.get_stalled_jobs(
        queue=QUEUE, seconds_since_heartbeat=RUNTIME["settings"].job_stalled_after_s)
    for job in stalled:
        log.warning("job %s (%s) stalled on worker %s: retrying", job.id, job.task_name, job.worker_id)
        await context.app.job_manager.retry_job(job)


def sweep_missions(timestamp: int) -> None:
    """Re-verification scheduling (issue 14.3): open missions for the gaps and the toilets aged
    past REVERIFY_AFTER_MONTHS, close finished ones (missions.service.sweep_missions, idempotent)."""
    import all_models  # noqa: F401  every table in the ORM's metadata (the audit entries' foreign keys)
    from missions.service import sweep_missions as sweep

    with unit_of_work(RUNTIME["session_factory"]) as db:
        counts = sweep(db, settings=RUNTIME["settings"])
    if any(counts.values()):
        log.info("missions sweep at %s: %s", timestamp, counts)


def configure(*, settings, session_factory) -> None:
    """This process's settings and sessions, and the periodic tasks on the settings' schedules:
    the stalled-job sweep and the missions sweep (any number of workers defer them; procrastinate
    runs each tick once)."""
    RUNTIME.update(settings=settings, session_factory=session_factory)
    if STALLED_TASK not in app.tasks:
        task = app.task(name=STALLED_TASK, queue=QUEUE, pass_context=True,
                        queueing_lock=STALLED_TASK)(retry_stalled_jobs)
        app.periodic(cron=settings.job_stalled_sweep_cron, periodic_id="stalled")(task)
    if MISSIONS_TASK not in app.tasks:
        task = app.task(name=MISSIONS_TASK, queue=QUEUE, queueing_lock=MISSIONS_TASK)(sweep_missions)
        app.periodic(cron=settings.mission_sweep_cron, periodic_id="missions")(task)
