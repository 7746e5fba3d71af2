"""Structured logging, request ids, Prometheus metrics and health endpoints."""

from __future__ import annotations

import contextvars
import itertools
import json
import logging
import os
import socket
import sys
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi.telemetry import TelemetryConfig
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from houqin_common import i18n
from houqin_common.routing import ServiceRouter
from houqin_common.settings import ServiceSettings, TracingExporter

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

REQUEST_ID_HEADER = "X-Request-ID"
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

_RESERVED = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the request id of the current request."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        rid = request_id_var.get()
        if rid:
            data["request_id"] = rid
        for key, value in record.__dict__.items():
            if key not in _RESERVED and not key.startswith("_"):
                data[key] = value
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data, default=str, ensure_ascii=False)


def configure_logging(service: str, level: str = "INFO", json_lines: bool = True) -> None:
    """Route the root logger to stderr as JSON lines (or plain text for humans)."""
    handler = logging.StreamHandler(sys.stderr)
    if json_lines:
        handler.setFormatter(JsonFormatter(service))
    else:
        handler.setFormatter(logging.Formatter(f"%(asctime)s {service} %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


class Metrics:
    """Per-app Prometheus registry: request count and latency per route template."""

    def __init__(self, service: str) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "http_requests_total",
            "HTTP requests by route and status",
            ["service", "method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "HTTP request latency by route",
            ["service", "method", "route"],
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.service = service
        # labels() hashes and validates its arguments on every call; the children are stable per route
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        #: id of a route -> its path as requested (the prefix it is included under, then its own path)
        self._templates: dict[int, str] = {}

    def name_routes(self, routes: Iterable[Any], prefix: str) -> None:
        """Label ``routes`` (those of a router included under ``prefix``) with their whole path template: the
        route the middleware sees is the one declared in its router, whose path lacks ``prefix``."""
        for route in routes:
            path = getattr(route, "path", None)
            if path is not None:
                self._templates[id(route)] = prefix + path

    def template(self, route: Any) -> str:
        """The path template a request is counted under: its route's whole path, ``unmatched`` without one."""
        return self._templates.get(id(route)) or getattr(route, "path", None) or "unmatched"

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one request and its latency under its route template."""
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            children = (
                self.requests.labels(self.service, method, route, str(status)),
                self.latency.labels(self.service, method, route),
            )
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)


class RequestIds:
    """Request ids for requests that bring none: 32 hex digits, a random prefix per process then a counter
    (unique per process and across processes, a few hundred nanoseconds instead of ``uuid4``'s system call
    and object per request). A forked child draws a prefix of its own."""

    def __init__(self) -> None:
        self.restart()
        os.register_at_fork(after_in_child=self.restart)

    def restart(self) -> None:
        self.prefix = os.urandom(8).hex()
        self.counter = itertools.count(1)

    def next(self) -> str:
        return f"{self.prefix}{next(self.counter):016x}"


request_ids = RequestIds()

#: the headers the middleware adds to every answer, beside the request id
_VARY = (b"vary", b"Accept-Language")
_CONTENT_LANGUAGE = {locale: (b"content-language", tag.encode("latin-1")) for locale, tag in i18n.SUPPORTED.items()}


class RequestContextMiddleware:
    """Pure ASGI middleware: assigns/propagates X-Request-ID, sets the language of the texts, records
    metrics. Everything that does not depend on the request is computed once (module level)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = None
        accept_language = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                rid = value.decode("latin-1")[:128]
            elif name == b"accept-language":
                accept_language = value.decode("latin-1")
        rid = rid or request_ids.next()
        scope.setdefault("state", {})["request_id"] = rid
        token = request_id_var.set(rid)
        locale = i18n.negotiate(accept_language)
        locale_token = i18n.set_locale(locale)
        added = ((b"x-request-id", rid.encode("latin-1")), _CONTENT_LANGUAGE[locale], _VARY)
        status = 500
        start = time.perf_counter()

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), *added]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            path = self.metrics.template(scope.get("route"))
            self.metrics.observe(scope["method"], path, status, time.perf_counter() - start)
            request_id_var.reset(token)
            i18n.reset_locale(locale_token)


#: Paths never traced: probes and scrapes would drown the request spans.
UNTRACED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


def telemetry_config(
    service: str, version: str, settings: ServiceSettings
) -> tuple[TelemetryConfig, TracerProvider | None]:
    """FastAPI's native OpenTelemetry settings for ``settings``, and the tracer provider when tracing is on.

    Off (the default) every signal is disabled explicitly, so FastAPI adds no span, metric or log per
    request even when some library installs a global provider; Prometheus metrics stay ours. On, the
    service gets its own provider (not the process-global one) exporting in batches to OTLP/HTTP or the
    console; the caller shuts it down with the app.
    """
    off: TelemetryConfig = {
        "tracing": False,
        "metrics": False,
        "logs": False,
        "operation_spans": False,
        "auto_configure": False,
    }
    if not settings.tracing:
        return off, None
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter

    exporter: SpanExporter
    if settings.tracing_exporter == TracingExporter.console:
        exporter = ConsoleSpanExporter(out=sys.stderr)
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=settings.tracing_otlp_endpoint)
    provider = TracerProvider(
        resource=Resource.create({"service.name": service, "service.version": version}), shutdown_on_exit=False
    )
    provider.add_span_processor(BatchSpanProcessor(exporter))
    config: TelemetryConfig = {
        **off,
        "tracing": True,
        "operation_spans": True,
        "tracer_provider": provider,
        "exclude": lambda scope: scope.get("path") in UNTRACED_PATHS,
    }
    return config, provider


ReadinessCheck = Callable[[FastAPI], Awaitable[None]]


#: Set by `houqin up` per child: /readyz answers with it, so the parent knows the answer is its own child's.
INSTANCE_ID = os.environ.get("HOUQIN_INSTANCE_ID") or f"{socket.gethostname()}-{os.getpid()}"


def health_router(checks: dict[str, ReadinessCheck]) -> APIRouter:
    """`/healthz` (process up), `/readyz` (dependencies reachable) and `/metrics`."""
    router = ServiceRouter(tags=["health"])

    @router.get(
        "/healthz",
        operation_id="healthz",
        summary="Process is up",
        response_model=dict[str, str],
        responses={200: {"content": {"application/json": {"example": {"status": "ok"}}}}},
    )
    async def healthz() -> Response:
        return Response(b'{"status":"ok"}', media_type="application/json")

    @router.get(
        "/readyz",
        operation_id="readyz",
        summary="Dependencies are reachable",
        responses={
            200: {
                "content": {
                    "application/json": {
                        "example": {"status": "ok", "checks": {"database": "ok"}, "instance": "houqin-7f3a9c"}
                    }
                }
            },
            503: {"description": "a dependency is unreachable"},
        },
    )
    async def readyz(request: Request) -> JSONResponse:
        results: dict[str, str] = {}
        ok = True
        for name, check in checks.items():
            try:
                await check(request.app)
                results[name] = "ok"
            except Exception as exc:  # a readiness probe reports, it never raises
                ok = False
                results[name] = f"error: {type(exc).__name__}: {exc}"[:300]
        body = {"status": "ok" if ok else "unavailable", "checks": results, "instance": INSTANCE_ID}
        return JSONResponse(body, status_code=200 if ok else 503)

    @router.get("/metrics", operation_id="metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics(request: Request) -> Response:
        registry: CollectorRegistry = request.app.state.metrics.registry
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return router
