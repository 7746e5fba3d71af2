"""The two-period tariff the cost tests price with (valley 23:00-07:30, peak 08:00-11:00, flat otherwise)."""

from __future__ import annotations

from datetime import date

from telemetry_ingest.tariffs.schemas import TariffCreate


def tariff(tid: str, effective_from: date, peak: str, **scope: str) -> TariffCreate:
    """Electricity at ``peak`` yuan/kWh 08:00-11:00, 0.65 flat, 0.27 valley; ``scope``/``scope_id`` narrow it.
    The valley ends at 07:30, inside an hour bucket, so hourly figures must split an hour by period."""
    return TariffCreate.model_validate(
        {
            "id": tid,
            "name": tid,
            "energy_type": "01000",
            "effective_from": effective_from,
            "prices": {"peak": peak, "flat": "0.65", "valley": "0.27"},
            "windows": [
                {"start": "23:00", "end": "07:30", "period": "valley"},
                {"start": "08:00", "end": "11:00", "period": "peak"},
            ],
            **scope,
        }
    )
