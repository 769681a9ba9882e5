"""Data-centre sites: build decisions, IT capacity in modules, grid connection, site power.

Reads ``sites.geojson`` and ``pue.csv``. Each candidate site d is a node of its own (so on-site
generation and storage in ``resources.csv`` work like anywhere else), joined to its host
region r(d) by a grid connection.

Variables
    dc_built[d] ∈ {0,1}                   site built (fixed to 1 where existing_it_mw > 0)
    dc_it_new_mw[d] ≥ 0                    new IT capacity, MW
                                           (IT_d = existing_it_mw_d + dc_it_new_mw[d])
    dc_modules[d] ∈ ℤ≥0                    number of IT modules where ``module_mw`` is given
    dc_grid_mw[d,t] ∈ [−grid_limit, grid_limit]   import from the host region (negative: export)

Constraints
    min_it_mw_d · dc_built[d] ≤ IT_d ≤ M_d · dc_built[d]
        (M_d = max_it_mw, or the total peak compute demand when unlimited)
    IT_d = module_mw_d · dc_modules[d]                     (sites with a module size)
    Σ_{c,k} served[c,d,k,t] ≤ IT_d                          (:mod:`model.compute` adds served)
    site power (MW) P_{d,t} = PUE_{d,t} · (idle_share_d · IT_d + (1 − idle_share_d) · Σ served)
        enters the balance of node d as a withdrawal; dc_grid_mw moves power from r(d) to d.

Objective terms
    (CRF(r, n_d) · 1000 · capex_per_kw_it_d + 1000 · fixed_om_per_kw_it_year_d) · dc_it_new_mw[d]
    + CRF(r, n_d) · fixed_cost_d · dc_built[d]          (new sites only)

Results: ``sites.csv`` (site, region, built, it_mw, power, energy, cost of power per MWh IT).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .context import BuildContext, grid_index
from .finance import capital_recovery_factor
from .lp import Term


def pue_matrix(case) -> np.ndarray:
    """PUE (site × step): hourly ``pue.csv`` column where given, else the site's constant."""
    sites = case.sites
    out = np.repeat(sites["pue"].to_numpy(float)[:, None], case.n_steps, axis=1)
    for i, sid in enumerate(sites.index):
        if sid in case.pue.columns:
            out[i] = case.pue[sid].to_numpy(float)
    return out


def it_upper_bound(case) -> np.ndarray:
    """M_d: max_it_mw, or (when unlimited) the largest IT load the demand could ever ask for."""
    from .compute import demand_matrix

    dem = demand_matrix(case)
    flex = case.workloads["flexible_share"].reindex(case.compute_demand["class"]).to_numpy()
    win = case.workloads["window_hours"].reindex(case.compute_demand["class"]).to_numpy()
    peak = dem.max(axis=1) if dem.size else np.zeros(0)
    total = float(np.sum(peak * (1.0 + np.nan_to_num(flex) * np.nan_to_num(win))))
    total = max(total, 1.0) + case.sites["existing_it_mw"].to_numpy(float)
    module = case.sites["module_mw"].to_numpy(float)
    # room for whole modules and for the minimum size, never above max_it_mw
    total = np.where(np.isfinite(module), np.ceil(total / module) * module, total)
    total = np.maximum(total, case.sites["min_it_mw"].to_numpy(float))
    return np.minimum(case.sites["max_it_mw"].to_numpy(float), total)


