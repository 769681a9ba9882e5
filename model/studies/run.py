"""One run, end to end: case → validated case → model → HiGHS → prices → results → run folder.

:func:`run` is what the command line, the tests and the sweeps call. Each stage is a short
function below, in the order they run. It never writes a partial run folder: results go
through :func:`model.outputs.run_folder.write_run`.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from model.formulation import policies
from model.formulation.build import build
from model.formulation.compute import warn_collapsed_windows
from model.formulation.context import BuildContext
from model.formulation.extra import ExtraFunction, describe, load_extra
from model.formulation.generation import GenerationBlocks
from model.formulation.policies.dedicated import reference_case
from model.formulation.storage import StorageBlocks
from model.inputs.case import Case
from model.inputs.periods import expand
from model.inputs.problems import CaseError, Problem
from model.inputs.timeseries import reduce_case, reduction_settings
from model.outputs.run_folder import write_run
from model.outputs.summary import run_summary
from model.outputs.tables import collect
from model.solve.highs import SolveResult, tracker_for
from model.solve.milp import solve_plan, solve_pricing
from model.solve.progress import ProgressCallback
from model.solve.scaling import coefficient_ranges, range_warnings
from model.studies import twostage
from model.studies.cases import load_case
from model.studies.myopic import fix_vintages, myopic_plan


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


def prepare_case(case_path: str | Path | Case, scenarios: list | None, days: int | None,
                 segments: int | None, event) -> Case:
    """Load and validate the case, reduce its time series when asked to, and lay a
    multi-period case's periods out on one time axis (:func:`model.inputs.periods.expand`)."""
    event("load", str(case_path) if not isinstance(case_path, Case) else case_path.name)
    case = case_path if isinstance(case_path, Case) else load_case(case_path, scenarios)
    return expand(_reduced(case, days, segments, event))


def _reduced(case: Case, days: int | None, segments: int | None, event) -> Case:
    reduction = reduction_settings(case, days, segments)
    if reduction is None or case.step_period is not None:  # none asked, or already laid out
        return case
    problems = policies.time_resolution_problems(case, reduction.get("segments"))
    if problems:
        raise CaseError(problems)
    if case.reduction is None:
        event("reduce", f"{reduction['days']} representative days"
              + (f", {reduction['segments']} segments each" if reduction.get("segments")
                 else ""))
        case = reduce_case(case, int(reduction["days"]), reduction.get("segments"))
        warn_collapsed_windows(case)
    return case


def reference_floors(case: Case, options: dict, on_log=None,
                     on_progress: ProgressCallback | None = None) -> tuple[dict, dict]:
    """New capacity per unit in a run of the case without data centres: what the grid builds
    anyway, which dedicated capacity must come on top of
    (:mod:`model.formulation.policies.dedicated`)."""
    ctx = build(reference_case(case))
    res = solve_plan(ctx.lp, options, on_log, on_progress)
    if res.x is None:
        raise CaseError([Problem(
            "case.yaml", f"the reference run without data centres (needed for additionality) "
            f"ended {res.status}", column="policies",
            hint="check that the case solves without its data centres")])
    floors = {}
    gen, sto = ctx.get(GenerationBlocks), ctx.get(StorageBlocks)
    for name, block in (("gen_new_mw", gen and gen.new_mw), ("sto_new_mw", sto and sto.new_mw),
                        ("sto_new_mwh", sto and sto.new_mwh)):
        if block:
            floors[name] = ctx.lp.values(res.x, block)
    new = {k: {str(i): float(v) for i, v in s.items() if v > 1e-6} for k, s in floors.items()}
    return floors, {"objective": res.objective, "status": res.status, "new_capacity": new}


def solve_with_prices(ctx: BuildContext, options: dict, on_log, event,
                      on_progress: ProgressCallback | None = None
                      ) -> tuple[SolveResult, np.ndarray | None, float]:
    """Solve (an LP, or a MILP by the case's strategy) and get the prices: the LP's duals,
    or the pricing LP's for a MILP. Returns the result, the duals and the pricing time."""
    lp = ctx.lp
    event("solve", f"{lp.n_cols} variables, {lp.n_rows} constraints"
                   + (" (MILP)" if lp.is_mip else " (LP)"))
    tracker = tracker_for(on_progress)  # one clock for the solve and the pricing LP
    try:
        return _solve_and_price(lp, options, on_log, event, tracker)
    finally:
        if tracker is not None:
            tracker.finish()


def _solve_and_price(lp, options: dict, on_log, event, on_progress
                     ) -> tuple[SolveResult, np.ndarray | None, float]:
    res = solve_plan(lp, options, on_log, on_progress)
    if res.x is None or not lp.is_mip or res.priced:
        return res, res.row_duals, 0.0
    event("resolve", "pricing LP: sites fixed, capacities free to grow from the plan")
    priced = solve_pricing(lp, res.x, options, on_log, on_progress=on_progress)
    duals = priced.row_duals if priced.status == "optimal" else None
    return res, duals, priced.handover_s + priced.solve_s


