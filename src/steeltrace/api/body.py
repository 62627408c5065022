"""Request bodies: read with a byte limit, then parse strictly.

FastAPI never parses a body here. Its default JSON reader keeps the last of duplicate
keys and accepts ``NaN``; the ledger's :func:`~steeltrace.core.canonical.parse_strict`
refuses both (I-08..I-10). The limit (I-13) is checked twice, before anything is
parsed: against ``Content-Length`` when the client sends one, and while the stream is
read, so a client that lies or streams chunked cannot make the node buffer more than
``limit`` bytes.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from steeltrace.core.canonical import parse_strict
from steeltrace.errors import InvalidInput, PayloadTooLarge

DEFAULT_LIMIT = 64 * 1024
JSON_TYPES = ("application/json",)


class UnsupportedMediaType(InvalidInput):
    http_status = 415


def check_declared_length(request: Request, limit: int) -> None:
    declared = request.headers.get("content-length")
    if declared is None:
        return
    if not declared.isdigit():
        raise InvalidInput("CONTENT_LENGTH_INVALID", "Content-Length must be a decimal integer")
    if int(declared) > limit:
        raise PayloadTooLarge(
            "BODY_TOO_LARGE",
            f"the request body is {declared} bytes; the limit is {limit} bytes",
            limit=limit,
        )


def check_content_type(request: Request) -> None:
    ctype = request.headers.get("content-type")
    if ctype is None:
        return  # curl -d without -H: accept, the bytes are still parsed strictly
    media = ctype.split(";", 1)[0].strip().lower()
    if media not in JSON_TYPES and not media.endswith("+json"):
        raise UnsupportedMediaType(
            "CONTENT_TYPE_UNSUPPORTED", f"send the body as application/json, not {media!r}"
        )


async def read_limited(request: Request, limit: int) -> bytes:
    """The raw body, or :class:`PayloadTooLarge` as soon as it passes ``limit`` bytes."""
    check_declared_length(request, limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(
                "BODY_TOO_LARGE",
                f"the request body is over the limit of {limit} bytes",
                limit=limit,
            )
        chunks.append(chunk)
    return b"".join(chunks)


def parse_object(raw: bytes, limit: int, what: str = "the body") -> dict[str, Any]:
    """Strictly parse ``raw`` and require a JSON object."""
    if not raw:
        raise InvalidInput("JSON_MALFORMED", f"{what} is empty; send a JSON object")
    value = parse_strict(raw, max_bytes=limit)
    if not isinstance(value, dict):
        raise InvalidInput("JSON_NOT_OBJECT", f"{what} must be a JSON object")
    return value
