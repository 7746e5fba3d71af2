"""Demo conference centre for `make seed` (issue 26): four rooms and ~218 bookings of the demo year, ~200 held
(most with 200+ attendees), with the conference vendor's service records and the organisers' grades. Loaded once."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.models import Booking, ConferenceRoom
from appraisal.models.base import new_id
from houqin_common import clock
from houqin_common.demo import demo_id, vendor_for_project

SEED_BY = "seed"
ROOMS = (
    ("第一报告厅", 420, ["投影", "同声传译", "音响", "电子显示屏"]),
    ("第二报告厅", 260, ["投影", "音响", "电子显示屏"]),
    ("多功能厅", 150, ["投影", "音响"]),
    ("第三会议室", 60, ["投影", "视频会议"]),
)
MEETINGS = (
    "全市机关事务工作会议",
    "安全生产工作会议",
    "党风廉政建设工作会议",
    "全市经济运行分析会",
    "防汛防台工作部署会",
    "优化营商环境推进会",
    "政务服务工作培训会",
    "统计工作会议",
    "财政预算工作会议",
    "教育工作会议",
)
DEPARTMENTS = ("市政府办公室", "发展改革委", "财政局", "教育局", "自然资源局", "住房城乡建设局", "市场监管局")


def _meetings(year: int, rooms: list[str], rng: random.Random) -> list[dict[str, Any]]:
    tz = clock.office_tz()
    vendor = vendor_for_project("conference")
    slots = [
        (day, start)
        for day in (date(year, 1, 1) + timedelta(days=i) for i in range(365))
        if day.weekday() < 5
        for start in (9, 14)
    ]
    rows = []
    for n, (day, hour) in enumerate(sorted(rng.sample(slots, 218))):
        big = rng.random() < 0.85
        room = rooms[0] if big and rng.random() < 0.5 else rooms[1] if big else rng.choice(rooms[2:])
        attendees = rng.randrange(200, 400) if room == rooms[0] else rng.randrange(200, 260) if big else 50
        starts = datetime(day.year, day.month, day.day, hour, 0 if hour == 9 else 30, tzinfo=tz)
        status = "held"
        if n % 19 == 5:
            status = "cancelled"
        elif n % 37 == 11:
            status = "no_show"
        issues = ["话筒啸叫"] if rng.random() < 0.08 else []
        grade = rng.choices(["excellent", "good", "fair", "poor"], weights=[70, 24, 5, 1])[0]
        rows.append(
            {
                "id": new_id(),
                "room_id": room,
                "title": MEETINGS[n % len(MEETINGS)],
                "department": DEPARTMENTS[n % len(DEPARTMENTS)],
                "organiser": SEED_BY,
                "starts_at": starts,
                "ends_at": starts + timedelta(hours=2, minutes=30),
                "attendees": attendees,
                "services": ["tea", "sound"] + (["banners"] if big else []) + (["interpreting"] if n % 25 == 0 else []),
                "status": status,
                "cancelled_at": starts - timedelta(days=2) if status == "cancelled" else None,
                "service_vendor_id": vendor.id if status == "held" else None,
                "service_record": {"delivered": ["tea", "sound"], "issues": issues, "note": None, "by": vendor.name}
                if status == "held"
                else None,
                "feedback_grade": grade if status == "held" else None,
                "feedback_at": starts + timedelta(days=1) if status == "held" else None,
            }
        )
    return rows


async def seed_conference(session: AsyncSession, year: int) -> None:
    """The rooms and the demo year's meetings (once: skipped when the seed's bookings are there)."""
    seeded = await session.execute(select(Booking.id).where(Booking.organiser == SEED_BY).limit(1))
    if seeded.first():
        return
    rng = random.Random(f"conference-{year}")
    names = [name for name, _c, _e in ROOMS]
    existing = {r.name: r.id for r in (await session.execute(select(ConferenceRoom))).scalars()}
    for name, capacity, equipment in ROOMS:
        if name not in existing:
            room = ConferenceRoom(
                id=demo_id("conference-room", name),
                name=name,
                building="会议中心",
                capacity=capacity,
                equipment=equipment,
            )
            session.add(room)
            existing[name] = room.id
    await session.flush()
    await session.execute(insert(Booking), _meetings(year, [existing[n] for n in names], rng))
