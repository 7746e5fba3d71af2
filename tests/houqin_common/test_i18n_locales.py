"""The library's texts are zh-CN by default and English on request: problem titles and details,
validation reasons (by pydantic error type), auth errors, the clients' messages, CLI output."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from typer.testing import CliRunner

from houqin_common import i18n
from houqin_common.auth import Role
from houqin_common.cli import app as houqin_cli
from houqin_common.clients import NotFoundError
from support import auth


@pytest.fixture
def no_locale_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a real deployment: nothing says which language, so it is zh-CN."""
    monkeypatch.delenv("HOUQIN_LOCALE", raising=False)


def test_negotiation_prefers_the_header_then_houqin_locale_then_zh_cn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOUQIN_LOCALE", raising=False)
    assert i18n.negotiate(None) == "zh_CN" and i18n.negotiate("fr, de;q=0.5") == "zh_CN"
    assert i18n.negotiate("en-GB,zh;q=0.5") == "en" and i18n.negotiate("zh-TW, en;q=0.9") == "zh_CN"
    assert i18n.negotiate("zh;q=0.2, en;q=0.8") == "en"
    monkeypatch.setenv("HOUQIN_LOCALE", "en")
    assert i18n.negotiate(None) == "en" and i18n.negotiate("zh-CN") == "zh_CN"


async def test_auth_problems_are_chinese_by_default_and_english_on_request(
    service_client: Callable[..., Any], no_locale_env: None
) -> None:
    client = await service_client("appraisal")
    zh = await client.get("/v1/scores", params={"period": "2026"})
    assert zh.status_code == 401 and zh.headers["content-language"] == "zh-CN"
    assert zh.json()["title"] == "需要身份认证" and zh.json()["detail"].startswith("缺少令牌")
    en = await client.get("/v1/scores", params={"period": "2026"}, headers={"Accept-Language": "en"})
    assert en.headers["content-language"] == "en"
    assert en.json()["title"] == "Authentication required" and en.json()["detail"].startswith("Missing bearer token")
    assert zh.json()["type"] == en.json()["type"] == "https://houqin.dev/problems/unauthorized"


async def test_forbidden_and_no_route_details_follow_the_reader(
    service_client: Callable[..., Any], make_token: Callable[..., str], no_locale_env: None
) -> None:
    client = await service_client("appraisal")
    staff = auth(make_token(Role.staff))
    zh = await client.post("/v1/awards/2099/evaluate", headers=staff)
    assert (
        zh.status_code == 403
        and zh.json()["detail"].startswith("此操作需要以下角色之一")
        and zh.json()["title"] == "无权访问"
    )
    en = await client.post("/v1/awards/2099/evaluate", headers={**staff, "Accept-Language": "en"})
    assert en.json()["detail"].startswith("This operation needs one of the roles")
    nowhere = await client.get("/v1/nowhere")
    assert nowhere.status_code == 404 and nowhere.json()["detail"] == "不存在的接口：GET /v1/nowhere"
    assert (await client.get("/v1/nowhere", headers={"Accept-Language": "en"})).json()["detail"] == (
        "No route GET /v1/nowhere"
    )


async def test_validation_reasons_are_translated_by_error_type(
    service_client: Callable[..., Any], make_token: Callable[..., str], no_locale_env: None
) -> None:
    client = await service_client("appraisal")
    body = {"category": "nope", "description": "", "contact": "x" * 300, "extra": 1}
    zh = await client.post("/v1/feedback", json=body)
    assert zh.status_code == 422 and zh.json()["title"] == "数据校验未通过"
    reasons = {p["name"]: p["reason"] for p in zh.json()["invalid-params"]}
    assert reasons["body.description"] == "至少需要 1 个字符"
    assert reasons["body.contact"] == "不能超过 200 个字符"
    assert reasons["body.extra"] == "不允许出现此字段"
    assert (
        reasons["body.category"].startswith("必须是以下之一：canteen_dishes, ")
        and " or " not in reasons["body.category"]
    )
    assert zh.json()["detail"].startswith("body.") and "（另有 3 项）" in zh.json()["detail"]
    en = await client.post("/v1/feedback", json=body, headers={"Accept-Language": "en"})
    reasons = {p["name"]: p["reason"] for p in en.json()["invalid-params"]}
    assert reasons["body.description"] == "must have at least 1 character(s)"
    assert reasons["body.extra"] == "this field is not allowed"
    # a custom validator's message (a ValueError raised with _()) is the reason as it is
    sup = auth(make_token(Role.supervisor))
    campaign = await client.post("/v1/campaigns", json={"period": "2026Q3"}, headers=sup)
    assert campaign.status_code == 422, campaign.text
    reasons = {p["name"]: p["reason"] for p in campaign.json()["invalid-params"]}
    assert reasons["body.period"] == "测评期应为半年度（如 2026H1）或年度"
    assert reasons["body.template_id"] == "此字段为必填项"


