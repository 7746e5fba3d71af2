"""`/docs` (Swagger UI) and `/redoc` (ReDoc) of every service render on a closed network: each page and
every asset it links is served by the service itself, from the package the project installs."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest

from houqin_common.app import discover_services

#: the links of a page: src= and href= attributes, and the url: / spec-url values of the inline scripts
LINK = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|\burl\s*:\s*['"]([^'"]+)['"]|spec-url=["']([^"']+)["']""")
ABSOLUTE = re.compile(r"""https?://[^\s"'<>)]+""")
CONTENT_TYPES = {".js": "javascript", ".css": "text/css", ".png": "image/png", ".json": "application/json"}


def links(html: str) -> list[str]:
    return sorted({next(g for g in match.groups() if g) for match in LINK.finditer(html)})


def offsite_urls(html: str) -> list[str]:
    """Absolute http(s) URLs in a page: each would be fetched from another host."""
    return ABSOLUTE.findall(html)


@pytest.mark.parametrize("service", sorted(discover_services()))
@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_docs_page_and_every_asset_it_links_are_served_locally(
    service: str, page: str, service_client: Callable[[str], Any]
) -> None:
    client = await service_client(service)
    response = await client.get(page)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert offsite_urls(html) == []
    found = links(html)
    # Swagger UI: its script, its stylesheet, the favicon, the OpenAPI document; ReDoc: script, favicon, document
    assert len(found) >= (4 if page == "/docs" else 3), found
    assert "/openapi.json" in found
    for link in found:
        assert urlsplit(link).netloc == "", link
        asset = await client.get(link)
        assert asset.status_code == 200, link
        suffix = link[link.rfind(".") :]
        assert CONTENT_TYPES[suffix] in asset.headers["content-type"], (link, asset.headers["content-type"])
        assert len(asset.content) > 100, link


def test_the_link_checks_catch_a_cdn_page() -> None:
    """Positive control: FastAPI's default page (CDN-hosted Swagger UI) fails the checks above."""
    from fastapi.openapi.docs import get_swagger_ui_html

    html = get_swagger_ui_html(openapi_url="/openapi.json", title="t").body.decode()
    assert offsite_urls(html)
    assert any(urlsplit(link).netloc for link in links(html))
