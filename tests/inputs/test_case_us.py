"""Checks of the embedded US case (data/cases/us) against the statistics it claims to reproduce.

These tests read the case with pandas / geopandas only (not the model).  Sources of the numbers
asserted here are in data/cases/us/SOURCES.md.
"""

from __future__ import annotations

import filecmp
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "data" / "cases" / "us"
SRC = ROOT / "data" / "us"
SCEN = ROOT / "data" / "scenarios" / "us"

LOWER48 = sorted(
    "al az ar ca co ct de fl ga id il in ia ks ky la me md ma mi mn ms mo mt ne nv nh nj nm ny "
    "nc nd oh ok or pa ri sc sd tn tx ut vt va wa wv wi wy".split()
)
GROUPS = {"PJM", "ERCOT", "MISO", "SPP", "CAISO", "NYISO", "ISO-NE", "Southeast", "West"}

# Existing capacity at end-2023, net summer MW, utility scale.
# US totals: EIA Electric Power Annual 2023 Table 4.3 / Electric Power Monthly Table 6.1 (rounded);
# batteries: EIA Today in Energy 2024 (~16 GW at end-2023).  The case covers the lower 48 only, so
# the case total is compared with the US total less an Alaska + Hawaii estimate (assumption,
# listed with the numbers in data/us/national_capacity_2023.csv and SOURCES.md).
US_CAPACITY_MW = {  # tech: (US total, AK+HI estimate)
    "coal": (176_000, 250),
    "gas": (492_000, 1_600),  # gas_cc + gas_ct
    "oil": (29_000, 2_600),
    "nuclear": (95_800, 0),
    "hydro": (80_000, 500),
    "pumped_hydro": (22_000, 0),
    "wind": (147_500, 300),
    "solar": (91_500, 300),
    "battery": (16_000, 300),
}
# Retail sales 2023: EIA Electric Power Monthly Table 5.1, all sectors, 3,861,342 thousand MWh (US);
# lower 48 + DC from EIA-861M state data (data/us/retail_sales_2023.csv) = 3,846.45 TWh.
US_RETAIL_SALES_2023_TWH = 3861.342
L48_DC_RETAIL_SALES_2023_TWH = 3846.451


def _read_geo(name):
    g = gpd.read_file(CASE / name)
    if g.crs is not None:
        g = g.to_crs("EPSG:4326")
    return g


@pytest.fixture(scope="module")
def regions():
    return _read_geo("regions.geojson")


@pytest.fixture(scope="module")
def sites():
    return _read_geo("sites.geojson")


@pytest.fixture(scope="module")
def centres():
    return _read_geo("demand_centres.geojson")


@pytest.fixture(scope="module")
def load():
    return pd.read_csv(CASE / "load.csv")


@pytest.fixture(scope="module")
def profiles():
    return pd.read_csv(CASE / "profiles.csv")


@pytest.fixture(scope="module")
def resources():
    return pd.read_csv(CASE / "resources.csv")


@pytest.fixture(scope="module")
def technologies():
    return pd.read_csv(CASE / "technologies.csv")


@pytest.fixture(scope="module")
def workloads():
    return pd.read_csv(CASE / "workloads.csv")


@pytest.fixture(scope="module")
def case_yaml():
    return yaml.safe_load((CASE / "case.yaml").read_text())


def haversine_km(lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(a))


# ------------------------------------------------------------------------------------------------
def test_case_folder_complete():
    for f in [
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
    ]:
        assert (CASE / f).is_file(), f
    size = sum(p.stat().st_size for p in CASE.iterdir() if p.is_file())
    assert size < 25e6


def test_case_yaml(case_yaml):
    assert case_yaml["currency"] == "USD"
    assert 0 < case_yaml["discount_rate"] < 0.15
    assert case_yaml["value_of_lost_load_per_mwh"] > 0
    assert set(case_yaml["latency"]) == {"base_ms", "route_factor", "fibre_km_per_ms"}
    assert case_yaml["time_reduction"] == {"days": 6, "segments": 8}
    assert case_yaml["solver"]["mip_gap"] == 0.01
    assert case_yaml["policies"] == {}


