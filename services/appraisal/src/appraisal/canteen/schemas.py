"""Request and response bodies of the canteen: purchases, covers, settlements, the tier-and-survey view."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from appraisal.canteen.rules import IngredientCategory, Meal, SafetyCheck, SettlementStatus
from houqin_common.schemas import InputModel

CANTEEN_FIELD = Field(
    default="main", min_length=1, max_length=64, description="canteen (dining hall) code; `main` by default"
)
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


class CheckIn(InputModel):
    check: SafetyCheck = Field(description="food-safety check at the door")
    passed: bool = Field(description="whether the delivery passed it")
    note: str | None = Field(default=None, max_length=500, description="what was seen (temperature, missing paper)")


class PurchaseCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "canteen": "main",
                    "supplier": "常州市武进区湖塘农副产品批发有限公司",
                    "item": "青菜",
                    "category": "vegetable",
                    "quantity": "120.5",
                    "unit": "kg",
                    "unit_price": "3.20",
                    "purchased_on": "2026-03-02",
                    "accepted": True,
                    "checks": [{"check": "freshness", "passed": True}, {"check": "certificate", "passed": True}],
                },
                {
                    "supplier": "常州鲜达冷链食品有限公司",
                    "item": "冷冻鸡腿",
                    "category": "meat_poultry",
                    "quantity": "60",
                    "unit": "kg",
                    "unit_price": "18.50",
                    "purchased_on": "2026-03-03",
                    "accepted": False,
                    "checks": [{"check": "temperature", "passed": False, "note": "到货中心温度 -6 ℃"}],
                    "rejection_reason": "冷链温度不达标，整批拒收",
                },
            ]
        },
    )

    canteen: str = CANTEEN_FIELD
    supplier: str = Field(min_length=1, max_length=200, description="supplier (供货商)")
    item: str = Field(min_length=1, max_length=200, description="ingredient (食材)")
    category: IngredientCategory = Field(description="ingredient category")
    quantity: Decimal = Field(gt=0, max_digits=14, decimal_places=3, description="quantity delivered (> 0)")
    unit: str = Field(min_length=1, max_length=16, description="unit; an item keeps the unit of its first purchase")
    unit_price: Decimal = Field(ge=0, max_digits=14, decimal_places=2, description="price per unit, CNY")
    purchased_on: date = Field(description="delivery day; its month must not be settled")
    accepted: bool = Field(default=True, description="delivery accepted at the door")
    checks: list[CheckIn] = Field(default_factory=list, description="food-safety checks of the delivery")
    rejection_reason: str | None = Field(default=None, max_length=2000, description="why a delivery was rejected")


class PurchaseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="purchase id")
    canteen: str = Field(description="canteen code")
    supplier: str = Field(description="supplier")
    item: str = Field(description="ingredient")
    category: str = Field(description="ingredient category")
    category_zh: str = Field(description="Chinese label of the category")
    quantity: Decimal = Field(description="quantity")
    unit: str = Field(description="unit")
    unit_price: Decimal = Field(description="price per unit, CNY")
    amount: Decimal = Field(description="quantity × unit price, CNY (rounded to the fen)")
    purchased_on: date = Field(description="delivery day")
    accepted: bool = Field(description="accepted at the door (a rejected delivery costs nothing)")
    checks: list[dict[str, Any]] = Field(description="food-safety checks")
    rejection_reason: str | None = Field(description="reason of a rejection")
    recorded_by: str = Field(description="who recorded it")


class CoversCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "canteen": "main",
                    "served_on": "2026-03-02",
                    "meal": "lunch",
                    "tier": "good",
                    "covers": 420,
                    "takings": "3150.00",
                }
            ]
        },
    )

    canteen: str = CANTEEN_FIELD
    served_on: date = Field(description="day served; its month must not be settled")
    meal: Meal = Field(description="breakfast, lunch or dinner")
    tier: str = Field(min_length=1, max_length=32, description="price tier code (settings `canteen_price_tiers`)")
    covers: int = Field(ge=0, description="covers (就餐人次)")
    takings: Decimal = Field(ge=0, max_digits=14, decimal_places=2, description="takings, CNY")


class CoversRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="record id")
    canteen: str = Field(description="canteen code")
    served_on: date = Field(description="day served")
    meal: str = Field(description="meal")
    tier: str = Field(description="price tier")
    covers: int = Field(description="covers")
    takings: Decimal = Field(description="takings, CNY")


class SettlementCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "canteen": "main",
                    "month": "2026-03",
                    "catering_fee": "98000.00",
                    "fee_source": "餐饮服务合同 HQ-2026-001 月服务费",
                    "catering_vendor_id": "87003d64-9d4e-51b6-92e8-aa5624757591",
                }
            ]
        },
    )

    canteen: str = CANTEEN_FIELD
    month: str = Field(pattern=MONTH_PATTERN, description="month settled, `YYYY-MM`")
    catering_fee: Decimal = Field(
        ge=0, max_digits=14, decimal_places=2, description="the catering team's fee for the month per its contract"
    )
    fee_source: str = Field(
        min_length=1, max_length=500, description="where the fee comes from (contract number and clause)"
    )
    catering_vendor_id: str | None = Field(
        default=None, max_length=64, description="the catering vendor (it may read this settlement)"
    )


class CorrectionCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "reason": "供货商补开红字发票，冲减 3 月猪肉货款",
                    "ingredient_adjustment": "-1200.00",
                }
            ]
        },
    )

    reason: str = Field(min_length=1, max_length=2000, description="why the signed-off month is corrected")
    ingredient_adjustment: Decimal | None = Field(
        default=None, max_digits=14, decimal_places=2, description="new adjustment of the ingredient cost, CNY"
    )
    takings_adjustment: Decimal | None = Field(
        default=None, max_digits=14, decimal_places=2, description="new adjustment of the takings, CNY"
    )
    catering_fee: Decimal | None = Field(
        default=None, ge=0, max_digits=14, decimal_places=2, description="corrected catering fee, CNY"
    )
    fee_source: str | None = Field(default=None, max_length=500, description="source of a corrected fee")


class SettlementRead(BaseModel):
    id: str = Field(description="settlement version id")
    canteen: str = Field(description="canteen code")
    month: str = Field(description="month, `YYYY-MM`")
    version: int = Field(description="1, then one more per correction")
    status: SettlementStatus = Field(description="`draft` (recomputed on demand) or `signed_off` (locked)")
    status_zh: str = Field(description="Chinese label of the status")
    catering_vendor_id: str | None = Field(description="the catering vendor")
    catering_vendor_name: str | None = Field(default=None, description="its registered name")
    ingredient_cost: Decimal = Field(description="accepted deliveries + adjustment, CNY")
    ingredient_adjustment: Decimal = Field(description="adjustment included in the ingredient cost, CNY")
    takings: Decimal = Field(description="covers' takings + adjustment, CNY")
    takings_adjustment: Decimal = Field(description="adjustment included in the takings, CNY")
    catering_fee: Decimal = Field(description="catering team's fee, CNY")
    fee_source: str = Field(description="where the fee comes from (entered with the settlement)")
    total_cost: Decimal = Field(description="ingredient cost + catering fee, CNY")
    covers: int = Field(description="covers of the month")
    cost_per_cover: Decimal | None = Field(description="total cost ÷ covers, CNY")
    ingredient_cost_per_cover: Decimal | None = Field(description="ingredient cost ÷ covers, CNY")
    ingredient_cost_ratio: Decimal | None = Field(description="ingredient cost ÷ takings")
    surplus: Decimal = Field(description="takings − total cost; negative is a deficit")
    rejected_deliveries: int = Field(description="deliveries rejected at the door (not in the cost)")
    rejected_amount: Decimal = Field(description="their amount, CNY")
    by_category: dict[str, Decimal] = Field(description="ingredient cost per category, CNY")
    by_tier: dict[str, dict[str, Any]] = Field(description="covers, takings and average price per price tier")
    by_meal: dict[str, dict[str, Any]] = Field(description="covers and takings per meal")
    corrects_version: int | None = Field(description="the version this one corrects")
    correction_reason: str | None = Field(description="why")
    prepared_by: str = Field(description="who computed it")
    signed_off_by: str | None = Field(description="who signed it off")
    signed_off_at: datetime | None = Field(description="when")


class TierAvailability(BaseModel):
    code: str = Field(description="tier code")
    label_zh: str = Field(description="tier as the office names it")
    min_price: Decimal = Field(description="lowest price per cover")
    max_price: Decimal | None = Field(description="highest price per cover (null: none)")
    days_served: int = Field(description="days the canteen served")
    days_offered: int = Field(description="days with covers in this tier")
    availability: float | None = Field(description="days offered ÷ days served")
    covers: int = Field(description="covers in the tier")
    share_of_covers: float | None = Field(description="its share of all covers")
    average_price: Decimal | None = Field(description="takings ÷ covers, CNY")


class CanteenOverview(BaseModel):
    canteen: str = Field(description="canteen code")
    start: date = Field(description="first day")
    end: date = Field(description="day after the last")
    tiers: list[TierAvailability] = Field(description="price-tier availability")
    survey_grades: dict[str, int] = Field(description="answers on the canteen's survey items by grade")
    satisfaction: float | None = Field(description="share of excellent and good answers among graded answers")
    survey_periods: list[str] = Field(description="the campaigns counted")
