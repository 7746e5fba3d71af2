"""Demo data of appraisal for `make seed`: the catalogue, a past year (2025) of surveys, inspections,
findings and complaints for the demo vendors, so that `GET /v1/scores?period=2025` shows a ranking, and the
current half-year by the platform clock (its survey still open, below the response-rate target; the
inspections and complaints so far), so that the current year shows a live, provisional ranking.
Idempotent: the catalogue is upserted and each half-year is loaded once."""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.catalogue.items import CATALOGUE
from appraisal.conference.seed import seed_conference
from appraisal.hazards.seed import seed_hazards
from appraisal.models import (
    Answer,
    Assignment,
    Campaign,
    ChecklistTemplate,
    Complaint,
    ConsumedToken,
    Finding,
    FoodSafetyInspection,
    Invitation,
    RectificationOrder,
    Response,
    RoutineInspection,
    ServiceItem,
    SurveyTemplate,
    TemplateItem,
)
from appraisal.models.base import new_id
from appraisal.scoring import rules
from appraisal.seed_office import seed_office
from appraisal.settings import Settings
from appraisal.surveys.service import token_hash
from houqin_common import clock, progress
from houqin_common.db import create_engine, make_sessionmaker
from houqin_common.demo import DEPARTMENTS, PROJECTS, VENDORS, demo_id
from houqin_common.i18n import _
from houqin_common.schemas import period_bounds

YEAR = 2025
TEMPLATE_NAME = "行政中心后勤服务满意度测评表"
SUPPORT = {p.code for p in PROJECTS if p.service_type == "support"}
GRADE_ORDER = ("excellent", "good", "fair", "poor")


def _quality(index: int) -> float:
    """A stable quality level per demo vendor (0.55-0.95): makes the ranking interesting."""
    return 0.55 + ((index * 37) % 41) / 100


def _grade(rng: random.Random, q: float) -> str:
    if rng.random() < 0.04:
        return "n/a"
    x = rng.random()
    p_exc, p_good, p_fair = q * 0.75, 0.25 + (1 - q) * 0.2, 0.08 + (1 - q) * 0.3
    if x < p_exc:
        return "excellent"
    if x < p_exc + p_good:
        return "good"
    if x < p_exc + p_good + p_fair:
        return "fair"
    return "poor"


async def _catalogue(session: AsyncSession) -> list[ServiceItem]:
    await session.execute(
        pg_insert(ServiceItem)
        .values([{"id": new_id(), "code": c, "project_code": p, "name": n, "name_zh": z} for c, p, n, z in CATALOGUE])
        .on_conflict_do_nothing(index_elements=["code"])
    )
    rows = await session.execute(select(ServiceItem).where(ServiceItem.code.in_([c for c, *_ in CATALOGUE])))
    by_code = {i.code: i for i in rows.scalars()}
    return [by_code[c] for c, *_ in CATALOGUE]


async def _template(session: AsyncSession, items: list[ServiceItem]) -> SurveyTemplate:
    found = (
        await session.execute(
            select(SurveyTemplate).where(SurveyTemplate.name == TEMPLATE_NAME, SurveyTemplate.version == 1)
        )
    ).scalar_one_or_none()
    if found:
        return found
    template = SurveyTemplate(id=demo_id("survey-template", f"{TEMPLATE_NAME}-1"), name=TEMPLATE_NAME, version=1)
    session.add(template)
    await session.flush()
    session.add_all(TemplateItem(template_id=template.id, item_id=i.id, position=n) for n, i in enumerate(items))
    await session.flush()
    return template


async def _assignments(session: AsyncSession) -> None:
    existing = {(a, p) for a, p in await session.execute(select(Assignment.vendor_id, Assignment.project_code))}
    for v in VENDORS:
        for p in v.projects:
            if (v.id, p) not in existing:
                session.add(Assignment(vendor_id=v.id, project_code=p, start_date=date(2024, 1, 1)))
    await session.flush()


def _local(day: date, at: time) -> datetime:
    """An instant of the office's calendar (Asia/Shanghai): a campaign closes at 23:59 Beijing time."""
    return datetime.combine(day, at, tzinfo=clock.office_tz())


