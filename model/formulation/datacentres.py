"""Data-centre sites: build decisions, IT capacity in modules, grid connection, site power.

Reads ``sites.geojson`` and ``pue.csv``. Each candidate site d is a node of its own (so on-site
generation and storage in ``resources.csv`` work like anywhere else), joined to its host
region r(d) by a grid connection.

Variables
    dc_built[d] ∈ {0,1}                   site built (fixed to 1 where existing_it_mw > 0)
    dc_it_new_mw[d] ≥ 0                    new IT capacity, MW
                                           (IT_d = existing_it_mw_d + dc_it_new_mw[d])
    dc_modules[d] ∈ ℤ≥0                    number of new IT modules where ``module_mw`` is given
    dc_connection_new_mw[d] ∈ [0, G_d − G0_d]   new grid-connection capacity, MW
                                           (G_d = grid_limit_mw, G0_d = grid_existing_mw)
    dc_import_mw[d,t], dc_export_mw[d,t] ≥ 0    power from the host region to the site / back
                                           (dc_export_mw = 0 unless ``grid_export`` is true)

Constraints
    max(min_it_mw_d, 1 MW) · dc_built[d] ≤ IT_d ≤ M_d · dc_built[d]
        (M_d = max_it_mw, or the most IT the compute demand could use when unlimited; a built
        site holds at least 1 MW of IT, or max_it_mw if that is smaller)
    dc_it_new_mw[d] = module_mw_d · dc_modules[d]     (modules are new IT; existing IT stays)
    dc_connection_new_mw[d] ≤ max_t PUE[d,t] · IT_d      (sized for the site's draw: no IT, as
                                                         at an unbuilt site, no connection)
    dc_import_mw[d,t], dc_export_mw[d,t] ≤ G0_d · dc_built[d] + dc_connection_new_mw[d]
    new on-site capacity u at node d:  new_mw[u] ≤ B_u · dc_built[d]
        (B_u = max_new_mw, or 10 × the site's peak power where max_new_mw is not given)
    Σ_{c,k} served[c,d,k,t] ≤ IT_d                          (:mod:`model.compute` adds served)
    site power (MW) P_{d,t} = PUE_{d,t} · (idle_share_d · IT_d + (1 − idle_share_d) · Σ served)
        is withdrawn at node d, whose balance has no unserved-power slack: a site short of
        power serves less compute (unserved compute, at its value), never power without work.
    The pricing LP drops the big-M rows of built sites
    (:meth:`model.lp.LinearProblem.add_gate`).

Objective terms
    (CRF(r, n_d) · 1000 · capex_per_kw_it_d + 1000 · fixed_om_per_kw_it_year_d) · dc_it_new_mw[d]
    + CRF(r, n_d) · fixed_cost_d · dc_built[d]          (new sites only)
    + CRF(r, grid_lifetime_years_d) · 1000 · grid_cost_per_kw_d · dc_connection_new_mw[d]

Results: ``sites.csv`` (site, region, built, it_mw, connection, power, energy, the average
cost of the power each site uses per MWh of IT work and its marginal counterpart).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.formulation.component import Component, Results, Solution
from model.formulation.context import BuildContext
from model.formulation.generation import GenerationBlocks
from model.formulation.lp import Term, VarBlock
from model.formulation.network import BalanceBlocks
from model.formulation.storage import StorageBlocks
from model.inputs.derived import it_upper_bound, pue_matrix
from model.inputs.finance import capital_recovery_factor

ON_SITE_BOUND_PEAKS = 10.0  # B_u when max_new_mw is not given: 10 × the site's peak power
MIN_BUILT_IT_MW = 1.0  # smallest IT of a built site when min_it_mw is smaller


@dataclass
class SiteBlocks:
    sites: pd.DataFrame
    pue: np.ndarray  # site × step
    big_m: np.ndarray  # M_d, the most IT a site may hold
    built: VarBlock  # dc_built[d]
    it_new_mw: VarBlock  # dc_it_new_mw[d]
    connection_new_mw: VarBlock  # dc_connection_new_mw[d]
    import_mw: VarBlock  # dc_import_mw[d,t]
    export_mw: VarBlock  # dc_export_mw[d,t]
    # set by model.formulation.compute: the served-work block and the site of each of its arcs
    served_it_mw: VarBlock | None = None
    served_site: np.ndarray | None = None

    def served_by_site(self, x: np.ndarray) -> np.ndarray:
        """IT MW served at each site and step (site × step)."""
        out = np.zeros((len(self.sites), self.pue.shape[1]))
        if self.served_it_mw is not None:
            np.add.at(out, self.served_site, self.served_it_mw.value(x))
        return out

    def power(self, x: np.ndarray) -> np.ndarray:
        """Site power P[d,t] = PUE·(idle·IT + (1 − idle)·served) in a solution (site × step)."""
        idle = self.sites["idle_share"].to_numpy(float)[:, None]
        it = self.sites["existing_it_mw"].to_numpy(float) + self.it_new_mw.value(x)
        return self.pue * (idle * it[:, None] + (1 - idle) * self.served_by_site(x))


def peak_power_mw(case) -> np.ndarray:
    """Largest power each site could draw: M_d (most IT) × max_t PUE[d,t]."""
    return it_upper_bound(case) * pue_matrix(case).max(axis=1, initial=1.0)


def on_site_units(ctx: BuildContext) -> list[tuple[pd.DataFrame, VarBlock, np.ndarray]]:
    """(unit table, new-capacity block, site position of each unit or −1) of generators and
    storage: the units at site nodes are the sites' on-site plant."""
    out = []
    sites = ctx.case.sites.index
    gen, sto = ctx.get(GenerationBlocks), ctx.get(StorageBlocks)
    for blocks in (gen, sto):
        if blocks is not None:
            out.append((blocks.units, blocks.new_mw, sites.get_indexer(blocks.units["node"])))
    return out


