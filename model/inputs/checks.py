"""Semantic checks on a validated case (run before any model is built).

Each table is checked by its schema (:mod:`model.inputs.schemas`) and across tables by
:func:`model.inputs.case.validate`; these need the whole validated case: regions that can
receive no power, demand centres that no site can serve within a class's latency.
"""

from __future__ import annotations

import numpy as np

from model.inputs.derived import latency_matrix, pue_matrix
from model.inputs.problems import Problems


def check_case(case) -> None:
    p = Problems()
    _unreachable_regions(case, p)
    _unservable_centres(case, p)
    _on_site_existing_without_site(case, p)
    _existing_it_beyond_supply(case, p)
    p.raise_if_any()
    warn_implausible(case)
    warn_open_expansion(case)


def _on_site_existing_without_site(case, p: Problems) -> None:
    """Existing plant at a site that is not built yet has no connection to use."""
    if not len(case.sites):
        return
    res = case.resources
    greenfield = set(case.sites.index[case.sites["existing_it_mw"].to_numpy(float) <= 0])
    exist = (res["existing_mw"].to_numpy(float) > 0) | (res["existing_mwh"].to_numpy(float) > 0)
    for i in np.flatnonzero(res["node"].isin(greenfield).to_numpy() & exist):
        p.add("resources.csv", f"existing capacity at site '{res['node'].iat[i]}', which has "
              "no existing IT: a site that is not built has no grid connection to use it",
              row=i + 1, column="existing_mw",
              hint="put the plant at the host region's node, or give the site its "
                   "existing_it_mw")


def _existing_it_beyond_supply(case, p: Problems) -> None:
    """Existing IT whose idle draw alone exceeds the most its connection and on-site plant
    can ever deliver (sites have no unserved-power slack)."""
    sites = case.sites
    existing = sites["existing_it_mw"].to_numpy(float)
    if not (existing > 0).any():
        return
    idle = pue_matrix(case) * (sites["idle_share"].to_numpy(float) * existing)[:, None]
    supply = np.repeat(sites["grid_limit_mw"].to_numpy(float)[:, None], case.n_steps, axis=1)
    res = case.resources
    kind = res["tech"].map(case.technologies["kind"]).to_numpy()
    most = (res["existing_mw"] + res["max_new_mw"]).to_numpy(float)
    pos = sites.index.get_indexer(res["node"])
    for i in np.flatnonzero(pos >= 0):
        key = f"{res['node'].iat[i]}:{res['tech'].iat[i]}"
        cf = (case.profiles[key].to_numpy(float) if kind[i] == "generator"
              and key in case.profiles else np.ones(case.n_steps))
        supply[pos[i]] += most[i] * cf
    short = idle - supply
    for d in np.flatnonzero((existing > 0) & (short.max(axis=1, initial=0.0) > 1e-9)):
        t = int(np.argmax(short[d]))
        p.add("sites.geojson", f"the idle draw of the existing IT of '{sites.index[d]}' "
              f"({idle[d, t]:,.6g} MW = PUE × idle_share × existing_it_mw) exceeds the most the "
              f"site can ever be supplied with ({supply[d, t]:,.6g} MW: grid_limit_mw plus "
              "on-site capacity) in some steps", row=d + 1, column="existing_it_mw",
              hint="raise grid_limit_mw, allow on-site capacity in resources.csv, or lower "
                   "existing_it_mw")


def _rows(ids, positions) -> str:
    """'row 3 ('x')' or 'rows 1, 4 ('a', 'b')' (1-based rows)."""
    label = "row" if len(positions) == 1 else "rows"
    shown = list(positions[:8])
    more = ", …" if len(positions) > 8 else ""
    return (f"{label} {', '.join(str(i + 1) for i in shown)}{more} "
            f"({', '.join(repr(str(ids[i])) for i in shown)}{more})")


def warn_open_expansion(case) -> None:
    """New capacity needs a cost and a limit: warn where a case leaves either open."""
    import warnings

    cor = case.corridors
    names = (cor["from"] + "-" + cor["to"]).to_numpy() if len(cor) else np.zeros(0)
    free = np.flatnonzero(~np.isfinite(cor["max_new_mw"].to_numpy(float))
                          & (cor["cost_per_mw_km"].to_numpy(float) <= 0))
    if len(free):
        warnings.warn(f"corridors.csv, {_rows(names, free)}: no max_new_mw and no "
                      "cost_per_mw_km, so new capacity is unlimited and free; set max_new_mw "
                      "(0 keeps a corridor at existing_mw) or a cost", UserWarning, stacklevel=4)
    sites = case.sites
    for column, bad, what in (
            ("grid_limit_mw", ~np.isfinite(sites["grid_limit_mw"].to_numpy(float)),
             "unlimited"),
            ("grid_cost_per_kw", sites["grid_cost_per_kw"].to_numpy(float) <= 0, "free")):
        rows = np.flatnonzero(bad)
        if len(rows):
            warnings.warn(f"sites.geojson, {_rows(sites.index, rows)}: no {column}, so the "
                          f"grid connection is {what}; give each site's connection a limit "
                          "(grid_limit_mw) and a cost (grid_cost_per_kw)", UserWarning,
                          stacklevel=4)


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
