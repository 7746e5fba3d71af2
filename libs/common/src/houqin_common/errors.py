"""RFC 9457 problem details for every error a service returns.

Services raise :class:`ProblemError` subclasses from their business logic (which never imports
FastAPI); one set of handlers turns those, FastAPI's own errors and anything unexpected into
``application/problem+json``. An unexpected exception is logged with the request id and answered
with a 500 that carries that id and nothing else.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from houqin_common.i18n import N_, _

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://houqin.dev/problems/"

logger = logging.getLogger("houqin.errors")


class InvalidParam(BaseModel):
    """One field that failed validation."""

    name: str = Field(description="dotted path of the field, e.g. `body.items.0.amount`")
    reason: str = Field(description="why the value was refused")


class Problem(BaseModel):
    """RFC 9457 problem details."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(default="about:blank", description="URI identifying the problem type")
    title: str = Field(description="short summary of the problem type")
    status: int = Field(description="HTTP status code")
    detail: str | None = Field(default=None, description="explanation of this occurrence")
    instance: str | None = Field(default=None, description="URI of the request that failed")
    request_id: str | None = Field(default=None, description="id to quote when reporting the problem")
    invalid_params: list[InvalidParam] | None = Field(
        default=None, alias="invalid-params", description="fields that failed validation"
    )


class ProblemError(Exception):
    """A domain error with an HTTP status; the message becomes `detail`."""

    status: int = 400
    code: str = "bad-request"
    title: str = N_("Bad request")

    #: response headers (e.g. ``Retry-After``), set by subclasses that need them
    headers: dict[str, str] | None = None

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.extra = extra


class BadRequest(ProblemError):
    status, code, title = 400, "bad-request", N_("Bad request")


class Unauthorized(ProblemError):
    status, code, title = 401, "unauthorized", N_("Authentication required")


class Forbidden(ProblemError):
    status, code, title = 403, "forbidden", N_("Forbidden")


class NotFound(ProblemError):
    status, code, title = 404, "not-found", N_("Not found")


class Conflict(ProblemError):
    status, code, title = 409, "conflict", N_("Conflict")


class PreconditionFailed(ProblemError):
    status, code, title = 412, "precondition-failed", N_("Precondition failed")


class UnprocessableEntity(ProblemError):
    status, code, title = 422, "validation-error", N_("Validation error")


class PreconditionRequired(ProblemError):
    status, code, title = 428, "precondition-required", N_("Precondition required")


class TooManyRequests(ProblemError):
    status, code, title = 429, "too-many-requests", N_("Too many requests")

    def __init__(self, detail: str | None = None, *, retry_after_s: int, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.headers = {"Retry-After": str(retry_after_s)}


class ServiceUnavailable(ProblemError):
    status, code, title = 503, "service-unavailable", N_("Service unavailable")


#: the HTTP reason phrases used as titles when a framework error carries no title of its own
HTTP_PHRASES = (
    N_("Bad Request"),
    N_("Unauthorized"),
    N_("Forbidden"),
    N_("Not Found"),
    N_("Method Not Allowed"),
    N_("Not Acceptable"),
    N_("Conflict"),
    N_("Precondition Failed"),
    N_("Request Entity Too Large"),
    N_("Unsupported Media Type"),
    N_("Unprocessable Entity"),
    N_("Precondition Required"),
    N_("Too Many Requests"),
    N_("Internal Server Error"),
    N_("Bad Gateway"),
    N_("Service Unavailable"),
    N_("Gateway Timeout"),
    N_("Error"),
)


def problem_response(
    status: int,
    *,
    title: str | None = None,
    detail: str | None = None,
    code: str | None = None,
    request: Request | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    """Build an ``application/problem+json`` response."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    body: dict[str, Any] = {
        "type": f"{PROBLEM_BASE}{code}" if code else "about:blank",
        # titles are English msgids (class constants, HTTP phrases): shown in the reader's language
        "title": _(title or phrase),
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if request is not None:
        body["instance"] = request.url.path
        rid = getattr(request.state, "request_id", None)
        if rid:
            body["request_id"] = rid
    body.update({k: v for k, v in (extra or {}).items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _loc_to_name(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(p) for p in loc)


async def _problem_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(
        exc.status,
        title=exc.title,
        detail=exc.detail,
        code=exc.code,
        request=request,
        extra=exc.extra,
        headers=exc.headers,
    )


_FASTAPI_BODY_PARSE_ERROR = "There was an error parsing the body"


#: the methods a 405 probes, in the order `Allow` lists them
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app serves on the request's path.

    The framework answers a 405 with the methods of the first route whose path matches, so a path served
    by two routes (GET and POST) would announce only one of them. Here each method is tried against every
    route of the app (``BaseRoute.matches``, no dispatch) and the ones a route fully accepts are listed."""
    routes = request.app.routes
    allowed = []
    for method in _METHODS:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] is Match.FULL for route in routes):
            allowed.append(method)
    return allowed


