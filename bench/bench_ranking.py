"""A ranking's wait on telemetry: the vendors scored concurrently (``rank``) against the old way, one vendor
after another, in the same run. Telemetry is a stand-in answering after a fixed latency
(``BENCH_KPI_LATENCY_MS``, default 20), so the figure is the structure of the calls, not telemetry's speed."""

from __future__ import annotations

import asyncio
import os
import time
from datetime import date

from appraisal.scoring import service
from appraisal.scoring.components import PeriodData
from appraisal.settings import Settings
from houqin_common.schemas import EnergyKpi, VehicleKpi

VENDORS = [f"vendor-{n:02d}" for n in range(int(os.environ.get("BENCH_VENDORS", "23")))]
LATENCY_S = int(os.environ.get("BENCH_KPI_LATENCY_MS", "20")) / 1000
REPEAT = 5


class DelayedKpis:
    async def energy_kpi(self, vendor_id: str, period: str) -> EnergyKpi:
        await asyncio.sleep(LATENCY_S)
        return EnergyKpi(vendor_id=vendor_id, period=period, meters=3, consumption_kwh=900.0, saving_ratio=0.05)

    async def vehicle_kpi(self, period: str, *, vendor_id: str | None = None) -> list[VehicleKpi]:
        await asyncio.sleep(LATENCY_S)
        return []


def _data() -> PeriodData:
    return PeriodData(
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        assignments={v: {"maintenance"} for v in VENDORS},
        routine={v: [80.0] for v in VENDORS},
    )


async def _sequential(data: PeriodData, settings: Settings) -> None:
    for vendor in VENDORS:  # the baseline: one vendor's telemetry round trip after another
        await service.score_vendor(data, vendor, "2026", settings, DelayedKpis(), date(2027, 1, 15))


async def _concurrent(data: PeriodData, settings: Settings) -> None:
    await service.rank(None, period="2026", settings=settings, kpis=DelayedKpis(), today=date(2027, 1, 15), data=data)  # type: ignore[arg-type]


async def _bench() -> None:
    data, settings = _data(), Settings()
    results = {}
    for name, fn in (("sequential (baseline)", _sequential), ("concurrent (rank)", _concurrent)):
        start = time.perf_counter()
        for _ in range(REPEAT):
            await fn(data, settings)
        results[name] = (time.perf_counter() - start) / REPEAT
    print(f"{len(VENDORS)} vendors with meters, telemetry latency {LATENCY_S * 1000:.0f} ms, mean of {REPEAT}:")
    for name, seconds in results.items():
        print(f"  {name:<24} {seconds * 1000:8.1f} ms per ranking")


def main() -> None:
    asyncio.run(_bench())
