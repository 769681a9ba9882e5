"""The power-system tables of a case, checked by their schemas and read: regions, load,
technologies, resources, profiles, corridors.

Each function checks its table with :mod:`model.inputs.tables` (the schema's column checks),
adds the checks across tables (ids that must exist elsewhere, time steps that must agree,
lengths from the geometry) and reads the table by its schema, adding the defaults that are
computed from other columns or tables.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from model.inputs import tables
from model.inputs.geo import great_circle_km, representative_lonlat, to_4326
from model.inputs.problems import Problems
from model.inputs.read import DEFAULT_FIRM_DURATION_HOURS, RawCase
from model.inputs.schemas import declared_columns, file_name


def read_table(raw: RawCase, table: str) -> tuple[pd.DataFrame, str]:
    """The table with its ids trimmed, and its file name; unknown columns warned about."""
    df = raw.geo[table] if table in raw.geo else raw.tables[table]
    file = df.attrs.get("file", file_name(table))
    df = tables.normalise(table, df)
    tables.warn_unknown_columns(table, df, file)
    return df, file


def time_column(df: pd.DataFrame, table: str, p: Problems, n_steps: int | None) -> None:
    """The time column of a time series, and its length against load.csv's."""
    file = file_name(table)
    tables.check(table, df[["time"]] if "time" in df.columns else df.iloc[:, :0], p)
    if "time" in df.columns and n_steps is not None and len(df) != n_steps:
        p.add(file, f"has {len(df)} time steps but load.csv has {n_steps}", column="time",
              hint="all time-series files must have the same rows")


# ------------------------------------------------------------------------------ regions
def regions(raw: RawCase, p: Problems) -> gpd.GeoDataFrame:
    """Regions (``id`` still a column), with name, group and node location lon/lat."""
    gdf, file = read_table(raw, "regions")
    tables.check("regions", gdf, p, file)
    before = len(p.items)
    gdf = to_4326(gdf, file, p, points_only=False)
    defaults = {"name": gdf["id"]} if "id" in gdf.columns else {}
    if gdf.crs is not None and len(p.items) == before:
        # node location: the given lon/lat (e.g. the capital), else a representative point
        lon, lat = representative_lonlat(gdf)
        defaults |= {"lon": pd.Series(lon, index=gdf.index),
                     "lat": pd.Series(lat, index=gdf.index)}
    return tables.parse("regions", gdf, defaults)


# --------------------------------------------------------------------------------- load
def load(raw: RawCase, region_ids: list[str], p: Problems) -> tuple[pd.DataFrame, pd.Index]:
    """Base load (time step × region, MW; a region without a column: 0) and the time
    labels, which every other time series must match."""
    df = raw.tables["load"]
    time_column(df, "load", p, None)
    n_steps = len(df)
    if n_steps == 0:
        p.add("load.csv", "has no time steps", hint="one row per hour")
    names = [c for c in df.columns if c != "time"]
    for c in names:
        if c not in region_ids:
            p.add("load.csv", f"column '{c}' is not a region id", column=c,
                  hint="name load columns after regions.geojson ids")
    names = [c for c in names if c in region_ids]
    tables.check_values("load", df, names, p)
    load_mw = pd.DataFrame(0.0, index=range(n_steps), columns=region_ids)
    for c in names:
        load_mw[c] = tables.numbers(df[c])
    time = pd.Index(df["time"].astype(str) if "time" in df else range(n_steps), name="time")
    return load_mw, time


# ------------------------------------------------------------------------- technologies
def technologies(raw: RawCase, p: Problems) -> tuple[pd.DataFrame, list[str]]:
    """Technologies indexed by tech, and their ids ([] when the table cannot be read)."""
    df, file = read_table(raw, "technologies")
    tables.check("technologies", df, p, file)
    if not tables.has_required("technologies", df):
        return df, []
    df = tables.parse("technologies", df)
    # storage counts as firm only for as long as it can hold its output (docs/inputs.md)
    df["firm_duration_hours"] = df["firm_duration_hours"].where(
        df["firm_duration_hours"].notna() | (df["kind"] != "storage"),
        DEFAULT_FIRM_DURATION_HOURS)
    df = df.set_index("tech")
    return df, list(df.index)


