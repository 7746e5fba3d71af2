"""The ranking asks telemetry for every vendor's KPIs concurrently, not one round trip after another; the
components it sums are the registered ones."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from appraisal.scoring import components, service
from appraisal.scoring.service import PeriodData
from appraisal.settings import COMPONENTS, Settings
from houqin_common.schemas import EnergyKpi, VehicleKpi

VENDORS = [f"vendor-{n}" for n in range(5)]


class BarrierKpis:
    """Answers an energy KPI only once every vendor's request is in flight: a ranking that asks one vendor
    after another never gets past the first request."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.in_flight = 0
        self.most_in_flight = 0
        self.all_in = asyncio.Event()

    async def energy_kpi(self, vendor_id: str, period: str) -> EnergyKpi:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        if self.in_flight == self.expected:
            self.all_in.set()
        await self.all_in.wait()
        self.in_flight -= 1
        saving = 0.12 if vendor_id == VENDORS[0] else 0.0
        return EnergyKpi(
            vendor_id=vendor_id,
            period=period,
            meters=3,
            consumption_kwh=880.0,
            previous_kwh=1000.0,
            saving_ratio=saving,
        )

    async def vehicle_kpi(self, period: str, *, vendor_id: str | None = None) -> list[VehicleKpi]:
        return []


def period_data() -> PeriodData:
    return PeriodData(
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        assignments={v: {"maintenance"} for v in VENDORS},
        routine={v: [80.0] for v in VENDORS},
    )


async def test_every_vendors_energy_kpi_is_requested_at_once() -> None:
    kpis = BarrierKpis(expected=len(VENDORS))
    async with asyncio.timeout(10):  # a sequential ranking would wait on the barrier forever
        ranking = await service.rank(
            None,  # type: ignore[arg-type]  # the period data is given: no query runs
            period="2026",
            settings=Settings(),
            kpis=kpis,
            today=date(2027, 1, 15),
            data=period_data(),
        )
    assert kpis.most_in_flight == len(VENDORS)
    assert sorted(s.vendor_id for s in ranking) == VENDORS
    energy = {s.vendor_id: next(c for c in s.components if c.name == "energy") for s in ranking}
    assert all(c.available and c.score is not None for c in energy.values())
    # the one vendor that saved its target leads: the concurrent answers reached the right vendors
    assert ranking[0].vendor_id == VENDORS[0] and ranking[0].rank == 1
    assert energy[VENDORS[0]].score == 100.0


def test_every_component_of_the_settings_is_registered_once_in_order() -> None:
    assert [c.name for c in components.registered()] == list(COMPONENTS)
    assert set(components.REGISTRY) == set(COMPONENTS)
    with pytest.raises(ValueError, match=r"not in appraisal\.settings\.COMPONENTS"):
        components.component("punctuality")(components.routine)
    assert "punctuality" not in components.REGISTRY


class FixedKpis:
    def __init__(self, kpi: EnergyKpi) -> None:
        self.kpi = kpi

    async def energy_kpi(self, vendor_id: str, period: str) -> EnergyKpi:
        return self.kpi

    async def vehicle_kpi(self, period: str, *, vendor_id: str | None = None) -> list[VehicleKpi]:
        return []


async def test_an_energy_kpi_that_does_not_score_is_a_missing_component_not_zero() -> None:
    scored = EnergyKpi(vendor_id="v", period="2026H1", meters=3, consumption_kwh=880.0, saving_ratio=0.12)
    low = scored.model_copy(
        update={"saving_ratio": None, "not_scored": "low_coverage", "not_scored_reason": "only 9.0% compared"}
    )
    positive = await components._energy(FixedKpis(scored), "v", "2026H1", Settings())
    assert positive.score == 100.0
    missing = await components._energy(FixedKpis(low), "v", "2026H1", Settings())
    assert missing.score is None and missing.available
    assert missing.note is not None and "only 9.0% compared" in str(missing.note)
