"""Annualisation of overnight capital costs."""

from __future__ import annotations

import numpy as np


def capital_recovery_factor(discount_rate: float, lifetime_years) -> np.ndarray:
    """CRF = r / (1 - (1 + r)^-n); 1/n when r = 0. Vectorised over lifetimes (years)."""
    n = np.asarray(lifetime_years, dtype=float)
    r = float(discount_rate)
    if r == 0.0:
        return 1.0 / n
    return r / (1.0 - (1.0 + r) ** (-n))
