"""LPs that fall apart into independent parts once some columns are fixed.

The full-year check (:mod:`model.studies.twostage`) fixes every investment; with storage
cyclic per window, the dispatch LP then separates into weekly windows, solved one by one.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from model.formulation.lp import LinearProblem, Term
from model.solve.highs import SolveResult, solve


def solve_separable(lp: LinearProblem, col_lb: np.ndarray, col_ub: np.ndarray,
                    col_part: np.ndarray, options: dict | None = None,
                    on_log: Callable[[str], None] | None = None) -> SolveResult | None:
    """Solve an LP that falls apart into independent parts once some columns are fixed.

    ``col_part[j]`` is the part of column j (0, 1, …) or −1 for a column fixed by its bounds
    (``col_lb == col_ub``). Fixed columns move to the right-hand sides; every row then touches
    the columns of one part only, or of none (a constant row, which must hold). Each part is
    solved as its own LP (same options, own scaling and algorithm choice) and the solutions
    and row duals are put back together — the optimum of the whole LP, since nothing links
    the parts. Returns None when some row links two parts (the caller solves it whole).
    """

    options = dict(options or {})
    a, row_lb, row_ub = lp.matrix()
    cost = lp.cost_vector()
    col_part = np.asarray(col_part, dtype=np.int64)
    fixed = col_part < 0
    if not np.array_equal(col_lb[fixed], col_ub[fixed]):
        raise ValueError("columns outside every part must be fixed (lower bound = upper bound)")
    x = np.where(fixed, col_lb, 0.0)
    shift = a @ x
    coo = a.tocoo()
    free = ~fixed[coo.col]
    rows, cols, vals = coo.row[free], coo.col[free], coo.data[free]
    lo = np.full(lp.n_rows, np.iinfo(np.int64).max)
    hi = np.full(lp.n_rows, -1)
    np.minimum.at(lo, rows, col_part[cols])
    np.maximum.at(hi, rows, col_part[cols])
    touched = hi >= 0
    if np.any(lo[touched] != hi[touched]):
        return None
    rl, ru = row_lb - shift, row_ub - shift
    constant = ~touched
    tol = 1e-6 * np.maximum(1.0, np.abs(shift))
    if np.any((rl[constant] > tol[constant]) | (ru[constant] < -tol[constant])):
        return SolveResult("infeasible", None, None, None, None, str(options.get("algorithm")),
                           "separable", 0.0, 0.0, "a constraint on fixed decisions only fails",
                           [], "Infeasible")
    row_part = np.where(touched, lo, -1)
    duals = np.zeros(lp.n_rows)
    log: list[str] = []
    iterations: dict[str, int] = {}
    handover = solve_s = 0.0
    used: set[str] = set()
    n_parts = int(col_part.max()) + 1 if col_part.size else 0
    col_order = np.argsort(col_part, kind="stable")
    col_bounds_of = np.searchsorted(col_part[col_order], np.arange(n_parts + 1))
    row_order = np.argsort(row_part, kind="stable")
    row_bounds_of = np.searchsorted(row_part[row_order], np.arange(n_parts + 1))
    entry_order = np.argsort(col_part[cols], kind="stable")
    entry_bounds_of = np.searchsorted(col_part[cols][entry_order], np.arange(n_parts + 1))
    col_pos = np.empty(lp.n_cols, np.int64)
    row_pos = np.empty(lp.n_rows, np.int64)
    for part in range(n_parts):
        pc = col_order[col_bounds_of[part]:col_bounds_of[part + 1]]
        pr = row_order[row_bounds_of[part]:row_bounds_of[part + 1]]
        pe = entry_order[entry_bounds_of[part]:entry_bounds_of[part + 1]]
        col_pos[pc] = np.arange(len(pc))
        row_pos[pr] = np.arange(len(pr))
        sub = LinearProblem()
        var = sub.add_variables("x", pd.RangeIndex(len(pc)), col_lb[pc], col_ub[pc])
        sub.add_ranged_constraints("rows", pd.RangeIndex(len(pr)),
                                   [Term(var, col_pos[cols[pe]], vals[pe], row_pos[rows[pe]])],
                                   rl[pr], ru[pr])
        sub.add_cost("cost", var, None, cost[pc])
        part_options = dict(options)
        if options.get("time_limit_s"):  # one limit for all parts together
            part_options["time_limit_s"] = max(float(options["time_limit_s"]) - solve_s
                                               - handover, 1.0)
        res = solve(sub, part_options, on_log)
        log += res.log
        handover += res.handover_s
        solve_s += res.solve_s
        used.add(res.algorithm_used)
        for key, value in res.iterations.items():
            iterations[key] = iterations.get(key, 0) + value
        if res.status != "optimal" or res.x is None:
            return SolveResult(res.status, None, None, None, None, res.algorithm_requested,
                               res.algorithm_used, handover, solve_s,
                               f"part {part} of {n_parts}: {res.message}", log,
                               res.highs_status, res.highs_options, iterations=iterations)
        x[pc] = res.x
        if res.row_duals is not None:
            duals[pr] = res.row_duals
    return SolveResult("optimal", float(cost @ x), x, duals, None,
                       str(options.get("algorithm", "auto")),
                       f"{n_parts} separate parts: " + ", ".join(sorted(used)), handover,
                       solve_s, "optimal", log, "Optimal", iterations=iterations)
