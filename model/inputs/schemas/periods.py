"""Tables of multi-period cases: load growth, costs by period, the connection queue."""

from __future__ import annotations

from typing import Any

import pandera.pandas as pa
from pandera.typing import Series

from model.inputs.schemas.fields import number, ref


class LoadGrowth(pa.DataFrameModel):
    """One row per region × period: load.csv times a factor in that period."""

    region: Series[Any] = ref("region", "region whose load grows")
    period: Series[float] = number("year", "a year of `periods` in case.yaml", required=True)
    factor: Series[float] = number("×", "load.csv is multiplied by this in the period",
                                   required=True, ge=0)

    class Config:
        metadata = {"file": "load_growth.csv", "row_ids": ("region", "period")}
        unique = ["region", "period"]


class TechCosts(pa.DataFrameModel):
    """One row per technology × period: its costs in that period (empty: technologies.csv)."""

    tech: Series[Any] = ref("tech", "technology (technologies.csv)")
    period: Series[float] = number("year", "a year of `periods` in case.yaml", required=True)
    capex_per_kw: Series[float] = number("currency/kW", "overnight cost of capacity built for "
                                         "this period", ge=0, shown="technologies.csv")
    capex_per_kwh: Series[float] = number("currency/kWh", "overnight cost of storage energy "
                                          "built for this period", ge=0,
                                          shown="technologies.csv")
    fixed_om_per_kw_year: Series[float] = number("currency/kW/yr", "fixed O&M of capacity "
                                                 "built for this period", ge=0,
                                                 shown="technologies.csv")
    var_om_per_mwh: Series[float] = number("currency/MWh", "variable O&M in this period", ge=0,
                                           shown="technologies.csv")
    fuel_cost_per_mwh: Series[float] = number("currency/MWh", "fuel cost in this period", ge=0,
                                              shown="technologies.csv")

    class Config:
        metadata = {"file": "tech_costs.csv", "row_ids": ("tech", "period")}
        unique = ["tech", "period"]


class ConnectionQueue(pa.DataFrameModel):
    """One row per large load already in a region's interconnection queue."""

    region: Series[Any] = ref("region", "region of the queued load")
    online_year: Series[float] = number("year", "first year the load draws power",
                                        required=True)
    mw: Series[float] = number("MW", "flat load added from online_year; it also counts "
                               "against `policies.max_new_load_mw`", required=True, ge=0)

    class Config:
        metadata = {"file": "connection_queue.csv", "row_ids": ("region", "online_year")}
