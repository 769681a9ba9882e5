"""The compute tables of a case, checked by their schemas and read: sites, demand centres,
workloads, compute demand, compute profiles and hourly PUE.

As in :mod:`model.inputs.network_tables`: the schema's column checks, then the checks across
tables (host regions, ids that must exist elsewhere, time steps) and the computed defaults.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from model.inputs import tables
from model.inputs.geo import host_regions, point_lonlat, to_4326
from model.inputs.network_tables import read_table, time_column
from model.inputs.problems import Problems
from model.inputs.read import RawCase
from model.inputs.schemas import columns, declared_columns


# -------------------------------------------------------------------------------- sites
def _no_sites() -> gpd.GeoDataFrame:
    cols = [c for c, col in columns("sites").items()
            if c != "id" and col.metadata["kind"] != "notes"] + ["lon", "lat"]
    empty = gpd.GeoDataFrame(columns=cols, geometry="geometry", crs=4326)
    empty.index.name = "id"
    return empty


def sites(raw: RawCase, regions: gpd.GeoDataFrame, region_ids: list[str],
          p: Problems) -> gpd.GeoDataFrame:
    """Candidate sites indexed by id, with lon/lat of their point and their host region."""
    if raw.geo.get("sites") is None or len(raw.geo["sites"]) == 0:
        return _no_sites()
    gdf, file = read_table(raw, "sites")
    tables.check("sites", gdf, p, file)
    if "id" not in gdf.columns:
        return _no_sites()
    gdf = to_4326(gdf, file, p, points_only=True)
    gdf["lon"], gdf["lat"] = point_lonlat(gdf)
    gdf["region"] = _host_region(gdf, regions, file, p)
    gdf = tables.parse("sites", gdf, {"name": gdf["id"]})
    p.references(gdf, file, "region", region_ids, "region")
    # an existing site's connection exists: by default as large as its existing IT draws
    gdf["grid_existing_mw"] = gdf["grid_existing_mw"].fillna(
        np.minimum(gdf["grid_limit_mw"], gdf["existing_it_mw"] * gdf["pue"]))
    return gdf.set_index("id")


def _host_region(gdf: gpd.GeoDataFrame, regions: gpd.GeoDataFrame, file: str,
                 p: Problems) -> pd.Series:
    """The given host region, else the region the point lies in (or the nearest)."""
    given = gdf["region"] if "region" in gdf else pd.Series(np.nan, index=gdf.index)
    given = given.astype(object)
    given = given.where(given.notna() & (given.astype(str).str.strip() != ""), None)
    missing = given.isna().to_numpy() & gdf.geometry.notna().to_numpy()
    if missing.any() and regions.crs is not None and "id" in regions and gdf.crs is not None:
        for idx, rid in host_regions(gdf.loc[missing], regions, file, p).items():
            given.loc[idx] = rid
    return given


# ---------------------------------------------------------------------- demand centres
def demand_centres(raw: RawCase, p: Problems) -> gpd.GeoDataFrame:
    """Demand centres indexed by id, with the lon/lat of their point."""
    if raw.geo.get("demand_centres") is None:
        centres = gpd.GeoDataFrame({"id": [], "lon": [], "lat": []}, geometry=[], crs=4326)
        centres["name"] = centres.get("id")
        return centres.set_index("id")
    gdf, file = read_table(raw, "demand_centres")
    tables.check("demand_centres", gdf, p, file)
    gdf = to_4326(gdf, file, p, points_only=True)
    gdf["lon"], gdf["lat"] = point_lonlat(gdf)
    gdf = tables.parse("demand_centres", gdf, {"name": gdf["id"]} if "id" in gdf else {})
    return gdf.set_index("id") if "id" in gdf else gdf


# ---------------------------------------------------------------- workloads and demand
def workloads(raw: RawCase, p: Problems) -> pd.DataFrame:
    """Workload classes indexed by class (lost compute costs, by default, lost load's)."""
    wl = raw.tables.get("workloads")
    if wl is None or len(wl) == 0:
        wl = pd.DataFrame({"class": []}) if wl is None else wl.copy()
    else:
        wl, file = read_table(raw, "workloads")
        tables.check("workloads", wl, p, file)
    if len(wl) and tables.has_required("workloads", wl):
        voll = float(raw.config.get("value_of_lost_load_per_mwh", 10000.0))
        wl = tables.parse("workloads", wl, {"value_of_lost_compute_per_mwh": voll})
    else:
        for col in declared_columns("workloads")[1:]:
            wl[col] = pd.Series(dtype=float)
    return wl.set_index("class") if "class" in wl else wl


def compute_demand(raw: RawCase, centres: gpd.GeoDataFrame, wl: pd.DataFrame,
                   p: Problems) -> pd.DataFrame:
    """Compute demand rows; centres and classes must exist."""
    cd = raw.tables.get("compute_demand")
    if cd is None or len(cd) == 0:
        cd = (pd.DataFrame({"centre": [], "class": [], "it_mw": [], "profile": [],
                            "period": []}) if cd is None else cd.copy())
        cd["profile"] = (cd["profile"] if "profile" in cd else "")
        cd["profile"] = cd["profile"].fillna("").astype(str)
        return cd.reset_index(drop=True)
    cd, file = read_table(raw, "compute_demand")
    if "period" not in cd.columns:  # the row id is (centre, class, period): one period
        cd = cd.assign(period=np.nan)
    tables.check("compute_demand", cd, p, file)
    if tables.has_required("compute_demand", cd):
        p.references(cd, file, "centre", list(centres.index), "demand centre")
        p.references(cd, file, "class", list(wl.index), "workload class")
    return tables.parse("compute_demand", cd).reset_index(drop=True)


# ---------------------------------------------------------------------- hourly tables
def compute_profiles(raw: RawCase, demand: pd.DataFrame, n_steps: int,
                     p: Problems) -> pd.DataFrame:
    """Hourly multipliers (time step × profile name); demand rows must name columns."""
    df = raw.tables.get("compute_profiles")
    out = pd.DataFrame(index=range(n_steps))
    if df is not None:
        time_column(df, "compute_profiles", p, n_steps)
        names = [c for c in df.columns if c != "time"]
        tables.check_values("compute_profiles", df, names, p)
        out = pd.DataFrame({c: tables.numbers(df[c]) for c in names}, index=range(len(df)))
    for i, prof in enumerate(demand["profile"]):
        if prof and prof not in out.columns:
            p.add("compute_demand.csv", f"profile '{prof}' is not a column of "
                  "compute_profiles.csv", row=i + 1, column="profile")
    return out


def pue(raw: RawCase, sites: gpd.GeoDataFrame, n_steps: int, p: Problems) -> pd.DataFrame:
    """Hourly PUE (time step × site); columns must be site ids."""
    df = raw.tables.get("pue")
    if df is None:
        return pd.DataFrame(index=range(n_steps))
    time_column(df, "pue", p, n_steps)
    names = []
    for c in df.columns:
        if c != "time" and c not in sites.index:
            p.add("pue.csv", f"column '{c}' is not a site id", column=c)
        elif c != "time":
            names.append(c)
    tables.check_values("pue", df, names, p)
    return pd.DataFrame({c: tables.numbers(df[c]) for c in names}, index=range(len(df)))
