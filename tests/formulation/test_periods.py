"""Multi-period planning (time to power) on cases a planner can check by hand.

Each case has one time step standing for the whole year (8760 h) per period, so a MW of load
is 8760 MWh a year and every cost is a sum a reader can redo with a pocket calculator.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from casegen import tech, write_case

from model.studies.run import run

REL = 1e-7
HOURS = 8760.0


def _with_periods(folder: Path, **config) -> Path:
    """Add period keys to a written case.yaml."""
    path = folder / "case.yaml"
    cfg = yaml.safe_load(path.read_text())
    cfg.update(config)
    path.write_text(yaml.safe_dump(cfg))
    return folder


def _gas_case(tmp_path: Path, name: str, *, existing: dict | None = None,
              gas: dict | None = None, **config) -> Path:
    """One region, 100 MW flat load, new gas at 1000 per kW over 20 years, fuel 10 per MWh."""
    folder = write_case(
        tmp_path / name, regions=[{"id": "r", "lon": 0, "lat": 0}], load={"r": [100.0]},
        technologies=[tech("gas", capex_per_kw=1000.0, lifetime_years=20,
                           fuel_cost_per_mwh=10.0, **(gas or {}))],
        resources=[{"node": "r", "tech": "gas", **(existing or {})}])
    return _with_periods(folder, **config)


def _crf(rate: float, years: float) -> float:
    return rate / (1 - (1 + rate) ** -years)


def test_one_period_is_todays_static_year(tmp_path):
    """periods: [2030] with base_year 2030 and a one-year horizon weighs the year by 1: the
    objective is the static case's, to the last digits."""
    static = run(_gas_case(tmp_path, "static", discount_rate=0.05), write=False)
    single = run(_gas_case(tmp_path, "single", discount_rate=0.05, periods=[2030],
                           base_year=2030, horizon_end_year=2031), write=False)
    assert single.objective == pytest.approx(static.objective, rel=1e-9)
    expected = 100 * 1000 * 1000 * _crf(0.05, 20) + 100 * HOURS * 10
    assert static.objective == pytest.approx(expected, rel=REL)


def test_npv_of_two_periods_by_hand(tmp_path):
    """Periods 2030 and 2035 to 2040 at 5 %, money of 2030; load grows 1.5× in 2035.

    W_2030 = Σ_{k=0..4} 1.05^−k = 4.5460, W_2035 = Σ_{k=5..9} 1.05^−k = 3.5619. 100 MW of
    gas built for 2030 pays its annuity a = 1000 kW·1000·crf(5 %, 20 y) = 80 243 per MW-year
    in both periods; 50 MW more are built for 2035. NPV = W_2030·(100 a + 876 000·10)
    + W_2035·(150 a + 1 314 000·10)."""
    folder = _gas_case(tmp_path, "npv", discount_rate=0.05, periods=[2030, 2035],
                       base_year=2030, horizon_end_year=2040)
    pd.DataFrame({"region": ["r"], "period": [2035], "factor": [1.5]}).to_csv(
        folder / "load_growth.csv", index=False)
    res = run(folder, write=False)
    w1 = sum(1.05 ** -k for k in range(5))
    w2 = sum(1.05 ** -k for k in range(5, 10))
    a = 1000 * 1000 * _crf(0.05, 20)
    npv = w1 * (100 * a + 100 * HOURS * 10) + w2 * (150 * a + 150 * HOURS * 10)
    assert res.objective == pytest.approx(npv, rel=REL)
    cap = res.tables["capacity"].set_index("period")
    assert cap.loc[2030, "new_mw"] == pytest.approx(100.0, rel=REL)
    assert cap.loc[2035, "new_mw"] == pytest.approx(50.0, rel=REL)
    # summary: the periods and each cost per year of each period, whose NPV is the objective
    periods = res.summary["periods"]
    assert periods["years"] == [2030, 2035]
    assert res.tables["steps"]["year"].tolist() == [2030, 2035]
    assert periods["objective_weights"] == pytest.approx([w1, w2], rel=1e-12)
    by_period = res.summary["costs_by_period"]
    assert by_period["capex_generation"][2035] == pytest.approx(150 * a, rel=REL)
    total = sum(w1 * v[2030] + w2 * v[2035] for v in by_period.values())
    assert total == pytest.approx(res.objective, rel=REL)


