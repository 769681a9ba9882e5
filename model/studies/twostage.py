"""Plan then check: investments from the reduced-time MILP, dispatch on the full year.

Stage 1 solves siting and investment on representative days (:mod:`model.timeseries`).
Stage 2 rebuilds the model on the full time series, fixes every decision that is not indexed
by time (capacities, sites, modules, blocks — the investments) at its stage-1 value, and
solves the remaining dispatch LP. The differences between the two (cost, unserved power and
compute, prices, emissions) are the error the reduction made; a planner should look at them
before trusting a reduced run.

Prices from stage 2 are short-run marginal prices (investments are fixed, so they carry no
capacity cost except through scarcity), while stage-1 prices come from the fixed-integer LP in
which continuous capacities are still free (long-run). Where a fixed capacity exactly meets the
load in some hour, the stage-2 price of that hour is not unique: any value between the running
cost and the value of lost load is a valid dual, and the solver returns one of them. Compare
costs and unserved energy first; read stage-2 prices as indicative.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pandas as pd

from model.formulation.build import build
from model.formulation.context import BuildContext
from model.inputs.read import DEFAULT_SOLVER
from model.outputs.tables import collect
from model.solve.highs import solve
from model.solve.separable import solve_separable


def investment_blocks(ctx: BuildContext) -> list[str]:
    """Variable blocks without a time dimension: the decisions stage 2 keeps fixed."""
    return [name for name, b in ctx.lp.variables.items()
            if "step" not in (b.index.names or [])]


def check_full_year(reduced: BuildContext, x: np.ndarray, options: dict | None = None,
                    on_log=None) -> dict:
    """Solve the full-time dispatch with stage-1 investments fixed; return tables + summary."""
    full_case = reduced.case.full_time_case
    if full_case is None:
        raise ValueError("the case was not reduced; nothing to check")
    t0 = time.perf_counter()
    opts, window_days = _check_options(options)
    if window_days and full_case.period_of_step is None:
        # storage cyclic within each window: the dispatch LP falls apart into windows
        start_hour = np.cumsum(full_case.hours) - full_case.hours
        window = (start_hour // (24.0 * window_days)).astype(np.int64)
        full_case = dataclasses.replace(full_case, period_of_step=window)
    ctx = build(full_case, reduced.additionality_floors, reduced.extra)
    lb, ub, integer = _fixed_bounds(ctx, reduced, x)
    t_build = time.perf_counter()
    res, method = _solve_dispatch(ctx, lb, ub, integer, opts, window_days, on_log)
    out: dict = {"status": res.status, "objective": res.objective, "method": method,
                 "build_s": t_build - t0, "solve_s": res.handover_s + res.solve_s,
                 "algorithm_used": res.algorithm_used}
    if res.x is None:
        return {"summary": out, "tables": {}}
    collected = collect(ctx, res.x, res.row_duals)
    out.update({k: collected["summary"].get(k) for k in (
        "emissions_t", "unserved_energy_mwh", "unserved_compute_mwh", "average_price_per_mwh",
        "power_cost_per_mwh_it")})
    return {"summary": out, "tables": collected["tables"], "context": ctx}


def _check_options(options: dict | None) -> tuple[dict, int]:
    """Solver options of the check (no MIP gap, its own time limit) and its window in days."""
    opts = {k: v for k, v in (options or {}).items() if k != "mip_gap"}
    # the case's time_limit_s is for the planning MILP; the check has its own (none by default)
    opts["time_limit_s"] = opts.pop("check_time_limit_s", None)
    window_days = int(opts.pop("check_window_days", DEFAULT_SOLVER["check_window_days"]) or 0)
    return opts, window_days


def _fixed_bounds(ctx: BuildContext, reduced: BuildContext,
                  x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Column bounds of the full-year model with every investment fixed at its stage-1 value."""
    lb, ub, integer = ctx.lp.col_bounds()
    lb, ub = lb.copy(), ub.copy()
    for name in investment_blocks(reduced):
        if name not in ctx.lp.variables:
            continue
        src = reduced.lp.variables[name]
        dst = ctx.lp.variables[name]
        vals = x[src.start: src.start + src.size]
        if src.integer:
            vals = np.round(vals)
        lb[dst.start: dst.start + dst.size] = vals
        ub[dst.start: dst.start + dst.size] = vals
    return lb, ub, integer


def _solve_dispatch(ctx: BuildContext, lb: np.ndarray, ub: np.ndarray, integer: np.ndarray,
                    opts: dict, window_days: int, on_log=None):
    """The dispatch LP, window by window when it falls apart into windows; (result, method)."""
    res = None
    parts = _column_windows(ctx, lb, ub) if window_days else None
    if parts is not None:
        part_opts = dict(opts)
        if str(opts.get("algorithm", "auto")) == "auto":
            # a week of dispatch with investments fixed has no dense capacity columns: dual
            # simplex solved a China week (113,918 rows × 160,944 columns) in 2.3-2.4 s where
            # HiPO + crossover took 8.7-9.8 s and IPX + crossover 6.9-7.3 s (docs/performance.md)
            part_opts["algorithm"] = "simplex"
        res = solve_separable(ctx.lp, lb, ub, parts, part_opts, on_log)
    method = f"{window_days}-day windows, storage cyclic per window, solved one by one"
    if res is None:  # whole year in one LP (windows off, or a policy row spans the year)
        res = solve(ctx.lp, opts, on_log, (lb, ub), np.zeros_like(integer))
        method = ("whole year in one LP"
                  + (f", storage cyclic per {window_days}-day window" if window_days else ""))
    return res, method


def _column_windows(ctx: BuildContext, lb: np.ndarray, ub: np.ndarray) -> np.ndarray | None:
    """Window of every time-indexed column; −1 for the fixed investment columns."""
    part = np.full(ctx.lp.n_cols, -1, dtype=np.int64)
    periods = ctx.case.periods
    for b in ctx.lp.variables.values():
        if "step" in (b.index.names or []):
            steps = b.index.get_level_values("step").to_numpy(dtype=np.int64)
            part[b.start: b.start + b.size] = periods[steps]
    if np.any((part < 0) & (lb != ub)):  # a time-less decision left free links the windows
        return None
    return part


def compare(reduced_summary: dict, full: dict, reduced_tables: dict,
            full_tables: dict) -> tuple[dict, pd.DataFrame]:
    """Differences reduced vs full year: summary figures and a per-node table."""
    keys = ("objective", "emissions_t", "unserved_energy_mwh", "unserved_compute_mwh",
            "average_price_per_mwh", "power_cost_per_mwh_it")
    diff = {}
    for k in keys:
        a, b = reduced_summary.get(k), full.get(k)
        if a is None or b is None:
            continue
        diff[k] = {"reduced": a, "full_year": b, "difference": b - a,
                   "relative": (b - a) / abs(a) if a else None}
    red = reduced_tables["nodes"].set_index("node")
    ful = full_tables["nodes"].set_index("node")
    rows = pd.DataFrame({
        "unserved_mwh_reduced": red["unserved_mwh_per_year"],
        "unserved_mwh_full_year": ful["unserved_mwh_per_year"]})
    if "average_price_per_mwh" in red and "average_price_per_mwh" in ful:
        rows["price_reduced"] = red["average_price_per_mwh"]
        rows["price_full_year"] = ful["average_price_per_mwh"]
        rows["price_difference"] = rows["price_full_year"] - rows["price_reduced"]
    return diff, rows.reset_index()
