"""Network: corridors between nodes, unserved power, and the power balance at every node.

Reads ``corridors.csv`` and ``load.csv``; closes the balance from every module's injections
(:meth:`model.formulation.context.BuildContext.inject`). Two components: the corridors (built
early) and the balance (built last).

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

from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.formulation.component import Component, Results, Solution
from model.formulation.context import BuildContext
from model.formulation.lp import ConBlock, Term, VarBlock, grid_positions
from model.formulation.vintages import (
    Vintages,
    add_new_capacity,
    add_unit_counts,
    period_energy,
    step_cost_weights,
)
from model.inputs.finance import capital_recovery_factor


@dataclass
class CorridorBlocks:
    corridors: pd.DataFrame
    new: Vintages  # corridor_new_mw[l] (by build period in multi-period cases)
    lossless: np.ndarray  # corridor positions with flow_mw
    lossy: np.ndarray  # corridor positions with flow_fwd_mw / flow_bwd_mw
    flow_mw: VarBlock | None
    flow_fwd_mw: VarBlock | None
    flow_bwd_mw: VarBlock | None

    @property
    def new_mw(self) -> VarBlock:
        return self.new.block


@dataclass
class BalanceBlocks:
    unserved_mw: VarBlock  # region × step
    balance: ConBlock  # node × step; dual = w_t · price (× the period's weight)


def build_corridors(ctx: BuildContext) -> None:
    case, lp = ctx.case, ctx.lp
    cor = case.corridors
    if len(cor) == 0:
        return
    idx = pd.Index(cor["name"].astype(str) + "#" + pd.Series(range(len(cor))).astype(str),
                   name="corridor")
    max_new = cor["max_new_mw"].to_numpy(float)
    new = add_new_capacity(ctx, "corridor_new_mw", idx, max_new,
                           cor["lead_time_years"].to_numpy(float),
                           cor["lifetime_years"].to_numpy(float))
    _blocks(lp, cor, idx, new)
    crf = capital_recovery_factor(case.discount_rate, cor["lifetime_years"].to_numpy(float))
    new.add_cost(lp, "capex_transmission",
                 crf * cor["cost_per_mw_km"].to_numpy(float) * cor["length_km"].to_numpy(float))
    loss = (cor["loss_per_1000km"] * cor["length_km"] / 1000.0).to_numpy(float)
    lossless, lossy = np.flatnonzero(loss == 0), np.flatnonzero(loss > 0)
    flows = _lossless_flows(ctx, cor, idx, new, lossless)
    fwd, bwd = _lossy_flows(ctx, cor, idx, new, lossy, loss)
    ctx.put(CorridorBlocks(cor, new, lossless, lossy, flows, fwd, bwd))


def _blocks(lp, cor: pd.DataFrame, idx: pd.Index, new: Vintages) -> None:
    """corridor_new_mw[l, b] = block_mw_l · corridor_blocks[l, b] where a block size is
    given."""
    max_new = cor["max_new_mw"].to_numpy(float)
    block = cor["block_mw"].to_numpy(float)
    has = np.flatnonzero(np.isfinite(block) & (max_new > 0))
    if not len(has):
        return
    add_unit_counts(lp, "corridor_blocks", "corridor_block_size", new, has, block)


def _limit(ctx, name: str, flow: VarBlock, new: Vintages, sub: np.ndarray, sign: float,
           cor: pd.DataFrame) -> None:
    """sign·flow[l,t] − installed new[l, period(t)] ≤ existing[l], expandable corridors."""
    grow = np.flatnonzero(cor["max_new_mw"].to_numpy(float)[sub] > 0)
    if not len(grow):
        return
    n_t = flow.n_steps
    pos = flow.at(grow).ravel()
    ctx.lp.add_constraints(
        name, flow.index[pos],
        [Term(flow, pos, sign),
         new.step_terms(sub[grow], ctx.case.period_index, -1.0)],
        "<=", np.repeat(cor["existing_mw"].to_numpy(float)[sub][grow], n_t))


def _cap(cor: pd.DataFrame, sub: np.ndarray) -> np.ndarray:
    """Flow bound per corridor: existing capacity, or none where it can grow (rows limit it)."""
    grow = cor["max_new_mw"].to_numpy(float)[sub] > 0
    return np.where(grow, np.inf, cor["existing_mw"].to_numpy(float)[sub])


def _lossless_flows(ctx, cor, idx, new, sub) -> VarBlock | None:
    """flow[l,t] ∈ ±(existing + new): −flow at from, +flow at to."""
    if not len(sub):
        return None
    lp, cap = ctx.lp, _cap(cor, sub)
    flow = lp.add_grid_variables("flow_mw", idx[sub], ctx.n_steps, -cap, cap,
                                 ("corridor", "step"))
    _limit(ctx, "flow_limit_up", flow, new, sub, 1.0, cor)
    _limit(ctx, "flow_limit_down", flow, new, sub, -1.0, cor)
    ctx.inject(flow, ctx.node_pos(cor["from"])[sub], -1.0)
    ctx.inject(flow, ctx.node_pos(cor["to"])[sub], 1.0)
    return flow


def _lossy_flows(ctx, cor, idx, new, sub, loss) -> tuple[VarBlock | None, VarBlock | None]:
    """fwd, bwd ≥ 0 per direction, (1 − λ) of each arriving."""
    if not len(sub):
        return None, None
    lp, cap = ctx.lp, _cap(cor, sub)
    fwd = lp.add_grid_variables("flow_fwd_mw", idx[sub], ctx.n_steps, 0.0, cap,
                                ("corridor", "step"))
    bwd = lp.add_grid_variables("flow_bwd_mw", idx[sub], ctx.n_steps, 0.0, cap,
                                ("corridor", "step"))
    _limit(ctx, "flow_fwd_limit", fwd, new, sub, 1.0, cor)
    _limit(ctx, "flow_bwd_limit", bwd, new, sub, 1.0, cor)
    f_pos, t_pos = ctx.node_pos(cor["from"])[sub], ctx.node_pos(cor["to"])[sub]
    eff = 1.0 - loss[sub]
    ctx.inject(fwd, f_pos, -1.0)
    ctx.inject(fwd, t_pos, eff)
    ctx.inject(bwd, t_pos, -1.0)
    ctx.inject(bwd, f_pos, eff)
    return fwd, bwd


def node_load(ctx: BuildContext) -> np.ndarray:
    """Base load (MW) as a (node × step) array, plus the constant withdrawals of components
    (the idle power of existing IT); sites have no base load."""
    out = np.zeros((len(ctx.node_ids), ctx.n_steps))
    load = ctx.case.load
    out[ctx.node_pos(load.columns)] = load.to_numpy().T
    for node_pos, mw in ctx.fixed_load:
        np.add.at(out, node_pos, mw)
    return out


def build_balance(ctx: BuildContext) -> None:
    """Unserved power at regions and the balance rows (built after every injection).

    Site nodes have no unserved-power slack: a site short of power serves less compute
    (:mod:`model.formulation.datacentres`), so power is never "unserved" where no work is done.
    """
    lp, n_t = ctx.lp, ctx.n_steps
    regions = ctx.case.regions.index
    unserved = lp.add_grid_variables("unserved_mw", regions, n_t, 0.0, np.inf, ("node", "step"))
    lp.add_cost("unserved_power", unserved, None,
                np.tile(step_cost_weights(ctx), len(regions)) * ctx.case.value_of_lost_load)
    rows = grid_positions(ctx.node_pos(regions), n_t).ravel()
    terms = list(ctx.injections) + [Term(unserved, np.arange(len(rows)), 1.0, rows)]
    nodes = ctx.node_ids
    balance = lp.add_constraints(
        "power_balance", pd.MultiIndex.from_product([nodes, range(n_t)], names=["node", "step"]),
        terms, "==", node_load(ctx).ravel())
    ctx.put(BalanceBlocks(unserved, balance))


def prices(ctx: BuildContext, sol: Solution) -> np.ndarray | None:
    """Price of power (currency/MWh), node × step: balance dual ÷ w_t."""
    b = ctx.get(BalanceBlocks)
    dual = sol.dual(b.balance) if b is not None else None
    if dual is None:
        return None
    return dual.reshape(len(ctx.node_ids), ctx.n_steps) / step_cost_weights(ctx)[None, :]


def corridor_flows(ctx: BuildContext, sol: Solution) -> np.ndarray:
    """Net flow from → to (MW), corridor × step."""
    c = ctx.get(CorridorBlocks)
    flows = np.zeros((len(c.corridors), ctx.n_steps))
    if c.flow_mw is not None:
        flows[c.lossless] = sol.value(c.flow_mw)
    if c.flow_fwd_mw is not None:
        flows[c.lossy] = sol.value(c.flow_fwd_mw) - sol.value(c.flow_bwd_mw)
    return flows


def corridor_results(ctx: BuildContext, sol: Solution) -> Results:
    """corridors.csv: one row per corridor (per corridor and period in multi-period cases,
    with the capacity built for the period and in place in it)."""
    c = ctx.get(CorridorBlocks)
    if c is None:
        return Results(tables={"corridors": pd.DataFrame(
            columns=["from", "to", "existing_mw", "new_mw"])})
    cor, inv = c.corridors, ctx.case.investment
    flows = corridor_flows(ctx, sol)
    n_p = inv.n
    existing = np.repeat(cor["existing_mw"].to_numpy(float), n_p)
    peak = np.zeros((len(cor), n_p))
    for p in range(n_p):
        steps = ctx.case.period_index == p
        peak[:, p] = np.abs(flows[:, steps]).max(axis=1) if steps.any() else 0.0
    table = pd.DataFrame({
        "from": np.repeat(cor["from"].to_numpy(), n_p), "to": np.repeat(cor["to"].to_numpy(), n_p),
        "name": np.repeat(cor["name"].to_numpy(), n_p), "existing_mw": existing,
        "new_mw": c.new.built(sol.x).ravel(),
        "total_mw": existing + c.new.installed(sol.x).ravel(),
        "length_km": np.repeat(cor["length_km"].to_numpy(float), n_p),
        "flow_forward_mwh_per_year": period_energy(ctx, np.clip(flows, 0, None)).ravel(),
        "flow_backward_mwh_per_year": period_energy(ctx, np.clip(-flows, 0, None)).ravel(),
        "max_abs_flow_mw": peak.ravel(),
    })
    if not inv.static:
        table.insert(0, "period", np.tile(inv.years, len(cor)))
    return Results(tables={"corridors": table},
                   dispatch={f"flow:{n}": flows[i] for i, n in enumerate(cor["name"])})


def _per_period(ctx: BuildContext, values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Σ_{t∈p} weights_t · values_t of each period."""
    return np.bincount(ctx.case.period_index, weights=values * weights,
                       minlength=ctx.case.investment.n)


