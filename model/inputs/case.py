"""Case folders: read the files (``RawCase``), validate them, and build a ``Case``.

Data flow: files → :func:`read_raw` → (scenario overrides, :mod:`model.scenarios`) →
:func:`validate` → :class:`Case`. Nothing after this module reads files of the case.

Every check reports file, row and column; all problems are collected and raised together as
:class:`model.validation.CaseError` before any model is built. The file contract is
``docs/inputs.md``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from model.inputs.checks import check_case
from model.inputs.geo import great_circle_km, representative_lonlat
from model.inputs.problems import CaseError, Problem, Problems
from model.inputs.read import (
    CONFIG_KEYS,
    DEFAULT_FIRM_DURATION_HOURS,
    DEFAULT_LATENCY,
    DEFAULT_SOLVER,
    RawCase,
    read_raw,
)


@dataclass
class Case:
    """A validated case. Tables carry every optional column, filled with its default."""

    name: str
    path: Path
    config: dict
    currency: str
    discount_rate: float
    value_of_lost_load: float
    time: pd.Index
    weights: np.ndarray  # hours represented by each step
    regions: gpd.GeoDataFrame  # index id; columns name, group, lon, lat, geometry
    load: pd.DataFrame  # time step × region, MW
    technologies: pd.DataFrame  # index tech
    resources: pd.DataFrame  # node, tech, existing_mw, existing_mwh, max_new_mw, max_new_mwh
    profiles: pd.DataFrame  # time step × "node:tech", availability
    corridors: pd.DataFrame  # from, to, length_km, ...
    sites: gpd.GeoDataFrame  # index id
    demand_centres: gpd.GeoDataFrame  # index id
    compute_demand: pd.DataFrame  # centre, class, it_mw, profile
    workloads: pd.DataFrame  # index class
    pue: pd.DataFrame  # time step × site, hourly PUE
    compute_profiles: pd.DataFrame  # time step × profile name
    latency: dict
    solver: dict
    policies: dict
    scenario_names: list[str] = field(default_factory=list)
    # periods for storage/flexibility cycling: period id of each step (one period = whole
    # horizon unless time is reduced to representative periods)
    period_of_step: np.ndarray | None = None
    # hours in each step (1 for hourly data; segments of representative days are longer)
    step_hours: np.ndarray | None = None
    full_time_case: Case | None = None
    reduction: dict | None = None  # how time was reduced (None: full time)

    @property
    def n_steps(self) -> int:
        return len(self.time)

    @property
    def nodes(self) -> pd.DataFrame:
        """All nodes (regions, then sites) with kind, host region, lon and lat."""
        reg = pd.DataFrame({"kind": "region", "region": self.regions.index,
                            "lon": self.regions["lon"], "lat": self.regions["lat"]},
                           index=self.regions.index)
        site = pd.DataFrame({"kind": "site", "region": self.sites["region"],
                             "lon": self.sites["lon"], "lat": self.sites["lat"]},
                            index=self.sites.index)
        out = pd.concat([reg, site]) if len(site) else reg
        out.index.name = "node"
        return out

    @property
    def hours(self) -> np.ndarray:
        """Hours in each step (storage and flexible work move this much per step)."""
        if self.step_hours is None:
            return np.ones(self.n_steps)
        return self.step_hours

    @property
    def periods(self) -> np.ndarray:
        if self.period_of_step is None:
            return np.zeros(self.n_steps, dtype=np.int64)
        return self.period_of_step


def load_case(path: str | Path, scenarios: list | None = None,
              checks: Sequence[Callable[[Case], list[Problem]]] = (),
              policy_keys: Collection[str] | None = None) -> Case:
    """Read, apply scenario overrides (files or dicts, in order) and validate a case.

    ``checks`` and ``policy_keys`` (the known policy levers, for scenario keys) come from the
    layers above; :func:`model.studies.prepare.load_case` passes the formulation's."""
    from model.inputs.scenarios import apply_scenarios

    raw = read_raw(path)
    if scenarios:
        raw = apply_scenarios(raw, scenarios, policy_keys)
    return validate(raw, checks)


