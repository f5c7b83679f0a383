"""The one HTTP error shape, for every 4xx:

    {"code": "...", "message_ko": "...", "message_en": "...",
     "fields": [{"path": "place.name", "message_ko": "...", "message_en": "..."}]}
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from core import errors as E

STATUS_BY_TYPE: dict[type[E.DomainError], int] = {
    E.ValidationFailed: 422,
    E.NotFound: 404,
    E.Conflict: 409,
    E.Forbidden: 403,
    E.Unauthorised: 401,
    E.TooLarge: 413,
    E.UnsupportedMedia: 415,
    E.BadRequest: 400,
}


def error_body(code: str, ko: str, en: str, fields: list[E.FieldError] | None = None) -> dict:
    return {"code": code, "message_ko": ko, "message_en": en, "fields": [f.as_dict() for f in fields or []]}


def error_response(status: int, code: str, ko: str, en: str, fields=None, headers=None) -> JSONResponse:
    return JSONResponse(error_body(code, ko, en, fields), status_code=status, headers=headers)


def _status_for(exc: E.DomainError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS_BY_TYPE:
            return STATUS_BY_TYPE[cls]
    return 400


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


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(E.DomainError)
    async def domain_error(_: Request, exc: E.DomainError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, E.Unauthorised) else None
        return error_response(_status_for(exc), exc.code, exc.message_ko, exc.message_en, exc.fields, headers)

    @app.exception_handler(RequestValidationError)
    async def request_invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        fields = []
        code = "invalid_request"
        for err in exc.errors():
            if err.get("type") == "json_invalid":
                code = "malformed_json"
            fields.append(E.FieldError(
                path=_loc_path(tuple(err.get("loc", ()))),
                message_ko=_PYDANTIC_KO.get(err.get("type", ""), "값이 올바르지 않습니다."),
                message_en=err.get("msg", "Invalid value."),
            ))
        if code == "malformed_json":
            return error_response(400, code, "JSON 형식이 올바르지 않습니다.", "The body is not valid JSON.", fields)
        return error_response(422, code, "입력값에 고칠 곳이 있습니다.", "Some input needs fixing.", fields)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        known = {
            404: ("not_found", "찾을 수 없습니다.", "Not found."),
            405: ("method_not_allowed", "허용되지 않는 요청 방식입니다.", "Method not allowed."),
            401: ("unauthorised", "로그인이 필요합니다.", "Login required."),
            403: ("forbidden", "권한이 없습니다.", "Not allowed."),
        }
        code, ko, en = known.get(exc.status_code, ("http_error", "요청을 처리할 수 없습니다.", str(exc.detail)))
        return error_response(exc.status_code, code, ko, en, headers=getattr(exc, "headers", None))
