"""The Pyomo model of ``LinearProblem.to_pyomo()`` is the problem WattBit hands to HiGHS.

Pyomo's own ``LinearStandardFormCompiler`` (mixed form: rows keep their ≤ / = / ≥ sense)
compiles the Pyomo model to a sparse matrix. Mapped back to WattBit's column and row numbers
(variable block + the position of the Pyomo label in the block's pandas index, the same for
constraint blocks) it must equal
``LinearProblem.matrix()`` / ``cost_vector()`` / ``col_bounds()`` entry by entry, and solving
the compiled form with HiGHS must give WattBit's objective.
"""

from __future__ import annotations

import highspy
import numpy as np
import pytest
import scipy.sparse as sp
from casegen import tech, write_case

from model.formulation.build import build
from model.solve.highs import solve
from model.studies.cases import load_case

pytest.importorskip("pyomo")
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler  # noqa: E402

TWO_REGION = "data/cases/two-region"


def _storage_lossy_case(tmp_path):
    """3 regions: gas (one unit not expandable: a bound, not a row), solar, wind, free-duration
    and fixed-duration batteries, a lossy and a lossless corridor, unserved power."""
    n = 36
    t = np.arange(n)
    solar = np.clip(np.sin(2 * np.pi * (t - 6) / 24), 0, None).round(3).tolist()
    wind = (0.4 + 0.3 * np.cos(2 * np.pi * t / 17)).round(3).tolist()
    return write_case(
        tmp_path / "storage-lossy",
        regions=[{"id": "a", "lon": 0, "lat": 50}, {"id": "b", "lon": 5, "lat": 50},
                 {"id": "c", "lon": 5, "lat": 46}],
        load={"a": (80 + 20 * np.sin(2 * np.pi * t / 24)).round(1).tolist(),
              "b": [60.0] * n, "c": (40 + 10 * np.cos(2 * np.pi * t / 24)).round(1).tolist()},
        technologies=[
            tech("gas", capex_per_kw=800, lifetime_years=30, fixed_om_per_kw_year=15,
                 fuel_cost_per_mwh=60, var_om_per_mwh=3),
            tech("solar", capex_per_kw=500, lifetime_years=25, fixed_om_per_kw_year=10),
            tech("wind", capex_per_kw=1200, lifetime_years=25),
            tech("battery", kind="storage", capex_per_kw=150, capex_per_kwh=200,
                 lifetime_years=15, efficiency_charge=0.95, efficiency_discharge=0.92,
                 var_om_per_mwh=0.5),
            tech("battery4h", kind="storage", capex_per_kw=120, capex_per_kwh=220,
                 lifetime_years=15, efficiency_charge=0.9, efficiency_discharge=0.9,
                 duration_hours=4),
        ],
        resources=[
            {"node": "a", "tech": "gas", "existing_mw": 50, "max_new_mw": 0},
            {"node": "b", "tech": "gas", "existing_mw": 20},
            {"node": "a", "tech": "solar", "existing_mw": 10, "max_new_mw": 300},
            {"node": "c", "tech": "wind", "max_new_mw": 200},
            {"node": "a", "tech": "battery", "existing_mw": 5, "existing_mwh": 10},
            {"node": "c", "tech": "battery4h", "max_new_mw": 50},
        ],
        profiles={"a:solar": solar, "c:wind": wind},
        corridors=[
            {"from": "a", "to": "b", "existing_mw": 20, "max_new_mw": 100, "length_km": 400,
             "cost_per_mw_km": 500, "lifetime_years": 40, "loss_per_1000km": 0.05},
            {"from": "b", "to": "c", "existing_mw": 30, "length_km": 450,
             "cost_per_mw_km": 400, "lifetime_years": 40},
        ],
        config={"discount_rate": 0.07, "value_of_lost_load_per_mwh": 3000.0},
    )


def _compile(ctx):
    model = ctx.lp.to_pyomo()
    info = LinearStandardFormCompiler().write(model, mixed_form=True)
    return model, info