# ------------------------------------------------------------------------- validation
def _ids(df: pd.DataFrame, file: str, col: str, problems: Problems) -> pd.Series:
    ids = df[col].astype(str).str.strip()
    for i in np.flatnonzero(df[col].isna().to_numpy()):
        problems.add(file, "id is missing", row=i + 1, column=col)
    for i in np.flatnonzero(ids.str.contains(":").to_numpy()):
        problems.add(file, f"id '{ids.iloc[i]}' contains ':'", row=i + 1, column=col,
                     hint="':' separates node and tech in profiles; rename the id")
    return ids


def _geo_to_4326(gdf: gpd.GeoDataFrame, file: str, problems: Problems, points_only: bool):
    if gdf.crs is None:
        problems.add(file, "geometry has no coordinate reference system (CRS)",
                     hint="save the file with a CRS, e.g. EPSG:4326")
        return gdf
    gdf = gdf.to_crs(4326)
    for i, geom in enumerate(gdf.geometry):
        if geom is None or geom.is_empty:
            problems.add(file, "geometry is missing", row=i + 1, column="geometry")
        elif not geom.is_valid:
            problems.add(file, "geometry is invalid (self-intersecting or broken)",
                         row=i + 1, column="geometry", hint="repair it, e.g. with buffer(0)")
        elif points_only and geom.geom_type != "Point":
            problems.add(file, f"geometry must be a point, got {geom.geom_type}",
                         row=i + 1, column="geometry")
    return gdf


def _time_table(df: pd.DataFrame, file: str, problems: Problems, n_steps: int | None):
    if "time" not in df.columns:
        problems.add(file, "required column is missing", column="time",
                     hint="the first column must be 'time'")
        return df
    if n_steps is not None and len(df) != n_steps:
        problems.add(file, f"has {len(df)} time steps but load.csv has {n_steps}",
                     column="time", hint="all time-series files must have the same rows")
    return df


TRUE_WORDS = ("true", "1", "yes", "1.0")
FALSE_WORDS = ("false", "0", "no", "0.0", "", "nan", "none")


def _flag(df: pd.DataFrame, file: str, column: str, p: Problems) -> pd.Series:
    """A true/false column (empty = false); anything else is reported."""
    if column not in df:
        return pd.Series(False, index=df.index)
    words = df[column].map(lambda v: str(v).strip().lower())
    for i in np.flatnonzero(~words.isin(TRUE_WORDS + FALSE_WORDS).to_numpy()):
        p.add(file, f"'{df[column].iloc[i]}' is not true or false", row=i + 1, column=column)
    return words.isin(TRUE_WORDS)


def _point_lonlat(gdf) -> tuple[np.ndarray, np.ndarray]:
    """Lon/lat of point geometries (NaN for missing or non-point ones, already reported)."""
    n = len(gdf)
    lon, lat = np.full(n, np.nan), np.full(n, np.nan)
    if gdf.crs is None:
        return lon, lat
    for i, g in enumerate(gdf.geometry):
        if g is not None and not g.is_empty and g.geom_type == "Point":
            lon[i], lat[i] = g.x, g.y
    return lon, lat


