"""The registry of export profiles: each profile is one module, one object (STYLE.md habit 20).

A profile says, per layer, which properties a feature carries (SQL expressions PostGIS
evaluates row by row), which CSV columns it writes, and whether retired features stay in a
full export. Adding a profile means adding one module and one line below.
"""

from __future__ import annotations

from exports.profiles.a11yjson import PROFILE as A11YJSON
from exports.profiles.base import Column, LayerMapping, Profile
from exports.profiles.geojson import PROFILE as GEOJSON
from exports.profiles.osm import PROFILE as OSM
from exports.profiles.smart_seoul_map import PROFILE as SMART_SEOUL_MAP

PROFILES: dict[str, Profile] = {p.name: p for p in (SMART_SEOUL_MAP, GEOJSON, A11YJSON, OSM)}

__all__ = ["PROFILES", "Column", "LayerMapping", "Profile", "get_profile"]


def get_profile(name: str) -> Profile | None:
    return PROFILES.get(name)
