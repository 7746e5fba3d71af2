"""Hot routes: the busiest GET routes answered without FastAPI's per-request machinery.

FastAPI spends ~150 µs of CPU on every request before and after the handler (nested route matching done
twice, the generic dependency solver with its exit stacks, caches and override checks, aliases and kinds
of every parameter worked out again; measured in docs/operations.md): more than the query behind a
detail read. A route marked :func:`hot` keeps its FastAPI declaration (the OpenAPI document, the
fallback) and is *also* compiled once at start-up into a plain resolver of the same dependency tree:
the same dependency functions, each parameter read as FastAPI reads it and checked by the same pydantic
field validator, called directly, in the same order.

:class:`HotRoutes`, an ASGI layer in front of FastAPI's middleware and router, answers a GET that only a
hot route matches. It never answers differently from FastAPI: a parameter that fails validation, a
dependency override, or a path another route also matches hands the request to FastAPI untouched, which
then answers (422, the override, the other route). Errors raised by dependencies or the handler (401,
403, 404, a database error) are answered by the app's own exception handlers, as FastAPI would. Hot
routes are reads: a declined request runs their dependencies twice, so those must be free of side effects.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from fastapi import FastAPI, Request, Response
from fastapi._compat.shared import field_annotation_is_sequence
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import _get_param_aliases, _get_param_model, _is_json_field, request_params_to_args
from fastapi.routing import iter_route_contexts
from starlette._utils import get_route_path
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

F = TypeVar("F", bound=Callable[..., Any])

_MARK = "__houqin_hot__"


def hot(endpoint: F) -> F:
    """Marks a GET handler for :class:`HotRoutes`. Its dependencies must be ``async def`` without
    ``yield`` (no database session: the hot path reads through :mod:`houqin_common.hotpath`), and it
    must return a :class:`Response` (``hotpath.json_response``/``page_response``)."""
    setattr(endpoint, _MARK, True)
    return endpoint


class HotRouteError(TypeError):
    """A route marked hot has a dependency the hot path cannot run as FastAPI would."""


class _Declined(Exception):
    """A parameter failed validation: FastAPI answers the request (with its 422)."""


def _is_async(call: Any) -> bool:
    """A coroutine function, or an object whose ``__call__`` is one (FastAPI's security schemes)."""
    return inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(type(call).__call__)


_IMMUTABLE = (type(None), bool, int, float, str, bytes, frozenset, tuple)


@dataclass(frozen=True, slots=True)
class _Param:
    """One scalar path, query, header or cookie parameter, read as ``request_params_to_args`` reads it
    (first alias present, the last value of a repeated key, a missing one takes the default) with the
    field's own validator; what FastAPI recomputes per request (aliases, kind checks) is computed once."""

    field: Any  # fastapi ModelField
    name: str
    keys: tuple[str, ...]
    location: str
    required: bool
    default: Any
    copy_default: bool
    validate_default: bool

    @classmethod
    def of(cls, field: Any) -> _Param | None:
        """None for a parameter that is not a plain scalar (a model, a list, JSON): FastAPI's own
        extraction reads those."""
        info = field.field_info
        if (
            _get_param_model(field) is not None
            or field_annotation_is_sequence(info.annotation)
            or _is_json_field(field)
        ):
            return None
        return cls(
            field=field,
            name=field.name,
            keys=tuple(key for _, key in _get_param_aliases(field)),
            location=info.in_.value,
            required=info.is_required(),
            default=field.default,
            copy_default=not isinstance(field.default, _IMMUTABLE),
            validate_default=bool(info.validate_default),
        )

    def read(self, received: Mapping[str, Any], values: dict[str, Any]) -> None:
        """Puts the parameter's value in ``values``; :class:`_Declined` when FastAPI would answer 422."""
        key = self.keys[0]
        if len(self.keys) > 1:
            key = next((k for k in self.keys if k in received), key)
        value = received.get(key)
        if value is None:
            if self.required:
                raise _Declined
            value = deepcopy(self.default) if self.copy_default else self.default
            if not self.validate_default:
                values[self.name] = value
                return
        got, errors = self.field.validate(value, values, loc=(self.location, key))
        if errors:
            raise _Declined
        values[self.name] = got


def _params(fields: list[Any]) -> tuple[_Param, ...] | list[Any]:
    """The fields as :class:`_Param` when every one is a plain scalar, else as they are (read by
    FastAPI's ``request_params_to_args``)."""
    compiled = [_Param.of(f) for f in fields]
    if all(p is not None for p in compiled):
        return tuple(p for p in compiled if p is not None)
    return list(fields)


def _read(params: tuple[_Param, ...] | list[Any], received: Any, values: dict[str, Any]) -> None:
    if isinstance(params, tuple):
        for param in params:
            param.read(received, values)
        return
    got, errors = request_params_to_args(params, received)
    if errors:
        raise _Declined
    values.update(got)


@dataclass(frozen=True, slots=True)
class _Resolver:
    """One node of a dependency tree, compiled: what to call and where its arguments come from."""

    call: Callable[..., Any]
    #: the parameters taking the request (``Request`` or ``HTTPConnection``, e.g. HTTPBearer's)
    request_names: tuple[str, ...]
    #: (argument name or None, sub-resolver, cached per request) in declaration order
    subs: tuple[tuple[str | None, _Resolver, bool], ...]
    path_params: tuple[_Param, ...] | list[Any]
    query_params: tuple[_Param, ...] | list[Any]
    header_params: tuple[_Param, ...] | list[Any]
    cookie_params: tuple[_Param, ...] | list[Any]

    async def values(self, request: Request, cache: dict[Any, Any]) -> dict[str, Any]:
        """The arguments of ``call`` for ``request``, as FastAPI's solver would give them."""
        values: dict[str, Any] = {}
        for name, sub, use_cache in self.subs:
            if use_cache and sub.call in cache:
                solved = cache[sub.call]
            else:
                solved = await sub.call(**await sub.values(request, cache))
                cache.setdefault(sub.call, solved)
            if name is not None:
                values[name] = solved
        if self.path_params:
            _read(self.path_params, request.path_params, values)
        if self.query_params:
            _read(self.query_params, request.query_params, values)
        if self.header_params:
            _read(self.header_params, request.headers, values)
        if self.cookie_params:
            _read(self.cookie_params, request.cookies, values)
        for name in self.request_names:
            values[name] = request
        return values


def compile_dependant(dependant: Dependant, *, where: str) -> _Resolver:
    """``dependant`` as a :class:`_Resolver`; :class:`HotRouteError` for what only FastAPI can run."""
    call = dependant.call
    if call is None or not _is_async(call):
        raise HotRouteError(f"{where}: {call!r} is not an async function (FastAPI would run it in a thread)")
    if dependant.body_params:
        raise HotRouteError(f"{where}: a request body (hot routes are GET reads)")
    unsupported = (
        dependant.websocket_param_name,
        dependant.response_param_name,
        dependant.background_tasks_param_name,
        dependant.security_scopes_param_name,
    )
    if any(unsupported):
        raise HotRouteError(f"{where}: a Response, BackgroundTasks, SecurityScopes or WebSocket parameter")
    subs = []
    for sub in dependant.dependencies:
        if inspect.isasyncgenfunction(sub.call) or inspect.isgeneratorfunction(sub.call):
            raise HotRouteError(f"{where}: dependency {sub.call!r} uses yield (a session; use hotpath instead)")
        subs.append((sub.name, compile_dependant(sub, where=where), sub.use_cache))
    return _Resolver(
        call=call,
        request_names=tuple(n for n in (dependant.request_param_name, dependant.http_connection_param_name) if n),
        subs=tuple(subs),
        path_params=_params(dependant.path_params),
        query_params=_params(dependant.query_params),
        header_params=_params(dependant.header_params),
        cookie_params=_params(dependant.cookie_params),
    )


def _literal_prefix(path_format: str) -> str:
    return path_format.split("{", 1)[0]


@dataclass(slots=True)
class _HotRoute:
    route: Any  # the APIRoute (scope["route"], as the router sets it: metrics label by its path)
    path_format: str
    regex: Any
    convertors: dict[str, Any]
    resolver: _Resolver
    #: other GET routes that could match the same paths: a path one of them matches goes to FastAPI
    rivals: list[Any] = field(default_factory=list)


def hot_routes_of(app: FastAPI) -> list[_HotRoute]:
    """The app's routes marked :func:`hot`, compiled, each with its possible rivals."""
    contexts = list(iter_route_contexts(app.routes))
    hot_ones: list[_HotRoute] = []
    for ctx in contexts:
        endpoint = ctx.endpoint
        if endpoint is None or not getattr(endpoint, _MARK, False):
            continue
        if ctx.methods != {"GET", "HEAD"} and ctx.methods != {"GET"}:
            raise HotRouteError(f"{ctx.path_format}: only GET routes can be hot, not {sorted(ctx.methods or ())}")
        where = f"hot route GET {ctx.path_format}"
        hot_ones.append(
            _HotRoute(
                route=ctx.original_route,
                path_format=str(ctx.path_format),
                regex=ctx.path_regex,
                convertors=dict(ctx.param_convertors),
                resolver=compile_dependant(ctx.dependant, where=where),
            )
        )
    for hr in hot_ones:
        mine = _literal_prefix(hr.path_format)
        for ctx in contexts:
            if ctx.original_route is hr.route or (ctx.methods is not None and "GET" not in ctx.methods):
                continue
            theirs = _literal_prefix(getattr(ctx, "path_format", None) or getattr(ctx, "path", "") or "")
            if mine.startswith(theirs) or theirs.startswith(mine):
                hr.rivals.append(ctx.path_regex)
    return hot_ones


class HotRoutes:
    """ASGI layer answering GETs of hot routes directly (see the module docstring); everything else,
    and every request it declines, goes to ``app`` (the FastAPI app's own stack) unchanged.

    It sits in front of FastAPI's middleware (server errors, body limits, telemetry), so errors are
    answered here with the app's handlers: the handler of the exception's class, as the exception
    middleware would, else the last-resort one (``Exception``: a logged 500), as the server error
    middleware would."""

    def __init__(self, app: ASGIApp, fastapi_app: FastAPI, count: Callable[[str, str], None] | None = None) -> None:
        self.app = app
        self.fastapi_app = fastapi_app
        self.routes = hot_routes_of(fastapi_app)
        #: told (route template, "answered" or "declined") for each request to a hot route
        self.count = count or (lambda route, outcome: None)

    def _match(self, scope: Scope) -> tuple[_HotRoute, dict[str, Any]] | None:
        path = get_route_path(scope)
        for hr in self.routes:
            m = hr.regex.match(path)
            if m is None:
                continue
            if any(rival.match(path) for rival in hr.rivals):
                return None
            params = {key: hr.convertors[key].convert(value) for key, value in m.groupdict().items()}
            return hr, params
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or self.fastapi_app.dependency_overrides:
            await self.app(scope, receive, send)
            return
        found = self._match(scope)
        if found is None:
            await self.app(scope, receive, send)
            return
        hr, params = found
        # what the app and the router would put in the scope (metrics, handlers and the request read
        # these); a declined request goes on with them, and the router sets the same again
        scope["app"] = self.fastapi_app
        scope.setdefault("router", self.fastapi_app.router)
        scope["path_params"] = {**scope.get("path_params", {}), **params}
        scope["route"] = hr.route
        scope["endpoint"] = hr.resolver.call
        request = Request(scope, receive, send)
        try:
            response = await hr.resolver.call(**await hr.resolver.values(request, {}))
            if not isinstance(response, Response):
                raise HotRouteError(f"hot route GET {hr.path_format} returned {type(response).__name__}")
        except _Declined:
            self.count(hr.path_format, "declined")
            await self.app(scope, receive, send)
            return
        except Exception as exc:
            response = await self._handled(request, exc)
        self.count(hr.path_format, "answered")
        await response(scope, receive, send)

    async def _handled(self, request: Request, exc: Exception) -> Response:
        """``exc`` answered by the app's handler for the nearest class of it that has one."""
        handlers = self.fastapi_app.exception_handlers
        for cls in type(exc).__mro__:
            handler = handlers.get(cls)
            if handler is not None:
                break
        else:
            handler = handlers.get(500)
            if handler is None:
                raise exc
        call = cast(Callable[[Request, Exception], Any], handler)
        if inspect.iscoroutinefunction(call):
            response = await call(request, exc)
        else:  # a plain function runs in a worker thread, as Starlette runs it
            response = await run_in_threadpool(call, request, exc)
        assert isinstance(response, Response)
        return response
