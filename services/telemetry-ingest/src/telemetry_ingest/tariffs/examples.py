"""The shipped EXAMPLE tariff set (``example = true``): plausible prices of a Jiangsu-like province for the
demo and for a first look, never the office's own. The office enters its tariffs from its price notices
(``PUT /v1/energy/tariffs/{id}`` or ``houqin telemetry tariffs-import``); a version with a later
``effective_from`` or a narrower scope replaces these."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

from telemetry_ingest.tariffs.arithmetic import Period
from telemetry_ingest.tariffs.schemas import TariffCreate, TariffWindow

NOTE = "示例价格，仅供演示，并非正式公布的价格：请录入本单位的价格通知"

#: general industrial and commercial time-of-use electricity (一般工商业分时电价), example ratio 1.6 : 1 : 0.4
#: with a 20 % critical-peak uplift in July and August
EXAMPLE_TARIFFS = (
    TariffCreate(
        id="example-electricity-tou",
        name="示例：分时电价",
        energy_type="01000",
        effective_from=date(2024, 1, 1),
        unit="kWh",
        prices={
            Period.critical: Decimal("1.2836"),
            Period.peak: Decimal("1.0697"),
            Period.flat: Decimal("0.6685"),
            Period.valley: Decimal("0.2674"),
        },
        windows=[
            TariffWindow(start=time(0), end=time(8), period=Period.valley),
            TariffWindow(start=time(8), end=time(11), period=Period.peak),
            TariffWindow(start=time(17), end=time(22), period=Period.peak),
            TariffWindow(start=time(14), end=time(15), period=Period.critical, months=[7, 8]),
        ],
        example=True,
        note=NOTE,
    ),
    TariffCreate(
        id="example-water",
        name="示例：非居民用水（含污水处理费）",
        energy_type="02000",
        effective_from=date(2024, 1, 1),
        unit="m³",
        prices={Period.single: Decimal("4.90")},
        example=True,
        note=NOTE,
    ),
    TariffCreate(
        id="example-gas",
        name="示例：非居民天然气",
        energy_type="03000",
        effective_from=date(2024, 1, 1),
        unit="m³",
        prices={Period.single: Decimal("3.50")},
        example=True,
        note=NOTE,
    ),
    TariffCreate(
        id="example-heat",
        name="示例：集中供热",
        energy_type="04000",
        effective_from=date(2024, 1, 1),
        unit="GJ",
        prices={Period.single: Decimal("45.00")},
        example=True,
        note=NOTE,
    ),
)
