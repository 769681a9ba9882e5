"""Capacity dedicated to the data centres: contracted to them, matched once, additional.

Used by ``cfe_247`` (24/7 carbon-free energy) and ``firm_per_dc_mw`` (bring your own
generation). Both ask the data centres to procure new capacity of their own, as the 24/7
procurement literature models it (Riepin & Brown, "On the means, costs, and system-level
impacts of 24/7 carbon-free energy procurement", Energy Strategy Reviews 2024; Xu et al.,
"System-level impacts of voluntary carbon-free electricity procurement strategies", Joule
2024): resources contracted to the buyer, each MWh counted for one buyer only, and new
capacity beyond what the grid would have built anyway.

**Dedicated part of a unit.** For every expandable generator or storage unit u at a node in a
region that hosts a data-centre site, the new capacity splits into a grid part and a part
dedicated to the data centres:

    gen_new_mw[u] − ded_gen_new_mw[u] ≥ F_u                     (generators)
    sto_new_mw[s] − ded_sto_new_mw[s] ≥ F_s,   sto_new_mwh[s] − ded_sto_new_mwh[s] ≥ E_s

with all dedicated variables ≥ 0. Units belong to one node and pools partition nodes, so a
dedicated MW (and each MWh it produces) is counted for one pool of data centres only.

**Additionality.** F_u, F_s, E_s are what the grid builds of unit u without the data centres:
the new capacity of a reference run of the same case with no sites, demand centres or compute
(and none of the data-centre levers), solved first (:func:`reference_case`; the run folder
reports it). Capacity the grid would build for its other customers can therefore not be
claimed; only capacity on top of it can. With ``additionality: none`` (cfe_247 only) the
floors are 0: exclusivity without additionality.

**Firm dedicated capacity** (BYOG): Σ cc_u · ded_gen_new_mw[u] + Σ cc_s · ded_firm_mw[s], with
ded_firm_mw[s] ≤ ded_sto_new_mw[s] and firm_duration_hours_s · ded_firm_mw[s] ≤
ded_sto_new_mwh[s]: dedicated storage is firm only for the power it can hold for
``firm_duration_hours``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from model.formulation.context import BuildContext
from model.formulation.lp import Term, VarBlock, grid_positions
from model.formulation.policies import _common as c

# levers that only make sense with data centres; the reference run drops them
DATA_CENTRE_LEVERS = ("cfe_247", "firm_per_dc_mw", "allowed_sites", "forbidden_sites",
                      "min_share_in_group", "max_new_load_mw")


@dataclass
class Dedicated:
    """The dedicated part of the eligible units (positions in the unit tables)."""

    gen_units: np.ndarray
    gen_new: VarBlock | None
    sto_units: np.ndarray
    sto_new_mw: VarBlock | None
    sto_new_mwh: VarBlock | None


def reference_case(case):
    """The case without data centres: no sites (nor their on-site resources and
    connections), no demand centres, no compute demand, no data-centre levers."""
    sites = set(case.sites.index)
    res = case.resources[~case.resources["node"].isin(sites)].reset_index(drop=True)
    cor = case.corridors
    cor = cor[~(cor["from"].isin(sites) | cor["to"].isin(sites))].reset_index(drop=True)
    keep = [col for col in case.profiles.columns if col.split(":", 1)[0] not in sites]
    policies = {k: v for k, v in case.policies.items() if k not in DATA_CENTRE_LEVERS}
    empty_sites = case.sites.iloc[0:0]
    empty_centres = gpd.GeoDataFrame(case.demand_centres.iloc[0:0])
    full = getattr(case, "full_time_case", None)
    out = dataclasses.replace(
        case, resources=res, corridors=cor, profiles=case.profiles[keep],
        sites=empty_sites, demand_centres=empty_centres,
        compute_demand=case.compute_demand.iloc[0:0], pue=case.pue.iloc[:, 0:0],
        policies=policies, full_time_case=None if full is None else reference_case(full))
    out.reduction = case.reduction
    return out


def floors_from(units: pd.DataFrame, values: pd.Series | None) -> np.ndarray:
    """Reference new capacity of each unit (by its node:tech label), 0 where absent."""
    if values is None or not len(units):
        return np.zeros(len(units))
    return values.reindex(units.index).fillna(0.0).to_numpy(float)


def _eligible(ctx: BuildContext, units: pd.DataFrame, new: VarBlock | None) -> np.ndarray:
    """Expandable units at nodes of regions that host a data-centre site."""
    if not len(units) or new is None or not len(ctx.case.sites):
        return np.zeros(0, dtype=np.int64)
    hosts = set(ctx.case.sites["region"].astype(str))
    region = c.node_region(ctx.case).reindex(units["node"]).to_numpy()
    ok = np.isin(region, list(hosts)) & (new.ub > 0)
    return np.flatnonzero(ok)


def portfolio(ctx: BuildContext) -> Dedicated:
    """The dedicated variables and additionality rows (built once, shared by the levers)."""
    st = c.state(ctx)
    if st.dedicated is not None:
        return st.dedicated
    lp = ctx.lp
    floors = ctx.additionality_floors or {}
    gb, sb = c.generation(ctx), c.storage(ctx)
    gen, sto = c.generators(ctx), c.storage_units(ctx)
    g = _eligible(ctx, gen, gb.new_mw if gb else None)
    s = _eligible(ctx, sto, sb.new_mw if sb else None)
    out = Dedicated(g, None, s, None, None)
    if len(g):
        out.gen_new = _split(lp, gb.new_mw, "ded_gen_new_mw", gen.index, g,
                             floors_from(gen, floors.get("gen_new_mw"))[g])
    if len(s):
        out.sto_new_mw = _split(lp, sb.new_mw, "ded_sto_new_mw", sto.index, s,
                                floors_from(sto, floors.get("sto_new_mw"))[s])
        out.sto_new_mwh = _split(lp, sb.new_mwh, "ded_sto_new_mwh", sto.index, s,
                                 floors_from(sto, floors.get("sto_new_mwh"))[s])
    st.dedicated = out
    return out


def _split(lp, total_var: VarBlock, name: str, index: pd.Index, pos: np.ndarray,
           floor: np.ndarray) -> VarBlock:
    """ded[k] ≥ 0 with total[pos[k]] − ded[k] ≥ floor[k]."""
    ded = lp.add_variables(name, index[pos], 0.0, total_var.ub[pos])
    k = np.arange(len(pos))
    lp.add_constraints(f"{name}_additional", index[pos],
                       [Term(total_var, pos, 1.0), Term(ded, k, -1.0)], ">=", floor)
    return ded


def firm_terms(ctx: BuildContext, row_of_region: dict[str, int]) -> list[Term]:
    """Σ cc · dedicated firm MW on the row of each unit's region (storage backed by energy)."""
    d = portfolio(ctx)
    terms: list[Term] = []
    gen, sto = c.generators(ctx), c.storage_units(ctx)
    if d.gen_new is not None:
        cc = c.capacity_credit(ctx.case, gen)[d.gen_units]
        row = c.unit_rows(ctx, gen.iloc[d.gen_units], row_of_region)
        sel = np.flatnonzero((row >= 0) & (cc > 0))
        if len(sel):
            terms.append(Term(d.gen_new, sel, cc[sel], row[sel]))
    if d.sto_new_mw is not None:
        cc = c.capacity_credit(ctx.case, sto)[d.sto_units]
        row = c.unit_rows(ctx, sto.iloc[d.sto_units], row_of_region)
        sel = np.flatnonzero((row >= 0) & (cc > 0))
        if len(sel):
            firm = _dedicated_storage_firm(ctx, d, sel)
            terms.append(Term(firm, np.arange(len(sel)), cc[sel], row[sel]))
    return terms


