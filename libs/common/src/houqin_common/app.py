"""The service app factory, and how the platform knows its services (a :class:`ServiceSpec` entry point each).

``houqin up``, ``houqin migrate`` and the test harness discover services through the
``houqin.services`` entry-point group instead of importing them, so this library never depends on
a service.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager, nullcontext
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.types import ASGIApp

from houqin_common import __version__
from houqin_common.apidocs import install_api_docs
from houqin_common.db import check_database, create_engine, make_read_sessionmaker, make_sessionmaker
from houqin_common.errors import install_error_handlers
from houqin_common.hotpath import ReadPool
from houqin_common.observability import (
    Metrics,
    ReadinessCheck,
    RequestContextMiddleware,
    configure_logging,
    health_router,
    telemetry_config,
)
from houqin_common.openapi_examples import add_examples, enum_labels
from houqin_common.settings import ServiceSettings


@dataclass(frozen=True)
class TcpListener:
    """A TCP port one of a service's workers listens on (e.g. the JT/T 808 gateway), named by the settings
    that place it, so `houqin up` can keep it on the local address and move it off a taken port."""

    worker: str
    label: str
    host_env: str
    port_env: str
    port: int


@dataclass(frozen=True)
class ServiceSpec:
    """What the platform needs to know to migrate, run and document one service."""

    name: str
    title: str
    package: str
    app_factory: str
    port: int
    schema: str
    #: extra long-running processes of the service ("name" -> "module:callable"), e.g. the MQTT consumer
    workers: dict[str, str] = field(default_factory=dict)
    #: "module:callable" loading demo data for `make seed`, run with the database URL
    seed: str | None = None
    #: TCP ports the workers listen on (the services' own HTTP ports are ``port``)
    listeners: tuple[TcpListener, ...] = ()


def discover_services() -> dict[str, ServiceSpec]:
    """Every installed service, by name, in port order."""
    specs = [ep.load() for ep in entry_points(group="houqin.services")]
    return {s.name: s for s in sorted(specs, key=lambda s: s.port)}


Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


class ServiceApp(FastAPI):
    """A service's FastAPI app with the request context (request id, language, metrics) as its outermost
    layer, outside Starlette's ServerErrorMiddleware, so every response, a last-resort 500 included,
    carries ``X-Request-ID`` and ``Content-Language`` and is counted."""

    def build_middleware_stack(self) -> ASGIApp:
        return RequestContextMiddleware(super().build_middleware_stack(), metrics=self.state.metrics)

    def answer_models(self) -> Iterator[Any]:
        """The answer and body types of the routes, whose enums' labels the examples show."""
        for context in iter_route_contexts(self.routes):
            route = context.original_route
            if isinstance(route, APIRoute):
                if route.response_model is not None:
                    yield route.response_model
                yield from (param.field_info.annotation for param in route.dependant.body_params)

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            document = super().openapi()
            document_headers(document)
            add_examples(document, enum_labels(self.answer_models()))
        return self.openapi_schema  # type: ignore[return-value]


ACCEPT_LANGUAGE: dict[str, Any] = {
    "name": "Accept-Language",
    "in": "header",
    "required": False,
    "description": "language of the texts a person reads (titles, details, reasons, labels): `zh-CN` (the "
    "default when absent or `*`) or `en`; q-values are honoured (RFC 9110)",
    "schema": {"type": "string", "examples": ["zh-CN", "en", "en;q=0.9, zh-CN;q=0.8"]},
}
CONTENT_LANGUAGE: dict[str, Any] = {
    "description": "the language the texts of this answer are in",
    "schema": {"type": "string", "enum": ["zh-CN", "en"]},
}
METHODS = ("get", "put", "post", "delete", "patch")


