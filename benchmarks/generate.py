"""Seeded synthetic plain capacity-expansion cases for the benchmarks.

``write_benchmark_case(folder, regions=N, hours=H, seed=S)`` writes a WattBit case folder
(the contract of ``docs/inputs.md``) that PyPSA can mirror one to one
(:mod:`benchmarks.pypsa_model`):

* N regions on a near-square grid (about 300 km apart, Western-Europe-like longitudes and
  latitudes), each joined to its east and south neighbours by a lossless corridor with some
  existing capacity and unlimited expansion at a per-MW-km cost (a 2-region case has one
  corridor, a ring is closed for 3-4 regions);
* H hourly steps (weight 8760 / H each) of load with a seasonal and a diurnal shape, shifted
  by longitude, plus AR(1) noise; solar availability from the sun's daily arc × season ×
  AR(1) cloudiness; wind availability from an AR(1) process (multi-day persistence,
  correlated between neighbours) through a logistic, stronger in winter;
* technologies gas, coal (existing only, no new build), solar, wind and a 4-hour battery
  (fixed duration, so PyPSA's ``StorageUnit`` is the same model); existing gas in every
  region, existing coal in every third, some existing solar / wind, resource caps on new
  solar and wind.

All numbers are synthetic (assumptions of the order of published 2025 cost figures); the
time series are made here from the formulas above with ``numpy.random.default_rng(seed)``.

Command line: ``python benchmarks/generate.py OUT_DIR --regions 10 --hours 8760 [--seed 1]``.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

TECHNOLOGIES = [
    # tech, kind, capex_per_kw, lifetime, fixed_om_per_kw_year, var_om, fuel, co2, capex_per_kwh,
    # eff_c, eff_d, duration
    dict(tech="gas", kind="generator", capex_per_kw=900.0, lifetime_years=30,
         fixed_om_per_kw_year=20.0, var_om_per_mwh=3.0, fuel_cost_per_mwh=65.0,
         co2_t_per_mwh=0.37, clean=False),
    dict(tech="coal", kind="generator", capex_per_kw=2000.0, lifetime_years=40,
         fixed_om_per_kw_year=40.0, var_om_per_mwh=4.0, fuel_cost_per_mwh=38.0,
         co2_t_per_mwh=0.95, clean=False),
    dict(tech="solar", kind="generator", capex_per_kw=550.0, lifetime_years=25,
         fixed_om_per_kw_year=10.0, clean=True),
    dict(tech="wind", kind="generator", capex_per_kw=1300.0, lifetime_years=25,
         fixed_om_per_kw_year=35.0, var_om_per_mwh=1.0, clean=True),
    dict(tech="battery", kind="storage", capex_per_kw=150.0, lifetime_years=15,
         fixed_om_per_kw_year=5.0, var_om_per_mwh=0.5, capex_per_kwh=180.0,
         efficiency_charge=0.95, efficiency_discharge=0.95, duration_hours=4.0, clean=True),
]
BATTERY_HOURS = 4.0
SPACING_KM = 300.0


def grid_shape(n: int) -> tuple[int, int]:
    """Rows × columns of the near-square grid holding n regions (row-major, last row short)."""
    cols = max(1, math.ceil(math.sqrt(n)))
    rows = math.ceil(n / cols)
    return rows, cols


def corridors_of(n: int) -> list[tuple[int, int]]:
    """Region pairs joined by a corridor: east and south grid neighbours (a ring for n ≤ 4)."""
    if n <= 1:
        return []
    if n <= 4:
        pairs = [(i, i + 1) for i in range(n - 1)]
        if n >= 3:
            pairs.append((n - 1, 0))
        return pairs
    rows, cols = grid_shape(n)
    pairs = []
    for i in range(n):
        r, c = divmod(i, cols)
        if c + 1 < cols and i + 1 < n:
            pairs.append((i, i + 1))
        if i + cols < n:
            pairs.append((i, i + cols))
    return pairs


def _ar1(rng, n_series: int, n: int, phi: float, corr: np.ndarray | None = None) -> np.ndarray:
    """Standardised AR(1) series (n_series × n) with lag-1 coefficient phi."""
    shocks = rng.standard_normal((n_series, n))
    if corr is not None:
        shocks = np.linalg.cholesky(corr) @ shocks
    out = np.empty_like(shocks)
    out[:, 0] = shocks[:, 0]
    s = math.sqrt(1 - phi * phi)
    for t in range(1, n):
        out[:, t] = phi * out[:, t - 1] + s * shocks[:, t]
    return out


def make_series(n_regions: int, hours: int, seed: int, lon: np.ndarray, lat: np.ndarray):
    """Load (MW), solar and wind availability (region × hour) with seasonal/diurnal shape.

    For H < 8760 the H steps are spread evenly over the year (every 8760/H-th hour of the day
    sequence is *not* skipped: steps are consecutive hours starting on a day chosen so that a
    short horizon still sees a season), which keeps the diurnal shape and storage dynamics.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(hours, dtype=float)
    start_day = 0 if hours >= 8760 else int(rng.integers(0, 365))
    hour_of_year = (start_day * 24 + t) % 8760
    day = hour_of_year / 24.0
    # local solar time shifted by longitude (15 degrees per hour)
    local_h = (hour_of_year[None, :] + lon[:, None] / 15.0) % 24.0
    season = np.cos(2 * np.pi * (day - 15) / 365.0)  # +1 mid-January, −1 mid-July

    peak = rng.uniform(2000.0, 12000.0, n_regions)
    diurnal = (0.75 + 0.15 * np.sin(2 * np.pi * (local_h - 9) / 24.0)
               + 0.10 * np.sin(2 * np.pi * (local_h - 6) / 12.0))
    seasonal = 1.0 + 0.12 * season[None, :]
    noise = 1.0 + 0.03 * _ar1(rng, n_regions, hours, 0.9)
    load = peak[:, None] * diurnal * seasonal * noise / 1.25
    load = np.round(np.clip(load, 0.2 * peak[:, None], None), 1)

    # solar: sun elevation proxy, shorter winter days, cloudiness AR(1)
    decl = -23.44 * np.cos(2 * np.pi * (day + 10) / 365.0)
    lat_r = np.radians(lat)[:, None]
    decl_r = np.radians(decl)[None, :]
    hour_angle = np.radians(15.0 * (local_h - 12.0))
    sin_el = (np.sin(lat_r) * np.sin(decl_r)
              + np.cos(lat_r) * np.cos(decl_r) * np.cos(hour_angle))
    clouds = 1.0 / (1.0 + np.exp(-(0.8 + 1.2 * _ar1(rng, n_regions, hours, 0.97))))
    solar = np.clip(sin_el, 0.0, None) * (0.35 + 0.65 * clouds) * 0.95
    solar = np.round(np.clip(solar, 0.0, 1.0), 4)

    # wind: spatially correlated persistent AR(1) through a logistic, windier in winter
    if n_regions > 1:
        d = np.hypot(lon[:, None] - lon[None, :], lat[:, None] - lat[None, :])
        corr = np.exp(-d / 6.0) + 1e-9 * np.eye(n_regions)
    else:
        corr = None
    z = _ar1(rng, n_regions, hours, 0.985, corr)
    bias = rng.uniform(-0.9, -0.3, n_regions)[:, None]
    wind = 1.0 / (1.0 + np.exp(-(bias + 1.1 * z + 0.5 * season[None, :])))
    wind = np.round(np.clip(wind, 0.0, 0.98), 4)
    return load, solar, wind, peak


