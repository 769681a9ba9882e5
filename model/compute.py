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

Results: ``assignment.csv`` (centre, class, site, mwh per year, latency_ms) and
``compute_prices.csv`` (marginal cost of compute per centre and class, from the duals).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .context import BuildContext, grid_index
from .geo import great_circle_km
from .lp import Term


def latency_matrix(case) -> pd.DataFrame:
    """Round-trip latency in ms, centres (rows) × sites (columns)."""
    c, s, lat = case.demand_centres, case.sites, case.latency
    km = great_circle_km(c["lon"].to_numpy()[:, None], c["lat"].to_numpy()[:, None],
                         s["lon"].to_numpy()[None, :], s["lat"].to_numpy()[None, :])
    ms = float(lat["base_ms"]) + 2.0 * float(lat["route_factor"]) * km / float(
        lat["fibre_km_per_ms"])
    return pd.DataFrame(ms, index=c.index, columns=s.index)


def demand_matrix(case) -> np.ndarray:
    """D[j,t]: IT MW demanded by each row of compute_demand.csv in each step."""
    cd = case.compute_demand
    out = np.repeat(cd["it_mw"].to_numpy(float)[:, None], case.n_steps, axis=1)
    for i, prof in enumerate(cd["profile"]):
        if prof:
            out[i] = out[i] * case.compute_profiles[prof].to_numpy(float)
    return out


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


def windows(case, window_hours: float) -> np.ndarray:
    """Window number of each step: consecutive blocks of ``window_hours`` hours within each
    period (a step belongs to the window in which it starts)."""
    periods = case.periods
    hours = case.hours
    starts = np.r_[0, np.flatnonzero(np.diff(periods)) + 1]
    lengths = np.diff(np.r_[starts, case.n_steps])
    cum = np.cumsum(hours) - hours  # hours elapsed before each step
    start_hour = np.repeat(cum[starts], lengths)
    block = np.floor((cum - start_hour) / max(float(window_hours), 1e-9) + 1e-9).astype(np.int64)
    # unique id per (period, block)
    return periods.astype(np.int64) * (case.n_steps + 1) + block


def add_components(ctx: BuildContext) -> None:
    case, lp = ctx.case, ctx.lp
    cd = case.compute_demand
    n_t = ctx.n_steps
    if not len(cd) or not len(case.sites):
        return
    dem = demand_matrix(case)
    keep = np.flatnonzero(dem.sum(axis=1) > 0)
    a = arcs(case)
    a = a[a["demand"].isin(keep)].reset_index(drop=True)
    n_a, n_j, n_d = len(a), len(cd), len(case.sites)
    ctx.info["compute_arcs"] = a
    ctx.info["compute_demand_matrix"] = dem
    j_idx = pd.Index(cd["centre"] + "|" + cd["class"], name="demand")
    arc_idx = pd.Index(a["centre"] + "|" + a["class"] + "@" + a["site"], name="arc")
    served = lp.add_variables("served_it_mw", grid_index(arc_idx, n_t, ("arc", "step")))
    unserved = lp.add_variables("unserved_compute_mw", grid_index(j_idx, n_t,
                                                                  ("demand", "step")))
    steps = np.arange(n_t)
    arc_pos = (np.arange(n_a)[:, None] * n_t + steps).ravel()
    arc_dem = a["demand"].to_numpy()
    w = ctx.weights
    hours = case.hours

    flex = case.workloads["flexible_share"].reindex(cd["class"]).to_numpy(float)
    win_h = case.workloads["window_hours"].reindex(cd["class"]).to_numpy(float)
    inflex_j = np.flatnonzero(flex <= 0)
    flex_j = np.flatnonzero(flex > 0)

    def hourly_rows(js: np.ndarray):
        """Terms Σ_d served[j,d,t] + unserved[j,t] on rows (position of j in js) × t."""
        row_of_j = np.full(n_j, -1)
        row_of_j[js] = np.arange(len(js))
        sel = np.flatnonzero(row_of_j[arc_dem] >= 0)
        rows_s = (row_of_j[arc_dem[sel]][:, None] * n_t + steps).ravel()
        pos_s = (sel[:, None] * n_t + steps).ravel()
        pos_u = (js[:, None] * n_t + steps).ravel()
        return [Term(served, pos_s, 1.0, rows_s),
                Term(unserved, pos_u, 1.0, np.arange(len(js) * n_t))]

    if len(inflex_j):
        lp.add_constraints("compute_demand", grid_index(j_idx[inflex_j], n_t,
                                                        ("demand", "step")),
                           hourly_rows(inflex_j), "==", dem[inflex_j].ravel())
    if len(flex_j):
        lp.add_constraints("compute_inflexible_part",
                           grid_index(j_idx[flex_j], n_t, ("demand", "step")),
                           hourly_rows(flex_j), ">=",
                           ((1 - flex[flex_j])[:, None] * dem[flex_j]).ravel())
        # energy conserved per window: rows (j, window)
        terms, rhs, labels = [], [], []
        row0 = 0
        for jj in flex_j:  # loop over demand rows only (tens), never over hours
            win = windows(case, win_h[jj])
            uniq, win_row = np.unique(win, return_inverse=True)
            sel = np.flatnonzero(arc_dem == jj)
            rows_s = np.tile(win_row, len(sel)) + row0
            pos_s = (sel[:, None] * n_t + steps).ravel()
            terms.append(Term(served, pos_s, np.tile(hours, len(sel)), rows_s))
            terms.append(Term(unserved, jj * n_t + steps, hours, win_row + row0))
            rhs.append(np.bincount(win_row, weights=dem[jj] * hours, minlength=len(uniq)))
            labels.extend(f"{j_idx[jj]}#w{k}" for k in range(len(uniq)))
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

    vlc = case.workloads["value_of_lost_compute_per_mwh"].reindex(cd["class"]).to_numpy(float)
    lp.add_cost("unserved_compute", unserved, None, (vlc[:, None] * w[None, :]).ravel())
    lat_cost = float(case.latency.get("cost_per_mwh_ms", 0.0) or 0.0)
    if lat_cost:
        lp.add_cost("latency", served, None,
                    (lat_cost * a["latency_ms"].to_numpy()[:, None] * w[None, :]).ravel())

    def served_by_site(x: np.ndarray) -> np.ndarray:
        s = lp.values(x, served).to_numpy().reshape(n_a, n_t)
        out = np.zeros((n_d, n_t))
        np.add.at(out, site_pos, s)
        return out

    ctx.info["dc_served_by_site"] = served_by_site


