"""Data-quality checks of the US pathway case (data/cases/us-pathway, data/scenarios/us-pathway):
lead times, growth rates, queue volumes, compute ramp and cost trajectories asserted against the
values they cite. Sources are named at each constant (details in data/cases/us-pathway/SOURCES.md).
These tests read the files with pandas / yaml only (the model does not read the new inputs yet).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "data" / "cases" / "us-pathway"
US = ROOT / "data" / "cases" / "us"
SCEN = ROOT / "data" / "scenarios" / "us-pathway"
PERIODS = [2026, 2028, 2030, 2035]
DECISION = 2025


def first_period(lead: int) -> int | None:
    return next((p for p in PERIODS if p >= DECISION + lead), None)


@pytest.fixture(scope="module")
def tech():
    return pd.read_csv(CASE / "technologies.csv").set_index("tech")


def test_case_yaml_periods():
    y = yaml.safe_load((CASE / "case.yaml").read_text())
    assert y["periods"] == PERIODS and y["decision_year"] == DECISION
    assert y["foresight"] == "perfect" and y["base_year"] == 2022  # ATB 2024 dollar year


def test_gas_lead_times_follow_the_turbine_backlog(tech):
    # GE Vernova Q1-2025 (Bloomberg, 23 Apr 2025): new gas-turbine orders deliver in 2028.
    turbine_delivery = 2028
    assert DECISION + tech.loc["gas_ct", "lead_time_years"] > turbine_delivery
    assert first_period(tech.loc["gas_ct", "lead_time_years"]) == 2030
    assert tech.loc["gas_cc", "lead_time_years"] >= tech.loc["gas_ct", "lead_time_years"]
    assert first_period(tech.loc["gas_cc", "lead_time_years"]) == 2030


def test_grid_and_onsite_lead_times(tech):
    # Berkeley Lab Queued Up 2024: ~5 years median request-to-operation for projects built in 2023;
    # grid solar/wind/battery are at most that, on-site resources skip the queue (1 year).
    queued_up_median = 5
    for t in ("solar", "wind", "battery"):
        assert 1 < tech.loc[t, "lead_time_years"] <= queued_up_median
    for t in ("gas_ct_onsite", "solar_onsite", "battery_onsite"):
        assert tech.loc[t, "lead_time_years"] == 1 and first_period(1) == 2026
    assert first_period(tech.loc["nuclear_restart", "lead_time_years"]) == 2028


def test_corridor_lead_times():
    cor = pd.read_csv(CASE / "corridors.csv")
    ties = pd.read_csv(ROOT / "data" / "us" / "interties.csv")
    inter = {tuple(sorted(p)) for p in ties[["a", "b"]].values}
    hv = [tuple(sorted(p)) in inter for p in cor[["from", "to"]].values]
    # the brief's range for new interstate transmission: 5-10 years; HVDC/seam lines 10
    assert cor["lead_time_years"].between(5, 10).all()
    assert (cor.loc[hv, "lead_time_years"] == 10).all()
    assert len(cor) == len(pd.read_csv(US / "corridors.csv"))


def test_sites_lead_times():
    fc = json.loads((CASE / "sites.geojson").read_text())
    p = {f["properties"]["id"]: f["properties"] for f in fc["features"]}
    # Dominion (Aug 2024 letter; Bloomberg 29 Aug 2024): new > 100 MW connections take 4-7 years
    assert 4 <= p["loudoun_va"]["grid_lead_time_years"] <= 7
    assert all(1 <= v["lead_time_years"] <= 3 for v in p.values())
    assert all(1 <= v["grid_lead_time_years"] <= 7 for v in p.values())


def test_load_growth_is_background_growth():
    lg = pd.read_csv(CASE / "load_growth.csv")
    regions = json.loads((CASE / "regions.geojson").read_text())
    group = {f["properties"]["id"]: f["properties"]["group"] for f in regions["features"]}
    assert len(lg) == len(group) * len(PERIODS)
    # PJM 2025 Long-Term Load Forecast: net energy +4.8 %/yr over 10 years, data centres included;
    # the case applies background growth only (data centres are in compute_demand / the queue).
    pjm_total = 0.048
    va = lg[lg.region == "va"].set_index("period")["factor"]
    assert va[2035] == pytest.approx(1.015 ** 12, abs=1e-4)
    assert va[2035] < (1 + pjm_total) ** 12
    # EIA AEO2025 Reference: US demand +1.6 %/yr incl. data centres; every group grows
    for _, d in lg.groupby("region"):
        f = d.sort_values("period")["factor"].to_numpy()
        assert (f[1:] > f[:-1]).all() and f[0] > 1
    assert set(group.values()) >= {"PJM", "ERCOT"}


def test_connection_queue_volumes():
    q = pd.read_csv(ROOT / "data" / "us" / "pathway_connection_queue.csv")
    case = pd.read_csv(CASE / "connection_queue.csv")
    assert case["mw"].tolist() == q["mw"].tolist()
    va = q[q.region == "va"].set_index("online_year")["contracted_mw"]
    # Dominion Q4-2024: 9 GW with electrical service agreements, 5 GW with construction LOAs,
    # ~40.2 GW in all contracting stages (Dec 2024)
    assert va[[2026, 2028, 2030]].sum() == 9000 and va[2035] == 5000
    assert va.sum() <= 40_200
    tx = q[q.region == "tx"].set_index("online_year")["contracted_mw"]
    # ERCOT: ~9,042 MW approved to energise vs ~3,883 MW operating (March 2026 queue status)
    assert tx[2026] == pytest.approx(9042 - 3883, rel=0.05)
    # ERCOT large-load queue ~226 GW (Nov 2025): the case takes a small committed subset
    assert tx.sum() <= 0.15 * 226_000
    # realisation 0.5: ERCOT found ~49.8 % of forecast large load energised (Apr 2025)
    assert (q["mw"] == q["contracted_mw"] * q["realisation"]).all()
    assert q["realisation"].eq(0.5).all()


def test_compute_demand_ramp():
    cd = pd.read_csv(CASE / "compute_demand.csv")
    us = pd.read_csv(US / "compute_demand.csv")
    tot = cd.groupby("period")["it_mw"].sum()
    assert tot[2030] == pytest.approx(us["it_mw"].sum(), abs=1.0)  # the US case's 30 GW IT
    for p, mw in {2026: 6000, 2028: 15000, 2030: 30000, 2035: 48000}.items():
        assert tot[p] == pytest.approx(mw, rel=0.001)
    n = cd.groupby(["centre", "class"])["period"].apply(sorted)
    assert all(v == PERIODS for v in n) and len(n) == len(us)


def test_tech_costs_follow_atb_2024():
    c = pd.read_csv(CASE / "tech_costs.csv").set_index(["tech", "period"])
    # NREL ATB 2024 Moderate, Market, 2022 USD (PyPSA/technology-data outputs/US/costs_20XX.csv):
    # solar-utility investment 2025 1605.51, 2030 1284.59, 2035 963.67 USD/kW; onwind 2030 1515.44;
    # battery storage 2035 249.39 USD/kWh; battery inverter 2030 465.84 USD/kW
    assert c.loc[("solar", 2030), "capex_per_kw"] == round(1284.59)
    assert c.loc[("solar", 2035), "capex_per_kw"] == round(963.67)
    assert c.loc[("solar", 2026), "capex_per_kw"] == round(1605.51 + (1284.59 - 1605.51) / 5)
    assert c.loc[("wind", 2030), "capex_per_kw"] == round(1515.44)
    assert c.loc[("battery", 2035), "capex_per_kwh"] == round(249.39)
    assert c.loc[("battery", 2030), "capex_per_kw"] == round(465.84)
    for t in ("solar", "wind", "battery", "solar_onsite", "battery_onsite"):
        v = [c.loc[(t, p), "capex_per_kw"] for p in PERIODS]
        assert v == sorted(v, reverse=True), t
    assert not any(t.startswith("gas") for t, _ in c.index)  # gas flat


def test_coal_retirements():
    res = pd.read_csv(CASE / "resources.csv")
    us = pd.read_csv(US / "resources.csv")
    coal = res[res.tech.str.startswith("coal")]
    ret = pd.read_csv(ROOT / "data" / "us" / "pathway_coal_retirements_gem.csv")
    # GEM GCPT July 2023: planned retirements of operating US units (aggregate by state and year)
    assert ret["mw"].sum() == pytest.approx(111_812.2, abs=1.0)
    assert coal.existing_mw.sum() < us[us.tech == "coal"].existing_mw.sum()
    assert set(coal.dropna(subset=["retire_year"]).retire_year.astype(int)) <= {2028, 2030, 2035}
    by_period = {p: coal[(coal.retire_year.isna()) | (coal.retire_year > p)].existing_mw.sum()
                 for p in PERIODS}
    # EIA Today in Energy (14 Jul 2025): 172 GW (May 2025) -> 145 GW by end-2028 planned by
    # operators; GEM's 2023 plans are steeper, the 2026 fleet stays of EIA's 2025 magnitude
    assert 120_000 < by_period[2026] < 176_000
    assert by_period[2026] > by_period[2028] > by_period[2030] >= by_period[2035]


def test_scenarios():
    res = pd.read_csv(CASE / "resources.csv")
    fc = json.loads((CASE / "sites.geojson").read_text())
    sites = {f["properties"]["id"] for f in fc["features"]}
    site_rows = res[res.node.isin(sites)]
    g = yaml.safe_load((SCEN / "grid-only.yaml").read_text())
    s = yaml.safe_load((SCEN / "speed-to-power.yaml").read_text())
    for r in site_rows.itertuples():
        key = f"resources.{r.node}:{r.tech}.max_new_mw"
        assert g["set"][key] == 0.0 and s["set"][key] == r.max_new_mw
    assert set(site_rows.tech) == {"gas_ct_onsite", "gas_cc", "solar_onsite", "battery_onsite"}
    q = pd.read_csv(CASE / "connection_queue.csv")
    for sc in (g, s):
        cap = sc["set"]["policies.max_new_load_mw"]
        assert set(cap) == {"va", "tx"}
        for region, by in cap.items():
            assert sorted(by) == PERIODS
            for p, mw in by.items():  # the cap leaves room beyond the queued loads
                assert mw > q[(q.region == region) & (q.online_year <= p)]["mw"].sum()
    # Dominion: 6 GW of headroom from two new 500 kV lines (2028), 9 GW of ESAs (2030)
    assert g["set"]["policies.max_new_load_mw"]["va"][2030] == 9000
    assert math.isclose(g["set"]["policies.max_new_load_mw"]["va"][2028], 6000)