def test_48_lower48_states_dc_merged_into_maryland(regions):
    assert len(regions) == 48
    assert sorted(regions["id"]) == LOWER48
    assert "dc" not in set(regions["id"])  # DC is merged into Maryland (md)
    assert "DC" in regions.set_index("id").loc["md", "name"]
    assert regions.crs.to_epsg() == 4326
    assert set(regions.geom_type) <= {"Polygon", "MultiPolygon"}
    assert regions.is_valid.all()
    assert set(regions["group"]) <= GROUPS
    g = regions.set_index("id")["group"]
    assert g["tx"] == "ERCOT" and g["va"] == "PJM" and g["ca"] == "CAISO" and g["ny"] == "NYISO"
    # bounds of the lower 48
    minx, miny, maxx, maxy = regions.total_bounds
    assert -125.5 < minx < -124 and 24 < miny < 25.5 and -67.5 < maxx < -66.5 and 49 < maxy < 49.6


def test_8760_hours_of_2023(load, profiles):
    for df in (load, profiles):
        assert len(df) == 8760
        t = pd.to_datetime(df["time"])
        assert t.iloc[0] == pd.Timestamp("2023-01-01 00:00")
        assert t.iloc[-1] == pd.Timestamp("2023-12-31 23:00")
        assert (t.diff().dropna() == pd.Timedelta(hours=1)).all()
    assert (load["time"] == profiles["time"]).all()


def test_annual_load_matches_retail_sales(load):
    mw = load.drop(columns="time")
    assert sorted(mw.columns) == LOWER48
    assert (mw.to_numpy() > 0).all()
    total_twh = mw.to_numpy().sum() / 1e6
    assert abs(total_twh / L48_DC_RETAIL_SALES_2023_TWH - 1) < 0.03
    # lower 48 + DC is 99.6 % of the US total (AK + HI ~ 14.9 TWh)
    assert abs(total_twh / US_RETAIL_SALES_2023_TWH - 1) < 0.03
    # per state, against the EIA-861M table it was built from (DC merged into md)
    sales = pd.read_csv(SRC / "retail_sales_2023.csv").set_index("state")["total_mwh"]
    sales["md"] += sales.pop("dc")
    got = mw.sum()
    for s in LOWER48:
        assert got[s] == pytest.approx(sales[s], rel=1e-3), s
    # plausible shape: national coincident peak and load factor
    nat = mw.sum(axis=1)
    assert 600e3 < nat.max() < 780e3
    assert 0.55 < nat.mean() / nat.max() < 0.72


def test_existing_capacity_matches_national_statistics(resources):
    reg = resources[resources["node"].isin(LOWER48)]
    tot = reg.groupby("tech")["existing_mw"].sum()
    tot["gas"] = tot["gas_cc"] + tot["gas_ct"]
    for tech, (us_total, akhi) in US_CAPACITY_MW.items():
        l48 = us_total - akhi
        assert abs(tot[tech] / l48 - 1) < 0.03, (tech, tot[tech], l48)
    # the big technologies are also within 3 % of the US total itself
    for tech in ["coal", "gas", "nuclear", "hydro", "pumped_hydro", "wind", "solar", "battery"]:
        assert abs(tot[tech] / US_CAPACITY_MW[tech][0] - 1) < 0.03, tech
    # spot checks of state allocations (known fleets)
    by = reg.set_index(["node", "tech"])["existing_mw"]
    assert by[("tx", "wind")] > 35_000  # Texas ~40 GW wind
    assert by[("ca", "battery")] > 8_000  # California ~10 GW batteries
    assert by[("il", "nuclear")] > 10_000  # Illinois 11 reactors
    assert by[("wa", "hydro")] > 18_000  # Grand Coulee / Columbia river
    assert ("ca", "coal") not in by.index


def test_storage_rows_have_energy(resources, technologies):
    kinds = technologies.set_index("tech")["kind"]
    st = resources[resources["tech"].map(kinds) == "storage"]
    ex = st[st["existing_mw"] > 0]
    assert (ex["existing_mwh"] >= ex["existing_mw"]).all()