def _gate_on_site(ctx: BuildContext, built: VarBlock, peak: np.ndarray) -> None:
    """Rows new_mw[u] ≤ B_u · dc_built[d] for on-site units."""
    for units, new, site in on_site_units(ctx):
        on = np.flatnonzero(site >= 0)
        if not len(on):
            continue
        bound = np.where(np.isfinite(new.ub[on]), new.ub[on],
                         ON_SITE_BOUND_PEAKS * peak[site[on]])
        rows = ctx.lp.add_constraints(f"dc_on_site_{new.name}", units.index[on],
                                      [Term(new, on, 1.0), Term(built, site[on], -bound)],
                                      "<=", 0.0)
        ctx.lp.add_gate(rows, built, site[on])


def _connection(ctx: BuildContext, built: VarBlock, it_new: VarBlock,
                pue: np.ndarray) -> tuple[VarBlock, VarBlock, VarBlock]:
    """Grid connection: new capacity sized for the site's IT, and the hourly flows."""
    case, lp = ctx.case, ctx.lp
    sites = case.sites
    n_d, n_t = len(sites), ctx.n_steps
    limit = sites["grid_limit_mw"].to_numpy(float)
    existing = sites["grid_existing_mw"].to_numpy(float)
    new = lp.add_variables("dc_connection_new_mw", sites.index, 0.0, limit - existing)
    all_d = np.arange(n_d)
    peak_pue = pue.max(axis=1, initial=1.0)
    # a connection is sized for the site's draw: no IT (an unbuilt site), no new connection
    lp.add_constraints("dc_connection_size", sites.index,
                       [Term(new, all_d, 1.0), Term(it_new, all_d, -peak_pue)],
                       "<=", peak_pue * sites["existing_it_mw"].to_numpy(float))
    crf = capital_recovery_factor(case.discount_rate, sites["grid_lifetime_years"].to_numpy())
    lp.add_cost("capex_grid_connections", new, None,
                crf * 1000.0 * sites["grid_cost_per_kw"].to_numpy(float))
    # a data centre's connection is a load connection: exports only where grid_export is set
    export_limit = np.where(sites["grid_export"].to_numpy(bool), limit, 0.0)
    flows = []
    site_of = np.repeat(all_d, n_t)
    for name, sign, cap in (("dc_import_mw", 1.0, limit), ("dc_export_mw", -1.0, export_limit)):
        flow = lp.add_grid_variables(name, sites.index, n_t, 0.0, cap, ("site", "step"))
        lp.add_constraints(f"{name}_limit", flow.index,
                           [Term(flow, flow.at().ravel(), 1.0), Term(new, site_of, -1.0),
                            Term(built, site_of, -np.repeat(existing, n_t))], "<=", 0.0)
        ctx.inject(flow, ctx.node_pos(sites.index), sign)
        ctx.inject(flow, ctx.node_pos(sites["region"]), -sign)
        flows.append(flow)
    return new, flows[0], flows[1]


