"""Year-on-year and savings in yuan compare like for like: a meter commissioned this year is in the totals but
not in the compared yuan (year-on-year) nor in the priced meters (savings), and the scope says so; the
answers are the same from the rollups as from the raw readings."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from houqin_common.db import libpq_url
from oracles.energy_synthetic import register
from telemetry_ingest.analytics.config import AnalyticsSettings
from telemetry_ingest.energy.repository import MeterFilter
from telemetry_ingest.tariffs import service
from telemetry_ingest.tariffs.arithmetic import yuan
from telemetry_ingest.tariffs.schemas import TariffCreate

TZ = ZoneInfo("Asia/Shanghai")
JAN_2025, JAN_2026 = datetime(2025, 1, 1, tzinfo=TZ), datetime(2026, 1, 1, tzinfo=TZ)
FEB = timedelta(days=31)


@pytest.fixture
def seeded(fresh_database_url: str) -> Iterator[str]:
    with psycopg.connect(libpq_url(fresh_database_url), autocommit=True) as conn:
        for meter, starts in (("old", (JAN_2025, JAN_2026)), ("new", (JAN_2026,))):
            conn.execute(
                "INSERT INTO telemetry.meter (id, name, building, energy_type) VALUES (%s, %s, 'G', '01000')",
                (meter, meter),
            )
            with conn.cursor() as cur, cur.copy("COPY telemetry.reading (meter_id, ts, energy_kwh) FROM STDIN") as cp:
                for start in starts:
                    for ts, v in register(start, start + FEB, timedelta(minutes=15), lambda ts: 2.0 + ts.hour % 3):
                        cp.write_row((meter, ts, v))
    yield fresh_database_url


async def test_cost_comparisons_are_like_for_like(session: AsyncSession) -> None:
    tariff = {"id": "flat", "name": "flat", "energy_type": "01000", "effective_from": "2024-01-01"}
    await service.save_tariff(session, tariff_in=TariffCreate.model_validate({**tariff, "prices": {"single": "1.00"}}))
    answers = []
    for settings in (AnalyticsSettings(use_rollup=False), AnalyticsSettings()):
        yoy = await service.year_on_year(
            session,
            settings=settings,
            flt=MeterFilter(),
            start=JAN_2026,
            end=JAN_2026 + FEB,
            previous_start=JAN_2025,
            previous_end=JAN_2025 + FEB,
            group_by="meter",
        )
        old_now = await service.total_cost(
            session, settings=settings, flt=MeterFilter(meter_ids=["old"]), start=JAN_2026, end=JAN_2026 + FEB
        )
        old_before = await service.total_cost(
            session, settings=settings, flt=MeterFilter(meter_ids=["old"]), start=JAN_2025, end=JAN_2025 + FEB
        )
        # the totals hold the new meter; the compared yuan only the old meter's paired days
        assert {r.group for r in yoy.rows} == {"old", "new"} and yoy.current_cny > yoy.compared_cny  # type: ignore[operator]
        assert yoy.compared_cny == yuan(old_now.total_cost)
        assert yoy.compared_previous_cny == yuan(old_before.total_cost) == yoy.previous_cny
        assert yoy.scope is not None and (yoy.scope.meters_current, yoy.scope.meters_compared) == (2, 1)
        assert yoy.scope.meter_days_compared == 31 and yoy.compared_saving_ratio == 0.0  # same load both years
        savings = await service.savings(
            session,
            settings=settings,
            flt=MeterFilter(),
            baseline_start=date(2025, 1, 1),
            baseline_end=date(2025, 2, 1),
            start=date(2026, 1, 1),
            end=date(2026, 2, 1),
        )
        assert (savings.meters, savings.meters_left_out) == (["old"], ["new"])
        assert savings.actual_cny == yuan(old_now.total_cost) and savings.saved_cny == 0
        answers.append((yoy, savings))
        if not settings.use_rollup:
            await service.refresh_rollups(session, settings=settings)
        else:  # the second pass read the cost rollup
            assert await service.covered(
                session, settings=settings, flt=MeterFilter(), start=JAN_2026, end=JAN_2026 + FEB
            )
    assert answers[0] == answers[1]
