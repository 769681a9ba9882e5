"""Representative days: weights, energy, and exactness when days really repeat."""

from __future__ import annotations

import numpy as np
import pytest
from casegen import tech, write_case

from model.case import load_case
from model.run import run
from model.timeseries import reduce_case

DAY_TYPES = {
    "load": np.array([[60 + 40 * np.sin(np.pi * h / 24) for h in range(24)],
                      [80.0] * 24,
                      [50 + 30 * (h >= 12) for h in range(24)]]),
    "solar": np.array([[max(0.0, np.sin(np.pi * (h - 6) / 12)) for h in range(24)],
                       [0.2 * max(0.0, np.sin(np.pi * (h - 6) / 12)) for h in range(24)],
                       [0.0] * 24]),
}


def _year_case(tmp_path, name="year"):
    """8760 h built from three day types in a seeded random order (no storage)."""
    rng = np.random.default_rng(7)
    order = rng.integers(0, 3, size=365)
    order[:3] = [0, 1, 2]
    load = DAY_TYPES["load"][order].ravel()
    solar = DAY_TYPES["solar"][order].ravel()
    folder = write_case(
        tmp_path / name,
        regions=[{"id": "r", "lon": 105, "lat": 36}],
        load={"r": load.tolist()},
        technologies=[tech("gas", capex_per_kw=60, var_om_per_mwh=50),
                      tech("solar", capex_per_kw=40)],
        resources=[{"node": "r", "tech": "gas"}, {"node": "r", "tech": "solar"}],
        profiles={"r:solar": solar.tolist()},
        sites=[{"id": "dc", "lon": 105.1, "lat": 36, "region": "r", "pue": 1.2,
                "idle_share": 0.2, "lifetime_years": 1, "capex_per_kw_it": 1}],
        centres=[{"id": "city", "lon": 105.2, "lat": 36}],
        compute_demand=[{"centre": "city", "class": "train", "it_mw": 20}],
        workloads=[{"class": "train", "max_latency_ms": 100, "flexible_share": 0.5,
                    "window_hours": 24}],
    )
    return folder, order


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
    """solver.time_limit_s bounds the planning solve only; check_time_limit_s the check."""
    import model.twostage as twostage

    seen: list = []
    real_solve = twostage.solve

    def spy(lp, options, *args, **kwargs):
        seen.append(options.get("time_limit_s"))
        return real_solve(lp, options, *args, **kwargs)

    monkeypatch.setattr(twostage, "solve", spy)
    folder, _ = _year_case(tmp_path)
    run(folder, write=False, days=3, check_full_year=True,
        solver_options={"time_limit_s": 30})
    run(folder, write=False, days=3, check_full_year=True,
        solver_options={"time_limit_s": 30, "check_time_limit_s": 900})
    assert seen == [None, 900]