def test_profile_capacity_factors_match_calibration_targets(profiles, resources):
    tgt = pd.read_csv(SRC / "states.csv").set_index("state")
    vals = profiles.drop(columns="time")
    assert ((vals >= 0) & (vals <= 1)).all().all()
    hydro_states = set(resources[(resources.tech == "hydro") & (resources.existing_mw > 0)].node)
    for s in LOWER48:
        assert abs(vals[f"{s}:solar"].mean() - tgt.loc[s, "solar_cf"]) < 0.02, s
        assert abs(vals[f"{s}:wind"].mean() - tgt.loc[s, "wind_cf"]) < 0.02, s
        if s in hydro_states:
            assert abs(vals[f"{s}:hydro"].mean() - tgt.loc[s, "hydro_cf"]) < 0.02, s
    # solar is zero at night somewhere every day, wind is never a constant
    assert (vals[[f"{s}:solar" for s in LOWER48]].min() == 0).all()
    assert (vals[[f"{s}:wind" for s in LOWER48]].std() > 0.05).all()
    # national capacity-weighted factors near EIA 2023 (wind ~0.33, utility PV ~0.23)
    cap = resources[resources.node.isin(LOWER48)].pivot_table(
        index="node", columns="tech", values="existing_mw", aggfunc="sum"
    )
    w = (cap["wind"] * vals[[f"{s}:wind" for s in cap.index]].mean().to_numpy()).sum() / cap[
        "wind"
    ].sum()
    so = (cap["solar"] * vals[[f"{s}:solar" for s in cap.index]].mean().to_numpy()).sum() / cap[
        "solar"
    ].sum()
    assert 0.30 < w < 0.37
    assert 0.21 < so < 0.26


def test_all_references_valid(
    regions, sites, centres, load, profiles, resources, technologies, workloads
):
    rid = set(regions["id"])
    sid = set(sites["id"])
    assert not rid & sid
    for ids in (rid, sid, set(centres["id"]), set(technologies["tech"]), set(workloads["class"])):
        assert all(":" not in str(i) for i in ids)
    # technologies
    assert technologies["tech"].is_unique
    assert set(technologies["kind"]) <= {"generator", "storage"}
    assert (technologies["capex_per_kw"] >= 0).all() and (technologies["lifetime_years"] > 0).all()
    assert set(technologies["clean"].astype(str).str.lower()) <= {"true", "false"}
    # resources
    assert set(resources["node"]) <= rid | sid
    assert set(resources["tech"]) <= set(technologies["tech"])
    assert not resources.duplicated(["node", "tech"]).any()
    assert (resources["existing_mw"] >= 0).all()
    # profiles: node:tech with a resource row
    rows = set(zip(resources["node"], resources["tech"], strict=True))
    for col in profiles.columns.drop("time"):
        node, tech = col.split(":")
        assert (node, tech) in rows, col
    # every wind/solar resource row has a profile (else it would be available at 1)
    for node, tech in rows:
        if tech in ("wind", "solar"):
            assert f"{node}:{tech}" in profiles.columns, (node, tech)
    # load
    assert set(load.columns.drop("time")) <= rid
    # corridors
    cor = pd.read_csv(CASE / "corridors.csv")
    assert set(cor["from"]) | set(cor["to"]) <= rid
    assert not cor.duplicated(["from", "to"]).any()
    assert (cor["length_km"] > 0).all() and (cor["existing_mw"] >= 0).all()
    # sites: host region exists and the point lies in (or within 25 km of) it
    assert set(sites["region"]) <= rid
    for _, s in sites.iterrows():
        poly = regions.set_index("id").loc[s["region"], "geometry"]
        assert poly.distance(s.geometry) < 0.25, s["id"]
    assert (sites["min_it_mw"] <= sites["max_it_mw"]).all()
    assert (sites["pue"] >= 1).all() and sites["source"].str.len().gt(10).all()
    # compute demand
    cd = pd.read_csv(CASE / "compute_demand.csv")
    assert set(cd["centre"]) <= set(centres["id"])
    assert set(cd["class"]) <= set(workloads["class"])
    assert not cd.duplicated(["centre", "class"]).any()
    assert set(centres["region"]) <= rid


