"""Semantic checks on a validated case (run before any model is built).

Table-level checks live in :mod:`model.case`; these need the whole case: regions that can
receive no power, demand centres that no site can serve within a class's latency.
"""

from __future__ import annotations

import numpy as np

from .validation import Problems


def check_case(case) -> None:
    p = Problems()
    _unreachable_regions(case, p)
    _unservable_centres(case, p)
    p.raise_if_any()
    warn_implausible(case)


# (table, column, low, high, what a plausible value looks like)
PLAUSIBLE = (
    ("technologies", "capex_per_kw", 0.0, 100_000.0, "overnight cost per kW"),
    ("technologies", "capex_per_kwh", 0.0, 20_000.0, "overnight cost per kWh of storage"),
    ("technologies", "lifetime_years", 1.0, 100.0, "years"),
    ("technologies", "efficiency_charge", 0.3, 1.0, "a fraction such as 0.92"),
    ("technologies", "efficiency_discharge", 0.3, 1.0, "a fraction such as 0.92"),
    ("technologies", "co2_t_per_mwh", 0.0, 2.0, "t CO2 per MWh of electricity"),
    ("sites", "pue", 1.0, 2.5, "power usage effectiveness, e.g. 1.2"),
    ("sites", "capex_per_kw_it", 0.0, 500_000.0, "overnight cost per kW of IT"),
)


def warn_implausible(case) -> None:
    """Warn (not fail) on values that are allowed but probably wrong units."""
    import warnings

    tables = {"technologies": case.technologies, "sites": case.sites}
    for table, col, low, high, what in PLAUSIBLE:
        df = tables[table]
        if col not in df or not len(df):
            continue
        v = df[col].astype(float)
        bad = v[(v < low) | (v > high)].dropna()
        for ident, value in bad.items():
            warnings.warn(f"{table}: {col} = {value:g} for '{ident}' is outside the usual range "
                          f"[{low:g}, {high:g}] ({what}); check the unit", UserWarning,
                          stacklevel=4)
    if not 0.0 <= case.discount_rate <= 0.25:
        warnings.warn(f"case.yaml: discount_rate {case.discount_rate} is unusual (0-0.25)",
                      UserWarning, stacklevel=4)
    if not 100 <= case.value_of_lost_load <= 1e6:
        warnings.warn(f"case.yaml: value_of_lost_load_per_mwh {case.value_of_lost_load:g} is "
                      "outside the usual range [100, 1e6] per MWh", UserWarning, stacklevel=4)


def _unreachable_regions(case, p: Problems) -> None:
    """A region with load but no corridor and no resource can never be supplied."""
    touched = set(case.resources["node"]) | set(case.corridors["from"]) | set(
        case.corridors["to"])
    touched |= set(case.sites["region"]) if len(case.sites) else set()
    peak = case.load.max(axis=0) if len(case.load) else None
    for i, rid in enumerate(case.regions.index):
        if rid not in touched and peak is not None and peak.get(rid, 0.0) > 0:
            p.add("regions.geojson", f"region '{rid}' has load but no corridor and no "
                  "resource: it can never be supplied", row=i + 1, column="id",
                  hint="add a corridor in corridors.csv or a resource in resources.csv")


def _unservable_centres(case, p: Problems) -> None:
    if not len(case.compute_demand) or not len(case.sites):
        if len(case.compute_demand) and (case.compute_demand["it_mw"] > 0).any():
            p.add("compute_demand.csv", "there is compute demand but no candidate site",
                  hint="add sites.geojson or remove the demand")
        return
    from .compute import latency_matrix

    lat = latency_matrix(case)  # centre × site, ms
    allowed = case.sites["max_it_mw"].to_numpy() > 0
    for i, row in case.compute_demand.reset_index(drop=True).iterrows():
        if row["it_mw"] <= 0:
            continue
        limit = case.workloads.at[row["class"], "max_latency_ms"]
        ok = (lat.loc[row["centre"]].to_numpy() <= limit) & allowed
        if not np.any(ok):
            best = float(lat.loc[row["centre"]].min())
            p.add("compute_demand.csv",
                  f"centre '{row['centre']}' cannot be served within {limit:g} ms for class "
                  f"'{row['class']}' by any site (nearest is {best:.1f} ms)",
                  row=i + 1, column="centre",
                  hint="add a closer candidate site or relax max_latency_ms in workloads.csv")
