"""Objective scaling (model.scaling): exact, invisible in results, and reported."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from casegen import tech, write_case
from lpcheck import dual_value

from model.formulation.build import build
from model.formulation.lp import LinearProblem, Term
from model.solve.highs import solve
from model.solve.milp import solve_fixed, solve_milp
from model.solve.scaling import coefficient_ranges, range_warnings, scale_exponent
from model.studies.cases import load_case
from model.studies.run import run

TWO_REGION = Path(__file__).resolve().parents[2] / "data" / "cases" / "two-region"


def test_scale_exponent():
    # 1e7 / 2^19 = 19.07 → 2^5 = 32 is the smallest power of two bringing it under 2^19
    assert scale_exponent(np.array([5.0, -1e7, 0.0])) == -5
    assert 1e7 * 2.0**-5 <= 2**19 < 1e7 * 2.0**-4
    assert scale_exponent(np.array([1.9e5, 3.0])) == 0  # below the mark: untouched
    assert scale_exponent(np.array([1e-3])) == 0  # never scaled up
    assert scale_exponent(np.zeros(0)) == 0


def _scarcity_case(tmp_path: Path) -> Path:
    """One region, 80 MW of existing base at 10/MWh, load 100 MW for 876 h, value of lost load
    1,000,000/MWh: cost coefficient of unserved energy 876 h × 1e6 = 8.76e8."""
    return write_case(
        tmp_path / "scarcity",
        regions=[{"id": "r", "lon": 0, "lat": 0}],
        load={"r": [100] + [60] * 3 + [30] * 6},
        technologies=[tech("base", var_om_per_mwh=10)],
        resources=[{"node": "r", "tech": "base", "existing_mw": 80, "max_new_mw": 0}],
        config={"value_of_lost_load_per_mwh": 1_000_000.0},
    )


@pytest.mark.filterwarnings("ignore:case.yaml")  # VoLL 1e6 is flagged as implausible
def test_scaled_solve_gives_the_closed_form_answer(tmp_path):
    case = _scarcity_case(tmp_path)
    expected = 876 * (80 + 3 * 60 + 6 * 30) * 10 + 876 * 20 * 1_000_000
    assert expected == 17_523_854_400
    scaled = run(case, write=False, report=False)
    plain = run(case, write=False, report=False, solver_options={"scale_costs": False})
    # 8.76e8 / 2^19 = 1,671 → k = -11
    assert scaled.summary["solver"]["cost_scale_exponent"] == -11
    assert plain.summary["solver"]["cost_scale_exponent"] == 0
    for res in (scaled, plain):
        assert res.objective == pytest.approx(expected, rel=1e-9)
        prices = res.tables["prices"]["price_per_mwh"].to_numpy()
        assert prices[0] == pytest.approx(1_000_000, rel=1e-9)  # lost load sets the price
        np.testing.assert_allclose(prices[1:], 10.0, rtol=1e-9)
    # HiGHS complains about the unscaled costs only
    assert "excessively large costs" in "".join(plain.solve_result.log)
    assert "excessively large costs" not in "".join(scaled.solve_result.log)
    ranges = scaled.summary["solver"]["coefficient_ranges"]
    assert ranges["cost"]["max"] == pytest.approx(8.76e8)
    assert ranges["cost"]["max_in"] == "unserved_mw"
    assert ranges["cost"]["min"] == pytest.approx(8760.0)
    assert ranges["cost"]["min_in"] == "gen_mw"


def test_scaling_leaves_a_degenerate_case_optimal_both_ways():
    """Two-region example: the fixed-integer LP has several optimal dispatches and price
    vectors. Scaled and unscaled solves may land on different ones, so the test checks what
    must hold: equal objectives, and each run's prices are an optimal dual solution (their
    dual objective equals the primal optimum), i.e. no error from the unscaling."""
    lp = build(load_case(TWO_REGION)).lp
    milp = solve_milp(lp, {"threads": 1})
    lb, ub, integ = lp.col_bounds()
    lb, ub = lb.copy(), ub.copy()
    lb[integ] = ub[integ] = np.round(milp.x[integ])
    objectives = []
    for scale in (True, False):
        fixed = solve_fixed(lp, milp.x, {"threads": 1, "scale_costs": scale})
        assert fixed.status == "optimal"
        assert (fixed.cost_scale_exponent < 0) is scale
        dual = dual_value(lp, fixed.row_duals, lb, ub)
        assert dual == pytest.approx(fixed.objective, rel=1e-8)
        objectives.append(fixed.objective)
    assert objectives[0] == pytest.approx(objectives[1], rel=1e-12)


def test_dual_objective_check_catches_wrong_prices():
    """The check above is not vacuous: prices off by the scaling factor fail it."""
    lp = build(load_case(TWO_REGION)).lp
    milp = solve_milp(lp, {"threads": 1})
    fixed = solve_fixed(lp, milp.x, {"threads": 1})
    lb, ub, integ = lp.col_bounds()
    lb, ub = lb.copy(), ub.copy()
    lb[integ] = ub[integ] = np.round(milp.x[integ])
    wrong = np.ldexp(fixed.row_duals, fixed.cost_scale_exponent)  # forgot to unscale
    assert dual_value(lp, wrong, lb, ub) != pytest.approx(fixed.objective, rel=1e-3)


def test_coefficient_ranges_name_the_blocks_and_warn():
    lp = LinearProblem()
    power = lp.add_variables("power_mw", pd.RangeIndex(2), ub=[5.0, 1e4])
    energy = lp.add_variables("energy_mwh", pd.RangeIndex(1))
    lp.add_constraints("tiny_loss", pd.RangeIndex(1),
                       [Term(power, np.array([0]), 1e-7), Term(energy, np.array([0]), -1.0)],
                       "==", 0.0)
    lp.add_constraints("big_ratio", pd.RangeIndex(1),
                       [Term(power, np.array([1]), 5e3)], "<=", 2e6)
    lp.add_cost("energy", energy, None, 3.0)
    ranges = coefficient_ranges(lp)
    assert ranges["matrix"] == {"min": 1e-7, "min_in": "tiny_loss", "max": 5e3,
                                "max_in": "big_ratio", "ratio": pytest.approx(5e10)}
    assert ranges["column_bounds"]["max"] == 1e4
    assert ranges["column_bounds"]["max_in"] == "power_mw"
    assert ranges["row_bounds"] == {"min": 2e6, "min_in": "big_ratio", "max": 2e6,
                                    "max_in": "big_ratio", "ratio": 1.0}
    (message,) = range_warnings(ranges)
    assert "5.0e+10" in message and "tiny_loss" in message and "big_ratio" in message
    # a well-scaled problem gives no warning
    assert range_warnings(coefficient_ranges(build(load_case(TWO_REGION)).lp)) == []


def test_lp_solve_reports_unscaled_objective_and_duals():
    """A two-variable LP solved by hand: min 3e6·x + 5e5·y, x + y ≥ 2, x ≤ 1.5 (cheap y has
    no bound): y = 2, objective 1e6, dual of the cover row 5e5."""
    lp = LinearProblem()
    x = lp.add_variables("x", pd.RangeIndex(1), ub=1.5)
    y = lp.add_variables("y", pd.RangeIndex(1))
    lp.add_constraints("cover", pd.RangeIndex(1),
                       [Term(x, np.array([0]), 1.0), Term(y, np.array([0]), 1.0)], ">=", 2.0)
    lp.add_cost("x", x, None, 3e6)
    lp.add_cost("y", y, None, 5e5)
    res = solve(lp, {"algorithm": "simplex"})
    assert res.cost_scale_exponent == -3  # 3e6 / 2^19 = 5.7 → 2^3
    assert res.objective == pytest.approx(1e6, rel=1e-12)
    assert res.row_duals[0] == pytest.approx(5e5, rel=1e-12)


def _modules_lp() -> LinearProblem:
    """min 5·g + 1000·n  s.t.  g + 130·n ≥ 3,000,000,  0 ≤ g ≤ 2,500,000,  n ∈ ℤ≥0.

    By hand: g is cheaper per MW (5 < 1000/130), so g covers all it can and n =
    ⌈500,000 / 130⌉ = 3,847 modules (500,110 MW) cover the rest; g then only needs
    2,499,890 MW: objective 5 · 2,499,890 + 3,847,000 = 16,346,450. With n fixed, the
    demand row's dual is g's cost, 5.
    """
    lp = LinearProblem()
    g = lp.add_variables("gen_mw", pd.RangeIndex(1), ub=2.5e6)
    n = lp.add_variables("modules", pd.RangeIndex(1), ub=1e5, integer=True)
    lp.add_constraints("demand", pd.RangeIndex(1),
                       [Term(g, np.array([0]), 1.0), Term(n, np.array([0]), 130.0)],
                       ">=", 3e6)
    lp.add_cost("gen", g, None, 5.0)
    lp.add_cost("modules", n, None, 1000.0)
    return lp


@pytest.mark.parametrize("strategy", ["relax_round", "branch"])
def test_bound_scaling_keeps_integer_columns_and_answers(strategy):
    lp = _modules_lp()
    answers = []
    for scale in (True, False):
        options = {"threads": 1, "mip_gap": 0.0, "scale_bounds": scale}
        res = solve_milp(lp, options) if strategy == "relax_round" else solve(lp, options)
        # 3e6 / 2^19 = 5.7 → b = -3: continuous MW in units of 8 MW, modules still modules
        assert res.bound_scale_exponent == (-3 if scale else 0)
        assert res.x[1] == 3847
        assert res.x[0] == pytest.approx(2_499_890, abs=1e-6)
        assert res.objective == pytest.approx(16_346_450, rel=1e-12)
        fixed = solve_fixed(lp, res.x, options)
        assert fixed.bound_scale_exponent == (-3 if scale else 0)
        assert fixed.row_duals[0] == pytest.approx(5.0, rel=1e-12)
        answers.append("".join(res.log))
    # HiGHS flags the 2.5e6 bound and the 3e6 right-hand side only when unscaled
    assert "excessively large" not in answers[0]
    assert "excessively large" in answers[1]