def validate(raw: RawCase, checks: Sequence[Callable[[Case], list[Problem]]] = ()) -> Case:
    """Check every table and build the :class:`Case` (raises CaseError with all problems).

    ``checks``: further checks of the whole case from the layers above (the policy levers'
    values, :func:`model.formulation.policies.validate_policies`), run before the
    cross-table checks."""
    p = Problems()
    cfg = dict(raw.config)
    for key in cfg:
        if key not in CONFIG_KEYS:
            p.add("case.yaml", f"unknown key '{key}'",
                  hint=f"known keys: {', '.join(sorted(CONFIG_KEYS))}")
    if "name" not in cfg:
        p.add("case.yaml", "required key 'name' is missing")
    if "discount_rate" not in cfg:
        p.add("case.yaml", "required key 'discount_rate' is missing",
              hint="e.g. discount_rate: 0.07")
    discount_rate = float(cfg.get("discount_rate", 0.0) or 0.0)
    if not 0.0 <= discount_rate < 1.0:
        p.add("case.yaml", f"discount_rate {discount_rate} must be in [0, 1)",
              hint="write 0.07 for 7 %")
    voll = float(cfg.get("value_of_lost_load_per_mwh", 10000.0))
    if voll <= 0:
        p.add("case.yaml", "value_of_lost_load_per_mwh must be > 0")

    # --- regions
    regions = raw.geo["regions"].copy()
    rfile = regions.attrs.get("file", "regions.geojson")
    if p.require_columns(regions, rfile, ["id"]):
        regions["id"] = _ids(regions, rfile, "id", p)
        p.unique(regions, rfile, ["id"])
    regions = _geo_to_4326(regions, rfile, p, points_only=False)
    if "name" not in regions.columns:
        regions["name"] = regions.get("id")
    if "group" not in regions.columns:
        regions["group"] = ""
    regions["group"] = regions["group"].fillna("").astype(str)
    if "id" in regions.columns and regions.crs is not None and not p.items:
        # node location: optional lon/lat columns (e.g. the capital), else representative point
        rep_lon, rep_lat = representative_lonlat(regions)
        given_lon = p.numeric(regions, rfile, "lon", min_value=-180, max_value=180)
        given_lat = p.numeric(regions, rfile, "lat", min_value=-90, max_value=90)
        regions["lon"] = given_lon.fillna(pd.Series(rep_lon, index=regions.index)).to_numpy()
        regions["lat"] = given_lat.fillna(pd.Series(rep_lat, index=regions.index)).to_numpy()
    else:
        regions["lon"] = regions["lat"] = np.nan
    region_ids = list(regions["id"]) if "id" in regions.columns else []

    # --- load (defines the time steps)
    load = raw.tables["load"].copy()
    _time_table(load, "load.csv", p, None)
    n_steps = len(load)
    if n_steps == 0:
        p.add("load.csv", "has no time steps", hint="one row per hour")
    time = pd.Index(load["time"].astype(str) if "time" in load else range(n_steps),
                    name="time")
    load_cols = [c for c in load.columns if c != "time"]
    for c in load_cols:
        if c not in region_ids:
            p.add("load.csv", f"column '{c}' is not a region id", column=c,
                  hint="name load columns after regions.geojson ids")
    load_mw = pd.DataFrame(0.0, index=range(n_steps), columns=region_ids)
    for c in load_cols:
        if c in region_ids:
            load_mw[c] = p.numeric(load, "load.csv", c, required=True, min_value=0.0).to_numpy()
    if "time" in load and load["time"].duplicated().any():
        i = int(np.flatnonzero(load["time"].duplicated().to_numpy())[0])
        p.add("load.csv", f"duplicate time '{load['time'].iloc[i]}'", row=i + 1, column="time")

    # --- time weights
    w = cfg.get("time_step_weight_hours")
    if w is None:
        weight = 8760.0 / n_steps if n_steps else 1.0
    else:
        weight = float(w)
        if weight <= 0:
            p.add("case.yaml", "time_step_weight_hours must be > 0")
    weights = np.full(n_steps, weight)

    # --- technologies
    tech = raw.tables["technologies"].copy()
    tfile = "technologies.csv"
    techs_ok = p.require_columns(tech, tfile, ["tech", "kind", "capex_per_kw", "lifetime_years"])
    if techs_ok:
        tech["tech"] = _ids(tech, tfile, "tech", p)
        p.unique(tech, tfile, ["tech"])
        kind = tech["kind"].astype(str).str.strip().str.lower()
        for i in np.flatnonzero(~kind.isin(["generator", "storage"]).to_numpy()):
            p.add(tfile, f"kind '{tech['kind'].iloc[i]}' is not 'generator' or 'storage'",
                  row=i + 1, column="kind")
        tech["kind"] = kind
        tech["capex_per_kw"] = p.numeric(tech, tfile, "capex_per_kw", required=True,
                                         min_value=0)
        tech["lifetime_years"] = p.numeric(tech, tfile, "lifetime_years", required=True,
                                           min_value=0, strict_min=True)
        for col in ("fixed_om_per_kw_year", "var_om_per_mwh", "fuel_cost_per_mwh",
                    "co2_t_per_mwh", "capex_per_kwh"):
            tech[col] = p.numeric(tech, tfile, col, default=0.0, min_value=0)
        for col in ("efficiency_charge", "efficiency_discharge"):
            tech[col] = p.numeric(tech, tfile, col, default=1.0, min_value=0, strict_min=True,
                                  max_value=1.0)
        tech["duration_hours"] = p.numeric(tech, tfile, "duration_hours", min_value=0,
                                           strict_min=True)
        tech["clean"] = _flag(tech, tfile, "clean", p)
        # storage counts as firm only for as long as it can hold its output (docs/inputs.md)
        tech["firm_duration_hours"] = p.numeric(
            tech, tfile, "firm_duration_hours", min_value=0, strict_min=True).where(
            lambda v: v.notna() | (tech["kind"] != "storage"), DEFAULT_FIRM_DURATION_HOURS)
        tech["capacity_credit"] = p.numeric(tech, tfile, "capacity_credit", min_value=0,
                                            max_value=1.0)
        tech = tech.set_index("tech")
    tech_ids = list(tech.index) if techs_ok else []

    # --- sites (needed to know the node ids)
    sites, site_problems = _validate_sites(raw, regions, region_ids, p)
    site_ids = list(sites.index)
    node_ids = region_ids + site_ids
    dup_nodes = set(region_ids) & set(site_ids)
    for s in sorted(dup_nodes):
        p.add("sites.geojson", f"site id '{s}' is also a region id", column="id",
              hint="node ids must be unique across regions and sites")

    # --- resources
    res = raw.tables["resources"].copy()
    sfile = "resources.csv"
    if p.require_columns(res, sfile, ["node", "tech"]):
        res["node"] = res["node"].astype(str).str.strip()
        res["tech"] = res["tech"].astype(str).str.strip()
        p.references(res, sfile, "node", node_ids, "node")
        if tech_ids:
            p.references(res, sfile, "tech", tech_ids, "tech")
        p.unique(res, sfile, ["node", "tech"])
        res["existing_mw"] = p.numeric(res, sfile, "existing_mw", default=0.0, min_value=0)
        res["existing_mwh"] = p.numeric(res, sfile, "existing_mwh", default=0.0, min_value=0)
        res["max_new_mw"] = p.numeric(res, sfile, "max_new_mw", min_value=0).fillna(np.inf)
        res["max_new_mwh"] = p.numeric(res, sfile, "max_new_mwh", min_value=0).fillna(np.inf)
    res = res.reset_index(drop=True)

    # --- profiles
    prof_raw = raw.tables.get("profiles")
    profiles = pd.DataFrame(index=range(n_steps))
    if prof_raw is not None:
        _time_table(prof_raw, "profiles.csv", p, n_steps)
        res_keys = set(res["node"] + ":" + res["tech"]) if "node" in res else set()
        cols = {}
        for c in prof_raw.columns:
            if c == "time":
                continue
            if ":" not in c:
                p.add("profiles.csv", f"column '{c}' is not of the form node:tech", column=c)
                continue
            if c not in res_keys:
                p.add("profiles.csv", f"column '{c}' has no row in resources.csv", column=c,
                      hint="add the node and tech to resources.csv or drop the column")
                continue
            vals = p.numeric(prof_raw, "profiles.csv", c, required=True, min_value=0.0,
                             max_value=1.0)
            if len(vals) == n_steps:
                cols[c] = vals.to_numpy()
        profiles = pd.DataFrame(cols, index=range(n_steps))

    # --- corridors
    corridors = _validate_corridors(raw, node_ids, regions, sites, p)

    # --- compute side
    centres, demand, workloads, pue, cprof = _validate_compute(raw, sites, n_steps, p)

    policies = cfg.get("policies") or {}
    if not isinstance(policies, dict):
        p.add("case.yaml", "'policies' must be a mapping")
        policies = {}
    latency = {**DEFAULT_LATENCY, **(cfg.get("latency") or {})}
    solver = {**DEFAULT_SOLVER, **(cfg.get("solver") or {})}

    p.raise_if_any()
    del site_problems

    regions = regions.set_index("id")
    case = Case(
        name=str(cfg.get("name", raw.path.name)),
        path=raw.path,
        config=cfg,
        currency=str(cfg.get("currency", "EUR")),
        discount_rate=discount_rate,
        value_of_lost_load=voll,
        time=time,
        weights=weights,
        regions=regions,
        load=load_mw,
        technologies=tech,
        resources=res,
        profiles=profiles,
        corridors=corridors,
        sites=sites,
        demand_centres=centres,
        compute_demand=demand,
        workloads=workloads,
        pue=pue,
        compute_profiles=cprof,
        latency=latency,
        solver=solver,
        policies=policies,
        scenario_names=list(raw.scenario_names),
    )
    problems = [q for check in checks for q in check(case)]
    if problems:
        raise CaseError(problems)
    check_case(case)
    return case