def test_assets_outliving_the_horizon_pay_only_inside_it(tmp_path):
    """Gas with a 20-year life built for 2030 in a horizon ending 2035 (no discounting):
    it pays 5 annuities, not 20 (PyPSA's multi-investment end-of-horizon rule)."""
    res = run(_gas_case(tmp_path, "end", periods=[2030], base_year=2030,
                        horizon_end_year=2035), write=False)
    a = 1000 * 1000 / 20  # annuity at 0 %: capex over the lifetime
    assert res.objective == pytest.approx(5 * (100 * a + 100 * HOURS * 10), rel=REL)


def test_retirement_forces_replacement_by_hand(tmp_path):
    """100 MW of existing gas retiring in 2035: free in 2030, replaced by 100 MW of new gas in
    2035 (no discounting, periods of 5 years each): NPV = 5·876 000·10
    + 5·(100 a + 876 000·10), with a = 1000·1000/20 + 5·1000 (annuity + fixed O&M)."""
    res = run(_gas_case(tmp_path, "retire", existing={"existing_mw": 100, "retire_year": 2035},
                        gas={"fixed_om_per_kw_year": 5.0}, periods=[2030, 2035],
                        base_year=2030, horizon_end_year=2040), write=False)
    a = 1000 * 1000 / 20 + 5 * 1000
    assert res.objective == pytest.approx(5 * 100 * HOURS * 10 + 5 * (100 * a + 100 * HOURS * 10),
                                          rel=REL)
    cap = res.tables["capacity"].set_index("period")
    assert cap.loc[2030, "new_mw"] == pytest.approx(0.0, abs=1e-6)
    assert cap.loc[2035, "new_mw"] == pytest.approx(100.0, rel=REL)
    assert cap.loc[2035, "existing_mw"] == pytest.approx(0.0, abs=1e-9)
    # the existing plant's fixed O&M (5 per kW-year, reported, not in the objective) for the
    # five years it runs
    assert res.summary["costs"]["existing_fixed_om (not in objective)"] == pytest.approx(
        5 * 100 * 1000 * 5, rel=REL)


def test_lead_time_keeps_capacity_out_of_early_periods(tmp_path):
    """Gas with a 6-year lead time decided in 2025 cannot run in 2028: the 2028 load is lost
    (value of lost load 10 000), gas serves 2032 on."""
    res = run(_gas_case(tmp_path, "lead", gas={"lead_time_years": 6}, periods=[2028, 2032],
                        decision_year=2025, base_year=2028, horizon_end_year=2033),
              write=False)
    assert res.summary["unserved_energy_mwh_by_period"][2028] == pytest.approx(100 * HOURS,
                                                                               rel=REL)
    assert res.summary["unserved_energy_mwh_by_period"][2032] == pytest.approx(0.0, abs=1e-6)


# ------------------------------------------------------------------ time to power of a site
def _site_case(tmp_path: Path, name: str, *, on_site_gas: bool) -> Path:
    """A site decided in 2026 whose grid connection takes 6 years (online 2032) and whose
    on-site gas takes 2 (online 2028). 100 MW IT (PUE 1, no idle draw) of demand in 2028 and
    2032; the grid's hydro is free and its connection costs 1 per kW-year, on-site gas costs
    50 per MWh. Compute lost is valued at 1000 per MWh."""
    sites = [{"id": "dc", "lon": 0.05, "lat": 0, "region": "r", "pue": 1.0, "idle_share": 0.0,
              "grid_cost_per_kw": 1, "grid_lifetime_years": 1, "grid_lead_time_years": 6}]
    resources = [{"node": "r", "tech": "hydro", "existing_mw": 10_000, "max_new_mw": 0}]
    if on_site_gas:
        resources.append({"node": "dc", "tech": "gas"})
    folder = write_case(
        tmp_path / name, regions=[{"id": "r", "lon": 0, "lat": 0}], load={"r": [10.0]},
        technologies=[tech("hydro"), tech("gas", fuel_cost_per_mwh=50, lead_time_years=2)],
        resources=resources, sites=sites, centres=[{"id": "city", "lon": 0.1, "lat": 0}],
        compute_demand=[{"centre": "city", "class": "chat", "it_mw": 100}],
        workloads=[{"class": "chat", "max_latency_ms": 50,
                    "value_of_lost_compute_per_mwh": 1000.0}])
    return _with_periods(folder, periods=[2028, 2032], decision_year=2026, base_year=2028,
                         horizon_end_year=2033)


