"""Schemas of the compute tables: sites, pue, demand centres, compute demand, workloads,
compute profiles (one ``DataFrameModel`` per file; the column helpers are in
:mod:`model.inputs.schemas.fields`)."""

from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series
from pandera.typing.geopandas import GeoSeries

from model.inputs.schemas.fields import (
    flag,
    geometry,
    ident,
    notes,
    number,
    ref,
    row_check,
    text,
    time,
    values,
)

INF = float(np.inf)


def _column(df: pd.DataFrame, name: str, default: float) -> pd.Series:
    """A number column as checked by a row check (empty or missing: its default)."""
    if name not in df.columns:
        return pd.Series(default, index=df.index, dtype=float)
    return pd.to_numeric(df[name], errors="coerce").astype(float).fillna(default)


class Sites(pa.DataFrameModel):
    """One row per candidate data-centre site, each a node of its own joined to its host
    region by a grid connection."""

    id: Series[Any] = ident("site id")
    geometry: GeoSeries = geometry("point", "the site's location")
    region: Series[Any] = ref("region", "host region", required=False,
                              shown="spatial join (nearest region, with a warning, if outside "
                                    "all)")
    max_it_mw: Series[float] = number("MW IT", "largest IT capacity", default=INF, ge=0)
    min_it_mw: Series[float] = number("MW IT", "smallest IT capacity if built", default=0.0,
                                      ge=0)
    capex_per_kw_it: Series[float] = number("currency/kW IT", "overnight cost of IT capacity",
                                            default=0.0, ge=0)
    fixed_cost: Series[float] = number("currency", "overnight cost per built site",
                                       default=0.0, ge=0)
    lifetime_years: Series[float] = number("years", "annualises the site's capital costs",
                                           default=15.0, ge=0)
    fixed_om_per_kw_it_year: Series[float] = number("currency/kW IT/yr", "fixed operation and "
                                                    "maintenance", default=0.0, ge=0)
    pue: Series[float] = number("ratio", "power usage effectiveness; hourly values in pue.csv "
                                         "override", default=1.2, ge=1)
    idle_share: Series[float] = number("fraction", "share of IT capacity drawn even when idle",
                                       default=0.0, ge=0, le=1)
    grid_limit_mw: Series[float] = number("MW", "largest grid connection to the host region "
                                                "(a warning if empty)", default=INF, ge=0)
    existing_it_mw: Series[float] = number("MW IT", "IT already built (forces the site built; "
                                                    "modules add to it)", default=0.0, ge=0)
    grid_cost_per_kw: Series[float] = number("currency/kW", "overnight cost of new connection "
                                                            "(a warning if empty)", default=0.0,
                                             ge=0)
    grid_lifetime_years: Series[float] = number("years", "annualises grid_cost_per_kw",
                                                default=40.0, ge=0)
    grid_existing_mw: Series[float] = number("MW", "connection already in place (no cost)",
                                             ge=0, shown="min(grid_limit_mw, pue × "
                                                         "existing_it_mw)")
    lead_time_years: Series[float] = number(
        "years", "campus construction: from the decision to the first IT in operation "
        "(multi-period cases)", default=0.0, ge=0)
    grid_lead_time_years: Series[float] = number(
        "years", "time to energise a new grid connection (multi-period cases)", default=0.0,
        ge=0)
    grid_export: Series[Any] = flag("`true`: the connection may also export on-site power",
                                    shown="`false` (a load connection)")
    module_mw: Series[float] = number("MW IT", "IT per integer module", gt=0,
                                      shown="empty = continuous")
    name: Series[Any] = text("display name", shown="the id")
    group: Series[Any] = text("group label (e.g. `west-hub`)", default="")
    name_zh: Series[Any] = notes("name in Chinese (China case)")
    hub: Series[Any] = notes("national computing hub the site belongs to (China case)")
    source: Series[Any] = notes("where the site's figures come from")
    grid_limit_basis: Series[Any] = notes("where grid_limit_mw comes from")
    location_note: Series[Any] = notes("how the location was placed")

    class Config:
        metadata = {"file": "sites.geojson", "row_ids": ("id",)}
        unique = ["id"]

    @row_check("grid_existing_mw", "grid_existing_mw exceeds grid_limit_mw")
    def _existing_within_limit(cls, df: pd.DataFrame) -> pd.Series:
        given = _column(df, "grid_existing_mw", 0.0)
        return ~(given > _column(df, "grid_limit_mw", INF))

    @row_check("min_it_mw", "min_it_mw exceeds max_it_mw")
    def _min_within_max(cls, df: pd.DataFrame) -> pd.Series:
        return ~(_column(df, "min_it_mw", 0.0) > _column(df, "max_it_mw", INF))


