"""Write the small, hand-checkable example case ``data/cases/two-region`` (48 hours).

Everything here is an illustrative assumption (see the case's SOURCES.md); the time series
are analytic formulas, written out so the case reproduces exactly.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).parent / "cases" / "two-region"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    hours = np.arange(48)
    time = pd.date_range("2025-06-01", periods=48, freq="h").strftime("%Y-%m-%d %H:%M")
    hod = hours % 24
    # east: 400 MW base, +100 MW daytime bump (cosine peaking at 14:00); west: flat 100 MW
    east = 400 + 100 * np.clip(np.cos((hod - 14) / 24 * 2 * np.pi), 0, None)
    west = np.full(48, 100.0)
    pd.DataFrame({"time": time, "west": west.round(1), "east": east.round(1)}).to_csv(
        OUT / "load.csv", index=False)
    # solar in both regions: half-sine between 06:00 and 18:00; wind in the west: 0.5 ± 0.3
    solar = np.clip(np.sin((hod - 6) / 12 * np.pi), 0, None)
    wind = 0.5 + 0.3 * np.sin(hours / 48 * 4 * np.pi)
    pd.DataFrame({"time": time, "west:solar": solar.round(3), "east:solar": (0.8 * solar).round(3),
                  "west:wind": wind.round(3)}).to_csv(OUT / "profiles.csv", index=False)
    pd.DataFrame([
        # tech, kind, capex_per_kw, lifetime, fom, vom, fuel, co2, capex_kwh, eff_c, eff_d, clean
        ["gas", "generator", 700, 30, 15, 4, 55, 0.37, None, None, None, False],
        ["solar", "generator", 500, 25, 10, 0, 0, 0, None, None, None, True],
        ["wind", "generator", 1100, 25, 30, 0, 0, 0, None, None, None, True],
        ["battery", "storage", 150, 15, 5, 0.5, 0, 0, 200, 0.95, 0.95, True],
    ], columns=["tech", "kind", "capex_per_kw", "lifetime_years", "fixed_om_per_kw_year",
                "var_om_per_mwh", "fuel_cost_per_mwh", "co2_t_per_mwh", "capex_per_kwh",
                "efficiency_charge", "efficiency_discharge", "clean"]).to_csv(
        OUT / "technologies.csv", index=False)
    pd.DataFrame([
        ["west", "gas", 50, None, 0, None],
        ["west", "solar", 0, None, 1000, None],
        ["west", "wind", 100, None, 1000, None],
        ["west", "battery", 0, 0, 500, None],
        ["east", "gas", 300, None, None, None],
        ["east", "solar", 0, None, 300, None],
        ["east", "battery", 0, 0, 500, None],
    ], columns=["node", "tech", "existing_mw", "existing_mwh", "max_new_mw",
                "max_new_mwh"]).to_csv(OUT / "resources.csv", index=False)
    pd.DataFrame([["west", "east", 100, 2000, None, 400, 40, 0.03, None, "west-east line"]],
                 columns=["from", "to", "existing_mw", "max_new_mw", "length_km",
                          "cost_per_mw_km", "lifetime_years", "loss_per_1000km", "block_mw",
                          "name"]).to_csv(OUT / "corridors.csv", index=False)
    regions = {"type": "FeatureCollection",
               "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
               "features": [
                   {"type": "Feature", "properties": {"id": "west", "name": "West"},
                    "geometry": {"type": "Polygon", "coordinates": [[[100, 30], [110, 30],
                                                                     [110, 40], [100, 40],
                                                                     [100, 30]]]}},
                   {"type": "Feature", "properties": {"id": "east", "name": "East"},
                    "geometry": {"type": "Polygon", "coordinates": [[[110, 30], [120, 30],
                                                                     [120, 40], [110, 40],
                                                                     [110, 30]]]}}]}
    (OUT / "regions.geojson").write_text(json.dumps(regions, indent=1) + "\n")
    sites = {"type": "FeatureCollection",
             "crs": regions["crs"],
             "features": [
                 {"type": "Feature", "properties": {
                     "id": "west_dc", "name": "West campus", "group": "west-hub",
                     "max_it_mw": 400, "module_mw": 50, "capex_per_kw_it": 8000,
                     "fixed_cost": 20000000, "lifetime_years": 15, "pue": 1.15,
                     "idle_share": 0.3, "grid_limit_mw": 300,
                     "grid_cost_per_kw": 100},
                  "geometry": {"type": "Point", "coordinates": [104, 36]}},
                 {"type": "Feature", "properties": {
                     "id": "east_dc", "name": "East metro", "group": "east-metro",
                     "max_it_mw": 400, "module_mw": 50, "capex_per_kw_it": 9000,
                     "fixed_cost": 30000000, "lifetime_years": 15, "pue": 1.3,
                     "idle_share": 0.3, "grid_limit_mw": 400,
                     "grid_cost_per_kw": 100},
                  "geometry": {"type": "Point", "coordinates": [118, 32]}}]}
    (OUT / "sites.geojson").write_text(json.dumps(sites, indent=1) + "\n")
    centres = {"type": "FeatureCollection", "crs": regions["crs"], "features": [
        {"type": "Feature", "properties": {"id": "east_city", "name": "East city"},
         "geometry": {"type": "Point", "coordinates": [119, 31]}}]}
    (OUT / "demand_centres.geojson").write_text(json.dumps(centres, indent=1) + "\n")
    pd.DataFrame([["east_city", "interactive", 40], ["east_city", "training", 100]],
                 columns=["centre", "class", "it_mw"]).to_csv(OUT / "compute_demand.csv",
                                                               index=False)
    pd.DataFrame([["interactive", 20, 0, 24, 5000], ["training", 1000, 0.5, 24, 2000]],
                 columns=["class", "max_latency_ms", "flexible_share", "window_hours",
                          "value_of_lost_compute_per_mwh"]).to_csv(OUT / "workloads.csv",
                                                                   index=False)


if __name__ == "__main__":
    main()
