"""WattBit's result tables from a Pyomo model solved elsewhere (the Pyomo route).

A Pyomo user takes ``ctx.lp.to_pyomo()`` (:mod:`model.formulation.pyomo_export`), perhaps adds
constraints, solves it through Pyomo (``SolverFactory("appsi_highs")``) and hands the solved
model back: :func:`results_from_pyomo` assembles x in WattBit's column order from the Pyomo
values and returns what :func:`model.outputs.tables.collect` returns for a normal run — the
same tables and summary figures.

Duals: for an LP, from the model's ``dual`` suffix (Pyomo's HiGHS interface fills it); for a
MILP, which has none, from WattBit's pricing LP around the Pyomo solution
(:func:`model.solve.milp.solve_pricing`), as in a normal run. The pricing LP is WattBit's
problem: constraints added on the Pyomo side shape the solution but are not in it (add them
with ``extra(ctx)`` to have them priced). A variable no row and no cost uses, which Pyomo
never hands to a solver, takes the value of its bounds nearest 0.
"""

from __future__ import annotations

import numpy as np

from model.formulation.context import BuildContext
from model.outputs.tables import collect
from model.solve.milp import solve_pricing


def pyomo_x(model, ctx: BuildContext) -> np.ndarray:
    """Values of a solved Pyomo model in WattBit's column order."""
    lb, ub, _ = ctx.lp.col_bounds()
    return model.wattbit.x(default=np.clip(0.0, lb, ub))


def pyomo_duals(model, ctx: BuildContext, x: np.ndarray, options: dict | None = None
                ) -> np.ndarray | None:
    """Row duals in WattBit's row order: the model's ``dual`` suffix when the solver filled
    it (an LP, or a MILP's relaxation), else the pricing LP's for a MILP; else None."""
    suffix = getattr(model, "dual", None)
    if suffix is not None and len(suffix):
        return model.wattbit.duals(suffix)
    if ctx.lp.is_mip:
        priced = solve_pricing(ctx.lp, x, {**ctx.case.solver, **(options or {})})
        return priced.row_duals if priced.status == "optimal" else None
    return None


def results_from_pyomo(model, ctx: BuildContext, options: dict | None = None) -> dict:
    """Tables and summary figures of a solved Pyomo model built from ``ctx``
    (:func:`model.outputs.tables.collect`), with ``x``, ``duals`` and the Pyomo model's
    ``objective``. ``options``: solver options of the pricing LP (a MILP)."""
    import pyomo.environ as pyo

    x = pyomo_x(model, ctx)
    duals = pyomo_duals(model, ctx, x, options)
    out = collect(ctx, x, duals)
    out.update(x=x, duals=duals, objective=float(pyo.value(model.objective)))
    return out