def results(ctx: BuildContext, x: np.ndarray, duals: np.ndarray | None) -> dict:
    a = ctx.info.get("compute_arcs")
    if a is None:
        return {}
    case, lp = ctx.case, ctx.lp
    n_t, w = ctx.n_steps, ctx.weights
    cd = case.compute_demand
    s = lp.values(x, "served_it_mw").to_numpy().reshape(len(a), n_t)
    u = lp.values(x, "unserved_compute_mw").to_numpy().reshape(len(cd), n_t)
    assign = a[["centre", "class", "site", "latency_ms"]].copy()
    assign["mwh"] = s @ w
    assign["peak_mw"] = s.max(axis=1) if n_t else 0.0
    assign = assign[assign["mwh"] > 1e-6].reset_index(drop=True)
    dem = ctx.info["compute_demand_matrix"]
    unserved = cd[["centre", "class"]].copy()
    unserved["demand_mwh"] = dem @ w
    unserved["unserved_mwh"] = u @ w
    out = {"assignment": assign[["centre", "class", "site", "mwh", "latency_ms", "peak_mw"]],
           "compute_unserved": unserved}
    if duals is not None:
        rows = []
        for name in ("compute_demand", "compute_inflexible_part", "compute_window"):
            if name in lp.constraints:
                rows.append(name)
        price = np.full(len(cd), np.nan)
        j_names = cd["centre"] + "|" + cd["class"]
        if "compute_demand" in lp.constraints:
            d = lp.duals(duals, "compute_demand")
            mat = d.to_numpy().reshape(-1, n_t)
            names = d.index.get_level_values(0).unique()
            for k, nm in enumerate(names):
                j = int(np.flatnonzero(j_names.to_numpy() == nm)[0])
                tot = dem[j] @ w
                price[j] = (mat[k] * dem[j]).sum() / tot if tot > 0 else np.nan
        if "compute_window" in lp.constraints:
            d = lp.duals(duals, "compute_window")
            hourly = {}
            if "compute_inflexible_part" in lp.constraints:
                di = lp.duals(duals, "compute_inflexible_part")
                mat = di.to_numpy().reshape(-1, n_t)
                for k, nm in enumerate(di.index.get_level_values(0).unique()):
                    hourly[nm] = mat[k]
            for j in np.flatnonzero(np.isnan(price)):
                nm = j_names.iloc[j]
                sel = d[d.index.str.startswith(nm + "#w")]
                if not len(sel):
                    continue
                win = windows(case, case.workloads.at[cd["class"].iloc[j], "window_hours"])
                _, win_row = np.unique(win, return_inverse=True)
                per_step = sel.to_numpy()[win_row] * case.hours + hourly.get(nm, np.zeros(n_t)) * (
                    1 - case.workloads.at[cd["class"].iloc[j], "flexible_share"])
                tot = dem[j] @ w
                price[j] = (per_step * dem[j]).sum() / tot if tot > 0 else np.nan
        cp = cd[["centre", "class"]].copy()
        cp["marginal_cost_per_mwh_it"] = price
        out["compute_prices"] = cp
    return out