def _dedicated_storage_firm(ctx: BuildContext, d: Dedicated, sel: np.ndarray) -> VarBlock:
    """ded_firm_mw ≤ dedicated power, firm_duration_hours · ded_firm_mw ≤ dedicated energy."""
    lp, cache = ctx.lp, c.state(ctx).cache
    if "ded_sto_firm_mw" in cache:
        return cache["ded_sto_firm_mw"]
    sto = c.storage_units(ctx)
    idx = sto.index[d.sto_units[sel]]
    firm = lp.add_variables("ded_sto_firm_mw", idx, 0.0)
    k = np.arange(len(sel))
    hours = sto["firm_duration_hours"].to_numpy(float)[d.sto_units[sel]]
    lp.add_constraints("ded_sto_firm_power", idx,
                       [Term(firm, k, 1.0), Term(d.sto_new_mw, sel, -1.0)], "<=", 0.0)
    lp.add_constraints("ded_sto_firm_energy", idx,
                       [Term(firm, k, hours), Term(d.sto_new_mwh, sel, -1.0)], "<=", 0.0)
    cache["ded_sto_firm_mw"] = firm
    return firm


def firm_value(ctx: BuildContext, x: np.ndarray, row_of_region: dict[str, int],
               n_rows: int) -> tuple[np.ndarray, dict[str, float]]:
    """Dedicated firm MW per row in a solution, and the dedicated MW of each unit."""
    out = np.zeros(n_rows)
    units: dict[str, float] = {}
    for term in firm_terms_cached(ctx, row_of_region):
        vals = x[term.var.cols(term.pos)]
        np.add.at(out, term.rows, term.coef * vals)
        for label, v in zip(term.var.index[term.pos], vals, strict=True):
            if v > 1e-6:
                units[str(label)] = float(v)
    return out, units


