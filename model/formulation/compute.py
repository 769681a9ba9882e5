"""Compute demand, latency and workload flexibility: which site serves which work, when.

Reads ``demand_centres.geojson``, ``compute_demand.csv``, ``workloads.csv``,
``compute_profiles.csv`` and the ``latency`` block of ``case.yaml``.

Latency (ms) between centre c and site d:
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
    site IT capacity:              Σ_{j} served[j,d,t] ≤ IT_d   (IT_d from :mod:`model.datacentres`)
    site power at node d:          − PUE_{d,t} · (1 − idle_share_d) · Σ_j served[j,d,t]

Objective terms
    Σ w_t · value_of_lost_compute_k · unserved_compute[j,t]
    + Σ w_t · latency_cost_per_mwh_ms · latency(c,d) · served[a,t]   (optional backbone cost)

Pooling (exact): demand rows of the same class with the same profile and the same set of
eligible sites are interchangeable, so they share one set of served/unserved variables
(:func:`demand_groups`); results split a pool's service among its members in proportion to
their demand. A training class that every site may serve becomes one pool instead of one per
centre. No pooling when latency carries a cost.

Results: ``assignment.csv`` (centre, class, site, mwh per year, latency_ms) and
``compute_prices.csv`` (marginal cost of compute per centre and class, from the duals).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.formulation.context import BuildContext, grid_index
from model.formulation.lp import Term
from model.inputs.derived import demand_matrix, latency_matrix, windows


def arcs(case) -> pd.DataFrame:
    """Allowed (demand row j, site d) pairs with their latency: the latency rule."""
    cd = case.compute_demand
    if not len(cd) or not len(case.sites):
        return pd.DataFrame(columns=["demand", "centre", "class", "site", "site_pos",
                                     "latency_ms"])
    lat = latency_matrix(case)
    limit = case.workloads["max_latency_ms"].reindex(cd["class"]).to_numpy()
    ms = lat.loc[cd["centre"]].to_numpy()  # demand row × site
    ok = ms <= limit[:, None]
    ok &= case.sites["max_it_mw"].to_numpy()[None, :] > 0
    j, d = np.nonzero(ok)
    return pd.DataFrame({"demand": j, "centre": cd["centre"].to_numpy()[j],
                         "class": cd["class"].to_numpy()[j], "site": case.sites.index[d],
                         "site_pos": d, "latency_ms": ms[j, d]})


def warn_collapsed_windows(case, threshold: float = 0.25) -> list[str]:
    """Flexible classes whose windows mostly hold a single time step (segments as long as the
    window): such a class cannot move work in time. Warns with the numbers and returns the
    messages."""
    import warnings

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

    Returns the group of each demand row (−1: no demand) and a table of groups (class,
    profile, members, label)."""
    cd = case.compute_demand
    a = arcs(case)
    eligible = a.groupby("demand")["site_pos"].apply(lambda v: tuple(sorted(v)))
    lat_cost = float(case.latency.get("cost_per_mwh_ms", 0.0) or 0.0)
    group_of = np.full(len(cd), -1, dtype=np.int64)
    keys: dict = {}
    rows = []
    for j in range(len(cd)):
        if dem[j].sum() <= 0 or j not in eligible.index:
            continue
        key = (cd["class"].iat[j], cd["profile"].iat[j], eligible[j])
        if lat_cost:
            key = key + (j,)
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


