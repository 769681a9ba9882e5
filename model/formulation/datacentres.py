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
    (:meth:`model.formulation.lp.LinearProblem.add_gate`).

Multi-period cases (:mod:`model.formulation.vintages`): dc_built, dc_it_new_mw, dc_modules and
dc_connection_new_mw are indexed by build period as well; a site is built once
(Σ_b dc_built[d,b] ≤ 1) and counts as built in period q when built for a period b ≤ q; IT and
connection in place in q are the vintages active in q; the rows above hold in every period
(rows per site and period), with the campus lead time (``lead_time_years``) on dc_built and
dc_it_new_mw and the grid lead time (``grid_lead_time_years``) on dc_connection_new_mw.

Objective terms
    (CRF(r, n_d) · 1000 · capex_per_kw_it_d + 1000 · fixed_om_per_kw_it_year_d) · dc_it_new_mw[d]
    + CRF(r, n_d) · fixed_cost_d · dc_built[d]          (new sites only)
    + CRF(r, grid_lifetime_years_d) · 1000 · grid_cost_per_kw_d · dc_connection_new_mw[d]

Results (:mod:`model.formulation.site_results`): ``sites.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.formulation.context import BuildContext
from model.formulation.generation import GenerationBlocks
from model.formulation.lp import Term, VarBlock, grid_positions
from model.formulation.storage import StorageBlocks
from model.formulation.vintages import Vintages, add_new_capacity, add_unit_counts
from model.inputs.derived import it_upper_bound, pue_matrix
from model.inputs.finance import capital_recovery_factor

ON_SITE_BOUND_PEAKS = 10.0  # B_u when max_new_mw is not given: 10 × the site's peak power
MIN_BUILT_IT_MW = 1.0  # smallest IT of a built site when min_it_mw is smaller


@dataclass
class SiteBlocks:
    sites: pd.DataFrame
    pue: np.ndarray  # site × step
    big_m: np.ndarray  # M_d, the most IT a site may hold
    built: Vintages  # dc_built[d] (by build period in multi-period cases)
    it_new: Vintages  # dc_it_new_mw[d]
    connection: Vintages  # dc_connection_new_mw[d]
    import_mw: VarBlock  # dc_import_mw[d,t]
    export_mw: VarBlock  # dc_export_mw[d,t]
    # set by model.formulation.compute: the served-work block and the site of each of its arcs
    served_it_mw: VarBlock | None = None
    served_site: np.ndarray | None = None

    @property
    def it_new_mw(self) -> VarBlock:
        return self.it_new.block

    @property
    def connection_new_mw(self) -> VarBlock:
        return self.connection.block

    def built_in(self, x: np.ndarray) -> np.ndarray:
        """Whether each site is built in each period (site × period)."""
        return self.built.installed(x) > 0.5

    def it_mw(self, x: np.ndarray) -> np.ndarray:
        """IT capacity in place in each period (site × period)."""
        return self.sites["existing_it_mw"].to_numpy(float)[:, None] + self.it_new.installed(x)

    def served_by_site(self, x: np.ndarray) -> np.ndarray:
        """IT MW served at each site and step (site × step)."""
        out = np.zeros((len(self.sites), self.pue.shape[1]))
        if self.served_it_mw is not None:
            np.add.at(out, self.served_site, self.served_it_mw.value(x))
        return out

    def power(self, x: np.ndarray, period_index: np.ndarray) -> np.ndarray:
        """Site power P[d,t] = PUE·(idle·IT + (1 − idle)·served) in a solution (site × step)."""
        idle = self.sites["idle_share"].to_numpy(float)[:, None]
        it = self.it_mw(x)[:, period_index]
        return self.pue * (idle * it + (1 - idle) * self.served_by_site(x))


def peak_power_mw(case) -> np.ndarray:
    """Largest power each site could draw: M_d (most IT) × max_t PUE[d,t]."""
    return it_upper_bound(case) * pue_matrix(case).max(axis=1, initial=1.0)


def on_site_units(ctx: BuildContext) -> list[tuple[pd.DataFrame, Vintages, np.ndarray]]:
    """(unit table, new capacity, site position of each unit or −1) of generators and
    storage: the units at site nodes are the sites' on-site plant."""
    out = []
    sites = ctx.case.sites.index
    gen, sto = ctx.get(GenerationBlocks), ctx.get(StorageBlocks)
    if gen is not None:
        out.append((gen.units, gen.new, sites.get_indexer(gen.units["node"])))
    if sto is not None:
        out.append((sto.units, sto.new_power, sites.get_indexer(sto.units["node"])))
    return out


def _per_period_rows(n_items: int, n_p: int) -> tuple[np.ndarray, np.ndarray]:
    """(item, period) of each row of a site × period block of rows, item-major."""
    return np.repeat(np.arange(n_items), n_p), np.tile(np.arange(n_p), n_items)


