"""Firm capacity that a specialist would accept: storage backed by energy, BYOG dedicated and
additional. Discount rate 0, lifetime 1 year: X per kW costs 1000·X per MW-year; one step
stands for the year.
"""

from __future__ import annotations

import pytest
from casegen import tech, write_case

from model.studies.run import run

REL = 1e-7
BATTERY = dict(kind="storage", capex_per_kw=200, capex_per_kwh=100, capacity_credit=1.0,
               efficiency_charge=0.9, efficiency_discharge=0.9)


def _margin_case(tmp_path, name, policies, battery=None):
    """Load 100 MW; existing gas 100 MW (credit 1); new gas 1000 per kW; a battery at
    200 per kW + 100 per kWh with full credit."""
    return write_case(
        tmp_path / name,
        regions=[{"id": "r", "lon": 0, "lat": 0}],
        load={"r": [100.0]},
        technologies=[tech("gas", capex_per_kw=1000),
                      tech("battery", **(battery or BATTERY))],
        resources=[{"node": "r", "tech": "gas", "existing_mw": 100},
                   {"node": "r", "tech": "battery"}],
        config={"policies": policies},
    )


def _cap(res, node, tech_):
    return res.tables["capacity"].set_index(["node", "tech"]).loc[(node, tech_)]


def test_reserve_margin_battery_holds_four_hours_of_energy(tmp_path):
    """Margin 0.15 → 15 MW more firm. A battery counts only as far as it can hold its output
    for firm_duration_hours (default 4): 15 MW / 60 MWh = 3 M + 6 M = 9 M (gas: 15 M).
    Review: main built 15 MW / 0 MWh for 3 M."""
    res = run(_margin_case(tmp_path, "rm", {"reserve_margin": 0.15}), write=False)
    bat = _cap(res, "r", "battery")
    assert bat["new_mw"] == pytest.approx(15.0, rel=1e-7)
    assert bat["new_mwh"] == pytest.approx(60.0, rel=1e-7)
    assert res.objective == pytest.approx(9e6, rel=REL)


def test_firm_duration_is_a_technology_column(tmp_path):
    """firm_duration_hours: 2 → 15 MW / 30 MWh = 6 M."""
    res = run(_margin_case(tmp_path, "rm2", {"reserve_margin": 0.15},
                           battery={**BATTERY, "firm_duration_hours": 2}), write=False)
    assert _cap(res, "r", "battery")["new_mwh"] == pytest.approx(30.0, rel=1e-7)
    assert res.objective == pytest.approx(6e6, rel=REL)


def test_existing_battery_without_energy_is_not_firm(tmp_path):
    """50 MW of existing battery power with 20 MWh counts as 5 MW firm (20 MWh / 4 h), not
    50: the margin is met by 40 MWh more energy behind the existing power (4 M)."""
    folder = _margin_case(tmp_path, "exist", {"reserve_margin": 0.15})
    (folder / "resources.csv").write_text(
        "node,tech,existing_mw,existing_mwh\nr,gas,100,0\nr,battery,50,20\n")
    res = run(folder, write=False)
    firm = res.summary["policies"]["reserve_margin"]["groups"]["r"]["firm_mw"]
    assert firm == pytest.approx(115.0, rel=1e-7)
    bat = _cap(res, "r", "battery")
    assert bat["new_mw"] == pytest.approx(0.0, abs=1e-6)
    assert bat["new_mwh"] == pytest.approx(40.0, rel=1e-7)
    assert res.objective == pytest.approx(40 * 100_000, rel=REL)


def _byog_case(tmp_path, name, policies, dc_mw=50.0, nuclear_mw=100.0, kwh_cost=100.0):
    """Base load 100 MW; existing gas 200 MW at 50/MWh; new nuclear (firm, 300 per kW-year,
    34.2 per MWh at full output) capped at 100 MW, so the grid builds 100 MW of nuclear for
    its base load anyway; new gas 500 per kW. A data centre of dc_mw IT (PUE 1, idle 0)."""
    return write_case(
        tmp_path / name,
        regions=[{"id": "r", "lon": 0, "lat": 0}],
        load={"r": [100.0]},
        technologies=[tech("gas", capex_per_kw=500, fuel_cost_per_mwh=50, co2_t_per_mwh=0.4),
                      tech("nuclear", capex_per_kw=300, clean=True),
                      tech("battery", **{**BATTERY, "capex_per_kwh": kwh_cost})],
        resources=[{"node": "r", "tech": "gas", "existing_mw": 200},
                   {"node": "r", "tech": "nuclear", "max_new_mw": nuclear_mw},
                   {"node": "r", "tech": "battery"}],
        sites=[{"id": "dc", "lon": 0.05, "lat": 0, "region": "r", "pue": 1.0,
                "idle_share": 0.0}],
        centres=[{"id": "city", "lon": 0.1, "lat": 0}],
        compute_demand=[{"centre": "city", "class": "chat", "it_mw": dc_mw}],
        workloads=[{"class": "chat", "max_latency_ms": 50}],
        config={"policies": policies},
    )


def test_byog_battery_holds_energy(tmp_path):
    """firm_per_dc_mw 1 with a 50 MW data centre and no nuclear: 50 MW of dedicated firm
    capacity. A battery at 200 per kW + 50 per kWh must hold 4 h: 50 MW / 200 MWh = 20 M a
    year, cheaper than 50 MW of gas (25 M). Review: main met BYOG with batteries of no
    energy (138.9 MW / 0 MWh on the China costs)."""
    free = run(_byog_case(tmp_path, "free0", {}, nuclear_mw=0, kwh_cost=50), write=False)
    res = run(_byog_case(tmp_path, "byog", {"firm_per_dc_mw": 1.0}, nuclear_mw=0,
                         kwh_cost=50), write=False)
    bat = _cap(res, "r", "battery")
    assert bat["new_mw"] == pytest.approx(50.0, rel=1e-7)
    assert bat["new_mwh"] == pytest.approx(200.0, rel=1e-7)
    assert res.objective - free.objective == pytest.approx(20e6, rel=1e-7)
    assert res.summary["policies"]["firm_per_dc_mw"]["firm_new_mw"] == pytest.approx(
        50.0, rel=1e-7)


def test_byog_needs_capacity_beyond_what_the_grid_builds_anyway(tmp_path):
    """The grid builds 100 MW of nuclear for its base load in any case (a run without data
    centres does). BYOG must be met by capacity dedicated to the data centre beyond that:
    50 MW of new gas (25 M a year) — not by the nuclear the grid would build anyway (review:
    main counted it, so BYOG cost nothing)."""
    free = run(_byog_case(tmp_path, "free", {}), write=False)
    byog = run(_byog_case(tmp_path, "byog2", {"firm_per_dc_mw": 1.0}), write=False)
    assert _cap(free, "r", "nuclear")["new_mw"] == pytest.approx(100.0, rel=1e-7)
    assert _cap(free, "r", "gas")["new_mw"] == pytest.approx(0.0, abs=1e-6)
    assert _cap(byog, "r", "gas")["new_mw"] == pytest.approx(50.0, rel=1e-7)
    assert byog.objective - free.objective == pytest.approx(50 * 500_000, rel=1e-7)
    rep = byog.summary["policies"]["firm_per_dc_mw"]
    assert rep["dedicated_new_mw"]["r:gas"] == pytest.approx(50.0, rel=1e-7)