def test_on_site_gas_powers_the_site_before_its_line(tmp_path):
    """With on-site gas the site is online in 2028 (time to power 2 years) on gas alone; in
    2032 the connection carries all of it (1 per kW-year beats 50 per MWh)."""
    res = run(_site_case(tmp_path, "gas", on_site_gas=True), write=False)
    s = res.tables["sites"].set_index("period")
    assert s.loc[2028, "online_year"] == 2028
    assert s.loc[2028, "time_to_power_years"] == 2
    assert s.loc[2028, "grid_share"] == pytest.approx(0.0, abs=1e-9)
    assert s.loc[2032, "grid_share"] == pytest.approx(1.0, rel=1e-9)
    assert s.loc[2028, "it_energy_mwh_per_year"] == pytest.approx(100 * HOURS, rel=REL)
    assert res.summary["unserved_compute_mwh_by_period"][2028] == pytest.approx(0.0, abs=1e-6)


def test_without_on_site_generation_the_site_waits_for_its_line(tmp_path):
    """No on-site gas: nothing powers the site in 2028, so its compute is lost there (at
    1000 per MWh) and the site comes online with its line in 2032 (time to power 6 years)."""
    res = run(_site_case(tmp_path, "nogas", on_site_gas=False), write=False)
    s = res.tables["sites"].set_index("period")
    assert s.loc[2032, "online_year"] == 2032
    assert s.loc[2032, "time_to_power_years"] == 6
    assert res.summary["unserved_compute_mwh_by_period"][2028] == pytest.approx(100 * HOURS,
                                                                                rel=REL)
    assert res.summary["unserved_compute_mwh_by_period"][2032] == pytest.approx(0.0, abs=1e-6)
    # 2028 stands for 4 years (2028-2031) of 876 000 MWh lost at 1000; 2032 for one year of
    # a 100 MW connection at 1000 per MW-year
    assert res.objective == pytest.approx(4 * 100 * HOURS * 1000 + 100 * 1000, rel=REL)


# ------------------------------------------------------------------ foresight
def _foresight_case(tmp_path: Path, foresight: str) -> Path:
    """Load 1 MW in 2030 and 2031 (one year each, no discounting). Existing gas costs 120 per
    MW-year to run; a firm plant built for 2030 costs 100 per MW-year, for 2031 only 20
    (tech_costs.csv), lifetime 2 years.

    Perfect foresight: gas in 2030, the cheap plant for 2031: 120 + 20 = 140. Myopic: in 2030
    the plant (100) beats gas (120) and is built; it runs in 2031 too, still paying 100:
    200."""
    folder = write_case(
        tmp_path / foresight, regions=[{"id": "r", "lon": 0, "lat": 0}], load={"r": [1.0]},
        technologies=[tech("gas", fuel_cost_per_mwh=120 / HOURS),
                      tech("plant", capex_per_kw=0.2, lifetime_years=2)],
        resources=[{"node": "r", "tech": "gas", "existing_mw": 1, "max_new_mw": 0},
                   {"node": "r", "tech": "plant"}])
    pd.DataFrame({"tech": ["plant", "plant"], "period": [2030, 2031],
                  "capex_per_kw": [0.2, 0.04]}).to_csv(folder / "tech_costs.csv", index=False)
    return _with_periods(folder, periods=[2030, 2031], base_year=2030, horizon_end_year=2032,
                         foresight=foresight)