def _it_capacity(ctx: BuildContext, built: VarBlock, big_m: np.ndarray) -> VarBlock:
    """New IT capacity within the site's size limits, in whole new modules where given."""
    case, lp = ctx.case, ctx.lp
    sites = case.sites
    existing = sites["existing_it_mw"].to_numpy(float)
    max_it = sites["max_it_mw"].to_numpy(float)
    # a built site is a data centre: at least min_it_mw, and never less than 1 MW of IT (a
    # "built" site without IT would carry on-site plant with nothing to serve)
    min_it = np.maximum(sites["min_it_mw"].to_numpy(float), np.minimum(MIN_BUILT_IT_MW, max_it))
    module = sites["module_mw"].to_numpy(float)
    room = np.maximum(big_m - existing, 0.0)
    it_new = lp.add_variables("dc_it_new_mw", sites.index, 0.0, room,
                              price_ub=np.maximum(max_it - existing, 0.0))
    all_d = np.arange(len(sites))
    lp.add_constraints("dc_min_it", sites.index,
                       [Term(it_new, all_d, 1.0), Term(built, all_d, -min_it)], ">=", -existing)
    gate = lp.add_constraints("dc_max_it", sites.index,
                              [Term(it_new, all_d, 1.0), Term(built, all_d, -big_m)], "<=",
                              -existing)
    lp.add_gate(gate, built, all_d)
    mod = np.flatnonzero(np.isfinite(module))
    if len(mod):
        n_max = np.floor(room[mod] / module[mod] + 1e-9)
        n_true = np.floor(np.maximum(max_it[mod] - existing[mod], 0.0) / module[mod] + 1e-9)
        modules = lp.add_variables("dc_modules", sites.index[mod], 0.0, n_max, integer=True,
                                   price_ub=n_true)
        lp.add_constraints("dc_module_size", sites.index[mod],
                           [Term(it_new, mod, 1.0),
                            Term(modules, np.arange(len(mod)), -module[mod])], "==", 0.0)
    crf = capital_recovery_factor(case.discount_rate, sites["lifetime_years"].to_numpy(float))
    lp.add_cost("capex_datacentres", it_new, None,
                crf * 1000.0 * sites["capex_per_kw_it"].to_numpy(float))
    lp.add_cost("fixed_om_datacentres", it_new, None,
                1000.0 * sites["fixed_om_per_kw_it_year"].to_numpy(float))
    lp.add_cost("capex_datacentres", built, None,
                np.where(existing > 0, 0.0, crf * sites["fixed_cost"].to_numpy(float)))
    return it_new


def build(ctx: BuildContext) -> None:
    case, lp = ctx.case, ctx.lp
    sites = case.sites
    if len(sites) == 0:
        return
    existing = sites["existing_it_mw"].to_numpy(float)
    big_m = it_upper_bound(case)
    built = lp.add_variables("dc_built", sites.index, np.where(existing > 0, 1.0, 0.0), 1.0,
                             integer=True)
    it_new = _it_capacity(ctx, built, big_m)
    _gate_on_site(ctx, built, peak_power_mw(case))
    pue = pue_matrix(case)
    connection, imp, exp_ = _connection(ctx, built, it_new, pue)
    # idle power of installed IT: −PUE·idle·IT at the site node every step; the existing part
    # of IT is a constant withdrawal, moved to the load side
    idle = sites["idle_share"].to_numpy(float)
    ctx.inject_static(it_new, ctx.node_pos(sites.index), -(pue * idle[:, None]))
    ctx.add_fixed_load(ctx.node_pos(sites.index), pue * (idle * existing)[:, None])
    ctx.put(SiteBlocks(sites, pue, big_m, built, it_new, connection, imp, exp_))


def existing_fixed_cost(case) -> float:
    """Fixed O&M of existing IT per year (reported, not in the objective)."""
    sites = case.sites
    if not len(sites):
        return 0.0
    return float((sites["existing_it_mw"] * 1000.0 * sites["fixed_om_per_kw_it_year"]).sum())


def _on_site_cost(ctx: BuildContext, x: np.ndarray) -> np.ndarray:
    """Yearly cost of each site's on-site plant: its objective terms (capital, fixed and
    running costs, CO2 price) plus the fixed O&M of its existing capacity."""
    paid = ctx.lp.cost_vector() * x
    out = np.zeros(len(ctx.case.sites))
    gen, sto = ctx.get(GenerationBlocks), ctx.get(StorageBlocks)
    blocks_of = {}
    if gen is not None:
        blocks_of[id(gen.new_mw)] = (gen.new_mw, gen.output_mw)
    if sto is not None:
        blocks_of[id(sto.new_mw)] = (sto.new_mw, sto.new_mwh, sto.charge_mw, sto.discharge_mw)
    for units, new, site in on_site_units(ctx):
        on = np.flatnonzero(site >= 0)
        if not len(on):
            continue
        cost = 1000.0 * units["existing_mw"].to_numpy(float) * units[
            "fixed_om_per_kw_year"].to_numpy(float)
        for block in blocks_of[id(new)]:
            per = paid[block.cols()]
            cost = cost + (per.reshape(len(units), -1).sum(axis=1) if block.n_steps else per)
        np.add.at(out, site[on], cost[on])
    return out


