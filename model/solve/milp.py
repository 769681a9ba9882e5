"""Mixed-integer strategy and prices: relax, round, branch only if needed; the pricing LP.

:func:`solve_milp` solves the LP relaxation (a proven lower bound), rounds its integer
decisions up, and branches (HiGHS branch and bound from that incumbent) only when the rounded
plan is outside the MIP gap; the case's time limit bounds the whole solve. The reported bound is
the best proven bound of either stage. :func:`solve_pricing` (or, after rounding, the same
HiGHS instance re-solved) gives the prices: the LP with the sites fixed and modules and blocks
continuous (:func:`pricing_bounds`), whose duals are long-run marginal costs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import highspy
import numpy as np

from model.formulation.lp import LinearProblem
from model.solve.highs import (
    SolveResult,
    choose_algorithm,
    diagnose,
    iteration_counts,
    make_highs,
    model_status,
    pass_model,
    solve,
    tracker_for,
    unscaled_duals,
    used_algorithm,
)
from model.solve.progress import ProgressCallback, ProgressTracker
from model.solve.scaling import Scaling

Progress = ProgressCallback | ProgressTracker | None


def solve_fixed(lp: LinearProblem, x: np.ndarray, options: dict | None = None,
                on_log: Callable[[str], None] | None = None,
                on_progress: Progress = None) -> SolveResult:
    """Fix integer columns at their (rounded) values and solve the remaining LP."""
    lb, ub, integ = lp.col_bounds()
    lb, ub = lb.copy(), ub.copy()
    vals = np.round(x[integ])
    lb[integ] = vals
    ub[integ] = vals
    opts = dict(options or {})
    opts.pop("mip_gap", None)
    return solve(lp, opts, on_log, (lb, ub), np.zeros_like(integ), on_progress=on_progress,
                 stage="fixed-integer LP")


def pricing_bounds(lp: LinearProblem, x: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Column and row bounds of the pricing LP around an integer solution ``x``.

    Binary decisions (which sites are built, which blocks exist) are fixed; general integers
    (modules, corridor blocks) become continuous within the case's own limits
    (``price_ub``), and big-M rows of built sites are dropped
    (:meth:`LinearProblem.add_gate`). The duals are then long-run marginal costs at the chosen
    sites: one more MW of compute demand costs the power and the IT capital it needs, not a
    scarcity rent of capacity that whole modules or a derived bound happened to fix. (Fixing
    the modules instead leaves any value between the running cost and the value of lost
    compute a valid dual where IT capacity binds.)
    """
    lb, ub, integ = lp.col_bounds()
    lb, ub = lb.copy(), ub.copy()
    for b in lp.variables.values():
        if b.price_ub is not None:
            ub[b.start: b.start + b.size] = b.price_ub
    binary = integ & (ub <= 1.0)
    lb[binary] = ub[binary] = np.round(x[binary])
    _, row_lb, row_ub = lp.matrix()
    row_ub = row_ub.copy()
    for name, (binary_block, pos) in lp.gates.items():
        rows = lp.constraints[name]
        pos2 = pos if pos.ndim == 2 else pos[:, None]
        values = np.where(pos2 >= 0, x[binary_block.cols(np.maximum(pos2, 0))], 0.0)
        on = (values > 0.5).any(axis=1)
        row_ub[rows.start + np.flatnonzero(on)] = np.inf
    return lb, ub, row_lb, row_ub


def solve_pricing(lp: LinearProblem, x: np.ndarray, options: dict | None = None,
                  on_log: Callable[[str], None] | None = None,
                  on_progress: Progress = None) -> SolveResult:
    """The pricing LP of :func:`pricing_bounds`: its row duals are the reported prices."""
    lb, ub, row_lb, row_ub = pricing_bounds(lp, x)
    opts = {k: v for k, v in (options or {}).items() if k != "mip_gap"}
    return solve(lp, opts, on_log, (lb, ub), np.zeros(lp.n_cols, dtype=bool),
                 row_bounds=(row_lb, row_ub), on_progress=on_progress, stage="pricing LP")


