"""Result tables of a solved model, from the registered components.

:func:`collect` asks every component of :data:`model.formulation.registry.COMPONENTS` for its
part (:class:`model.formulation.component.Results`) and merges them: tables of the same name
are stacked (capacity rows of generators and storage), dispatch columns go side by side in one
``dispatch`` table, and summary figures are merged (summary.json is assembled from them in
:mod:`model.outputs.summary`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from model.formulation.component import Results, Solution
from model.formulation.context import BuildContext
from model.formulation.extra import results as user_results
from model.formulation.registry import COMPONENTS
from model.formulation.vintages import cost_by_period

EMPTY_TABLES = {"capacity": ["node", "tech", "existing_mw", "new_mw"],
                "corridors": ["from", "to", "existing_mw", "new_mw"]}


def component_results(ctx: BuildContext, sol: Solution) -> list[Results]:
    """Every registered component's results, then those of the user's extra constraints."""
    parts = [c.results(ctx, sol) for c in COMPONENTS if c.results is not None]
    return [*parts, user_results(ctx, sol)]


def _merge_tables(parts: list[Results]) -> dict[str, pd.DataFrame]:
    pieces: dict[str, list[pd.DataFrame]] = {}
    for part in parts:
        for name, table in part.tables.items():
            pieces.setdefault(name, []).append(table)
    tables = {name: (frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True))
              for name, frames in pieces.items()}
    for name, columns in EMPTY_TABLES.items():
        tables.setdefault(name, pd.DataFrame(columns=columns))
    return tables


def _merge_summary(parts: list[Results]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for part in parts:
        for key, value in part.summary.items():
            if isinstance(value, int | float) and isinstance(summary.get(key), int | float):
                summary[key] += value
            else:
                summary[key] = value
    return summary


def collect(ctx: BuildContext, x: np.ndarray, duals: np.ndarray | None) -> dict:
    """All result tables and summary figures of a solved model (``duals`` from the LP or the
    pricing LP; None leaves out prices)."""
    case = ctx.case
    parts = component_results(ctx, Solution(x, duals))
    tables = _merge_tables(parts)
    time_labels = case.time.to_numpy()
    columns: dict[str, np.ndarray] = {"time": time_labels}
    for part in parts:
        columns.update(part.dispatch)
    tables["dispatch"] = pd.DataFrame(columns)
    tables["load"] = case.load.assign(time=time_labels)
    # what each step stands for: presentation reads time weights from here, never from a
    # re-reduced case
    tables["steps"] = pd.DataFrame({"time": time_labels, "weight_hours": ctx.weights,
                                    "step_hours": case.hours, "period": case.periods})
    if not case.investment.static:  # the investment period (year) each step belongs to
        tables["steps"]["year"] = case.investment.years[case.period_index]
    summary = _merge_summary(parts)
    summary.setdefault("emissions_t", 0.0)
    costs = ctx.lp.cost_by_component(x)
    costs["existing_fixed_om (not in objective)"] = float(sum(p.existing_fixed_om
                                                              for p in parts))
    summary["costs"] = {k: float(v) for k, v in costs.items()}
    if not case.investment.static:
        summary.update(period_summary(ctx, x))
    return {"tables": tables, "summary": summary}


def period_summary(ctx: BuildContext, x: np.ndarray) -> dict[str, Any]:
    """The periods of a multi-period run and each cost component per year of each period
    (Σ_p W_p · costs_by_period[c][p] = costs[c]: the objective is their net present value)."""
    inv = ctx.case.investment
    years = [int(y) for y in inv.years]
    by_period = cost_by_period(ctx, x)
    return {
        "periods": {"years": years, "years_represented": inv.span_years.tolist(),
                    "objective_weights": inv.weights.tolist(),
                    "decision_year": int(inv.decision_year), "foresight": inv.foresight,
                    "base_year": int(inv.base_year)},
        "costs_by_period": {name: dict(zip(years, map(float, values), strict=True))
                            for name, values in by_period.items()}}
