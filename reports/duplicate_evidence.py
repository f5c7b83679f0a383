"""Whether a published toilet or a pending report near a report is *likely the same toilet*, on
evidence, or only *nearby* (shown to the moderator, not flagged). A pure function of the two
sides and their distance; `reports.duplicates` finds the neighbours and applies it.

Evidence that makes a pair a likely duplicate (any one):
- `same_toilet_named`: the report names the published toilet (form v2 `place.existing_toilet_id`),
  or both reports name the same one. This holds whatever the names or floors say;
- `same_reference`: both stand for the same record of the national public toilet data (the record
  matched to the published toilet, or the record nearest each report within
  `REFERENCE_SAME_M`), within the search radius;
- `similar_name_close`: names alike (`reports.names.name_similarity` ≥ `NAME_SIMILAR`) within
  `CLOSE_M`, or very alike (≥ `NAME_VERY_SIMILAR`) anywhere in the search radius.

What rules a pair out (for the last two kinds of evidence): a known floor on each side that
differs (stacked toilets in one building are common), names that carry different exit / floor
numbers, genders, wings or lettered halls (`reports.names.names_conflict`), or building names on
both sides that are not alike (two buildings side by side). Alike names are no evidence when each
also says something of its own (`reports.names.each_has_its_own`: "서울시의회" / "서울시청").
Everything else within the radius is `nearby`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from reports.names import each_has_its_own, name_similarity, names_conflict, normalise

# The evidence codes with the words the moderator console shows (GET /moderation/vocabulary).
EVIDENCE_LABELS: dict[str, tuple[str, str]] = {
    "same_toilet_named": ("봉사자가 이 화장실이라고 함", "The volunteer named this toilet"),
    "same_reference": ("같은 공공데이터 기록", "Same record of the public toilet data"),
    "similar_name_close": ("가까이 있고 이름이 비슷함", "Close by, with a similar name"),
}

NAME_SIMILAR = 0.5
NAME_VERY_SIMILAR = 0.8
CLOSE_M = 20.0
BUILDING_SIMILAR = 0.5
REFERENCE_SAME_M = 15.0


@dataclass(frozen=True)
class PlaceSide:
    """One side of a pair: its name, building, floor, the published toilet it is (a candidate
    toilet's own id) or names (a report's existing_toilet_id), and its reference record."""
    name: str
    building_name: str | None = None
    floor: str | None = None
    toilet_id: str | None = None
    names_toilet: str | None = None
    reference: str | None = None


@dataclass(frozen=True)
class PairAssessment:
    likely: bool
    evidence: tuple[str, ...]
    ruled_out_by: tuple[str, ...]
    name_similarity: float


def _same_toilet_named(a: PlaceSide, b: PlaceSide) -> bool:
    return bool((a.names_toilet and a.names_toilet in (b.toilet_id, b.names_toilet))
                or (b.names_toilet and b.names_toilet in (a.toilet_id, a.names_toilet)))


def assess_pair(a: PlaceSide, b: PlaceSide, distance_m: float) -> PairAssessment:
    """Likely the same toilet, or only nearby (see the module docstring)."""
    return _assess(a, b, distance_m <= CLOSE_M)


# The distance counts only as within CLOSE_M or not (all the pairs are within the search radius),
# so a pair's assessment is cached by its two sides and that band: a claim judges each report's
# neighbours again, and one place's reports repeat the same sides (issue 14).
@lru_cache(maxsize=65_536)
def _assess(a: PlaceSide, b: PlaceSide, close: bool) -> PairAssessment:
    similarity = max(name_similarity(a.name, b.name),
                     name_similarity(f"{a.building_name or ''} {a.name}", f"{b.building_name or ''} {b.name}"))
    ruled_out = []
    if a.floor and b.floor and a.floor != b.floor:
        ruled_out.append("other_floor")
    if names_conflict(a.name, b.name):
        ruled_out.append("names_differ")
    if _other_buildings(a.building_name, b.building_name):
        ruled_out.append("other_building")
    evidence = []
    if _same_toilet_named(a, b):
        evidence.append("same_toilet_named")
    if not ruled_out:
        if a.reference and a.reference == b.reference:
            evidence.append("same_reference")
        # names alike, unless each says something of its own ("서울시의회" / "서울시청")
        alike = (similarity >= NAME_SIMILAR and close) or similarity >= NAME_VERY_SIMILAR
        if alike and not each_has_its_own(a.name, b.name):
            evidence.append("similar_name_close")
    return PairAssessment(bool(evidence), tuple(evidence), tuple(ruled_out), similarity)


def _other_buildings(a: str | None, b: str | None) -> bool:
    """Two building names that each say something (not only generic words) and are not alike."""
    if not (normalise(a) and normalise(b)):
        return False
    return name_similarity(a, b) < BUILDING_SIMILAR or names_conflict(a, b)
