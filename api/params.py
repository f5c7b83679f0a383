"""Query parameters shared by every endpoint that takes them, declared once (tipg's
`dependencies.py`): the published layer's filter and paging. Parsing lives in `toilets.filters`."""

# No `from __future__ import annotations`: the paging closure's annotations must be evaluated
# where `max_size` is in scope.
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query

from toilets.criteria import CRITERIA
from toilets.filters import LayerFilter, parse_layer_filter

BboxParam = Annotated[str | None, Query(description="minLon,minLat,maxLon,maxLat (WGS84)",
                                        examples=["126.97,37.56,126.99,37.58"])]
DistrictParam = Annotated[str | None, Query(description="district code(s) or names, comma-separated "
                                                        "(11140, 중구, Jung-gu)")]
VerdictParam = Annotated[str | None, Query(description="verdict(s), comma-separated: accessible, "
                                                       "partially_accessible, not_accessible, unknown")]
CriteriaParam = Annotated[str | None, Query(
    description="the finder's criteria, comma-separated, each must be true (docs/finder.md): "
                + ", ".join(CRITERIA), examples=["step_free,door_90"])]
SearchParam = Annotated[str | None, Query(
    description="words to find in the name, building, road or lot address, or district (Korean or English); "
                "at most 8 words, 100 characters", examples=["강남구 역"])]


def layer_filter(bbox: BboxParam = None, district: DistrictParam = None, verdict: VerdictParam = None,
                 criteria: CriteriaParam = None, q: SearchParam = None) -> LayerFilter:
    return parse_layer_filter(bbox=bbox, district=district, verdict=verdict, criteria=criteria, q=q)


LayerFilterDep = Annotated[LayerFilter, Depends(layer_filter)]


@dataclass(frozen=True)
class Page:
    page: int
    page_size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


def paging(*, default_size: int, max_size: int):
    """A dependency for `page` (from 1) and `page_size` (1..max_size)."""
    def page_params(page: Annotated[int, Query(ge=1, le=100_000)] = 1,
                    page_size: Annotated[int, Query(ge=1, le=max_size)] = default_size) -> Page:
        return Page(page, page_size)

    return page_params


ToiletPage = Annotated[Page, Depends(paging(default_size=100, max_size=1000))]
ReportPage = Annotated[Page, Depends(paging(default_size=20, max_size=100))]