@pytest.mark.parametrize(("foresight", "expected", "built_2030"),
                         [("perfect", 140.0, 0.0), ("myopic", 200.0, 1.0)])
def test_myopic_and_perfect_foresight_by_hand(tmp_path, foresight, expected, built_2030):
    res = run(_foresight_case(tmp_path, foresight), write=False)
    assert res.objective == pytest.approx(expected, rel=1e-6)
    cap = res.tables["capacity"].set_index(["tech", "period"])
    assert cap.loc[("plant", 2030), "new_mw"] == pytest.approx(built_2030, abs=1e-6)
    assert res.summary["periods"]["foresight"] == foresight


def _growing_site_case(tmp_path: Path, name: str, **site) -> Path:
    """A site decided before 2030 (IT at 10 per kW over 10 years: 1000 per MW-year, PUE 1,
    no idle draw) next to free hydro; 50 MW of IT demand in 2030 and 100 MW in 2035."""
    sites = [{"id": "dc", "lon": 0.05, "lat": 0, "region": "r", "pue": 1.0, "idle_share": 0.0,
              "capex_per_kw_it": 10, "lifetime_years": 10, **site}]
    folder = write_case(
        tmp_path / name, regions=[{"id": "r", "lon": 0, "lat": 0}], load={"r": [10.0]},
        technologies=[tech("hydro")],
        resources=[{"node": "r", "tech": "hydro", "existing_mw": 10_000, "max_new_mw": 0}],
        sites=sites, centres=[{"id": "city", "lon": 0.1, "lat": 0}],
        compute_demand=[{"centre": "city", "class": "chat", "it_mw": 50, "period": 2030},
                        {"centre": "city", "class": "chat", "it_mw": 100, "period": 2035}],
        workloads=[{"class": "chat", "max_latency_ms": 50,
                    "value_of_lost_compute_per_mwh": 1000.0}])
    return _with_periods(folder, periods=[2030, 2035], base_year=2030, horizon_end_year=2040)


@pytest.mark.parametrize(("module_mw", "it_mw"), [(None, (50.0, 100.0)), (30.0, (60.0, 120.0))])
def test_compute_demand_grows_by_period(tmp_path, module_mw, it_mw):
    """compute_demand.csv rows with a ``period``: 50 MW IT in 2030, 100 MW in 2035. The site
    (IT at 10 per kW over 10 years: 1000 per MW-year) adds IT for 2035 and serves both
    periods; in whole 30 MW modules it builds 2 modules for 2030 and 2 more for 2035."""
    res = run(_growing_site_case(tmp_path, "grow",
                                 **({"module_mw": module_mw} if module_mw else {})),
              write=False)
    s = res.tables["sites"].set_index("period")
    first, second = it_mw
    assert s.loc[2030, "it_mw"] == pytest.approx(first, rel=REL)
    assert s.loc[2035, "it_mw"] == pytest.approx(second, rel=REL)
    assert s.loc[2035, "it_energy_mwh_per_year"] == pytest.approx(100 * HOURS, rel=REL)
    # the 2030 vintage pays 1000 per MW-year for 10 years, the 2035 one for 5
    assert res.objective == pytest.approx(first * 1000 * 10 + (second - first) * 1000 * 5,
                                          rel=REL)
    demand = res.tables["compute_unserved"].set_index("period")["demand_mwh"]
    np.testing.assert_allclose(demand.loc[[2030, 2035]], [50 * HOURS, 100 * HOURS], rtol=REL)


