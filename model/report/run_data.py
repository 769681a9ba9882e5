"""A run's tables in the shapes the drawings need: read from a run folder, capacity, sites,
node locations, prices per region (load-weighted with the run's step weights)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from model.report.format import short
from model.report.steps import run_load, run_steps, step_weights

CAPACITY_COLUMNS = ["node", "tech", "kind", "existing_mw", "new_mw", "total_mw",
                    "existing_mwh", "new_mwh"]
SITE_COLUMNS = ["site", "built", "it_mw", "lon", "lat", "region", "name"]


def read_run(run_dir) -> tuple[dict[str, pd.DataFrame], dict]:
    """Tables (every ``*.csv``) and ``summary.json`` of a run folder."""
    run_dir = Path(run_dir)
    summary = json.loads((run_dir / "summary.json").read_text())
    tables = {}
    for f in sorted(run_dir.glob("*.csv")):
        try:
            tables[f.stem] = pd.read_csv(f, dtype={"time": str, "node": str, "site": str,
                                                   "centre": str, "from": str, "to": str})
        except pd.errors.EmptyDataError:
            tables[f.stem] = pd.DataFrame()
    return tables, summary


def capacity_table(tables: dict) -> pd.DataFrame:
    """``capacity.csv`` with ``kind`` and ``total_mw`` always present (empty without it)."""
    cap = tables.get("capacity")
    if cap is None or not len(cap):
        return pd.DataFrame(columns=CAPACITY_COLUMNS)
    cap = cap.copy()
    if "kind" not in cap:
        cap["kind"] = "generator"
    if "total_mw" not in cap:
        cap["total_mw"] = cap["existing_mw"] + cap["new_mw"]
    cap["node"] = cap["node"].astype(str)
    return cap


def new_capacity_by_node(tables: dict, kinds=("generator", "storage")) -> pd.Series:
    """New MW per node (generators and storage power), from ``capacity.csv``."""
    cap = tables.get("capacity")
    if cap is None or not len(cap):
        return pd.Series(dtype=float)
    if "kind" in cap:
        cap = cap[cap["kind"].isin(kinds)]
    return cap.groupby("node")["new_mw"].sum().astype(float)


def sites_table(case, tables: dict) -> pd.DataFrame:
    """Sites with built flag, IT MW and lon/lat: the run's ``sites`` table, else the case's
    candidate sites, none built (empty frame when the case has none)."""
    s = tables.get("sites")
    if s is not None and len(s):
        s = s.copy()
        if "lon" not in s or "lat" not in s:
            s = s.join(case.sites[["lon", "lat"]], on="site")
        return s
    if len(getattr(case, "sites", [])):
        return pd.DataFrame({"site": case.sites.index, "built": 0, "it_mw": 0.0,
                             "lon": case.sites["lon"].to_numpy(),
                             "lat": case.sites["lat"].to_numpy(),
                             "region": case.sites["region"].to_numpy(),
                             "name": case.sites.get("name", case.sites.index).to_numpy()})
    return pd.DataFrame(columns=SITE_COLUMNS)


def site_regions(case) -> dict:
    """Host region of each site id."""
    return case.sites["region"].astype(str).to_dict() if len(case.sites) else {}


def node_locations(case) -> pd.DataFrame:
    """lon/lat of every node (regions, then sites), index = node id."""
    return case.nodes[["lon", "lat"]].astype(float)


def price_matrix(case, tables: dict) -> pd.DataFrame | None:
    """Price per time step × node (run order), or None when the run has no prices."""
    prices = tables.get("prices")
    if prices is None or not len(prices) or "price_per_mwh" not in prices:
        return None
    p = prices.assign(time=prices["time"].astype(str))
    pm = p.pivot_table(index="time", columns="node", values="price_per_mwh", aggfunc="mean",
                       sort=False)
    steps = run_steps(tables)
    if steps is not None and set(steps.time) <= set(pm.index):
        pm = pm.reindex(steps.time)
    return pm


def _weighted_mean(p: np.ndarray, weight: np.ndarray, w: np.ndarray) -> float:
    """Mean of the finite prices weighted by ``weight``; by ``w`` when ``weight`` is 0."""
    ok = np.isfinite(p)
    if weight[ok].sum() > 0:
        return float((p[ok] * weight[ok]).sum() / weight[ok].sum())
    if ok.any():
        return float((p[ok] * w[ok]).sum() / w[ok].sum())
    return np.nan


def region_prices(case, tables: dict) -> pd.Series:
    """Average power price per region (currency/MWh), weighted by base load × step weight.

    A region without base load gets the time-weighted mean; regions without any price are
    NaN (all NaN when the run has no ``prices`` table, e.g. no dual solution).
    """
    pm = price_matrix(case, tables)
    regions = list(case.regions.index)
    if pm is None:
        return pd.Series(np.nan, index=regions, dtype=float, name="price_per_mwh")
    w = step_weights(tables, len(pm))
    load = run_load(case, tables, len(pm)).to_numpy(float)
    out = {}
    for i, r in enumerate(regions):
        if r not in pm.columns:
            out[r] = np.nan
            continue
        p = pm[r].to_numpy(float)
        lw = (load[:, i] * w) if load.shape[0] == len(p) else np.zeros(len(p))
        out[r] = _weighted_mean(p, lw, w)
    return pd.Series(out, name="price_per_mwh", dtype=float)


def node_label(case, node: str) -> str:
    """A short name of a node for chart axes: region name, or site name + "(site)"."""
    if node in case.regions.index:
        return short(str(case.regions.at[node, "name"]), 24)
    if len(case.sites) and node in case.sites.index:
        return f"{short(str(case.sites.at[node, 'name']), 24)} (site)"
    return node
