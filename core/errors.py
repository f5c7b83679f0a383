"""Domain errors: values with a machine code and per-field messages in Korean and English.

Domain packages raise these; `api.errors` maps them once to the HTTP error shape.
No HTTPException is raised inside domain code (STYLE.md habit 8).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldError:
    path: str
    message_ko: str
    message_en: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "message_ko": self.message_ko, "message_en": self.message_en}


@dataclass
class DomainError(Exception):
    code: str
    message_ko: str
    message_en: str
    fields: list[FieldError] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.code}: {self.message_en}"


class ValidationFailed(DomainError):
    """The input is malformed or breaks a rule (HTTP 422)."""


class NotFound(DomainError):
    """The object does not exist, or the caller may not know it exists (HTTP 404)."""


class Conflict(DomainError):
    """The request clashes with the current state (HTTP 409)."""


class Forbidden(DomainError):
    """The caller is known but may not do this (HTTP 403)."""


class Unauthorised(DomainError):
    """No or bad credentials (HTTP 401)."""


class TooLarge(DomainError):
    """The body or file is over the limit (HTTP 413)."""


class UnsupportedMedia(DomainError):
    """The content type is not one we accept (HTTP 415)."""


def field_error(path: str, ko: str, en: str) -> FieldError:
    return FieldError(path=path, message_ko=ko, message_en=en)


class BadRequest(DomainError):
    """The body cannot be read at all (malformed JSON) (HTTP 400)."""
