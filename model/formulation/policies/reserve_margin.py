"""Planning reserve margin: firm capacity covers peak demand plus a margin, per region group.

Key: ``policies.reserve_margin``: ``{share: m, groups: …}`` or just the number m.
``groups`` is ``regions`` (default: the ``group`` column of regions.geojson; a region with an
empty group is a group of its own), ``each`` (every region alone), ``system`` (one group) or a
mapping ``{name: [region ids]}`` (regions not listed are not constrained).

For every group G (regions R_G, and the sites hosted in them D_G), constraint
``reserve_margin[G]``:

    Σ_{g at nodes of G} cc_g · (existing_mw_g + gen_new_mw[g])
        + Σ_{s at nodes of G} cc_s · sto_firm_mw[s]
        ≥ (1 + m) · ( max_t Σ_{r∈R_G} load[r,t]  +  Σ_{d∈D_G} pf_d · IT_d )

with cc the capacity credit (``capacity_credit`` in technologies.csv; default 1 for
generators without a profile, 0 for variable generators and storage). Storage is firm only
for the power it can hold for ``firm_duration_hours`` (default 4):
sto_firm_mw[s] ≤ existing_mw_s + sto_new_mw[s] and
firm_duration_hours_s · sto_firm_mw[s] ≤ existing_mwh_s + sto_new_mwh[s]
(:func:`model.policies._common.storage_firm`): a battery with no energy is not firm.
pf_d = max_t PUE[d,t] and
IT_d = existing_it_mw_d + dc_it_new_mw[d]: data-centre peak is IT capacity at full use.
The base-load peak is coincident within the group and taken over the full time series (also
when the model runs on representative days); corridors and imports do not count as firm
capacity. The dual μ_G ≥ 0 is the capacity price per MW-year in G.

Report per group: firm MW (existing + new, storage backed by energy), peak MW, required MW,
binding, price.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.formulation.context import BuildContext
from model.formulation.lp import Term
from model.formulation.policies import _common as c
from model.inputs.derived import generator_units, pue_matrix, storage_units

KEY = "reserve_margin"
ROW = "reserve_margin"


def _spec(value) -> tuple:
    if isinstance(value, dict):
        return value.get("share"), value.get("groups")
    return value, None


def validate(case, value) -> list:
    if isinstance(value, dict):
        problems = c.check_mapping(KEY, value, {"groups"}, {"share"})
        if problems:
            return problems
    share, groups = _spec(value)
    problems = c.check_number(KEY, share, lo=0.0, what="reserve margin share")
    problems += c.region_groups(case, KEY, groups)[1]
    return problems or _reachable(case, float(share), groups)


def _reachable(case, share: float, groups) -> list:
    """Groups whose firm capacity can never reach the margin, even without data centres."""

    gmap, _ = c.region_groups(case, KEY, groups)
    region_of = c.node_region(case)
    load = c.full_time(case).load
    most = {g: 0.0 for g in gmap}
    group_of = {r: g for g, members in gmap.items() for r in members}
    for units in (generator_units(case), storage_units(case)):
        if not len(units):
            continue
        cc = c.capacity_credit(case, units)
        mw = units["existing_mw"].to_numpy(float) + units["max_new_mw"].to_numpy(float)
        if (units["kind"] == "storage").all():  # firm only as long as the energy lasts
            mwh = units["existing_mwh"].to_numpy(float) + units["max_new_mwh"].to_numpy(float)
            mw = np.minimum(mw, mwh / units["firm_duration_hours"].to_numpy(float))
        for r, v in zip(region_of.reindex(units["node"]).to_numpy(),
                        np.where(cc > 0, cc * mw, 0.0), strict=True):
            if group_of.get(r) is not None:
                most[group_of[r]] += v
    problems = []
    pue = pue_matrix(c.full_time(case))
    pf = pue.max(axis=1) if pue.shape[1] else case.sites["pue"].to_numpy(float)
    for g, members in gmap.items():
        cols = [r for r in members if r in load.columns]
        peak = float(load[cols].sum(axis=1).max()) if cols and len(load) else 0.0
        hosted = case.sites["region"].isin(members).to_numpy()
        peak += float((pf * case.sites["existing_it_mw"].to_numpy(float))[hosted].sum())
        need = (1.0 + share) * peak
        if most[g] < need * (1 - 1e-9):
            problems.append(c.problem(
                KEY, f"group '{g}' can have at most {most[g]:,.0f} MW of firm capacity "
                     f"(capacity_credit × (existing_mw + max_new_mw)) but needs "
                     f"(1 + {share:g}) × peak load = {need:,.0f} MW",
                hint="allow new firm capacity in resources.csv, give storage or variable "
                     "techs a capacity_credit in technologies.csv, or group regions "
                     "(groups: system or a mapping)"))
    return problems


def _setup(ctx: BuildContext, value):
    """Groups with their rows: (names, row_of_region, peak base load, site rows)."""
    share, groups = _spec(value)
    gmap, problems = c.region_groups(ctx.case, KEY, groups)
    c.raise_problems(problems)
    names = [g for g, members in gmap.items() if members]
    row_of = {r: i for i, g in enumerate(names) for r in gmap[g]}
    load = c.full_time(ctx.case).load
    peak = np.zeros(len(names))
    for i, g in enumerate(names):
        cols = [r for r in gmap[g] if r in load.columns]
        peak[i] = float(load[cols].sum(axis=1).max()) if cols and len(load) else 0.0
    sites = ctx.case.sites
    site_row = np.array([row_of.get(r, -1) for r in sites["region"].astype(str)], np.int64)
    return float(share), names, row_of, peak, site_row


def add_components(ctx: BuildContext, value) -> None:
    share, names, row_of, peak, site_row = _setup(ctx, value)
    if not names:
        return
    k = 1.0 + share
    pf = c.site_peak_factor(ctx) if len(ctx.case.sites) else np.zeros(0)
    existing_it = np.zeros(len(names))
    firm_terms, existing_firm = c.firm_capacity_terms_cached(ctx, row_of)
    terms = list(firm_terms)
    if len(ctx.case.sites):
        sel = np.flatnonzero(site_row >= 0)
        np.add.at(existing_it, site_row[sel],
                  pf[sel] * ctx.case.sites["existing_it_mw"].to_numpy(float)[sel])
        if c.has_sites(ctx) and len(sel):
            terms.append(Term(c.sites(ctx).it_new_mw, sel, -k * pf[sel],
                              site_row[sel]))
    rhs = k * (peak + existing_it) - existing_firm
    ctx.lp.add_constraints(ROW, pd.Index(names, name="group"), terms, ">=", rhs)


def report(ctx: BuildContext, value, x, duals) -> dict:
    share, names, row_of, peak, site_row = _setup(ctx, value)
    firm = c.firm_capacity_value(ctx, x, row_of)
    dc_peak = np.zeros(len(names))
    if len(ctx.case.sites):
        it = ctx.case.sites["existing_it_mw"].to_numpy(float)
        if c.has_sites(ctx):
            it = it + c.sites(ctx).it_new_mw.value(x)
        sel = site_row >= 0
        np.add.at(dc_peak, site_row[sel], (c.site_peak_factor(ctx) * it)[sel])
    required = (1.0 + share) * (peak + dc_peak)
    dual = c.row_duals(ctx, duals, ROW)
    price = c.shadow_price(dual, ">=") if dual is not None else None
    binding = c.is_binding(firm, required, price)
    groups = {
        g: {"firm_mw": float(firm[i]), "peak_load_mw": float(peak[i]),
            "dc_peak_mw": float(dc_peak[i]), "required_mw": float(required[i]),
            "binding": bool(binding[i]),
            "price_per_mw_year": None if price is None else float(price[i])}
        for i, g in enumerate(names)}
    return {"share": share, "binding": bool(np.any(binding)), "groups": groups}
