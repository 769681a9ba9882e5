"""Shared state while the model is built: the case, the linear problem, the node balance.

Every component (:mod:`model.formulation.registry`) receives a :class:`BuildContext`, declares
its variables and constraints on ``ctx.lp``, stores its typed blocks with :meth:`put` (later
components read them with :meth:`get`, e.g. ``ctx.get(GenerationBlocks)``) and registers its
power injections at nodes with :meth:`inject`. :mod:`model.formulation.network` closes the
power balance from those injections at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from model.formulation.lp import LinearProblem, Term, VarBlock, grid_positions
from model.inputs.case import Case

T = TypeVar("T")


@dataclass
class BuildContext:
    case: Case
    lp: LinearProblem = field(default_factory=LinearProblem)
    # injections into the node balance (rows are node × step, item-major)
    injections: list[Term] = field(default_factory=list)
    # fixed withdrawals (MW) added to base load on the right-hand side: (node_pos, step array)
    fixed_load: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    # new-capacity blocks by build period (:mod:`model.formulation.vintages`), by block name
    vintages: dict[str, Any] = field(default_factory=dict)
    # each component's typed blocks, keyed by their dataclass (see put / get)
    blocks: dict[type, Any] = field(default_factory=dict)
    # new capacity per unit of a reference run without data centres (policies.dedicated)
    additionality_floors: dict[str, pd.Series] | None = None
    # the user's extra(ctx) function, when the run has one (:mod:`model.formulation.extra`);
    # kept so that a rebuild of the model (the full-year check) applies it again
    extra: Callable[[BuildContext], None] | None = None

    def put(self, blocks: Any) -> None:
        """Store a component's blocks (one dataclass instance per type)."""
        self.blocks[type(blocks)] = blocks

    def get(self, kind: type[T]) -> T | None:
        """The blocks of a component built earlier, or None if it built nothing."""
        return self.blocks.get(kind)

    @property
    def n_steps(self) -> int:
        return self.case.n_steps

    @property
    def weights(self) -> np.ndarray:
        return self.case.weights

    @property
    def node_ids(self) -> pd.Index:
        return self.case.nodes.index

    def node_pos(self, nodes) -> np.ndarray:
        """Positions of node ids in :attr:`node_ids`."""
        return self.node_ids.get_indexer(pd.Index(nodes))

    def inject(self, var: VarBlock, node_pos: np.ndarray, coef, items=None) -> None:
        """Register ``coef · var[item, t]`` as power injected (MW) at node_pos[item] in every
        step t, for an item × step block (all items, or the item positions ``items``).

        ``coef`` is a scalar, one value per item, or an (items × steps) array."""
        n_t = self.n_steps
        item_pos = np.arange(var.size // n_t) if items is None else np.asarray(items, np.int64)
        pos = var.at(item_pos).ravel()
        rows = grid_positions(np.asarray(node_pos, np.int64), n_t).ravel()
        coef = np.asarray(coef, dtype=float)
        if coef.ndim == 1:
            coef = np.repeat(coef, n_t)
        self.injections.append(Term(var, pos, coef.ravel() if coef.ndim else coef, rows))

    def inject_static(self, var: VarBlock, node_pos: np.ndarray, coef: np.ndarray) -> None:
        """Register ``coef[i, t] · var[i]`` at node_pos[i] in every step t, for a block
        without a time axis (e.g. the idle power of new IT capacity)."""
        n_t = self.n_steps
        pos = np.repeat(np.arange(var.size), n_t)
        rows = grid_positions(np.asarray(node_pos, np.int64), n_t).ravel()
        self.injections.append(Term(var, pos, np.asarray(coef, float).ravel(), rows))

    def previous_step(self) -> np.ndarray:
        """Index of the step before each step, cyclic within each period (storage, windows)."""
        periods = self.case.periods
        prev = np.arange(self.n_steps) - 1
        starts = np.r_[0, np.flatnonzero(np.diff(periods)) + 1]
        ends = np.r_[starts[1:], self.n_steps] - 1
        prev[starts] = ends
        return prev

    def add_fixed_load(self, node_pos: np.ndarray, mw: np.ndarray) -> None:
        """Add a constant withdrawal (nodes × steps, MW) to the balance right-hand side."""
        self.fixed_load.append((np.asarray(node_pos, np.int64), np.asarray(mw, float)))
