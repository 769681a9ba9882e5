"""24/7 carbon-free energy: every hour, data-centre load is matched by dedicated, additional
clean supply.

Key: ``policies.cfe_247``: ``{share: s, scope: …, groups: {name: [region ids]}, sites: [ids],
additionality: reference | none}`` or just the number s (scope ``region``).

* ``share`` s ∈ [0, 1]: the matched fraction of each data centre's power in every hour
  (0 adds nothing to the model; 1 asks for full hourly coverage).
* ``scope``: where a data centre may procure its supply —
  ``site`` (resources at the site's own node only), ``region`` (default: its host region's node
  and every site node of that region), ``group`` (the regions sharing the host region's
  ``group`` label in regions.geojson; a region without a label is alone) or ``groups`` (the
  named groups of regions given in ``groups``; regions not listed are alone).
* ``sites``: the data centres that take part (default: all).
* ``additionality``: ``reference`` (default) — only capacity beyond what the grid builds
  without the data centres counts; ``none`` — any new capacity, exclusively contracted.

Procurement follows the 24/7 literature (Riepin & Brown 2024; Xu et al. 2024): the data
centres of a pool G contract the **dedicated** part of new clean generators and new storage
at the pool's nodes (:mod:`model.policies.dedicated`): exclusive (pools partition the nodes,
so each MWh is matched once) and **additional** (above a reference run without data
centres). Matched supply of the pool in hour t:

    S[G,t] = Σ_{g clean in G} m[g,t] + Σ_{s in G} (d[s,t] − c[s,t])

with m[g,t] ≤ gen_mw[g,t] and m[g,t] ≤ cf[g,t] · ded_gen_new_mw[g] (dispatched output of the
dedicated capacity; curtailed output does not count), and (c, d, e) a sub-account of the
storage unit's charge, discharge and energy limited by its dedicated power and energy
(charging from matched supply only). Constraint ``cfe_247[G,t]``:

    S[G,t] ≥ s · Σ_{d∈D_G} P[d,t],   P[d,t] = PUE[d,t]·(idle_d·IT_d + (1 − idle_d)·Σ served)

Procured output is ordinary generation in the node balance: what the data centres do not use
in an hour is sold to the grid. Matching is hourly: time steps must be whole hours, so a run
on segmented representative days is refused (a segment's average hides the hours inside it).
The dual μ[G,t] ≥ 0 is the value of clean supply in that hour; Σ_t μ·s·P is the premium the
pool pays for matching.

Report per pool: sites, dedicated new clean MW and storage, CFE score Σ_t w·min(S, P) / Σ_t w·P,
the lowest hourly coverage S/P, hours at the constraint, premium per year and per MWh of
data-centre power.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.formulation.context import BuildContext
from model.formulation.lp import grid_index, grid_positions
from model.formulation.policies import _common as c
from model.formulation.policies import dedicated

KEY = "cfe_247"
ROW = "cfe_247"
SCOPES = ("site", "region", "group", "groups")


ADDITIONALITY = ("reference", "none")


def _spec(value) -> dict:
    if isinstance(value, dict):
        return {"share": value.get("share"), "scope": value.get("scope", "region"),
                "groups": value.get("groups"), "sites": value.get("sites"),
                "additionality": value.get("additionality", "reference")}
    return {"share": value, "scope": "region", "groups": None, "sites": None,
            "additionality": "reference"}


def needs_reference(case, value) -> bool:
    """True when the lever is on and asks for additionality against a reference run."""
    spec = _spec(value)
    return (c.is_number(spec["share"]) and float(spec["share"]) > 0
            and spec["additionality"] == "reference" and len(case.sites) > 0)


def validate(case, value) -> list:
    problems = []
    if isinstance(value, dict):
        problems = c.check_mapping(KEY, value, {"scope", "groups", "sites", "additionality"},
                                   {"share"})
        if problems:
            return problems
    spec = _spec(value)
    problems += c.check_number(KEY, spec["share"], lo=0.0, hi=1.0, what="share")
    if spec["scope"] not in SCOPES:
        problems.append(c.problem(KEY, f"unknown scope {spec['scope']!r}",
                                  hint=f"use one of {', '.join(SCOPES)}"))
    if spec["scope"] == "groups":
        if not isinstance(spec["groups"], dict):
            problems.append(c.problem(KEY, "scope 'groups' needs 'groups: {name: [region "
                                           "ids]}'"))
        else:
            problems += c.region_groups(case, KEY, spec["groups"])[1]
    elif spec["groups"] is not None:
        problems.append(c.problem(KEY, "'groups' is only used with scope: groups",
                                  hint="add 'scope: groups' or drop 'groups'"))
    if spec["sites"] is not None:
        problems += c.check_ids(KEY, spec["sites"], case.sites.index, "site")
    if spec["additionality"] not in ADDITIONALITY:
        problems.append(c.problem(KEY, f"unknown additionality {spec['additionality']!r}",
                                  hint="use 'reference' (default) or 'none'"))
    return problems


def pools(case, value) -> tuple[list[str], pd.Series, np.ndarray]:
    """Pool names, pool of every node (name or None) and participation of every site."""
    spec = _spec(value)
    nodes = case.nodes
    region_of = c.node_region(case)
    scope = spec["scope"]
    if scope == "site":
        pool = pd.Series([n if k == "site" else None for n, k in nodes["kind"].items()],
                         index=nodes.index, dtype=object)
    else:
        if scope == "region":
            of_region = {r: r for r in case.regions.index}
        else:
            gmap, _ = c.region_groups(case, KEY, "regions" if scope == "group"
                                      else spec["groups"])
            of_region = {r: g for g, members in gmap.items() for r in members}
            for r in case.regions.index:  # regions not listed are alone
                of_region.setdefault(r, r)
        pool = region_of.map(of_region).astype(object)
    sites = case.sites
    takes_part = np.ones(len(sites), bool) if spec["sites"] is None else \
        sites.index.isin([str(s) for s in spec["sites"]])
    names = []
    for p in pool.reindex(sites.index).to_numpy()[takes_part]:
        if p not in names:
            names.append(p)
    return names, pool, takes_part


def add_components(ctx: BuildContext, value) -> None:
    share = float(_spec(value)["share"])
    if share <= 0 or not c.has_sites(ctx):
        return
    names, pool, takes_part = pools(ctx.case, value)
    if not names:
        return
    n_t = ctx.n_steps
    row_of = {p: i for i, p in enumerate(names)}
    terms, used = dedicated.matched_supply_terms(ctx, pool, row_of)
    c.state(ctx).cache["cfe_247_units"] = used
    site_pool = pool.reindex(ctx.case.sites.index).to_numpy()
    site_row = np.array([row_of[p] if t else -1 for p, t in zip(site_pool, takes_part,
                                                                 strict=True)], np.int64)
    rows = np.where(site_row[:, None] >= 0, grid_positions(np.maximum(site_row, 0), n_t), -1)
    terms += c.site_power_terms(ctx, rows, -share)
    const = np.zeros(len(names) * n_t)
    sel = np.flatnonzero(site_row >= 0)
    np.add.at(const, rows[sel].ravel(), c.site_power_constant(ctx)[sel].ravel())
    ctx.lp.add_constraints(ROW, grid_index(pd.Index(names, name="pool"), n_t,
                                           ("pool", "step")),
                           terms, ">=", share * const)


def report(ctx: BuildContext, value, x, duals) -> dict:
    share = float(_spec(value)["share"])
    if ROW not in ctx.lp.constraints:
        return {"share": share, "binding": False, "pools": {}}
    names, pool, takes_part = pools(ctx.case, value)
    n_t, w = ctx.n_steps, ctx.weights
    sites = ctx.case.sites
    site_pool = pool.reindex(sites.index).to_numpy()
    power = c.site_power_value(ctx, x)
    demand = np.zeros((len(names), n_t))
    members: dict[str, list[str]] = {p: [] for p in names}
    for i, (p, t) in enumerate(zip(site_pool, takes_part, strict=True)):
        if t:
            demand[names.index(p)] += power[i]
            members[p].append(sites.index[i])
    const = np.zeros((len(names), n_t))
    for i, (p, t) in enumerate(zip(site_pool, takes_part, strict=True)):
        if t:
            const[names.index(p)] += c.site_power_constant(ctx)[i]
    act = c.row_activity(ctx, x, ROW).reshape(len(names), n_t)
    supply = act + share * (demand - const)
    dual = c.row_duals(ctx, duals, ROW)
    mu = c.shadow_price(dual, ">=").reshape(len(names), n_t) if dual is not None else None
    at_row = c.is_binding(act, share * const) & (demand > 1e-9)
    used = c.state(ctx).cache.get("cfe_247_units", {})
    gen, sto = c.generators(ctx), c.storage_units(ctx)
    out = {}
    for i, p in enumerate(names):
        e = float(demand[i] @ w)
        matched = float(np.minimum(supply[i], demand[i]) @ w)
        pos = demand[i] > 1e-9
        gen_units = [u for u in used.get("gen", []) if pool.get(gen["node"].iloc[u]) == p]
        sto_units = [u for u in used.get("sto", []) if pool.get(sto["node"].iloc[u]) == p]
        premium = None if mu is None else float(mu[i] @ (share * demand[i]))
        out[str(p)] = {
            "sites": members[p],
            "dc_energy_mwh": e,
            "dedicated_new_mw": dedicated.dedicated_new(ctx, x, gen_units, "gen"),
            "dedicated_storage": dedicated.dedicated_new(ctx, x, sto_units, "sto"),
            "cfe_score": matched / e if e > 0 else None,
            "min_hourly_coverage": float((supply[i][pos] / demand[i][pos]).min())
            if pos.any() else None,
            "hours_at_constraint": int(at_row[i].sum()),
            "premium_per_year": premium,
            "premium_per_mwh": premium / e if premium is not None and e > 0 else None,
        }
    return {"share": share, "scope": _spec(value)["scope"],
            "binding": bool(at_row.any()), "pools": out}