def _power_costs(ctx: BuildContext, b: SiteBlocks, sol: Solution, power: np.ndarray,
                 it_energy: np.ndarray, region_dual: np.ndarray,
                 site_dual: np.ndarray) -> dict[str, np.ndarray]:
    """Average cost of the power each site uses (imports at the host region's prices, less
    exports at the same prices, plus on-site plant and connection costs) and the marginal
    cost at the site node, both per MWh of IT work (duals are w_t · price)."""
    n_d = len(b.sites)
    conn_cost = (ctx.lp.cost_vector() * sol.x)[b.connection_new_mw.cols()]
    total = ((region_dual * (sol.value(b.import_mw) - sol.value(b.export_mw))).sum(axis=1)
             + _on_site_cost(ctx, sol.x) + conn_cost)
    marginal = (site_dual * power).sum(axis=1)

    def per_it(v):
        return np.divide(v, it_energy, out=np.full(n_d, np.nan), where=it_energy > 1e-9)

    return {"power_cost_per_year": total, "power_cost_per_mwh_it": per_it(total),
            "marginal_power_cost_per_mwh_it": per_it(marginal)}


def _site_table(ctx: BuildContext, b: SiteBlocks, sol: Solution, power: np.ndarray,
                served: np.ndarray) -> pd.DataFrame:
    sites, w = b.sites, ctx.weights
    n_d, hours = len(sites), float(w.sum())
    it_mw = sites["existing_it_mw"].to_numpy(float) + sol.value(b.it_new_mw)
    # a "built" site without IT capacity is a free tie (no fixed cost): report it unbuilt
    built = np.round(sol.value(b.built)) * (it_mw > 1e-6)
    energy, it_energy = power @ w, served @ w
    imp, exp_ = sol.value(b.import_mw), sol.value(b.export_mw)
    return pd.DataFrame({
        "site": sites.index, "name": sites["name"].to_numpy(), "region": sites["region"],
        "group": sites["group"].to_numpy(), "built": built.astype(int), "it_mw": it_mw,
        "it_energy_mwh_per_year": it_energy, "power_mwh_per_year": energy,
        "peak_power_mw": power.max(axis=1) if ctx.n_steps else 0.0,
        "grid_connection_mw": (sites["grid_existing_mw"].to_numpy(float) * built
                               + sol.value(b.connection_new_mw)),
        "grid_import_mwh_per_year": imp @ w, "grid_export_mwh_per_year": exp_ @ w,
        "grid_share": np.divide(imp @ w, energy, out=np.zeros(n_d), where=energy > 1e-9),
        "pue_mean": (b.pue @ w) / hours, "utilisation": np.divide(
            it_energy, it_mw * hours, out=np.zeros(n_d), where=it_mw > 0),
        "lon": sites["lon"].to_numpy(), "lat": sites["lat"].to_numpy(),
    }).reset_index(drop=True)


def results(ctx: BuildContext, sol: Solution) -> Results:
    """sites.csv (with the cost of power where prices exist) and the site power columns of
    dispatch.csv."""
    b = ctx.get(SiteBlocks)
    if b is None:
        return Results()
    balance = ctx.get(BalanceBlocks)
    balance_dual = sol.dual(balance.balance if balance is not None else None)
    if balance_dual is not None:
        balance_dual = balance_dual.reshape(len(ctx.node_ids), ctx.n_steps)
    served = b.served_by_site(sol.x)
    power = b.power(sol.x)
    table = _site_table(ctx, b, sol, power, served)
    if balance_dual is not None:
        costs = _power_costs(ctx, b, sol, power, served @ ctx.weights,
                             balance_dual[ctx.node_pos(b.sites["region"])],
                             balance_dual[ctx.node_pos(b.sites.index)])
        for key, values in costs.items():
            table[key] = values
    it_energy = float(table["it_energy_mwh_per_year"].sum())
    summary = {"sites_built": table.loc[table["built"] == 1, "site"].tolist(),
               "it_mw_built": float(table["it_mw"].sum()), "it_energy_mwh": it_energy}
    if "power_cost_per_year" in table and it_energy > 0:
        summary["power_cost_per_mwh_it"] = float(table["power_cost_per_year"].sum() / it_energy)
    return Results(tables={"sites": table},
                   dispatch={f"{s}:dc_power": power[i] for i, s in enumerate(b.sites.index)},
                   summary=summary, existing_fixed_om=existing_fixed_cost(ctx.case))


COMPONENT = Component("datacentres", ("sites", "pue"), build, results,
                      report=("sites", "dispatch"))
