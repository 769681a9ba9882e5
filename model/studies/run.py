"""One run, end to end: case → validated case → model → HiGHS → fixed-integer LP → results.

:func:`run` is what the command line, the tests and the sweeps call. It never writes a
partial run folder: results go through :func:`model.results.write_run`.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from model import __version__
from model.formulation import policies
from model.formulation.build import build
from model.formulation.compute import warn_collapsed_windows
from model.formulation.context import BuildContext
from model.inputs.case import Case
from model.inputs.problems import CaseError, Problem
from model.inputs.timeseries import reduce_case, reduction_settings
from model.outputs.tables import collect, write_run
from model.solve.highs import SolveResult, solve, solve_milp, solve_pricing
from model.solve.scaling import coefficient_ranges, range_warnings
from model.studies import twostage
from model.studies.cases import load_case


@dataclass
class RunResult:
    case: Case
    status: str
    objective: float | None
    summary: dict
    tables: dict = field(default_factory=dict)
    context: BuildContext | None = None
    solve_result: SolveResult | None = None
    out_dir: Path | None = None


def _noop(_stage: str, _msg: str = "") -> None:
    pass


def _pictures(case: Case, tables: dict, summary: dict, tiles: bool) -> dict:
    """map.png and report.html for the run folder (a drawing failure never loses a run)."""
    from model.report.html import render_report_html
    from model.report.maps import render_map_png

    out: dict = {}
    try:
        out["map.png"] = render_map_png(case, tables, summary)
        out["report.html"] = render_report_html(case, tables, summary, tiles=tiles)
    except Exception as exc:  # noqa: BLE001
        warnings.warn(f"map/report not written: {exc!r}", UserWarning, stacklevel=2)
    return out


def reference_floors(case: Case, options: dict, on_log=None) -> tuple[dict, dict]:
    """New capacity per unit in a run of the case without data centres: what the grid builds
    anyway, which dedicated capacity must come on top of (:mod:`model.policies.dedicated`)."""
    from model.formulation.policies.dedicated import reference_case

    ctx = build(reference_case(case))
    lp = ctx.lp
    res = solve_milp(lp, options, on_log) if lp.is_mip else solve(lp, options, on_log)
    if res.x is None:
        raise CaseError([Problem(
            "case.yaml", f"the reference run without data centres (needed for additionality) "
            f"ended {res.status}", column="policies",
            hint="check that the case solves without its data centres")])
    floors = {name: lp.values(res.x, name) for name in ("gen_new_mw", "sto_new_mw",
                                                         "sto_new_mwh")
              if name in lp.variables}
    new = {k: {str(i): float(v) for i, v in s.items() if v > 1e-6} for k, s in floors.items()}
    return floors, {"objective": res.objective, "status": res.status, "new_capacity": new}


def run(
    case_path: str | Path | Case,
    scenarios: list | None = None,
    out: str | Path | None = None,
    solver_options: dict | None = None,
    on_event: Callable[[str, str], None] | None = None,
    on_log: Callable[[str], None] | None = None,
    write: bool = True,
    days: int | None = None,
    segments: int | None = None,
    check_full_year: bool = False,
    report: bool = True,
    tiles: bool = False,
) -> RunResult:
    """Solve a case (path or :class:`Case`) and optionally write the run folder ``out``.

    ``on_event(stage, message)`` is told of each stage: load, build, solve, resolve, write.
    Raises :class:`model.validation.CaseError` on bad input (before anything is built).
    """
    event = on_event or _noop
    t0 = time.perf_counter()
    event("load", str(case_path) if not isinstance(case_path, Case) else case_path.name)
    case = case_path if isinstance(case_path, Case) else load_case(case_path, scenarios)
    reduction = reduction_settings(case, days, segments)
    if reduction is not None:
        problems = policies.time_resolution_problems(case, reduction.get("segments"))
        if problems:
            raise CaseError(problems)
    if reduction is not None and case.reduction is None:
        event("reduce", f"{reduction['days']} representative days"
              + (f", {reduction['segments']} segments each" if reduction.get("segments")
                 else ""))
        case = reduce_case(case, int(reduction["days"]), reduction.get("segments"))
        warn_collapsed_windows(case)
    options = {**case.solver, **(solver_options or {})}
    t_load = time.perf_counter()
    floors, reference = None, None
    if policies.needs_reference(case):
        event("reference", "the grid without data centres, for additionality")
        floors, reference = reference_floors(case, options, on_log)
    event("build", "")
    ctx = build(case, floors)
    ranges = coefficient_ranges(ctx.lp)
    for message in range_warnings(ranges):
        warnings.warn(message, UserWarning, stacklevel=2)
    t_build = time.perf_counter()
    event("solve", f"{ctx.lp.n_cols} variables, {ctx.lp.n_rows} constraints"
                   + (" (MILP)" if ctx.lp.is_mip else " (LP)"))
    if ctx.lp.is_mip and options.get("mip_strategy", "relax_round") == "relax_round":
        res = solve_milp(ctx.lp, options, on_log)
    else:
        res = solve(ctx.lp, options, on_log)
    t_solve = time.perf_counter()
    duals = res.row_duals
    resolve_s = 0.0
    if res.x is not None and ctx.lp.is_mip and not res.priced:
        event("resolve", "pricing LP: sites fixed, capacities free to grow from the plan")
        priced = solve_pricing(ctx.lp, res.x, options, on_log)
        resolve_s = priced.handover_s + priced.solve_s
        duals = priced.row_duals if priced.status == "optimal" else None
    summary: dict = {
        "case": case.name,
        "scenarios": list(case.scenario_names),
        "status": res.status,
        "message": res.message,
        "diagnosis": res.diagnosis,
        "objective": res.objective,
        "mip_gap": res.mip_gap,
        "mip_bound": res.mip_bound,
        "is_mip": ctx.lp.is_mip,
        "solver": {"algorithm_requested": res.algorithm_requested,
                   "algorithm_used": res.algorithm_used, "highs_status": res.highs_status,
                   "cost_scale_exponent": res.cost_scale_exponent,
                   "bound_scale_exponent": res.bound_scale_exponent,
                   "iterations": res.iterations,
                   "coefficient_ranges": ranges,
                   "options": {k: v for k, v in options.items() if k != "highs_options"}},
        "size": {"variables": ctx.lp.n_cols, "constraints": ctx.lp.n_rows,
                 "time_steps": case.n_steps},
        "currency": case.currency,
        "time_reduction": None if case.reduction is None else {
            k: v for k, v in case.reduction.items() if k != "cluster_of_day"},
        "wattbit_version": __version__,
    }
    if reference is not None:
        summary["additionality_reference"] = reference
    tables: dict = {}
    if res.x is not None:
        collected = collect(ctx, res.x, duals)
        tables = collected["tables"]
        summary.update(collected["summary"])
    t_collect = time.perf_counter()
    check_s = 0.0
    if check_full_year and res.x is not None and case.full_time_case is not None:
        event("check", f"full-time dispatch ({case.full_time_case.n_steps} steps) with the "
                       "investments fixed")
        full = twostage.check_full_year(ctx, res.x, options, on_log)
        check = dict(full["summary"])
        if full["tables"]:
            diff, per_node = twostage.compare(summary, full["summary"], tables,
                                              full["tables"])
            check["differences"] = diff
            tables["full_year_check"] = per_node
        summary["full_year_check"] = check
        check_s = time.perf_counter() - t_collect
    summary["timings"] = {
        "load_s": t_load - t0,
        "build_s": t_build - t_load,
        "handover_s": res.handover_s,
        "solve_s": res.solve_s,
        "resolve_s": resolve_s,
        "results_s": t_collect - t_solve - resolve_s,
        "full_year_check_s": check_s,
    }
    out_dir = None
    if write and out is not None:
        event("write", str(out))
        summary["timings"]["total_s"] = time.perf_counter() - t0
        extra: dict = {"highs.log": "".join(res.log)}
        if report:
            extra.update(_pictures(case, tables, summary, tiles))
        out_dir = write_run(out, summary, tables, extra_files=extra)
    summary["timings"]["total_s"] = time.perf_counter() - t0
    return RunResult(case, res.status, res.objective, summary, tables, ctx, res, out_dir)
