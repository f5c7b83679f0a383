"""Background work on a PostgreSQL-backed queue (procrastinate): the jobs table a person follows
(`GET /api/v1/jobs/{id}`), the bytes a job works on, and the worker that runs them."""
