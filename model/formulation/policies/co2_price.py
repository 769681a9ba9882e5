"""CO2 price: a cost per tonne on every emitting MWh.

Key: ``policies.co2_price_per_t`` (currency per t CO2, ≥ 0).

Objective term (cost component ``co2_price``):

    Σ_{g,t} w_t · W_p(t) · co2_price · co2_t_per_mwh_g · gen_mw[g,t]

(W_p(t) = 1 in a static case; the discounted years of the step's period otherwise.)

Report: the price, the emissions (t/yr) and the CO2 cost (currency/yr).
"""

from __future__ import annotations

import numpy as np

from model.formulation.context import BuildContext
from model.formulation.generation import emissions_t
from model.formulation.policies import _common as c
from model.formulation.vintages import step_cost_weights

KEY = "co2_price_per_t"


def validate(case, price) -> list:
    return c.check_number(KEY, price, lo=0.0, what="CO2 price")


def add_components(ctx: BuildContext, price: float) -> None:
    gen = c.generators(ctx)
    if len(gen) == 0 or float(price) == 0.0:
        return
    rate = gen["co2_t_per_mwh"].to_numpy(float)
    coef = (float(price) * rate[:, None] * step_cost_weights(ctx)[None, :]).ravel()
    ctx.lp.add_cost("co2_price", c.generation(ctx).output_mw, None, coef)


def report(ctx: BuildContext, price: float, x, duals) -> dict:
    e = emissions_t(ctx, x)
    return {"price_per_t": float(price), "binding": bool(float(price) > 0),
            "emissions_t": e, "co2_cost": float(price) * e if np.isfinite(e) else None}
