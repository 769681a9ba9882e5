"""LPs that fall apart into independent parts once some columns are fixed.

The full-year check (:mod:`model.studies.twostage`) fixes every investment; with storage
cyclic per window, the dispatch LP then separates into weekly windows, solved one by one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.formulation.lp import LinearProblem, Term
from model.solve.highs import SolveResult, solve


@dataclass
class _Split:
    """The LP with the fixed columns moved to the right-hand sides, entries and rows by part."""

    x: np.ndarray  # fixed values; the parts' solutions go here
    rows: np.ndarray  # matrix entries among free columns: row, column, value
    cols: np.ndarray
    vals: np.ndarray
    row_lb: np.ndarray  # row bounds less the fixed columns' contribution
    row_ub: np.ndarray
    row_part: np.ndarray  # part of each row (−1: touches no free column)


def _split(lp: LinearProblem, col_lb, col_ub, col_part) -> _Split | str | None:
    """Move fixed columns to the right-hand sides; None if a row links two parts, a message
    if a row on fixed columns only fails."""
    a, row_lb, row_ub = lp.matrix()
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
    tol = 1e-6 * np.maximum(1.0, np.abs(shift))
    if np.any(((rl > tol) | (ru < -tol)) & ~touched):
        return "a constraint on fixed decisions only fails"
    return _Split(x, rows, cols, vals, rl, ru, np.where(touched, lo, -1))


def _slices(labels: np.ndarray, n_parts: int) -> list[np.ndarray]:
    """Positions holding each label 0 … n_parts − 1."""
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(n_parts + 1))
    return [order[bounds[k]:bounds[k + 1]] for k in range(n_parts)]


def _part_lp(sp: _Split, pc, pr, pe, col_lb, col_ub, cost) -> LinearProblem:
    """The LP of one part: its columns, rows and matrix entries, renumbered from 0."""
    col_pos = np.empty(len(sp.x), np.int64)
    row_pos = np.empty(len(sp.row_part), np.int64)
    col_pos[pc] = np.arange(len(pc))
    row_pos[pr] = np.arange(len(pr))
    sub = LinearProblem()
    var = sub.add_variables("x", pd.RangeIndex(len(pc)), col_lb[pc], col_ub[pc])
    sub.add_ranged_constraints(
        "rows", pd.RangeIndex(len(pr)),
        [Term(var, col_pos[sp.cols[pe]], sp.vals[pe], row_pos[sp.rows[pe]])],
        sp.row_lb[pr], sp.row_ub[pr])
    sub.add_cost("cost", var, None, cost[pc])
    return sub


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
    col_part = np.asarray(col_part, dtype=np.int64)
    sp = _split(lp, col_lb, col_ub, col_part)
    if sp is None:
        return None
    if isinstance(sp, str):
        return SolveResult("infeasible", None, None, None, None, str(options.get("algorithm")),
                           "separable", 0.0, 0.0, sp, [], "Infeasible")
    cost = lp.cost_vector()
    n_parts = int(col_part.max()) + 1 if col_part.size else 0
    parts = zip(_slices(col_part, n_parts), _slices(sp.row_part, n_parts),
                _slices(col_part[sp.cols], n_parts), strict=True)
    duals = np.zeros(lp.n_rows)
    log: list[str] = []
    iterations: dict[str, int] = {}
    handover = solve_s = 0.0
    used: set[str] = set()
    for part, (pc, pr, pe) in enumerate(parts):
        part_options = dict(options)
        if options.get("time_limit_s"):  # one limit for all parts together
            part_options["time_limit_s"] = max(float(options["time_limit_s"]) - solve_s
                                               - handover, 1.0)
        res = solve(_part_lp(sp, pc, pr, pe, col_lb, col_ub, cost), part_options, on_log)
        log += res.log
        handover, solve_s = handover + res.handover_s, solve_s + res.solve_s
        used.add(res.algorithm_used)
        for key, value in res.iterations.items():
            iterations[key] = iterations.get(key, 0) + value
        if res.status != "optimal" or res.x is None:
            return SolveResult(res.status, None, None, None, None, res.algorithm_requested,
                               res.algorithm_used, handover, solve_s,
                               f"part {part} of {n_parts}: {res.message}", log,
                               res.highs_status, res.highs_options, iterations=iterations)
        sp.x[pc] = res.x
        if res.row_duals is not None:
            duals[pr] = res.row_duals
    return SolveResult("optimal", float(cost @ sp.x), sp.x, duals, None,
                       str(options.get("algorithm", "auto")),
                       f"{n_parts} separate parts: " + ", ".join(sorted(used)), handover,
                       solve_s, "optimal", log, "Optimal", iterations=iterations)
