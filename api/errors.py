"""The one HTTP error shape, for every 4xx:

    {"code": "...", "message_ko": "...", "message_en": "...",
     "fields": [{"path": "place.name", "message_ko": "...", "message_en": "..."}]}
"""

from __future__ import annotations

import json
import logging

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

from core import errors as E

log = logging.getLogger("reachable")

class ErrorField(BaseModel):
    path: str
    message_ko: str
    message_en: str


class ErrorBody(BaseModel):
    """Every 4xx body (documented on every route as "4XX", so /openapi.json and the schemathesis
    run know the real shape instead of FastAPI's default validation error)."""
    code: str
    message_ko: str
    message_en: str
    fields: list[ErrorField]


ERROR_RESPONSES: dict[int | str, dict] = {"4XX": {"model": ErrorBody, "description": "Refused: the one error shape"}}


def error_body(code: str, ko: str, en: str, fields: list[E.FieldError] | None = None) -> dict:
    return {"code": code, "message_ko": ko, "message_en": en, "fields": [f.as_dict() for f in fields or []]}


class ErrorJSONResponse(JSONResponse):
    """An error may quote input that is not text (a lone surrogate sent as a JSON escape, in a
    path or a key): written back as the same JSON escape instead of failing to encode."""

    def render(self, content) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "backslashreplace")


def error_response(status: int, code: str, ko: str, en: str, fields=None, headers=None) -> JSONResponse:
    return ErrorJSONResponse(error_body(code, ko, en, fields), status_code=status, headers=headers)


def problem_response(exc: E.DomainError) -> JSONResponse:
    headers = dict(exc.headers)
    if isinstance(exc, E.Unauthorised):
        headers.setdefault("WWW-Authenticate", "Bearer")
    return error_response(exc.status, exc.code, exc.message_ko, exc.message_en, exc.fields, headers or None)


_PYDANTIC_KO = {
    "missing": "꼭 입력해야 합니다.",
    "extra_forbidden": "이 양식에 없는 항목입니다.",
    "string_too_short": "너무 짧습니다.",
    "string_too_long": "너무 깁니다.",
    "greater_than_equal": "값이 너무 작습니다.",
    "less_than_equal": "값이 너무 큽니다.",
    "greater_than": "값이 너무 작습니다.",
    "less_than": "값이 너무 큽니다.",
    "literal_error": "허용되지 않는 값입니다.",
    "enum": "허용되지 않는 값입니다.",
    "json_invalid": "JSON 형식이 올바르지 않습니다.",
    "int_parsing": "정수여야 합니다.",
    "float_parsing": "숫자여야 합니다.",
    "uuid_parsing": "UUID 형식이어야 합니다.",
    "string_type": "문자열이어야 합니다.",
}


def _loc_path(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts)


# The database refused, dropped or timed out (PostgreSQL restarting, pool exhausted): a 503 the
# client retries, never a 500. Retries are safe: submissions are idempotent.
DATABASE_DOWN = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError,
                 psycopg.OperationalError, psycopg.InterfaceError)
DATABASE_RETRY_AFTER_S = "5"


def install_error_handlers(app: FastAPI) -> None:
    async def database_down(_: Request, exc: Exception) -> JSONResponse:
        return problem_response(E.fail("database_unavailable", headers={"Retry-After": DATABASE_RETRY_AFTER_S}))

    for kind in DATABASE_DOWN:
        app.add_exception_handler(kind, database_down)

    async def read_only(request: Request, exc: Exception) -> JSONResponse:
        # A write reached a server in recovery: DATABASE_URL names a standby (a failover under way,
        # or a replica configured as the primary). For the client it is the database being away.
        if isinstance(getattr(exc, "orig", exc), psycopg.errors.ReadOnlySqlTransaction):
            log.warning("a write was refused as read-only: DATABASE_URL must name the primary")
            return await database_down(request, exc)
        raise exc

    app.add_exception_handler(sa_exc.InternalError, read_only)
    app.add_exception_handler(psycopg.errors.ReadOnlySqlTransaction, read_only)

    @app.exception_handler(E.DomainError)
    async def domain_error(_: Request, exc: E.DomainError) -> JSONResponse:
        return problem_response(exc)

    @app.exception_handler(RequestValidationError)
    async def request_invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        # A path that does not parse (an id beyond its column's range, a malformed UUID) names
        # nothing, like a path that parses but matches no row: 404, not 422.
        if any(tuple(err.get("loc", ()))[:1] == ("path",) for err in errors):
            return problem_response(E.fail("not_found"))
        fields = []
        for err in errors:
            fields.append(E.FieldError(
                path=_loc_path(tuple(err.get("loc", ()))),
                # a validator of ours may carry its own Korean text (core.text does)
                message_ko=(err.get("ctx") or {}).get("message_ko")
                or _PYDANTIC_KO.get(err.get("type", ""), "값이 올바르지 않습니다."),
                message_en=err.get("msg", "Invalid value."),
            ))
        if any(err.get("type") == "json_invalid" for err in errors):
            return problem_response(E.fail("malformed_json", *fields))
        return problem_response(E.fail("invalid_request", *fields))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        # 400 is Starlette's "There was an error parsing the body" (JSON nested too deep, a broken
        # multipart body): the catalogue's bilingual text instead of Starlette's English one.
        known = {400: "unreadable_body", 404: "not_found", 405: "method_not_allowed", 401: "unauthorised"}
        if exc.status_code in known:
            return error_response(exc.status_code, *_texts(known[exc.status_code]), headers=getattr(exc, "headers", None))
        return error_response(exc.status_code, "http_error", "요청을 처리할 수 없습니다.", str(exc.detail),
                              headers=getattr(exc, "headers", None))


def _texts(code: str) -> tuple[str, str, str]:
    problem = E.CATALOGUE[code]
    return code, problem.ko, problem.en