def full_year_check(ctx: BuildContext, res: SolveResult, options: dict, summary: dict,
                    tables: dict, on_log, event) -> None:
    """Plan then check: the full-time dispatch with the investments fixed, and what
    differs (summary.json → full_year_check, full_year_check.csv)."""
    full_case = ctx.case.full_time_case
    event("check", f"full-time dispatch ({full_case.n_steps} steps) with the investments fixed")
    full = twostage.check_full_year(ctx, res.x, options, on_log)
    check = dict(full["summary"])
    if full["tables"]:
        diff, per_node = twostage.compare(summary, full["summary"], tables, full["tables"])
        check["differences"] = diff
        tables["full_year_check"] = per_node
    summary["full_year_check"] = check


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


def save_run(out: str | Path, case: Case | None, summary: dict, tables: dict,
             log: str = "", report: bool = True, tiles: bool = False) -> Path:
    """Write a run folder atomically (tables, summary.json, highs.log and, with ``report`` and
    a case, map.png and report.html): the contract of docs/outputs.md."""
    extra: dict = {"highs.log": log}
    if report and case is not None:
        extra.update(_pictures(case, tables, summary, tiles))
    return write_run(out, summary, tables, extra_files=extra)


def inputs_record(case_path: str | Path | Case, scenarios: list | None,
                  extra: ExtraFunction | None) -> dict:
    """Where the run's inputs came from (summary.json → inputs), so that a run folder can be
    opened again with its case (:func:`model.studies.api.open_run`)."""
    case_dir = case_path.path if isinstance(case_path, Case) else case_path
    return {"case_path": str(Path(case_dir).resolve()) if case_dir is not None else None,
            "scenarios": [s if isinstance(s, dict) else str(Path(s).resolve())
                          for s in scenarios or []],
            "in_memory_case": isinstance(case_path, Case),
            "extra": None if extra is None else describe(extra)}


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
    extra: ExtraFunction | str | Path | None = None,
    on_progress: ProgressCallback | None = None,
) -> RunResult:
    """Solve a case (path or :class:`Case`) and optionally write the run folder ``out``.

    ``on_event(stage, message)`` is told of each stage: load, reduce, reference, build, solve,
    resolve, check, write; ``on_progress(SolveProgress)`` of HiGHS's progress while it works
    (:mod:`model.solve.progress`). ``extra``: a function ``extra(ctx)`` (or a Python file
    defining one) that adds custom constraints (:mod:`model.formulation.extra`). Raises
    :class:`model.inputs.problems.CaseError` on bad input (before anything is built).
    """
    event = on_event or _noop
    clock = {"start": time.perf_counter()}
    if isinstance(extra, str | Path):
        extra = load_extra(extra)
    case = prepare_case(case_path, scenarios, days, segments, event)
    options = {**case.solver, **(solver_options or {})}
    clock["load"] = time.perf_counter()
    floors, reference = None, None
    if policies.needs_reference(case):
        event("reference", "the grid without data centres, for additionality")
        floors, reference = reference_floors(case, options, on_log, on_progress)
    plan = (myopic_plan(case, options, on_log, event, on_progress)
            if case.investment.foresight == "myopic" and not case.investment.static else None)
    event("build", "")
    ctx = build(case, floors, extra)
    if plan is not None:  # the whole horizon, every vintage as the myopic planner left it
        fix_vintages(ctx, plan, case.investment.n)
    ranges = coefficient_ranges(ctx.lp)
    for message in range_warnings(ranges):
        warnings.warn(message, UserWarning, stacklevel=2)
    clock["build"] = time.perf_counter()
    res, duals, resolve_s = solve_with_prices(ctx, options, on_log, event, on_progress)
    clock["solve"] = time.perf_counter()
    collected = collect(ctx, res.x, duals) if res.x is not None else {"tables": {},
                                                                       "summary": {}}
    tables = collected["tables"]
    summary = run_summary(ctx, res, options, ranges, collected["summary"], reference)
    summary["inputs"] = inputs_record(case_path, scenarios, extra)
    clock["results"] = time.perf_counter()
    if check_full_year and not case.investment.static:
        warnings.warn("the full-year check is not offered for multi-period cases",
                      UserWarning, stacklevel=2)
    if check_full_year and res.x is not None and case.full_time_case is not None:
        full_year_check(ctx, res, options, summary, tables, on_log, event)
    clock["check"] = time.perf_counter()
    summary["timings"] = _timings(clock, res, resolve_s)
    out_dir = None
    if write and out is not None:
        event("write", str(out))
        summary["timings"]["total_s"] = time.perf_counter() - clock["start"]
        out_dir = save_run(out, case, summary, tables, "".join(res.log), report, tiles)
    summary["timings"]["total_s"] = time.perf_counter() - clock["start"]
    return RunResult(case, res.status, res.objective, summary, tables, ctx, res, out_dir)


def _timings(clock: dict, res: SolveResult, resolve_s: float) -> dict:
    return {"load_s": clock["load"] - clock["start"], "build_s": clock["build"] - clock["load"],
            "handover_s": res.handover_s, "solve_s": res.solve_s, "resolve_s": resolve_s,
            "results_s": clock["results"] - clock["solve"],
            "full_year_check_s": clock["check"] - clock["results"]}
