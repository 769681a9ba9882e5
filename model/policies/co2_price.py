"""CO2 price: a cost per tonne on every emitting MWh.

Key: ``policies.co2_price_per_t`` (currency per t CO2).

Objective term: Σ_{g,t} w_t · co2_price · co2_t_per_mwh_g · gen_mw[g,t]
"""

from __future__ import annotations

from ..context import BuildContext


def add_components(ctx: BuildContext, price: float) -> None:
    gen = ctx.info.get("generators")
    if gen is None or len(gen) == 0 or float(price) == 0.0:
        return
    rate = gen["co2_t_per_mwh"].to_numpy(float)
    coef = (float(price) * rate[:, None] * ctx.weights[None, :]).ravel()
    ctx.lp.add_cost("co2_price", ctx.lp.variables["gen_mw"], None, coef)


def report(ctx: BuildContext, price: float, x, duals) -> dict:
    return {"price_per_t": float(price), "binding": bool(float(price) > 0)}
