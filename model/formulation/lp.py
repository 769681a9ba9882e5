"""Bulk linear-model assembly: numpy blocks in, a Pyomo model and a HiGHS matrix out.

Every WattBit module declares its variables and constraints here as *blocks*: a block of
variables is ``n`` consecutive columns whose meaning is given by a pandas index (e.g. unit ×
step); a block of constraints is a set of rows ``lb <= A x <= ub`` given as sparse COO
triplets built with numpy, never by looping over strings in Python.

The same blocks give

* :meth:`LinearProblem.to_pyomo` — a Pyomo ``ConcreteModel`` (a ``Var`` per variable block and a
  ``Constraint`` per constraint block, indexed by the blocks' labels, a linear ``Objective``;
  :mod:`model.formulation.pyomo_export`), for inspection, custom constraints, LP-file export
  and other solvers;
* :meth:`LinearProblem.matrix` — the column-wise sparse matrix, bounds and costs that
  :mod:`model.solver` hands to HiGHS in one ``passModel`` call.

A test compiles the Pyomo model with Pyomo's own ``LinearStandardFormCompiler`` and checks it
is the same problem as the matrix handed to HiGHS.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

INF = np.inf
SMALL_MATRIX_VALUE = 1e-9  # HiGHS's default small_matrix_value


def grid_positions(item_pos, n_steps: int, steps=None) -> np.ndarray:
    """Flat positions of (item, step) pairs in an item-major item × step block.

    Returns an array of shape (len(item_pos), len(steps)); ``steps`` defaults to every step.
    The only place where WattBit turns (item, step) into a flat position.
    """
    items = np.asarray(item_pos, dtype=np.int64)
    st = np.arange(n_steps, dtype=np.int64) if steps is None else np.asarray(steps, np.int64)
    return items[:, None] * n_steps + st[None, :]


def pair_positions(item_pos, step, n_steps: int) -> np.ndarray:
    """Flat positions of (item_pos[i], step[i]) pairs, elementwise (same item-major layout
    as :func:`grid_positions`)."""
    return np.asarray(item_pos, np.int64) * n_steps + np.asarray(step, np.int64)


def _grid_bound(value, shape: tuple[int, int]) -> np.ndarray:
    """A bound given as a scalar, per item (items,), per item and step (items, steps) or flat."""
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 1 and arr.size == shape[0] * shape[1] and shape[1] != 1:
        return arr.copy()
    if arr.ndim == 1 and arr.size == shape[0]:
        arr = arr[:, None]
    return np.broadcast_to(arr, shape).ravel().copy()


def grid_index(items: pd.Index, n_steps: int, names=("item", "step")) -> pd.MultiIndex:
    """Index of the product (item × step), item-major (rows of item 0 first)."""
    return pd.MultiIndex.from_product([items, range(n_steps)], names=list(names))


@dataclass
class VarBlock:
    """A block of ``size`` variables occupying columns ``start .. start+size-1``."""

    name: str
    index: pd.Index
    start: int
    lb: np.ndarray
    ub: np.ndarray
    integer: bool = False
    # upper bounds for the pricing LP where ``ub`` is a derived (big-M) bound, not a limit of
    # the case: the pricing LP must not see shadow prices of bounds the case never set
    price_ub: np.ndarray | None = None
    # item × step blocks (item-major): steps per item and the item labels; None without a
    # time axis
    n_steps: int | None = None
    item_index: pd.Index | None = None

    @property
    def size(self) -> int:
        return len(self.index)

    @property
    def items(self) -> pd.Index:
        """Item labels: units, corridors, sites, … (the index itself without a time axis)."""
        return self.item_index if self.item_index is not None else self.index

    def at(self, items=None, steps=None) -> np.ndarray:
        """Positions in this item × step block of the given item positions and steps
        (all by default), shape (items, steps)."""
        if self.n_steps is None:
            raise ValueError(f"{self.name} has no time axis")
        n_items = self.size // self.n_steps
        return grid_positions(np.arange(n_items) if items is None else items, self.n_steps,
                              steps)

    def pairs(self, items, steps) -> np.ndarray:
        """Positions of (items[i], steps[i]) pairs in this item × step block."""
        return pair_positions(items, steps, self.n_steps)

    def positions(self, labels) -> np.ndarray:
        """Positions of item labels (first index level) in the items of this block."""
        pos = self.items.get_indexer(pd.Index(labels))
        if (pos < 0).any():
            missing = list(pd.Index(labels)[pos < 0][:5])
            raise KeyError(f"{self.name}: unknown labels {missing}")
        return pos

    def value(self, x: np.ndarray) -> np.ndarray:
        """Solution values, shaped (items, steps) for item × step blocks."""
        v = x[self.start: self.start + self.size]
        return v.reshape(-1, self.n_steps) if self.n_steps else v

    def cols(self, positions: np.ndarray | None = None) -> np.ndarray:
        """Global column numbers of the given positions in this block (all if None)."""
        if positions is None:
            return np.arange(self.start, self.start + self.size)
        return self.start + np.asarray(positions, dtype=np.int64)


@dataclass
class Term:
    """Coefficients of one variable block in some rows of a constraint block.

    ``rows[i]`` (row number within the constraint block) gets ``coef[i] * var[pos[i]]``.
    When ``rows`` is None, entry i goes to row i.
    """

    var: VarBlock
    pos: np.ndarray
    coef: np.ndarray | float
    rows: np.ndarray | None = None


@dataclass
class ConBlock:
    name: str
    index: pd.Index
    start: int
    rows: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    lb: np.ndarray
    ub: np.ndarray

    @property
    def size(self) -> int:
        return len(self.index)


@dataclass
class LinearProblem:
    """Collects variable blocks, constraint blocks and objective terms (minimisation)."""

    variables: dict[str, VarBlock] = field(default_factory=dict)
    constraints: dict[str, ConBlock] = field(default_factory=dict)
    # objective terms grouped by cost component: name -> list of (cols, coefs)
    cost_terms: dict[str, list[tuple[np.ndarray, np.ndarray]]] = field(default_factory=dict)
    n_cols: int = 0
    n_rows: int = 0
    # big-M rows that restrict only while their binary is 0: row block name ->
    # (binary block, position in it of each row's binary); the pricing LP drops the rows whose
    # binary is fixed at 1 (:func:`model.solver.pricing_bounds`)
    gates: dict[str, tuple[VarBlock, np.ndarray]] = field(default_factory=dict)
    # integer blocks built period by period (item-major, this many build periods per item):
    # rounding a relaxation rounds their cumulative sums, not each period's share, so that a
    # site half-built in two periods is built once, in the first (model.solve.milp)
    cumulative_integers: dict[str, int] = field(default_factory=dict)

    # ------------------------------------------------------------------ variables
    def add_variables(
        self,
        name: str,
        index: pd.Index,
        lb: float | np.ndarray = 0.0,
        ub: float | np.ndarray = INF,
        integer: bool = False,
        price_ub: float | np.ndarray | None = None,
    ) -> VarBlock:
        """A block of variables; ``price_ub`` replaces a derived ``ub`` in the pricing LP."""
        if name in self.variables:
            raise ValueError(f"variable block {name!r} declared twice")
        n = len(index)
        lb_arr = np.broadcast_to(np.asarray(lb, dtype=float), (n,)).copy()
        ub_arr = np.broadcast_to(np.asarray(ub, dtype=float), (n,)).copy()
        price = (None if price_ub is None
                 else np.broadcast_to(np.asarray(price_ub, dtype=float), (n,)).copy())
        block = VarBlock(name, index, self.n_cols, lb_arr, ub_arr, integer, price)
        self.variables[name] = block
        self.n_cols += n
        return block

    # ---------------------------------------------------------------- constraints
    def add_grid_variables(self, name: str, items: pd.Index, n_steps: int,
                           lb: float | np.ndarray = 0.0, ub: float | np.ndarray = INF,
                           names=("unit", "step")) -> VarBlock:
        """An item × step block (item-major): bounds broadcast per item and step."""
        shape = (len(items), n_steps)
        block = self.add_variables(name, grid_index(items, n_steps, names),
                                   _grid_bound(lb, shape), _grid_bound(ub, shape))
        block.n_steps = n_steps
        block.item_index = pd.Index(items)
        return block

    def add_constraints(
        self,
        name: str,
        index: pd.Index,
        terms: list[Term],
        sense: str,
        rhs: float | np.ndarray,
    ) -> ConBlock:
        """Add rows ``Σ terms (sense) rhs`` with sense one of ``<=``, ``>=``, ``==``."""
        n = len(index)
        rhs_arr = np.broadcast_to(np.asarray(rhs, dtype=float), (n,)).copy()
        if sense == "<=":
            lb, ub = np.full(n, -INF), rhs_arr
        elif sense == ">=":
            lb, ub = rhs_arr, np.full(n, INF)
        elif sense == "==":
            lb, ub = rhs_arr, rhs_arr.copy()
        else:
            raise ValueError(f"unknown sense {sense!r}")
        return self.add_ranged_constraints(name, index, terms, lb, ub)

    def add_ranged_constraints(self, name: str, index: pd.Index, terms: list[Term],
                               lb: np.ndarray, ub: np.ndarray) -> ConBlock:
        """Add rows ``lb <= Σ terms <= ub`` (±inf for a missing side)."""
        if name in self.constraints:
            raise ValueError(f"constraint block {name!r} declared twice")
        rows, cols, vals = [], [], []
        for term in terms:
            pos = np.asarray(term.pos, dtype=np.int64)
            r = np.arange(len(pos)) if term.rows is None else np.asarray(term.rows, np.int64)
            coef = np.broadcast_to(np.asarray(term.coef, dtype=float), pos.shape)
            rows.append(r)
            cols.append(term.var.cols(pos))
            vals.append(coef)
        block = ConBlock(
            name,
            index,
            self.n_rows,
            np.concatenate(rows) if rows else np.zeros(0, np.int64),
            np.concatenate(cols) if cols else np.zeros(0, np.int64),
            np.concatenate(vals) if vals else np.zeros(0),
            np.asarray(lb, dtype=float),
            np.asarray(ub, dtype=float),
        )
        self.constraints[name] = block
        self.n_rows += len(index)
        return block

    def add_gate(self, rows: ConBlock, binary: VarBlock, pos: np.ndarray) -> None:
        """Mark ``rows`` (``≤`` rows of a big-M bound) as restricting only while
        ``binary[pos[i]]`` is 0: with the binary fixed at 1 the pricing LP drops row i.
        ``pos`` may be 2-D (rows × k, −1 for none): row i then has several binaries (a site
        built in any of several periods) and is dropped when one of them is 1."""
        self.gates[rows.name] = (binary, np.asarray(pos, dtype=np.int64))

    # ------------------------------------------------------------------ objective
    def add_cost(self, component: str, var: VarBlock, pos: np.ndarray | None, coef) -> None:
        """Add ``Σ coef * var[pos]`` to the objective under a named cost component."""
        cols = var.cols(pos)
        coefs = np.broadcast_to(np.asarray(coef, dtype=float), cols.shape).copy()
        self.cost_terms.setdefault(component, []).append((cols, coefs))

    def cost_vector(self) -> np.ndarray:
        c = np.zeros(self.n_cols)
        for terms in self.cost_terms.values():
            for cols, coefs in terms:
                np.add.at(c, cols, coefs)
        return c

    def cost_by_component(self, x: np.ndarray) -> dict[str, float]:
        return {
            name: float(sum(np.dot(coefs, x[cols]) for cols, coefs in terms))
            for name, terms in self.cost_terms.items()
        }

    # ------------------------------------------------------------------- matrices
    def matrix(self) -> tuple[sp.csc_array, np.ndarray, np.ndarray]:
        """Constraint matrix (CSC, duplicates summed) and row bounds."""
        if self.constraints:
            rows = np.concatenate([b.rows + b.start for b in self.constraints.values()])
            cols = np.concatenate([b.cols for b in self.constraints.values()])
            vals = np.concatenate([b.vals for b in self.constraints.values()])
            row_lb = np.concatenate([b.lb for b in self.constraints.values()])
            row_ub = np.concatenate([b.ub for b in self.constraints.values()])
        else:
            rows = cols = np.zeros(0, np.int64)
            vals = row_lb = row_ub = np.zeros(0)
        a = sp.csc_array((vals, (rows, cols)), shape=(self.n_rows, self.n_cols))
        a.sum_duplicates()
        # HiGHS drops entries with |a| <= small_matrix_value (1e-9) one by one with a warning;
        # dropping them here is the same problem, faster, and keeps coefficient ranges honest
        # (e.g. availability 0 at night, or a sine-made profile's 2e-17 at sunset)
        a.data[np.abs(a.data) <= SMALL_MATRIX_VALUE] = 0.0
        a.eliminate_zeros()
        return a, row_lb, row_ub

    def col_bounds(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Column lower bounds, upper bounds and integrality flags."""
        blocks = list(self.variables.values())
        lb = np.concatenate([b.lb for b in blocks]) if blocks else np.zeros(0)
        ub = np.concatenate([b.ub for b in blocks]) if blocks else np.zeros(0)
        integer = (
            np.concatenate([np.full(b.size, b.integer) for b in blocks])
            if blocks
            else np.zeros(0, bool)
        )
        return lb, ub, integer

    @property
    def is_mip(self) -> bool:
        return any(b.integer and b.size for b in self.variables.values())

    def values(self, x: np.ndarray, block: VarBlock | str) -> pd.Series:
        """Solution values of a variable block as a Series on the block's index."""
        b = self.variables[block] if isinstance(block, str) else block
        return pd.Series(x[b.start : b.start + b.size], index=b.index, name=b.name)

    def duals(self, y: np.ndarray, block: ConBlock | str) -> pd.Series:
        b = self.constraints[block] if isinstance(block, str) else block
        return pd.Series(y[b.start : b.start + b.size], index=b.index, name=b.name)

    # ---------------------------------------------------------------------- pyomo
    def to_pyomo(self, name: str = "wattbit", duals: bool | None = None):
        """The same problem as a Pyomo ``ConcreteModel``, variables and constraints indexed by
        their blocks' labels and named after the blocks
        (:func:`model.formulation.pyomo_export.to_pyomo`)."""
        from model.formulation.pyomo_export import to_pyomo

        return to_pyomo(self, name, duals)
