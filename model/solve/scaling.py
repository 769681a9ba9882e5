"""Numerical hygiene: objective scaling and the coefficient ranges HiGHS is handed.

Objective scaling
-----------------
WattBit's cost coefficients mix annualised capex per MW (1e4-1e6), running costs per MWh
times a step weight (1-1e3) and the value of lost load times a step weight (1e4-1e9). HiGHS
works to absolute tolerances (dual feasibility 1e-7 on reduced costs) and flags costs above
1e6 as excessively large (the US case drew that warning). WattBit therefore hands HiGHS

.. math::  \\min\\ 2^{k} c^\\top x \\quad \\text{s.t. the same rows and bounds,}

with the integer exponent :math:`k = -\\lceil \\log_2(\\max_j |c_j| / C) \\rceil` (never
positive; :data:`TARGET_MAX_COST` is :math:`C`), and maps the answer back exactly: the primal
solution is unchanged, the objective is divided by :math:`2^k`, and so are the row duals
(prices). A power of two multiplies every floating-point cost exactly, so the scaled problem is
the same problem in other units, not an approximation; relative MIP gaps are unaffected.

Why :math:`C = 2^{19} \\approx 5.2 \\times 10^5`: HiGHS flags costs above 1e6 as excessively large
(and suggests a power-of-two ``user_objective_scale`` that brings them below it); scaling further
shrinks the small costs towards HiGHS's absolute tolerances. Measured (docs/performance.md): on
the 5 × 2000 benchmark LP, scaling the largest cost to ~190 cut HiPO from 55 to 45 iterations,
but on the 10 × 8760 LP the same scaling (costs down to 5e-4) made HiPO stall after 29
iterations and restart with IPX, where the unscaled LP solves in 115. So WattBit scales only
as far as HiGHS asks: cases whose costs stay below :math:`C` (the benchmark LPs, max 1.9e5)
are handed over unchanged; the US case (value of lost load × step weight up to 1e7) is scaled.

Coefficient ranges
------------------
:func:`coefficient_ranges` reports the smallest and largest nonzero magnitude of the matrix,
costs, column bounds and row bounds, each with the model block it comes from, so a user who
meets a numerically hard case sees where the extremes are; :func:`range_warnings` turns the
ones outside what HiGHS handles well into plain-words warnings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from model.formulation.lp import LinearProblem

TARGET_MAX_COST = float(2**19)  # 524,288: below HiGHS's 1e6 'excessively large' mark
TARGET_MAX_BOUND = float(2**19)  # HiGHS also flags column bounds and right-hand sides > 1e6
# ranges beyond these (largest / smallest nonzero magnitude) are worth a warning: HiGHS's own
# assessment flags single values above 1e6 (costs) or 1e15 (bounds); a matrix spanning more
# than 1e9 between its smallest and largest coefficient loses digits in factorisations
MATRIX_RATIO_WARN = 1e9
COST_RATIO_WARN = 1e10


def scale_exponent(values: np.ndarray, target_max: float = TARGET_MAX_COST) -> int:
    """Exponent k ≤ 0 with max |2^k v| ≤ target_max over finite values (0 if already so)."""
    finite = np.abs(values[np.isfinite(values)])
    biggest = float(finite.max()) if finite.size else 0.0
    if biggest <= target_max:
        return 0
    return -math.ceil(math.log2(biggest / target_max))


def _extremes(values: np.ndarray, owner: np.ndarray, names: list[str]) -> dict | None:
    mag = np.abs(values)
    keep = np.isfinite(mag) & (mag > 0)
    if not keep.any():
        return None
    mag, owner = mag[keep], owner[keep]
    lo, hi = int(np.argmin(mag)), int(np.argmax(mag))
    return {"min": float(mag[lo]), "min_in": names[owner[lo]],
            "max": float(mag[hi]), "max_in": names[owner[hi]],
            "ratio": float(mag[hi] / mag[lo])}


def coefficient_ranges(lp: LinearProblem) -> dict:
    """Nonzero magnitude ranges of matrix, costs, column and row bounds, by model block."""
    var_names = list(lp.variables)
    con_names = list(lp.constraints)
    col_owner = np.repeat(np.arange(len(var_names)),
                          [b.size for b in lp.variables.values()])
    row_owner = np.repeat(np.arange(len(con_names)),
                          [b.size for b in lp.constraints.values()])
    a, row_lb, row_ub = lp.matrix()
    lb, ub, _ = lp.col_bounds()
    coo = a.tocoo()
    out = {
        "matrix": _extremes(coo.data, row_owner[coo.row], con_names),
        "cost": _extremes(lp.cost_vector(), col_owner, var_names),
        "column_bounds": _extremes(np.concatenate([lb, ub]), np.tile(col_owner, 2), var_names),
        "row_bounds": _extremes(np.concatenate([row_lb, row_ub]), np.tile(row_owner, 2),
                                con_names),
    }
    return {key: value for key, value in out.items() if value is not None}


def range_warnings(ranges: dict) -> list[str]:
    """Plain-words warnings for coefficient ranges outside what HiGHS handles well."""
    out = []
    m = ranges.get("matrix")
    if m and m["ratio"] > MATRIX_RATIO_WARN:
        out.append(
            f"constraint coefficients span {m['ratio']:.1e} (from {m['min']:.3g} in "
            f"{m['min_in']} to {m['max']:.3g} in {m['max_in']}); HiGHS may lose accuracy — "
            "check units (MW vs kW) and near-zero availabilities or efficiencies")
    c = ranges.get("cost")
    if c and c["ratio"] > COST_RATIO_WARN:
        out.append(
            f"costs span {c['ratio']:.1e} (from {c['min']:.3g} in {c['min_in']} to "
            f"{c['max']:.3g} in {c['max_in']}); tiny costs below HiGHS's tolerances act as "
            "zero — check value_of_lost_load_per_mwh and cost units")
    return out


@dataclass(frozen=True)
class Scaling:
    """The scaled problem HiGHS is handed, and the way back.

    With :math:`s_j = 2^b` for continuous columns and 1 for integer ones, HiGHS solves

    .. math:: \\min \\sum_j 2^k c_j / s_j \\; x'_j \\quad
              2^b r^L \\le 2^b A S^{-1} x' \\le 2^b r^U, \\quad s_j l_j \\le x'_j \\le s_j u_j

    i.e. continuous variables in units of :math:`2^{-b}` MW (bounds and right-hand sides
    shrink by :math:`2^b`, continuous matrix entries are unchanged, integer columns' entries
    are multiplied by :math:`2^b`) and costs as in the module docstring. Back: :math:`x = x'/s`,
    objective :math:`/ 2^k`, row duals :math:`y = 2^{b-k} y'` (from stationarity,
    :math:`2^k c = A^\\top (2^b y') + S d'`). Every factor is a power of two: exact.
    """

    cost_exponent: int = 0
    bound_exponent: int = 0
    col_scale: np.ndarray | None = None  # s_j (None: all 1)

    def _s(self, n: int) -> np.ndarray:
        return np.ones(n) if self.col_scale is None else self.col_scale

    def costs(self, cost: np.ndarray) -> np.ndarray:
        return np.ldexp(cost, self.cost_exponent) / self._s(len(cost))

    def columns(self, values: np.ndarray) -> np.ndarray:
        """Column values or bounds into HiGHS's units (x' = s x)."""
        return values * self._s(len(values))

    def rows(self, values: np.ndarray) -> np.ndarray:
        return np.ldexp(values, self.bound_exponent)

    def matrix(self, a):
        """A' = 2^b A S^-1 (CSC in, CSC out; continuous columns unchanged)."""
        if self.bound_exponent == 0:
            return a
        factor = np.ldexp(1.0, self.bound_exponent) / self._s(a.shape[1])
        a = a.copy()
        a.data *= np.repeat(factor, np.diff(a.indptr))
        return a

    def x_back(self, x: np.ndarray) -> np.ndarray:
        return x / self._s(len(x))

    def objective_back(self, value: float) -> float:
        return float(np.ldexp(value, -self.cost_exponent))

    def duals_back(self, y: np.ndarray) -> np.ndarray:
        return np.ldexp(y, self.bound_exponent - self.cost_exponent)


def choose_scaling(cost: np.ndarray, col_lb: np.ndarray, col_ub: np.ndarray,
                   row_lb: np.ndarray, row_ub: np.ndarray, integer: np.ndarray,
                   scale_costs: bool = True, scale_bounds: bool = True) -> Scaling:
    """Bound exponent from the continuous columns' and rows' finite bounds, then the cost
    exponent from the costs as HiGHS will see them (both ≤ 0, both to :data:`TARGET_MAX`)."""
    b = 0
    if scale_bounds:
        cont = ~np.asarray(integer, bool)
        b = scale_exponent(np.concatenate([col_lb[cont], col_ub[cont], row_lb, row_ub]),
                                TARGET_MAX_BOUND)
    col_scale = None
    if b:
        col_scale = np.where(np.asarray(integer, bool), 1.0, np.ldexp(1.0, b))
    k = 0
    if scale_costs:
        seen = cost if col_scale is None else cost / col_scale
        k = scale_exponent(seen, TARGET_MAX_COST)
    return Scaling(k, b, col_scale)