def document_headers(schema: dict[str, Any]) -> None:
    """The headers every operation honours, in the document a frontend generates its client from:
    ``Accept-Language`` on each request, ``Content-Language`` on each answer (both set by the request
    middleware), and ``If-Match`` as required wherever its absence answers 428."""
    for item in schema.get("paths", {}).values():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            params = op.setdefault("parameters", [])
            if not any(p.get("in") == "header" and p.get("name", "").lower() == "accept-language" for p in params):
                params.append(dict(ACCEPT_LANGUAGE))
            responses = op.get("responses", {})
            for response in responses.values():
                response["headers"] = {**response.get("headers", {}), "Content-Language": CONTENT_LANGUAGE}
            if "428" in responses:
                for p in params:
                    if p.get("in") == "header" and p.get("name", "").lower() == "if-match":
                        p["required"] = True


@contextmanager
def frozen_startup_objects() -> Iterator[None]:
    """Moves the objects of start-up (modules, models, the OpenAPI schema: ~100 000) out of the cyclic
    garbage collector's sight while serving. A full collection walks every tracked object, a few times a minute
    under load, landing on some request's latency (figures in docs/telemetry-analytics.md, the daily km's
    p95). Start-up objects live as long as the process, so they never need collecting."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def create_service_app(
    *,
    name: str,
    title: str,
    description: str,
    settings: ServiceSettings,
    routers: list[APIRouter],
    api_prefix: str = "",
    openapi_tags: list[dict[str, Any]] | None = None,
    readiness: dict[str, ReadinessCheck] | None = None,
    lifespan: Lifespan | None = None,
    version: str = __version__,
) -> FastAPI:
    """The app every service builds: problem+json errors, request ids, metrics, health, database.

    ``lifespan`` runs inside the shared one, after the engine exists (``app.state.engine``, and
    ``app.state.read_pool`` for the hot reads of :mod:`houqin_common.hotpath`).
    Operation ids are the handler names, so they stay stable for generated frontend clients.
    Each of ``routers`` is included by the app itself under ``api_prefix`` rather than through one
    router holding them all: FastAPI matches a request level by level and matches the chosen level again
    to dispatch it, so every extra level of routers costs route matching on every request.
    """
    configure_logging(name, settings.log_level, settings.log_json)

    async def database_ready(app: FastAPI) -> None:
        await check_database(app.state.engine)

    checks: dict[str, ReadinessCheck] = {"database": database_ready, **(readiness or {})}

    @asynccontextmanager
    async def app_lifespan(app: FastAPI) -> Any:
        engine = create_engine(
            settings.database_url,
            pool_size=settings.db_pool_size,
            pool_recycle_s=settings.db_pool_recycle_s,
            jit=settings.db_jit,
        )
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
        app.state.read_sessionmaker = make_read_sessionmaker(engine)
        app.state.read_pool = await ReadPool.open(
            settings.database_url, size=settings.db_pool_size, idle_s=settings.db_pool_recycle_s
        )
        try:
            async with lifespan(app) if lifespan is not None else nullcontext():
                with frozen_startup_objects():
                    yield
        finally:
            await app.state.read_pool.close()
            await engine.dispose()
            if tracer_provider is not None:
                tracer_provider.shutdown()

    telemetry, tracer_provider = telemetry_config(name, version, settings)

    app = ServiceApp(
        title=title,
        version=version,
        description=description,
        openapi_tags=[*(openapi_tags or []), {"name": "health", "description": "Liveness, readiness, metrics"}],
        lifespan=app_lifespan,
        generate_unique_id_function=lambda route: route.name,
        license_info={"name": "Apache-2.0", "identifier": "Apache-2.0"},
        telemetry=telemetry,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.tracer_provider = tracer_provider
    app.state.metrics = Metrics(name)
    install_error_handlers(app)
    for router in routers:
        app.include_router(router, prefix=api_prefix)
        app.state.metrics.name_routes(router.routes, api_prefix)
    # after the API: routes are matched in order, and the probes and the docs are a few requests a minute
    app.include_router(health_router(checks))
    install_api_docs(app, title=title)
    return app