def _window(year: int, half: str, today: date) -> tuple[datetime, datetime]:
    """A campaign runs from the 1st to the 20th of the half's last month; the current half's campaign is
    open today (opened a week ago, closing on the 20th or, later in the month, in two weeks)."""
    month = 6 if half == "H1" else 12
    opens, closes = date(year, month, 1), date(year, month, 20)
    start, end = period_bounds(f"{year}{half}")
    if start <= today < end:
        opens = today - timedelta(days=7)
        closes = max(closes, today + timedelta(days=1)) if today <= closes else today + timedelta(days=14)
    return _local(opens, time(8, 0)), _local(closes, time(23, 59))


async def _campaign(
    session: AsyncSession,
    settings: Settings,
    template: SurveyTemplate,
    items: list[ServiceItem],
    half: str,
    *,
    year: int = YEAR,
    today: date,
    answered_share: float = 1.0,
) -> None:
    rng = random.Random(f"campaign-{year}{half}")
    opens_at, closes_at = _window(year, half, today)
    campaign = Campaign(
        period=f"{year}{half}",
        title=f"{year}年{'上' if half == 'H1' else '下'}半年后勤服务满意度测评",
        template_id=template.id,
        opens_at=opens_at,
        closes_at=closes_at,
        expected_staff=0,
    )
    session.add(campaign)
    await session.flush()
    quality = {p: _quality(i) + (0.02 if half == "H2" else 0) for i, v in enumerate(VENDORS) for p in v.projects}
    invitations, consumed, responses, answers = [], [], [], []
    for d_index, department in enumerate(DEPARTMENTS):
        invited = 12 + d_index % 3
        answered = invited if d_index % 5 else invited - 1
        answered = min(answered, round(invited * answered_share))
        for n in range(invited):
            th = token_hash(settings, secrets.token_urlsafe(24))
            invitations.append({"id": new_id(), "campaign_id": campaign.id, "token_hash": th, "department": department})
            if n >= answered:
                continue
            consumed.append({"campaign_id": campaign.id, "token_hash": th})
            rid = new_id()
            responses.append(
                {
                    "id": rid,
                    "campaign_id": campaign.id,
                    "department": department,
                    "overall_opinion": rng.choice([None, None, "总体满意", "服务比去年有进步", "希望继续保持"]),
                    "suggestions": rng.choice(
                        [None, None, None, "食堂可增加素菜品种", "夏季空调温度偏低", "停车位紧张"]
                    ),
                }
            )
            for item in items:
                answers.append(
                    {"response_id": rid, "item_id": item.id, "grade": _grade(rng, quality.get(item.project_code, 0.7))}
                )
    # consumed tokens and responses are shuffled independently: insertion order must not pair them
    rng.shuffle(consumed)
    rng.shuffle(responses)
    await session.execute(insert(Invitation), invitations)
    await session.execute(insert(ConsumedToken), consumed)
    await session.execute(insert(Response), responses)
    await session.execute(insert(Answer), answers)


async def _checklist(
    session: AsyncSession, name: str, frequency: str, items: list[dict[str, Any]]
) -> ChecklistTemplate:
    found = (await session.execute(select(ChecklistTemplate).where(ChecklistTemplate.name == name))).scalars().first()
    if found is not None:
        return found
    template = ChecklistTemplate(id=demo_id("checklist", name), name=name, frequency=frequency, items=items)
    session.add(template)
    await session.flush()
    return template