async def _http_exception_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers) if exc.headers else None
    if exc.status_code == 405 and (allowed := allowed_methods(request)):
        headers = {**(headers or {}), "Allow": ", ".join(allowed)}
    detail = exc.detail if isinstance(exc.detail, str) else None
    code = {401: "unauthorized", 403: "forbidden", 404: "not-found", 405: "method-not-allowed"}.get(exc.status_code)
    if exc.status_code == 404 and detail == "Not Found":
        detail = _("No route {method} {path}", method=request.method, path=request.url.path)
    elif exc.status_code == 405 and detail == "Method Not Allowed":
        detail = _("Method {method} is not allowed on {path}", method=request.method, path=request.url.path)
    if exc.status_code == 400:
        # The framework's only 400s are bodies it cannot parse (bytes that are not UTF-8 JSON,
        # broken multipart); services raise BadRequest themselves. Answer them like any other
        # malformed body: the 422 every route documents, instead of an undocumented 400.
        undecodable = detail == _FASTAPI_BODY_PARSE_ERROR
        return problem_response(
            422,
            title=N_("Malformed JSON body") if undecodable else N_("Malformed request body"),
            detail=_("body: the request body could not be decoded as JSON")
            if undecodable
            else _("body: {reason}", reason=detail),
            code="malformed-json" if undecodable else "malformed-body",
            request=request,
            extra={
                "invalid-params": [
                    {
                        "name": "body",
                        "reason": _("the request body could not be decoded as JSON")
                        if undecodable
                        else (detail or _("malformed")),
                    }
                ]
            },
        )
    return problem_response(exc.status_code, detail=detail, code=code, request=request, headers=headers)


#: pydantic error ``type`` -> reason msgid, formatted with the error's ``ctx`` (pydantic's own
#: messages are English only; these are the ones a form can trigger)
VALIDATION_REASONS: dict[str, str] = {
    "missing": N_("this field is required"),
    "extra_forbidden": N_("this field is not allowed"),
    "string_type": N_("must be a string"),
    "string_too_short": N_("must have at least {min_length} character(s)"),
    "string_too_long": N_("must have at most {max_length} character(s)"),
    "string_pattern_mismatch": N_("does not match the expected pattern {pattern}"),
    "string_unicode": N_("must be valid Unicode text"),
    "int_type": N_("must be an integer"),
    "int_parsing": N_("must be an integer"),
    "int_from_float": N_("must be a whole number"),
    "float_type": N_("must be a number"),
    "float_parsing": N_("must be a number"),
    "finite_number": N_("must be a finite number"),
    "decimal_type": N_("must be a decimal number"),
    "decimal_parsing": N_("must be a decimal number"),
    "decimal_max_digits": N_("must have at most {max_digits} digits"),
    "decimal_max_places": N_("must have at most {decimal_places} decimal places"),
    "decimal_whole_digits": N_("must have at most {whole_digits} digits before the decimal point"),
    "greater_than": N_("must be greater than {gt}"),
    "greater_than_equal": N_("must be at least {ge}"),
    "less_than": N_("must be less than {lt}"),
    "less_than_equal": N_("must be at most {le}"),
    "multiple_of": N_("must be a multiple of {multiple_of}"),
    "bool_type": N_("must be true or false"),
    "bool_parsing": N_("must be true or false"),
    "enum": N_("must be one of {expected}"),
    "literal_error": N_("must be one of {expected}"),
    "date_type": N_("must be a date (YYYY-MM-DD)"),
    "date_parsing": N_("must be a date (YYYY-MM-DD)"),
    "date_from_datetime_parsing": N_("must be a date (YYYY-MM-DD)"),
    "date_from_datetime_inexact": N_("must be a date without a time of day"),
    "datetime_type": N_("must be a date and time (ISO 8601)"),
    "datetime_parsing": N_("must be a date and time (ISO 8601)"),
    "datetime_from_date_parsing": N_("must be a date and time (ISO 8601)"),
    "timezone_aware": N_("must carry a time-zone offset"),
    "time_parsing": N_("must be a time of day (HH:MM)"),
    "uuid_type": N_("must be a UUID"),
    "uuid_parsing": N_("must be a UUID"),
    "list_type": N_("must be a list"),
    "dict_type": N_("must be an object"),
    "model_type": N_("must be an object"),
    "model_attributes_type": N_("must be an object"),
    "too_short": N_("must have at least {min_length} item(s)"),
    "too_long": N_("must have at most {max_length} item(s)"),
    "json_invalid": N_("invalid JSON: {error}"),
    "json_type": N_("must be JSON"),
    "url_parsing": N_("must be a URL"),
    "url_type": N_("must be a URL"),
}


