"""No route runs a dependency in a worker thread: FastAPI runs a plain ``def`` dependency through its
thread pool, two thread hand-offs on every request (docs/operations.md, "API hot path")."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import APIRouter, Depends
from fastapi.routing import APIRoute

from houqin_common.app import discover_services


def _sync_dependencies(dependant: Any, where: str) -> Iterator[str]:
    for sub in dependant.dependencies:
        call = sub.call
        # a function, or an instance whose __call__ FastAPI calls (a class or lru_cache wrapper: never async)
        function = call if inspect.isfunction(call) or inspect.ismethod(call) else type(call).__call__
        if not (inspect.iscoroutinefunction(function) or inspect.isasyncgenfunction(function)):
            yield f"{where}: {getattr(call, '__qualname__', repr(call))}"
        yield from _sync_dependencies(sub, where)


def _offenders(routers: list[APIRouter]) -> tuple[int, list[str]]:
    routes = [r for router in routers for r in router.routes if isinstance(r, APIRoute)]
    found = [o for r in routes for o in _sync_dependencies(r.dependant, f"{','.join(sorted(r.methods))} {r.path}")]
    return len(routes), found


def test_a_plain_def_dependency_is_found() -> None:
    def settings() -> int:
        return 1

    async def cached() -> int:
        return 1

    router = APIRouter()

    @router.get("/sync")
    async def uses_sync(value: int = Depends(settings)) -> int:
        return value

    @router.get("/async")
    async def uses_async(value: int = Depends(cached)) -> int:
        return value

    assert _offenders([router]) == (2, ["GET /sync: test_a_plain_def_dependency_is_found.<locals>.settings"])


@pytest.mark.parametrize("name", sorted(discover_services()))
def test_no_route_of_a_service_has_a_plain_def_dependency(name: str) -> None:
    spec = discover_services()[name]
    routers: list[APIRouter] = importlib.import_module(f"{spec.package}.api").ROUTERS
    count, offenders = _offenders(routers)
    assert count > 20, "the service's routes were not found"
    assert offenders == []
