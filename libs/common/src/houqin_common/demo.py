"""Demo data shared by the services' seeds so that their records line up without reading each other's
tables: the 21 service projects of the source (7 purchased, 14 hosted), 23 vendors with stable ids and the
city departments that answer surveys and use official vehicles."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from houqin_common.credit_code import make as make_credit_code

DEMO_NAMESPACE = uuid.UUID("6b1f0c2e-8f5a-4d7e-9a41-1c0ffee0a11e")


@dataclass(frozen=True)
class DemoProject:
    code: str
    name: str
    name_zh: str
    funding: str  # purchased | hosted
    operation: str  # managed | hybrid | invited
    service_type: str  # support | commercial | public_benefit | extended
    annual_value: int  # CNY, drives the procurement route


#: The outsourced projects of the source document (DOMAIN.md, *Service projects*): the 20 it names, 7 purchased
#: (花钱买服务) and 13 hosted, plus the invited public-benefit advice days (公益性服务: licence renewal, phone
#: plans, housing, investment), the 14th hosted project (筑巢请服务), run by invited units with no contract.
PROJECTS: tuple[DemoProject, ...] = (
    DemoProject("catering", "Catering (canteen)", "餐饮", "purchased", "hybrid", "support", 1_800_000),
    DemoProject("conference", "Conference services", "会务服务", "purchased", "managed", "support", 650_000),
    DemoProject("security", "Security guards", "安保", "purchased", "managed", "support", 2_400_000),
    DemoProject("cleaning", "Cleaning", "保洁", "purchased", "managed", "support", 1_200_000),
    DemoProject(
        "maintenance", "Facility and M&E/HVAC maintenance", "设施设备维保", "purchased", "managed", "support", 1_500_000
    ),
    DemoProject("smart_building", "Smart-building systems", "智能化系统", "purchased", "managed", "support", 900_000),
    DemoProject("landscaping", "Landscaping", "绿化", "purchased", "managed", "support", 600_000),
    DemoProject("supermarket", "Supermarket", "超市", "hosted", "managed", "commercial", 300_000),
    DemoProject("clinic", "Medical outpatient clinic", "医疗门诊", "hosted", "invited", "public_benefit", 280_000),
    DemoProject("print_shop", "Print shop", "文印", "hosted", "managed", "commercial", 200_000),
    DemoProject("post_office", "Post office", "邮政", "hosted", "invited", "commercial", 60_000),
    DemoProject("bookstore", "Bookstore", "书店", "hosted", "invited", "commercial", 50_000),
    DemoProject("gifts", "Gifts", "礼品", "hosted", "invited", "commercial", 40_000),
    DemoProject("laundry", "Laundry", "洗衣", "hosted", "invited", "commercial", 45_000),
    DemoProject("pastry", "Pastry", "糕点", "hosted", "invited", "commercial", 70_000),
    DemoProject("bank", "Bank branch", "银行", "hosted", "managed", "commercial", 150_000),
    DemoProject("publishing", "Publishing and printing", "出版印刷", "hosted", "managed", "extended", 350_000),
    DemoProject("hairdresser", "Beauty and hairdressing", "美容美发", "hosted", "invited", "commercial", 30_000),
    DemoProject("car_wash", "Car wash", "洗车", "hosted", "invited", "commercial", 35_000),
    DemoProject("business_center", "Business center", "商务中心", "hosted", "managed", "commercial", 180_000),
    DemoProject(
        "public_advice", "Public-benefit advice days", "公益咨询服务", "hosted", "invited", "public_benefit", 0
    ),
)

#: City departments (机关部门) in the Administrative Center, one spelling everywhere: survey respondents and
#: the users of official vehicles.
DEPARTMENTS: tuple[str, ...] = (
    "市政府办公室",
    "市机关事务管理局",
    "市发改委",
    "市财政局",
    "市教育局",
    "市自然资源局",
    "市住建局",
    "市市场监管局",
    "市交通局",
    "市卫健委",
)

PROJECT_CODES: tuple[str, ...] = tuple(p.code for p in PROJECTS)


@dataclass(frozen=True)
class DemoVendor:
    id: str
    name: str
    credit_code: str
    projects: tuple[str, ...]
    head_count: int


_VENDOR_ROWS: tuple[tuple[str, tuple[str, ...], int], ...] = (
    ("常州天厨餐饮管理有限公司", ("catering",), 86),
    ("常州会佳会务服务有限公司", ("conference",), 24),
    ("江苏金盾保安服务有限公司", ("security",), 120),
    ("常州洁美物业保洁有限公司", ("cleaning",), 95),
    ("常州恒力机电设备维保有限公司", ("maintenance",), 40),
    ("江苏智楼信息技术有限公司", ("smart_building",), 18),
    ("常州绿源园林绿化有限公司", ("landscaping",), 22),
    ("常州万家福超市有限公司", ("supermarket",), 12),
    ("常州市第一人民医院行政中心门诊部", ("clinic",), 6),
    ("常州快印文印服务部", ("print_shop",), 5),
    ("中国邮政常州行政中心邮政所", ("post_office",), 3),
    ("常州新华书店行政中心分店", ("bookstore",), 3),
    ("常州龙城礼品有限公司", ("gifts",), 2),
    ("常州净衣洗衣服务部", ("laundry",), 4),
    ("常州麦香糕点坊", ("pastry",), 5),
    ("中国银行常州行政中心支行", ("bank",), 8),
    ("常州日报印务有限公司", ("publishing",), 10),
    ("常州名剪美发店", ("hairdresser",), 3),
    ("常州亮车洗车服务部", ("car_wash",), 4),
    ("常州商旅商务中心有限公司", ("business_center",), 6),
    ("常州鸿运保洁服务有限公司", (), 60),
    ("江苏安泰保安服务有限公司", (), 90),
    ("常州美食汇餐饮有限公司", (), 70),
)

VENDORS: tuple[DemoVendor, ...] = tuple(
    DemoVendor(
        id=str(uuid.uuid5(DEMO_NAMESPACE, f"vendor-{i}")),
        name=name,
        credit_code=make_credit_code(100_000_000 + i * 7919),
        projects=projects,
        head_count=head_count,
    )
    for i, (name, projects, head_count) in enumerate(_VENDOR_ROWS, start=1)
)


def demo_id(kind: str, name: str) -> str:
    """The stable id of a demo record the OpenAPI request examples name (a survey template, a checklist, a
    conference room, an invited provider or schedule): an example copied onto a seeded platform then
    finds it, as it finds the demo vendors."""
    return str(uuid.uuid5(DEMO_NAMESPACE, f"{kind}-{name}"))


def vendor_for_project(code: str) -> DemoVendor:
    """The demo incumbent of a project."""
    return next(v for v in VENDORS if code in v.projects)


#: the projects with a contracted incumbent (the invited advice days have none)
CONTRACTED: tuple[DemoProject, ...] = tuple(p for p in PROJECTS if any(p.code in v.projects for v in VENDORS))
