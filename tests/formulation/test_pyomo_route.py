"""The Pyomo route: a labelled Pyomo model (model.formulation.pyomo_export), solved through
Pyomo's HiGHS interface, read back into WattBit's result tables
(model.outputs.pyomo_results). Known answers: the direct route's, and the hand-checked
custom-constraint case of tests/test_extra.py."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from casegen import tech, write_case
from test_extra import _case as share_case
from test_extra import at_most_share

from model.formulation.build import build
from model.formulation.pyomo_export import labels
from model.outputs.pyomo_results import results_from_pyomo
from model.outputs.tables import collect
from model.studies.run import run

pyo = pytest.importorskip("pyomo.environ")
TWO_REGION = "data/cases/two-region"
EXACT = {"mip_strategy": "highs", "mip_gap": 0.0, "threads": 1}


def _appsi(gap: float = 0.0):
    opt = pyo.SolverFactory("appsi_highs")
    if not opt.available():
        pytest.skip("Pyomo's HiGHS interface is not available")
    opt.highs_options.update({"mip_rel_gap": gap, "threads": 1, "random_seed": 0})
    return opt


def _same_tables(ours: dict, theirs: dict, names=None, tol: float = 1e-6) -> None:
    for name in names or sorted(ours):
        pd.testing.assert_frame_equal(theirs[name], ours[name], check_exact=False, rtol=tol,
                                      atol=tol, obj=name)


@pytest.fixture(scope="module")
def two_region():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run(TWO_REGION, write=False, solver_options=EXACT)


def test_variables_and_constraints_are_indexed_by_their_labels(two_region):
    lp = two_region.context.lp
    m = lp.to_pyomo()
    for name, block in lp.variables.items():
        assert list(getattr(m, name).keys()) == labels(block.index), name
    for name, block in lp.constraints.items():
        keys = set(getattr(m, name).keys())
        assert keys <= set(labels(block.index)), name
    solar = lp.variables["gen_new_mw"]
    pos = solar.positions(["east:solar"])[0]
    assert m.gen_new_mw["east:solar"].ub == solar.ub[pos]
    assert m.gen_mw["west:gas", 3] is m.wattbit.columns[lp.variables["gen_mw"].start
                                                        + lp.variables["gen_mw"].at([0], [3])[0, 0]]
    assert m.power_balance["west", 3].equality
    assert m.dc_built["west_dc"].is_integer() and m.dc_built["west_dc"].bounds == (0, 1)


def test_read_back_maps_every_column_and_row(two_region):
    """Values set on the Pyomo variables read back to exactly the direct route's tables."""
    ctx, res = two_region.context, two_region.solve_result
    m = ctx.lp.to_pyomo()
    for v, value in zip(m.wattbit.columns, res.x, strict=True):
        v.set_value(value, skip_validation=True)
    out = results_from_pyomo(m, ctx, EXACT)
    np.testing.assert_array_equal(out["x"], res.x)
    assert out["objective"] == pytest.approx(two_region.objective, rel=1e-12)
    _same_tables(two_region.tables, out["tables"], tol=1e-12)


def test_two_region_milp_through_pyomo(two_region):
    """Same objective; same plan and prices (the dispatch of a degenerate LP may be another
    optimal one, so it is compared by cost, not hour by hour)."""
    ctx = two_region.context
    m = ctx.lp.to_pyomo()
    result = _appsi().solve(m)
    assert str(result.solver.termination_condition) == "optimal"
    out = results_from_pyomo(m, ctx, EXACT)
    assert out["objective"] == pytest.approx(two_region.objective, rel=1e-8)
    assert float(ctx.lp.cost_vector() @ out["x"]) == pytest.approx(two_region.objective,
                                                                   rel=1e-8)
    _same_tables(two_region.tables, out["tables"], ["sites", "corridors", "prices",
                                                     "compute_prices", "nodes"])
    cap, ours = out["tables"]["capacity"], two_region.tables["capacity"]
    np.testing.assert_allclose(cap["new_mw"], ours["new_mw"], atol=1e-6)


