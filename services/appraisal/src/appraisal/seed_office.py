"""Demo data of issue 27 for `make seed`: a year (2025) of the canteen's purchases, covers and signed-off
settlements, the 12 regulations as titles, two guidance rounds, four trainings, a monthly invited-service
calendar and the savings ledger (~6 M CNY a year in wages, DOMAIN.md). Idempotent: loaded once."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.canteen import rules as canteen_rules
from appraisal.canteen import service as canteen_service
from appraisal.models import (
    CanteenCovers,
    CanteenPurchase,
    CanteenSettlement,
    Finding,
    GuidancePlan,
    GuidanceVisit,
    InvitedProvider,
    InvitedRating,
    InvitedSchedule,
    InvitedSession,
    PlatformSaving,
    ProjectSaving,
    RectificationOrder,
    Regulation,
    Training,
    TrainingAttendance,
)
from appraisal.models.base import new_id
from houqin_common.demo import demo_id


class DemoProject(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def funding(self) -> str: ...
    @property
    def annual_value(self) -> int: ...


class DemoVendor(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def projects(self) -> tuple[str, ...]: ...


YEAR = 2025
SEEDER = "seed"
CANTEEN = "main"

#: the three the source names, then nine more of the twelve (demo titles)
REGULATIONS = (
    "常州市机关后勤社会化服务保障实施细则",
    "常州市行政中心后勤社会化服务管理及考核办法",
    "常州市机关事务管理局社会化服务质量监督考核工作暂行规定",
    "市行政中心机关食堂管理办法",
    "市行政中心食品安全管理制度",
    "市行政中心会议服务规范",
    "市行政中心安全保卫工作制度",
    "市行政中心物业保洁服务质量标准",
    "市行政中心设施设备维修保养管理办法",
    "市行政中心绿化养护质量标准",
    "社会化服务合同管理办法",
    "社会化服务单位准入与退出管理办法",
)

#: item, category, unit, unit price (CNY), typical quantity per delivery
INGREDIENTS = (
    ("大米", "grain_oil", "kg", "4.20", 180),
    ("面粉", "grain_oil", "kg", "3.80", 60),
    ("菜籽油", "grain_oil", "桶", "118.00", 4),
    ("猪肉", "meat_poultry", "kg", "26.00", 45),
    ("鸡肉", "meat_poultry", "kg", "16.00", 40),
    ("牛肉", "meat_poultry", "kg", "68.00", 10),
    ("鲈鱼", "aquatic", "kg", "32.00", 15),
    ("青菜", "vegetable", "kg", "3.20", 120),
    ("土豆", "vegetable", "kg", "2.60", 80),
    ("番茄", "vegetable", "kg", "5.50", 50),
    ("鸡蛋", "egg_dairy", "kg", "9.80", 40),
    ("牛奶", "egg_dairy", "箱", "58.00", 6),
    ("酱油", "seasoning", "瓶", "12.00", 10),
    ("苹果", "fruit", "kg", "7.00", 40),
)
SUPPLIERS = {
    "grain_oil": "常州金坛粮油有限公司",
    "meat_poultry": "常州武进肉联厂",
    "aquatic": "常州凌家塘水产批发市场",
    "vegetable": "常州湖塘农副产品批发有限公司",
    "egg_dairy": "常州天合乳品配送中心",
    "seasoning": "常州调味品配送中心",
    "fruit": "常州凌家塘果品批发市场",
}
#: meal, tier, typical covers, price per cover (within the tier's band)
SERVICE = (
    ("breakfast", "basic", 260, "5.00"),
    ("lunch", "basic", 480, "5.50"),
    ("lunch", "good", 340, "7.50"),
    ("lunch", "choice", 80, "12.00"),
    ("dinner", "basic", 120, "5.50"),
    ("dinner", "good", 60, "7.50"),
)
#: purchased projects: (posts before outsourcing, or None for the office's figure)
SAVINGS = {
    "catering": 34,
    "conference": 13,
    "security": 50,
    "cleaning": 31,
    "maintenance": 30,
    "smart_building": None,
    "landscaping": 13,
}
WAGE_PER_POST = Decimal("80000")
INVITED = (
    ("常州市公安局车辆管理所", "public_consultation", "驾驶证年审咨询", 15, "1 号楼大厅"),
    ("中国移动常州分公司", "public_consultation", "手机换卡充值", 10, "1 号楼大厅"),
    ("常州市住房公积金管理中心", "public_consultation", "买车购房贷款咨询", 20, "2 号楼会议室"),
    ("中国银行常州分行", "public_consultation", "投资理财咨询", 25, "2 号楼会议室"),
    ("常州亮车洗车服务部", "invited_service", "上门洗车", 5, "地下车库"),
)


def _working_days(year: int) -> list[date]:
    day, out = date(year, 1, 1), []
    while day.year == year:
        if day.weekday() < 5:
            out.append(day)
        day += timedelta(days=1)
    return out


def _incumbent(vendors: Sequence[DemoVendor], code: str) -> DemoVendor:
    return next(v for v in vendors if code in v.projects)


async def _canteen(session: AsyncSession, projects: Sequence[DemoProject], vendors: Sequence[DemoVendor]) -> None:
    rng = random.Random(f"canteen-{YEAR}")
    catering = _incumbent(vendors, "catering")
    fee = (Decimal(next(p.annual_value for p in projects if p.code == "catering")) / 12).quantize(Decimal("0.01"))
    purchases: list[dict[str, Any]] = []
    covers: list[dict[str, Any]] = []
    for day in _working_days(YEAR):
        for item, category, unit, price, qty in rng.sample(INGREDIENTS, 8):
            quantity = Decimal(max(1, round(qty * rng.uniform(1.0, 1.8))))
            # about one delivery a month fails the cold-chain check and is sent back
            accepted = rng.random() > 0.007
            purchases.append(
                {
                    "id": new_id(),
                    "canteen": CANTEEN,
                    "supplier": SUPPLIERS[category],
                    "item": item,
                    "category": category,
                    "quantity": quantity,
                    "unit": unit,
                    "unit_price": Decimal(price),
                    "amount": canteen_rules.amount(quantity, Decimal(price)),
                    "purchased_on": day,
                    "accepted": accepted,
                    "checks": [
                        {"check": "certificate", "passed": True, "note": None},
                        {"check": "temperature", "passed": accepted, "note": None if accepted else "到货温度超标"},
                    ],
                    "rejection_reason": None if accepted else "冷链温度不达标，整批拒收",
                    "recorded_by": SEEDER,
                }
            )
        for meal, tier, typical, price in SERVICE:
            n = max(0, round(typical * rng.uniform(0.85, 1.1)))
            covers.append(
                {
                    "id": new_id(),
                    "canteen": CANTEEN,
                    "served_on": day,
                    "meal": meal,
                    "tier": tier,
                    "covers": n,
                    "takings": (Decimal(price) * n).quantize(Decimal("0.01")),
                    "recorded_by": SEEDER,
                }
            )
    await session.execute(insert(CanteenPurchase), purchases)
    await session.execute(insert(CanteenCovers), covers)
    for month in range(1, 13):
        key = f"{YEAR}-{month:02d}"
        figures = canteen_rules.settle(
            (
                canteen_rules.PurchaseLine(p["category"], p["amount"], p["accepted"])
                for p in purchases
                if canteen_rules.month_of(p["purchased_on"]) == key
            ),
            (
                canteen_rules.CoversLine(c["meal"], c["tier"], c["covers"], c["takings"])
                for c in covers
                if canteen_rules.month_of(c["served_on"]) == key
            ),
            catering_fee=fee,
        )
        row = CanteenSettlement(
            canteen=CANTEEN,
            month=key,
            version=1,
            status="signed_off",
            catering_vendor_id=catering.id,
            fee_source="餐饮服务合同年服务费 ÷ 12",
            prepared_by=SEEDER,
            signed_off_by=SEEDER,
            signed_off_at=datetime.combine(date(YEAR + (month == 12), month % 12 + 1, 5), time(10), tzinfo=UTC),
        )
        canteen_service.apply_figures(row, figures)
        session.add(row)


async def _guidance(session: AsyncSession, projects: Sequence[DemoProject], vendors: Sequence[DemoVendor]) -> None:
    regs = [
        Regulation(
            kind="regulation",
            title=title,
            number=f"常管规〔2015〕{n}号",
            version="1",
            effective_date=date(2015, 7, 1),
            projects=[],
        )
        for n, title in enumerate(REGULATIONS, start=1)
    ]
    session.add_all(regs)
    await session.flush()
    purchased = [p.code for p in projects if p.funding == "purchased"]
    for n, code in enumerate(purchased):
        vendor = _incumbent(vendors, code)
        plan = GuidancePlan(
            project_code=code,
            year=YEAR,
            vendor_id=vendor.id,
            planned_visits=2,
            focus="统一标准、规范内容、明确要求",
            created_by=SEEDER,
        )
        session.add(plan)
        await session.flush()
        # two rounds: spring and autumn; every third project gets a finding in the autumn round
        for round_day in (date(YEAR, 4, 10 + n), date(YEAR, 10, 10 + n)):
            visit = GuidanceVisit(
                plan_id=plan.id,
                vendor_id=vendor.id,
                visited_on=round_day,
                participants=["综合管理处", "行政中心管理处", "项目经理"],
                summary="对照服务标准逐项指导",
                finding_ids=[],
                recorded_by=SEEDER,
            )
            session.add(visit)
            await session.flush()
            if round_day.month == 10 and n % 3 == 0:
                finding = Finding(
                    vendor_id=vendor.id,
                    source="guidance",
                    source_ref=visit.id,
                    description="服务台账记录不完整",
                    severity="minor",
                    found_on=round_day,
                    reported_by=SEEDER,
                )
                session.add(finding)
                await session.flush()
                verified = n != 0
                session.add(
                    RectificationOrder(
                        finding_id=finding.id,
                        vendor_id=vendor.id,
                        status="verified" if verified else "open",
                        issued_on=round_day,
                        deadline=round_day + timedelta(days=20),
                        submitted_on=round_day + timedelta(days=10) if verified else None,
                        verified_on=round_day + timedelta(days=12) if verified else None,
                        history=[],
                        version=1,
                    )
                )
                visit.finding_ids = [finding.id]
    topics = (
        ("后勤社会化服务标准解读", 0, date(YEAR, 3, 18)),
        ("机关食堂食品安全培训", 4, date(YEAR, 5, 20)),
        ("安全保卫与消防演练培训", 6, date(YEAR, 8, 26)),
        ("服务质量监督考核办法宣讲", 2, date(YEAR, 11, 12)),
    )
    support = [v for v in vendors if any(p in {"catering", "conference", "security", "cleaning"} for p in v.projects)]
    for n, (topic, reg, day) in enumerate(topics):
        training = Training(
            topic=topic, regulation_id=regs[reg].id, held_on=day, place="行政中心多功能厅", created_by=SEEDER
        )
        session.add(training)
        await session.flush()
        for m, vendor in enumerate(support):
            attended = (n + m) % 5 != 4
            session.add(
                TrainingAttendance(
                    training_id=training.id, vendor_id=vendor.id, attended=attended, attendees=3 if attended else 0
                )
            )


async def _invited(session: AsyncSession) -> None:
    rng = random.Random(f"invited-{YEAR}")
    for n, (name, kind, service, day_of_month, place) in enumerate(INVITED):
        provider = InvitedProvider(id=demo_id("invited-provider", name), name=name, kind=kind)
        session.add(provider)
        await session.flush()
        schedule = InvitedSchedule(
            id=demo_id("invited-schedule", service),
            provider_id=provider.id,
            service=service,
            place=place,
            recurrence="monthly",
            day_of_month=day_of_month,
            starts_on=date(YEAR, 1, 1),
            start_time=time(11, 30),
            end_time=time(13, 30),
            active=True,
        )
        session.add(schedule)
        await session.flush()
        for month in range(1, 13):
            # the car wash missed two visits: it is flagged for the next selection
            no_show = n == 4 and month in (3, 7)
            held = InvitedSession(
                schedule_id=schedule.id,
                provider_id=provider.id,
                held_on=date(YEAR, month, day_of_month),
                outcome="no_show" if no_show else "held",
                recorded_by=SEEDER,
            )
            session.add(held)
            await session.flush()
            if not no_show:
                session.add_all(
                    InvitedRating(session_id=held.id, rater=f"staff-{k:03d}", stars=rng.choice((3, 4, 4, 5, 5)))
                    for k in range(3)
                )


async def _savings(session: AsyncSession, projects: Sequence[DemoProject]) -> None:
    values = {p.code: Decimal(p.annual_value) for p in projects}
    for code, posts in SAVINGS.items():
        session.add(
            ProjectSaving(
                project_code=code,
                year=YEAR,
                posts=posts,
                wage_per_post=WAGE_PER_POST if posts is not None else None,
                office_figure=None if posts is not None else Decimal("1400000"),
                office_figure_source=None if posts is not None else "管理局测算:原自办智能化运维人员经费",
                contract_cost=values[code],
                contract_cost_source=f"{YEAR} 年服务合同价",
                recorded_by=SEEDER,
            )
        )
    session.add(
        PlatformSaving(
            platform="conference_centre",
            year=YEAR,
            avoided_cost=Decimal("1600000"),
            source="近 200 场 200 人以上会议 × 宾馆会议室租金约 8 000 元/场(管理处测算)",
            recorded_by=SEEDER,
        )
    )
    session.add(
        PlatformSaving(
            platform="vehicle_platform",
            year=YEAR,
            avoided_cost=Decimal("350000"),
            source="公车运行平台统一调度,减少外租车辆(管理处填报)",
            recorded_by=SEEDER,
        )
    )


async def seed_office(session: AsyncSession, *, projects: Sequence[DemoProject], vendors: Sequence[DemoVendor]) -> None:
    """Load issue 27's demo year once (the first regulation is the marker); ``projects`` and ``vendors`` are
    the demo register (``houqin_common.demo``, passed in by ``appraisal.seed``)."""
    marker = await session.execute(select(Regulation.id).where(Regulation.number == "常管规〔2015〕1号").limit(1))
    if marker.first() is not None:
        return
    await _canteen(session, projects, vendors)
    await _guidance(session, projects, vendors)
    await _invited(session)
    await _savings(session, projects)
    await session.flush()