def test_ercot_weakly_connected():
    cor = pd.read_csv(CASE / "corridors.csv")
    tx = cor[(cor["from"] == "tx") | (cor["to"] == "tx")]
    assert len(tx) == 4  # ar, la, nm, ok share a border with Texas
    assert tx["existing_mw"].sum() <= 1_300  # DC ties only (East 600 + North 220 MW to SPP)


def test_compute_demand_total_and_classes(workloads):
    cd = pd.read_csv(CASE / "compute_demand.csv")
    assert cd["it_mw"].sum() == pytest.approx(30_000, rel=0.001)
    wl = workloads.set_index("class")
    assert set(wl.index) == {"interactive", "batch", "training"}
    assert (
        wl.loc["interactive", "max_latency_ms"] == 20
        and wl.loc["interactive", "flexible_share"] == 0
    )
    assert wl.loc["training", "max_latency_ms"] >= 1000


def test_every_centre_has_a_site_within_each_class_latency(sites, centres, workloads, case_yaml):
    lat = case_yaml["latency"]
    km = haversine_km(
        centres.geometry.y.to_numpy()[:, None],
        centres.geometry.x.to_numpy()[:, None],
        sites.geometry.y.to_numpy()[None, :],
        sites.geometry.x.to_numpy()[None, :],
    )
    ms = lat["base_ms"] + 2 * lat["route_factor"] * km / lat["fibre_km_per_ms"]
    cd = pd.read_csv(CASE / "compute_demand.csv")
    limit = workloads.set_index("class")["max_latency_ms"]
    cidx = {c: i for i, c in enumerate(centres["id"])}
    for _, r in cd.iterrows():
        assert ms[cidx[r["centre"]]].min() <= limit[r["class"]], (r["centre"], r["class"])
    # and the site fleet can host the demand
    assert sites["max_it_mw"].sum() > cd["it_mw"].sum() * 1.2


def test_scenarios_parse_and_point_at_real_rows(sites, workloads):
    names = {"virginia-capped", "byog", "flexible-training", "free"}
    files = {p.stem: yaml.safe_load(p.read_text()) for p in SCEN.glob("*.yaml")}
    assert names <= set(files)
    for stem, sc in files.items():
        assert sc["name"] == stem and isinstance(sc["description"], str)
        assert isinstance(sc.get("set", {}), dict) and isinstance(sc.get("scale", {}), dict)
        for key in sc.get("set", {}):
            table, *rest = key.split(".")
            if table == "sites":
                assert rest[0] in set(sites["id"])
            elif table == "workloads":
                assert rest[0] in set(workloads["class"])
            else:
                assert table in {"policies", "technologies"}
    assert files["free"].get("set", {}) == {}
    assert files["byog"]["set"]["policies.firm_per_dc_mw"] == 1.0
    assert files["virginia-capped"]["set"]["policies.max_new_load_mw"]["va"] > 0
    fl = files["flexible-training"]["set"]
    base = workloads.set_index("class")["flexible_share"]
    assert fl["workloads.training.flexible_share"] > base["training"]


@pytest.mark.slow
def test_build_is_reproducible(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_us", SRC / "build_us.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    us, pw, scen = tmp_path / "us", tmp_path / "us-pathway", tmp_path / "scenarios"
    mod.build(us)
    for f in sorted(CASE.iterdir()):
        assert filecmp.cmp(f, us / f.name, shallow=False), f.name
    # the multi-period pathway case and its scenarios come from the same run
    mod.build_pathway(pw, us, scen)
    pw_case = ROOT / "data" / "cases" / "us-pathway"
    assert sorted(p.name for p in pw_case.iterdir()) == sorted(p.name for p in pw.iterdir())
    for f in sorted(pw_case.iterdir()):
        assert filecmp.cmp(f, pw / f.name, shallow=False), f.name
    pw_scen = ROOT / "data" / "scenarios" / "us-pathway"
    assert sorted(p.name for p in pw_scen.iterdir()) == sorted(p.name for p in scen.iterdir())
    for f in sorted(pw_scen.iterdir()):
        assert filecmp.cmp(f, scen / f.name, shallow=False), f.name
