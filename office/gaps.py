"""The gap list (issue 12 item 5): reference toilets (the city's public toilet list) that have a
disabled-use stall but no verified toilet matched to them: the places nobody has checked yet.

A record is covered when its match is `matched` to a toilet that is still active; an
`ambiguous` match (left for a person) or none is a gap. Records without a usable point are
listed too (their address is what a volunteer goes by), but only the ones with a point are on
the map.
"""

from __future__ import annotations

from typing import Any

import psycopg
from sqlalchemy import text
from sqlalchemy.orm import Session

from exports.query import Query, driver_sql
from exports.sql import csv_safe
from office.tables import COVERED, without_jit

GAP = f"rt.disabled_stalls > 0 AND NOT {COVERED}"
_FROM = "FROM reference_toilets rt LEFT JOIN districts d ON d.code = rt.district_code"
CSV_COLUMNS = ("management_no", "name", "category", "district_code", "district_ko", "road_address", "lot_address",
               "disabled_stalls", "match_status", "lon", "lat", "flags")
_TEXT = {"management_no", "name", "category", "district_ko", "road_address", "lot_address", "flags"}


def _where(districts: tuple[str, ...]) -> tuple[str, dict[str, Any]]:
    if not districts:
        return GAP, {}
    return f"{GAP} AND rt.district_code = ANY(:districts)", {"districts": list(districts)}


def _select(*, candidates: bool) -> str:
    exprs = {"management_no": "rt.management_no", "name": "rt.name", "category": "rt.category",
             "district_code": "rt.district_code", "district_ko": "d.name_ko", "road_address": "rt.road_address",
             "lot_address": "rt.lot_address", "disabled_stalls": "rt.disabled_stalls",
             "match_status": "rt.match_status", "lon": "round(ST_X(rt.location)::numeric, 7)::float8",
             "lat": "round(ST_Y(rt.location)::numeric, 7)::float8", "flags": "array_to_string(rt.flags, ' ')"}
    if candidates:  # the page offers an ambiguous record's candidates, to resolve by hand
        exprs["candidates"] = "CASE WHEN rt.match_status = 'ambiguous' THEN rt.match_candidates ELSE '[]' END"
    return ", ".join(f"{e} AS {k}" for k, e in exprs.items())


def gaps_by_district(db: Session) -> list[dict[str, Any]]:
    """Per district: reference records with a disabled-use stall, and how many of them are gaps."""
    # Two grouped passes over the index, not one with the probe in a FILTER (the planner costs a
    # FILTER's probe for every record).
    without_jit(db)
    return [dict(r) for r in db.execute(text(f"""
        WITH s AS (SELECT rt.district_code, count(*) AS n FROM reference_toilets rt WHERE rt.disabled_stalls > 0
                    GROUP BY 1),
             c AS (SELECT rt.district_code, count(*) AS n FROM reference_toilets rt
                    WHERE rt.disabled_stalls > 0 AND {COVERED} GROUP BY 1)
        SELECT d.code, d.name_ko, d.name_en, coalesce(s.n, 0) AS with_stall,
               coalesce(s.n, 0) - coalesce(c.n, 0) AS gaps
          FROM districts d LEFT JOIN s ON s.district_code = d.code LEFT JOIN c ON c.district_code = d.code
         ORDER BY d.code""")).mappings()]


def list_gaps(db: Session, *, districts: tuple[str, ...], offset: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
    where, params = _where(districts)
    without_jit(db)
    # Records with a stall less the covered ones: two counts over the index (as gaps_by_district).
    in_districts = " AND rt.district_code = ANY(:districts)" if districts else ""
    total = db.execute(text(f"""
        SELECT (SELECT count(*) FROM reference_toilets rt WHERE rt.disabled_stalls > 0{in_districts})
             - (SELECT count(*) FROM reference_toilets rt WHERE rt.disabled_stalls > 0 AND {COVERED}{in_districts})"""),
                       params).scalar_one()
    rows = db.execute(text(f"SELECT {_select(candidates=True)} {_FROM} WHERE {where} ORDER BY rt.district_code, rt.name, rt.id "
                           "OFFSET :offset LIMIT :limit"), {**params, "offset": offset, "limit": limit}).mappings()
    return total, [dict(r) for r in rows]


def gaps_csv(db: Session, *, districts: tuple[str, ...]) -> bytes:
    """Every gap as CSV (UTF-8, no BOM; text cells neutralised), written by PostgreSQL's COPY: tens
    of thousands of rows, which Python rows and csv.writer took 0.7 s to build (bench/office)."""
    where, params = _where(districts)
    without_jit(db)
    # Read in order from ix_reference_toilets_gaps rather than sorted: the planner, at the default
    # random_page_cost (4, for spinning disks), chose a scan and a sort of ~24,000 wide rows that
    # spilled to disk (355 ms against 182 on the bench's layer). A sort, if chosen, stays in memory.
    db.execute(text("SET LOCAL random_page_cost = 1.1"))
    db.execute(text("SET LOCAL work_mem = '32MB'"))
    cells = ", ".join(f"{csv_safe('g.' + k) if k in _TEXT else 'g.' + k} AS {k}" for k in CSV_COLUMNS)
    sql = (f"SELECT {cells} FROM (SELECT rt.id AS id, {_select(candidates=False)} {_FROM} WHERE {where}) g "
           "ORDER BY g.district_code, g.name, g.id")
    statement, bound = driver_sql(Query(sql, params))
    conn = db.connection().connection.driver_connection
    literal = psycopg.ClientCursor(conn).mogrify(statement, bound)  # COPY takes no server-side parameters
    out = bytearray()
    with conn.cursor() as cur, cur.copy(f"COPY ({literal}) TO STDOUT WITH (FORMAT csv, HEADER true)") as copy:
        for block in copy:
            out += block
    return bytes(out)