def _position(index, key) -> int:
    """Position of a Pyomo index key (a label, a tuple for a MultiIndex) in a block's index."""
    pos = index.get_loc(key)
    assert isinstance(pos, int | np.integer), f"label {key!r} is not unique"
    return int(pos)


def _wattbit_column(lp, var) -> int:
    """A Pyomo variable's WattBit column, found from its block name and label alone."""
    block = lp.variables[var.parent_component().local_name]
    return block.start + _position(block.index, var.index())


def _wattbit_row(lp, con) -> int:
    block = lp.constraints[con.parent_component().local_name]
    return block.start + _position(block.index, con.index())


def _compiled_in_wattbit_numbering(lp, info):
    """Pyomo's compiled A, row bounds, costs and column bounds in WattBit's numbering."""
    cols = np.array([_wattbit_column(lp, v) for v in info.columns], dtype=np.int64)
    assert len(set(cols.tolist())) == len(cols)
    row_of = np.array([_wattbit_row(lp, con) for con, _ in info.rows], dtype=np.int64)
    sense = np.array([s for _, s in info.rows])
    rhs = np.asarray(info.rhs, dtype=float)

    # mixed form: 0 → equality, 1 → body ≤ rhs, -1 → body ≥ rhs (a ranged row gives two)
    row_lb = np.full(lp.n_rows, -np.inf)
    row_ub = np.full(lp.n_rows, np.inf)
    present = np.zeros(lp.n_rows, bool)
    present[row_of] = True
    eq, le, ge = sense == 0, sense == 1, sense == -1
    row_lb[row_of[eq]] = rhs[eq]
    row_ub[row_of[eq]] = rhs[eq]
    row_ub[row_of[le]] = rhs[le]
    row_lb[row_of[ge]] = rhs[ge]

    # a ranged row appears twice with the same body: keep one copy of its coefficients
    first = np.zeros(len(row_of), bool)
    _, first_idx = np.unique(row_of, return_index=True)
    first[first_idx] = True
    a = sp.coo_array(info.A.tocsr()[np.flatnonzero(first)])
    a_w = sp.csc_array((a.data, (row_of[first][a.row], cols[a.col])),
                       shape=(lp.n_rows, lp.n_cols))
    a_w.sum_duplicates()
    a_w.eliminate_zeros()

    c = np.zeros(lp.n_cols)
    c_dense = np.asarray(info.c.todense()).ravel()
    c[cols] = c_dense
    lb = np.array([-np.inf if v.lb is None else v.lb for v in info.columns], dtype=float)
    ub = np.array([np.inf if v.ub is None else v.ub for v in info.columns], dtype=float)
    integer = np.array([v.is_integer() for v in info.columns], dtype=bool)
    return dict(cols=cols, present=present, A=a_w, row_lb=row_lb, row_ub=row_ub, c=c,
                col_lb=lb, col_ub=ub, integer=integer, sense=sense, rhs=rhs, row_of=row_of)


def _check_same_problem(ctx):
    lp = ctx.lp
    model, info = _compile(ctx)
    assert len(info.objectives) == 1
    assert float(np.sum(info.c_offset)) == 0.0
    got = _compiled_in_wattbit_numbering(lp, info)

    a, row_lb, row_ub = lp.matrix()
    a = a.copy()
    a.eliminate_zeros()  # Pyomo drops explicit zeros (e.g. cf = 0 at night)
    lb, ub, integ = lp.col_bounds()
    c = lp.cost_vector()

    # rows: Pyomo leaves out rows with no variables (trivially satisfied); none else missing
    empty = np.diff(a.tocsr().indptr) == 0
    assert np.array_equal(got["present"], ~empty)
    assert np.all((row_lb[empty] <= 0) & (row_ub[empty] >= 0))
    np.testing.assert_allclose(got["row_lb"][~empty], row_lb[~empty], rtol=1e-12, atol=0)
    np.testing.assert_allclose(got["row_ub"][~empty], row_ub[~empty], rtol=1e-12, atol=0)

    # coefficients: the same sparsity pattern and values
    diff = (got["A"] - a).tocoo()
    assert got["A"].nnz == a.nnz
    assert np.max(np.abs(diff.data), initial=0.0) <= 1e-12 * max(1.0, np.abs(a.data).max())

    # columns: Pyomo leaves out variables in no row and with no cost; those must be unused
    used = np.zeros(lp.n_cols, bool)
    used[got["cols"]] = True
    unused = ~used
    assert not np.any(c[unused])
    assert np.diff(a.indptr)[unused].sum() == 0
    np.testing.assert_allclose(got["c"], c, rtol=1e-12, atol=0)
    np.testing.assert_array_equal(got["col_lb"], lb[got["cols"]])
    np.testing.assert_array_equal(got["col_ub"], ub[got["cols"]])
    np.testing.assert_array_equal(got["integer"], integ[got["cols"]])
    return model, info, got


