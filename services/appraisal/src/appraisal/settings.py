"""Settings of appraisal: env prefix ``HOUQIN_APPRAISAL_``, falling back to ``HOUQIN_``.

Every policy number of the appraisal (grades, targets, weights, award bars, bonus uplift) is here,
with the defaults of DOMAIN.md; override with e.g. ``HOUQIN_APPRAISAL_RESPONSE_RATE_TARGET=0.9`` or,
for dict fields, JSON: ``HOUQIN_APPRAISAL_GRADE_POINTS='{"excellent":100,"good":85,"fair":70,"poor":40}'``.
"""

from __future__ import annotations

import ipaddress
from decimal import Decimal
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import SettingsConfigDict

from houqin_common.i18n import _
from houqin_common.settings import ServiceSettings

#: the score components, in report column order; a scheme may weigh only these (registered in scoring.components)
COMPONENTS = (
    "satisfaction",
    "routine",
    "food_safety",
    "complaints",
    "rectification",
    "energy",
    "vehicles",
    # issue 26: safety hazards and the conference centre (scoring.components_safety)
    "hazards",
    "conference",
    # issue 27: training attendance and open guidance findings (scoring.guidance_component), weight 0 by default
    "guidance",
)

DEFAULT_SCHEMES: dict[str, dict[str, float]] = {
    # support services (canteen, security, cleaning, M&E...): inspections weigh most
    "support": {
        "satisfaction": 0.35,
        "routine": 0.25,
        "food_safety": 0.10,
        "complaints": 0.10,
        "rectification": 0.10,
        "energy": 0.10,
        "vehicles": 0.05,
        # only for the vendors of hazard_projects / conference_projects (renormalised otherwise)
        "hazards": 0.10,
        "conference": 0.15,
    },
    # commercial concessions (bank, post, hairdresser...): users' satisfaction weighs most
    "commercial": {
        "satisfaction": 0.50,
        "routine": 0.20,
        "food_safety": 0.10,
        "complaints": 0.15,
        "rectification": 0.05,
    },
    "public_benefit": {"satisfaction": 0.50, "routine": 0.20, "complaints": 0.20, "rectification": 0.10},
    "extended": {"satisfaction": 0.40, "routine": 0.30, "complaints": 0.15, "rectification": 0.15},
}


class PriceTier(BaseModel):
    """A canteen price tier (价位): a meal sold at a price within ``[min_price, max_price]`` per cover."""

    code: str = Field(min_length=1, max_length=32, description="tier code used by the covers records")
    label_zh: str = Field(description="what the office calls the tier")
    min_price: Decimal = Field(ge=0, description="lowest price per cover, CNY")
    max_price: Decimal | None = Field(default=None, description="highest price per cover, CNY; null: no ceiling")


#: DOMAIN.md, canteen: "5–6 元能吃饱、7–8 元能吃好、10 元以上能精挑"
DEFAULT_PRICE_TIERS = [
    PriceTier(code="basic", label_zh="5–6 元能吃饱", min_price=Decimal("5"), max_price=Decimal("6")),
    PriceTier(code="good", label_zh="7–8 元能吃好", min_price=Decimal("7"), max_price=Decimal("8")),
    PriceTier(code="choice", label_zh="10 元以上能精挑", min_price=Decimal("10"), max_price=None),
]