def _validate_corridors(raw, node_ids, regions, sites, p: Problems) -> pd.DataFrame:
    cols = ["from", "to", "existing_mw", "max_new_mw", "length_km", "cost_per_mw_km",
            "lifetime_years", "loss_per_1000km", "block_mw", "name"]
    df = raw.tables.get("corridors")
    if df is None or len(df) == 0:
        return pd.DataFrame(columns=cols)
    df = df.copy()
    f = "corridors.csv"
    if not p.require_columns(df, f, ["from", "to"]):
        return pd.DataFrame(columns=cols)
    df["from"] = df["from"].astype(str).str.strip()
    df["to"] = df["to"].astype(str).str.strip()
    p.references(df, f, "from", node_ids, "node")
    p.references(df, f, "to", node_ids, "node")
    for i in np.flatnonzero((df["from"] == df["to"]).to_numpy()):
        p.add(f, "corridor joins a node to itself", row=i + 1, column="to")
    df["existing_mw"] = p.numeric(df, f, "existing_mw", default=0.0, min_value=0)
    df["max_new_mw"] = p.numeric(df, f, "max_new_mw", min_value=0).fillna(np.inf)
    df["cost_per_mw_km"] = p.numeric(df, f, "cost_per_mw_km", default=0.0, min_value=0)
    df["lifetime_years"] = p.numeric(df, f, "lifetime_years", default=40.0, min_value=0,
                                     strict_min=True)
    df["loss_per_1000km"] = p.numeric(df, f, "loss_per_1000km", default=0.0, min_value=0,
                                      max_value=1.0)
    df["block_mw"] = p.numeric(df, f, "block_mw", min_value=0, strict_min=True)
    length = p.numeric(df, f, "length_km", min_value=0)
    if "name" not in df:
        df["name"] = df["from"] + "-" + df["to"]
    df["name"] = df["name"].fillna(df["from"] + "-" + df["to"]).astype(str)
    # great-circle length between node locations where no length is given
    lonlat = pd.concat([regions.set_index("id")[["lon", "lat"]] if "id" in regions else
                        pd.DataFrame(columns=["lon", "lat"]), sites[["lon", "lat"]]])
    if length.isna().any() and len(lonlat):
        lonlat = lonlat[~lonlat.index.duplicated()]
        a = lonlat.reindex(df["from"])
        b = lonlat.reindex(df["to"])
        gc = great_circle_km(a["lon"], a["lat"], b["lon"], b["lat"])
        length = length.fillna(pd.Series(gc, index=df.index))
    df["length_km"] = length
    lossy = df["loss_per_1000km"] * df["length_km"] / 1000.0
    for i in np.flatnonzero((lossy >= 1.0).to_numpy()):
        p.add(f, "losses of 100 % or more over this length", row=i + 1, column="loss_per_1000km")
    return df.reset_index(drop=True)


