"""How the bench and the rollup tests compare an answer with the raw-data answer of the same query."""

from __future__ import annotations

from typing import Any


def rounded(value: Any) -> Any:
    """``value`` with every float rounded to 1e-6, models dumped: sums over rollup rows and over raw intervals
    differ in the last float bits, never in what a reader sees."""
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, list | tuple):
        return [rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if hasattr(value, "model_dump"):
        return rounded(value.model_dump())
    return value