class Settings(ServiceSettings):
    """appraisal settings; policy numbers live here with defaults from DOMAIN.md."""

    model_config = SettingsConfigDict(env_prefix="HOUQIN_APPRAISAL_", extra="ignore")

    first_appraisal_year: int = Field(
        default=2006, ge=1990, le=2100, description="the first appraised year (DOMAIN.md: half-yearly since 2006)"
    )

    grade_points: dict[str, float] = Field(
        default={"excellent": 100.0, "good": 80.0, "fair": 60.0, "poor": 0.0},
        description="points of each survey grade (优/较好/一般/差); `n/a` answers are left out",
    )
    response_rate_target: float = Field(default=0.95, ge=0, le=1, description="survey response-rate target")
    min_group_size: int = Field(
        default=5, ge=1, description="smallest group of responses shown per department (anonymity)"
    )
    token_pepper: str | None = Field(
        default=None, description="secret mixed into token/subject hashes; defaults to the JWT secret"
    )
    schemes: dict[str, dict[str, float]] = Field(
        default=DEFAULT_SCHEMES,
        description="scoring weights per service category (support, commercial, public_benefit, extended)",
    )
    default_category: str = Field(default="support", description="scheme of vendors with no known category")

    @field_validator("schemes")
    @classmethod
    def _known_components(cls, schemes: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        """A misspelt component would weigh nothing, silently: refuse it."""
        for category, weights in schemes.items():
            unknown = sorted(set(weights) - set(COMPONENTS))
            if unknown:
                raise ValueError(
                    _(
                        "scheme {category} weighs unknown components {unknown}; known: {known}",
                        category=category,
                        unknown=", ".join(unknown),
                        known=", ".join(COMPONENTS),
                    )
                )
        return schemes

    energy_projects: list[str] = Field(
        default=["maintenance", "smart_building"],
        description="projects whose vendor is responsible for meters (energy KPI applies)",
    )
    vehicle_projects: list[str] = Field(
        default=["smart_building"],
        description="projects whose vendor operates the official-vehicle platform (vehicle KPI applies); the "
        "smart-building systems vendor runs the BeiDou terminals and the vehicle monitoring platform",
    )
    energy_target_saving: float = Field(
        default=0.12, description="year-on-year energy saving that scores 100 (DOMAIN.md: over 12 %)"
    )
    energy_measure: dict[str, Literal["energy", "cost"]] = Field(
        default={},
        description="per scheme (service category): score the energy KPI on the kWh saving (`energy`, the default) "
        "or on the yuan saving under the tariffs (`cost`)",
    )
    energy_waste_alert_penalty: float = Field(default=2.0, ge=0, description="points off per energy waste alert")
    energy_waste_penalty_cap: float = Field(
        default=20.0,
        ge=0,
        description="most points the waste alerts of one vendor may take off its energy score in one period "
        "(so savings still count however many meters it looks after)",
    )
    complaint_penalty: float = Field(default=5.0, ge=0, description="points off per substantiated complaint")
    complaint_late_response_penalty: float = Field(
        default=2.0, ge=0, description="extra points off per complaint answered later than the response target"
    )
    complaint_response_target_hours: float = Field(default=24.0, gt=0, description="time to first response target")
    rectification_overdue_penalty: float = Field(
        default=10.0, ge=0, description="points off per rectification order overdue (or verified late)"
    )
    food_safety_penalties: dict[str, float] = Field(
        default={"minor": 5.0, "major": 20.0, "critical": 40.0},
        description="points off a third-party food-safety inspection per violation by severity",
    )
    major_severities: list[str] = Field(
        default=["major", "critical"], description="food-safety severities that bar a vendor from awards"
    )
    advanced_unit_max_rank: int = Field(default=3, ge=0, description="advanced unit (先进单位): rank at most")
    advanced_unit_min_score: float = Field(default=90.0, description="advanced unit: annual total at least")
    excellent_unit_max_rank: int = Field(default=8, ge=0, description="excellent unit (优秀单位): rank at most")
    excellent_unit_min_score: float = Field(default=85.0, description="excellent unit: annual total at least")
    bonus_uplift_rate: Decimal = Field(
        default=Decimal("0.10"), ge=0, description="uplift of every employee's annual bonus for an awarded vendor"
    )
    base_bonus_cny: Decimal = Field(
        default=Decimal("12000"), ge=0, description="default annual government bonus per employee, CNY"
    )
    assignment_sync_statuses: list[str] = Field(
        default=["signed", "active", "completed", "terminated"],
        description="contract statuses that `POST /v1/assignments/sync` copies from contracts-api as assignments",
    )
    names_ttl_s: float = Field(
        default=300.0, gt=0, description="how long vendor names and project labels from contracts-api are cached"
    )
    names_retry_s: float = Field(
        default=10.0,
        ge=0,
        description="after contracts-api failed, seconds before it is asked again (the last copy is served meanwhile)",
    )
    public_feedback_limit: int = Field(
        default=5, ge=1, description="public feedback entries one client may leave per window (no account)"
    )
    public_feedback_window_s: int = Field(default=3600, gt=0, description="window of the public feedback limit, s")
    public_feedback_client_header: str | None = Field(
        default=None,
        description="header naming the client address set by the office's reverse proxy (e.g. `X-Real-IP`); "
        "the TCP peer address when unset. The header may hold a list (`X-Forwarded-For`): it is read from the "
        "right, and the first hop not in `public_feedback_trusted_proxies` is the client",
    )
    public_feedback_trusted_proxies: list[str] = Field(
        default=["127.0.0.1", "::1"],
        description="reverse proxies whose client header is believed (addresses or CIDR blocks, `*` for any; "
        "uvicorn's `forwarded_allow_ips`): from any other peer the header is ignored and the peer address counts; "
        "`*` trusts every hop, so the left-most entry counts: only behind a proxy that overwrites the header",
    )

    @field_validator("public_feedback_trusted_proxies")
    @classmethod
    def _proxies_parse(cls, entries: list[str]) -> list[str]:
        """A mistyped proxy address would fail on the first entry, not at start: refuse it here."""
        try:
            for entry in entries:
                if entry.strip() not in ("", "*"):
                    ipaddress.ip_network(entry.strip(), strict=False)
        except ValueError as error:
            raise ValueError(_("not an address or network: {error}", error=str(error))) from error
        return entries

    evidence_max_bytes: int = Field(default=10 * 1024 * 1024, gt=0, description="largest evidence file accepted")

    # issue 26: the hazard register (隐患台账)
    hazard_response_hours: dict[str, float] = Field(
        default={"general": 24.0, "major": 8.0, "critical": 2.0},
        description="hours from discovery to the vendor's response (assigned → rectifying) per severity "
        "(一般/较大/重大)",
    )
    hazard_removal_hours: dict[str, float] = Field(
        default={"general": 168.0, "major": 72.0, "critical": 24.0},
        description="hours from discovery to removal per severity (一般/较大/重大)",
    )
    hazard_category_projects: dict[str, list[str]] = Field(
        default={
            "security": ["security"],
            "fire": ["maintenance"],
            "physical": ["security"],
            "technical": ["smart_building"],
            "other": ["maintenance"],
        },
        description="service projects whose contract makes a vendor responsible for a hazard of each category "
        "(安防/消防/物防/技防/其他); the first project with a contract in force on the day decides",
    )
    hazard_contract_statuses: list[str] = Field(
        default=["signed", "active"],
        description="contract statuses in contracts-api that make a vendor responsible for the hazards of its project",
    )
    hazard_projects: list[str] = Field(
        default=["security", "maintenance", "smart_building"],
        description="projects whose vendor is scored on hazard removal on time (hazards KPI applies)",
    )
    hazard_late_penalty: float = Field(
        default=10.0, ge=0, description="points off the hazards component per hazard removed late or overdue"
    )

    # issue 26: the conference centre (会议中心)
    conference_projects: list[str] = Field(
        default=["conference"], description="projects whose vendor runs the conference centre (conference KPI)"
    )
    conference_feedback_share: float = Field(
        default=0.7,
        ge=0,
        le=1,
        description="share of the organisers' feedback in the conference component; the rest is the service record",
    )
    conference_issue_penalty: float = Field(
        default=10.0, ge=0, description="points off a meeting's service record per issue noted in it"
    )
    conference_large_meeting: int = Field(
        default=200, ge=1, description="attendees from which a meeting counts as large (DOMAIN.md: 200+)"
    )
    conference_hours_per_day: float = Field(
        default=10.0, gt=0, le=24, description="bookable hours per working day (room utilisation's denominator)"
    )
    conference_size_classes: dict[str, int] = Field(
        default={"small": 1, "medium": 50, "large": 200},
        description="size classes of a meeting by its smallest number of attendees (for the hotel reference prices)",
    )
    conference_hotel_prices: dict[str, Decimal] = Field(
        default={"small": Decimal("1500"), "medium": Decimal("6000"), "large": Decimal("20000")},
        description="reference price, CNY per meeting, of renting a hotel hall of each size class (an estimate)",
    )
    conference_cost_per_meeting: dict[str, Decimal] = Field(
        default={"small": Decimal("300"), "medium": Decimal("1200"), "large": Decimal("4000")},
        description="marginal cost, CNY per meeting, of holding it in the conference centre (an estimate)",
    )
    canteen_price_tiers: list[PriceTier] = Field(
        default=DEFAULT_PRICE_TIERS,
        description="the canteen's price tiers (DOMAIN.md: 5–6 元能吃饱、7–8 元能吃好、10 元以上能精挑); the average "
        "price of a day's covers in a tier must lie within its band",
    )
    canteen_project: str = Field(
        default="catering", description="the service project of the canteen (its survey items and catering vendor)"
    )
    canteen_units: list[str] = Field(
        default=["kg", "斤", "L", "个", "只", "箱", "袋", "瓶", "桶", "盒"],
        description="units an ingredient may be bought in; an item keeps the unit of its first purchase",
    )
    guidance_open_finding_penalty: float = Field(
        default=10.0, ge=0, description="points off the guidance component per guidance finding still open"
    )
    invited_no_show_limit: int = Field(
        default=2, ge=1, description="no-shows in the window that flag an invited provider for the next selection"
    )
    invited_min_rating: float = Field(
        default=3.0, ge=1, le=5, description="average rating (1-5) below which an invited provider is flagged"
    )
    invited_min_ratings: int = Field(
        default=3, ge=1, description="ratings needed before a provider's average may flag it"
    )
    savings_energy_from_telemetry: bool = Field(
        default=True,
        description="ask telemetry-ingest for the year's energy cost savings (against the year before) in the "
        "savings statement; off, or unreachable, the statement says so and leaves energy out of the grand total",
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()
