"""The base of every response model: a route returns one of these, OpenAPI documents it, and
a field the representation adds without declaring it fails the tests instead of leaking."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

# Timestamps are sent as Python writes them (RFC 3339 with an offset); declared as date-time.
Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"})]


class ResponseModel(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)


class Paged(ResponseModel):
    page: int
    page_size: int
    total: int
