"""The framework's floor for bench/ingest: the ceiling's one INSERT behind a FastAPI route on
uvicorn, and nothing else (no token check, no abuse limits, no validation, no duplicate search,
no audit row). Served exactly as the product is (same uvicorn options and workers), it tells how
much of the two cores the framework and the HTTP round trip take before the product does any of
its own work: the product's rate can only be below this one.

    uvicorn bench.floor_app:app   (DATABASE_CONNINFO=libpq conninfo; started by bench/ingest)
"""

from __future__ import annotations

import json
import os
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from psycopg_pool import AsyncConnectionPool

# The ceiling's statement (bench/ingest plain_inserts), the same row from the same body.
INSERT = """INSERT INTO reports (volunteer_id, client_submission_id, body_sha256, schema_version, raw_payload,
    payload, observed_at, location, accuracy_m, location_source, route_path, name, floor, district_code)
    VALUES (%s, %s, %s, 1, %s, %s, %s, ST_SetSRID(ST_MakePoint(%s, %s), 4326), %s, %s,
            ST_GeomFromGeoJSON(%s), %s, %s, %s) RETURNING id"""


@asynccontextmanager
async def lifespan(app: FastAPI):
    pool = AsyncConnectionPool(os.environ["DATABASE_CONNINFO"], min_size=8, max_size=16, open=False)
    await pool.open()
    app.state.pool = pool
    yield
    await pool.close()


app = FastAPI(lifespan=lifespan)


@app.get("/healthz")
async def healthz() -> dict:
    return {"ok": True}


@app.post("/api/v1/reports")
async def store(request: Request) -> JSONResponse:
    # The bench sends each row's volunteer and district as the ceiling has them (headers), so
    # the office counts' triggers do the same work as in the ceiling.
    volunteer_id = int(request.headers["x-volunteer-id"])
    district = request.headers["x-district"]
    b = json.loads(await request.body())
    doc = json.dumps(b, ensure_ascii=False)
    async with request.app.state.pool.connection() as conn:
        cur = await conn.execute(INSERT, (
            volunteer_id, b["client_submission_id"], "0" * 64, doc, doc, b["observed_at"],
            b["location"]["lon"], b["location"]["lat"], b["location"]["accuracy_m"], "gps",
            json.dumps(b["access_route"]["path"]), b["place"]["name"], b["place"]["floor"], district))
        (report_id,) = await cur.fetchone()
    return JSONResponse({"id": report_id}, status_code=201)