def _validate_sites(raw, regions, region_ids, p: Problems):
    cols = ["region", "name", "group", "max_it_mw", "min_it_mw", "module_mw", "capex_per_kw_it",
            "fixed_cost", "lifetime_years", "fixed_om_per_kw_it_year", "pue", "idle_share",
            "grid_limit_mw", "existing_it_mw", "grid_cost_per_kw", "grid_lifetime_years",
            "grid_existing_mw", "grid_export", "lon", "lat", "geometry"]
    gdf = raw.geo.get("sites")
    if gdf is None or len(gdf) == 0:
        empty = gpd.GeoDataFrame(columns=cols, geometry="geometry", crs=4326)
        empty.index.name = "id"
        return empty, []
    f = gdf.attrs.get("file", "sites.geojson")
    gdf = gdf.copy()
    if not p.require_columns(gdf, f, ["id"]):
        empty = gpd.GeoDataFrame(columns=cols, geometry="geometry", crs=4326)
        return empty, []
    gdf["id"] = _ids(gdf, f, "id", p)
    p.unique(gdf, f, ["id"])
    gdf = _geo_to_4326(gdf, f, p, points_only=True)
    gdf["lon"], gdf["lat"] = _point_lonlat(gdf)
    # host region: given, else spatial join (nearest region when outside every polygon)
    given = gdf["region"] if "region" in gdf else pd.Series(np.nan, index=gdf.index)
    given = given.astype(object)
    given = given.where(given.notna() & (given.astype(str).str.strip() != ""), None)
    missing = given.isna().to_numpy() & gdf.geometry.notna().to_numpy()
    if missing.any() and regions.crs is not None and "id" in regions and gdf.crs is not None:
        for idx, rid in _host_regions(gdf.loc[missing], regions, f, p).items():
            given.loc[idx] = rid
    gdf["region"] = given.astype(str).str.strip()
    p.references(gdf, f, "region", region_ids, "region")
    for col, default, lo in (("max_it_mw", np.inf, 0), ("min_it_mw", 0.0, 0),
                             ("capex_per_kw_it", 0.0, 0), ("fixed_cost", 0.0, 0),
                             ("lifetime_years", 15.0, 0), ("fixed_om_per_kw_it_year", 0.0, 0),
                             ("pue", 1.2, 1.0), ("idle_share", 0.0, 0),
                             ("grid_limit_mw", np.inf, 0), ("existing_it_mw", 0.0, 0),
                             ("grid_cost_per_kw", 0.0, 0), ("grid_lifetime_years", 40.0, 0)):
        gdf[col] = p.numeric(gdf, f, col, default=None, min_value=lo).fillna(default)
    # an existing site's connection exists: by default as large as its existing IT draws
    existing_conn = np.minimum(gdf["grid_limit_mw"], gdf["existing_it_mw"] * gdf["pue"])
    gdf["grid_existing_mw"] = p.numeric(gdf, f, "grid_existing_mw", min_value=0).fillna(
        existing_conn)
    gdf["grid_export"] = _flag(gdf, f, "grid_export", p)
    for i in np.flatnonzero((gdf["grid_existing_mw"] > gdf["grid_limit_mw"]).to_numpy()):
        p.add(f, "grid_existing_mw exceeds grid_limit_mw", row=i + 1, column="grid_existing_mw")
    gdf["module_mw"] = p.numeric(gdf, f, "module_mw", min_value=0, strict_min=True)
    for i in np.flatnonzero((gdf["idle_share"] > 1).to_numpy()):
        p.add(f, "idle_share must be <= 1", row=i + 1, column="idle_share")
    for i in np.flatnonzero((gdf["min_it_mw"] > gdf["max_it_mw"]).to_numpy()):
        p.add(f, "min_it_mw exceeds max_it_mw", row=i + 1, column="min_it_mw")
    if "name" not in gdf:
        gdf["name"] = gdf["id"]
    if "group" not in gdf:
        gdf["group"] = ""
    gdf["group"] = gdf["group"].fillna("").astype(str)
    gdf = gdf.set_index("id")
    return gdf, []


