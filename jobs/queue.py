"""The queue: one procrastinate app over the project's own database (no other server).

Jobs are deferred on the caller's own connection, inside its transaction: the `jobs` row, the
bytes in `job_uploads` and procrastinate's queue entry commit together or not at all. Tasks are
deferred by name, so the web process never imports the code a worker runs.
"""

from __future__ import annotations

import uuid

import procrastinate
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

QUEUE = "reachable"
# The version whose schema migration 0009 installs; another version needs a migration of its own
# (procrastinate ships its upgrade scripts in procrastinate/sql/migrations).
PROCRASTINATE_VERSION = "3.10.0"

# The task of each kind of job (jobs.tasks), and the lock its jobs share, if any: jobs with one
# lock never run at the same time (snapshots share a disk budget; two imports would contend).
TASKS = {"photo": "reachable.photo", "snapshot": "reachable.snapshot",
         "reference_import": "reachable.reference_import"}
LOCKS = {"snapshot": "reachable.snapshots", "reference_import": "reachable.reference_import"}

# The connector is replaced by one with a real pool in the worker (jobs.worker); deferring uses
# the caller's connection and needs none.
app = procrastinate.App(connector=procrastinate.PsycopgConnector(), import_paths=["jobs.tasks"])


def conninfo(url: str) -> str:
    """A libpq URI for psycopg from the SQLAlchemy URL (`postgresql+psycopg://…`)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def defer(db: Session, kind: str, *, job_id: uuid.UUID) -> int:
    """Queue the task of `kind` for `job_id` in the session's transaction; procrastinate's job id."""
    connection = db.connection().connection.driver_connection
    deferrer = app.configure_task(TASKS[kind], allow_unknown=True, queue=QUEUE, lock=LOCKS.get(kind),
                                  connection=connection)
    return deferrer.defer(job_id=str(job_id))