def add_components(ctx: BuildContext) -> None:
    case, lp = ctx.case, ctx.lp
    cd = case.compute_demand
    n_t = ctx.n_steps
    if not len(cd) or not len(case.sites):
        return
    dem = demand_matrix(case)
    group_of, groups = demand_groups(case, dem)
    n_g, n_d = len(groups), len(case.sites)
    if n_g == 0:
        return
    gdem = np.zeros((n_g, n_t))
    np.add.at(gdem, group_of[group_of >= 0], dem[group_of >= 0])
    # arcs of each group: the eligible sites of its (first) member
    row_arcs = arcs(case)
    first = np.array([m[0] for m in groups["members"]])
    a = row_arcs[row_arcs["demand"].isin(first)].copy()
    a["group"] = group_of[a["demand"].to_numpy()]
    a = a.sort_values(["group", "site_pos"]).reset_index(drop=True)
    multi = np.array([len(m) > 1 for m in groups["members"]])
    a.loc[multi[a["group"].to_numpy()], ["centre", "latency_ms"]] = ["(pooled)", np.nan]
    n_a = len(a)
    ctx.info["compute_arcs"] = a
    ctx.info["compute_demand_matrix"] = dem
    ctx.info["compute_groups"] = (group_of, groups, gdem)
    g_idx = pd.Index(groups["label"], name="demand")
    arc_idx = pd.Index(groups["label"].to_numpy()[a["group"].to_numpy()] + "@" + a["site"],
                       name="arc")
    served = lp.add_variables("served_it_mw", grid_index(arc_idx, n_t, ("arc", "step")))
    unserved = lp.add_variables("unserved_compute_mw", grid_index(g_idx, n_t,
                                                                  ("demand", "step")))
    steps = np.arange(n_t)
    arc_pos = (np.arange(n_a)[:, None] * n_t + steps).ravel()
    arc_grp = a["group"].to_numpy()
    w = ctx.weights
    hours = case.hours

    flex = case.workloads["flexible_share"].reindex(groups["class"]).to_numpy(float)
    win_h = case.workloads["window_hours"].reindex(groups["class"]).to_numpy(float)
    inflex_g = np.flatnonzero(flex <= 0)
    flex_g = np.flatnonzero(flex > 0)

    def hourly_rows(gs: np.ndarray):
        """Terms Σ_d served[g,d,t] + unserved[g,t] on rows (position of g in gs) × t."""
        row_of = np.full(n_g, -1)
        row_of[gs] = np.arange(len(gs))
        sel = np.flatnonzero(row_of[arc_grp] >= 0)
        rows_s = (row_of[arc_grp[sel]][:, None] * n_t + steps).ravel()
        pos_s = (sel[:, None] * n_t + steps).ravel()
        pos_u = (gs[:, None] * n_t + steps).ravel()
        return [Term(served, pos_s, 1.0, rows_s),
                Term(unserved, pos_u, 1.0, np.arange(len(gs) * n_t))]

    if len(inflex_g):
        lp.add_constraints("compute_demand", grid_index(g_idx[inflex_g], n_t,
                                                        ("demand", "step")),
                           hourly_rows(inflex_g), "==", gdem[inflex_g].ravel())
    if len(flex_g):
        lp.add_constraints("compute_inflexible_part",
                           grid_index(g_idx[flex_g], n_t, ("demand", "step")),
                           hourly_rows(flex_g), ">=",
                           ((1 - flex[flex_g])[:, None] * gdem[flex_g]).ravel())
        # work conserved per window: rows (group, window)
        terms, rhs, labels = [], [], []
        row0 = 0
        for g in flex_g:  # loop over demand groups (tens), never over hours
            win = windows(case, win_h[g])
            uniq, win_row = np.unique(win, return_inverse=True)
            sel = np.flatnonzero(arc_grp == g)
            rows_s = np.tile(win_row, len(sel)) + row0
            pos_s = (sel[:, None] * n_t + steps).ravel()
            terms.append(Term(served, pos_s, np.tile(hours, len(sel)), rows_s))
            terms.append(Term(unserved, g * n_t + steps, hours, win_row + row0))
            rhs.append(np.bincount(win_row, weights=gdem[g] * hours, minlength=len(uniq)))
            labels.extend(f"{g_idx[g]}#w{k}" for k in range(len(uniq)))
            row0 += len(uniq)
        lp.add_constraints("compute_window", pd.Index(labels, name="demand_window"), terms,
                           "==", np.concatenate(rhs))

    # site IT capacity: Σ served[·,d,t] − IT_new[d] ≤ existing_it[d]
    it_new = lp.variables["dc_it_new_mw"]
    site_pos = a["site_pos"].to_numpy()
    lp.add_constraints(
        "dc_it_capacity", grid_index(case.sites.index, n_t, ("site", "step")),
        [Term(served, arc_pos, 1.0, (site_pos[:, None] * n_t + steps).ravel()),
         Term(it_new, np.repeat(np.arange(n_d), n_t), -1.0, np.arange(n_d * n_t))],
        "<=", np.repeat(case.sites["existing_it_mw"].to_numpy(float), n_t))

    # site power of served work
    pue = ctx.info["dc_pue"]
    idle = case.sites["idle_share"].to_numpy(float)
    coef = -(pue[site_pos] * (1 - idle[site_pos])[:, None]).ravel()
    ctx.inject(served, arc_pos, np.repeat(ctx.node_pos(a["site"]), n_t),
               np.tile(steps, n_a), coef)

    vlc = case.workloads["value_of_lost_compute_per_mwh"].reindex(groups["class"]).to_numpy(
        float)
    lp.add_cost("unserved_compute", unserved, None, (vlc[:, None] * w[None, :]).ravel())
    lat_cost = float(case.latency.get("cost_per_mwh_ms", 0.0) or 0.0)
    if lat_cost:  # groups are single rows then, so every arc has one latency
        lp.add_cost("latency", served, None,
                    (lat_cost * a["latency_ms"].to_numpy()[:, None] * w[None, :]).ravel())

    def served_by_site(x: np.ndarray) -> np.ndarray:
        s = lp.values(x, served).to_numpy().reshape(n_a, n_t)
        out = np.zeros((n_d, n_t))
        np.add.at(out, site_pos, s)
        return out

    ctx.info["dc_served_by_site"] = served_by_site