def test_client_errors_speak_the_current_language() -> None:
    with i18n.use_locale("zh_CN"):
        zh = str(NotFoundError(404, {"detail": "x"}, service="appraisal"))
    with i18n.use_locale("en"):
        en = str(NotFoundError(404, {"detail": "x"}, service="appraisal"))
    assert zh == "appraisal 返回 404：x" and en == "appraisal answered 404: x"


def test_cli_output_is_chinese_by_default() -> None:
    runner = CliRunner()
    zh = runner.invoke(houqin_cli, ["token", "--role", "vendor"], env={"HOUQIN_LOCALE": None})
    assert zh.exit_code != 0 and "使用 --role vendor 时必须提供 --vendor" in zh.output
    en = runner.invoke(houqin_cli, ["token", "--role", "vendor"], env={"HOUQIN_LOCALE": "en"})
    assert "--vendor is required with --role vendor" in en.output


def test_a_stored_text_renders_in_the_reader_language_and_round_trips_through_json() -> None:
    """A worker stores msgid + parameters (nested, and a foreign text kept verbatim); a reader renders it."""
    inner = i18n.Text(i18n.N_("must be at least {ge}"), {"ge": "-90"})
    outer = i18n.Text(i18n.N_("{where}: {reason}"), {"where": "lat", "reason": inner})
    foreign = i18n.Text.verbatim("Input should be {odd}")
    for text in (outer, foreign):
        assert i18n.Text.from_json(text.to_json()) == text
    with i18n.use_locale("en"):
        assert outer.render() == "lat: must be at least -90" and str(foreign) == "Input should be {odd}"
    with i18n.use_locale("zh_CN"):
        zh = outer.render()
        assert zh != "lat: must be at least -90" and zh.startswith("lat") and "-90" in zh
        assert outer.english() == "lat: must be at least -90"  # the searchable English form, in any locale
        assert str(foreign) == "Input should be {odd}"  # never looked up, never formatted


def test_a_text_error_is_a_value_error_that_speaks_the_current_language() -> None:
    err = i18n.TextError(i18n.N_("ts must carry a UTC offset (e.g. +08:00 or Z)"))
    assert isinstance(err, ValueError) and err.text.msgid.startswith("ts must carry")
    with i18n.use_locale("en"):
        assert str(err) == "ts must carry a UTC offset (e.g. +08:00 or Z)"
    with i18n.use_locale("zh_CN"):
        assert str(err) != "ts must carry a UTC offset (e.g. +08:00 or Z)" and "+08:00" in str(err)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [(None, "列出 --days 天内到期的合同"), ("en", "Contracts ending within --days days")],
)
def test_service_command_help_speaks_the_locale_of_the_process(locale: str | None, expected: str) -> None:
    """Help texts are built when the CLI starts, in the process's language (a fresh process: the one in
    the test already built its help in English)."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "HOUQIN_LOCALE"} | ({"HOUQIN_LOCALE": locale} if locale else {})
    out = subprocess.run(
        [sys.executable, "-m", "houqin_common", "contracts", "expiring", "--help"],
        env=env | {"COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert expected in out


def test_a_list_parameter_renders_joined_in_the_reader_language_and_survives_json() -> None:
    grounds = [i18n.Text.verbatim("veto:poor_credit: 信誉差"), i18n.Text(i18n.N_("must be a number"))]
    text = i18n.Text(i18n.N_("{where}: {reason}"), {"where": "x", "reason": grounds})
    assert i18n.Text.from_json(text.to_json()) == text
    with i18n.use_locale("en"):
        assert text.render() == "x: veto:poor_credit: 信誉差; must be a number"
    with i18n.use_locale("zh_CN"):
        assert text.render() == "x：veto:poor_credit: 信誉差；必须是数字"
    assert i18n.Text.shown("stored before") == "stored before"  # plain strings of older rows pass through
