"""Pure canteen rules: delivery acceptance, the price tier of a day's covers, the monthly settlement sums."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from appraisal.settings import PriceTier
from houqin_common.i18n import _

CENT = Decimal("0.01")


class IngredientCategory(StrEnum):
    grain_oil = "grain_oil"
    meat_poultry = "meat_poultry"
    aquatic = "aquatic"
    vegetable = "vegetable"
    egg_dairy = "egg_dairy"
    seasoning = "seasoning"
    fruit = "fruit"
    other = "other"

    @property
    def label_zh(self) -> str:
        return {
            "grain_oil": "粮油",
            "meat_poultry": "肉禽",
            "aquatic": "水产",
            "vegetable": "蔬菜",
            "egg_dairy": "蛋奶",
            "seasoning": "调料",
            "fruit": "水果",
            "other": "其他",
        }[self.value]


class Meal(StrEnum):
    breakfast = "breakfast"
    lunch = "lunch"
    dinner = "dinner"

    @property
    def label_zh(self) -> str:
        return {"breakfast": "早餐", "lunch": "午餐", "dinner": "晚餐"}[self.value]


class SafetyCheck(StrEnum):
    """The food-safety checks of a delivery at the door (进货查验)."""

    certificate = "certificate"
    label = "label"
    temperature = "temperature"
    freshness = "freshness"
    packaging = "packaging"

    @property
    def label_zh(self) -> str:
        return {
            "certificate": "票证齐全(合格证明、检疫证明)",
            "label": "标签标识",
            "temperature": "运输温度",
            "freshness": "感官新鲜度",
            "packaging": "包装完好",
        }[self.value]


class SettlementStatus(StrEnum):
    draft = "draft"
    signed_off = "signed_off"

    @property
    def label_zh(self) -> str:
        return {"draft": "草稿", "signed_off": "已签认"}[self.value]


class CanteenRuleError(ValueError):
    """Input the canteen refuses, with the reason."""


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_bounds(month: str) -> tuple[date, date]:
    """[first day, first day of the next month) of ``YYYY-MM``."""
    try:
        year, mon = (int(x) for x in month.split("-"))
        start = date(year, mon, 1)
    except ValueError:
        raise CanteenRuleError(_("invalid month {month}: use YYYY-MM", month=repr(month))) from None
    end = date(year + 1, 1, 1) if mon == 12 else date(year, mon + 1, 1)
    return start, end


def amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """Line amount in yuan, rounded half-up to the fen."""
    return (quantity * unit_price).quantize(CENT, rounding=ROUND_HALF_UP)


def acceptance(checks: dict[str, bool], accepted: bool, reason: str | None) -> None:
    """A delivery is accepted only when every check passed; a rejected one needs its reason."""
    failed = sorted(c for c, ok in checks.items() if not ok)
    if accepted and failed:
        raise CanteenRuleError(
            _("a delivery that failed the checks {failed} cannot be accepted", failed=", ".join(failed))
        )
    if not accepted and not (reason and reason.strip()):
        raise CanteenRuleError(_("a rejected delivery needs the reason of the rejection"))


def check_unit(item: str, unit: str, known_unit: str | None, allowed: Sequence[str]) -> None:
    """The unit must be one the office uses, and the one the item was bought in before."""
    if unit not in allowed:
        raise CanteenRuleError(_("unit {unit} is not one of {allowed}", unit=repr(unit), allowed=", ".join(allowed)))
    if known_unit is not None and known_unit != unit:
        raise CanteenRuleError(
            _(
                "unit mismatch: {item} is bought in {known}, not {unit}",
                item=item,
                known=repr(known_unit),
                unit=repr(unit),
            )
        )


def tier_of(code: str, tiers: Sequence[PriceTier]) -> PriceTier:
    for tier in tiers:
        if tier.code == code:
            return tier
    raise CanteenRuleError(
        _("unknown price tier {tier}; known: {known}", tier=repr(code), known=", ".join(t.code for t in tiers))
    )


def check_tier_price(tier: PriceTier, covers: int, takings: Decimal) -> None:
    """The average price of the covers must lie within the tier's band (DOMAIN.md price tiers)."""
    if covers == 0:
        if takings != 0:
            raise CanteenRuleError(_("takings without covers"))
        return
    average = takings / covers
    if average < tier.min_price or (tier.max_price is not None and average > tier.max_price):
        band = f"{tier.min_price}–{tier.max_price}" if tier.max_price is not None else f"≥ {tier.min_price}"
        raise CanteenRuleError(
            _(
                "average price {average} CNY per cover is outside tier {tier} ({band} CNY)",
                average=average.quantize(CENT),
                tier=tier.label_zh,
                band=band,
            )
        )


