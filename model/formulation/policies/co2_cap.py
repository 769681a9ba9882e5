"""CO2 cap: a ceiling on annual emissions.

Key: ``policies.co2_cap_t`` (t CO2 per year, ≥ 0).

Constraint ``co2_cap`` (one row):

    Σ_{g,t} w_t · co2_t_per_mwh_g · gen_mw[g,t] ≤ co2_cap_t

Its dual λ ≤ 0 (HiGHS: d objective / d cap); −λ is the implied carbon price per tonne, the
CO2 price at which a price run (``co2_price_per_t``) would also find this solution optimal.
With time reduction, w_t are the representative weights, so the cap is on the weighted year.
In a multi-period case the cap holds in every period (one row per period, the sum over that
period's steps): a ceiling on each year's emissions.

Report: cap, emissions, binding, ``price_per_t`` (−λ, currency/t).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.formulation.context import BuildContext
from model.formulation.generation import emissions_by_period, emissions_t
from model.formulation.lp import Term
from model.formulation.policies import _common as c

KEY = "co2_cap_t"
ROW = "co2_cap"


def validate(case, cap) -> list:
    return c.check_number(KEY, cap, lo=0.0, what="CO2 cap")


def add_components(ctx: BuildContext, cap: float) -> None:
    gen = c.generators(ctx)
    if len(gen) == 0:
        return
    rate = gen["co2_t_per_mwh"].to_numpy(float)
    emitting = np.flatnonzero(rate > 0)
    if not len(emitting):
        return
    inv = ctx.case.investment
    pos = c.generation(ctx).output_mw.at(emitting).ravel()
    coef = (rate[emitting, None] * ctx.weights[None, :]).ravel()
    rows = np.tile(ctx.case.period_index, len(emitting))
    index = (pd.Index(["co2_cap"], name="policy") if inv.static
             else pd.Index(inv.years, name="period"))
    ctx.lp.add_constraints(ROW, index,
                           [Term(c.generation(ctx).output_mw, pos, coef, rows)],
                           "<=", float(cap))


def report(ctx: BuildContext, cap: float, x, duals) -> dict:
    inv = ctx.case.investment
    per_period = emissions_by_period(ctx, x)
    dual = c.row_duals(ctx, duals, ROW)
    if dual is None:
        dual = None if ROW in ctx.lp.constraints else np.zeros(inv.n)
    # a period's dual is W_p · (price per t in that period's money): report the latter
    prices = (None if dual is None else
              [c.shadow_price(dual[p] / inv.weights[p], "<=") for p in range(inv.n)])
    binding = [bool(c.is_binding(per_period[p], float(cap),
                                 None if prices is None else prices[p])) for p in range(inv.n)]
    if inv.static:
        return {"cap_t": float(cap), "emissions_t": emissions_t(ctx, x),
                "binding": binding[0], "price_per_t": None if prices is None else prices[0]}
    return {"cap_t": float(cap), "emissions_t": emissions_t(ctx, x), "binding": any(binding),
            "by_period": {int(y): {"emissions_t": float(per_period[p]),
                                   "binding": binding[p],
                                   "price_per_t": None if prices is None else prices[p]}
                          for p, y in enumerate(inv.years)}}
