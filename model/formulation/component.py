"""What a component is: the contract that :mod:`model.formulation.registry` lists.

A component owns one concern of the model (generation, storage, the network, data-centre sites,
compute, the policy levers). It declares

* ``tables``: the input tables it reads (names of :mod:`model.inputs` tables);
* ``build(ctx)``: its variables, constraints and costs, stored as a typed blocks dataclass on
  the context (``ctx.put(...)``) for the components after it;
* ``results(ctx, solution)``: its part of the run folder as :class:`Results` (result tables,
  dispatch columns, summary figures);
* ``report``: the report pieces its results feed (names the report layer knows).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from model.formulation.context import BuildContext
from model.formulation.lp import ConBlock, VarBlock


@dataclass
class Solution:
    """A solved problem: primal values x and (for an LP or the pricing LP) row duals."""

    x: np.ndarray
    duals: np.ndarray | None = None

    def value(self, block: VarBlock) -> np.ndarray:
        """Values of a block, shaped (items, steps) for item × step blocks."""
        return block.value(self.x)

    def dual(self, block: ConBlock | None) -> np.ndarray | None:
        """Row duals of a constraint block (None without duals or without the block)."""
        if self.duals is None or block is None:
            return None
        return self.duals[block.start: block.start + block.size]


@dataclass
class Results:
    """A component's part of the run folder."""

    # result tables by file stem; tables of the same name from several components are
    # stacked (e.g. capacity rows of generators and of storage)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    # columns of dispatch.csv (one value per time step), in order
    dispatch: dict[str, np.ndarray] = field(default_factory=dict)
    # summary.json figures (merged across components; numbers under the same key are added)
    summary: dict[str, Any] = field(default_factory=dict)
    # reported costs that no decision changes (fixed O&M of existing assets), per year
    existing_fixed_om: float = 0.0


@dataclass(frozen=True)
class Component:
    name: str
    tables: tuple[str, ...]
    build: Callable[[BuildContext], None]
    results: Callable[[BuildContext, Solution], Results] | None = None
    report: tuple[str, ...] = ()
