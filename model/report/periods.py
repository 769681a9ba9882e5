"""The periods of a multi-period run, and a view of its tables for one period.

A multi-period run's tables carry a ``period`` column (capacity, corridors, sites, nodes) and
its time labels read ``"<year>|<step>"`` (dispatch, load, prices, steps). Drawings made for
one year (the dispatch stack, state of charge, price duration curves, the node × technology
capacity bars, the maps) are fed :func:`period_view`: the rows of one period with the
``period`` column dropped and the year prefix cut from the time labels, so each draws one
period as if it were a static run and never mixes periods. A static run has no periods:
:func:`run_periods` returns ``[]`` and nothing here changes its tables.
"""

from __future__ import annotations

import pandas as pd

PERIOD_SEPARATOR = "|"  # time labels of a multi-period run: "<year>|<step>"
TIME_TABLES = ("dispatch", "load", "prices", "steps")  # tables indexed by time label


def _year_list(values) -> list[int]:
    return sorted({int(float(v)) for v in values if pd.notna(v)})


def run_periods(tables: dict | None, summary: dict | None = None) -> list[int]:
    """The run's period years in order; ``[]`` for a static run.

    From ``summary["periods"]["years"]`` when the run wrote it, else from the ``period``
    column of capacity, sites or corridors, else from ``summary["by_period"]``."""
    declared = ((summary or {}).get("periods") or {})
    if isinstance(declared, dict) and declared.get("years"):
        return _year_list(declared["years"])
    for key in ("capacity", "sites", "corridors"):
        table = (tables or {}).get(key)
        if table is not None and len(table) and "period" in table:
            return _year_list(table["period"])
    by_period = (summary or {}).get("by_period")
    return _year_list(by_period) if isinstance(by_period, dict) else []


def decision_year(tables: dict | None, summary: dict | None = None) -> int | None:
    """Year the plan is decided in: ``summary["periods"]["decision_year"]``, else what the
    sites table implies (online_year − time_to_power_years), else None."""
    declared = ((summary or {}).get("periods") or {})
    if isinstance(declared, dict) and declared.get("decision_year") is not None:
        return int(declared["decision_year"])
    sites = (tables or {}).get("sites")
    if sites is not None and {"online_year", "time_to_power_years"} <= set(sites.columns):
        implied = (sites["online_year"] - sites["time_to_power_years"]).dropna()
        if len(implied):
            return int(round(float(implied.iloc[0])))
    return None


def _time_rows(table: pd.DataFrame, year: int) -> pd.DataFrame:
    """Rows of a time-labelled table in ``year``, labels without the year prefix."""
    labels = table["time"].astype(str)
    prefix = f"{year}{PERIOD_SEPARATOR}"
    rows = table[labels.str.startswith(prefix)].copy()
    rows["time"] = labels[rows.index].str.slice(len(prefix))
    return rows.reset_index(drop=True)


def period_view(tables: dict | None, year: int) -> dict[str, pd.DataFrame]:
    """The run's tables restricted to one period (see the module docstring).

    Tables without a period (e.g. ``assignment``) are passed through unchanged."""
    out: dict[str, pd.DataFrame] = {}
    for key, table in (tables or {}).items():
        if table is None or not len(table):
            out[key] = table
        elif "period" in table and key != "steps":
            rows = table[table["period"].astype(float) == float(year)]
            out[key] = rows.drop(columns="period").reset_index(drop=True)
        elif key in TIME_TABLES and "time" in table:
            out[key] = _time_rows(table, year)
        else:
            out[key] = table
    return out


def period_label(years: list[int], year: int) -> str:
    """How a drawing says which period it shows, e.g. "period 2035 (last of 2026–2035)"."""
    if len(years) < 2:
        return f"period {year}"
    where = "last" if year == years[-1] else ("first" if year == years[0] else "one")
    return f"period {year} ({where} of {len(years)}: {years[0]}–{years[-1]})"


def capacity_in_place(tables: dict | None, year: int) -> dict[str, pd.DataFrame]:
    """:func:`period_view` of ``year`` whose capacity ``new_mw`` is all the capacity the run
    added that is in place in the period (total − existing), not only what was built for
    it, and ``new_mwh`` the storage energy built for this or earlier periods (lifetimes not
    applied): for drawings that stack existing + new as the capacity of the period."""
    view = period_view(tables, year)
    cap = (tables or {}).get("capacity")
    if cap is None or not len(cap) or "period" not in cap or "total_mw" not in cap:
        return view
    upto = cap[cap["period"].astype(float) <= float(year)]
    this = view["capacity"].copy()
    this["new_mw"] = (this["total_mw"] - this["existing_mw"]).clip(lower=0.0)
    if "new_mwh" in upto:
        built = upto.groupby(["node", "tech"])["new_mwh"].sum(min_count=1)
        this["new_mwh"] = [built.get((n, t), float("nan"))
                           for n, t in zip(this["node"], this["tech"], strict=True)]
    return {**view, "capacity": this}