def firm_terms_cached(ctx: BuildContext, row_of_region: dict[str, int]) -> list[Term]:
    key = ("dedicated_firm_terms", tuple(sorted(row_of_region.items())))
    cache = c.state(ctx).cache
    if key not in cache:
        cache[key] = firm_terms(ctx, row_of_region)
    return cache[key]


def matched_supply_terms(ctx: BuildContext, pool: pd.Series, row_of: dict) -> tuple[list[Term],
                                                                                    dict]:
    """Matched supply of each pool and step: output of the dedicated part of clean
    generators, net discharge of the dedicated part of storage (cfe_247).

        m[u,t] ≤ gen_mw[u,t],   m[u,t] ≤ cf[u,t] · ded_gen_new_mw[u]
        storage: a sub-account of the unit's flows and energy,
            c[s,t] ≤ charge[s,t],  d[s,t] ≤ discharge[s,t],  c, d ≤ ded_sto_new_mw[s]
            e[s,t] = e[s,prev(t)] + h_t·(η_c·c[s,t] − d[s,t]/η_d),  e ≤ ded_sto_new_mwh[s]
            e[s,t] ≤ soc[s,t]
        S[G,t] = Σ_{u∈G} m[u,t] + Σ_{s∈G} (d[s,t] − c[s,t])
    Returns the terms of S on rows (pool, step) and the units used per kind.
    """
    dp = portfolio(ctx)
    n_t = ctx.n_steps
    gen, sto = c.generators(ctx), c.storage_units(ctx)
    terms: list[Term] = []
    used = {"gen": np.zeros(0, np.int64), "sto": np.zeros(0, np.int64)}

    def pool_rows(units):
        p = pool.reindex(units["node"]).to_numpy()
        return np.array([row_of.get(v, -1) if v is not None else -1 for v in p], np.int64)

    if dp.gen_new is not None:
        row = pool_rows(gen.iloc[dp.gen_units])
        sel = np.flatnonzero((row >= 0) & gen["clean"].to_numpy(bool)[dp.gen_units])
        if len(sel):
            used["gen"] = dp.gen_units[sel]
            m = _matched_generation(ctx, dp, sel)
            terms.append(Term(m, np.arange(len(sel) * n_t), 1.0,
                              grid_positions(row[sel], n_t).ravel()))
    if dp.sto_new_mw is not None:
        row = pool_rows(sto.iloc[dp.sto_units])
        sel = np.flatnonzero(row >= 0)
        if len(sel):
            used["sto"] = dp.sto_units[sel]
            ch, dis = _matched_storage(ctx, dp, sel)
            rows = grid_positions(row[sel], n_t).ravel()
            k = np.arange(len(sel) * n_t)
            terms += [Term(dis, k, 1.0, rows), Term(ch, k, -1.0, rows)]
    return terms, used


