"""Representative days: weights, energy, and exactness when days really repeat."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from casegen import tech, write_case
from lpcheck import dual_value

from model.inputs.timeseries import reduce_case
from model.studies.cases import load_case
from model.studies.run import run

DAY_TYPES = {
    "load": np.array([[60 + 40 * np.sin(np.pi * h / 24) for h in range(24)],
                      [80.0] * 24,
                      [50 + 30 * (h >= 12) for h in range(24)]]),
    "solar": np.array([[max(0.0, np.sin(np.pi * (h - 6) / 12)) for h in range(24)],
                       [0.2 * max(0.0, np.sin(np.pi * (h - 6) / 12)) for h in range(24)],
                       [0.0] * 24]),
}


def _day_type_case(folder, order, battery: bool = False):
    """One region, the day types in the given order, gas and solar (optionally a 4-hour
    battery) and one data centre whose training work may move within a day."""
    technologies = [tech("gas", capex_per_kw=60, var_om_per_mwh=50),
                    tech("solar", capex_per_kw=40)]
    resources = [{"node": "r", "tech": "gas"}, {"node": "r", "tech": "solar"}]
    if battery:
        technologies.append(tech("battery", kind="storage", capex_per_kw=10, capex_per_kwh=5,
                                 efficiency_charge=0.9, efficiency_discharge=0.9,
                                 duration_hours=4))
        resources.append({"node": "r", "tech": "battery"})
    return write_case(
        folder,
        regions=[{"id": "r", "lon": 105, "lat": 36}],
        load={"r": DAY_TYPES["load"][order].ravel().tolist()},
        technologies=technologies,
        resources=resources,
        profiles={"r:solar": DAY_TYPES["solar"][order].ravel().tolist()},
        sites=[{"id": "dc", "lon": 105.1, "lat": 36, "region": "r", "pue": 1.2,
                "idle_share": 0.2, "lifetime_years": 1, "capex_per_kw_it": 1}],
        centres=[{"id": "city", "lon": 105.2, "lat": 36}],
        compute_demand=[{"centre": "city", "class": "train", "it_mw": 20}],
        workloads=[{"class": "train", "max_latency_ms": 100, "flexible_share": 0.5,
                    "window_hours": 24}],
    )


def _year_case(tmp_path, name="year"):
    """8760 h built from three day types in a seeded random order (no storage)."""
    rng = np.random.default_rng(7)
    order = rng.integers(0, 3, size=365)
    order[:3] = [0, 1, 2]
    return _day_type_case(tmp_path / name, order), order


def test_weights_and_energy_are_preserved(tmp_path):
    folder, _ = _year_case(tmp_path)
    case = load_case(folder)
    red = reduce_case(case, 2)
    assert red.n_steps == 48
    assert red.weights.sum() == pytest.approx(8760)
    full_energy = case.load["r"].sum()
    assert (red.load["r"].to_numpy() * red.weights).sum() == pytest.approx(full_energy,
                                                                           rel=1e-6)
    assert red.profiles.to_numpy().max() <= 1.0


def test_exact_when_days_repeat(tmp_path):
    """With three day types and three representative days, the reduced model is the full
    model (no storage; flexible windows are one day): same objective and investments."""
    folder, order = _year_case(tmp_path)
    full = run(folder, write=False, days=0)
    reduced = run(folder, write=False, days=3)
    assert reduced.case.n_steps == 72
    days = sorted(reduced.case.reduction["days_per_cluster"].values())
    assert days == sorted(np.bincount(order).astype(float).tolist())
    assert reduced.objective == pytest.approx(full.objective, rel=1e-7)
    cap_full = full.tables["capacity"].set_index("tech")["new_mw"]
    cap_red = reduced.tables["capacity"].set_index("tech")["new_mw"]
    np.testing.assert_allclose(cap_red.to_numpy(), cap_full.to_numpy(), rtol=1e-6, atol=1e-6)


def test_segments_keep_hours_and_weights(tmp_path):
    folder, _ = _year_case(tmp_path)
    case = load_case(folder)
    red = reduce_case(case, 3, segments=6)
    assert red.n_steps == 18
    assert red.hours.sum() == pytest.approx(72)  # 3 days × 24 h
    assert red.weights.sum() == pytest.approx(8760)
    res = run(red, write=False)
    assert res.status == "optimal"


def test_reduction_requires_whole_days(tmp_path):
    folder = write_case(tmp_path / "short", regions=[{"id": "r", "lon": 0, "lat": 0}],
                        load={"r": [1.0] * 30}, technologies=[tech("g")],
                        resources=[{"node": "r", "tech": "g"}])
    with pytest.raises(ValueError, match="whole days"):
        reduce_case(load_case(folder), 1)


def test_plan_then_check_matches_when_exact(tmp_path):
    """When the reduction is exact, the full-year check finds the same cost and no gap."""
    folder, _ = _year_case(tmp_path)
    res = run(folder, write=False, days=3, check_full_year=True)
    check = res.summary["full_year_check"]
    assert check["status"] == "optimal"
    assert check["objective"] == pytest.approx(res.objective, rel=1e-7)
    assert check["unserved_energy_mwh"] == pytest.approx(0, abs=1e-6)
    # full-year prices are short-run and not unique where a fixed capacity binds exactly
    # (any price between running cost and value of lost load is a valid dual): no assertion
    table = res.tables["full_year_check"]
    np.testing.assert_allclose(table["unserved_mwh_full_year"], 0, atol=1e-6)
    assert set(table.columns) >= {"price_reduced", "price_full_year", "price_difference"}


def test_plan_then_check_reveals_reduction_error(tmp_path):
    """One representative day for three day types: the full-year check shows the error
    (investments sized for an average day leave real days short or cost more)."""
    folder, _ = _year_case(tmp_path)
    res = run(folder, write=False, days=1, check_full_year=True)
    check = res.summary["full_year_check"]
    assert check["status"] == "optimal"
    assert check["objective"] > res.objective * (1 + 1e-4)
    assert "objective" in check["differences"]


def test_full_year_check_has_its_own_time_limit(tmp_path, monkeypatch):
    """solver.time_limit_s bounds the planning solve only; check_time_limit_s the check
    (whether it is solved in windows or whole)."""
    import model.studies.twostage as twostage

    seen: list = []
    for name in ("solve", "solve_separable"):
        real = getattr(twostage, name)

        def spy(*args, real=real, name=name, **kwargs):
            options = args[1] if name == "solve" else args[4]
            seen.append((name, options.get("time_limit_s")))
            return real(*args, **kwargs)

        monkeypatch.setattr(twostage, name, spy)
    folder, _ = _year_case(tmp_path)
    run(folder, write=False, days=3, check_full_year=True,
        solver_options={"time_limit_s": 30})
    run(folder, write=False, days=3, check_full_year=True,
        solver_options={"time_limit_s": 30, "check_time_limit_s": 900,
                        "check_window_days": 0})
    assert seen == [("solve_separable", None), ("solve", 900)]


def _storage_weeks_case(tmp_path, days=28):
    """Three day types in random order, solar, gas and a 4-hour battery, one data centre."""
    order = np.random.default_rng(11).integers(0, 3, size=days)
    return _day_type_case(tmp_path / "weeks", order, battery=True)


def test_separable_solve_equals_the_whole_lp(tmp_path):
    """Investments fixed, storage cyclic per week: solving the four weeks one by one gives
    the whole LP's optimum, a feasible point, and optimal duals (Lagrangian dual value equal
    to the optimum) — the windowed full-year check loses nothing but the annual cycle."""
    import dataclasses

    from model.formulation.build import build
    from model.solve.highs import solve
    from model.solve.milp import solve_milp
    from model.solve.separable import solve_separable
    from model.studies.twostage import _column_windows

    case = load_case(_storage_weeks_case(tmp_path))
    case = dataclasses.replace(case, period_of_step=np.arange(case.n_steps) // 168)
    ctx = build(case)
    plan = solve_milp(ctx.lp, {"threads": 1, "mip_gap": 0.0})
    lb, ub, integer = ctx.lp.col_bounds()
    lb, ub = lb.copy(), ub.copy()
    timeless = [b for b in ctx.lp.variables.values() if "step" not in b.index.names]
    for b in timeless:
        cols = b.cols()
        lb[cols] = ub[cols] = np.round(plan.x[cols]) if b.integer else plan.x[cols]
    parts = _column_windows(ctx, lb, ub)
    assert sorted(set(parts[parts >= 0])) == [0, 1, 2, 3]
    whole = solve(ctx.lp, {"threads": 1}, None, (lb, ub), np.zeros_like(integer))
    split = solve_separable(ctx.lp, lb, ub, parts, {"threads": 1})
    assert split.status == whole.status == "optimal"
    assert split.algorithm_used.startswith("4 separate parts")
    assert split.objective == pytest.approx(whole.objective, rel=1e-9)
    a, rl, ru = ctx.lp.matrix()
    ax = a @ split.x
    assert np.all(ax >= rl - 1e-6) and np.all(ax <= ru + 1e-6)
    assert np.all(split.x >= lb - 1e-9) and np.all(split.x <= ub + 1e-9)
    assert dual_value(ctx.lp, split.row_duals, lb, ub) == pytest.approx(whole.objective,
                                                                  rel=1e-8)
    # a row across two weeks makes the problem inseparable: the caller must solve it whole
    linked = parts.copy()
    soc = ctx.lp.variables["sto_soc_mwh"]
    linked[soc.start] = 1  # put week 0's first state of charge into week 1
    assert solve_separable(ctx.lp, lb, ub, linked, {"threads": 1}) is None


def test_full_year_check_reports_its_method(tmp_path):
    folder, _ = _year_case(tmp_path)
    weekly = run(folder, write=False, days=3, check_full_year=True)
    whole = run(folder, write=False, days=3, check_full_year=True,
                solver_options={"check_window_days": 0})
    assert weekly.summary["full_year_check"]["method"].startswith("7-day windows")
    assert whole.summary["full_year_check"]["method"] == "whole year in one LP"
    # no storage here, so weekly windows and the whole year are the same problem
    assert weekly.summary["full_year_check"]["objective"] == pytest.approx(
        whole.summary["full_year_check"]["objective"], rel=1e-9)


def test_annual_policy_row_makes_the_check_one_lp(tmp_path):
    """A CO2 cap over the year links every hour: no separate windows."""
    import yaml

    folder, _ = _year_case(tmp_path)
    techs = pd.read_csv(folder / "technologies.csv")
    techs["co2_t_per_mwh"] = np.where(techs["tech"] == "gas", 0.4, 0.0)
    techs.to_csv(folder / "technologies.csv", index=False)
    cfg = yaml.safe_load((folder / "case.yaml").read_text())
    cfg["policies"] = {"co2_cap_t": 1e9}
    (folder / "case.yaml").write_text(yaml.safe_dump(cfg))
    res = run(folder, write=False, days=3, check_full_year=True)
    check = res.summary["full_year_check"]
    assert check["status"] == "optimal"
    assert check["method"] == "whole year in one LP, storage cyclic per 7-day window"