def _summary(ctx: BuildContext, unserved: np.ndarray, price, load: np.ndarray) -> dict:
    """Unserved energy, load and the load-weighted price: of the year (static), or per
    period with the horizon's totals (multi-period)."""
    inv, w = ctx.case.investment, ctx.weights
    unserved_p = _per_period(ctx, unserved.sum(axis=0), w)
    load_p = _per_period(ctx, ctx.case.load.to_numpy().sum(axis=1), w)
    price_p = None
    if price is not None:
        paid = _per_period(ctx, (price * load).sum(axis=0), w)
        drawn = _per_period(ctx, load.sum(axis=0), w)
        price_p = np.divide(paid, drawn, out=np.full(inv.n, np.nan), where=drawn > 0)
    if inv.static:
        out = {"unserved_energy_mwh": float(unserved_p[0]), "load_mwh": float(load_p[0])}
        if price_p is not None:
            out["average_price_per_mwh"] = None if np.isnan(price_p[0]) else float(price_p[0])
        return out
    years = inv.years.tolist()
    out = {"unserved_energy_mwh": float(unserved_p @ inv.span_years),
           "load_mwh": float(load_p @ inv.span_years),
           "unserved_energy_mwh_by_period": dict(zip(years, unserved_p.tolist(), strict=True)),
           "load_mwh_by_period": dict(zip(years, load_p.tolist(), strict=True))}
    if price_p is not None:
        out["average_price_per_mwh_by_period"] = dict(zip(years, price_p.tolist(), strict=True))
    return out