async def _inspections(
    session: AsyncSession,
    settings: Settings,
    *,
    year: int = YEAR,
    months: Sequence[int] = range(1, 13),
    until: date | None = None,
) -> None:
    """Routine inspections on the 12th of each month of ``months`` (quarter ends for commercial projects)
    and the third-party food-safety visits that fall in them."""
    rng = random.Random(f"inspections-{year}-{min(months)}")
    items: list[dict[str, Any]] = [
        {"code": "staffing", "text": "人员到岗与着装", "max_points": 20},
        {"code": "process", "text": "作业规范与记录", "max_points": 30},
        {"code": "quality", "text": "服务质量与效果", "max_points": 30},
        {"code": "safety", "text": "安全管理", "max_points": 20},
    ]
    monthly = await _checklist(session, "保障类项目月度检查表", "monthly", items)
    quarterly = await _checklist(session, "经营类项目季度检查表", "quarterly", items)
    max_points = {i["code"]: float(i["max_points"]) for i in items}
    for index, v in enumerate(VENDORS):
        if not v.projects:
            continue
        q = _quality(index)
        support = bool(set(v.projects) & SUPPORT)
        for m in (m for m in months if (support or m % 3 == 0) and (until is None or date(year, m, 12) <= until)):
            awarded = {
                c: float(min(mx, round(mx * min(1.0, q + 0.08 + rng.uniform(-0.1, 0.06)))))
                for c, mx in max_points.items()
            }
            session.add(
                RoutineInspection(
                    vendor_id=v.id,
                    template_id=(monthly if support else quarterly).id,
                    frequency="monthly" if support else "quarterly",
                    inspected_on=date(year, m, 12),
                    inspector="inspector-demo",
                    results=[{"code": c, "points": p, "note": None} for c, p in awarded.items()],
                    score=rules.checklist_score(max_points, awarded),
                )
            )
    catering = next(v for v in VENDORS if "catering" in v.projects)
    pastry = next(v for v in VENDORS if "pastry" in v.projects)
    visits = [
        (catering, (3, 18), "scheduled", True, []),
        (catering, (5, 7), "random", False, ["minor"]),
        (catering, (9, 10), "scheduled", True, []),
        (catering, (11, 26), "random", False, ["minor", "minor"]),
        (pastry, (6, 4), "random", False, ["major"]),
    ]
    for vendor, (month, day_of_month), kind, announced, severities in visits:
        if month not in months or (until is not None and date(year, month, day_of_month) > until):
            continue
        day = date(year, month, day_of_month)
        session.add(
            FoodSafetyInspection(
                vendor_id=vendor.id,
                agency="常州市食品安全第三方检测中心",
                kind=kind,
                announced=announced,
                inspected_on=day,
                inspector="inspector-demo",
                result="passed" if not severities else ("failed" if "major" in severities else "conditional"),
                violations=[
                    {"description": "留样记录不全" if s == "minor" else "冷藏食材超过保质期", "severity": s}
                    for s in severities
                ],
                score=rules.food_safety_score(severities, settings.food_safety_penalties),
                worst_severity=rules.worst_severity(severities),
            )
        )
    await session.flush()


HAZARDS = (
    ("security", "消防通道堆放杂物"),
    ("security", "监控探头故障未及时报修"),
    ("security", "夜间巡更记录缺失"),
    ("maintenance", "配电房门禁失效"),
    ("maintenance", "空调冷却塔漏水"),
    ("maintenance", "应急照明灯不亮"),
    ("cleaning", "地下车库积水未清理"),
    ("catering", "后厨排烟罩油污"),
    ("smart_building", "门禁系统日志未备份"),
    ("landscaping", "树木倾斜存在倒伏隐患"),
)


async def _findings(session: AsyncSession) -> None:
    rng = random.Random(f"findings-{YEAR}")
    for n in range(32):
        project, text = HAZARDS[n % len(HAZARDS)]
        vendor = next(v for v in VENDORS if project in v.projects)
        found = date(YEAR, 1, 5) + timedelta(days=rng.randrange(0, 330))
        deadline = found + timedelta(days=14)
        late = rng.random() < 0.15
        submitted = (
            deadline + timedelta(days=rng.randrange(1, 10)) if late else found + timedelta(days=rng.randrange(2, 14))
        )
        finding = Finding(
            vendor_id=vendor.id,
            source="security_patrol" if project == "security" else "routine_inspection",
            description=text,
            severity=rng.choice(["minor", "minor", "major"]),
            found_on=found,
            reported_by="inspector-demo",
        )
        session.add(finding)
        await session.flush()
        history = [
            {"at": f"{found}T09:00:00+08:00", "by": "inspector-demo", "action": "issue", "from": None, "to": "open"},
            {"at": f"{found}T15:00:00+08:00", "by": "vendor", "action": "start", "from": "open", "to": "in_progress"},
            {
                "at": f"{submitted}T10:00:00+08:00",
                "by": "vendor",
                "action": "submit",
                "from": "in_progress",
                "to": "submitted",
            },
            {
                "at": f"{submitted}T16:00:00+08:00",
                "by": "supervisor-demo",
                "action": "verify",
                "from": "submitted",
                "to": "verified",
            },
        ]
        session.add(
            RectificationOrder(
                finding_id=finding.id,
                vendor_id=vendor.id,
                status="verified",
                issued_on=found,
                deadline=deadline,
                submitted_on=submitted,
                verified_on=submitted,
                history=history,
                version=4,
            )
        )
    await session.flush()


