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

import numpy as np

from .lp import LinearProblem

TARGET_MAX_COST = float(2**19)  # 524,288: below HiGHS's 1e6 'excessively large' mark
# ranges beyond these (largest / smallest nonzero magnitude) are worth a warning: HiGHS's own
# assessment flags single values above 1e6 (costs) or 1e15 (bounds); a matrix spanning more
# than 1e9 between its smallest and largest coefficient loses digits in factorisations
MATRIX_RATIO_WARN = 1e9
COST_RATIO_WARN = 1e10


def cost_scale_exponent(cost: np.ndarray, target_max: float = TARGET_MAX_COST) -> int:
    """Exponent k ≤ 0 with max |2^k c| ≤ target_max (0 when the costs are already small)."""
    finite = np.abs(cost[np.isfinite(cost)])
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
