"""Pure savings rules: a project's cost before outsourcing and its saving, the statement's sums."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from houqin_common.i18n import _

CENT = Decimal("0.01")


class Basis(StrEnum):
    posts_x_wage = "posts_x_wage"
    office_figure = "office_figure"

    @property
    def label_zh(self) -> str:
        return {"posts_x_wage": "岗位数 × 年人均工资", "office_figure": "管理局测算数"}[self.value]


class Platform(StrEnum):
    conference_centre = "conference_centre"
    vehicle_platform = "vehicle_platform"
    other = "other"

    @property
    def label_zh(self) -> str:
        return {"conference_centre": "会议中心", "vehicle_platform": "公车运行平台", "other": "其他共享平台"}[
            self.value
        ]


class SavingsRuleError(ValueError):
    """Inputs the ledger refuses, with the reason."""


def cost_before(posts: int | None, wage: Decimal | None, office_figure: Decimal | None) -> tuple[Basis, Decimal]:
    """Exactly one basis: staff posts × annual wage per post, or the office's own figure."""
    by_posts = posts is not None or wage is not None
    if by_posts and office_figure is not None:
        raise SavingsRuleError(_("give either posts × wage or the office's own figure, not both"))
    if office_figure is not None:
        return Basis.office_figure, office_figure.quantize(CENT)
    if posts is None or wage is None:
        raise SavingsRuleError(_("the cost before outsourcing needs both posts and wage per post, or an office figure"))
    return Basis.posts_x_wage, (Decimal(posts) * wage).quantize(CENT, rounding=ROUND_HALF_UP)


def saving(before: Decimal, contract_cost: Decimal) -> Decimal:
    """Cost before outsourcing minus the contract cost now (negative: outsourcing costs more)."""
    return (before - contract_cost).quantize(CENT)


@dataclass(frozen=True)
class Totals:
    before: Decimal
    contract: Decimal
    projects_saving: Decimal
    platforms: Decimal
    total: Decimal


def totals(lines: Sequence[tuple[Decimal, Decimal]], platforms: Sequence[Decimal]) -> Totals:
    """``lines``: (cost before, contract cost) per project. Total = Σ project savings + Σ platform savings."""
    before = sum((b for b, _c in lines), Decimal(0))
    contract = sum((c for _b, c in lines), Decimal(0))
    plat = sum(platforms, Decimal(0))
    return Totals(
        before.quantize(CENT),
        contract.quantize(CENT),
        (before - contract).quantize(CENT),
        plat.quantize(CENT),
        (before - contract + plat).quantize(CENT),
    )