def _group_prices(ctx: BuildContext, duals: np.ndarray, groups: pd.DataFrame,
                  gdem: np.ndarray) -> np.ndarray:
    """Demand-weighted marginal cost of compute (per MWh of IT work) of each group."""
    case, lp = ctx.case, ctx.lp
    n_t, w = ctx.n_steps, ctx.weights
    per_step = np.zeros((len(groups), n_t))  # ∂objective/∂D[g,t]
    pos = {lab: g for g, lab in enumerate(groups["label"])}
    if "compute_demand" in lp.constraints:
        d = lp.duals(duals, "compute_demand")
        labels = d.index.get_level_values(0).to_numpy().reshape(-1, n_t)[:, 0]
        mat = d.to_numpy().reshape(-1, n_t)
        for k, lab in enumerate(labels):
            per_step[pos[lab]] += mat[k]
    if "compute_inflexible_part" in lp.constraints:
        d = lp.duals(duals, "compute_inflexible_part")
        labels = d.index.get_level_values(0).to_numpy().reshape(-1, n_t)[:, 0]
        mat = d.to_numpy().reshape(-1, n_t)
        for k, lab in enumerate(labels):
            g = pos[lab]
            share = case.workloads.at[groups["class"].iat[g], "flexible_share"]
            per_step[g] += mat[k] * (1 - share)
    if "compute_window" in lp.constraints:
        d = lp.duals(duals, "compute_window")
        for g in range(len(groups)):
            sel = d[d.index.str.startswith(groups["label"].iat[g] + "#w")]
            if not len(sel):
                continue
            win = windows(case, case.workloads.at[groups["class"].iat[g], "window_hours"])
            _, win_row = np.unique(win, return_inverse=True)
            per_step[g] += sel.to_numpy()[win_row] * case.hours
    total = gdem @ w
    return np.divide((per_step * gdem).sum(axis=1), total, out=np.full(len(groups), np.nan),
                     where=total > 0)


def results(ctx: BuildContext, x: np.ndarray, duals: np.ndarray | None) -> dict:
    a = ctx.info.get("compute_arcs")
    if a is None:
        if not len(ctx.case.compute_demand):
            return {}
        empty = pd.DataFrame(columns=["centre", "class", "site", "mwh", "latency_ms",
                                      "peak_mw"])
        unserved = ctx.case.compute_demand[["centre", "class"]].assign(
            demand_mwh=0.0, unserved_mwh=0.0)
        return {"assignment": empty, "compute_unserved": unserved}
    case, lp = ctx.case, ctx.lp
    n_t, w = ctx.n_steps, ctx.weights
    cd = case.compute_demand
    group_of, groups, gdem = ctx.info["compute_groups"]
    dem = ctx.info["compute_demand_matrix"]
    s = lp.values(x, "served_it_mw").to_numpy().reshape(len(a), n_t)
    u = lp.values(x, "unserved_compute_mw").to_numpy().reshape(len(groups), n_t)
    # members share their group's service in proportion to their demand (same profile)
    gtot = gdem.sum(axis=1)
    share = np.divide(dem.sum(axis=1), gtot[np.maximum(group_of, 0)],
                      out=np.zeros(len(cd)), where=group_of >= 0)
    lat = latency_matrix(case)
    rows = []
    for g, members in enumerate(groups["members"]):
        arc_rows = np.flatnonzero(a["group"].to_numpy() == g)
        mwh = s[arc_rows] @ w
        peak = s[arc_rows].max(axis=1) if n_t else np.zeros(len(arc_rows))
        for j in members:
            for k, ar in enumerate(arc_rows):
                if mwh[k] * share[j] <= 1e-6:
                    continue
                site = a["site"].iat[ar]
                rows.append((cd["centre"].iat[j], cd["class"].iat[j], site, mwh[k] * share[j],
                             float(lat.at[cd["centre"].iat[j], site]), peak[k] * share[j]))
    assign = pd.DataFrame(rows, columns=["centre", "class", "site", "mwh", "latency_ms",
                                         "peak_mw"])
    unserved = cd[["centre", "class"]].copy()
    unserved["demand_mwh"] = dem @ w
    unserved["unserved_mwh"] = np.where(group_of >= 0,
                                        (u @ w)[np.maximum(group_of, 0)] * share, 0.0)
    out = {"assignment": assign, "compute_unserved": unserved}
    if duals is not None:
        gprice = _group_prices(ctx, duals, groups, gdem)
        cp = cd[["centre", "class"]].copy()
        cp["marginal_cost_per_mwh_it"] = np.where(group_of >= 0,
                                                  gprice[np.maximum(group_of, 0)], np.nan)
        out["compute_prices"] = cp
    return out
