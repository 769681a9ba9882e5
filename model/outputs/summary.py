"""summary.json: the one place it is assembled (docs/outputs.md lists every key).

:func:`run_summary` combines what the run knows about itself (case, status, solver, size, time
reduction, the additionality reference) with the figures the components reported
(:func:`model.outputs.tables.collect`) and, later, the timings.
"""

from __future__ import annotations

from typing import Any

from model.formulation.context import BuildContext
from model.solve.highs import SolveResult
from model.version import __version__


def solver_summary(res: SolveResult, options: dict, ranges: dict) -> dict[str, Any]:
    return {"algorithm_requested": res.algorithm_requested,
            "algorithm_used": res.algorithm_used, "highs_status": res.highs_status,
            "cost_scale_exponent": res.cost_scale_exponent,
            "bound_scale_exponent": res.bound_scale_exponent,
            "iterations": res.iterations, "coefficient_ranges": ranges,
            "options": {k: v for k, v in options.items() if k != "highs_options"}}


def run_summary(ctx: BuildContext, res: SolveResult, options: dict, ranges: dict,
                figures: dict[str, Any] | None = None,
                reference: dict | None = None) -> dict[str, Any]:
    """summary.json of one run (without ``timings``, which the run adds last)."""
    case = ctx.case
    summary: dict[str, Any] = {
        "case": case.name, "scenarios": list(case.scenario_names),
        "status": res.status, "message": res.message, "diagnosis": res.diagnosis,
        "objective": res.objective, "mip_gap": res.mip_gap, "mip_bound": res.mip_bound,
        "is_mip": ctx.lp.is_mip, "solver": solver_summary(res, options, ranges),
        "size": {"variables": ctx.lp.n_cols, "constraints": ctx.lp.n_rows,
                 "time_steps": case.n_steps},
        "currency": case.currency,
        "time_reduction": None if case.reduction is None else {
            k: v for k, v in case.reduction.items() if k != "cluster_of_day"},
        "wattbit_version": __version__,
    }
    if reference is not None:
        summary["additionality_reference"] = reference
    summary.update(figures or {})
    return summary