def _built_terms(built: Vintages, items: np.ndarray, periods: np.ndarray, coef) -> Term:
    """Σ_b active · coef · dc_built[d, b] (the site counts as built in the period)."""
    return built.installed_terms(items, periods, np.arange(len(items)), coef)


def _gate_binaries(built: Vintages, items: np.ndarray, periods: np.ndarray) -> np.ndarray:
    """Positions of the build binaries that make each (site, period) row a built site."""
    active = built.active[items, :, periods]  # rows × build period
    pos = built.pos(np.repeat(items[:, None], built.n_periods, axis=1),
                    np.broadcast_to(np.arange(built.n_periods), active.shape))
    pos = np.where(active, pos, -1)
    return pos[:, 0] if built.n_periods == 1 else pos


def _gate_on_site(ctx: BuildContext, built: Vintages, peak: np.ndarray) -> None:
    """Rows new_mw[u, b] ≤ B_u · (site built in b) for on-site units."""
    for _units, new, site in on_site_units(ctx):
        on = np.flatnonzero(site >= 0)
        if not len(on):
            continue
        n_p = new.n_periods
        items, build = _per_period_rows(len(on), n_p)
        unit, d = on[items], site[on][items]
        pos = new.pos(unit, build)
        ub = new.block.ub[pos]
        bound = np.where(np.isfinite(ub), ub, ON_SITE_BOUND_PEAKS * peak[d])
        rows = ctx.lp.add_constraints(
            f"dc_on_site_{new.block.name}", new.block.index[pos],
            [Term(new.block, pos, 1.0), _built_terms(built, d, build, -bound)], "<=", 0.0)
        ctx.lp.add_gate(rows, built.block, _gate_binaries(built, d, build))


def _connection(ctx: BuildContext, built: Vintages, it_new: Vintages, pue: np.ndarray):
    """Grid connection: new capacity sized for the site's IT, and the hourly flows."""
    case, lp = ctx.case, ctx.lp
    sites = case.sites
    n_d, n_t, n_p = len(sites), ctx.n_steps, case.investment.n
    limit = sites["grid_limit_mw"].to_numpy(float)
    existing = sites["grid_existing_mw"].to_numpy(float)
    new = add_new_capacity(ctx, "dc_connection_new_mw", sites.index, limit - existing,
                           sites["grid_lead_time_years"].to_numpy(float),
                           sites["grid_lifetime_years"].to_numpy(float))
    peak_pue = pue.max(axis=1, initial=1.0)
    # a connection is sized for the site's draw: no IT (an unbuilt site), no new connection
    d, q = _per_period_rows(n_d, n_p)
    rows = np.arange(len(d))
    lp.add_constraints("dc_connection_size", _row_index(sites.index, case),
                       [new.installed_terms(d, q, rows, 1.0),
                        it_new.installed_terms(d, q, rows, -peak_pue[d])],
                       "<=", (peak_pue * sites["existing_it_mw"].to_numpy(float))[d])
    crf = capital_recovery_factor(case.discount_rate, sites["grid_lifetime_years"].to_numpy())
    new.add_cost(lp, "capex_grid_connections",
                 crf * 1000.0 * sites["grid_cost_per_kw"].to_numpy(float))
    # a data centre's connection is a load connection: exports only where grid_export is set
    export_limit = np.where(sites["grid_export"].to_numpy(bool), limit, 0.0)
    flows = []
    every_site = np.arange(n_d)
    for name, sign, cap in (("dc_import_mw", 1.0, limit), ("dc_export_mw", -1.0, export_limit)):
        flow = lp.add_grid_variables(name, sites.index, n_t, 0.0, cap, ("site", "step"))
        lp.add_constraints(f"{name}_limit", flow.index,
                           [Term(flow, flow.at().ravel(), 1.0),
                            new.step_terms(every_site, case.period_index, -1.0),
                            built.step_terms(every_site, case.period_index,
                                             -np.repeat(existing, n_t))], "<=", 0.0)
        ctx.inject(flow, ctx.node_pos(sites.index), sign)
        ctx.inject(flow, ctx.node_pos(sites["region"]), -sign)
        flows.append(flow)
    return new, flows[0], flows[1]


def _row_index(sites: pd.Index, case) -> pd.Index:
    """Index of per-site rows: the site (static), or site × period."""
    if case.investment.static:
        return sites
    return pd.MultiIndex.from_product([sites, case.investment.years], names=["site", "period"])