def _matched_generation(ctx: BuildContext, dp: Dedicated, sel: np.ndarray) -> VarBlock:
    lp, n_t = ctx.lp, ctx.n_steps
    gen = c.generators(ctx)
    units = dp.gen_units[sel]
    m = lp.add_grid_variables("cfe_matched_gen_mw", gen.index[units], n_t, 0.0)
    idx, k = m.index, np.arange(m.size)
    output = c.generation(ctx).output_mw
    lp.add_constraints("cfe_matched_gen_output", idx,
                       [Term(m, k, 1.0), Term(output, output.at(units).ravel(), -1.0)],
                       "<=", 0.0)
    cf = c.availability(ctx)[units].ravel()
    lp.add_constraints("cfe_matched_gen_dedicated", idx,
                       [Term(m, k, 1.0), Term(dp.gen_new, np.repeat(sel, n_t), -cf)],
                       "<=", 0.0)
    return m


def _matched_storage(ctx: BuildContext, dp: Dedicated, sel: np.ndarray):
    """The dedicated sub-account of storage flows and energy (see matched_supply_terms)."""
    lp, n_t = ctx.lp, ctx.n_steps
    sto = c.storage_units(ctx)
    units = dp.sto_units[sel]
    sb = c.storage(ctx)
    ded_k = np.repeat(sel, n_t)
    flows = {}
    for name, total in (("charge", sb.charge_mw), ("discharge", sb.discharge_mw)):
        v = lp.add_grid_variables(f"cfe_matched_{name}_mw", sto.index[units], n_t, 0.0)
        idx, k = v.index, np.arange(v.size)
        unit_pos = total.at(units).ravel()
        lp.add_constraints(f"cfe_matched_{name}_within_unit", idx,
                           [Term(v, k, 1.0), Term(total, unit_pos, -1.0)],
                           "<=", 0.0)
        lp.add_constraints(f"cfe_matched_{name}_dedicated", idx,
                           [Term(v, k, 1.0), Term(dp.sto_new_mw, ded_k, -1.0)], "<=", 0.0)
        flows[name] = v
    energy = lp.add_grid_variables("cfe_matched_soc_mwh", sto.index[units], n_t, 0.0)
    lp.add_constraints("cfe_matched_energy_dedicated", idx,
                       [Term(energy, k, 1.0), Term(dp.sto_new_mwh, ded_k, -1.0)], "<=", 0.0)
    lp.add_constraints("cfe_matched_energy_within_unit", idx,
                       [Term(energy, k, 1.0), Term(sb.soc_mwh, sb.soc_mwh.at(units).ravel(),
                                                   -1.0)], "<=", 0.0)
    prev = ctx.previous_step()
    prev_k = energy.at(None, prev).ravel()
    hours = np.tile(ctx.case.hours, len(units))
    eta_c = np.repeat(sto["efficiency_charge"].to_numpy(float)[units], n_t) * hours
    eta_d = np.repeat(sto["efficiency_discharge"].to_numpy(float)[units], n_t) / hours
    lp.add_constraints("cfe_matched_energy_balance", idx,
                       [Term(energy, k, 1.0), Term(energy, prev_k, -1.0),
                        Term(flows["charge"], k, -eta_c),
                        Term(flows["discharge"], k, 1.0 / eta_d)], "==", 0.0)
    return flows["charge"], flows["discharge"]


def dedicated_new(ctx: BuildContext, x: np.ndarray, units: np.ndarray, kind: str
                  ) -> dict[str, float]:
    """Dedicated new MW (generators) or {mw, mwh} (storage) of the given unit positions."""
    dp = c.state(ctx).dedicated
    if dp is None:
        return {}
    out: dict = {}
    if kind == "gen" and dp.gen_new is not None:
        vals = ctx.lp.values(x, dp.gen_new)
        pos = {u: k for k, u in enumerate(dp.gen_units)}
        for u in units:
            v = float(vals.iat[pos[u]]) if u in pos else 0.0
            if v > 1e-6:
                out[str(vals.index[pos[u]])] = v
    if kind == "sto" and dp.sto_new_mw is not None:
        mw = ctx.lp.values(x, dp.sto_new_mw)
        mwh = ctx.lp.values(x, dp.sto_new_mwh)
        pos = {u: k for k, u in enumerate(dp.sto_units)}
        for u in units:
            if u in pos and (mw.iat[pos[u]] > 1e-6 or mwh.iat[pos[u]] > 1e-6):
                out[str(mw.index[pos[u]])] = {"mw": float(mw.iat[pos[u]]),
                                              "mwh": float(mwh.iat[pos[u]])}
    return out