def write_benchmark_case(folder, regions: int, hours: int, seed: int = 1) -> Path:
    """Write the case folder and return its path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    n = int(regions)
    rows, cols = grid_shape(n)
    ids = [f"R{i:02d}" for i in range(n)]
    # ~300 km spacing: 2.7 degrees of longitude at 48 N, 2.7 degrees of latitude
    lon = np.array([-4.0 + 4.0 * (i % cols) for i in range(n)])
    lat = np.array([58.0 - 2.7 * (i // cols) for i in range(n)])
    load, solar, wind, peak = make_series(n, hours, seed, lon, lat)
    rng = np.random.default_rng(seed + 1000)

    cfg = {
        "name": f"benchmark {n} regions x {hours} h (seed {seed})",
        "description": "Synthetic plain capacity-expansion case written by "
                       "benchmarks/generate.py; every number is an assumption.",
        "currency": "EUR",
        "discount_rate": 0.07,
        "base_year": 2025,
        "value_of_lost_load_per_mwh": 5000.0,
    }
    (folder / "case.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    feats = [{"type": "Feature", "properties": {"id": rid, "name": f"Region {rid}"},
              "geometry": {"type": "Point", "coordinates": [float(x), float(y)]}}
             for rid, x, y in zip(ids, lon, lat, strict=True)]
    (folder / "regions.geojson").write_text(json.dumps(
        {"type": "FeatureCollection", "features": feats}))

    time = pd.RangeIndex(hours, name="time")
    pd.DataFrame(load.T, index=time, columns=ids).to_csv(folder / "load.csv")
    prof = {}
    for i, rid in enumerate(ids):
        prof[f"{rid}:solar"] = solar[i]
        prof[f"{rid}:wind"] = wind[i]
    pd.DataFrame(prof, index=time).to_csv(folder / "profiles.csv")
    pd.DataFrame(TECHNOLOGIES).to_csv(folder / "technologies.csv", index=False)

    res = []
    for i, rid in enumerate(ids):
        p = float(peak[i])
        res.append(dict(node=rid, tech="gas", existing_mw=round(0.4 * p * rng.uniform(0.5, 1.2)),
                        existing_mwh=0.0, max_new_mw=None, max_new_mwh=None))
        if i % 3 == 0:
            res.append(dict(node=rid, tech="coal", existing_mw=round(0.3 * p), existing_mwh=0.0,
                            max_new_mw=0.0, max_new_mwh=None))
        res.append(dict(node=rid, tech="solar", existing_mw=round(0.1 * p * rng.uniform()),
                        existing_mwh=0.0, max_new_mw=round(3.0 * p * rng.uniform(0.5, 1.5)),
                        max_new_mwh=None))
        res.append(dict(node=rid, tech="wind", existing_mw=round(0.1 * p * rng.uniform()),
                        existing_mwh=0.0, max_new_mw=round(2.0 * p * rng.uniform(0.5, 1.5)),
                        max_new_mwh=None))
        bat = round(0.02 * p * rng.uniform())
        res.append(dict(node=rid, tech="battery", existing_mw=bat,
                        existing_mwh=BATTERY_HOURS * bat, max_new_mw=None, max_new_mwh=None))
    pd.DataFrame(res).to_csv(folder / "resources.csv", index=False)

    cor = []
    for a, b in corridors_of(n):
        length = float(np.hypot((lon[a] - lon[b]) * 74.0, (lat[a] - lat[b]) * 111.0))
        cor.append(dict(**{"from": ids[a], "to": ids[b]},
                        existing_mw=round(rng.uniform(500.0, 2000.0)), max_new_mw=None,
                        length_km=round(length, 1), cost_per_mw_km=900.0, lifetime_years=40,
                        loss_per_1000km=0.0, name=f"{ids[a]}-{ids[b]}"))
    if cor:
        pd.DataFrame(cor).to_csv(folder / "corridors.csv", index=False)
    return folder


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--regions", type=int, default=5)
    ap.add_argument("--hours", type=int, default=168)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    print(write_benchmark_case(a.out, a.regions, a.hours, a.seed))


if __name__ == "__main__":
    main()
