"""Request and response bodies of the conference centre."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from appraisal.conference.rules import Attendance, BookingStatus, MeetingService
from appraisal.scoring.rules import Grade
from houqin_common.schemas import InputModel


class RoomCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"name": "第一报告厅", "building": "会议中心", "capacity": 420, "equipment": ["投影", "同传", "音响"]}
            ]
        }
    )

    name: str = Field(min_length=1, max_length=100, description="room name")
    building: str = Field(min_length=1, max_length=100, description="building")
    capacity: int = Field(ge=1, le=5000, description="seats")
    equipment: list[str] = Field(default_factory=list, max_length=30, description="equipment of the room")


class RoomRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="room id")
    name: str = Field(description="room name")
    building: str = Field(description="building")
    capacity: int = Field(description="seats")
    equipment: list[str] = Field(description="equipment")
    active: bool = Field(description="bookable")


class BookingCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "room_id": "e32660c5-1115-5abe-a2c6-737639014995",
                    "title": "全市机关事务工作会议",
                    "starts_at": "2026-03-12T09:00:00+08:00",
                    "ends_at": "2026-03-12T11:30:00+08:00",
                    "attendees": 260,
                    "services": ["tea", "sound", "banners"],
                }
            ]
        }
    )

    room_id: str = Field(min_length=1, max_length=36, description="room")
    title: str = Field(min_length=1, max_length=200, description="meeting")
    starts_at: datetime = Field(description="start (with time zone)")
    ends_at: datetime = Field(description="end (with time zone), after the start")
    attendees: int = Field(ge=1, le=5000, description="expected attendees")
    services: list[MeetingService] = Field(default_factory=list, description="tea, sound, interpreting, banners")
    department: str | None = Field(
        default=None,
        max_length=100,
        description="booking department; a staff token books for its own (`department` claim)",
    )


class ServiceRecordIn(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"delivered": ["tea", "sound"], "issues": ["话筒啸叫一次"], "note": "会前30分钟完成布置"}]
        }
    )

    delivered: list[MeetingService] = Field(description="services delivered")
    issues: list[str] = Field(default_factory=list, max_length=50, description="problems during the meeting")
    note: str | None = Field(default=None, max_length=2000, description="remarks")


class FeedbackIn(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"grade": "excellent", "comment": "布置周到"}]})

    grade: Grade = Field(description="优 excellent / 较好 good / 一般 fair / 差 poor")
    comment: str | None = Field(default=None, max_length=2000, description="free text")


class AttendanceIn(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"outcome": "held", "attendees": 268}]})

    outcome: Attendance = Field(description="held, or no_show (booked and not used)")
    attendees: int | None = Field(default=None, ge=0, le=5000, description="attendees counted (held)")


class BookingRead(BaseModel):
    id: str = Field(description="booking id")
    room_id: str = Field(description="room")
    room_name: str | None = Field(default=None, description="room name")
    title: str = Field(description="meeting")
    department: str = Field(description="booking department")
    organiser: str = Field(description="who booked")
    starts_at: datetime = Field(description="start")
    ends_at: datetime = Field(description="end")
    attendees: int = Field(description="attendees")
    services: list[MeetingService] = Field(description="services booked")
    status: BookingStatus = Field(description="booked, held, cancelled, no_show")
    status_zh: str = Field(description="status in Chinese")
    cancelled_at: datetime | None = Field(description="when cancelled")
    service_vendor_id: str | None = Field(description="the conference vendor serving it")
    service_record: dict[str, Any] | None = Field(description="the vendor's service record")
    feedback_grade: Grade | None = Field(description="the organiser's grade")
    feedback_grade_zh: str | None = Field(description="grade in Chinese")
    feedback_comment: str | None = Field(description="the organiser's comment")


class SavingLine(BaseModel):
    size_class: str = Field(description="size class")
    meetings: int = Field(description="meetings held of that class")
    hotel_price_cny: Decimal = Field(description="reference price of a hotel hall, per meeting (setting)")
    centre_cost_cny: Decimal = Field(description="cost in the centre, per meeting (setting)")
    saving_cny: Decimal = Field(description="meetings × (hotel − centre)")


class ConferenceFigures(BaseModel):
    year: int = Field(description="year")
    title: str = Field(description="title, in the reader's language")
    meetings_held: int = Field(description="meetings held")
    large_meetings: int = Field(description="of which with at least `large_threshold` attendees")
    large_threshold: int = Field(description="attendees of a large meeting (setting)")
    cancelled: int = Field(description="cancelled bookings")
    no_shows: int = Field(description="booked and not used")
    attendees: int = Field(description="attendees of the meetings held")
    rooms: int = Field(description="rooms")
    booked_hours: float = Field(description="hours of the meetings held")
    utilisation: float | None = Field(description="booked hours / (rooms × working days × hours per day)")
    feedback: dict[str, int] = Field(description="organisers' grades, 优/较好/一般/差")
    savings_cny: Decimal = Field(description="estimated saving against renting hotel halls")
    savings: list[SavingLine] = Field(description="the estimate's inputs per size class")
    statement: str = Field(description="the figures in one sentence (an estimate, with its inputs)")
    period_start: date = Field(description="first day")
    period_end: date = Field(description="day after the last")