@dataclass(frozen=True)
class PurchaseLine:
    category: str
    amount: Decimal
    accepted: bool


@dataclass(frozen=True)
class CoversLine:
    meal: str
    tier: str
    covers: int
    takings: Decimal


@dataclass
class Settlement:
    """The month's account. Every figure is derived here, once, from the recorded lines."""

    ingredient_cost: Decimal
    ingredient_adjustment: Decimal
    takings: Decimal
    takings_adjustment: Decimal
    catering_fee: Decimal
    covers: int
    total_cost: Decimal
    surplus: Decimal
    cost_per_cover: Decimal | None
    ingredient_cost_per_cover: Decimal | None
    ingredient_cost_ratio: Decimal | None
    rejected_deliveries: int
    rejected_amount: Decimal
    by_category: dict[str, Decimal] = field(default_factory=dict)
    by_tier: dict[str, dict[str, Decimal | int]] = field(default_factory=dict)
    by_meal: dict[str, dict[str, Decimal | int]] = field(default_factory=dict)


def _ratio(num: Decimal, den: Decimal | int, places: str = "0.01") -> Decimal | None:
    return None if not den else (num / Decimal(den)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def settle(
    purchases: Iterable[PurchaseLine],
    covers: Iterable[CoversLine],
    *,
    catering_fee: Decimal,
    ingredient_adjustment: Decimal = Decimal(0),
    takings_adjustment: Decimal = Decimal(0),
) -> Settlement:
    """Ingredient cost (accepted deliveries only, plus an adjustment), takings, covers, the catering team's
    fee; cost per cover = (ingredients + fee) ÷ covers; ingredient-cost ratio = ingredients ÷ takings;
    surplus = takings − ingredients − fee (negative: a deficit)."""
    if catering_fee < 0:
        raise CanteenRuleError(_("the catering fee cannot be negative"))
    by_category: dict[str, Decimal] = {}
    rejected, rejected_amount, bought = 0, Decimal(0), Decimal(0)
    for p in purchases:
        if not p.accepted:
            rejected += 1
            rejected_amount += p.amount
            continue
        bought += p.amount
        by_category[p.category] = by_category.get(p.category, Decimal(0)) + p.amount
    by_tier: dict[str, dict[str, Decimal | int]] = {}
    by_meal: dict[str, dict[str, Decimal | int]] = {}
    sold, count = Decimal(0), 0
    for c in covers:
        sold += c.takings
        count += c.covers
        for key, table in ((c.tier, by_tier), (c.meal, by_meal)):
            row = table.setdefault(key, {"covers": 0, "takings": Decimal(0)})
            row["covers"] = int(row["covers"]) + c.covers
            row["takings"] = Decimal(row["takings"]) + c.takings
    for row in by_tier.values():
        row["average_price"] = _ratio(Decimal(row["takings"]), int(row["covers"])) or Decimal(0)
    ingredients = (bought + ingredient_adjustment).quantize(CENT)
    takings = (sold + takings_adjustment).quantize(CENT)
    if ingredients < 0 or takings < 0:
        raise CanteenRuleError(_("an adjustment cannot make the ingredient cost or the takings negative"))
    total = ingredients + catering_fee
    return Settlement(
        ingredient_cost=ingredients,
        ingredient_adjustment=ingredient_adjustment,
        takings=takings,
        takings_adjustment=takings_adjustment,
        catering_fee=catering_fee.quantize(CENT),
        covers=count,
        total_cost=total.quantize(CENT),
        surplus=(takings - total).quantize(CENT),
        cost_per_cover=_ratio(total, count),
        ingredient_cost_per_cover=_ratio(ingredients, count),
        ingredient_cost_ratio=_ratio(ingredients, takings, "0.0001"),
        rejected_deliveries=rejected,
        rejected_amount=rejected_amount.quantize(CENT),
        by_category=dict(sorted(by_category.items())),
        by_tier=by_tier,
        by_meal=by_meal,
    )