def balance_results(ctx: BuildContext, sol: Solution) -> Results:
    """Unserved power and prices per node: prices.csv, nodes.csv, summary figures."""
    b = ctx.get(BalanceBlocks)
    nodes, inv = ctx.node_ids, ctx.case.investment
    regions = ctx.case.regions.index
    unserved = np.zeros((len(nodes), ctx.n_steps))
    unserved[ctx.node_pos(regions)] = sol.value(b.unserved_mw)
    node_rows = {"node": np.repeat(nodes.to_numpy(), inv.n),
                 "unserved_mwh_per_year": period_energy(ctx, unserved).ravel()}
    price = prices(ctx, sol)
    tables = {}
    if price is not None:
        hours = period_energy(ctx, np.ones((1, ctx.n_steps)))[0]
        node_rows["average_price_per_mwh"] = (period_energy(ctx, price) / hours).ravel()
        tables["prices"] = pd.DataFrame({
            "node": np.repeat(nodes.to_numpy(), ctx.n_steps),
            "time": np.tile(ctx.case.time.to_numpy(), len(nodes)),
            "price_per_mwh": price.ravel()})
    if not inv.static:
        node_rows = {"period": np.tile(inv.years, len(nodes)), **node_rows}
    tables["nodes"] = pd.DataFrame(node_rows)
    dispatch = {f"{n}:unserved": unserved[i] for i, n in enumerate(nodes) if unserved[i].any()}
    return Results(tables=tables, dispatch=dispatch,
                   summary=_summary(ctx, unserved, price, node_load(ctx)))


CORRIDORS = Component("corridors", ("corridors",), build_corridors, corridor_results,
                      report=("corridors",))
BALANCE = Component("balance", ("load",), build_balance, balance_results,
                    report=("prices",))
