"""Policy levers on cases small enough to solve by hand.

Discount rate 0 and lifetime 1 year: an overnight X per kW costs 1000·X per MW-year. Most
cases have two steps of 1000 h each (``time_step_weight_hours: 1000``), so one MW all year is
2000 MWh.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from casegen import tech, write_case

from model.formulation.policies import LEVERS, validate_policies
from model.inputs.problems import CaseError
from model.studies.cases import load_case
from model.studies.run import run

REL = 1e-7
ROOT = Path(__file__).resolve().parents[2]
W2 = {"time_step_weight_hours": 1000}


def _energy_case(tmp_path, name, policies=None, *, sites=None, compute=None, extra_res=()):
    """One region, load 100 MW in two steps of 1000 h. Gas: existing 200 MW, fuel 50/MWh,
    0.5 t/MWh. Wind: 90 000 per MW-year, availability [1, 0.5], clean.

    Wind up to 100 MW displaces 1500 MWh of gas per MW (break-even CO2 price 20/t, clean
    premium 10/MWh); above 100 MW the first step is saturated and only 500 MWh/MW remain."""
    cfg = dict(W2, policies=policies or {})
    kw = {}
    if sites:
        kw = dict(sites=sites, centres=[{"id": "city", "lon": 0.2, "lat": 0}],
                  compute_demand=compute, workloads=[{"class": "chat", "max_latency_ms": 50}])
    return write_case(
        tmp_path / name,
        regions=[{"id": "r", "lon": 0, "lat": 0}],
        load={"r": [100.0, 100.0]},
        technologies=[tech("gas", fuel_cost_per_mwh=50, co2_t_per_mwh=0.5),
                      tech("wind", capex_per_kw=90, clean=True)],
        resources=[{"node": "r", "tech": "gas", "existing_mw": 200, "max_new_mw": 0},
                   {"node": "r", "tech": "wind"}, *extra_res],
        profiles={"r:wind": [1.0, 0.5]},
        config=cfg, **kw)


def _new(res, node, tech_):
    cap = res.tables["capacity"].set_index(["node", "tech"])
    return float(cap.loc[(node, tech_), "new_mw"])


# --------------------------------------------------------------------------- validation
def test_unknown_policy_key_is_a_clear_error(tmp_path):
    folder = _energy_case(tmp_path, "unknown", {"co2_cap": 5, "co2_price_per_t": 10})
    with pytest.raises(CaseError) as info:  # validation, before any model is built
        load_case(folder)
    problems = info.value.problems
    assert len(problems) == 1
    p = problems[0]
    assert p.file == "case.yaml" and p.column == "policies"
    assert "unknown policy 'co2_cap'" in p.message and "co2_cap_t" in p.hint
    with pytest.raises(CaseError, match="unknown policy 'co2_cap'"):
        run(folder, write=False)


@pytest.mark.parametrize("policies, text", [
    ({"co2_cap_t": -1}, "policies.co2_cap_t"),
    ({"clean_share": 1.5}, "must be <= 1"),
    ({"cfe_247": {"share": 0.5, "scope": "planet"}}, "unknown scope"),
    ({"reserve_margin": {"share": 0.1, "groups": {"g": ["nowhere"]}}}, "'nowhere'"),
    ({"max_new_load_mw": {"mars": 10}}, "policies.max_new_load_mw"),
    ({"min_share_in_group": {"group": "west-hub", "share": 0.5}}, "no site has group"),
])
def test_bad_policy_values_name_the_key(tmp_path, policies, text):
    folder = _energy_case(tmp_path, "bad", policies)
    with pytest.raises(CaseError) as info:
        load_case(folder)
    problems = info.value.problems
    assert problems and any(text in str(p) for p in problems)
    with pytest.raises(CaseError):
        run(folder, write=False)


# ------------------------------------------------------------------------------ CO2 cap
def test_co2_cap_binds_with_its_carbon_price(tmp_path):
    """Cap 55 000 t: 60 MW of wind (E = 100 000 − 750·W), dual = break-even price 20/t.
    A price run at 20/t finds the capped solution optimal: same objective once the CO2 cost
    of the capped emissions is taken off (the price run is indifferent between 0 and 100 MW
    of wind, so compare objectives, and the capped dispatch under the price run's costs)."""
    cap = run(_energy_case(tmp_path, "cap", {"co2_cap_t": 55_000}), write=False)
    rep = cap.summary["policies"]["co2_cap_t"]
    assert rep["binding"] and rep["emissions_t"] == pytest.approx(55_000, rel=1e-9)
    assert cap.summary["emissions_t"] == pytest.approx(55_000, rel=1e-9)
    assert rep["price_per_t"] == pytest.approx(20.0, rel=1e-7)
    assert _new(cap, "r", "wind") == pytest.approx(60, rel=1e-7)
    assert cap.objective == pytest.approx(60 * 90_000 + 50 * 1000 * (40 + 70), rel=REL)

    price = run(_energy_case(tmp_path, "price", {"co2_price_per_t": rep["price_per_t"]}),
                write=False)
    assert price.objective == pytest.approx(cap.objective + 20.0 * 55_000, rel=REL)
    # the capped solution is optimal for the price run
    c_price = price.context.lp.cost_vector()
    assert c_price @ cap.solve_result.x == pytest.approx(price.objective, rel=REL)


def test_co2_price_and_cap_give_the_same_dispatch(tmp_path):
    """Price 100/t (between the break-evens 20 and 260): exactly 100 MW of wind, 25 000 t.
    A cap at those emissions reproduces the dispatch, the emissions and the objective net of
    the CO2 cost, and its carbon price lies in [20, 260] (the cap sits on a kink)."""
    price = run(_energy_case(tmp_path, "price", {"co2_price_per_t": 100}), write=False)
    e = price.summary["emissions_t"]
    assert e == pytest.approx(25_000, rel=1e-9)
    cap = run(_energy_case(tmp_path, "cap", {"co2_cap_t": e}), write=False)
    assert cap.summary["emissions_t"] == pytest.approx(e, rel=1e-9)
    co2_cost = price.summary["costs"]["co2_price"]
    assert co2_cost == pytest.approx(100 * e, rel=1e-9)
    assert cap.objective == pytest.approx(price.objective - co2_cost, rel=REL)
    d_cap, d_price = cap.tables["dispatch"], price.tables["dispatch"]
    for col in ("r:gas", "r:wind"):
        np.testing.assert_allclose(d_cap[col], d_price[col], atol=1e-6)
    lam = cap.summary["policies"]["co2_cap_t"]["price_per_t"]
    assert 20 - 1e-6 <= lam <= 260 + 1e-6


def test_co2_cap_not_binding(tmp_path):
    res = run(_energy_case(tmp_path, "loose", {"co2_cap_t": 1e6}), write=False)
    rep = res.summary["policies"]["co2_cap_t"]
    assert not rep["binding"] and rep["price_per_t"] == pytest.approx(0.0, abs=1e-9)
    assert rep["emissions_t"] == pytest.approx(100_000, rel=1e-9)


# ---------------------------------------------------------------------------- clean share
def test_clean_share_met_with_equality(tmp_path):
    """60 % of 200 000 MWh = 120 000 MWh of wind = 80 MW; premium (90 000 − 75 000)/1500."""
    res = run(_energy_case(tmp_path, "clean", {"clean_share": 0.6}), write=False)
    rep = res.summary["policies"]["clean_share"]
    assert rep["binding"]
    assert rep["clean_mwh"] == pytest.approx(0.6 * rep["demand_mwh"], rel=1e-9)
    assert rep["demand_mwh"] == pytest.approx(200_000, rel=1e-9)
    assert _new(res, "r", "wind") == pytest.approx(80, rel=1e-7)
    assert rep["price_per_mwh"] == pytest.approx(10.0, rel=1e-7)


def test_clean_share_counts_data_centre_power(tmp_path):
    """A 20 MW IT site (PUE 1.5, idle 0.2) adds 30 MW of demand: 60 % of 260 000 MWh is
    156 000 MWh of wind = 104 MW (the first step has 130 MW of load, so no curtailment)."""
    sites = [{"id": "dc", "lon": 0.1, "lat": 0, "region": "r", "pue": 1.5, "idle_share": 0.2,
              "lifetime_years": 1}]
    res = run(_energy_case(tmp_path, "cleandc", {"clean_share": 0.6}, sites=sites,
                           compute=[{"centre": "city", "class": "chat", "it_mw": 20}]),
              write=False)
    rep = res.summary["policies"]["clean_share"]
    assert rep["demand_mwh"] == pytest.approx(260_000, rel=1e-9)
    assert rep["achieved_share"] == pytest.approx(0.6, rel=1e-9)
    assert _new(res, "r", "wind") == pytest.approx(104, rel=1e-7)


# ------------------------------------------------------------------------------ 24/7 CFE
def _cfe_case(tmp_path, name, policies, *, solar_existing=0.0, region_solar=False,
              existing_it=0.0):
    """Region load 100 MW on cheap existing gas (10/MWh); a site of 50 MW IT (PUE 1.2: 60 MW)
    with possible on-site solar (50 000 per MW-year, availability [1, 0]) and battery
    (20 000 per MW-year + 10 000 per MWh-year)."""
    res = [{"node": "r", "tech": "gas", "existing_mw": 500, "max_new_mw": 0},
           {"node": "dc", "tech": "solar", "existing_mw": solar_existing},
           {"node": "dc", "tech": "battery"}]
    prof = {"dc:solar": [1.0, 0.0]}
    if region_solar:
        res.append({"node": "r", "tech": "solar"})
        prof["r:solar"] = [1.0, 0.0]
    return write_case(
        tmp_path / name,
        regions=[{"id": "r", "lon": 0, "lat": 0}],
        load={"r": [100.0, 100.0]},
        technologies=[tech("gas", fuel_cost_per_mwh=10, co2_t_per_mwh=0.5),
                      tech("solar", capex_per_kw=50, clean=True),
                      tech("battery", kind="storage", capex_per_kw=20, capex_per_kwh=10)],
        resources=res, profiles=prof,
        sites=[{"id": "dc", "lon": 0.1, "lat": 0, "region": "r", "pue": 1.2,
                "idle_share": 0.0, "lifetime_years": 1, "existing_it_mw": existing_it}],
        centres=[{"id": "city", "lon": 0.2, "lat": 0}],
        compute_demand=[{"centre": "city", "class": "chat", "it_mw": 50}],
        workloads=[{"class": "chat", "max_latency_ms": 50}],
        config=dict(W2, policies=policies))


def _matched(res, share):
    """Hourly new clean supply at the site (from the dispatch table) and share · site power."""
    d = res.tables["dispatch"]
    supply = d["dc:solar"] + d["dc:battery:discharge"] - d["dc:battery:charge"]
    return supply.to_numpy(), share * d["dc:dc_power"].to_numpy()


def test_cfe_full_share_forces_hourly_coverage(tmp_path):
    """Share 1: 60 MW every hour from new clean supply at the site. Solar 120 MW (60 for the
    load, 60 to charge), a 60 MW / 60 MWh battery for the dark step; gas serves the region's
    100 MW in both steps."""
    res = run(_cfe_case(tmp_path, "cfe1", {"cfe_247": {"share": 1.0, "scope": "site"}}),
              write=False)
    supply, need = _matched(res, 1.0)
    assert np.all(supply >= need - 1e-6)
    np.testing.assert_allclose(need, [60, 60], rtol=1e-9)
    assert _new(res, "dc", "solar") == pytest.approx(120, rel=1e-7)
    assert _new(res, "dc", "battery") == pytest.approx(60, rel=1e-7)
    cap = res.tables["capacity"].set_index(["node", "tech"])
    assert cap.loc[("dc", "battery"), "new_mwh"] == pytest.approx(60, rel=1e-7)
    expected = 120 * 50_000 + 60 * 20_000 + 60 * 10_000 + 10 * 1000 * (100 + 100)
    assert res.objective == pytest.approx(expected, rel=REL)
    pool = res.summary["policies"]["cfe_247"]["pools"]["dc"]
    assert pool["cfe_score"] == pytest.approx(1.0, rel=1e-9)
    assert pool["min_hourly_coverage"] == pytest.approx(1.0, rel=1e-7)
    assert pool["premium_per_year"] > 0


def test_cfe_zero_share_changes_nothing(tmp_path):
    base = run(_cfe_case(tmp_path, "none", {}), write=False)
    zero = run(_cfe_case(tmp_path, "zero", {"cfe_247": {"share": 0.0, "scope": "site"}}),
               write=False)
    assert zero.objective == pytest.approx(base.objective, rel=1e-9, abs=1e-9)
    assert zero.context.lp.n_rows == base.context.lp.n_rows
    assert zero.context.lp.n_cols == base.context.lp.n_cols
    assert _new(base, "dc", "solar") == pytest.approx(0, abs=1e-9)


def test_cfe_half_share(tmp_path):
    """Share 0.5: 30 MW per hour → solar 60, battery 30 MW / 30 MWh."""
    res = run(_cfe_case(tmp_path, "half", {"cfe_247": {"share": 0.5, "scope": "site"}}),
              write=False)
    # the matched sub-account, not the unit's total flows (with a lossless battery, charging
    # and discharging in the same step is a tie the solver may pick)
    pool = res.summary["policies"]["cfe_247"]["pools"]["dc"]
    assert pool["min_hourly_coverage"] == pytest.approx(0.5, rel=1e-7)
    assert pool["dedicated_storage"]["dc:battery"] == {"mw": pytest.approx(30, rel=1e-7),
                                                       "mwh": pytest.approx(30, rel=1e-7)}
    assert _new(res, "dc", "solar") == pytest.approx(60, rel=1e-7)
    assert _new(res, "dc", "battery") == pytest.approx(30, rel=1e-7)


def test_cfe_existing_clean_capacity_is_not_additional(tmp_path):
    """200 MW of existing on-site solar (at an existing 50 MW site) does not count: 120 MW of
    new solar is still built."""
    res = run(_cfe_case(tmp_path, "exist", {"cfe_247": {"share": 1.0, "scope": "site"}},
                        solar_existing=200, existing_it=50), write=False)
    assert _new(res, "dc", "solar") == pytest.approx(120, rel=1e-7)
    assert _new(res, "dc", "battery") == pytest.approx(60, rel=1e-7)


def test_cfe_scope_region_uses_regional_supply(tmp_path):
    """Region scope: regional solar counts too; with scope site it does not."""
    region = run(_cfe_case(tmp_path, "reg", {"cfe_247": {"share": 1.0, "scope": "region"}},
                           region_solar=True), write=False)
    assert _new(region, "r", "solar") + _new(region, "dc", "solar") == pytest.approx(
        120, rel=1e-7)
    site = run(_cfe_case(tmp_path, "site", {"cfe_247": {"share": 1.0, "scope": "site"}},
                         region_solar=True), write=False)
    assert _new(site, "dc", "solar") == pytest.approx(120, rel=1e-7)
    assert _new(site, "r", "solar") == pytest.approx(0, abs=1e-7)
    assert region.objective == pytest.approx(site.objective, rel=REL)


def test_cfe_only_listed_sites_take_part(tmp_path):
    """``sites: []`` leaves nobody under the rule: same answer as no policy."""
    base = run(_cfe_case(tmp_path, "none", {}), write=False)
    res = run(_cfe_case(tmp_path, "nobody", {"cfe_247": {"share": 1.0, "sites": []}}),
              write=False)
    assert res.objective == pytest.approx(base.objective, rel=1e-9)
    listed = run(_cfe_case(tmp_path, "listed", {"cfe_247": {"share": 1.0, "scope": "site",
                                                            "sites": ["dc"]}}), write=False)
    assert _new(listed, "dc", "solar") == pytest.approx(120, rel=1e-7)


# ------------------------------------------------------------------------------ BYOG
def _firm_case(tmp_path, name, policies, *, load=None, pue=1.2, groups=None, site_region="r"):
    regions = [{"id": "r", "lon": 0, "lat": 0, **({"group": groups[0]} if groups else {})}]
    if groups:
        regions.append({"id": "q", "lon": 0.5, "lat": 0, "group": groups[1]})
    load = load or {"r": [100.0, 80.0]}
    res = [{"node": "r", "tech": "gas", "existing_mw": 50},
           {"node": "r", "tech": "wind", "max_new_mw": 50}]
    if groups:
        res.append({"node": "q", "tech": "gas"})
    return write_case(
        tmp_path / name, regions=regions, load=load,
        technologies=[tech("gas", capex_per_kw=30, fuel_cost_per_mwh=10),
                      tech("wind", capex_per_kw=1)],
        resources=res, profiles={"r:wind": [0.0, 1.0]},
        corridors=[{"from": "r", "to": "q", "existing_mw": 1000}] if groups else None,
        sites=[{"id": "dc", "lon": 0.1, "lat": 0, "region": site_region, "pue": pue,
                "idle_share": 0.0, "lifetime_years": 1}],
        centres=[{"id": "city", "lon": 0.2, "lat": 0}],
        compute_demand=[{"centre": "city", "class": "chat", "it_mw": 20}],
        workloads=[{"class": "chat", "max_latency_ms": 50}],
        config=dict(W2, policies=policies))


def test_byog_adds_exactly_the_required_firm_mw(tmp_path):
    """20 MW IT at PUE 1.5 = 30 MW new peak; ratio 2 → 60 MW of new firm capacity. Without
    the rule 30 MW of new gas is enough (50 + 30 MW of load in the windless step, 50 MW
    existing); with it, new gas is 60: existing gas does not count, wind (variable) counts 0.
    One more firm MW costs the gas capital, 30 000 per year."""
    base = run(_firm_case(tmp_path, "base", {}, pue=1.5, load={"r": [50.0, 80.0]}),
               write=False)
    assert _new(base, "r", "gas") == pytest.approx(30, rel=1e-7)
    res = run(_firm_case(tmp_path, "byog", {"firm_per_dc_mw": 2.0}, pue=1.5,
                         load={"r": [50.0, 80.0]}), write=False)
    rep = res.summary["policies"]["firm_per_dc_mw"]
    assert rep["binding"]
    assert rep["required_firm_mw"] == pytest.approx(60, rel=1e-9)
    assert rep["firm_new_mw"] == pytest.approx(60, rel=1e-7)
    assert _new(res, "r", "gas") == pytest.approx(60, rel=1e-7)
    assert _new(res, "r", "wind") == pytest.approx(50, rel=1e-7)
    assert rep["regions"]["r"]["price_per_mw_year"] == pytest.approx(30_000, rel=1e-7)
    assert res.objective == pytest.approx(base.objective + 30 * 30_000, rel=REL)


# -------------------------------------------------------------------------- reserve margin
def test_reserve_margin_binds_at_peak_plus_margin(tmp_path):
    """Peak base load 100 + data centre 20 MW IT × PUE 1.5 = 130; margin 20 % → 156 MW firm;
    existing gas 50 → 106 MW new gas (80 would do for energy). Price = gas capex 30 000."""
    res = run(_firm_case(tmp_path, "rm", {"reserve_margin": {"share": 0.2, "groups": "each"}},
                         pue=1.5), write=False)
    g = res.summary["policies"]["reserve_margin"]["groups"]["r"]
    assert g["binding"]
    assert g["required_mw"] == pytest.approx(1.2 * 130, rel=1e-9)
    assert g["firm_mw"] == pytest.approx(156, rel=1e-7)
    assert _new(res, "r", "gas") == pytest.approx(106, rel=1e-7)
    assert g["price_per_mw_year"] == pytest.approx(30_000, rel=1e-7)


def test_reserve_margin_coincident_peak_by_group(tmp_path):
    """Two regions with peaks in different steps (100 in r, then 100 in q), a free corridor.
    One group (regions' group column): coincident peak 100 + 30 (site) → 1.1·130 = 143 MW of
    firm capacity in all; each region alone: 1.1·130 in r and 1.1·100 in q."""
    load = {"r": [100.0, 0.0], "q": [0.0, 100.0]}
    one = run(_firm_case(tmp_path, "one", {"reserve_margin": 0.1}, pue=1.5, load=load,
                         groups=["A", "A"]), write=False)
    g = one.summary["policies"]["reserve_margin"]["groups"]
    assert list(g) == ["A"]
    assert g["A"]["peak_load_mw"] == pytest.approx(100)
    assert g["A"]["firm_mw"] == pytest.approx(143, rel=1e-7)
    two = run(_firm_case(tmp_path, "two", {"reserve_margin": {"share": 0.1, "groups": "each"}},
                         pue=1.5, load=load, groups=["A", "A"]), write=False)
    g2 = two.summary["policies"]["reserve_margin"]["groups"]
    assert g2["r"]["firm_mw"] == pytest.approx(143, rel=1e-7)
    assert g2["q"]["firm_mw"] == pytest.approx(110, rel=1e-7)
    named = run(_firm_case(tmp_path, "named", {"reserve_margin": {
        "share": 0.1, "groups": {"north": ["r"], "south": ["q"]}}}, pue=1.5, load=load,
        groups=["A", "A"]), write=False)
    assert named.objective == pytest.approx(two.objective, rel=REL)


def test_reserve_margin_out_of_reach_is_an_input_error(tmp_path):
    """No expandable firm capacity in q (only existing 0): rejected before solving."""
    folder = _firm_case(tmp_path, "reach", {"reserve_margin": {"share": 0.1, "groups": "each"}},
                        load={"r": [100.0, 0.0], "q": [0.0, 100.0]}, groups=["A", "A"])
    res_csv = folder / "resources.csv"
    table = pd.read_csv(res_csv)
    table.loc[table["node"] == "q", "max_new_mw"] = 0
    table.to_csv(res_csv, index=False)
    with pytest.raises(CaseError, match="group 'q' can have at most 0 MW"):
        run(folder, write=False)


def test_capacity_credit_defaults(tmp_path):
    from model.formulation.policies._common import capacity_credit
    from model.inputs.derived import generator_units as gen_units
    from model.inputs.derived import storage_units as sto_units

    folder = write_case(
        tmp_path / "cc", regions=[{"id": "r", "lon": 0, "lat": 0}], load={"r": [1.0]},
        technologies=[tech("gas"), tech("wind"), tech("nuclear", capacity_credit=0.7),
                      tech("battery", kind="storage"),
                      tech("pumped", kind="storage", capacity_credit=0.9)],
        resources=[{"node": "r", "tech": t} for t in ("gas", "wind", "nuclear", "battery",
                                                       "pumped")],
        profiles={"r:wind": [0.3]})
    case = load_case(folder)
    g, s = gen_units(case), sto_units(case)
    assert dict(zip(g["tech"], capacity_credit(case, g), strict=True)) == {
        "gas": 1.0, "wind": 0.0, "nuclear": 0.7}
    assert dict(zip(s["tech"], capacity_credit(case, s), strict=True)) == {
        "battery": 0.0, "pumped": 0.9}


# ------------------------------------------------------------------------ sites lists
def _three_sites(tmp_path, name, policies, existing_c=0.0):
    sites = [{"id": s, "lon": 0.1 * (i + 1), "lat": 0, "region": "r", "pue": 1.0,
              "capex_per_kw_it": cost, "lifetime_years": 1,
              **({"existing_it_mw": existing_c} if s == "c" else {})}
             for i, (s, cost) in enumerate((("a", 5), ("b", 6), ("c", 7)))]
    return write_case(
        tmp_path / name, regions=[{"id": "r", "lon": 0, "lat": 0}], load={"r": [0.0, 0.0]},
        technologies=[tech("hydro")],
        resources=[{"node": "r", "tech": "hydro", "existing_mw": 1000, "max_new_mw": 0}],
        sites=sites, centres=[{"id": "city", "lon": 0.2, "lat": 0}],
        compute_demand=[{"centre": "city", "class": "chat", "it_mw": 10}],
        workloads=[{"class": "chat", "max_latency_ms": 50}],
        config=dict(W2, policies=policies))


@pytest.mark.parametrize("policies, site, cost", [
    ({}, "a", 5), ({"forbidden_sites": ["a"]}, "b", 6), ({"allowed_sites": ["c"]}, "c", 7),
    ({"allowed_sites": ["b", "c"], "forbidden_sites": ["b"]}, "c", 7),
])
def test_allowed_and_forbidden_sites(tmp_path, policies, site, cost):
    res = run(_three_sites(tmp_path, "sites", policies), write=False)
    s = res.tables["sites"].set_index("site")
    assert s.loc[site, "built"] == 1 and s["built"].sum() == 1
    assert s.loc[site, "it_mw"] == pytest.approx(10)
    assert res.objective == pytest.approx(10 * 1000 * cost, rel=REL)
    for key in policies:
        assert res.summary["policies"][key]["binding"]


@pytest.mark.parametrize("key", ["allowed_sites", "forbidden_sites"])
def test_unknown_site_id_names_the_key(tmp_path, key):
    folder = _three_sites(tmp_path, "bad", {key: ["a", "zz"]})
    with pytest.raises(CaseError, match=f"policies.{key}.*'zz'"):
        run(folder, write=False)


def test_existing_site_cannot_be_forbidden(tmp_path):
    folder = _three_sites(tmp_path, "exist", {"forbidden_sites": ["c"]}, existing_c=5)
    with pytest.raises(CaseError, match="existing_it_mw"):
        run(folder, write=False)


# -------------------------------------------------------------------- min share in group
def _east_west(tmp_path, name, policies, *, chat=False):
    """Training 100 MW (any latency) from one city; east site 5 per kW IT, west-hub sites 10
    (two of them, one 'w1' in the group); free power everywhere."""
    compute = [{"centre": "city", "class": "training", "it_mw": 100}]
    workloads = [{"class": "training", "max_latency_ms": 1000}]
    if chat:
        compute.append({"centre": "city", "class": "chat", "it_mw": 50})
        workloads.append({"class": "chat", "max_latency_ms": 5})
    return write_case(
        tmp_path / name,
        regions=[{"id": "east", "lon": 120, "lat": 31}, {"id": "west", "lon": 105, "lat": 36}],
        load={"east": [0.0, 0.0], "west": [0.0, 0.0]},
        technologies=[tech("hydro")],
        resources=[{"node": n, "tech": "hydro", "existing_mw": 1000, "max_new_mw": 0}
                   for n in ("east", "west")],
        sites=[{"id": "e", "lon": 120.1, "lat": 31, "region": "east", "capex_per_kw_it": 5,
                "pue": 1.0, "lifetime_years": 1},
               {"id": "w1", "lon": 105, "lat": 36, "region": "west", "capex_per_kw_it": 10,
                "pue": 1.0, "lifetime_years": 1, "group": "west-hub"}],
        centres=[{"id": "city", "lon": 120.1, "lat": 31}],
        compute_demand=compute, workloads=workloads,
        config={"policies": policies})


@pytest.mark.parametrize("group", ["west-hub", ["w1"]])
def test_min_share_in_group(tmp_path, group):
    """60 % of training in the west: 60 MW IT at w1 and 40 at e; the dual is the extra IT
    capital per MWh moved west, (10 − 5)·1000 per MW-year / 8760 h."""
    pol = {"min_share_in_group": {"group": group, "classes": ["training"], "share": 0.6}}
    res = run(_east_west(tmp_path, "ms", pol, chat=True), write=False)
    s = res.tables["sites"].set_index("site")
    assert s.loc["w1", "it_mw"] == pytest.approx(60, rel=1e-7)
    assert s.loc["e", "it_mw"] == pytest.approx(40 + 50, rel=1e-7)  # chat stays east
    rule = next(iter(res.summary["policies"]["min_share_in_group"]["rules"].values()))
    assert rule["binding"] and rule["achieved_share"] == pytest.approx(0.6, rel=1e-9)
    assert rule["it_mwh_total"] == pytest.approx(100 * 8760, rel=1e-9)
    assert rule["price_per_mwh"] == pytest.approx(5000 / 8760, rel=1e-6)
    assert res.objective == pytest.approx(1000 * (60 * 10 + 90 * 5), rel=REL)


# ------------------------------------------------------------------------ max new load
def test_max_new_load_caps_grid_import(tmp_path):
    """East capped at 60 MW of data-centre import: 60 MW of training in the east, 40 in the
    west; one more MW of cap is worth (10 − 5)·1000 per year."""
    res = run(_east_west(tmp_path, "cap", {"max_new_load_mw": {"east": 60}}), write=False)
    s = res.tables["sites"].set_index("site")
    assert s.loc["e", "it_mw"] == pytest.approx(60, rel=1e-7)
    assert s.loc["w1", "it_mw"] == pytest.approx(40, rel=1e-7)
    rep = res.summary["policies"]["max_new_load_mw"]["regions"]["east"]
    assert rep["binding"] and rep["hours_at_cap"] == 2
    assert rep["max_import_mw"] == pytest.approx(60, rel=1e-7)
    assert rep["price_per_mw_year"] == pytest.approx(5000, rel=1e-6)
    assert res.objective == pytest.approx(1000 * (60 * 5 + 40 * 10), rel=REL)


def test_max_new_load_on_site_generation_goes_beyond_the_cap(tmp_path):
    """20 MW of free new on-site generation at the east site lets it host 80 MW behind 60 MW
    (a greenfield site has no existing plant: its on-site capacity is new, built with it)."""
    folder = _east_west(tmp_path, "onsite", {"max_new_load_mw": {"east": 60}})
    res_csv = folder / "resources.csv"
    table = pd.read_csv(res_csv)
    extra = pd.DataFrame([{"node": "e", "tech": "hydro", "existing_mw": 0, "max_new_mw": 20}])
    pd.concat([table, extra]).to_csv(res_csv, index=False)
    res = run(folder, write=False)
    s = res.tables["sites"].set_index("site")
    assert s.loc["e", "it_mw"] == pytest.approx(80, rel=1e-7)


# -------------------------------------------------------------------- scenario files
SCENARIOS = sorted((ROOT / "data" / "scenarios" / "policies").glob("*.yaml"))


def test_every_lever_has_a_scenario():
    keys = set()
    for f in SCENARIOS:
        keys |= {k.split(".", 1)[1] for k in yaml.safe_load(f.read_text())["set"]}
    assert keys >= set(LEVERS)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_scenario_files_apply_to_the_example_case(path):
    """Each scenario loads through model.scenarios, validates and builds its rows."""
    from model.formulation.build import build

    sc = yaml.safe_load(path.read_text())
    assert set(sc) == {"name", "description", "set"} and sc["name"] == path.stem
    case = load_case(ROOT / "data" / "cases" / "two-region", [path])
    keys = {k.split(".", 1)[1] for k in sc["set"]}
    assert keys <= set(case.policies) and validate_policies(case) == []
    build(case)
