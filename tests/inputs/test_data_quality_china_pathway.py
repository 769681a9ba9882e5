"""Data-quality checks of the China pathway case (data/cases/china-pathway, scenario delayed-uhv):
UHV lead times, load growth, pipeline and retirement volumes, compute ramp, cost ratios, asserted
against the values they cite (details in data/cases/china-pathway/SOURCES.md). pandas / yaml only.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "data" / "cases" / "china-pathway"
CN = ROOT / "data" / "cases" / "china"
PERIODS = [2025, 2030, 2035]
DECISION = 2024


def first_period(lead: int) -> int | None:
    return next((p for p in PERIODS if p >= DECISION + lead), None)


def test_case_yaml_periods():
    y = yaml.safe_load((CASE / "case.yaml").read_text())
    assert y["periods"] == PERIODS and y["decision_year"] == DECISION
    assert y["foresight"] == "perfect"


def test_uhv_lead_times_and_delayed_scenario():
    cor = pd.read_csv(CASE / "corridors.csv")
    cand = cor[cor.kind == "dc-candidate"].set_index("name")
    # under construction in 2024, in operation 2025: Ningxia-Hunan (State Grid / Xinhua,
    # 20 Aug 2025), Hami-Chongqing (People's Daily, 8 Jul 2025), Longdong-Shandong (commissioned
    # 2025)
    for n in ("candidate: Ningxia–Hunan ±800 kV", "candidate: Hami North–Chongqing ±800 kV",
              "candidate: Longdong (Gansu)–Shandong ±800 kV"):
        assert first_period(cand.loc[n, "lead_time_years"]) == 2025
    # Baihetan-Jiangsu: NDRC approval Nov 2020 -> operation Jul 2022 (20 months); planned lines
    # need approval first: lead = 1 + ~2 years
    baihetan_years = 20 / 12
    planned = cand[cand.lead_time_years > 1]["lead_time_years"]
    assert len(planned) == 5 and (planned >= 1 + baihetan_years).all()
    assert {first_period(v) for v in planned} == {2030}
    scen = ROOT / "data" / "scenarios" / "china-pathway" / "delayed-uhv.yaml"
    sc = yaml.safe_load(scen.read_text())
    pairs = zip(cand["from"], cand["to"], strict=True)
    keys = {f"corridors.{a}:{b}.lead_time_years" for a, b in pairs}
    assert set(sc["set"]) == keys
    assert {first_period(v) for v in sc["set"].values()} == {2035}
    assert (cor[cor.kind != "dc-candidate"].lead_time_years <= 3).all()


def test_load_growth_cec():
    lg = pd.read_csv(CASE / "load_growth.csv")
    # CEC forecast (24 Jan 2025): 2025 consumption ~10.4 PWh; NEA 2023: 9,224.1 TWh
    f = lg.groupby("period")["factor"].first()
    assert f[2025] == pytest.approx(10_400 / 9_224.1, abs=1e-4)
    assert f[2030] == pytest.approx(f[2025] * 1.045**5, abs=1e-3)
    assert f[2035] == pytest.approx(f[2030] * 1.03**5, abs=1e-3)
    assert lg.groupby("period")["factor"].nunique().eq(1).all()  # national factor everywhere
    assert lg.region.nunique() == 31


def test_pipeline_volumes_match_gem():
    res = pd.read_csv(CASE / "resources.csv")
    tot = res.groupby("tech")["max_new_mw"].sum()
    # GEM GCPT July 2023 (SOURCES of the China case): coal in construction 113.9 GW, permitted
    # 98.9 GW; GEM GGPT Feb 2023: gas construction 19.2 GW, pre-construction 43.4 GW
    assert tot["coal_construction"] == pytest.approx(113_900, rel=0.01)
    assert tot["coal_permitted"] == pytest.approx(98_900, rel=0.01)
    assert tot["gas_construction"] == pytest.approx(19_200, rel=0.01)
    assert tot["gas_preconstruction"] == pytest.approx(43_400, rel=0.01)
    tech = pd.read_csv(CASE / "technologies.csv").set_index("tech")
    assert first_period(tech.loc["coal_construction", "lead_time_years"]) == 2025
    assert first_period(tech.loc["coal_permitted", "lead_time_years"]) == 2030
    assert tech.loc["coal_construction", "capex_per_kw"] == 0.5 * tech.loc["coal", "capex_per_kw"]


def test_coal_retirements():
    res = pd.read_csv(CASE / "resources.csv")
    cn = pd.read_csv(CN / "resources.csv")
    old = cn[cn.tech == "coal"].set_index("node")["existing_mw"]
    new = res[res.tech == "coal"].set_index("node")["existing_mw"]
    # GEM GCPT July 2023 planned retirements 2024-2025: jilin 690, guangdong 1980, jiangsu 330,
    # shaanxi 350 MW; 2031-2034: hubei 660 + 330 + 330 MW
    assert (old - new).sum() == pytest.approx(3_350 + 1_320, abs=0.5)
    late = res[res.tech == "coal_retiring_2035"]
    assert late.node.tolist() == ["hubei"] and late.existing_mw.iloc[0] == 1_320
    assert late.retire_year.iloc[0] == 2035


def test_compute_ramp_and_costs():
    cd = pd.read_csv(CASE / "compute_demand.csv").groupby("period")["it_mw"].sum()
    assert cd[2030] == pytest.approx(pd.read_csv(CN / "compute_demand.csv")["it_mw"].sum(), abs=1)
    for p, mw in {2025: 0, 2030: 20000, 2035: 35000}.items():
        assert cd[p] == pytest.approx(mw, rel=0.002)
    c = pd.read_csv(CASE / "tech_costs.csv").set_index(["tech", "period"])
    # CPIA 2023: ground PV 3.4 CNY/W; ATB 2024 utility PV 2025 1605.51 -> 2030 1284.59 USD/kW
    assert c.loc[("solar", 2025), "capex_per_kw"] == 3400
    assert c.loc[("solar", 2030), "capex_per_kw"] == round(3400 * 1284.59 / 1605.51)