def relative_gap(objective: float, bound: float) -> float:
    """(objective − bound) / |objective|, 0 when they agree to 1e-9 (relative)."""
    diff = objective - bound
    scale = max(abs(objective), 1e-9)
    return 0.0 if diff <= 1e-9 * scale else diff / scale


@dataclass
class _Clock:
    """The case's time limit counts for the whole solve, over every stage."""

    limit_s: float | None
    start: float = field(default_factory=time.perf_counter)

    def remaining(self) -> float | None:
        if not self.limit_s:
            return None
        return max(float(self.limit_s) - (time.perf_counter() - self.start), 1e-3)

    def options(self, options: dict) -> dict:
        out = dict(options)
        if self.limit_s:
            out["time_limit_s"] = self.remaining()
        return out


def rounded_up(lp: LinearProblem, x: np.ndarray, ub: np.ndarray) -> np.ndarray:
    """Every integer column of ``x`` rounded up (within its bound); blocks built period by
    period (``lp.cumulative_integers``) round their running sums over build periods up, so
    that the rounded builds add up to what the relaxation had by each period."""
    out = np.minimum(np.ceil(x - 1e-6), ub)
    for name, n_periods in lp.cumulative_integers.items():
        cols = lp.variables[name].cols()
        cum = np.ceil(np.cumsum(x[cols].reshape(-1, n_periods), axis=1) - 1e-6)
        out[cols] = np.minimum(np.diff(cum, axis=1, prepend=0.0).ravel(), ub[cols])
    return out


def _round_up(h: highspy.Highs, scaling: Scaling, x_relax: np.ndarray, lb: np.ndarray,
              ub: np.ndarray, integ: np.ndarray, lp: LinearProblem
              ) -> tuple[np.ndarray, float] | None:
    """A feasible integer point near the relaxation, or None.

    Every integer decision is rounded up at once (a site with any fractional build is built,
    modules and blocks rounded up) and the LP re-solved from the relaxation's basis. Where
    that fails (say a site's minimum size above its rounded modules), binary decisions are
    rounded first with the other integers still continuous, so that the modules follow the
    build, and the general integers are rounded up from that LP.
    """
    cols = np.flatnonzero(integ)
    rounded = _fix_and_run(h, scaling, cols, rounded_up(lp, x_relax, ub)[cols])
    if rounded is not None:
        return rounded
    h.changeColsBounds(len(cols), cols.astype(np.int32), lb[cols], ub[cols])
    x = x_relax
    for part in (np.flatnonzero(integ & (ub <= 1.0)), np.flatnonzero(integ & (ub > 1.0))):
        if not len(part):
            continue
        found = _fix_and_run(h, scaling, part, rounded_up(lp, x, ub)[part])
        if found is None:
            return None
        x = found[0]
    return x, scaling.objective_back(h.getInfo().objective_function_value)


def _fix_and_run(h: highspy.Highs, scaling: Scaling, cols: np.ndarray, values: np.ndarray
                 ) -> tuple[np.ndarray, float] | None:
    """Fix integer columns (unscaled units) at values, re-solve; the point or None."""
    h.changeColsBounds(len(cols), cols.astype(np.int32), values, values)
    h.run()
    status, _ = model_status(h)
    sol = h.getSolution()
    if status != "optimal" or not sol.value_valid:
        return None
    return (scaling.x_back(np.asarray(sol.col_value, dtype=float)),
            scaling.objective_back(h.getInfo().objective_function_value))


