"""The router every domain declares its routes on: FastAPI's ``APIRouter`` that declines, before FastAPI tries
its routes one by one, a path none of them can match.

FastAPI matches a request by trying the routes of each included router in turn (a path regex and some
bookkeeping per route, ≈ 1.5-2 µs each on the development machine): a request to the last domain of a
service pays for every route of the domains included before it (appraisal's complaints came after 30
routes of four other domains; figures in docs/operations.md). :class:`ServiceRouter` answers ``matches``
with "no match" at once when the path contains none of its routes' literal beginnings (the text of a
route's path before its first ``{parameter}``). That is a necessary condition of a match wherever the
router is included, whatever the prefix: an included route's pattern is the inclusion prefix, then that
literal text, then the parameters. Everything else (which route matches, 404, 405, redirects, the
dependencies, the OpenAPI document) is FastAPI's own: the override only skips scans that cannot succeed.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.routing import Match
from starlette.types import Scope


def literal_heads(paths: list[str | None]) -> tuple[str, ...]:
    """The shortest literal beginnings that every one of ``paths`` starts with one of: each path's text before
    its first ``{``, without those that begin with another one (a path holding the longer holds the shorter).
    ``("",)`` (matches every path) when a route has no path (e.g. an included router) or a bare parameter."""
    heads = sorted({path.split("{", 1)[0] if path is not None else "" for path in paths})
    kept: list[str] = []
    for head in heads:  # sorted: a beginning comes before every head that starts with it
        if not any(head.startswith(shorter) for shorter in kept):
            kept.append(head)
    return tuple(kept)


class ServiceRouter(APIRouter):
    """A domain's ``APIRouter`` that declines at once a request whose path none of its routes can match
    (see the module docstring); otherwise exactly FastAPI's ``APIRouter``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._heads: tuple[str, ...] = ("",)
        self._heads_of = -1  # the number of routes the heads were computed for

    def literal_heads(self) -> tuple[str, ...]:
        """The literal beginnings of this router's routes (recomputed when routes were added since)."""
        if self._heads_of != len(self.routes):
            self._heads = literal_heads([getattr(route, "path", None) for route in self.routes])
            self._heads_of = len(self.routes)
        return self._heads

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        # the scope's path holds the route path (the path without the root path), so a head missing from
        # the one is missing from the other
        path: str = scope.get("path", "")
        for head in self.literal_heads():
            if head in path:
                return super().matches(scope)
        return Match.NONE, {}
