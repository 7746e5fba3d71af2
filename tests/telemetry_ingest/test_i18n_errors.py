"""Errors of the registry, energy and fleet APIs read in Chinese by default and in English on request;
the machine-readable parts (status, `type`, invalid-params names) do not change with the language.

The test session sets HOUQIN_LOCALE=en, so the Chinese default is asked for with `Accept-Language: zh-CN`.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from houqin_common.auth import Role
from support import auth

ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}


def uid(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def _both(client: Any, method: str, url: str, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The same failing request in zh-CN and in en: same status and type, the two bodies."""
    headers = kwargs.pop("headers", {})
    zh = await client.request(method, url, headers={**headers, **ZH}, **kwargs)
    en = await client.request(method, url, headers={**headers, **EN}, **kwargs)
    assert zh.status_code == en.status_code, (zh.text, en.text)
    assert zh.headers["content-type"].startswith("application/problem+json")
    assert zh.json()["type"] == en.json()["type"]
    return zh.json(), en.json()


async def test_a_missing_meter_is_reported_in_chinese_or_english(service_client: Any, make_token: Any) -> None:
    client = await service_client("telemetry")
    missing = uid("M")
    zh, en = await _both(client, "GET", f"/v1/meters/{missing}", headers=auth(make_token(Role.supervisor)))
    assert zh["status"] == 404
    assert zh["detail"] == f"未找到表计 {missing}"
    assert en["detail"] == f"meter {missing} not found"


async def test_an_energy_code_reason_is_translated_and_names_the_same_field(
    service_client: Any, make_token: Any
) -> None:
    client = await service_client("telemetry")
    headers = auth(make_token(Role.supervisor))
    body = {"id": uid("M"), "name": "A座 冷站", "building": "A", "energy_type": "02000", "sub_item": "01B10"}
    zh, en = await _both(client, "POST", "/v1/meters", json=body, headers=headers)
    assert zh["status"] == 422
    # the field at fault does not depend on the words of the message
    assert zh["invalid-params"][0]["name"] == en["invalid-params"][0]["name"] == "body.sub_item"
    assert zh["invalid-params"][0]["reason"] == "sub_item '01B10' 不是 '02000' 下的分项"
    assert en["invalid-params"][0]["reason"] == "sub_item '01B10' is not a sub-item of '02000'"
    # positive control: the same meter under its own energy type is accepted
    good = await client.post("/v1/meters", json={**body, "energy_type": "01000"}, headers={**headers, **ZH})
    assert good.status_code == 201, good.text


async def test_an_energy_window_error_is_translated(service_client: Any, make_token: Any) -> None:
    client = await service_client("telemetry")
    params = {"start": "2026-03-02T00:00:00+08:00", "end": "2026-03-01T00:00:00+08:00", "granularity": "day"}
    zh, en = await _both(
        client, "GET", "/v1/energy/consumption", params=params, headers=auth(make_token(Role.supervisor))
    )
    assert zh["status"] == 422
    assert zh["detail"] == "结束时间须晚于开始时间"
    assert en["detail"] == "end must be after start"


@pytest.mark.parametrize(
    ("language", "detail"),
    [
        (None, "未找到服务单位 vendor-other"),
        ("zh-CN", "未找到服务单位 vendor-other"),
        ("en", "vendor vendor-other not found"),
    ],
)
async def test_a_fleet_scope_error_is_chinese_unless_english_is_asked_for(
    service_client: Any, make_token: Any, monkeypatch: pytest.MonkeyPatch, language: str | None, detail: str
) -> None:
    """Without Accept-Language the default locale applies: zh-CN, as a deployment has no HOUQIN_LOCALE."""
    monkeypatch.delenv("HOUQIN_LOCALE", raising=False)
    client = await service_client("telemetry")
    headers = auth(make_token(Role.vendor, vendor_id="vendor-own"))
    if language is not None:
        headers["Accept-Language"] = language
    response = await client.get("/v1/alerts", params={"vendor_id": "vendor-other"}, headers=headers)
    assert response.status_code == 404
    assert response.json()["detail"] == detail
    # positive control: the vendor's own alerts are listed
    own = await client.get("/v1/alerts", params={"vendor_id": "vendor-own"}, headers=headers)
    assert own.status_code == 200, own.text