def add_components(ctx: BuildContext) -> None:
    case, lp = ctx.case, ctx.lp
    sites = case.sites
    n_d, n_t = len(sites), ctx.n_steps
    if n_d == 0:
        return
    existing = sites["existing_it_mw"].to_numpy(float)
    big_m = it_upper_bound(case)
    min_it = sites["min_it_mw"].to_numpy(float)
    module = sites["module_mw"].to_numpy(float)

    built = lp.add_variables("dc_built", sites.index, np.where(existing > 0, 1.0, 0.0), 1.0,
                             integer=True)
    it_new = lp.add_variables("dc_it_new_mw", sites.index, 0.0,
                              np.maximum(big_m - existing, 0.0))
    all_d = np.arange(n_d)
    lp.add_constraints("dc_min_it", sites.index,
                       [Term(it_new, all_d, 1.0), Term(built, all_d, -min_it)], ">=", -existing)
    lp.add_constraints("dc_max_it", sites.index,
                       [Term(it_new, all_d, 1.0), Term(built, all_d, -big_m)], "<=", -existing)
    mod = np.flatnonzero(np.isfinite(module))
    if len(mod):
        n_max = np.floor(big_m[mod] / module[mod] + 1e-9)
        modules = lp.add_variables("dc_modules", sites.index[mod], 0.0, n_max, integer=True)
        lp.add_constraints("dc_module_size", sites.index[mod],
                           [Term(it_new, mod, 1.0),
                            Term(modules, np.arange(len(mod)), -module[mod])],
                           "==", -existing[mod])

    crf = capital_recovery_factor(case.discount_rate, sites["lifetime_years"].to_numpy(float))
    lp.add_cost("capex_datacentres", it_new, None,
                crf * 1000.0 * sites["capex_per_kw_it"].to_numpy(float))
    lp.add_cost("fixed_om_datacentres", it_new, None,
                1000.0 * sites["fixed_om_per_kw_it_year"].to_numpy(float))
    lp.add_cost("capex_datacentres", built, None,
                np.where(existing > 0, 0.0, crf * sites["fixed_cost"].to_numpy(float)))

    # grid connection between host region and site (both directions)
    limit = np.repeat(sites["grid_limit_mw"].to_numpy(float), n_t)
    idx = grid_index(sites.index, n_t, ("site", "step"))
    grid = lp.add_variables("dc_grid_mw", idx, -limit, limit)
    pos = np.arange(n_d * n_t)
    step = np.tile(np.arange(n_t), n_d)
    ctx.inject(grid, pos, np.repeat(ctx.node_pos(sites.index), n_t), step, 1.0)
    ctx.inject(grid, pos, np.repeat(ctx.node_pos(sites["region"]), n_t), step, -1.0)

    # idle power of installed IT: −PUE·idle·IT at the site node every step
    pue = pue_matrix(case)
    idle = sites["idle_share"].to_numpy(float)
    site_node = np.repeat(ctx.node_pos(sites.index), n_t)
    # IT_d = existing + new: the existing part is a constant withdrawal, moved to the load side
    ctx.inject(it_new, np.repeat(all_d, n_t), site_node, step, -(pue * idle[:, None]).ravel())
    ctx.add_fixed_load(ctx.node_pos(sites.index), pue * (idle * existing)[:, None])
    ctx.info["dc_pue"] = pue
    ctx.info["dc_big_m"] = big_m


def results(ctx: BuildContext, x: np.ndarray, duals: np.ndarray | None) -> dict:
    case, lp = ctx.case, ctx.lp
    sites = case.sites
    if len(sites) == 0:
        return {}
    n_d, n_t = len(sites), ctx.n_steps
    w = ctx.weights
    it_mw = sites["existing_it_mw"].to_numpy(float) + lp.values(x, "dc_it_new_mw").to_numpy()
    # a "built" site without IT capacity is a free tie (no fixed cost): report it unbuilt
    built = np.round(lp.values(x, "dc_built").to_numpy()) * (it_mw > 1e-6)
    served = ctx.info.get("dc_served_by_site")
    served = np.zeros((n_d, n_t)) if served is None else served(x)
    pue = ctx.info["dc_pue"]
    idle = sites["idle_share"].to_numpy(float)
    power = pue * (idle[:, None] * it_mw[:, None] + (1 - idle)[:, None] * served)
    energy = power @ w
    it_energy = served @ w
    grid = lp.values(x, "dc_grid_mw").to_numpy().reshape(n_d, n_t)
    table = pd.DataFrame({
        "site": sites.index, "name": sites["name"].to_numpy(), "region": sites["region"],
        "group": sites["group"].to_numpy(), "built": built.astype(int), "it_mw": it_mw,
        "it_energy_mwh_per_year": it_energy, "power_mwh_per_year": energy,
        "peak_power_mw": power.max(axis=1) if n_t else 0.0,
        "grid_import_mwh_per_year": np.clip(grid, 0, None) @ w,
        "pue_mean": pue.mean(axis=1), "utilisation": np.divide(
            served.mean(axis=1), it_mw, out=np.zeros(n_d), where=it_mw > 0),
        "lon": sites["lon"].to_numpy(), "lat": sites["lat"].to_numpy(),
    }).reset_index(drop=True)
    if duals is not None:
        bal = lp.duals(duals, "power_balance").to_numpy().reshape(-1, n_t)
        price = bal[ctx.node_pos(sites.index)] / w[None, :]
        cost = (price * power) @ w
        table["power_cost_per_year"] = cost
        table["power_cost_per_mwh_it"] = np.divide(cost, it_energy, out=np.full(n_d, np.nan),
                                                   where=it_energy > 1e-9)
    return {"sites": table, "site_power": pd.DataFrame(power.T, columns=sites.index)}
