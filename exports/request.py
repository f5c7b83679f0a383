"""An export request, checked (layer, profile, format, filter, since, columns), and the
layer's state that its ETag and incremental sync hang on.

Incremental sync (`since`): the high-water mark is read *before* the features, so every change
up to it is visible to the feature query (READ COMMITTED: a later statement sees everything
committed earlier, and the change log's numbers are in commit order, see toilets.changelog).
A change committed in between may be sent now *and* again next time: upserts are idempotent.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


from core.config import Settings
from core.errors import fail, field_error
from exports.profiles import PROFILES, Profile
from exports.profiles.base import LAYERS
from toilets.changelog import LayerState, layer_state  # noqa: F401  (the layer's state is the change log's)
from toilets.filters import LayerFilter, parse_layer_filter

FORMATS = ("geojson", "csv", "json")
# Bump when the bytes of an export change for the same data (ETags must change with them).
EXPORT_FORMAT_VERSION = "2"  # 2: smart-seoul-map holds only complete toilets (issue 15)


@dataclass(frozen=True)
class ExportRequest:
    layer: str
    profile: str
    format: str
    since: int | None = None
    districts: tuple[str, ...] = ()
    verdicts: tuple[str, ...] = ()
    bbox: tuple[float, float, float, float] | None = None
    bom: bool = False
    columns: str = "all"  # or a named CSV variant of the profile (e.g. "consumer")

    @property
    def where(self) -> LayerFilter:
        return LayerFilter(self.bbox, self.districts, self.verdicts)

    @property
    def profile_obj(self) -> Profile:
        return PROFILES[self.profile]

    def filename(self) -> str:
        ext = {"geojson": "geojson", "csv": "csv", "json": "json"}[self.format]
        suffix = f"-since-{self.since}" if self.since is not None else ""
        suffix += f"-{self.columns}" if self.columns != "all" else ""
        return f"{self.layer}-{self.profile}{suffix}.{ext}"

    def media_type(self) -> str:
        return {"geojson": "application/geo+json", "csv": "text/csv; charset=utf-8",
                "json": "application/json"}[self.format]


def parse_request(*, layer: str, fmt: str, profile: str = "smart-seoul-map", since: int | None = None,
                  district: str | None = None, verdict: str | None = None, bbox: str | None = None,
                  bom: bool = False, columns: str = "all") -> ExportRequest:
    """Validate an export request; bad values get a bilingual field error (HTTP 422)."""
    if layer not in LAYERS:
        raise fail("invalid_export_request", field_error(
            "layer", f"레이어는 {', '.join(LAYERS)} 중 하나입니다.", f"layer is one of {', '.join(LAYERS)}."))
    prof = PROFILES.get(profile)
    if prof is None:
        raise fail("invalid_export_request", field_error("profile", f"프로필은 {', '.join(PROFILES)} 중 하나입니다.",
                       f"profile is one of {', '.join(PROFILES)}."))
    if layer not in prof.layers:
        offered = ", ".join(prof.layers)
        raise fail("invalid_export_request", field_error(
            "layer", f"이 프로필의 레이어는 {offered} 입니다.", f"This profile offers the layers: {offered}."))
    if fmt not in prof.formats():
        raise fail("invalid_export_request", field_error(
            "format", f"이 프로필의 형식은 {', '.join(prof.formats())} 입니다.",
                       f"This profile offers: {', '.join(prof.formats())}."))
    if since is not None and since < 0:
        raise fail("invalid_export_request", field_error(
            "since", "since는 0 이상의 순번입니다.", "since is a sequence number ≥ 0."))
    if bom and fmt != "csv":
        raise fail("invalid_export_request", field_error(
            "bom", "BOM은 CSV에만 쓸 수 있습니다.", "bom applies to CSV only."))
    variants = prof.layers[layer].csv_variants
    if columns != "all" and (fmt != "csv" or columns not in variants):
        offered = ", ".join(["all", *variants]) if fmt == "csv" else "all"
        raise fail("invalid_export_request", field_error("columns", f"이 요청에서 columns는 {offered} 중 하나입니다.",
                       f"For this request columns is one of: {offered}."))
    where = parse_layer_filter(bbox=bbox, district=district, verdict=verdict)
    return ExportRequest(layer, profile, fmt, since, where.districts, where.verdicts, where.bbox, bom, columns)


def etag_for(req: ExportRequest, state: LayerState, settings: Settings) -> str:
    """Changes whenever the bytes can: the layer (its high-water mark), the request, the settings
    that reach the output, and the export format version."""
    key = "|".join(map(str, (EXPORT_FORMAT_VERSION, req, state.seq, settings.export_photo_url_prefix,
                             settings.export_theme_id)))
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


