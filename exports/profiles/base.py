"""What a profile is: columns as SQL expressions over the export's FROM clause.

Aliases available to expressions: `t` (toilets; `t.photo_files` is the ordered array of the
public file names of the photos it shows), `d` (districts), and for the routes layer `r`
(toilet_routes). `:photo_prefix` and `:theme_id` are bound.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LAYERS = ("toilets", "routes")


@dataclass(frozen=True)
class Column:
    key: str
    sql: str
    # "text" cells are neutralised in CSV against spreadsheet formulas (exports.sql.csv_safe);
    # "number" cells (coordinates, versions, measurements) stay numbers, a minus sign and all.
    kind: str = "text"
    # A consumer's column size: the neutralised cell is clipped to it too.
    max_chars: int | None = None


@dataclass(frozen=True)
class LayerMapping:
    properties: tuple[Column, ...]  # GeoJSON properties, in order
    csv: tuple[Column, ...]  # CSV columns, in order (header = key)
    id_column: str  # the CSV column carrying the feature id (kept on tombstone rows)
    # Named subsets of the CSV columns, e.g. only what a known consumer reads (smaller files).
    csv_variants: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    layers: dict[str, LayerMapping]
    # Values are all strings (json_object of two text arrays) or typed JSON (json_build_object).
    text_values: bool
    # A full export keeps retired features (marked unusable) for consumers that only upsert.
    keep_retired: bool
    # Formats beyond GeoJSON and CSV, e.g. "json" for the API-shaped wrapper.
    extra_formats: tuple[str, ...] = field(default=())
    # Unknown is left out of the properties instead of written as null (json_strip_nulls), for
    # formats that read a missing key as unknown (A11yJSON, OSM tags).
    omit_null: bool = False
    # A SQL condition over `t` a toilet must meet to be in this profile's layers at all (None:
    # every toilet). A toilet that stops meeting it reaches incremental consumers as a tombstone.
    include: str | None = None

    def formats(self) -> tuple[str, ...]:
        return ("geojson", "csv", *self.extra_formats)