def validation_reason(err: Mapping[str, Any]) -> str:
    """The reason of one pydantic error in the reader's language (its ``type`` and ``ctx`` decide it).

    A custom validator's ``ValueError`` already carries a translated message (wrapped in ``_()``); an
    error type not listed falls back to pydantic's English message.
    """
    kind = str(err.get("type", ""))
    raised = (err.get("ctx") or {}).get("error")
    if kind in ("value_error", "assertion_error") and raised is not None:
        return str(raised)
    template = VALIDATION_REASONS.get(kind)
    if template is None:
        return str(err.get("msg", _("invalid")))
    ctx = {k: str(v) for k, v in (err.get("ctx") or {}).items()}
    if "expected" in ctx:
        # pydantic says "'a', 'b' or 'c'" in English: a plain list reads in any language
        ctx["expected"] = ", ".join(re.findall(r"'([^']*)'", ctx["expected"])) or ctx["expected"]
    try:
        return _(template, **ctx) if ctx else _(template)
    except (KeyError, IndexError, ValueError):
        return str(err.get("msg", _("invalid")))


async def _validation_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    params = []
    for err in exc.errors():
        params.append({"name": _loc_to_name(err.get("loc", ())), "reason": validation_reason(err)})
    first = params[0] if params else {"name": "body", "reason": _("invalid")}
    malformed = any(e.get("type") == "json_invalid" for e in exc.errors())
    more = _(" (and {count} more)", count=len(params) - 1) if len(params) > 1 else ""
    return problem_response(
        422,
        title=N_("Malformed JSON body") if malformed else N_("Validation error"),
        detail=_("{name}: {reason}", name=first["name"], reason=first["reason"]) + more,
        code="malformed-json" if malformed else "validation-error",
        request=request,
        extra={"invalid-params": params},
    )


def _sqlstate(exc: BaseException) -> str | None:
    """SQLSTATE of a database error (asyncpg/psycopg, bare or wrapped by SQLAlchemy), if any."""
    for candidate in (exc, getattr(exc, "orig", None)):
        state = getattr(candidate, "sqlstate", None)
        if isinstance(state, str):
            return state
    return None


async def _unhandled_handler(request: Request, exc: Exception) -> JSONResponse:
    sqlstate = _sqlstate(exc)
    if sqlstate is not None and sqlstate.startswith("22"):
        # SQLSTATE class 22 (data exception): a value that passed validation but that PostgreSQL
        # cannot store (NUL character, numeric overflow, value too long...). The client's data is
        # at fault, so it is a 422 with PostgreSQL's one-line reason, never a 500.
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:200]
        logger.warning("database refused a value (SQLSTATE %s): %s", sqlstate, reason)
        return problem_response(
            422,
            title=N_("Invalid value"),
            detail=_("a value was refused by the database: {reason}", reason=reason),
            code="invalid-value",
            request=request,
        )
    if sqlstate is not None and sqlstate.startswith("23"):
        # SQLSTATE class 23 (integrity): the losing side of a race that a service's own checks could
        # not see, e.g. two clients creating the same unique record at once. A 409, never a 500.
        # The database's message names tables, constraints and values: it is logged, never sent.
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:200]
        logger.warning("integrity violation (SQLSTATE %s): %s", sqlstate, reason)
        return problem_response(
            409,
            title=N_("Conflict"),
            detail=_("The change conflicts with the current data (another request changed it first); retry"),
            code="conflict",
            request=request,
        )
    if (sqlstate is not None and (sqlstate.startswith("08") or sqlstate.startswith("57P"))) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    ):
        logger.warning("database unavailable (SQLSTATE %s): %s", sqlstate, exc)
        return problem_response(
            503,
            title=N_("Database unavailable"),
            detail=_("the database could not be reached; retry shortly"),
            code="database-unavailable",
            request=request,
            headers={"Retry-After": "5"},
        )
    rid = getattr(request.state, "request_id", None)
    logger.exception("unhandled error", extra={"request_id": rid, "path": request.url.path})
    return problem_response(
        500,
        title=N_("Internal server error"),
        detail=_("An unexpected error occurred; quote the request_id when reporting it."),
        code="internal-error",
        request=request,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Make every error of ``app`` a problem+json response."""
    app.add_exception_handler(ProblemError, _problem_error_handler)
    app.add_exception_handler(StarletteHTTPException, _http_exception_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    # Database errors get their own handlers so that the class-22 ones (a 422) are answered without
    # Starlette's last-resort middleware, which re-raises and logs a traceback even after a 4xx.
    app.add_exception_handler(DBAPIError, _unhandled_handler)
    app.add_exception_handler(asyncpg.PostgresError, _unhandled_handler)
    app.add_exception_handler(Exception, _unhandled_handler)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries documenting problem+json errors of a route."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "Error"
        out[status] = {"model": Problem, "description": phrase, "content": {PROBLEM_JSON: {}}}
    return out


COMMON_ERRORS = problem_responses(401, 403, 422)
