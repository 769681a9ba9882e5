"""Compute demand, latency and workload flexibility: which site serves which work, when.

Reads ``demand_centres.geojson``, ``compute_demand.csv``, ``workloads.csv``,
``compute_profiles.csv`` and the ``latency`` block of ``case.yaml``.

Latency (ms) between centre c and site d (:func:`model.inputs.derived.latency_matrix`):
    latency(c,d) = base_ms + 2 · route_factor · great_circle_km(c,d) / fibre_km_per_ms

Sets: demands j = (centre c, class k) with it_mw > 0; arcs a = (j, d) only where
latency(c,d) ≤ max_latency_ms_k (the latency rule); steps t; windows W of ``window_hours``
consecutive steps inside each period.

Variables
    served[a,t] ≥ 0                IT MW of demand j served at site d in step t
    unserved_compute[j,t] ≥ 0      IT MW not served

Constraints (D[j,t] = it_mw_j · profile_j,t, f_k = flexible_share)
    inflexible classes (f_k = 0):  Σ_d served[j,d,t] + unserved_compute[j,t] = D[j,t]
    flexible classes:              Σ_d served[j,d,t] + unserved_compute[j,t] ≥ (1 − f_k) · D[j,t]
                                   Σ_{t∈W} h_t·(Σ_d served + unserved_compute) = Σ_{t∈W} h_t·D[j,t]
    site IT capacity:              Σ_{j} served[j,d,t] ≤ IT_d   (IT_d from :mod:`.datacentres`)
    site power at node d:          − PUE_{d,t} · (1 − idle_share_d) · Σ_j served[j,d,t]

Objective terms
    Σ w_t · value_of_lost_compute_k · unserved_compute[j,t]
    + Σ w_t · latency_cost_per_mwh_ms · latency(c,d) · served[a,t]   (optional backbone cost)

Pooling (exact): demand rows of the same class with the same profile and the same set of
eligible sites are interchangeable, so they share one set of served/unserved variables
(:func:`demand_groups`); results split a pool's service among its members in proportion to
their demand. A training class that every site may serve becomes one pool instead of one per
centre. No pooling when latency carries a cost.

Results: ``assignment.csv`` (centre, class, site, mwh per year, latency_ms),
``compute_unserved.csv`` and ``compute_prices.csv`` (marginal cost of compute per centre and
class, from the duals of the pricing LP).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.formulation.component import Component, Results, Solution
from model.formulation.context import BuildContext
from model.formulation.datacentres import SiteBlocks
from model.formulation.lp import ConBlock, Term, VarBlock, grid_index, grid_positions
from model.formulation.vintages import step_cost_weights
from model.inputs.derived import demand_matrix, latency_matrix, windows


@dataclass
class ComputeBlocks:
    arcs: pd.DataFrame  # one row per (pool, eligible site): group, site, site_pos, …
    groups: pd.DataFrame  # pools of demand rows: class, members, label
    group_of: np.ndarray  # pool of each row of compute_demand.csv (−1: none)
    demand: np.ndarray  # D[j,t] per row of compute_demand.csv
    group_demand: np.ndarray  # D[g,t] per pool
    served_it_mw: VarBlock  # arc × step
    unserved_mw: VarBlock  # pool × step
    hourly: dict[str, ConBlock]  # compute_demand / compute_inflexible_part rows
    window: ConBlock | None  # compute_window rows
    window_row: dict[int, np.ndarray]  # per flexible pool: its window row of each step


def arcs(case) -> pd.DataFrame:
    """Allowed (demand row j, site d) pairs with their latency: **the latency rule**
    latency(c,d) ≤ max_latency_ms of the class, at sites that may hold IT."""
    cd = case.compute_demand
    if not len(cd) or not len(case.sites):
        return pd.DataFrame(columns=["demand", "centre", "class", "site", "site_pos",
                                     "latency_ms"])
    lat = latency_matrix(case)
    limit = case.workloads["max_latency_ms"].reindex(cd["class"]).to_numpy()
    ms = lat.loc[cd["centre"]].to_numpy()  # demand row × site
    ok = (ms <= limit[:, None]) & (case.sites["max_it_mw"].to_numpy()[None, :] > 0)
    j, d = np.nonzero(ok)
    return pd.DataFrame({"demand": j, "centre": cd["centre"].to_numpy()[j],
                         "class": cd["class"].to_numpy()[j], "site": case.sites.index[d],
                         "site_pos": d, "latency_ms": ms[j, d]})


def warn_collapsed_windows(case, threshold: float = 0.25) -> list[str]:
    """Flexible classes whose windows mostly hold a single time step (segments as long as the
    window): such a class cannot move work in time. Warns with the numbers and returns the
    messages."""
    messages = []
    wl = case.workloads
    if not len(wl) or case.step_hours is None:
        return messages
    used = set(case.compute_demand["class"]) if len(case.compute_demand) else set()
    for cls in wl.index:
        share = float(wl.at[cls, "flexible_share"])
        if cls not in used or share <= 0:
            continue
        hours = float(wl.at[cls, "window_hours"])
        _, counts = np.unique(windows(case, hours), return_counts=True)
        single = float(np.mean(counts == 1))
        if single >= threshold:
            msg = (f"workload class '{cls}': flexible window of {hours:g} h on steps of "
                   f"{float(np.mean(case.hours)):.1f} h on average: {100 * single:.0f} % of its "
                   f"{len(counts)} windows hold one step only, so its flexible share "
                   f"({share:g}) can hardly move work in time; use more segments per day, "
                   "or none")
            warnings.warn(msg, UserWarning, stacklevel=3)
            messages.append(msg)
    return messages


def demand_groups(case, dem: np.ndarray) -> tuple[np.ndarray, pd.DataFrame]:
    """Pool demand rows that are interchangeable: same class, same hourly profile and the
    same set of eligible sites (only when latency carries no cost). Any split of a pool's
    service among its members is feasible for each member, so pooling is exact and removes
    most arcs for latency-tolerant classes (one training pool instead of one per centre).
    In a multi-period case the profile within a period counts: members may grow at different
    rates from period to period, their demands stay proportional inside each period.

    Returns the group of each demand row (−1: no demand) and a table of groups (class,
    members, label)."""
    cd = case.compute_demand
    eligible = arcs(case).groupby("demand")["site_pos"].apply(lambda v: tuple(sorted(v)))
    lat_cost = float(case.latency.get("cost_per_mwh_ms", 0.0) or 0.0)
    # multi-period: rows ramping differently over periods share a pool when their profile
    # within a period is the same (model.inputs.periods.expand names it in pool_profile)
    shape = cd["pool_profile"] if "pool_profile" in cd else cd["profile"]
    group_of = np.full(len(cd), -1, dtype=np.int64)
    keys: dict = {}
    rows = []
    for j in range(len(cd)):  # demand rows (tens to hundreds), never hours
        if dem[j].sum() <= 0 or j not in eligible.index:
            continue
        key = (cd["class"].iat[j], shape.iat[j], eligible[j]) + ((j,) if lat_cost else ())
        if key not in keys:
            keys[key] = len(rows)
            rows.append({"class": cd["class"].iat[j], "members": []})
        group_of[j] = keys[key]
        rows[keys[key]]["members"].append(j)
    groups = pd.DataFrame(rows, columns=["class", "members"])
    groups["label"] = [
        (cd["centre"].iat[m[0]] if len(m) == 1 else f"pool{g}") + "|" + cls
        for g, (cls, m) in enumerate(zip(groups["class"], groups["members"], strict=True))]
    return group_of, groups


def _pool_arcs(case, group_of: np.ndarray, groups: pd.DataFrame) -> pd.DataFrame:
    """Arcs of each pool: the eligible sites of its (first) member, sorted by pool and site."""
    row_arcs = arcs(case)
    first = np.array([m[0] for m in groups["members"]])
    a = row_arcs[row_arcs["demand"].isin(first)].copy()
    a["group"] = group_of[a["demand"].to_numpy()]
    a = a.sort_values(["group", "site_pos"]).reset_index(drop=True)
    multi = np.array([len(m) > 1 for m in groups["members"]])
    a.loc[multi[a["group"].to_numpy()], ["centre", "latency_ms"]] = ["(pooled)", np.nan]
    return a


def _hourly_terms(served: VarBlock, unserved: VarBlock, arc_group: np.ndarray,
                  pools: np.ndarray, n_groups: int) -> list[Term]:
    """Σ_d served[g,d,t] + unserved[g,t] on rows (position of g in ``pools``) × t."""
    n_t = served.n_steps
    row_of = np.full(n_groups, -1)
    row_of[pools] = np.arange(len(pools))
    sel = np.flatnonzero(row_of[arc_group] >= 0)
    return [Term(served, served.at(sel).ravel(), 1.0,
                 grid_positions(row_of[arc_group[sel]], n_t).ravel()),
            Term(unserved, unserved.at(pools).ravel(), 1.0, np.arange(len(pools) * n_t))]


def _demand_rows(ctx: BuildContext, b: ComputeBlocks) -> None:
    """Hourly demand rows (inflexible classes) and the inflexible part of flexible ones."""
    flex = ctx.case.workloads["flexible_share"].reindex(b.groups["class"]).to_numpy(float)
    g_idx = pd.Index(b.groups["label"], name="demand")
    arc_group = b.arcs["group"].to_numpy()
    for name, pools, sense, rhs in (
            ("compute_demand", np.flatnonzero(flex <= 0), "==", None),
            ("compute_inflexible_part", np.flatnonzero(flex > 0), ">=", 1 - flex)):
        if not len(pools):
            continue
        target = b.group_demand[pools] * (1.0 if rhs is None else rhs[pools][:, None])
        b.hourly[name] = ctx.lp.add_constraints(
            name, grid_index(g_idx[pools], ctx.n_steps, ("demand", "step")),
            _hourly_terms(b.served_it_mw, b.unserved_mw, arc_group, pools, len(b.groups)),
            sense, target.ravel())


def _window_rows(ctx: BuildContext, b: ComputeBlocks) -> None:
    """Flexible work conserved per window: Σ_{t∈W} h_t·(Σ_d served + unserved) = Σ h_t·D."""
    case = ctx.case
    flex = case.workloads["flexible_share"].reindex(b.groups["class"]).to_numpy(float)
    win_h = case.workloads["window_hours"].reindex(b.groups["class"]).to_numpy(float)
    arc_group = b.arcs["group"].to_numpy()
    hours = case.hours
    terms, rhs, labels, row0 = [], [], [], 0
    for g in np.flatnonzero(flex > 0):  # loop over pools (tens), never over hours
        uniq, win_row = np.unique(windows(case, win_h[g]), return_inverse=True)
        b.window_row[int(g)] = win_row + row0
        sel = np.flatnonzero(arc_group == g)
        terms.append(Term(b.served_it_mw, b.served_it_mw.at(sel).ravel(),
                          np.tile(hours, len(sel)), np.tile(win_row, len(sel)) + row0))
        terms.append(Term(b.unserved_mw, b.unserved_mw.at([g]).ravel(), hours, win_row + row0))
        rhs.append(np.bincount(win_row, weights=b.group_demand[g] * hours,
                               minlength=len(uniq)))
        labels.extend(f"{b.groups['label'].iat[g]}#w{k}" for k in range(len(uniq)))
        row0 += len(uniq)
    if terms:
        b.window = ctx.lp.add_constraints("compute_window",
                                          pd.Index(labels, name="demand_window"), terms, "==",
                                          np.concatenate(rhs))


def _sites(ctx: BuildContext, b: ComputeBlocks, dc: SiteBlocks) -> None:
    """Site IT capacity Σ served[·,d,t] ≤ IT_d, and the power of served work at site d."""
    sites, n_t = ctx.case.sites, ctx.n_steps
    site_pos = b.arcs["site_pos"].to_numpy()
    served = b.served_it_mw
    ctx.lp.add_constraints(
        "dc_it_capacity", grid_index(sites.index, n_t, ("site", "step")),
        [Term(served, served.at().ravel(), 1.0, grid_positions(site_pos, n_t).ravel()),
         dc.it_new.step_terms(np.arange(len(sites)), ctx.case.period_index, -1.0)],
        "<=", np.repeat(sites["existing_it_mw"].to_numpy(float), n_t))
    idle = sites["idle_share"].to_numpy(float)
    ctx.inject(served, ctx.node_pos(b.arcs["site"]),
               -(dc.pue[site_pos] * (1 - idle[site_pos])[:, None]))
    dc.served_it_mw, dc.served_site = served, site_pos


def _costs(ctx: BuildContext, b: ComputeBlocks) -> None:
    case, w = ctx.case, step_cost_weights(ctx)
    vlc = case.workloads["value_of_lost_compute_per_mwh"].reindex(b.groups["class"]).to_numpy(
        float)
    ctx.lp.add_cost("unserved_compute", b.unserved_mw, None, (vlc[:, None] * w[None, :]).ravel())
    lat_cost = float(case.latency.get("cost_per_mwh_ms", 0.0) or 0.0)
    if lat_cost:  # pools are single rows then, so every arc has one latency
        ctx.lp.add_cost("latency", b.served_it_mw, None,
                        (lat_cost * b.arcs["latency_ms"].to_numpy()[:, None]
                         * w[None, :]).ravel())


def build(ctx: BuildContext) -> None:
    case, n_t = ctx.case, ctx.n_steps
    dc = ctx.get(SiteBlocks)
    if not len(case.compute_demand) or dc is None:
        return
    dem = demand_matrix(case)
    group_of, groups = demand_groups(case, dem)
    if len(groups) == 0:
        return
    gdem = np.zeros((len(groups), n_t))
    np.add.at(gdem, group_of[group_of >= 0], dem[group_of >= 0])
    a = _pool_arcs(case, group_of, groups)
    arc_idx = pd.Index(groups["label"].to_numpy()[a["group"].to_numpy()] + "@" + a["site"],
                       name="arc")
    served = ctx.lp.add_grid_variables("served_it_mw", arc_idx, n_t, 0.0, np.inf,
                                       ("arc", "step"))
    unserved = ctx.lp.add_grid_variables("unserved_compute_mw",
                                         pd.Index(groups["label"], name="demand"), n_t, 0.0,
                                         np.inf, ("demand", "step"))
    b = ComputeBlocks(a, groups, group_of, dem, gdem, served, unserved, {}, None, {})
    _demand_rows(ctx, b)
    _window_rows(ctx, b)
    _sites(ctx, b, dc)
    _costs(ctx, b)
    ctx.put(b)


def _group_prices(ctx: BuildContext, b: ComputeBlocks, sol: Solution) -> np.ndarray:
    """Demand-weighted marginal cost of compute (per MWh of IT work) of each pool."""
    n_t, w = ctx.n_steps, ctx.weights
    per_step = np.zeros((len(b.groups), n_t))  # ∂objective/∂D[g,t]
    pos = {lab: g for g, lab in enumerate(b.groups["label"])}
    flex = ctx.case.workloads["flexible_share"].reindex(b.groups["class"]).to_numpy(float)
    for name, block in b.hourly.items():
        dual = sol.dual(block).reshape(-1, n_t)
        rows = np.array([pos[lab] for lab in block.index.get_level_values(0)[::n_t]])
        scale = (1 - flex[rows])[:, None] if name == "compute_inflexible_part" else 1.0
        per_step[rows] += dual * scale
    if b.window is not None:
        dual = sol.dual(b.window)
        for g, win_row in b.window_row.items():
            per_step[g] += dual[win_row] * ctx.case.hours
    # a step's dual is W_p · w_t · price (W_p: its period's discounted years; 1 if static)
    per_step = per_step / ctx.case.investment.weights[ctx.case.period_index][None, :]
    total = b.group_demand @ w
    return np.divide((per_step * b.group_demand).sum(axis=1), total,
                     out=np.full(len(b.groups), np.nan), where=total > 0)


def _member_share(b: ComputeBlocks, steps: np.ndarray | slice = slice(None)) -> np.ndarray:
    """Share of its pool's demand (in ``steps``) that each demand row holds (0 for rows in
    no pool)."""
    total = b.group_demand[:, steps].sum(axis=1)
    return np.divide(b.demand[:, steps].sum(axis=1), total[np.maximum(b.group_of, 0)],
                     out=np.zeros(len(b.group_of)),
                     where=(b.group_of >= 0) & (total[np.maximum(b.group_of, 0)] > 0))


def _assignment(ctx: BuildContext, b: ComputeBlocks, served: np.ndarray,
                steps: np.ndarray | slice = slice(None)) -> pd.DataFrame:
    """Work served per (centre, class, site) in ``steps``: each member of a pool takes its
    share of the pool's service on every arc of the pool."""
    cd = ctx.case.compute_demand
    share = _member_share(b, steps)
    served, weights = served[:, steps], ctx.weights[steps]
    arc_group = b.arcs["group"].to_numpy()
    member = np.flatnonzero(b.group_of >= 0)
    # every (member row, arc of its pool) pair
    pair_j = np.concatenate([np.repeat(j, np.sum(arc_group == b.group_of[j])) for j in member]
                            ) if len(member) else np.zeros(0, np.int64)
    pair_a = np.concatenate([np.flatnonzero(arc_group == b.group_of[j]) for j in member]
                            ) if len(member) else np.zeros(0, np.int64)
    mwh = (served @ weights)[pair_a] * share[pair_j]
    peak = (served.max(axis=1) if served.shape[1] else np.zeros(len(served)))[pair_a] \
        * share[pair_j]
    keep = mwh > 1e-6
    centre, site = cd["centre"].to_numpy()[pair_j], b.arcs["site"].to_numpy()[pair_a]
    lat = latency_matrix(ctx.case)
    return pd.DataFrame({
        "centre": centre[keep], "class": cd["class"].to_numpy()[pair_j][keep],
        "site": site[keep], "mwh": mwh[keep],
        "latency_ms": lat.to_numpy()[lat.index.get_indexer(centre[keep]),
                                     lat.columns.get_indexer(site[keep])].astype(float),
        "peak_mw": peak[keep]})


