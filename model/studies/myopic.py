"""Myopic foresight: decide period by period, each decision carried forward.

``foresight: myopic`` in case.yaml. For p = 1 … P the planner solves the case cut to periods
1 … p (:func:`model.inputs.periods.window`): it sees the costs and demand of the periods up to
p only, pays for assets only for the years they run inside that window, and cannot change what
it built for earlier periods (those vintages are fixed to its earlier decisions). After the
last window, the whole horizon is solved once more with every vintage fixed: that run's
dispatch, prices and net present value are the results, comparable with a perfect-foresight
run of the same case (which is never more expensive).

This is the rolling-horizon myopic rule of PyPSA's and GenX's pathway models, one period per
step and no overlap.
"""

from __future__ import annotations

import numpy as np

from model.formulation.build import build
from model.formulation.context import BuildContext
from model.inputs.case import Case
from model.inputs.periods import window
from model.inputs.problems import CaseError, Problem
from model.solve.milp import solve_plan
from model.solve.progress import ProgressCallback

Plan = dict[str, np.ndarray]  # vintage block name → new capacity (items × build period)


def fix_vintages(ctx: BuildContext, plan: Plan, periods: int) -> None:
    """Fix new capacity of build periods 0 … periods − 1 to ``plan`` (bounds, and the pricing
    LP's bounds: the plan is not for the pricing LP to grow)."""
    for name, vint in ctx.vintages.items():
        if name not in plan or periods == 0:
            continue
        built = np.maximum(plan[name][:, :periods], 0.0)
        if vint.block.integer:
            built = np.round(built)
        # block positions of (item, build period) for every item and periods 0 … periods − 1
        pos = vint.pos(np.repeat(np.arange(vint.n_items), periods),
                       np.tile(np.arange(periods), vint.n_items))
        block = vint.block
        block.lb[pos] = block.ub[pos] = built.ravel()
        if block.price_ub is not None:
            block.price_ub[pos] = built.ravel()


def myopic_plan(case: Case, options: dict, on_log=None, event=None,
                on_progress: ProgressCallback | None = None) -> Plan:
    """New capacity by build period, decided one period at a time (``case``: expanded or
    not; the windows start from the unexpanded case)."""
    base = case.unexpanded if case.unexpanded is not None else case
    plan: Plan = {}
    for last in range(base.investment.n):
        year = int(base.investment.years[last])
        if event is not None:
            event("myopic", f"deciding {year} (seeing periods up to {year})")
        ctx = build(window(base, last))
        fix_vintages(ctx, plan, last)
        res = solve_plan(ctx.lp, options, on_log, on_progress)
        if res.x is None:
            raise CaseError([Problem(
                "case.yaml", f"the myopic window up to {year} ended {res.status}",
                column="foresight", hint="earlier periods' decisions may leave it infeasible; "
                "try foresight: perfect to check the case")])
        plan = {name: vint.built(res.x) for name, vint in ctx.vintages.items()}
    return plan
