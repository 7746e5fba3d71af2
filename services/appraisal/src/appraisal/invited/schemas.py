"""Request and response bodies of invited providers, their calendar, sessions, ratings and flags."""

from __future__ import annotations

from datetime import date, time

from pydantic import BaseModel, ConfigDict, Field

from appraisal.invited.rules import Outcome, ProviderKind, Recurrence


class ProviderCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"name": "常州市公安局车管所", "kind": "public_consultation", "contact": "0519-8xxxxxxx"}]
        },
    )

    name: str = Field(min_length=1, max_length=200, description="provider")
    kind: ProviderKind = Field(description="invited service or public-interest consultation (公益咨询)")
    vendor_id: str | None = Field(default=None, max_length=64, description="its vendor record, if any")
    contact: str | None = Field(default=None, max_length=200, description="contact")


class ProviderRead(ProviderCreate):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="provider id")


class ScheduleCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "provider_id": "b9961107-c14c-5769-8fc6-6aa2c3d0ccb1",
                    "service": "驾驶证年审咨询",
                    "place": "行政中心 1 号楼 大厅",
                    "recurrence": "monthly",
                    "day_of_month": 15,
                    "starts_on": "2026-01-01",
                    "start_time": "11:30",
                    "end_time": "13:30",
                }
            ]
        },
    )

    provider_id: str = Field(min_length=1, max_length=64, description="provider")
    service: str = Field(min_length=1, max_length=200, description="service offered")
    place: str = Field(min_length=1, max_length=200, description="where (定点)")
    recurrence: Recurrence = Field(description="weekly, monthly or once (定期)")
    weekday: int | None = Field(default=None, ge=0, le=6, description="weekly: 0 Monday … 6 Sunday")
    day_of_month: int | None = Field(default=None, ge=1, le=28, description="monthly: day 1-28")
    starts_on: date = Field(description="first day (the day of a one-off)")
    ends_on: date | None = Field(default=None, description="last day (none: open-ended)")
    start_time: time = Field(description="from (定时)")
    end_time: time = Field(description="until")


class ScheduleRead(ScheduleCreate):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="schedule id")
    active: bool = Field(description="still on the calendar")


class CalendarEntry(BaseModel):
    schedule_id: str = Field(description="schedule")
    provider_id: str = Field(description="provider")
    provider_name: str = Field(description="provider's name")
    kind: ProviderKind = Field(description="invited service or public consultation")
    kind_zh: str = Field(description="Chinese label")
    service: str = Field(description="service")
    place: str = Field(description="where")
    day: date = Field(description="day")
    start_time: time = Field(description="from")
    end_time: time = Field(description="until")
    recurrence_zh: str = Field(description="每周 / 每月 / 单次")
    session_id: str | None = Field(description="the recorded session (null: not recorded yet)")
    outcome: Outcome | None = Field(description="held, no_show or cancelled")
    average_rating: float | None = Field(description="average of the session's ratings")


class SessionCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"schedule_id": "de1d20f9-2624-5839-9c5b-419c4e42c5e6", "held_on": "2026-05-15", "outcome": "held"}
            ]
        },
    )

    schedule_id: str = Field(min_length=1, max_length=64, description="schedule")
    held_on: date = Field(description="an occurrence of the schedule")
    outcome: Outcome = Field(description="held, no_show or cancelled (by the office)")
    note: str | None = Field(default=None, max_length=2000, description="remark")


class SessionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="session id")
    schedule_id: str = Field(description="schedule")
    provider_id: str = Field(description="provider")
    held_on: date = Field(description="day")
    outcome: Outcome = Field(description="outcome")
    note: str | None = Field(description="remark")


class RatingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"stars": 5, "comment": "讲解耐心细致"}]})

    stars: int = Field(ge=1, le=5, description="1 (poor) to 5 (excellent)")
    comment: str | None = Field(default=None, max_length=2000, description="comment")


class RatingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="rating id")
    session_id: str = Field(description="session")
    stars: int = Field(description="1-5")
    comment: str | None = Field(description="comment")


class ProviderFlag(BaseModel):
    provider_id: str = Field(description="provider")
    provider_name: str = Field(description="name")
    sessions: int = Field(description="sessions recorded in the range (held or no-show)")
    no_shows: int = Field(description="no-shows")
    ratings: int = Field(description="ratings")
    average_rating: float | None = Field(description="average rating")
    flagged: bool = Field(description="flagged for the next selection")
    reasons: list[str] = Field(description="why")