def test_hand_checked_case_through_pyomo_gives_every_table(tmp_path):
    """The custom-constraint case of tests/test_extra.py (a unique optimum): objective
    35,768,000, the user row's dual −175,200 from the pricing LP, every table as direct."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        direct = run(share_case(tmp_path), write=False, extra=at_most_share("sa", 0.6),
                     solver_options=EXACT)
    ctx = direct.context
    m = ctx.lp.to_pyomo()
    _appsi().solve(m)
    out = results_from_pyomo(m, ctx, EXACT)
    assert out["objective"] == pytest.approx(35_768_000, rel=1e-8)
    assert out["objective"] == pytest.approx(direct.objective, rel=1e-8)
    _same_tables(direct.tables, out["tables"])
    row = out["tables"]["user_constraints"].iloc[0]
    assert row["dual"] == pytest.approx(-175_200, rel=1e-6)


def _two_price_lp(tmp_path):
    """An LP with unique prices: a (cheap plant 10/MWh, 100 MW) exports 30 MW over a full
    corridor to b (dear plant 50/MWh): price 10 in a, 50 in b, every step."""
    return write_case(
        tmp_path / "two-price",
        regions=[{"id": "a", "lon": 0, "lat": 50}, {"id": "b", "lon": 2, "lat": 50}],
        load={"a": [50.0, 60.0, 40.0], "b": [100.0, 90.0, 120.0]},
        technologies=[tech("cheap", fuel_cost_per_mwh=10), tech("dear", fuel_cost_per_mwh=50)],
        resources=[{"node": "a", "tech": "cheap", "existing_mw": 100, "max_new_mw": 0},
                   {"node": "b", "tech": "dear", "existing_mw": 1000, "max_new_mw": 0}],
        corridors=[{"from": "a", "to": "b", "existing_mw": 30, "max_new_mw": 0,
                    "length_km": 150}])


def test_lp_duals_come_from_pyomo(tmp_path):
    """An LP: prices from Pyomo's dual suffix are WattBit's, and the hand-checked ones."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        direct = run(_two_price_lp(tmp_path), write=False)
    ctx = direct.context
    assert not ctx.lp.is_mip
    m = ctx.lp.to_pyomo()
    assert hasattr(m, "dual")
    _appsi().solve(m)
    assert len(m.dual) > 0
    out = results_from_pyomo(m, ctx)
    load_mwh = (150 + 150 + 160) * 8760 / 3
    assert out["objective"] == pytest.approx((10 * (80 + 90 + 70) + 50 * (70 + 60 + 90))
                                             * 8760 / 3, rel=1e-9)
    assert out["objective"] == pytest.approx(direct.objective, rel=1e-8)
    prices = out["tables"]["prices"].set_index("node")["price_per_mwh"]
    np.testing.assert_allclose(prices.loc["a"], 10.0, rtol=1e-9)
    np.testing.assert_allclose(prices.loc["b"], 50.0, rtol=1e-9)
    _same_tables(direct.tables, out["tables"])
    assert direct.summary["load_mwh"] == pytest.approx(load_mwh)


def test_a_constraint_added_by_name_in_pyomo(two_region):
    ctx = build(two_region.case)
    m = ctx.lp.to_pyomo()
    m.west_solar_cap = pyo.Constraint(expr=m.gen_new_mw["west:solar"] <= 10.0)
    _appsi(gap=1e-6).solve(m)
    out = results_from_pyomo(m, ctx, EXACT)
    cap = out["tables"]["capacity"].set_index(["node", "tech"])
    assert cap.loc[("west", "solar"), "new_mw"] <= 10.0 + 1e-6
    assert out["objective"] >= two_region.objective * (1 - 1e-6)
    # WattBit's own tables are computed from the Pyomo solution
    again = collect(ctx, out["x"], out["duals"])
    _same_tables(again["tables"], out["tables"], ["capacity", "sites"], tol=0)