class Pue(pa.DataFrameModel):
    """One row per time step: the hourly PUE of sites."""

    time: Series[Any] = time()
    value: Series[float] = values("ratio", "hourly PUE of the site (overrides its `pue`)",
                                  "one per site id", ge=1)

    class Config:
        metadata = {"file": "pue.csv", "row_ids": ("time",)}


class DemandCentres(pa.DataFrameModel):
    """One row per demand centre (where compute demand comes from)."""

    id: Series[Any] = ident("demand centre id")
    geometry: GeoSeries = geometry("point", "the centre's location")
    name: Series[Any] = text("display name", shown="the id")
    region: Series[Any] = text("region it lies in (reporting only)", unit="region id")
    gdp_bn_cny_2023: Series[Any] = notes("GDP 2023, bn CNY, that shares out demand (China "
                                         "case)")
    population_m: Series[Any] = notes("population, millions, that shares out demand (US case)")
    share: Series[Any] = notes("share of national demand (shipped cases)")

    class Config:
        metadata = {"file": "demand_centres.geojson", "row_ids": ("id",)}
        unique = ["id"]


class ComputeDemand(pa.DataFrameModel):
    """One row per centre × class."""

    centre: Series[Any] = ref("demand centre", "where the demand comes from")
    class_: Series[Any] = ref("workload class", "kind of work", alias="class")
    it_mw: Series[float] = number("MW IT", "average IT demand", required=True, ge=0)
    profile: Series[Any] = text("column of compute_profiles.csv: hourly multiplier, mean 1",
                                unit="profile name", default="", shown="flat")
    period: Series[float] = number("year", "the period (a year of `periods` in case.yaml) this "
                                   "row's demand is for; then every period needs a row",
                                   shown="every period (empty)")

    class Config:
        metadata = {"file": "compute_demand.csv", "row_ids": ("centre", "class")}
        unique = ["centre", "class", "period"]


class Workloads(pa.DataFrameModel):
    """One row per workload class."""

    class_: Series[Any] = ident("workload class", alias="class")
    max_latency_ms: Series[float] = number("ms", "largest round-trip latency from the centre "
                                                 "to the serving site", required=True, ge=0)
    flexible_share: Series[float] = number("fraction", "share of the demand that may move in "
                                                       "time", default=0.0, ge=0, le=1)
    window_hours: Series[float] = number("hours", "length of the windows within which flexible "
                                                  "work is conserved", default=24.0, ge=1)
    value_of_lost_compute_per_mwh: Series[float] = number(
        "currency/MWh", "penalty per MWh of IT work not served", ge=0,
        shown="`value_of_lost_load_per_mwh`")

    class Config:
        metadata = {"file": "workloads.csv", "row_ids": ("class",)}
        unique = ["class"]


class ComputeProfiles(pa.DataFrameModel):
    """One row per time step: hourly multipliers of compute demand."""

    time: Series[Any] = time()
    value: Series[float] = values("multiplier", "hourly multiplier of the demand rows that "
                                                "name the profile (mean 1)",
                                  "one per profile name", ge=0)

    class Config:
        metadata = {"file": "compute_profiles.csv", "row_ids": ("time",)}
