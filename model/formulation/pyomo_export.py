"""The linear problem as a Pyomo model a Pyomo user can work with: labelled, named, solvable.

:func:`to_pyomo` turns the blocks of a :class:`model.formulation.lp.LinearProblem` into a
``ConcreteModel`` with

* one ``Var`` per variable block, **indexed by the block's labels** (its pandas index: a unit
  id ``m.gen_new_mw["east:solar"]``, a tuple for a MultiIndex ``m.gen_mw["west:gas", 3]``);
* one ``Constraint`` per constraint block under the block's name, indexed the same way
  (``m.power_balance["west", 3]``: row ``lb ≤ Σ a·x ≤ ub``, an equality where lb = ub);
* one ``Objective`` ``objective`` (minimise, currency per year);
* a ``dual`` import ``Suffix`` for an LP, which Pyomo's HiGHS interface fills after a solve
  (a MILP has none: the interface raises when asked for its duals);
* ``m.wattbit``, a :class:`PyomoMap`: WattBit's column and row order over the Pyomo
  components, which :func:`model.outputs.pyomo_results.results_from_pyomo` uses to read a
  Pyomo solution back into WattBit's result tables.

A Pyomo user can inspect the model, add constraints by name and solve it through Pyomo's HiGHS
interface (``SolverFactory("appsi_highs")``); docs/api.md has the worked example and
docs/performance.md what the route costs. Labels are the blocks' own (unique in every
block WattBit builds); a block whose labels repeat is indexed by position instead, with a
warning. Rows without variables are left out (trivially true, as Pyomo's writers would).

This module imports nothing from the rest of WattBit (``lp.py`` delegates to it).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp


@dataclass
class PyomoMap:
    """Where WattBit's columns and rows are in the Pyomo model."""

    columns: list = field(default_factory=list)  # VarData in WattBit column order
    rows: dict = field(default_factory=dict)  # block name -> (first row, [ConstraintData|None])
    n_rows: int = 0

    def x(self, default: np.ndarray | None = None) -> np.ndarray:
        """Values of the Pyomo variables in WattBit's column order (``default`` where a
        variable has no value, e.g. one in no row and without cost: no solver sees it)."""
        x = np.array([np.nan if v.value is None else v.value for v in self.columns], float)
        if default is not None:
            x = np.where(np.isnan(x), default, x)
        return x

    def duals(self, suffix) -> np.ndarray:
        """Row duals from a Pyomo ``Suffix`` in WattBit's row order (0 for rows Pyomo did not
        hand to the solver)."""
        y = np.zeros(self.n_rows)
        for start, datas in self.rows.values():
            for i, con in enumerate(datas):
                if con is not None:
                    y[start + i] = suffix.get(con, 0.0) or 0.0
        return y


def labels(index: pd.Index) -> list:
    """Pyomo index keys of a pandas index: plain Python scalars, tuples for a MultiIndex."""
    if isinstance(index, pd.MultiIndex):
        levels = [index.get_level_values(i).tolist() for i in range(index.nlevels)]
        return list(zip(*levels, strict=True))
    return index.tolist()


def _keys(name: str, index: pd.Index) -> list:
    keys = labels(index)
    if len(set(keys)) != len(keys):
        warnings.warn(f"to_pyomo: labels of block {name!r} repeat; indexed by position",
                      UserWarning, stacklevel=3)
        return list(range(len(keys)))
    return keys


def _bound(v: float) -> float | None:
    return float(v) if np.isfinite(v) else None


def _add_variables(m, lp, pyo, out: PyomoMap) -> None:
    for b in lp.variables.values():
        keys = _keys(b.name, b.index)
        var = pyo.Var(keys, domain=pyo.Integers if b.integer else pyo.Reals, dense=True)
        m.add_component(b.name, var)
        datas = [var[k] for k in keys]
        for v, lo, up in zip(datas, b.lb.tolist(), b.ub.tolist(), strict=True):
            v.setlb(_bound(lo))
            v.setub(_bound(up))
        out.columns.extend(datas)


def _add_constraints(m, lp, pyo, out: PyomoMap) -> None:
    from pyomo.core.expr.numeric_expr import LinearExpression

    columns = out.columns
    for b in lp.constraints.values():
        if hasattr(m, b.name):
            raise ValueError(f"to_pyomo: {b.name!r} names both a variable and a constraint")
        keys = _keys(b.name, b.index)
        csr = sp.csr_array((b.vals, (b.rows, b.cols)), shape=(b.size, lp.n_cols))
        csr.sum_duplicates()
        data, cols, ptr = csr.data.tolist(), csr.indices.tolist(), csr.indptr.tolist()
        lo = [_bound(v) for v in b.lb]
        up = [_bound(v) for v in b.ub]
        con = pyo.Constraint(keys)
        m.add_component(b.name, con)
        datas: list = []
        for i, key in enumerate(keys):
            s, e = ptr[i], ptr[i + 1]
            if s == e:  # no variables: nothing to hand to a solver
                datas.append(None)
                continue
            body = LinearExpression(constant=0.0, linear_coefs=data[s:e],
                                    linear_vars=[columns[j] for j in cols[s:e]])
            con[key] = body == lo[i] if lo[i] is not None and lo[i] == up[i] else (lo[i], body,
                                                                                  up[i])
            datas.append(con[key])
        out.rows[b.name] = (b.start, datas)
    out.n_rows = lp.n_rows


def to_pyomo(lp, name: str = "wattbit", duals: bool | None = None):
    """The problem of a LinearProblem ``lp`` as a labelled Pyomo ``ConcreteModel``.

    ``duals``: add the ``dual`` import suffix (default: for an LP only — Pyomo's HiGHS
    interface raises when asked for the duals of a MILP)."""
    import pyomo.environ as pyo
    from pyomo.core.expr.numeric_expr import LinearExpression

    m = pyo.ConcreteModel(name=name)
    mapping = PyomoMap()
    _add_variables(m, lp, pyo, mapping)
    _add_constraints(m, lp, pyo, mapping)
    c = lp.cost_vector()
    nz = np.flatnonzero(c)
    m.objective = pyo.Objective(
        expr=LinearExpression(constant=0.0, linear_coefs=c[nz].tolist(),
                              linear_vars=[mapping.columns[i] for i in nz]),
        sense=pyo.minimize)
    if duals if duals is not None else not lp.is_mip:
        m.dual = pyo.Suffix(direction=pyo.Suffix.IMPORT)
    m.wattbit = mapping
    return m
