"""SQL fragments shared by the raw queries and the rollup refresh, so both compute one definition."""

from __future__ import annotations

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG), metres: the haversine distances in SQL and in Python use it."""

INTERVAL_KWH_SQL = """(CASE WHEN r.energy_kwh >= r.prev_kwh THEN r.energy_kwh - r.prev_kwh
     WHEN m.rollover IS NOT NULL AND r.prev_kwh >= m.rollover * (1 - CAST(:band AS float8))
          AND r.energy_kwh <= m.rollover * CAST(:band AS float8)
     THEN m.rollover - r.prev_kwh + r.energy_kwh
     ELSE r.energy_kwh END) * m.mult"""
"""kWh of the interval (prev reading, reading] of ``r`` for meter ``m``: the SQL twin of
:func:`telemetry_ingest.energy.arithmetic.register_delta` times the multiplier (one definition for the raw
queries and the rollup refresh)."""


def haversine_sql(lat1: str, lon1: str, lat2: str, lon2: str) -> str:
    """Great-circle metres between two points: the SQL twin of :func:`rules.haversine_m` (same radius)."""
    return (
        f"2 * {EARTH_RADIUS_M} * asin(least(1, sqrt(power(sin(radians({lat2} - {lat1}) / 2), 2)"
        f" + cos(radians({lat1})) * cos(radians({lat2})) * power(sin(radians({lon2} - {lon1}) / 2), 2))))"
    )


def segment_sql(alias: str) -> str:
    """Length ``m`` and duration ``dt`` of the segment from the previous fix (window ``w``) to this one."""
    return (
        haversine_sql(f"lag({alias}.lat) OVER w", f"lag({alias}.lon) OVER w", f"{alias}.lat", f"{alias}.lon")
        + f" AS m, extract(epoch FROM {alias}.ts - lag({alias}.ts) OVER w) AS dt"
    )