# ---------------------------------------------------------------------------- resources
def resources(raw: RawCase, node_ids: list[str], tech_ids: list[str],
              p: Problems) -> pd.DataFrame:
    df, file = read_table(raw, "resources")
    tables.check("resources", df, p, file)
    if tables.has_required("resources", df):
        p.references(df, file, "node", node_ids, "node")
        if tech_ids:
            p.references(df, file, "tech", tech_ids, "tech")
        df = tables.parse("resources", df)
    return df.reset_index(drop=True)


# ----------------------------------------------------------------------------- profiles
def profiles(raw: RawCase, res: pd.DataFrame, n_steps: int, p: Problems) -> pd.DataFrame:
    """Availability (time step × "node:tech"); columns must name rows of resources.csv."""
    df = raw.tables.get("profiles")
    if df is None:
        return pd.DataFrame(index=range(n_steps))
    time_column(df, "profiles", p, n_steps)
    keys = (set(res["node"] + ":" + res["tech"]) if {"node", "tech"} <= set(res.columns)
            else set())
    names = []
    for c in df.columns:
        if c == "time":
            continue
        if ":" not in c:
            p.add("profiles.csv", f"column '{c}' is not of the form node:tech", column=c)
        elif c not in keys:
            p.add("profiles.csv", f"column '{c}' has no row in resources.csv", column=c,
                  hint="add the node and tech to resources.csv or drop the column")
        else:
            names.append(c)
    tables.check_values("profiles", df, names, p)
    cols = {c: tables.numbers(df[c]) for c in names if len(df) == n_steps}
    return pd.DataFrame(cols, index=range(n_steps))


# ---------------------------------------------------------------------------- corridors
def corridors(raw: RawCase, node_ids: list[str], regions: gpd.GeoDataFrame,
              sites: gpd.GeoDataFrame, p: Problems) -> pd.DataFrame:
    """Corridors with every column; a missing length is the great-circle distance."""
    empty = pd.DataFrame(columns=[c for c in declared_columns("corridors") if c != "kind"])
    if raw.tables.get("corridors") is None or len(raw.tables["corridors"]) == 0:
        return empty
    df, file = read_table(raw, "corridors")
    tables.check("corridors", df, p, file)
    if not tables.has_required("corridors", df):
        return empty
    p.references(df, file, "from", node_ids, "node")
    p.references(df, file, "to", node_ids, "node")
    df = tables.parse("corridors", df, {"name": df["from"] + "-" + df["to"]})
    df["length_km"] = _lengths(df, regions, sites)
    lossy = df["loss_per_1000km"] * df["length_km"] / 1000.0
    for i in np.flatnonzero((lossy >= 1.0).to_numpy()):
        p.add(file, "losses of 100 % or more over this length", row=i + 1,
              column="loss_per_1000km")
    return df.reset_index(drop=True)


def _lengths(df: pd.DataFrame, regions: gpd.GeoDataFrame,
             sites: gpd.GeoDataFrame) -> pd.Series:
    """``length_km``, else the great-circle distance between the node locations."""
    length = df["length_km"]
    lonlat = pd.concat([regions.set_index("id")[["lon", "lat"]] if "id" in regions else
                        pd.DataFrame(columns=["lon", "lat"]), sites[["lon", "lat"]]])
    if length.isna().any() and len(lonlat):
        lonlat = lonlat[~lonlat.index.duplicated()]
        a = lonlat.reindex(df["from"])
        b = lonlat.reindex(df["to"])
        gc = great_circle_km(a["lon"], a["lat"], b["lon"], b["lat"])
        length = length.fillna(pd.Series(gc, index=df.index))
    return length