def _price_in_place(h: highspy.Highs, lp: LinearProblem, scaling: Scaling,
                    x: np.ndarray) -> np.ndarray | None:
    """Re-solve the instance that holds the rounded LP as the pricing LP (warm start);
    its row duals in model units, or None."""
    lb, ub, row_lb, row_ub = pricing_bounds(lp, x)
    cols = np.arange(lp.n_cols, dtype=np.int32)
    h.changeColsBounds(lp.n_cols, cols, scaling.columns(lb), scaling.columns(ub))
    rows = np.arange(lp.n_rows, dtype=np.int32)
    h.changeRowsBounds(lp.n_rows, rows, scaling.rows(row_lb), scaling.rows(row_ub))
    h.run()
    status, _ = model_status(h)
    sol = h.getSolution()
    return unscaled_duals(sol, scaling) if status == "optimal" else None


def _relaxation(lp: LinearProblem, options: dict, on_log, log: list[str],
                tracker: ProgressTracker | None = None):
    """Solve the LP relaxation; returns (highs, scaling, algorithm, status)."""
    lb, ub, integ = lp.col_bounds()
    relaxed_opts = {k: v for k, v in options.items() if k != "mip_gap"}
    # a basic solution is needed to warm-start the rounded LP from the relaxation
    relaxed_opts["highs_options"] = {"run_crossover": "on",
                                     **(options.get("highs_options") or {})}
    h = make_highs(relaxed_opts, log, on_log, tracker, "relaxation")
    nnz, scaling = pass_model(h, lp, options, lb, ub, np.zeros_like(integ), scaling_integer=integ)
    if tracker is not None:
        tracker.objective_back = scaling.objective_back
    algo = choose_algorithm(lp, str(options.get("algorithm", "auto")), nnz, is_mip=False)
    h.setOptionValue("solver", algo)
    for key, value in relaxed_opts["highs_options"].items():
        h.setOptionValue(str(key), value)
    h.run()
    status, _ = model_status(h)
    if tracker is not None:  # an LP: no bound or gap to report (IPX's were its own)
        info = h.getInfo()
        tracker.end(objective=scaling.objective_back(info.objective_function_value)
                    if status == "optimal" else None, bound=None, gap=None,
                    iteration=max(info.ipm_iteration_count, 0) + info.simplex_iteration_count
                    or None)
    return h, scaling, algo, status


def solve_plan(lp: LinearProblem, options: dict, on_log: Callable[[str], None] | None = None,
               on_progress: Progress = None) -> SolveResult:
    """Solve an LP, or a MILP by the case's ``mip_strategy`` (relax_round: :func:`solve_milp`;
    else HiGHS's branch and bound)."""
    if lp.is_mip and options.get("mip_strategy", "relax_round") == "relax_round":
        return solve_milp(lp, options, on_log, on_progress=on_progress)
    return solve(lp, options, on_log, on_progress=on_progress)


def solve_milp(lp: LinearProblem, options: dict | None = None,
               on_log: Callable[[str], None] | None = None,
               on_progress: Progress = None) -> SolveResult:
    """MILP strategy: relax, round up, and branch only if the rounding is not good enough.

    1. Solve the LP relaxation: its objective is a lower bound on the MILP optimum.
    2. Round up (:func:`_round_up`): a feasible MILP solution when the LPs stay feasible.
    3. If (incumbent − bound) / |incumbent| ≤ mip_gap, that is a proven gap: stop. Otherwise
       run HiGHS's branch and bound with the incumbent as a start, for what is left of the
       case's time limit (``time_limit_s`` bounds the whole solve).

    The reported bound is the best proven lower bound of either stage (the relaxation's, or
    HiGHS's dual bound), the reported gap (incumbent − bound) / |incumbent| with differences
    below 1e-9 (relative) counted as zero. Prices come from :func:`solve_pricing`.
    ``on_progress`` hears every stage (:mod:`model.solve.progress`).
    """
    tracker = tracker_for(on_progress)
    try:
        return _solve_milp(lp, dict(options or {}), on_log, tracker)
    finally:
        if tracker is not None and tracker is not on_progress:
            tracker.finish()


