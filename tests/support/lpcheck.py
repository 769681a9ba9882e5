"""Independent optimality check for LP answers: the Lagrangian dual value of row duals."""

from __future__ import annotations

import numpy as np

from model.formulation.lp import LinearProblem


def dual_value(lp: LinearProblem, duals: np.ndarray, lb: np.ndarray, ub: np.ndarray) -> float:
    """Lagrangian dual value of min c'x, rl ≤ Ax ≤ ru, lb ≤ x ≤ ub at row duals y.

    Equal to the primal optimum exactly when y is an optimal dual solution (weak duality
    bounds it from below for any dual-feasible y).
    """
    a, rl, ru = lp.matrix()
    y = np.where(np.abs(duals) < 1e-9, 0.0, duals)
    reduced = lp.cost_vector() - a.T @ y
    reduced = np.where(np.abs(reduced) < 1e-9, 0.0, reduced)
    row_part = np.where(y > 0, rl, np.where(y < 0, ru, 0.0)) * y
    col_part = np.where(reduced > 0, lb, np.where(reduced < 0, ub, 0.0)) * reduced
    return float(row_part.sum() + col_part.sum())
