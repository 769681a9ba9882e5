"""Bring your own generation: new firm capacity dedicated to the data centres, per region.

Key: ``policies.firm_per_dc_mw`` (MW of firm capacity per MW of new data-centre peak power,
≥ 0; e.g. 1.0 = every new MW of data-centre load brings one firm MW).

New data-centre peak power of site d is pf_d · dc_it_new_mw[d] with pf_d = max_t PUE[d,t] (IT
capacity at full use). The firm capacity must be **dedicated** to the data centres and
**additional** (:mod:`model.policies.dedicated`): the part of a unit's new capacity above what
a reference run without data centres builds of it. Firm capacity is capacity-credit weighted
(``capacity_credit`` in technologies.csv; by default 1 for generators without a profile, 0 for
variable generators and storage), and dedicated storage counts only for the power its
dedicated energy can hold for ``firm_duration_hours``. For every region r that hosts a
candidate site, constraint ``byog_firm[r]``:

    Σ_{g in r} cc_g · ded_gen_new_mw[g] + Σ_{s in r} cc_s · ded_sto_firm_mw[s]
        ≥ k · Σ_{d in r} pf_d · dc_it_new_mw[d]

where "g in r" means generators at the region's node or at a site hosted in r (same for
storage s). Existing capacity, existing IT, capacity the grid would build anyway and
corridors do not count. The dual μ_r ≥ 0 is the cost per year of one more firm MW required
in r.

Report: per region the new DC peak, the required and the dedicated firm MW, binding, price;
the totals, and the dedicated new MW of each unit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.formulation.context import BuildContext
from model.formulation.lp import Term
from model.formulation.policies import _common as c
from model.formulation.policies import dedicated

KEY = "firm_per_dc_mw"
ROW = "byog_firm"


def validate(case, value) -> list:
    return c.check_number(KEY, value, lo=0.0, what="firm MW per new data-centre MW")


def _regions(ctx: BuildContext) -> list[str]:
    """Host regions of sites that can add IT capacity (in order of regions.geojson)."""
    dc = c.sites(ctx)
    if dc is None:
        return []
    hosts = set(ctx.case.sites["region"].astype(str).to_numpy()[dc.it_new_mw.ub > 0])
    return [r for r in ctx.case.regions.index if r in hosts]


def add_components(ctx: BuildContext, value: float) -> None:
    k = float(value)
    regions = _regions(ctx)
    if k <= 0 or not regions:
        return
    row_of = {r: i for i, r in enumerate(regions)}
    sites = ctx.case.sites
    site_row = np.array([row_of.get(r, -1) for r in sites["region"].astype(str)], np.int64)
    sel = np.flatnonzero(site_row >= 0)
    terms = list(dedicated.firm_terms_cached(ctx, row_of))
    terms.append(Term(c.sites(ctx).it_new_mw, sel,
                      -k * c.site_peak_factor(ctx)[sel], site_row[sel]))
    ctx.lp.add_constraints(ROW, pd.Index(regions, name="region"), terms, ">=", 0.0)


def report(ctx: BuildContext, value: float, x, duals) -> dict:
    regions = _regions(ctx)
    if not regions:
        return {"firm_per_dc_mw": float(value), "binding": False, "regions": {}}
    sites = ctx.case.sites
    it_new = c.sites(ctx).it_new_mw.value(x)
    peak = c.site_peak_factor(ctx) * it_new
    dc_peak = np.array([peak[(sites["region"] == r).to_numpy()].sum() for r in regions])
    firm, units = dedicated.firm_value(ctx, x, {r: i for i, r in enumerate(regions)},
                                       len(regions))
    required = float(value) * dc_peak
    dual = c.row_duals(ctx, duals, ROW)
    price = c.shadow_price(dual, ">=") if dual is not None else None
    active = ROW in ctx.lp.constraints
    binding = (c.is_binding(firm, required, price) & (required > 0)) if active else \
        np.zeros(len(regions), bool)
    per_region = {
        r: {"new_dc_peak_mw": float(dc_peak[i]), "required_firm_mw": float(required[i]),
            "firm_new_mw": float(firm[i]), "binding": bool(binding[i]),
            "price_per_mw_year": None if price is None else float(price[i])}
        for i, r in enumerate(regions)}
    return {"firm_per_dc_mw": float(value), "binding": bool(np.any(binding)),
            "required_firm_mw": float(required.sum()), "firm_new_mw": float(firm.sum()),
            "dedicated_new_mw": units, "regions": per_region}
