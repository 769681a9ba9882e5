"""CO2 cap: a ceiling on annual emissions.

Key: ``policies.co2_cap_t`` (t CO2 per year, ≥ 0).

Constraint ``co2_cap`` (one row):

    Σ_{g,t} w_t · co2_t_per_mwh_g · gen_mw[g,t] ≤ co2_cap_t

Its dual λ ≤ 0 (HiGHS: d objective / d cap); −λ is the implied carbon price per tonne, the
CO2 price at which a price run (``co2_price_per_t``) would also find this solution optimal.
With time reduction, w_t are the representative weights, so the cap is on the weighted year.

Report: cap, emissions, binding, ``price_per_t`` (−λ, currency/t).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.formulation.context import BuildContext
from model.formulation.generation import emissions_t
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
    pos = c.generation(ctx).output_mw.at(emitting).ravel()
    coef = (rate[emitting, None] * ctx.weights[None, :]).ravel()
    ctx.lp.add_constraints(ROW, pd.Index(["co2_cap"], name="policy"),
                           [Term(c.generation(ctx).output_mw, pos, coef, np.zeros(len(pos)))],
                           "<=", float(cap))


def report(ctx: BuildContext, cap: float, x, duals) -> dict:
    e = emissions_t(ctx, x)
    dual = c.row_duals(ctx, duals, ROW)
    price = c.shadow_price(dual[0], "<=") if dual is not None else (
        None if ROW in ctx.lp.constraints else 0.0)
    return {"cap_t": float(cap), "emissions_t": e,
            "binding": bool(c.is_binding(e, float(cap), price)),
            "price_per_t": price}