COMPLAINTS = (
    ("canteen_dishes", "catering", "午餐菜品偏咸"),
    ("canteen_dishes", "catering", "早餐供应时间太短"),
    ("air_conditioning", "maintenance", "会议室空调温度过低"),
    ("air_conditioning", "maintenance", "办公室空调不制冷"),
    ("door_guards", "security", "门卫对来访群众态度生硬"),
    ("parking", "security", "访客车位被占用"),
    ("cleaning", "cleaning", "卫生间纸巾未及时补充"),
    ("conference", "conference", "会场话筒音质差"),
    ("commercial_service", "supermarket", "超市商品价格偏高"),
    ("commercial_service", "hairdresser", "美容美发排队时间长"),
)


async def _complaints(
    session: AsyncSession, *, start: date = date(YEAR, 1, 3), days: int = 350, count: int = 36
) -> None:
    """``count`` complaints and suggestions filed in working hours over ``days`` days from ``start``."""
    rng = random.Random(f"complaints-{start.isoformat()}")
    for n in range(count):
        category, project, text = COMPLAINTS[n % len(COMPLAINTS)]
        vendor = next(v for v in VENDORS if project in v.projects)
        filed = _local(start, time(9, 0)).astimezone(UTC) + timedelta(
            days=rng.randrange(0, max(days, 1)), minutes=rng.randrange(0, 480)
        )
        first = filed + timedelta(hours=rng.choice([1, 2, 4, 8, 20, 30, 50]))
        kind = "suggestion" if n % 5 == 4 else "complaint"
        session.add(
            Complaint(
                kind=kind,
                channel=rng.choice(["hotline", "web", "wechat", "in_person", "mailbox"]),
                category=category,
                vendor_id=vendor.id,
                project_code=project,
                description=text,
                filed_by=f"staff-{start.year}-{n:03d}",
                status="closed",
                filed_at=filed,
                first_response_at=first,
                response="已收到，正在处理",
                closed_at=first + timedelta(hours=rng.choice([4, 24, 72])),
                substantiated=rng.random() < 0.6 if kind == "complaint" else None,
                resolution="已整改并回访",
            )
        )
    await session.flush()


async def seed(database_url: str) -> None:
    """Load the catalogue and the demo year 2025 (once)."""
    settings = Settings(database_url=database_url)
    engine = create_engine(database_url, pool_size=2)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            items = await _catalogue(session)
            template = await _template(session, items)
            await _assignments(session)
            # issue 26: the hazard register and the conference centre (each loaded once)
            await seed_hazards(session, settings, YEAR)
            await seed_conference(session, YEAR)
            # issue 27: canteen, guidance and training, invited services, savings (loaded once on its own)
            await seed_office(session, projects=PROJECTS, vendors=VENDORS)
            today = clock.today()
            if await _loaded(session, template, f"{YEAR}H1"):
                progress.say(_("the demo year {year} is already loaded", year=YEAR))
            else:
                steps = 5
                for n, half in enumerate(("H1", "H2"), start=1):
                    progress.say(
                        _("step {n} of {total}: satisfaction survey {period}", n=n, total=steps, period=f"{YEAR}{half}")
                    )
                    await _campaign(session, settings, template, items, half, today=today)
                progress.say(_("step {n} of {total}: inspections", n=3, total=steps))
                await _inspections(session, settings)
                progress.say(_("step {n} of {total}: findings and rectifications", n=4, total=steps))
                await _findings(session)
                progress.say(_("step {n} of {total}: complaints", n=5, total=steps))
                await _complaints(session)
            await _current_half(session, settings, template, items, today)
    finally:
        await engine.dispose()


async def _loaded(session: AsyncSession, template: SurveyTemplate, period: str) -> bool:
    found = await session.execute(
        select(Campaign.id).where(Campaign.period == period, Campaign.template_id == template.id)
    )
    return found.first() is not None


async def _current_half(
    session: AsyncSession, settings: Settings, template: SurveyTemplate, items: list[ServiceItem], today: date
) -> None:
    """The half-year the platform clock is in (after the demo year): its survey open and answered by about
    five in six so far (below the 95 % target, so publishing it is refused), the inspections of the months
    begun and the complaints filed so far. The scores of the current year are live and provisional."""
    half = "H1" if today.month <= 6 else "H2"
    period = f"{today.year}{half}"
    if today.year <= YEAR or await _loaded(session, template, period):
        return
    start, _end = period_bounds(period)
    await _campaign(session, settings, template, items, half, year=today.year, today=today, answered_share=5 / 6)
    await _inspections(session, settings, year=today.year, months=range(start.month, today.month + 1), until=today)
    elapsed = (today - start).days
    await _complaints(session, start=start, days=elapsed, count=max(4, elapsed // 12))
