"""Network: corridors between nodes, unserved power, and the power balance at every node.

Reads ``corridors.csv`` and ``load.csv``; closes the balance from every module's injections
(:meth:`model.context.BuildContext.inject`).

Sets: corridors l = (from, to) with loss factor λ_l = loss_per_1000km · length_km / 1000;
nodes n (regions and sites); steps t.

Variables
    corridor_new_mw[l] ∈ [0, max_new_mw]   new capacity, MW (each direction)
    corridor_blocks[l] ∈ ℤ≥0               integer blocks where ``block_mw`` is given:
                                            corridor_new_mw[l] = block_mw_l · corridor_blocks[l]
    flow[l,t] ∈ ℝ                          lossless corridors: from → to (negative = to → from)
    flow_fwd[l,t], flow_bwd[l,t] ≥ 0       lossy corridors, one variable per direction
    unserved_mw[r,t] ≥ 0                    power not served at region r (sites have none)

Constraints
    −(existing_l + corridor_new_mw[l]) ≤ flow[l,t] ≤ existing_l + corridor_new_mw[l]
    flow_fwd[l,t], flow_bwd[l,t] ≤ existing_l + corridor_new_mw[l]
    power balance (dual = w_t · price[n,t]):
        Σ injections[n,t] + unserved_mw[n,t] = load[n,t]     (no unserved term at sites)
    with corridor injections −flow at from, +flow at to (lossless) and
    −fwd + (1−λ)·bwd at from, (1−λ)·fwd − bwd at to (lossy).

Objective terms
    CRF(r, lifetime_l) · cost_per_mw_km_l · length_km_l · corridor_new_mw[l]
    + Σ_{r,t} w_t · value_of_lost_load · unserved_mw[r,t]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.formulation.context import BuildContext, grid_index
from model.formulation.lp import Term
from model.inputs.finance import capital_recovery_factor


def add_corridors(ctx: BuildContext) -> None:
    case, lp = ctx.case, ctx.lp
    cor = case.corridors
    n_l, n_t = len(cor), ctx.n_steps
    ctx.info["corridors"] = cor
    if n_l == 0:
        return
    idx = pd.Index(cor["name"].astype(str) + "#" + pd.Series(range(n_l)).astype(str),
                   name="corridor")
    existing = cor["existing_mw"].to_numpy(float)
    max_new = cor["max_new_mw"].to_numpy(float)
    block = cor["block_mw"].to_numpy(float)
    new = lp.add_variables("corridor_new_mw", idx, 0.0, max_new)
    has_block = np.flatnonzero(np.isfinite(block) & (max_new > 0))
    if len(has_block):
        nb_max = np.floor(max_new[has_block] / block[has_block] + 1e-9)
        blocks = lp.add_variables("corridor_blocks", idx[has_block], 0.0, nb_max, integer=True)
        lp.add_constraints(
            "corridor_block_size", idx[has_block],
            [Term(new, has_block, 1.0), Term(blocks, np.arange(len(has_block)),
                                             -block[has_block])],
            "==", 0.0)
    crf = capital_recovery_factor(case.discount_rate, cor["lifetime_years"].to_numpy(float))
    lp.add_cost("capex_transmission", new, None,
                crf * cor["cost_per_mw_km"].to_numpy(float) * cor["length_km"].to_numpy(float))

    loss = (cor["loss_per_1000km"] * cor["length_km"] / 1000.0).to_numpy(float)
    lossless = np.flatnonzero(loss == 0)
    lossy = np.flatnonzero(loss > 0)
    grow = max_new > 0
    from_pos = ctx.node_pos(cor["from"])
    to_pos = ctx.node_pos(cor["to"])
    steps = np.arange(n_t)
    ctx.info["corridor_loss"] = loss
    ctx.info["corridor_groups"] = (lossless, lossy)

    def limit(name, var, sub, sign):
        """sign·var[l,t] − new[l] ≤ existing[l] on expandable corridors of ``sub``."""
        g = np.flatnonzero(grow[sub])
        if not len(g):
            return
        lp.add_constraints(
            name, grid_index(idx[sub][g], n_t, ("corridor", "step")),
            [Term(var, (g[:, None] * n_t + steps).ravel(), sign),
             Term(new, np.repeat(sub[g], n_t), -1.0)],
            "<=", np.repeat(existing[sub][g], n_t))

    if len(lossless):
        cap = np.where(grow[lossless], np.inf, existing[lossless])
        ub = np.repeat(cap, n_t)
        flow = lp.add_variables("flow_mw", grid_index(idx[lossless], n_t, ("corridor", "step")),
                                -ub, ub)
        limit("flow_limit_up", flow, lossless, 1.0)
        limit("flow_limit_down", flow, lossless, -1.0)
        pos = np.arange(len(lossless) * n_t)
        st = np.tile(steps, len(lossless))
        ctx.inject(flow, pos, np.repeat(from_pos[lossless], n_t), st, -1.0)
        ctx.inject(flow, pos, np.repeat(to_pos[lossless], n_t), st, 1.0)
    if len(lossy):
        cap = np.where(grow[lossy], np.inf, existing[lossy])
        ub = np.repeat(cap, n_t)
        sub_idx = grid_index(idx[lossy], n_t, ("corridor", "step"))
        fwd = lp.add_variables("flow_fwd_mw", sub_idx, 0.0, ub)
        bwd = lp.add_variables("flow_bwd_mw", sub_idx, 0.0, ub)
        limit("flow_fwd_limit", fwd, lossy, 1.0)
        limit("flow_bwd_limit", bwd, lossy, 1.0)
        pos = np.arange(len(lossy) * n_t)
        st = np.tile(steps, len(lossy))
        eff = np.repeat(1.0 - loss[lossy], n_t)
        f_pos = np.repeat(from_pos[lossy], n_t)
        t_pos = np.repeat(to_pos[lossy], n_t)
        ctx.inject(fwd, pos, f_pos, st, -1.0)
        ctx.inject(fwd, pos, t_pos, st, eff)
        ctx.inject(bwd, pos, t_pos, st, -1.0)
        ctx.inject(bwd, pos, f_pos, st, eff)


def node_load(ctx: BuildContext) -> np.ndarray:
    """Base load (MW) as a (node × step) array; sites have no base load."""
    nodes = ctx.node_ids
    out = np.zeros((len(nodes), ctx.n_steps))
    load = ctx.case.load
    pos = ctx.node_pos(load.columns)
    out[pos] = load.to_numpy().T
    for node_pos, mw in ctx.fixed_load:
        np.add.at(out, node_pos, mw)
    return out


def add_balance(ctx: BuildContext) -> None:
    """Unserved power at regions and the balance rows (call after every module has injected).

    Site nodes have no unserved-power slack: a site short of power serves less compute
    (:mod:`model.datacentres`), so power is never "unserved" where no work is done.
    """
    lp, n_t = ctx.lp, ctx.n_steps
    nodes = ctx.node_ids
    regions = ctx.case.regions.index
    region_pos = ctx.node_pos(regions)
    unserved = lp.add_variables("unserved_mw", grid_index(regions, n_t, ("node", "step")),
                                0.0, np.inf)
    lp.add_cost("unserved_power", unserved, None,
                np.tile(ctx.weights, len(regions)) * ctx.case.value_of_lost_load)
    rows = (region_pos[:, None] * n_t + np.arange(n_t)).ravel()
    terms = list(ctx.injections) + [Term(unserved, np.arange(len(rows)), 1.0, rows)]
    lp.add_constraints("power_balance", grid_index(nodes, n_t, ("node", "step")), terms, "==",
                       node_load(ctx).ravel())


def results(ctx: BuildContext, x: np.ndarray, duals: np.ndarray | None) -> dict:
    lp, n_t = ctx.lp, ctx.n_steps
    nodes = ctx.node_ids
    out: dict[str, pd.DataFrame] = {}
    regions = ctx.case.regions.index
    unserved = np.zeros((len(nodes), n_t))
    unserved[ctx.node_pos(regions)] = lp.values(x, "unserved_mw").to_numpy().reshape(
        len(regions), n_t)
    out["unserved"] = pd.DataFrame(unserved.T, columns=nodes)
    if duals is not None:
        bal = lp.duals(duals, "power_balance").to_numpy().reshape(len(nodes), n_t)
        out["price_matrix"] = pd.DataFrame((bal / ctx.weights[None, :]).T, columns=nodes)
    cor = ctx.info.get("corridors")
    if cor is not None and len(cor):
        lossless, lossy = ctx.info["corridor_groups"]
        new = lp.values(x, "corridor_new_mw").to_numpy()
        flows = np.zeros((len(cor), n_t))
        if len(lossless):
            flows[lossless] = lp.values(x, "flow_mw").to_numpy().reshape(len(lossless), n_t)
        if len(lossy):
            fwd = lp.values(x, "flow_fwd_mw").to_numpy().reshape(len(lossy), n_t)
            bwd = lp.values(x, "flow_bwd_mw").to_numpy().reshape(len(lossy), n_t)
            flows[lossy] = fwd - bwd
        w = ctx.weights
        out["corridors"] = pd.DataFrame({
            "from": cor["from"].to_numpy(), "to": cor["to"].to_numpy(),
            "name": cor["name"].to_numpy(),
            "existing_mw": cor["existing_mw"].to_numpy(float), "new_mw": new,
            "total_mw": cor["existing_mw"].to_numpy(float) + new,
            "length_km": cor["length_km"].to_numpy(float),
            "flow_forward_mwh_per_year": np.clip(flows, 0, None) @ w,
            "flow_backward_mwh_per_year": np.clip(-flows, 0, None) @ w,
            "max_abs_flow_mw": np.abs(flows).max(axis=1) if n_t else 0.0,
        })
        out["flows"] = pd.DataFrame(flows.T, columns=cor["name"].to_numpy())
    return out
