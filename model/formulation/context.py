"""Shared state while the model is built: the case, the linear problem, the node balance.

Every component module (generation, storage, network, datacentres, compute, policies) receives
a :class:`BuildContext`, declares its variables and constraints on ``ctx.lp`` and registers its
power injections at nodes with :meth:`BuildContext.inject`. :mod:`model.network` closes the
power balance from those injections at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from model.formulation.lp import LinearProblem, Term, VarBlock
from model.inputs.case import Case


@dataclass
class BuildContext:
    case: Case
    lp: LinearProblem = field(default_factory=LinearProblem)
    # injections into the node balance: Term with rows = node_pos * n_steps + step
    injections: list[Term] = field(default_factory=list)
    # per-module bookkeeping readable by later modules (e.g. policies read generation vars)
    info: dict = field(default_factory=dict)
    # fixed withdrawals (MW) added to base load on the right-hand side: (node_pos, step array)
    fixed_load: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)

    @property
    def n_steps(self) -> int:
        return self.case.n_steps

    @property
    def steps(self) -> np.ndarray:
        return np.arange(self.case.n_steps)

    @property
    def weights(self) -> np.ndarray:
        return self.case.weights

    @property
    def node_ids(self) -> pd.Index:
        return self.case.nodes.index

    def node_pos(self, nodes) -> np.ndarray:
        """Positions of node ids in :attr:`node_ids`."""
        return self.node_ids.get_indexer(pd.Index(nodes))

    def inject(self, var: VarBlock, pos: np.ndarray, node_pos: np.ndarray, step: np.ndarray,
               coef) -> None:
        """Register ``coef * var[pos]`` as power injected (MW) at (node, step)."""
        rows = np.asarray(node_pos, np.int64) * self.n_steps + np.asarray(step, np.int64)
        self.injections.append(Term(var, np.asarray(pos, np.int64), coef, rows))

    def add_fixed_load(self, node_pos: np.ndarray, mw: np.ndarray) -> None:
        """Add a constant withdrawal (nodes × steps, MW) to the balance right-hand side."""
        self.fixed_load.append((np.asarray(node_pos, np.int64), np.asarray(mw, float)))

    def previous_step(self) -> np.ndarray:
        """Index of the step before each step, cyclic within each period (storage, windows)."""
        periods = self.case.periods
        prev = np.arange(self.n_steps) - 1
        starts = np.r_[0, np.flatnonzero(np.diff(periods)) + 1]
        ends = np.r_[starts[1:], self.n_steps] - 1
        prev[starts] = ends
        return prev


def grid_index(a: pd.Index, n_steps: int, names=("item", "step")) -> pd.MultiIndex:
    """Index of the product (item × step), item-major (rows of item 0 first)."""
    return pd.MultiIndex.from_product([a, range(n_steps)], names=list(names))
