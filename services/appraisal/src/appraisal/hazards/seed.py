"""Demo hazards of the register for `make seed` (issue 26): ~32 hazards of the demo year with realistic removal
times (about one in eight late), assigned to the demo security, maintenance and smart-building vendors. Loaded once."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.hazards import rules as hazard_rules
from appraisal.models import Hazard
from appraisal.models.base import new_id
from appraisal.settings import Settings
from houqin_common import clock
from houqin_common.demo import vendor_for_project

SEED_BY = "seed"
HAZARDS = (
    ("security", "东门监控摄像头画面模糊", "1号楼", "1", "东门"),
    ("security", "地下车库B2区摄像头离线", "1号楼", "B2", "车库B2区"),
    ("security", "周界红外对射报警误报频繁", "周界", None, "北侧围墙"),
    ("fire", "消防通道堆放杂物", "3号楼", "5", "东侧通道"),
    ("fire", "灭火器压力不足", "2号楼", "3", "302走廊"),
    ("fire", "烟感探测器故障", "3号楼", "3", "307"),
    ("fire", "防火门闭门器损坏", "1号楼", "8", "北楼梯间"),
    ("fire", "应急照明灯不亮", "4号楼", "2", "西走廊"),
    ("fire", "消火栓箱玻璃破损", "2号楼", "1", "大厅"),
    ("physical", "档案室防盗门锁芯松动", "1号楼", "1", "档案室"),
    ("physical", "机房窗户防护栏锈蚀", "4号楼", "1", "机房"),
    ("physical", "围墙局部破损", "周界", None, "西侧围墙"),
    ("technical", "门禁系统读卡器失灵", "2号楼", "1", "南门"),
    ("technical", "消防控制室不间断电源电池老化", "3号楼", "1", "消防控制室"),
    ("technical", "视频存储服务器硬盘告警", "4号楼", "1", "弱电机房"),
    ("other", "地下室配电房积水", "1号楼", "B1", "配电房"),
)


def _hazards(settings: Settings, year: int, rng: random.Random) -> list[dict[str, Any]]:
    tz = clock.office_tz()
    rows = []
    for n in range(32):
        category, text, building, floor, room = HAZARDS[n % len(HAZARDS)]
        severity = rng.choices(["general", "major", "critical"], weights=[70, 25, 5])[0]
        found = datetime(year, 1, 6, 9, tzinfo=tz) + timedelta(days=rng.randrange(0, 340), minutes=rng.randrange(600))
        response_due, removal_due = hazard_rules.deadlines(
            found,
            hazard_rules.HazardSeverity(severity),
            settings.hazard_response_hours,
            settings.hazard_removal_hours,
        )
        allowed = removal_due - found
        # most are removed well within their time, about one in eight late
        share = rng.uniform(1.05, 1.6) if rng.random() < 0.12 else rng.uniform(0.2, 0.9)
        assigned, started = found + timedelta(minutes=30), found + allowed * 0.1
        removed = found + allowed * share
        verified = removed + timedelta(hours=rng.choice([2, 4, 20]))
        project = settings.hazard_category_projects.get(category, ["maintenance"])[0]
        vendor = vendor_for_project(project)
        history = [
            {"at": found.isoformat(), "by": SEED_BY, "action": "record", "from": None, "to": "found"},
            {"at": assigned.isoformat(), "by": SEED_BY, "action": "assign", "from": "found", "to": "assigned"},
            {"at": started.isoformat(), "by": vendor.name, "action": "start", "from": "assigned", "to": "rectifying"},
            {"at": removed.isoformat(), "by": vendor.name, "action": "remove", "from": "rectifying", "to": "removed"},
            {"at": verified.isoformat(), "by": "消防监控中心", "action": "verify", "from": "removed", "to": "verified"},
        ]
        rows.append(
            {
                "id": new_id(),
                "category": category,
                "severity": severity,
                "source": rng.choice(["patrol", "inspection", "alarm", "committee", "staff_report"]),
                "description": text,
                "building": building,
                "floor": floor,
                "room": room,
                "vendor_id": vendor.id,
                "project_code": project,
                "status": "verified",
                "found_at": found,
                "response_due_at": response_due,
                "removal_due_at": removal_due,
                "assigned_at": assigned,
                "rectifying_at": started,
                "removed_at": removed,
                "verified_at": verified,
                "reported_by": SEED_BY,
                "attachments": [],
                "history": history,
                "version": 5,
                "updated_at": verified,
            }
        )
    return rows


async def seed_hazards(session: AsyncSession, settings: Settings, year: int) -> None:
    """The demo year's hazards (once: skipped when the seed's hazards are there)."""
    seeded = await session.execute(select(Hazard.id).where(Hazard.reported_by == SEED_BY).limit(1))
    if seeded.first():
        return
    await session.execute(insert(Hazard), _hazards(settings, year, random.Random(f"hazards-{year}")))