def _solve_compiled(lp, info, got, options) -> float:
    """Solve Pyomo's compiled mixed form with HiGHS (rows in Pyomo's order)."""
    sense, rhs = got["sense"], got["rhs"]
    r_lb = np.where(sense == 1, -np.inf, rhs)
    r_ub = np.where(sense == -1, np.inf, rhs)
    a = sp.csc_array(info.A)
    c = np.asarray(info.c.todense()).ravel()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    for k, v in options.items():
        h.setOptionValue(k, v)
    n_col, n_row = a.shape[1], a.shape[0]
    h.passModel(n_col, n_row, int(a.nnz), int(highspy.MatrixFormat.kColwise),
                int(highspy.ObjSense.kMinimize), float(np.sum(info.c_offset)), c,
                got["col_lb"], got["col_ub"], r_lb, r_ub,
                a.indptr[:-1].astype(np.int32), a.indices.astype(np.int32),
                a.data.astype(float), got["integer"].astype(np.int32))
    h.run()
    assert h.modelStatusToString(h.getModelStatus()) == "Optimal"
    return float(h.getInfo().objective_function_value)


@pytest.fixture(scope="module")
def two_region_ctx():
    return build(load_case(TWO_REGION))


def test_two_region_pyomo_is_the_same_problem(two_region_ctx):
    ctx = two_region_ctx
    assert ctx.lp.is_mip  # integer site modules / blocks exercise the integrality check
    _check_same_problem(ctx)


def test_two_region_pyomo_compiled_solves_to_wattbit_objective(two_region_ctx):
    ctx = two_region_ctx
    model, info, got = _check_same_problem(ctx)
    opts = {"algorithm": "auto", "threads": 1, "mip_gap": 0.0, "time_limit_s": 300}
    ours = solve(ctx.lp, opts)
    assert ours.status == "optimal"
    theirs = _solve_compiled(ctx.lp, info, got, {"mip_rel_gap": 0.0, "threads": 1,
                                                  "time_limit": 300.0, "random_seed": 0})
    assert theirs == pytest.approx(ours.objective, rel=1e-6)


def test_storage_lossy_case_pyomo_is_the_same_problem(tmp_path):
    ctx = build(load_case(_storage_lossy_case(tmp_path)))
    lp = ctx.lp
    assert not lp.is_mip
    # the case exercises storage chains, both corridor formulations and a fixed unit's bound
    for block in ("sto_balance", "sto_duration", "flow_fwd_limit", "flow_limit_up",
                  "gen_availability", "power_balance"):
        assert block in lp.constraints, block
    model, info, got = _check_same_problem(ctx)

    ours = solve(lp, {"algorithm": "simplex", "threads": 1})
    assert ours.status == "optimal"
    theirs = _solve_compiled(lp, info, got, {"threads": 1, "random_seed": 0})
    assert theirs == pytest.approx(ours.objective, rel=1e-9)

    # and through Pyomo's own HiGHS interface, when it is available
    import pyomo.environ as pyo

    try:
        opt = pyo.SolverFactory("appsi_highs")
        available = bool(opt.available())
    except Exception:  # pragma: no cover - depends on the Pyomo build
        available = False
    if available:
        res = opt.solve(model)
        assert str(res.solver.termination_condition) == "optimal"
        assert pyo.value(model.objective) == pytest.approx(ours.objective, rel=1e-7)
