"""Published score notes are stored language-neutral (msgid and parameters) for every component, the
telemetry KPIs and issue 26/27's components included, and render in each reader's language: a snapshot
published with `Accept-Language: en` reads in Chinese by default and in English on request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from appraisal.main import create_app
from appraisal.settings import Settings
from appraisal_testkit import World
from houqin_common.auth import Role
from houqin_common.i18n import Text, use_locale
from support import TEST_SECRET, asgi_client, auth, json_server

OVERRIDE = {"override": True, "justification": "测试:提前公布"}
PERIOD = "2073H1"


def _kpi(vendor_id: str) -> dict[str, Any]:
    return {
        "vendor_id": vendor_id,
        "period": PERIOD,
        "meters": 3,
        "consumption_kwh": 880.0,
        "previous_kwh": 1000.0,
        "saving_ratio": 0.12,
        "waste_alerts": 1,
        "cost_cny": "880.00",
        "previous_cost_cny": "1000.00",
        "cost_saving_ratio": 0.12,
    }


def _zh(msgid: str, **params: Any) -> str:
    with use_locale("zh_CN"):
        return Text(msgid, params).render()


async def test_notes_of_a_snapshot_published_in_english_read_in_chinese_by_default(
    test_env: dict[str, str], make_token: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with json_server([]) as telemetry:
        settings = Settings(
            database_url=test_env["HOUQIN_DATABASE_URL"],
            jwt_secret=TEST_SECRET,
            telemetry_url=telemetry.url,
            http_retries=0,
        )
        async with asgi_client(create_app(settings)) as client:
            world = await World(client, make_token).build(period=PERIOD, project_codes=["maintenance"])
            vendor_id = world.vendors["maintenance"]
            telemetry.routes["/v1/kpis/energy"] = _kpi(vendor_id)
            for t in await world.tokens(2):
                assert (await world.answer(t, "excellent")).status_code == 201
            sup = auth(make_token(Role.supervisor))
            published = await client.post(
                f"/v1/periods/{PERIOD}/publish", json=OVERRIDE, headers={**sup, "Accept-Language": "en"}
            )
            assert published.status_code == 201, published.text

            def notes(body: dict[str, Any]) -> dict[str, str]:
                score = next(s for s in body["ranking"] if s["vendor_id"] == vendor_id)
                return {c["code"]: c["note"] for c in score["components"]}

            english = notes(published.json())
            assert english["energy"] == "3 meters, saving 12.0% year on year, 1 waste alerts", english
            assert english["guidance"] == "attended 0 of 0 trainings, 0 guidance findings open"
            monkeypatch.delenv("HOUQIN_LOCALE")  # the office's default: Chinese unless English is asked for
            chinese = notes((await client.get(f"/v1/periods/{PERIOD}/publication", headers=sup)).json())
            assert chinese["energy"] == _zh(
                "{meters} meters, saving {saving} year on year, {alerts} waste alerts",
                meters=3,
                saving="12.0%",
                alerts=1,
            )
            assert chinese["guidance"] == _zh(
                "attended {attended} of {invited} trainings, {open} guidance findings open",
                attended=0,
                invited=0,
                open=0,
            )
            for name, note in chinese.items():  # every component, not only these two
                assert note != english[name], name
            again = notes(
                (await client.get(f"/v1/periods/{PERIOD}/publication", headers={**sup, "Accept-Language": "en"})).json()
            )
            assert again == english
