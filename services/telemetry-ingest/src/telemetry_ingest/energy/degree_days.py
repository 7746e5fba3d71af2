"""Degree days and the baseline regression of daily consumption on HDD and CDD (pure functions)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


def degree_days(mean_temp_c: float, *, heating_base_c: float, cooling_base_c: float) -> tuple[float, float]:
    """(HDD, CDD) of one day from its mean outdoor temperature."""
    return max(0.0, heating_base_c - mean_temp_c), max(0.0, mean_temp_c - cooling_base_c)


@dataclass(frozen=True)
class Fit:
    """Consumption per day = intercept + Σ coef·regressor; unused regressors (no variance) have coef 0."""

    intercept: float
    coefficients: tuple[float, ...]
    r2: float
    cv_rmse: float
    n: int

    def predict(self, x: Sequence[float]) -> float:
        return self.intercept + sum(c * v for c, v in zip(self.coefficients, x, strict=True))


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    n = len(b)
    m = [[*row[:], b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        if abs(m[pivot][col]) < 1e-12:
            raise ValueError("singular system")
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(n):
            if r != col:
                f = m[r][col] / m[col][col]
                for c in range(col, n + 1):
                    m[r][c] -= f * m[col][c]
    return [m[i][n] / m[i][i] for i in range(n)]


def fit_ols(xs: Sequence[Sequence[float]], ys: Sequence[float]) -> Fit:
    """Ordinary least squares with intercept; regressors without variance are left out (coef 0)."""
    n = len(ys)
    if n == 0:
        raise ValueError("no observations")
    k = len(xs[0]) if xs else 0
    used = [j for j in range(k) if max(x[j] for x in xs) - min(x[j] for x in xs) > 1e-9]
    if n <= len(used) + 1:
        raise ValueError("too few observations for the regression")
    rows = [[1.0, *(x[j] for j in used)] for x in xs]
    p = len(rows[0])
    xtx = [[sum(r[i] * r[j] for r in rows) for j in range(p)] for i in range(p)]
    xty = [sum(r[i] * y for r, y in zip(rows, ys, strict=True)) for i in range(p)]
    beta = _solve(xtx, xty)
    coefs = [0.0] * k
    for idx, j in enumerate(used):
        coefs[j] = beta[idx + 1]
    mean_y = sum(ys) / n
    preds = [sum(b * v for b, v in zip(beta, r, strict=True)) for r in rows]
    ss_res = sum((y - f) ** 2 for y, f in zip(ys, preds, strict=True))
    ss_tot = sum((y - mean_y) ** 2 for y in ys)
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else 1.0
    dof = max(1, n - p)
    cv = (ss_res / dof) ** 0.5 / mean_y if mean_y else 0.0
    return Fit(intercept=beta[0], coefficients=tuple(coefs), r2=r2, cv_rmse=cv, n=n)
