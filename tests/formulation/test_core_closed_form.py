"""Capacity expansion with answers known in closed form (discount rate 0, lifetime 1 year,
so an overnight cost of X per kW is an annual cost of 1000·X per MW)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from casegen import tech, write_case

from model.inputs.finance import capital_recovery_factor
from model.studies.run import run

REL = 1e-7


def test_capital_recovery_factor():
    # 7 % over 25 years: 0.07 / (1 - 1.07^-25) = 0.0858105...
    assert capital_recovery_factor(0.07, 25) == pytest.approx(0.08581052, rel=1e-6)
    assert capital_recovery_factor(0.0, 20) == pytest.approx(0.05)


def test_screening_curve_two_techs(tmp_path):
    """Base (100 k/MW-yr, 10/MWh) vs peak (20 k/MW-yr, 50/MWh): break-even at 2000 h.

    Load duration: 100 MW for 876 h, 60 MW up to 3504 h, 30 MW the rest (10 steps of 876 h).
    Base covers the 60 MW exceeded for 3504 h > 2000 h; peak covers the top 40 MW.
    """
    load = [100] + [60] * 3 + [30] * 6
    case = write_case(
        tmp_path / "screening",
        regions=[{"id": "r", "lon": 0, "lat": 0}],
        load={"r": load},
        technologies=[tech("base", capex_per_kw=100, var_om_per_mwh=10),
                      tech("peak", capex_per_kw=20, var_om_per_mwh=50)],
        resources=[{"node": "r", "tech": "base"}, {"node": "r", "tech": "peak"}],
    )
    res = run(case, write=False)
    cap = res.tables["capacity"].set_index("tech")["new_mw"]
    assert cap["base"] == pytest.approx(60, abs=1e-6)
    assert cap["peak"] == pytest.approx(40, abs=1e-6)
    expected = 60 * 100_000 + 40 * 20_000 + 876 * (60 + 3 * 60 + 6 * 30) * 10 + 876 * 40 * 50
    assert expected == 12_231_200
    assert res.objective == pytest.approx(expected, rel=REL)
    # price in the peak step is set by the peak tech's running cost plus its capacity cost
    prices = res.tables["prices"]["price_per_mwh"].to_numpy()
    assert prices[0] == pytest.approx(50 + 20_000 / 876, rel=1e-6)
    assert prices[-1] == pytest.approx(10, rel=1e-6)


def _line_case(tmp_path, cost_per_mw_km):
    return write_case(
        tmp_path / f"line{cost_per_mw_km}",
        regions=[{"id": "a", "lon": 0, "lat": 0}, {"id": "b", "lon": 10, "lat": 0}],
        load={"a": [0] * 4, "b": [100] * 4},
        technologies=[tech("cheap", var_om_per_mwh=10), tech("local", capex_per_kw=50,
                                                            var_om_per_mwh=30)],
        resources=[{"node": "a", "tech": "cheap", "existing_mw": 1000, "max_new_mw": 0},
                   {"node": "b", "tech": "local"}],
        corridors=[{"from": "a", "to": "b", "existing_mw": 0, "length_km": 1000,
                    "cost_per_mw_km": cost_per_mw_km, "lifetime_years": 1}],
    )


@pytest.mark.parametrize("cost, line_wins", [(100, True), (300, False)])
def test_corridor_versus_local_build(tmp_path, cost, line_wins):
    """Per MW-year: line 1000·cost + 10·8760 vs local 50 000 + 30·8760 = 312 800.

    The line wins below cost = 225.2 per MW·km.
    """
    res = run(_line_case(tmp_path, cost), write=False)
    line = res.tables["corridors"]["new_mw"].iloc[0]
    local = res.tables["capacity"].set_index("tech").loc["local", "new_mw"]
    if line_wins:
        assert line == pytest.approx(100, abs=1e-6) and local == pytest.approx(0, abs=1e-6)
        assert res.objective == pytest.approx(100 * (1000 * cost + 87_600), rel=REL)
    else:
        assert line == pytest.approx(0, abs=1e-6) and local == pytest.approx(100, abs=1e-6)
        assert res.objective == pytest.approx(100 * 312_800, rel=REL)


def test_storage_arbitrage_two_price_day(tmp_path):
    """Cheap power (10) only in step 0, dear power (100) in step 1; storage 90 %/90 %.

    Serving 100 MW in step 1 from storage takes 100/0.81 MW of charge in step 0 (the power
    rating, grid side) and 100/0.9 MWh of energy; both cost 10 000 per unit-year.
    """
    case = write_case(
        tmp_path / "arbitrage",
        regions=[{"id": "r", "lon": 0, "lat": 0}],
        load={"r": [100, 100]},
        technologies=[tech("cheap", var_om_per_mwh=10), tech("dear", var_om_per_mwh=100),
                      tech("battery", "storage", capex_per_kw=10, capex_per_kwh=10,
                           efficiency_charge=0.9, efficiency_discharge=0.9)],
        resources=[{"node": "r", "tech": "cheap", "existing_mw": 1000, "max_new_mw": 0},
                   {"node": "r", "tech": "dear", "existing_mw": 1000, "max_new_mw": 0},
                   {"node": "r", "tech": "battery"}],
        profiles={"r:cheap": [1.0, 0.0]},
    )
    res = run(case, write=False)
    cap = res.tables["capacity"].set_index("tech")
    assert cap.loc["battery", "new_mw"] == pytest.approx(100 / 0.81, rel=1e-7)
    assert cap.loc["battery", "new_mwh"] == pytest.approx(100 / 0.9, rel=1e-7)
    w = 8760 / 2
    expected = (100 + 100 / 0.81) * w * 10 + 10_000 * (100 / 0.81 + 100 / 0.9)
    assert res.objective == pytest.approx(expected, rel=REL)
    prices = res.tables["prices"]["price_per_mwh"].to_numpy()
    assert prices[0] == pytest.approx(10, rel=1e-6)
    assert prices[1] == pytest.approx(10 / 0.81 + (10_000 / 0.81 + 10_000 / 0.9) / w, rel=1e-6)


def test_unserved_energy_exactly_when_capacity_capped(tmp_path):
    case = write_case(
        tmp_path / "capped",
        regions=[{"id": "r", "lon": 0, "lat": 0}],
        load={"r": [100, 100, 50]},
        technologies=[tech("gas", var_om_per_mwh=40)],
        resources=[{"node": "r", "tech": "gas", "existing_mw": 60, "max_new_mw": 0}],
        config={"value_of_lost_load_per_mwh": 3000},
    )
    res = run(case, write=False)
    w = 8760 / 3
    assert res.summary["unserved_energy_mwh"] == pytest.approx(2 * 40 * w, rel=1e-9)
    assert res.objective == pytest.approx((60 + 60 + 50) * w * 40 + 80 * w * 3000, rel=REL)
    prices = res.tables["prices"]["price_per_mwh"].to_numpy()
    np.testing.assert_allclose(prices, [3000, 3000, 40], rtol=1e-9)
    # with room to build, nothing is unserved
    res_free = run(write_case(
        tmp_path / "free", regions=[{"id": "r", "lon": 0, "lat": 0}],
        load={"r": [100, 100, 50]}, technologies=[tech("gas", capex_per_kw=1,
                                                         var_om_per_mwh=40)],
        resources=[{"node": "r", "tech": "gas", "existing_mw": 60}],
        config={"value_of_lost_load_per_mwh": 3000}), write=False)
    assert res_free.summary["unserved_energy_mwh"] == pytest.approx(0, abs=1e-6)


def test_corridor_losses_and_weights(tmp_path):
    """A lossy line delivers (1 − λ) of what it sends; weights come from case.yaml."""
    case = write_case(
        tmp_path / "lossy",
        regions=[{"id": "a", "lon": 0, "lat": 0}, {"id": "b", "lon": 10, "lat": 0}],
        load={"a": [0, 0], "b": [90, 45]},
        technologies=[tech("cheap", var_om_per_mwh=10)],
        resources=[{"node": "a", "tech": "cheap", "existing_mw": 1000, "max_new_mw": 0}],
        corridors=[{"from": "a", "to": "b", "existing_mw": 200, "length_km": 500,
                    "loss_per_1000km": 0.2, "max_new_mw": 0}],
        config={"time_step_weight_hours": 2.0},
    )
    res = run(case, write=False)
    # λ = 0.1: generation = load / 0.9; weight 2 h per step
    assert res.objective == pytest.approx((90 + 45) / 0.9 * 2 * 10, rel=REL)
    prices = res.tables["prices"].pivot(index="time", columns="node", values="price_per_mwh")
    np.testing.assert_allclose(prices["b"], 10 / 0.9, rtol=1e-9)


def test_existing_fixed_costs_are_reported_not_optimised(tmp_path):
    case = write_case(
        tmp_path / "fixed",
        regions=[{"id": "r", "lon": 0, "lat": 0}],
        load={"r": [10, 10]},
        technologies=[tech("gas", capex_per_kw=100, fixed_om_per_kw_year=20,
                           var_om_per_mwh=5)],
        resources=[{"node": "r", "tech": "gas", "existing_mw": 10}],
    )
    res = run(case, write=False)
    assert res.objective == pytest.approx(10 * 8760 * 5, rel=REL)
    assert res.summary["costs"]["existing_fixed_om (not in objective)"] == pytest.approx(
        10 * 20_000)


def test_run_folder_contract(tmp_path):
    """The run folder holds the files and keys docs/outputs.md promises."""
    from pathlib import Path

    case = Path(__file__).resolve().parents[2] / "data" / "cases" / "two-region"
    out = tmp_path / "run"
    res = run(case, out=out)
    assert res.status == "optimal"
    import json

    summary = json.loads((out / "summary.json").read_text())
    for key in ("objective", "status", "mip_gap", "timings", "costs", "emissions_t"):
        assert key in summary
    for key in ("build_s", "solve_s", "total_s"):
        assert summary["timings"][key] >= 0
    for name, cols in {"sites": ["site", "region", "built", "it_mw"],
                       "capacity": ["node", "tech", "existing_mw", "new_mw", "new_mwh"],
                       "corridors": ["from", "to", "existing_mw", "new_mw"],
                       "assignment": ["centre", "class", "site", "mwh", "latency_ms"],
                       "prices": ["node", "time", "price_per_mwh"],
                       "dispatch": ["time"]}.items():
        df = pd.read_csv(out / f"{name}.csv")
        assert set(cols) <= set(df.columns), name
    # objective is the sum of the cost components that are in it
    in_obj = sum(v for k, v in summary["costs"].items() if "not in objective" not in k)
    assert in_obj == pytest.approx(summary["objective"], rel=1e-6)
    assert not any(p.name.startswith(".run.tmp") for p in tmp_path.iterdir())
