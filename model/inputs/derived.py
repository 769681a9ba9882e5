"""Derived input facts: what the case's tables imply, computed once, in one place.

Latency between demand centres and sites (the latency formula), hourly compute demand, the
flexible-work windows, hourly PUE, the largest IT a site could need, and the generator and
storage unit tables with their availability. Every function reads a validated
:class:`model.inputs.case.Case` only; the formulation builds its rows from these.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.inputs.geo import great_circle_km


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


def generator_units(case) -> pd.DataFrame:
    """Generator rows of resources.csv joined with their technology data."""
    tech = case.technologies
    res = case.resources
    gen = res[res["tech"].map(tech["kind"]) == "generator"].reset_index(drop=True)
    gen = gen.join(tech, on="tech", rsuffix="_tech")
    gen.index = pd.Index(gen["node"] + ":" + gen["tech"], name="unit")
    return _with_retirement(gen)


def _with_retirement(units: pd.DataFrame) -> pd.DataFrame:
    """retire_year, where only build_year is given: build_year + lifetime_years (age-based)."""
    if "build_year" not in units:
        return units
    by_age = units["build_year"].astype(float) + units["lifetime_years"].astype(float)
    return units.assign(retire_year=units["retire_year"].astype(float).fillna(by_age))


def availability(case, gen: pd.DataFrame) -> np.ndarray:
    """Availability matrix (unit × step); 1 where no profile is given."""
    cf = np.ones((len(gen), case.n_steps))
    prof = case.profiles
    for i, key in enumerate(gen.index):
        if key in prof.columns:
            cf[i] = prof[key].to_numpy()
    return cf


def storage_units(case) -> pd.DataFrame:
    """Storage rows of resources.csv joined with their technology data."""
    tech = case.technologies
    res = case.resources
    sto = res[res["tech"].map(tech["kind"]) == "storage"].reset_index(drop=True)
    sto = sto.join(tech, on="tech", rsuffix="_tech")
    sto.index = pd.Index(sto["node"] + ":" + sto["tech"], name="unit")
    return _with_retirement(sto)