SITE_REGION_TOLERANCE_KM = 100.0


def _host_regions(points: gpd.GeoDataFrame, regions: gpd.GeoDataFrame, file: str,
                  p: Problems) -> dict:
    """Region of each point: the polygon it lies in; else the nearest region within
    SITE_REGION_TOLERANCE_KM (with a warning; point regions: simply the nearest)."""
    from shapely.ops import nearest_points

    out = {}
    geoms = regions.geometry.to_numpy()
    is_area = np.array([g is not None and g.geom_type in ("Polygon", "MultiPolygon")
                        for g in geoms])
    for idx, pt in zip(points.index, points.geometry, strict=True):
        inside = [i for i in np.flatnonzero(is_area) if geoms[i].covers(pt)]
        if inside:
            out[idx] = regions["id"].iloc[inside[0]]
            continue
        dist = np.full(len(geoms), np.inf)
        for i, g in enumerate(geoms):
            if g is None or g.is_empty:
                continue
            q = nearest_points(g, pt)[0]
            dist[i] = float(great_circle_km(pt.x, pt.y, q.x, q.y))
        best = int(np.argmin(dist))
        name = points.at[idx, "id"] if "id" in points else idx
        if is_area[best] and dist[best] > SITE_REGION_TOLERANCE_KM:
            p.add(file, f"'{name}' lies {dist[best]:.0f} km outside every region",
                  row=int(idx) + 1, column="geometry",
                  hint="fix its coordinates or name its host region in a 'region' column")
            continue
        if is_area[best]:
            warnings.warn(f"{file}: '{name}' lies outside every region; assigned to the "
                          f"nearest region '{regions['id'].iloc[best]}' "
                          f"({dist[best]:.0f} km away)", UserWarning, stacklevel=4)
        out[idx] = regions["id"].iloc[best]
    return out


