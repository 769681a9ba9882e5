"""Schemas of the power-system tables: regions, load, technologies, resources, profiles,
corridors (one ``DataFrameModel`` per file; the column helpers are in
:mod:`model.inputs.schemas.fields`)."""

from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series
from pandera.typing.geopandas import GeoSeries

from model.inputs.schemas.fields import (
    choice,
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


class Regions(pa.DataFrameModel):
    """One row per region."""

    id: Series[Any] = ident("region id")
    name: Series[Any] = text("display name", shown="the id")
    group: Series[Any] = text("group label (e.g. an ISO/RTO or grid area) for reporting and "
                              "policy groups", default="")
    lon: Series[float] = number("degrees", "longitude of the region's node (e.g. the capital)",
                                ge=-180, le=180, shown="representative point of the geometry")
    lat: Series[float] = number("degrees", "latitude of the region's node", ge=-90, le=90,
                                shown="representative point of the geometry")
    geometry: GeoSeries = geometry("polygon, multipolygon or point",
                                   "the region's area (or its point)")
    name_zh: Series[Any] = notes("name in Chinese (China case)")
    zone: Series[Any] = notes("east/west zone of the province (China case)")
    capital: Series[Any] = notes("capital city, the node location (China case)")
    area_km2: Series[Any] = notes("area, km² (shipped cases)")
    node_city: Series[Any] = notes("city taken as the node (US case)")
    node_lat: Series[Any] = notes("latitude of that city (US case; lon/lat place the node)")
    node_lon: Series[Any] = notes("longitude of that city (US case)")
    climate: Series[Any] = notes("climate class used to build PUE and load (US case)")
    utc_offset: Series[Any] = notes("standard-time UTC offset, hours (US case)")

    class Config:
        metadata = {"file": "regions.geojson", "required": True, "row_ids": ("id",)}
        unique = ["id"]


class Load(pa.DataFrameModel):
    """One row per time step: the base load of each region."""

    time: Series[Any] = time()
    value: Series[float] = values("MW", "base load of the region (a region without a column "
                                        "has none)", "one per region id", ge=0)

    class Config:
        metadata = {"file": "load.csv", "required": True, "row_ids": ("time",)}
        unique = ["time"]


class Technologies(pa.DataFrameModel):
    """One row per technology."""

    tech: Series[Any] = ident("technology id")
    kind: Series[Any] = choice(("generator", "storage"), "what the technology is")
    capex_per_kw: Series[float] = number("currency/kW", "overnight cost (storage: power part)",
                                         required=True, ge=0)
    lifetime_years: Series[float] = number("years", "economic lifetime (annualises the "
                                                    "capital cost)", required=True, gt=0)
    fixed_om_per_kw_year: Series[float] = number("currency/kW/yr", "fixed operation and "
                                                                   "maintenance", default=0.0,
                                                 ge=0)
    var_om_per_mwh: Series[float] = number("currency/MWh", "variable operation and maintenance "
                                           "(storage: per MWh discharged, measured at the grid)",
                                           default=0.0, ge=0)
    fuel_cost_per_mwh: Series[float] = number("currency/MWh", "fuel cost per MWh of "
                                                              "electricity", default=0.0, ge=0)
    co2_t_per_mwh: Series[float] = number("t/MWh", "CO2 emitted per MWh of electricity",
                                          default=0.0, ge=0)
    capex_per_kwh: Series[float] = number("currency/kWh", "overnight cost of storage energy",
                                          default=0.0, ge=0)
    efficiency_charge: Series[float] = number("fraction", "share of charged power that is "
                                                          "stored", default=1.0, gt=0, le=1)
    efficiency_discharge: Series[float] = number("fraction", "share of stored energy that "
                                                             "reaches the grid", default=1.0,
                                                 gt=0, le=1)
    duration_hours: Series[float] = number("hours", "fixed energy/power ratio of new storage",
                                           gt=0, shown="empty = sized freely")
    clean: Series[Any] = flag("counts for clean-energy policies")
    firm_duration_hours: Series[float] = number(
        "hours", "storage: hours a unit must hold its firm output (firm MW ≤ energy ÷ this)",
        gt=0, shown="4 (storage)")
    capacity_credit: Series[float] = number(
        "fraction", "share of MW counted as firm (adequacy policies)", ge=0, le=1,
        shown="1 for non-variable generators, 0 otherwise")
    lead_time_years: Series[float] = number(
        "years", "from the decision to the first operation of new capacity (multi-period "
        "cases: new capacity runs in period p only if p ≥ decision_year + lead time)",
        default=0.0, ge=0)

    class Config:
        metadata = {"file": "technologies.csv", "required": True, "row_ids": ("tech",)}
        unique = ["tech"]


class Resources(pa.DataFrameModel):
    """One row per node × tech (a node is a region id or a site id; storage rows included)."""

    node: Series[Any] = ref("node", "region or site where the tech may be built and run")
    tech: Series[Any] = ref("tech", "technology (technologies.csv)")
    existing_mw: Series[float] = number("MW", "capacity in place", default=0.0, ge=0)
    existing_mwh: Series[float] = number("MWh", "storage energy in place (storage only)",
                                         default=0.0, ge=0)
    max_new_mw: Series[float] = number("MW", "most new capacity; 0 = no new build", default=INF,
                                       ge=0)
    max_new_mwh: Series[float] = number("MWh", "most new storage energy", default=INF, ge=0)
    retire_year: Series[float] = number("year", "existing capacity stops at the start of this "
                                        "year (multi-period cases)", shown="never (empty)")
    build_year: Series[float] = number("year", "year the existing capacity came online; without "
                                       "a retire_year it retires at build_year + the "
                                       "technology's lifetime_years (multi-period cases)",
                                       shown="unknown (empty)")

    class Config:
        metadata = {"file": "resources.csv", "required": True, "row_ids": ("node", "tech")}
        unique = ["node", "tech"]


class Profiles(pa.DataFrameModel):
    """One row per time step: availability of each node's generator."""

    time: Series[Any] = time()
    value: Series[float] = values("fraction", "availability (capacity factor) of the tech at "
                                              "the node; a generator without a column is "
                                              "available at 1", "one per `node:tech`", ge=0,
                                  le=1)

    class Config:
        metadata = {"file": "profiles.csv", "row_ids": ("time",)}


class Corridors(pa.DataFrameModel):
    """One row per corridor (transport model, flows in both directions)."""

    from_: Series[Any] = ref("node", "one end", alias="from")
    to: Series[Any] = ref("node", "the other end")
    existing_mw: Series[float] = number("MW", "capacity in place, each direction, measured at "
                                              "the sending end", default=0.0, ge=0)
    max_new_mw: Series[float] = number("MW", "most new capacity; 0 = no expansion",
                                       default=INF, ge=0)
    cost_per_mw_km: Series[float] = number("currency/(MW·km)", "overnight cost of new capacity",
                                           default=0.0, ge=0)
    lifetime_years: Series[float] = number("years", "annualises cost_per_mw_km", default=40.0,
                                           gt=0)
    loss_per_1000km: Series[float] = number("fraction", "share of the flow lost per 1000 km",
                                            default=0.0, ge=0, le=1)
    block_mw: Series[float] = number("MW", "new capacity comes in integer blocks of this size",
                                     gt=0, shown="empty = continuous")
    name: Series[Any] = text("corridor name", shown="`from-to`")
    length_km: Series[float] = number("km", "length", ge=0, shown="great-circle distance "
                                      "between the node locations (haversine, Earth radius "
                                      "6371.0088 km)")
    kind: Series[Any] = notes("kind of link, e.g. `ac`, `dc-existing` (China case)")
    lead_time_years: Series[float] = number(
        "years", "from the decision to the operation of new capacity (multi-period cases)",
        default=0.0, ge=0)

    class Config:
        metadata = {"file": "corridors.csv", "row_ids": ("from", "to")}

    @row_check("to", "corridor joins a node to itself")
    def _not_a_loop(cls, df: pd.DataFrame) -> pd.Series:
        if not {"from", "to"} <= set(df.columns):
            return pd.Series(True, index=df.index)
        return df["from"] != df["to"]
