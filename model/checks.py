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
