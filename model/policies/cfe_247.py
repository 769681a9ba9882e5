"""24/7 carbon-free energy: every hour, data-centre load is matched by additional clean supply.

Key: ``policies.cfe_247``: ``{share: s, scope: …, groups: {name: [region ids]}, sites: [ids]}``
or just the number s (scope ``region``).

* ``share`` s ∈ [0, 1]: the matched fraction of each data centre's power in every hour
  (0 adds nothing to the model; 1 asks for full hourly coverage).
* ``scope``: where a data centre may procure its supply —
  ``site`` (resources at the site's own node only), ``region`` (default: its host region's node
  and every site node of that region), ``group`` (the regions sharing the host region's
  ``group`` label in regions.geojson; a region without a label is alone) or ``groups`` (the
  named groups of regions given in ``groups``; regions not listed are alone).
* ``sites``: the data centres that take part (default: all).

Each scope is a pool G of nodes and of the participating sites D_G hosted there: the sites
share one portfolio of contracts and, within the hour, split its output among themselves.
Supply counts only **additional** (new) capacity: clean generators (``clean = true``) and
storage units of the pool that can be expanded (``max_new_mw > 0``).

Matched supply of the pool in step t:

    S[G,t] = Σ_{g new-only} gen_mw[g,t] + Σ_{g with existing} m[g,t]
           + Σ_{s new-only} (discharge[s,t] − charge[s,t]) + Σ_{s with existing} q[s,t]

where a unit without existing capacity counts in full (its output is that of new capacity) and
a unit that also has existing capacity counts only its new part:

    0 ≤ m[g,t] ≤ gen_mw[g,t],   m[g,t] ≤ cf[g,t] · gen_new_mw[g]
    q[s,t] ≤ discharge[s,t] − charge[s,t],   q[s,t] ≤ sto_new_mw[s]     (q free)

Storage charging counts against the match, so stored energy has to come from matched clean
output. Constraint ``cfe_247[G,t]``:

    S[G,t] ≥ s · Σ_{d∈D_G} P[d,t],   P[d,t] = PUE[d,t]·(idle_d·IT_d + (1 − idle_d)·Σ served)

Procured output is ordinary generation in the node balance: what the data centres do not use
in an hour is sold to the grid. Curtailed output does not count (the match uses dispatched
output, not availability). The dual μ[G,t] ≥ 0 is the value of clean supply in that hour;
Σ_t μ·s·P is the premium the pool pays for matching.

Report per pool: sites, new clean MW, CFE score Σ_t w·min(S, P) / Σ_t w·P, the lowest hourly
coverage S/P, hours at the constraint, premium per year and per MWh of data-centre power.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..context import BuildContext, grid_index
from ..lp import Term
from . import _common as c

KEY = "cfe_247"
ROW = "cfe_247"
SCOPES = ("site", "region", "group", "groups")


def _spec(value) -> dict:
    if isinstance(value, dict):
        return {"share": value.get("share"), "scope": value.get("scope", "region"),
                "groups": value.get("groups"), "sites": value.get("sites")}
    return {"share": value, "scope": "region", "groups": None, "sites": None}


def validate(case, value) -> list:
    problems = []
    if isinstance(value, dict):
        problems = c.check_mapping(KEY, value, {"scope", "groups", "sites"}, {"share"})
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


def _supply(ctx: BuildContext, pool: pd.Series, row_of: dict) -> tuple[list[Term], dict]:
    """Matched-supply terms on rows (pool, step), with the helper variables and rows."""
    lp, n_t = ctx.lp, ctx.n_steps
    steps = np.arange(n_t)
    terms: list[Term] = []
    used: dict = {"gen_full": np.zeros(0, int), "gen_part": np.zeros(0, int),
                  "sto_full": np.zeros(0, int), "sto_part": np.zeros(0, int)}

    def rows_of(units):
        p = pool.reindex(units["node"]).to_numpy()
        return np.array([row_of.get(v, -1) if v is not None else -1 for v in p], np.int64)

    gen = c.generators(ctx)
    if len(gen) and "gen_new_mw" in lp.variables:
        row = rows_of(gen)
        ok = (row >= 0) & gen["clean"].to_numpy(bool) & (lp.variables["gen_new_mw"].ub > 0)
        existing = gen["existing_mw"].to_numpy(float) > 0
        full = np.flatnonzero(ok & ~existing)
        part = np.flatnonzero(ok & existing)
        used["gen_full"], used["gen_part"] = full, part
        out = lp.variables["gen_mw"]
        if len(full):
            terms.append(Term(out, (full[:, None] * n_t + steps).ravel(), 1.0,
                              (row[full][:, None] * n_t + steps).ravel()))
        if len(part):
            idx = grid_index(gen.index[part], n_t, ("unit", "step"))
            m = lp.add_variables("cfe_matched_gen_mw", idx, 0.0)
            k = np.arange(len(part) * n_t)
            lp.add_constraints("cfe_matched_gen_output", idx,
                               [Term(m, k, 1.0),
                                Term(out, (part[:, None] * n_t + steps).ravel(), -1.0)],
                               "<=", 0.0)
            cf = c.availability(ctx)[part].ravel()
            lp.add_constraints("cfe_matched_gen_new", idx,
                               [Term(m, k, 1.0),
                                Term(lp.variables["gen_new_mw"], np.repeat(part, n_t), -cf)],
                               "<=", 0.0)
            terms.append(Term(m, k, 1.0, (row[part][:, None] * n_t + steps).ravel()))
    sto = c.storage_units(ctx)
    if len(sto) and "sto_new_mw" in lp.variables:
        row = rows_of(sto)
        ok = (row >= 0) & (lp.variables["sto_new_mw"].ub > 0)
        existing = (sto["existing_mw"].to_numpy(float) > 0) | (
            sto["existing_mwh"].to_numpy(float) > 0)
        full = np.flatnonzero(ok & ~existing)
        part = np.flatnonzero(ok & existing)
        used["sto_full"], used["sto_part"] = full, part
        dis, ch = lp.variables["sto_discharge_mw"], lp.variables["sto_charge_mw"]
        if len(full):
            pos = (full[:, None] * n_t + steps).ravel()
            rows = (row[full][:, None] * n_t + steps).ravel()
            terms += [Term(dis, pos, 1.0, rows), Term(ch, pos, -1.0, rows)]
        if len(part):
            idx = grid_index(sto.index[part], n_t, ("unit", "step"))
            q = lp.add_variables("cfe_matched_storage_mw", idx, -np.inf)
            k = np.arange(len(part) * n_t)
            pos = (part[:, None] * n_t + steps).ravel()
            lp.add_constraints("cfe_matched_storage_flow", idx,
                               [Term(q, k, 1.0), Term(dis, pos, -1.0), Term(ch, pos, 1.0)],
                               "<=", 0.0)
            lp.add_constraints("cfe_matched_storage_new", idx,
                               [Term(q, k, 1.0),
                                Term(lp.variables["sto_new_mw"], np.repeat(part, n_t), -1.0)],
                               "<=", 0.0)
            terms.append(Term(q, k, 1.0, (row[part][:, None] * n_t + steps).ravel()))
    return terms, used


def add_components(ctx: BuildContext, value) -> None:
    c.raise_problems(validate(ctx.case, value))
    share = float(_spec(value)["share"])
    if share <= 0 or not c.has_sites(ctx):
        return
    names, pool, takes_part = pools(ctx.case, value)
    if not names:
        return
    n_t = ctx.n_steps
    row_of = {p: i for i, p in enumerate(names)}
    terms, used = _supply(ctx, pool, row_of)
    ctx.info["cfe_247_units"] = used
    site_pool = pool.reindex(ctx.case.sites.index).to_numpy()
    site_row = np.array([row_of[p] if t else -1 for p, t in zip(site_pool, takes_part,
                                                                 strict=True)], np.int64)
    rows = np.where(site_row[:, None] >= 0, site_row[:, None] * n_t + np.arange(n_t), -1)
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
    used = ctx.info.get("cfe_247_units", {})
    gen = c.generators(ctx)
    new_gen = ctx.lp.values(x, "gen_new_mw").to_numpy() if len(gen) else np.zeros(0)
    out = {}
    for i, p in enumerate(names):
        e = float(demand[i] @ w)
        matched = float(np.minimum(supply[i], demand[i]) @ w)
        pos = demand[i] > 1e-9
        units = [u for u in np.r_[used.get("gen_full", []), used.get("gen_part", [])].astype(int)
                 if pool.get(gen["node"].iloc[u]) == p]
        premium = None if mu is None else float(mu[i] @ (share * demand[i]))
        out[str(p)] = {
            "sites": members[p],
            "dc_energy_mwh": e,
            "new_clean_mw": {gen.index[u]: float(new_gen[u]) for u in units},
            "cfe_score": matched / e if e > 0 else None,
            "min_hourly_coverage": float((supply[i][pos] / demand[i][pos]).min())
            if pos.any() else None,
            "hours_at_constraint": int(at_row[i].sum()),
            "premium_per_year": premium,
            "premium_per_mwh": premium / e if premium is not None and e > 0 else None,
        }
    return {"share": share, "scope": _spec(value)["scope"],
            "binding": bool(at_row.any()), "pools": out}
