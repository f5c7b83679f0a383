"""Standard-data CSV files made in the test: the Seoul subset's 26 columns, a row per dict."""

from __future__ import annotations

import csv
import io
from typing import Any

HEADER = ["번호", "구분", "화장실명", "소재지도로명주소", "소재지지번주소", "남성용-대변기수", "남성용-소변기수",
          "남성용-장애인용대변기수", "남성용-장애인용소변기수", "남성용-어린이용대변기수", "남성용-어린이용소변기수",
          "여성용-대변기수", "여성용-장애인용대변기수", "여성용-어린이용대변기수", "관리기관명", "전화번호", "개방시간",
          "개방시간상세", "WGS84위도", "WGS84경도", "화장실소유구분", "비상벨설치여부", "비상벨설치장소",
          "화장실입구CCTV설치유무", "기저귀교환대유무", "기저귀교환대장소"]

# 강동구의회 (the Seoul file's first row): a point in 강동구, an address in 강동구.
GANGDONG = {"화장실명": "강동구의회 화장실", "소재지도로명주소": "서울특별시 강동구 성내로 55",
            "소재지지번주소": "서울특별시 강동구 성내동 541-1", "WGS84위도": "37.5286", "WGS84경도": "127.1264"}


def row(number: int | str, **cells: Any) -> dict[str, str]:
    base = {h: "" for h in HEADER}
    base.update({"번호": str(number), "구분": "공중화장실", "남성용-장애인용대변기수": "1", "여성용-장애인용대변기수": "1",
                 "관리기관명": "강동구청", "전화번호": "02-3425-7365", "개방시간": "정시", "개방시간상세": "09:00~18:00",
                 "화장실소유구분": "공공기관-지방자치단체", "비상벨설치여부": "N"})
    base.update(GANGDONG)
    base.update({k: str(v) for k, v in cells.items()})
    return base


def csv_bytes(rows: list[dict[str, str]], *, encoding: str = "utf-8", header: list[str] | None = None) -> bytes:
    """`encoding` 'utf-8-sig' writes the BOM; 'euc-kr' and 'cp949' as the portal's downloads."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header or HEADER, lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)
