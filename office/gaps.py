"""The gap list (issue 12 item 5): reference toilets (the city's public toilet list) that have a
disabled-use stall but no verified toilet matched to them: the places nobody has checked yet.

A record is covered when its match is `matched` to a toilet that is still active; an
`ambiguous` match (left for a person) or none is a gap. Records without a usable point are
listed too (their address is what a volunteer goes by), but only the ones with a point are on
the map.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from exports.sql import csv_safe

GAP = """rt.disabled_stalls > 0 AND NOT coalesce(rt.match_status = 'matched' AND t.status = 'active', false)"""
_FROM = """FROM reference_toilets rt LEFT JOIN toilets t ON t.id = rt.candidate_toilet_id
           LEFT JOIN districts d ON d.code = rt.district_code"""
CSV_COLUMNS = ("management_no", "name", "category", "district_code", "district_ko", "road_address", "lot_address",
               "disabled_stalls", "match_status", "lon", "lat", "flags")
_TEXT = {"management_no", "name", "category", "district_ko", "road_address", "lot_address", "flags"}


def _where(districts: tuple[str, ...]) -> tuple[str, dict[str, Any]]:
    if not districts:
        return GAP, {}
    return f"{GAP} AND rt.district_code = ANY(:districts)", {"districts": list(districts)}


def _select(csv_cells: bool) -> str:
    exprs = {"management_no": "rt.management_no", "name": "rt.name", "category": "rt.category",
             "district_code": "rt.district_code", "district_ko": "d.name_ko", "road_address": "rt.road_address",
             "lot_address": "rt.lot_address", "disabled_stalls": "rt.disabled_stalls",
             "match_status": "rt.match_status", "lon": "round(ST_X(rt.location)::numeric, 7)::float8",
             "lat": "round(ST_Y(rt.location)::numeric, 7)::float8", "flags": "array_to_string(rt.flags, ' ')"}
    return ", ".join(f"{csv_safe(e) if csv_cells and k in _TEXT else e} AS {k}" for k, e in exprs.items())


def gaps_by_district(db: Session) -> list[dict[str, Any]]:
    """Per district: reference records with a disabled-use stall, and how many of them are gaps."""
    return [dict(r) for r in db.execute(text(f"""
        SELECT d.code, d.name_ko, d.name_en,
               count(rt.id) FILTER (WHERE rt.disabled_stalls > 0) AS with_stall,
               count(rt.id) FILTER (WHERE {GAP}) AS gaps
          FROM districts d LEFT JOIN reference_toilets rt ON rt.district_code = d.code
          LEFT JOIN toilets t ON t.id = rt.candidate_toilet_id
         GROUP BY d.code, d.name_ko, d.name_en ORDER BY d.code""")).mappings()]


def list_gaps(db: Session, *, districts: tuple[str, ...], offset: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
    where, params = _where(districts)
    total = db.execute(text(f"SELECT count(*) {_FROM} WHERE {where}"), params).scalar_one()
    rows = db.execute(text(f"SELECT {_select(False)} {_FROM} WHERE {where} ORDER BY rt.district_code, rt.name, rt.id "
                           "OFFSET :offset LIMIT :limit"), {**params, "offset": offset, "limit": limit}).mappings()
    return total, [dict(r) for r in rows]


def gaps_csv(db: Session, *, districts: tuple[str, ...]) -> str:
    """Every gap as CSV (UTF-8, no BOM; text cells neutralised): a few thousand rows at most."""
    where, params = _where(districts)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in db.execute(text(f"SELECT {_select(True)} {_FROM} WHERE {where} ORDER BY rt.district_code, rt.name, "
                               "rt.id"), params):
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()
