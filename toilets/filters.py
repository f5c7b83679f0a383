"""Which part of the published layer a request asks for: one parser per query idea (tipg's
`bbox_query`), used by the public API, the exports and the map preview alike.

- `bbox`: `minLon,minLat,maxLon,maxLat` in WGS84, four finite numbers, min < max.
- `district`: one or more of Seoul's 25 districts, comma-separated, each a code (`11140`) or a
  name in Korean or English (`중구`, `Jung-gu`).
- `verdict`: one or more verdicts, comma-separated.
- `criteria`: the finder's criteria (`toilets.criteria`), comma-separated; each must be true.
- `q`: words (at most 8, 100 characters in all); each must appear in the name, the building's
  name, the road or lot address, or the district's Korean or English name (case-insensitive).

A bad value is a 422 `invalid_query` naming the parameter, in Korean and English.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from core.errors import fail, field_error
from core.text import TextRefused, clean_text
from geo.districts import DISTRICTS, normalise_district_name
from toilets import criteria as finder_criteria
from toilets.models import VERDICTS

SEARCH_MAX_CHARS = 100
SEARCH_MAX_WORDS = 8


@dataclass(frozen=True)
class LayerFilter:
    bbox: tuple[float, float, float, float] | None = None
    districts: tuple[str, ...] = ()
    verdicts: tuple[str, ...] = ()
    criteria: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    # `open_now` at this time of day (minutes after midnight in Seoul); None: the database's now
    at_minute: int | None = None

    def where_sql(self, geom: str, params: dict[str, Any], *, table: str = "t") -> str:
        """The filter as an SQL condition on `table` (geometry expression `geom`); its bind
        parameters are added to `params`. TRUE when nothing is filtered."""
        parts = []
        if self.districts:
            params["filter_districts"] = list(self.districts)
            parts.append(f"{table}.district_code = ANY(:filter_districts)")
        if self.verdicts:
            params["filter_verdicts"] = list(self.verdicts)
            parts.append(f"{table}.verdict = ANY(:filter_verdicts)")
        if self.bbox:
            params.update(filter_x1=self.bbox[0], filter_y1=self.bbox[1], filter_x2=self.bbox[2],
                          filter_y2=self.bbox[3])
            parts.append(f"ST_Intersects({geom}, ST_MakeEnvelope(:filter_x1, :filter_y1, :filter_x2, :filter_y2, 4326))")
        if self.criteria:
            if self.at_minute is not None:
                params["filter_minute"] = self.at_minute
            parts.append(finder_criteria.where_sql(
                self.criteria, table, minute=":filter_minute" if self.at_minute is not None else None))
        for i, word in enumerate(self.words):
            parts.append(_word_sql(word, i, params, table))
        return " AND ".join(parts) or "TRUE"


def _word_sql(word: str, i: int, params: dict[str, Any], table: str) -> str:
    like = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    params[f"filter_q{i}"] = like
    m = f"ILIKE :filter_q{i} ESCAPE '\\'"
    place = f"{table}.data -> 'place'"
    district = normalise_district_name(word)
    if district:
        params[f"filter_q{i}_district"] = district
    by_code = f" OR {table}.district_code = :filter_q{i}_district" if district else ""
    return (f"({table}.name {m} OR {table}.building_name {m} OR {place} ->> 'road_address' {m}"
            f" OR {place} ->> 'lot_address' {m}"
            f" OR {table}.district_code IN (SELECT code FROM districts WHERE name_ko {m} OR name_en {m}){by_code})")


def _items(raw: str | None) -> list[str]:
    return [item.strip() for item in (raw or "").split(",") if item.strip()]


def parse_bbox(raw: str | None) -> tuple[float, float, float, float] | None:
    if not raw:
        return None
    try:
        parts = [float(p) for p in raw.split(",")]
    except ValueError:
        parts = []
    if len(parts) != 4 or not all(math.isfinite(p) for p in parts):
        raise fail("invalid_query", field_error(
            "bbox", "bbox=서경,남위,동경,북위 (숫자 4개, WGS84)", "bbox=minLon,minLat,maxLon,maxLat (four numbers, WGS84)"))
    min_lon, min_lat, max_lon, max_lat = parts
    if not (-180 <= min_lon < max_lon <= 180 and -90 <= min_lat < max_lat <= 90):
        raise fail("invalid_query", field_error("bbox", "범위가 올바르지 않습니다 (서경 < 동경, 남위 < 북위).",
                                                "Invalid extent (minLon < maxLon, minLat < maxLat, WGS84)."))
    return min_lon, min_lat, max_lon, max_lat


def parse_districts(raw: str | None) -> tuple[str, ...]:
    codes = []
    for item in _items(raw):
        code = item if item in DISTRICTS else normalise_district_name(item)
        if code is None:
            raise fail("invalid_query", field_error("district", f"서울 25개 자치구의 이름이나 코드가 아닙니다: {item}",
                                                    f"Not one of Seoul's 25 districts (name or code): {item}"))
        codes.append(code)
    return tuple(dict.fromkeys(codes))


def parse_verdicts(raw: str | None) -> tuple[str, ...]:
    verdicts = _items(raw)
    for v in verdicts:
        if v not in VERDICTS:
            raise fail("invalid_query", field_error("verdict", f"판정은 {', '.join(VERDICTS)} 중 하나입니다.",
                                                    f"verdict is one of {', '.join(VERDICTS)}."))
    return tuple(dict.fromkeys(verdicts))


def parse_search(raw: str | None) -> tuple[str, ...]:
    """`q`: the words to find (see the module docstring); blank is no search."""
    if raw is None:
        return ()
    try:
        text = clean_text(raw)
    except TextRefused as exc:
        raise fail("invalid_query", exc.at("q")) from None
    if len(text) > SEARCH_MAX_CHARS:
        raise fail("invalid_query", field_error("q", f"검색어는 {SEARCH_MAX_CHARS}자까지입니다.",
                                                f"Search at most {SEARCH_MAX_CHARS} characters."))
    words = tuple(dict.fromkeys(text.split()))
    if len(words) > SEARCH_MAX_WORDS:
        raise fail("invalid_query", field_error("q", f"검색어는 {SEARCH_MAX_WORDS}단어까지입니다.",
                                                f"Search at most {SEARCH_MAX_WORDS} words."))
    return words


def parse_layer_filter(*, bbox: str | None = None, district: str | None = None, verdict: str | None = None,
                       criteria: str | None = None, q: str | None = None) -> LayerFilter:
    return LayerFilter(parse_bbox(bbox), parse_districts(district), parse_verdicts(verdict),
                       finder_criteria.parse_criteria(criteria), parse_search(q))