def _where_served(assign: pd.DataFrame) -> dict[str, str]:
    """Summary line per class: the sites that serve it, largest first."""
    where = {}
    by = assign.groupby(["class", "site"])["mwh"].sum()
    for cls, part in by.groupby(level=0):
        share = part.droplevel(0).sort_values(ascending=False) / part.sum()
        top = [f"{site} {100 * v:.0f} %" for site, v in share.items() if v >= 0.005][:4]
        where[cls] = ", ".join(top + (["…"] if len(share) > len(top) else []))
    return where


def _served_tables(ctx: BuildContext, b: ComputeBlocks, sol: Solution
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """assignment.csv and compute_unserved.csv (MWh per year): of the static year, or one
    block per period with a ``period`` column in a multi-period case."""
    cd, inv = ctx.case.compute_demand, ctx.case.investment
    served, unserved_mw = sol.value(b.served_it_mw), sol.value(b.unserved_mw)
    assigns, unserveds = [], []
    for p in range(inv.n):
        steps = ctx.case.period_index == p
        w, share = ctx.weights[steps], _member_share(b, steps)
        unserved = cd[["centre", "class"]].copy()
        unserved["demand_mwh"] = b.demand[:, steps] @ w
        unserved["unserved_mwh"] = np.where(
            b.group_of >= 0,
            (unserved_mw[:, steps] @ w)[np.maximum(b.group_of, 0)] * share, 0.0)
        assign = _assignment(ctx, b, served, steps)
        if not inv.static:
            assign.insert(0, "period", int(inv.years[p]))
            unserved.insert(0, "period", int(inv.years[p]))
        assigns.append(assign)
        unserveds.append(unserved)
    return (pd.concat(assigns, ignore_index=True), pd.concat(unserveds, ignore_index=True))


def results(ctx: BuildContext, sol: Solution) -> Results:
    cd = ctx.case.compute_demand
    b = ctx.get(ComputeBlocks)
    if b is None:
        if not len(cd):
            return Results()
        return Results(tables={
            "assignment": pd.DataFrame(columns=["centre", "class", "site", "mwh", "latency_ms",
                                                "peak_mw"]),
            "compute_unserved": cd[["centre", "class"]].assign(demand_mwh=0.0,
                                                               unserved_mwh=0.0)},
            summary={"unserved_compute_mwh": 0.0})
    assign, unserved = _served_tables(ctx, b, sol)
    tables = {"assignment": assign, "compute_unserved": unserved}
    if sol.duals is not None:
        price = _group_prices(ctx, b, sol)
        tables["compute_prices"] = cd[["centre", "class"]].assign(
            marginal_cost_per_mwh_it=np.where(b.group_of >= 0,
                                              price[np.maximum(b.group_of, 0)], np.nan))
    summary = {"unserved_compute_mwh": float(unserved["unserved_mwh"].sum())}
    if "period" in unserved:
        per = unserved.groupby("period")["unserved_mwh"].sum()
        # the horizon's total: each period's year × the years it stands for
        summary["unserved_compute_mwh"] = float(per.to_numpy() @ ctx.case.investment.span_years)
        summary["unserved_compute_mwh_by_period"] = {int(k): float(v) for k, v in per.items()}
    if len(assign):
        summary["compute_by_class"] = _where_served(assign)
    return Results(tables=tables, summary=summary)


COMPONENT = Component("compute", ("demand_centres", "compute_demand", "workloads",
                                  "compute_profiles"), build, results,
                      report=("assignment",))