def _validate_compute(raw, sites, n_steps, p: Problems):
    centres = raw.geo.get("demand_centres")
    if centres is None:
        centres = gpd.GeoDataFrame({"id": [], "lon": [], "lat": []}, geometry=[], crs=4326)
    else:
        f = centres.attrs.get("file", "demand_centres.geojson")
        centres = centres.copy()
        if p.require_columns(centres, f, ["id"]):
            centres["id"] = _ids(centres, f, "id", p)
            p.unique(centres, f, ["id"])
        centres = _geo_to_4326(centres, f, p, points_only=True)
        centres["lon"], centres["lat"] = _point_lonlat(centres)
    if "name" not in centres:
        centres["name"] = centres.get("id")
    centres = centres.set_index("id") if "id" in centres else centres

    wl = raw.tables.get("workloads")
    wf = "workloads.csv"
    if wl is None:
        wl = pd.DataFrame({"class": []})
    wl = wl.copy()
    if len(wl) and p.require_columns(wl, wf, ["class", "max_latency_ms"]):
        wl["class"] = _ids(wl, wf, "class", p)
        p.unique(wl, wf, ["class"])
        wl["max_latency_ms"] = p.numeric(wl, wf, "max_latency_ms", required=True, min_value=0)
        wl["flexible_share"] = p.numeric(wl, wf, "flexible_share", default=0.0, min_value=0,
                                         max_value=1)
        wl["window_hours"] = p.numeric(wl, wf, "window_hours", default=24.0, min_value=1)
        voll = float(raw.config.get("value_of_lost_load_per_mwh", 10000.0))
        wl["value_of_lost_compute_per_mwh"] = p.numeric(
            wl, wf, "value_of_lost_compute_per_mwh", default=voll, min_value=0)
    else:
        for col in ("max_latency_ms", "flexible_share", "window_hours",
                    "value_of_lost_compute_per_mwh"):
            wl[col] = pd.Series(dtype=float)
    wl = wl.set_index("class") if "class" in wl else wl

    cd = raw.tables.get("compute_demand")
    df_ = "compute_demand.csv"
    if cd is None:
        cd = pd.DataFrame({"centre": [], "class": [], "it_mw": [], "profile": []})
    cd = cd.copy()
    if len(cd) and p.require_columns(cd, df_, ["centre", "class", "it_mw"]):
        cd["centre"] = cd["centre"].astype(str).str.strip()
        cd["class"] = cd["class"].astype(str).str.strip()
        p.references(cd, df_, "centre", list(centres.index), "demand centre")
        p.references(cd, df_, "class", list(wl.index), "workload class")
        p.unique(cd, df_, ["centre", "class"])
        cd["it_mw"] = p.numeric(cd, df_, "it_mw", required=True, min_value=0)
    if "profile" not in cd:
        cd["profile"] = ""
    cd["profile"] = cd["profile"].fillna("").astype(str)

    cprof_raw = raw.tables.get("compute_profiles")
    cprof = pd.DataFrame(index=range(n_steps))
    if cprof_raw is not None:
        _time_table(cprof_raw, "compute_profiles.csv", p, n_steps)
        cols = {c: p.numeric(cprof_raw, "compute_profiles.csv", c, required=True,
                             min_value=0).to_numpy()
                for c in cprof_raw.columns if c != "time"}
        cprof = pd.DataFrame(cols, index=range(len(cprof_raw)))
    for i, prof in enumerate(cd["profile"]):
        if prof and prof not in cprof.columns:
            p.add(df_, f"profile '{prof}' is not a column of compute_profiles.csv", row=i + 1,
                  column="profile")

    pue_raw = raw.tables.get("pue")
    pue = pd.DataFrame(index=range(n_steps))
    if pue_raw is not None:
        _time_table(pue_raw, "pue.csv", p, n_steps)
        cols = {}
        for c in pue_raw.columns:
            if c == "time":
                continue
            if c not in sites.index:
                p.add("pue.csv", f"column '{c}' is not a site id", column=c)
                continue
            cols[c] = p.numeric(pue_raw, "pue.csv", c, required=True, min_value=1.0).to_numpy()
        pue = pd.DataFrame(cols, index=range(len(pue_raw)))
    return centres, cd.reset_index(drop=True), wl, pue, cprof
