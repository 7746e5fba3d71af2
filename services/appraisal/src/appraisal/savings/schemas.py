"""Request and response bodies of the savings ledger and its yearly statement."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from appraisal.savings.rules import Basis, Platform


class ProjectSavingIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "posts": 40,
                    "wage_per_post": "72000",
                    "contract_cost": "2400000",
                    "contract_cost_source": "安保服务合同 2026 年合同价",
                },
                {
                    "office_figure": "1950000",
                    "office_figure_source": "2012 年食堂自办人员经费决算",
                    "contract_cost": "1800000",
                    "contract_cost_source": "餐饮服务合同年服务费",
                },
            ]
        },
    )

    posts: int | None = Field(default=None, ge=0, le=10000, description="staff posts the project replaced")
    wage_per_post: Decimal | None = Field(
        default=None, ge=0, max_digits=14, decimal_places=2, description="annual wage and on-costs per post, CNY"
    )
    office_figure: Decimal | None = Field(
        default=None, ge=0, max_digits=16, decimal_places=2, description="or: the office's own figure, CNY"
    )
    office_figure_source: str | None = Field(default=None, max_length=500, description="where that figure comes from")
    contract_cost: Decimal = Field(ge=0, max_digits=16, decimal_places=2, description="what the contract costs now")
    contract_cost_source: str = Field(min_length=1, max_length=500, description="the contract (number, clause)")
    note: str | None = Field(default=None, max_length=2000, description="remark")


class PlatformSavingIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "avoided_cost": "1600000",
                    "source": "近 200 场 200 人以上会议 × 宾馆会议室租金约 8 000 元/场(管理处测算)",
                }
            ]
        },
    )

    avoided_cost: Decimal = Field(ge=0, max_digits=16, decimal_places=2, description="cost avoided in the year, CNY")
    source: str = Field(min_length=1, max_length=1000, description="how it was obtained")


class ProjectLine(BaseModel):
    project_code: str = Field(description="project")
    project_name: str | None = Field(
        description="the project's name from contracts-api in the answer's language (null when unreachable)"
    )
    basis: Basis = Field(description="posts × wage, or the office's figure")
    basis_zh: str = Field(description="Chinese label of the basis")
    posts: int | None = Field(description="posts")
    wage_per_post: Decimal | None = Field(description="wage per post, CNY")
    office_figure: Decimal | None = Field(description="office's figure, CNY")
    office_figure_source: str | None = Field(description="its source")
    cost_before: Decimal = Field(description="cost before outsourcing, CNY")
    contract_cost: Decimal = Field(description="contract cost now, CNY")
    contract_cost_source: str = Field(description="its source")
    saving: Decimal = Field(description="cost before − contract cost, CNY")
    note: str | None = Field(description="remark")


class PlatformLine(BaseModel):
    platform: Platform = Field(description="conference centre, vehicle platform, other")
    platform_zh: str = Field(description="Chinese label")
    avoided_cost: Decimal = Field(description="cost avoided, CNY")
    source: str = Field(description="how it was obtained (entered by the office, or the platform's own figure)")


class EnergyLine(BaseModel):
    available: bool = Field(description="false when telemetry-ingest was not asked or could not answer")
    saved_cny: Decimal | None = Field(description="yuan saved on energy against the year before")
    actual_cny: Decimal | None = Field(default=None, description="energy cost of the year")
    expected_cny: Decimal | None = Field(default=None, description="the year before's daily cost × the year's days")
    saving_ratio: float | None = Field(default=None, description="saved ÷ expected")
    source: str = Field(description="where the figure comes from, or why it is missing")


class SavingsStatement(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "year": 2026,
                    "projects": [],
                    "platforms": [],
                    "projects_cost_before": "7650000.00",
                    "projects_contract_cost": "1650000.00",
                    "projects_saving": "6000000.00",
                    "platforms_saving": "1600000.00",
                    "total_cny": "7600000.00",
                    "energy": {"available": False, "saved_cny": None, "source": "telemetry-ingest unreachable"},
                    "grand_total_cny": None,
                    "generated_on": "2027-01-05",
                }
            ]
        }
    )

    year: int = Field(description="year")
    projects: list[ProjectLine] = Field(description="each project's saving with its inputs")
    platforms: list[PlatformLine] = Field(description="shared platforms' avoided costs")
    projects_cost_before: Decimal = Field(description="Σ cost before outsourcing")
    projects_contract_cost: Decimal = Field(description="Σ contract cost now")
    projects_saving: Decimal = Field(description="Σ project savings")
    platforms_saving: Decimal = Field(description="Σ platform savings")
    total_cny: Decimal = Field(description="projects + platforms")
    energy: EnergyLine = Field(description="energy savings already computed by telemetry-ingest, beside the total")
    grand_total_cny: Decimal | None = Field(description="total + energy; null when the energy figure is missing")
    generated_on: date = Field(description="day the statement was produced")