def test_command_line_prints_each_period(tmp_path):
    """`solve.py run CASE` on a multi-period case: the NPV and a row per period with the
    site coming online in 2028 and its cost of power (gas at 50 per MWh) there."""
    from typer.testing import CliRunner

    from model.cli import app

    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", str(_site_case(tmp_path, "cli", on_site_gas=True)),
                                      "--out", str(out), "--no-report"],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "objective (NPV, money of 2028)" in result.output
    rows = [line for line in result.output.splitlines() if line.strip("│ ").startswith("20")]
    assert rows[0].split("│")[1].strip() == "2028" and "dc" in rows[0]
    assert rows[0].split("│")[8].strip() == "50.0"  # gas at 50 per MWh of IT work (PUE 1)
    assert rows[1].split("│")[1].strip() == "2032"


def test_connection_queue_and_caps_by_year(tmp_path):
    """No line lead time now, but the region can connect no new load in 2028 and 120 MW from
    2032, of which a queued 30 MW load (connection_queue.csv, online 2030) takes 30 MW first.
    The site runs on on-site gas in 2028 and imports 90 MW of its 100 MW in 2032; the region's
    load grows by the queued 30 MW from 2032 (10 → 40 MW)."""
    folder = _site_case(tmp_path, "queue", on_site_gas=True)
    sites = folder / "sites.geojson"
    sites.write_text(sites.read_text().replace('"grid_lead_time_years": 6',
                                               '"grid_lead_time_years": 0'))
    pd.DataFrame({"region": ["r"], "online_year": [2030], "mw": [30.0]}).to_csv(
        folder / "connection_queue.csv", index=False)
    _with_periods(folder, policies={"max_new_load_mw": {"r": {2028: 0.0, 2032: 120.0}}})
    res = run(folder, write=False)
    s = res.tables["sites"].set_index("period")
    assert s.loc[2028, "grid_share"] == pytest.approx(0.0, abs=1e-9)
    assert s.loc[2032, "grid_share"] == pytest.approx(0.9, rel=1e-7)
    load = res.summary["load_mwh_by_period"]
    assert load[2028] == pytest.approx(10 * HOURS, rel=REL)
    assert load[2032] == pytest.approx(40 * HOURS, rel=REL)
    caps = res.summary["policies"]["max_new_load_mw"]["regions"]["r"]["by_period"]
    assert caps[2032]["cap_mw"] == pytest.approx(90.0) and caps[2032]["binding"]


def test_rounding_builds_a_half_built_site_once(tmp_path):
    """A site whose relaxation builds it by halves (50 MW of 100 MW max IT in 2030, all of it
    in 2035): rounding each period's half up would build it twice (infeasible); rounding the
    running sum builds it once, for 2030, and the rounded plan is optimal without branching.
    Objective: fixed cost 1000 per year (1e4 over 10 years, r = 0) for 10 years + IT at 1000
    per MW-year: 50 MW for 10 years and 50 MW for 5."""
    res = run(_growing_site_case(tmp_path, "halves", fixed_cost=1e4, max_it_mw=100),
              write=False)
    assert res.status == "optimal"
    assert "rounding" in res.summary["solver"]["algorithm_used"]
    assert res.objective == pytest.approx(1000 * 10 + 50 * 1000 * 10 + 50 * 1000 * 5, rel=REL)
    assert res.summary["sites_online_year"] == {"dc": 2030}


def test_retirement_from_age_and_lifetime(tmp_path):
    """Existing gas built in 2015 with a 20-year life (no retire_year) runs in 2030 and is
    gone in 2035: the same plan and cost as retire_year 2035."""
    by_age = run(_gas_case(tmp_path, "age", existing={"existing_mw": 100, "build_year": 2015},
                           periods=[2030, 2035], base_year=2030, horizon_end_year=2040),
                 write=False)
    given = run(_gas_case(tmp_path, "given", existing={"existing_mw": 100, "retire_year": 2035},
                          periods=[2030, 2035], base_year=2030, horizon_end_year=2040),
                write=False)
    assert by_age.objective == pytest.approx(given.objective, rel=1e-12)
    cap = by_age.tables["capacity"].set_index("period")
    assert cap.loc[2035, "new_mw"] == pytest.approx(100.0, rel=REL)
