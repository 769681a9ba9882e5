"""Clean-energy share: clean generation covers at least a share of annual demand.

Key: ``policies.clean_share`` (fraction in [0, 1]).

Clean generators are those whose technology has ``clean = true``. Annual demand is base load
plus data-centre power, P[d,t] = PUE[d,t]·(idle_d·IT_d + (1 − idle_d)·Σ served[·,d,t]).
Constraint ``clean_share`` (one row, s = share):

    Σ_{g clean, t} w_t · gen_mw[g,t]  ≥  s · Σ_t w_t · (Σ_r load[r,t] + Σ_d P[d,t])

(implemented with the variable part of P on the left). Storage discharge does not count as
clean generation and unserved power still counts as demand. The dual μ ≥ 0 is the premium per
MWh of clean generation (what a tradable clean certificate would be worth).

Report: clean and demand energy, achieved share, binding, ``price_per_mwh`` (μ).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.formulation.context import BuildContext
from model.formulation.lp import Term
from model.formulation.network import node_load
from model.formulation.policies import _common as c

KEY = "clean_share"
ROW = "clean_share"


def validate(case, share) -> list:
    return c.check_number(KEY, share, lo=0.0, hi=1.0, what="clean share")


def _base_energy(ctx: BuildContext) -> float:
    """Σ_t w_t · (base load + idle power of existing IT), MWh."""
    return float(node_load(ctx).sum(axis=0) @ ctx.weights)


def add_components(ctx: BuildContext, share: float) -> None:
    share = float(share)
    if share <= 0:
        return
    gen = c.generators(ctx)
    n_t, w = ctx.n_steps, ctx.weights
    clean = np.flatnonzero(gen["clean"].to_numpy(bool)) if len(gen) else np.zeros(0, int)
    terms = []
    if len(clean):
        pos = c.generation(ctx).output_mw.at(clean).ravel()
        terms.append(Term(c.generation(ctx).output_mw, pos, np.tile(w, len(clean)),
                          np.zeros(len(pos), np.int64)))
    if c.has_sites(ctx):
        n_d = len(ctx.case.sites)
        terms += c.site_power_terms(ctx, np.zeros((n_d, n_t), np.int64),
                                    -share * w[None, :])
    ctx.lp.add_constraints(ROW, pd.Index(["clean_share"], name="policy"), terms, ">=",
                           share * _base_energy(ctx))


def report(ctx: BuildContext, share: float, x, duals) -> dict:
    gen = c.generators(ctx)
    w = ctx.weights
    clean_mwh = 0.0
    if len(gen):
        out = c.generation(ctx).output_mw.value(x)
        clean_mwh = float((out[gen["clean"].to_numpy(bool)] @ w).sum())
    demand = float(ctx.case.load.to_numpy().sum(axis=1) @ w)
    if len(ctx.case.sites):
        demand += float(c.site_power_value(ctx, x).sum(axis=0) @ w)
    dual = c.row_duals(ctx, duals, ROW)
    price = (c.shadow_price(dual[0], ">=") if dual is not None
             else (None if ROW in ctx.lp.constraints else 0.0))
    achieved = clean_mwh / demand if demand > 0 else None
    return {"share": float(share), "clean_mwh": clean_mwh, "demand_mwh": demand,
            "achieved_share": achieved,
            "binding": bool(ROW in ctx.lp.constraints
                            and c.is_binding(clean_mwh, float(share) * demand, price)),
            "price_per_mwh": price}