def _it_capacity(ctx: BuildContext, built: Vintages, big_m: np.ndarray) -> Vintages:
    """New IT capacity within the site's size limits, in whole new modules where given."""
    case, lp = ctx.case, ctx.lp
    sites = case.sites
    existing = sites["existing_it_mw"].to_numpy(float)
    max_it = sites["max_it_mw"].to_numpy(float)
    # a built site is a data centre: at least min_it_mw, and never less than 1 MW of IT (a
    # "built" site without IT would carry on-site plant with nothing to serve)
    min_it = np.maximum(sites["min_it_mw"].to_numpy(float), np.minimum(MIN_BUILT_IT_MW, max_it))
    room = np.maximum(big_m - existing, 0.0)
    it_new = add_new_capacity(ctx, "dc_it_new_mw", sites.index, room,
                              sites["lead_time_years"].to_numpy(float),
                              sites["lifetime_years"].to_numpy(float),
                              price_ub=np.maximum(max_it - existing, 0.0), potential=False)
    d, q = _per_period_rows(len(sites), case.investment.n)
    rows, index = np.arange(len(d)), _row_index(sites.index, case)
    lp.add_constraints("dc_min_it", index,
                       [it_new.installed_terms(d, q, rows, 1.0),
                        _built_terms(built, d, q, -min_it[d])], ">=", -existing[d])
    gate = lp.add_constraints("dc_max_it", index,
                              [it_new.installed_terms(d, q, rows, 1.0),
                               _built_terms(built, d, q, -big_m[d])], "<=", -existing[d])
    lp.add_gate(gate, built.block, _gate_binaries(built, d, q))
    _modules(ctx, it_new, max_it, existing)
    crf = capital_recovery_factor(case.discount_rate, sites["lifetime_years"].to_numpy(float))
    it_new.add_cost(lp, "capex_datacentres",
                    crf * 1000.0 * sites["capex_per_kw_it"].to_numpy(float))
    it_new.add_cost(lp, "fixed_om_datacentres",
                    1000.0 * sites["fixed_om_per_kw_it_year"].to_numpy(float))
    built.add_cost(lp, "capex_datacentres",
                   np.where(existing > 0, 0.0, crf * sites["fixed_cost"].to_numpy(float)))
    return it_new


def _modules(ctx: BuildContext, it_new: Vintages, max_it: np.ndarray,
             existing: np.ndarray) -> None:
    """dc_it_new_mw[d, b] = module_mw_d · dc_modules[d, b] where a module size is given."""
    module = ctx.case.sites["module_mw"].to_numpy(float)
    mod = np.flatnonzero(np.isfinite(module))
    if not len(mod):
        return
    n_p = it_new.n_periods
    items = np.repeat(mod, n_p)
    pos = it_new.pos(items, np.tile(np.arange(n_p), len(mod)))
    # the pricing LP's bound: the site's real room for modules, not the derived big-M bound
    n_true = np.where(it_new.block.ub[pos] > 0, np.floor(
        np.maximum(max_it[items] - existing[items], 0.0) / module[items] + 1e-9), 0.0)
    add_unit_counts(ctx.lp, "dc_modules", "dc_module_size", it_new, mod, module,
                    price_ub=n_true)


def build(ctx: BuildContext) -> None:
    case = ctx.case
    sites = case.sites
    if len(sites) == 0:
        return
    existing = sites["existing_it_mw"].to_numpy(float)
    big_m = it_upper_bound(case)
    built = add_new_capacity(ctx, "dc_built", sites.index, np.ones(len(sites)),
                             sites["lead_time_years"].to_numpy(float),
                             sites["lifetime_years"].to_numpy(float), integer=True)
    # an existing site is built, from the first period on
    first = built.pos(np.flatnonzero(existing > 0), 0)
    built.block.lb[first] = built.block.ub[first] = 1.0
    it_new = _it_capacity(ctx, built, big_m)
    _gate_on_site(ctx, built, peak_power_mw(case))
    pue = pue_matrix(case)
    connection, imp, exp_ = _connection(ctx, built, it_new, pue)
    # idle power of installed IT: −PUE·idle·IT at the site node every step; the existing part
    # of IT is a constant withdrawal, moved to the load side
    idle = sites["idle_share"].to_numpy(float)
    n_t = ctx.n_steps
    d = np.repeat(np.arange(len(sites)), n_t)
    ctx.injections.append(it_new.installed_terms(
        d, np.tile(case.period_index, len(sites)),
        grid_positions(ctx.node_pos(sites.index), n_t).ravel(), -(pue * idle[:, None]).ravel()))
    ctx.add_fixed_load(ctx.node_pos(sites.index), pue * (idle * existing)[:, None])
    ctx.put(SiteBlocks(sites, pue, big_m, built, it_new, connection, imp, exp_))


def existing_fixed_cost(case) -> float:
    """Fixed O&M of existing IT (reported, not in the objective): per year, or in a
    multi-period case its net present value Σ_q W_q (existing sites never retire)."""
    sites = case.sites
    if not len(sites):
        return 0.0
    annual = float((sites["existing_it_mw"] * 1000.0 * sites["fixed_om_per_kw_it_year"]).sum())
    return annual * float(case.investment.weights.sum())
