"""Checks of the embedded China case (data/cases/china), reading the files with pandas/geopandas
only - not the model. The national statistics below are the published figures the case is built
to match; see data/cases/china/SOURCES.md for the full citations."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "data" / "cases" / "china"
SCEN = ROOT / "data" / "scenarios" / "china"
SRC = ROOT / "data" / "china"

# Installed capacity at the end of 2023, MW.
NATIONAL_CAPACITY_2023_MW = {
    # CEC, 2023 national power-industry statistics: coal power ~11.65 亿kW (39.9 % of 2.92 TW)
    "coal": 1_165_000,
    # CEC, 2023 statistics: gas-fired power ~1.26 亿kW
    "gas": 126_000,
    # NEA press release 2024-01-26: hydro 421.54 GW incl. pumped storage,
    # minus pumped storage 50.94 GW (CEC)
    "hydro": 370_600,
    # CEC, 2023 statistics: pumped storage 5094 万kW
    "pumped_hydro": 50_940,
    # NEA press release 2024-01-26: nuclear 5691 万kW
    "nuclear": 56_910,
    # NEA 2024-01-26: wind 441.34 GW, of which offshore 37.29 GW
    "wind_onshore": 404_050,
    "wind_offshore": 37_290,
    # NEA 2024-01-26: solar 609.49 GW
    "solar": 609_490,
    # NEA press conference 2024-01: new-type energy storage in operation 31.39 GW / 66.87 GWh
    "battery": 31_390,
}
NATIONAL_BATTERY_MWH_2023 = 66_870
# NEA 2024-01-18: total electricity consumption 2023 (全社会用电量) 92 241 亿kWh
NATIONAL_CONSUMPTION_2023_MWH = 9_224.1e6
# CEC 2023 statistics: utilisation hours of grid-connected wind (onshore + offshore) and solar
NATIONAL_HOURS_2023 = {"wind": 2225, "solar": 1286}

NATIONAL_CLUSTERS = {
    "zhangjiakou_hub",
    "yrd_demo_zone_hub",
    "wuhu_hub",
    "shaoguan_hub",
    "tianfu_hub",
    "chongqing_hub",
    "guian_hub",
    "horinger_hub",
    "qingyang_hub",
    "zhongwei_hub",
}


@pytest.fixture(scope="module")
def case():
    c = {
        "regions": gpd.read_file(CASE / "regions.geojson"),
        "sites": gpd.read_file(CASE / "sites.geojson"),
        "centres": gpd.read_file(CASE / "demand_centres.geojson"),
        "load": pd.read_csv(CASE / "load.csv"),
        "profiles": pd.read_csv(CASE / "profiles.csv"),
        "tech": pd.read_csv(CASE / "technologies.csv"),
        "res": pd.read_csv(CASE / "resources.csv"),
        "corr": pd.read_csv(CASE / "corridors.csv"),
        "demand": pd.read_csv(CASE / "compute_demand.csv"),
        "workloads": pd.read_csv(CASE / "workloads.csv"),
        "cal": pd.read_csv(CASE / "calibration_targets.csv"),
        "yaml": yaml.safe_load((CASE / "case.yaml").read_text(encoding="utf-8")),
    }
    return c


def haversine_km(lon1, lat1, lon2, lat2):
    lon1, lat1, lon2, lat2 = map(np.radians, (lon1, lat1, lon2, lat2))
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * np.arcsin(np.sqrt(a))


def test_files_present_and_small():
    required = [
        "case.yaml",
        "regions.geojson",
        "load.csv",
        "technologies.csv",
        "resources.csv",
        "profiles.csv",
        "corridors.csv",
        "sites.geojson",
        "demand_centres.geojson",
        "compute_demand.csv",
        "workloads.csv",
        "SOURCES.md",
    ]
    for f in required:
        assert (CASE / f).is_file(), f
    size = sum(p.stat().st_size for p in CASE.iterdir() if p.is_file())
    assert size < 25e6, f"case folder is {size / 1e6:.1f} MB"


def test_regions(case):
    r = case["regions"]
    assert len(r) == 31
    assert r["id"].is_unique
    assert all(i.islower() and ":" not in i and i.isascii() for i in r["id"])
    assert set(r["group"]) == {
        "North",
        "Northeast",
        "East",
        "Central",
        "Northwest",
        "Southwest",
        "South",
    }
    assert set(r["zone"]) == {"east", "west"}
    assert r.geometry.is_valid.all()
    assert set(r.geom_type) <= {"Polygon", "MultiPolygon"}
    # node (capital) lies inside its own polygon
    for row in r.itertuples():
        assert row.geometry.buffer(0.01).contains(gpd.points_from_xy([row.lon], [row.lat])[0]), (
            row.id
        )


def test_hours_and_time_axis(case):
    load, prof = case["load"], case["profiles"]
    assert len(load) == 8760
    assert len(prof) == 8760
    assert load["time"].iloc[0] == "2023-01-01 00:00"
    assert load["time"].iloc[-1] == "2023-12-31 23:00"
    assert (load["time"] == prof["time"]).all()
    t = pd.to_datetime(load["time"])
    assert (t.diff().dropna() == pd.Timedelta(hours=1)).all()


def test_existing_capacity_matches_national_statistics(case):
    res = case["res"]
    regions = set(case["regions"]["id"])
    on_grid = res[res["node"].isin(regions)]
    for tech, national in NATIONAL_CAPACITY_2023_MW.items():
        total = on_grid.loc[on_grid["tech"] == tech, "existing_mw"].sum()
        assert total == pytest.approx(national, rel=0.03), tech
    mwh = on_grid.loc[on_grid["tech"] == "battery", "existing_mwh"].sum()
    assert mwh == pytest.approx(NATIONAL_BATTERY_MWH_2023, rel=0.03)


def test_annual_load_matches_national_consumption(case):
    load = case["load"]
    assert list(load.columns[1:]) == list(case["regions"]["id"])
    assert (load.iloc[:, 1:] > 0).all().all()
    total_mwh = load.iloc[:, 1:].to_numpy().sum()  # hourly MW -> MWh
    assert total_mwh == pytest.approx(NATIONAL_CONSUMPTION_2023_MWH, rel=0.03)
    # coincident national peak in a plausible range (2023 actual ~1.3-1.35 TW)
    peak = load.iloc[:, 1:].sum(axis=1).max()
    assert 1.15e6 < peak < 1.5e6


def test_profiles_bounded_and_calibrated(case):
    prof, cal = case["profiles"], case["cal"]
    values = prof.drop(columns="time")
    assert not values.isna().any().any()
    assert (values >= 0).all().all() and (values <= 1).all().all()
    cf = values.mean()
    for row in cal.itertuples():
        assert abs(cf[row.column] - row.target_cf) <= 0.02, row.column


def test_calibration_targets_follow_published_hours(case):
    """Targets are the provincial utilisation-hour table anchored to the national figures: check
    both against the source table and against the national capacity-weighted means."""
    cal, res = case["cal"], case["res"]
    hours = pd.read_csv(SRC / "utilisation_hours_2023.csv").set_index("id")
    regions = set(case["regions"]["id"])
    reg = cal[cal["node"].isin(regions)]
    for row in reg.itertuples():
        if row.tech in ("solar", "wind_onshore", "wind_offshore"):
            src_h = hours.loc[row.node, row.tech]
            assert row.target_cf * 8760 == pytest.approx(src_h, rel=0.06), row.column
    ex = res[res["node"].isin(regions)].set_index(["node", "tech"])["existing_mw"]

    def weighted(techs):
        num = den = 0.0
        for row in reg[reg["tech"].isin(techs)].itertuples():
            w = ex.get((row.node, row.tech), 0.0)
            num += w * row.target_cf * 8760
            den += w
        return num / den

    assert weighted(["wind_onshore", "wind_offshore"]) == pytest.approx(
        NATIONAL_HOURS_2023["wind"], rel=0.02
    )
    assert weighted(["solar"]) == pytest.approx(NATIONAL_HOURS_2023["solar"], rel=0.02)


def test_every_variable_resource_has_a_profile(case):
    res, prof = case["res"], case["profiles"]
    cols = set(prof.columns[1:])
    for row in res[
        res["tech"].isin(["solar", "wind_onshore", "wind_offshore", "hydro"])
    ].itertuples():
        assert f"{row.node}:{row.tech}" in cols, (row.node, row.tech)
    pairs = set(zip(res["node"], res["tech"], strict=True))
    for c in cols:
        node, tech = c.split(":")
        assert (node, tech) in pairs, c


def test_references_point_to_existing_ids(case):
    regions = set(case["regions"]["id"])
    sites = case["sites"]
    site_ids = set(sites["id"])
    assert sites["id"].is_unique and not (site_ids & regions)
    nodes = regions | site_ids
    techs = set(case["tech"]["tech"])
    assert set(case["tech"]["kind"]) <= {"generator", "storage"}
    res = case["res"]
    assert set(res["node"]) <= nodes
    assert set(res["tech"]) <= techs
    assert not res.duplicated(["node", "tech"]).any()
    corr = case["corr"]
    assert set(corr["from"]) <= nodes and set(corr["to"]) <= nodes
    assert (corr["from"] != corr["to"]).all()
    assert set(sites["region"]) <= regions
    centres = case["centres"]
    assert centres["id"].is_unique
    assert set(centres["region"]) <= regions
    dem = case["demand"]
    assert set(dem["centre"]) <= set(centres["id"])
    assert set(dem["class"]) <= set(case["workloads"]["class"])
    for ident in list(nodes) + list(centres["id"]) + list(techs):
        assert ":" not in ident
    for f in SCEN.glob("*.yaml"):
        s = yaml.safe_load(f.read_text(encoding="utf-8"))
        allowed = (s.get("set") or {}).get("policies.allowed_sites")
        if allowed:
            assert set(allowed) <= site_ids, f.name


def test_sites_and_scenarios(case):
    sites = case["sites"]
    assert NATIONAL_CLUSTERS <= set(sites["id"])
    hubs = sites[sites["group"].str.startswith("national-hub")]
    assert set(hubs["id"]) == NATIONAL_CLUSTERS
    assert (sites.loc[sites["group"] == "national-hub-west", "pue"] <= 1.2).all()
    assert (sites.loc[sites["group"] == "national-hub-east", "pue"] <= 1.25).all()
    east_only = yaml.safe_load((SCEN / "east-only.yaml").read_text(encoding="utf-8"))
    assert set(east_only["set"]["policies.allowed_sites"]) == set(
        sites.loc[sites["group"] == "east-metro", "id"]
    )
    hubs_only = yaml.safe_load((SCEN / "hubs-only.yaml").read_text(encoding="utf-8"))
    assert set(hubs_only["set"]["policies.allowed_sites"]) == NATIONAL_CLUSTERS
    free = yaml.safe_load((SCEN / "free.yaml").read_text(encoding="utf-8"))
    assert not free.get("set")
    carbon = yaml.safe_load((SCEN / "carbon-price.yaml").read_text(encoding="utf-8"))
    assert 60 <= carbon["set"]["policies.co2_price_per_t"] <= 120


def test_every_centre_reachable_within_each_class_latency(case):
    lat = case["yaml"]["latency"]
    sites, centres = case["sites"], case["centres"]
    for c in centres.itertuples():
        d = haversine_km(
            c.geometry.x, c.geometry.y, sites.geometry.x.values, sites.geometry.y.values
        )
        ms = lat["base_ms"] + 2 * lat["route_factor"] * d / lat["fibre_km_per_ms"]
        for w in case["workloads"].itertuples():
            assert ms.min() <= w.max_latency_ms, (c.id, w._1)


def test_corridors(case):
    corr = case["corr"]
    dc = corr[corr["kind"] == "dc-existing"]
    assert 15 <= len(dc) <= 35
    assert (dc["max_new_mw"] == 0).all()
    assert (dc["loss_per_1000km"] < corr.loc[corr["kind"] == "ac", "loss_per_1000km"].min()).all()
    assert (corr["length_km"] > 0).all()
    # the +/-1100 kV Zhundong-Wannan line, 12 GW
    zw = dc[dc["name"].str.contains("Zhundong")]
    assert len(zw) == 1 and zw["existing_mw"].iloc[0] == 12000
    # every region is connected to the network
    regions = set(case["regions"]["id"])
    linked = set(corr["from"]) | set(corr["to"])
    assert regions <= linked


def test_case_yaml(case):
    y = case["yaml"]
    assert y["currency"] == "CNY"
    assert 0 < y["discount_rate"] < 0.15
    assert y["time_reduction"] == {"days": 6, "segments": 8}
    assert y["solver"]["time_limit_s"] == 480
    assert y["policies"] == {}
    total_it = case["demand"]["it_mw"].sum()
    assert math.isclose(total_it, 20000, rel_tol=0.01)


@pytest.mark.slow
def test_build_is_reproducible(tmp_path):
    """Re-running the build script from its sources gives the committed case byte for byte."""
    import filecmp
    import importlib.util

    build_script = Path(__file__).resolve().parents[2] / "data" / "china" / "build_china.py"
    spec = importlib.util.spec_from_file_location("build_china", build_script)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    cn, pw, scen = tmp_path / "china", tmp_path / "china-pathway", tmp_path / "scenarios"
    mod.build(cn)
    case = build_script.parent.parent / "cases" / "china"
    for f in sorted(case.iterdir()):
        assert filecmp.cmp(f, cn / f.name, shallow=False), f.name
    # the multi-period pathway case and its scenario come from the same run
    mod.build_pathway(pw, cn, scen)
    data = build_script.parent.parent
    for ref, got in ((data / "cases" / "china-pathway", pw),
                     (data / "scenarios" / "china-pathway", scen)):
        assert sorted(p.name for p in ref.iterdir()) == sorted(p.name for p in got.iterdir())
        for f in sorted(ref.iterdir()):
            assert filecmp.cmp(f, got / f.name, shallow=False), f.name
