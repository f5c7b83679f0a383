from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import RegistryDep
from mobile_schema.registry import FormSchema
from core.errors import fail, field_error

router = APIRouter(prefix="/api/v1/mobile-schema", tags=["mobile schema"])


@router.get("", response_model=FormSchema)
def latest_schema(registry: RegistryDep) -> dict[str, Any]:
    """The latest report form (JSON Schema with Korean and English labels)."""
    return registry.schema()


@router.get("/{version}", response_model=FormSchema)
def schema_version(version: int, registry: RegistryDep) -> dict[str, Any]:
    if not registry.has(version):
        known = ", ".join(str(v) for v in sorted(registry.schemas))
        raise fail("schema_version_not_found", field_error(
            "version", f"있는 버전: {known}", f"Known versions: {known}"))
    return registry.schema(version)
