"""Degree days and the baseline regression of daily consumption on HDD and CDD (pure functions)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from houqin_common.i18n import _


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


def fit_ols(xs: Sequence[Sequence[float]], ys: Sequence[float]) -> Fit:
    """Ordinary least squares with intercept; regressors without variance are left out (coef 0)."""
    n = len(ys)
    if n == 0:
        raise ValueError(_("no observations"))
    k = len(xs[0]) if xs else 0
    used = [j for j in range(k) if max(x[j] for x in xs) - min(x[j] for x in xs) > 1e-9]
    if n <= len(used) + 1:
        raise ValueError(_("too few observations for the regression"))
    design = np.array([[1.0, *(x[j] for j in used)] for x in xs])
    y = np.asarray(ys, dtype=float)
    beta, _residuals, rank, _sv = np.linalg.lstsq(design, y, rcond=None)
    p = design.shape[1]
    if rank < p:
        raise ValueError(_("singular system"))
    coefs = [0.0] * k
    for idx, j in enumerate(used):
        coefs[j] = float(beta[idx + 1])
    mean_y = float(y.mean())
    ss_res = float(((y - design @ beta) ** 2).sum())
    ss_tot = float(((y - mean_y) ** 2).sum())
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else 1.0
    dof = max(1, n - p)
    cv = (ss_res / dof) ** 0.5 / mean_y if mean_y else 0.0
    return Fit(intercept=float(beta[0]), coefficients=tuple(coefs), r2=r2, cv_rmse=cv, n=n)
