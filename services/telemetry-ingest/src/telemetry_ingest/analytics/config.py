"""Settings of the telemetry analytics (energy, fleet, KPIs): env prefix ``HOUQIN_TELEMETRY_``.

Kept apart from the ingest pipeline's ``settings.py``; every policy number is a field here.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class AnalyticsSettings(BaseSettings):
    """Policy numbers of the energy and fleet analytics, with defaults from DOMAIN.md."""

    model_config = SettingsConfigDict(env_prefix="HOUQIN_TELEMETRY_", extra="ignore")

    # issue 26: alarm events (houqin/v1/alarms/{panel_id}/events) that open hazards in appraisal
    alarm_hazard_after_s: dict[str, float] = Field(
        default={"fire_alarm": 300.0, "fault": 4 * 3600.0},
        description="event types that open (or join) a hazard in appraisal when not cleared within these seconds "
        "(a fire alarm: confirmed and not reset in 5 min; a fault: not repaired in 4 h); tests never do",
    )
    alarm_watch_batch: int = Field(
        default=200, gt=0, description="alarm events reported to appraisal per pass, at most"
    )
    timezone: str = Field(default="Asia/Shanghai", description="local time zone of buckets, calendars and periods")
    reading_interval_s: int = Field(default=900, gt=0, description="expected meter reading interval (coverage KPI)")
    rollover_band: float = Field(
        default=0.1,
        gt=0,
        lt=0.5,
        description="a falling register is a rollover when the previous value was in the top band and the new one "
        "in the bottom band of meter.rollover (share of the range); otherwise it is a reset",
    )
    register_lookback_h: float = Field(
        default=24.0, gt=0, description="how far before a period the previous register value is looked for"
    )
    use_rollup: bool = Field(
        default=True,
        description="answer hour/day/month queries from the hourly/daily/monthly rollups up to the first hour "
        "with readings not yet rolled up (the raw readings answer the rest)",
    )
    heating_base_c: float = Field(default=18.0, description="base temperature of heating degree days (HDD)")
    cooling_base_c: float = Field(default=26.0, description="base temperature of cooling degree days (CDD)")
    temperature_station: str = Field(default="default", description="weather station used when none is given")
    energy_calendar_id: str | None = Field(
        default=None, description="calendar (working hours, sealed holidays) of the buildings; default Mon-Fri"
    )
    waste_percentile: float = Field(
        default=80.0,
        gt=0,
        le=100,
        description="a meter's expected load of an hour category is this percentile of its own daily averages "
        "of that category over the history window (80: robust to a fifth of past days being waste themselves)",
    )
    waste_tolerance: float = Field(default=0.15, ge=0, description="waste when the load exceeds expected x (1 + this)")
    waste_min_excess_kw: float = Field(
        default=0.5, ge=0, description="... and exceeds the expected load by at least this many kW (noise floor)"
    )
    waste_history_days: int = Field(default=28, ge=7, description="days of a meter's own history it is judged against")
    waste_min_history: int = Field(
        default=3, ge=1, description="fewest days of own history of a category needed to judge it (else no alert)"
    )
    vacuum_after_touched: int = Field(
        default=100_000,
        ge=1,
        description="a worker pass that consumed at least this many touched (subject, hour) ranges vacuums the "
        "invalidation log and the rollups right away: after a bulk backfill the log holds millions of dead "
        "entries that slow every query's pending-range look-up until autovacuum comes (if it is on)",
    )
    energy_kpi_min_compared_share: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="the energy KPI scores only when at least this share of the period's meter-days (energy "
        "carriers) can be compared with the same meter's same day a year earlier; below, it answers null "
        "with the reason and the appraisal counts energy as a missing component",
    )
    # fleet
    max_plausible_speed_kmh: float = Field(
        default=200.0, gt=0, description="a fix implying a faster jump from the previous one is a GPS jump"
    )
    moving_speed_kmh: float = Field(default=5.0, ge=0, description="speed above which a vehicle is moving")
    min_trip_distance_m: float = Field(default=300.0, ge=0, description="shorter movements are not trips")
    min_trip_duration_s: float = Field(default=120.0, ge=0, description="shorter movements are not trips")
    min_parking_s: float = Field(default=300.0, gt=0, description="a standstill at least this long ends a trip")
    default_speed_limit_kmh: float = Field(default=80.0, gt=0, description="limit when the vehicle has none")
    overspeed_min_s: float = Field(default=30.0, ge=0, description="overspeed must last this long to count")
    idle_max_s: float = Field(default=600.0, gt=0, description="engine running at standstill longer is idling")
    idle_speed_kmh: float = Field(default=2.0, ge=0, description="speed below which a running vehicle idles")
    offline_after_min: float = Field(default=30.0, gt=0, description="no fix for this long: device offline")
    require_trip_requests: bool = Field(default=True, description="a trip without an approved request is an alert")
    request_grace_min: float = Field(default=30.0, ge=0, description="a trip may start this early before its window")
    scheduler_interval_s: float = Field(
        default=300.0, gt=0, description="analytics worker: pause between passes (rollup, evaluator, waste)"
    )
    track_max_points: int = Field(default=20000, gt=0, description="most fixes returned by one track query")
    stream_poll_s: float = Field(default=15.0, gt=0, description="live stream heartbeat and safety re-poll")


@lru_cache
def get_analytics_settings() -> AnalyticsSettings:
    return AnalyticsSettings()
