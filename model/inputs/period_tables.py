"""The tables of multi-period cases, checked against the case's periods, regions and techs:
``load_growth.csv``, ``tech_costs.csv``, ``connection_queue.csv``, and the ``period`` rows of
``compute_demand.csv`` (:mod:`model.inputs.periods` says what periods are)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.inputs import tables
from model.inputs.network_tables import read_table
from model.inputs.periods import Periods
from model.inputs.problems import Problems
from model.inputs.read import RawCase


def _periods_named(df: pd.DataFrame, file: str, periods: Periods, p: Problems) -> None:
    """Every ``period`` must be a year of ``periods`` in case.yaml."""
    known = set(periods.years.tolist()) if not periods.static else set()
    for i in np.flatnonzero(~df["period"].isin(known).to_numpy()):
        hint = ("add `periods:` to case.yaml" if periods.static
                else f"use one of {sorted(known)}")
        p.add(file, f"period {df['period'].iat[i]:g} is not a year of `periods` in case.yaml",
              row=i + 1, column="period", hint=hint)


def _table(raw: RawCase, name: str, refs: dict[str, tuple[list[str], str]], periods: Periods,
           p: Problems, period_column: bool = True) -> pd.DataFrame:
    if name not in raw.tables:
        return tables.parse(name, pd.DataFrame(columns=list(tables.columns(name))))
    df, file = read_table(raw, name)
    tables.check(name, df, p, file)
    if not tables.has_required(name, df):
        return tables.parse(name, pd.DataFrame(columns=list(tables.columns(name))))
    for column, (known, what) in refs.items():
        p.references(df, file, column, known, what)
    out = tables.parse(name, df).reset_index(drop=True)
    if period_column:
        _periods_named(out, file, periods, p)
    return out


def load_growth(raw: RawCase, region_ids: list[str], periods: Periods,
                p: Problems) -> pd.DataFrame:
    return _table(raw, "load_growth", {"region": (region_ids, "region")}, periods, p)


def tech_costs(raw: RawCase, tech_ids: list[str], periods: Periods,
               p: Problems) -> pd.DataFrame:
    return _table(raw, "tech_costs", {"tech": (tech_ids, "tech")}, periods, p)


def connection_queue(raw: RawCase, region_ids: list[str], periods: Periods,
                     p: Problems) -> pd.DataFrame:
    return _table(raw, "connection_queue", {"region": (region_ids, "region")}, periods, p,
                  period_column=False)


def demand_periods(demand: pd.DataFrame, periods: Periods, p: Problems) -> None:
    """With a ``period`` column, each (centre, class) has one row per period."""
    rows = demand["period"].notna()
    if not rows.any():
        return
    file = "compute_demand.csv"
    if periods.static or not rows.all():
        for i in np.flatnonzero((~rows if not periods.static else rows).to_numpy()):
            p.add(file, "a period is needed in every row once one row has one" if
                  not periods.static else "a period needs `periods:` in case.yaml",
                  row=i + 1, column="period")
        return
    _periods_named(demand, file, periods, p)
    counts = demand.groupby(["centre", "class"])["period"].nunique()
    for (centre, cls), n in counts[counts != periods.n].items():
        p.add(file, f"({centre}, {cls}) has rows for {n} of the {periods.n} periods",
              column="period", hint="give every period a row (0 MW where there is none)")
