"""Every API error as RFC 9457 problem details (``application/problem+json``).

A problem carries the members of RFC 9457 (``type``, ``title``, ``status``, ``detail``,
``instance``) plus ``code``, the ledger's stable error code (the same code the CLI and
the block's recorded rejection use), and any extension members an error adds (for
example ``tx_id`` and ``height`` for a transaction recorded invalid).

The exception handlers installed by :func:`install` make sure no error leaves the API as
anything else: steeltrace errors keep their code and HTTP status, FastAPI's own
validation and routing errors get codes of their own, and anything unexpected is logged
and answered as a 500 problem with code ``INTERNAL`` (and no internals in the text).
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

from steeltrace.errors import SteeltraceError

MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:steeltrace:problem:"

log = logging.getLogger("steeltrace.api")

_HTTP_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    409: "CONFLICT",
    413: "BODY_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "UNPROCESSABLE",
    429: "TOO_MANY_REQUESTS",
    503: "UNAVAILABLE",
}


class ProblemResponse(JSONResponse):
    media_type = MEDIA_TYPE


def problem_body(
    status: int, code: str, detail: str, instance: str, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + code,
        "title": _title(status),
        "status": status,
        "detail": detail,
        "instance": instance,
        "code": code,
    }
    for key, value in extra.items():
        if key not in body and value is not None:
            body[key] = value
    return body


def problem(
    status: int,
    code: str,
    detail: str,
    instance: str,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> ProblemResponse:
    return ProblemResponse(
        problem_body(status, code, detail, instance, **extra), status_code=status, headers=headers
    )


def from_error(error: SteeltraceError, instance: str) -> ProblemResponse:
    status = error.http_status
    headers = None
    if status == 401:
        headers = {"WWW-Authenticate": 'Bearer realm="steeltrace"'}
    elif status == 503:
        headers = {"Retry-After": "1"}
    extra = {k: v for k, v in error.detail.items() if _is_plain(v)}
    extra["kind"] = error.kind
    return problem(status, error.code, error.message, instance, headers=headers, **extra)


def _is_plain(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _instance(request: Request) -> str:
    return request.url.path


async def _steeltrace_error(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, SteeltraceError)
    if exc.http_status >= 500:
        log.error("%s %s failed: %s", request.method, request.url.path, exc)
    return from_error(exc, _instance(request))


async def _validation_error(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    where = ""
    if errors:
        first = errors[0]
        loc = ".".join(str(part) for part in first.get("loc", ()))
        where = f"{loc}: {first.get('msg', 'invalid')}"
    return problem(400, "QUERY_INVALID", where or "invalid request parameters", _instance(request))


async def _http_error(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "HTTP_ERROR")
    detail = exc.detail if isinstance(exc.detail, str) else _title(exc.status_code)
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"no such resource: {request.url.path}"
    return problem(
        exc.status_code, code, detail, _instance(request), headers=dict(exc.headers or {})
    )


async def _unexpected(request: Request, exc: Exception) -> ProblemResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(
        500,
        "INTERNAL",
        "the node failed to answer this request; the error is logged on the node",
        _instance(request),
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(SteeltraceError, _steeltrace_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