def _solve_milp(lp: LinearProblem, options: dict, on_log,
                tracker: ProgressTracker | None) -> SolveResult:
    clock = _Clock(options.get("time_limit_s"))
    lb, ub, integ = lp.col_bounds()
    log: list[str] = []
    h, scaling, algo, status = _relaxation(lp, options, on_log, log, tracker)
    requested = str(options.get("algorithm", "auto"))
    if status in ("infeasible", "unbounded"):
        # the relaxation already fails: explain it from the LP (IIS is an LP notion)
        return SolveResult(status, None, None, None, None, requested, "relaxation", 0.0,
                           time.perf_counter() - clock.start, f"the LP relaxation is {status}",
                           log, status, diagnosis=diagnose(h, lp, status))
    sol = h.getSolution()
    if status != "optimal" or not sol.value_valid:
        return _branch(lp, clock.options(options), on_log, log, None, -np.inf, clock, tracker)
    bound = scaling.objective_back(h.getInfo().objective_function_value)
    relax_used = used_algorithm(h, "".join(log), False)
    if tracker is not None:  # rounding and pricing re-solve by dual simplex from a basis
        tracker.begin("rounding", bound=bound)
    # re-solves after bound changes start from the relaxation's basis: dual simplex, not a
    # fresh interior-point solve
    h.setOptionValue("solver", "simplex")
    rounded = _round_up(h, scaling, scaling.x_back(np.asarray(sol.col_value, dtype=float)),
                        lb, ub, integ, lp)
    if rounded is None:
        log.append("WattBit: rounding the relaxation did not give a feasible point; "
                   "branch and bound\n")
        return _branch(lp, clock.options(options), on_log, log, None, bound, clock, tracker)
    x0, obj0 = rounded
    gap = relative_gap(obj0, bound)
    if tracker is not None:
        tracker.end(objective=obj0, gap=gap)
    target = float(options.get("mip_gap") if options.get("mip_gap") is not None else 1e-4)
    if gap > target:
        return _branch(lp, clock.options(options), on_log, log, (x0, obj0), bound, clock,
                       tracker)
    res = SolveResult("optimal", obj0, x0, None, gap, requested,
                      f"relaxation ({relax_used}) + rounding", 0.0,
                      time.perf_counter() - clock.start,
                      "optimal within the MIP gap (rounded relaxation)", log, "Optimal",
                      {"solver": algo}, cost_scale_exponent=scaling.cost_exponent,
                      bound_scale_exponent=scaling.bound_exponent,
                      iterations=iteration_counts(h, False))
    res.branched = False
    res.mip_bound = bound
    if tracker is not None:
        tracker.begin("pricing LP")
    res.row_duals = _price_in_place(h, lp, scaling, x0)
    res.priced = res.row_duals is not None
    if tracker is not None:
        tracker.end()
    res.solve_s = time.perf_counter() - clock.start
    return res


def _branch(lp: LinearProblem, options: dict, on_log, log: list[str],
            incumbent: tuple[np.ndarray, float] | None, bound: float,
            clock: _Clock, tracker: ProgressTracker | None = None) -> SolveResult:
    """HiGHS branch and bound from an incumbent; keeps the better incumbent and the best
    bound of the two stages."""
    res = solve(lp, options, on_log, start=None if incumbent is None else incumbent[0],
                on_progress=tracker, stage="branch and bound")
    res.log = log + res.log
    res.solve_s = time.perf_counter() - clock.start - res.handover_s
    res.branched = True
    if incumbent is not None:
        x0, obj0 = incumbent
        if res.x is None or res.objective > obj0 + 1e-9 * max(abs(obj0), 1.0):
            # branch and bound found nothing better in time: keep the rounded incumbent
            res.x, res.objective = x0, obj0
            if res.status not in ("optimal", "time_limit"):
                res.status = "time_limit"
    if res.x is None:
        return res
    best = max(bound, res.mip_bound if res.mip_bound is not None else -np.inf)
    res.mip_bound = min(best, res.objective)
    res.mip_gap = relative_gap(res.objective, res.mip_bound)
    return res


