"""New capacity by build period (vintage), and what of it is installed in each period.

Every component that builds something declares it here, so that the period dimension lands in
one place (:mod:`model.inputs.periods` defines the periods):

    new[u, b] ≥ 0          capacity of item u built for period b (online from its first year)
                           (= 0 where b is before decision_year + the item's lead time)
    installed[u, q] = Σ_b active[u, b, q] · new[u, b]    (active: y_b ≤ y_q < y_b + lifetime)
    0 ≤ installed[u, q] ≤ max_new_u                      (the potential, in every period)
    capital and fixed costs:  Σ_b (Σ_q W_q · active[u, b, q]) · annual_cost[u, b] · new[u, b]

In a static case (no ``periods``) there is one period and one vintage per item, ``new[u]``
indexed by the item alone, active everywhere and weighted 1: today's model, identical.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.formulation.context import BuildContext
from model.formulation.lp import LinearProblem, Term, VarBlock


@dataclass
class Vintages:
    """A new-capacity block by (item, build period) and its activity."""

    block: VarBlock
    n_items: int
    active: np.ndarray  # items × build period × period (bool)
    capital_weight: np.ndarray  # items × build period: Σ_q W_q · active
    # multi-period: installed[u, q] = Σ_b active · new[u, b] as a variable of its own, so that
    # each step's rows hold one capacity column instead of every active vintage (and each
    # column sits only in its own period's rows: an interior-point solver's normal equations
    # stay as sparse as a static year's)
    installed_block: VarBlock | None = None

    @property
    def n_periods(self) -> int:
        return self.active.shape[1]

    def pos(self, items: np.ndarray, build: np.ndarray) -> np.ndarray:
        """Positions of (item, build period) pairs in the block."""
        return np.asarray(items, np.int64) * self.n_periods + np.asarray(build, np.int64)

    def installed_terms(self, items: np.ndarray, periods: np.ndarray, rows: np.ndarray,
                        coef) -> Term:
        """Σ_b active[item_r, b, period_r] · coef_r · new[item_r, b] on row rows[r]."""
        items, periods = np.asarray(items, np.int64), np.asarray(periods, np.int64)
        coef = np.broadcast_to(np.asarray(coef, float), items.shape)
        if self.installed_block is not None:
            return Term(self.installed_block, self.pos(items, periods), coef, np.asarray(rows))
        r, b = np.nonzero(self.active[items, :, periods])
        return Term(self.block, self.pos(items[r], b), coef[r], np.asarray(rows)[r])

    def step_terms(self, items: np.ndarray, period_index: np.ndarray, coef) -> Term:
        """Installed capacity of ``items`` in every step, item-major: row i·n_t + t holds
        coef · installed[items[i], period(t)] (``coef`` per row, or one number)."""
        items, n_t = np.asarray(items, np.int64), len(period_index)
        return self.installed_terms(np.repeat(items, n_t), np.tile(period_index, len(items)),
                                    np.arange(len(items) * n_t), coef)

    def installed(self, x: np.ndarray) -> np.ndarray:
        """Installed new capacity (items × periods) in a solution."""
        if self.installed_block is not None:
            return x[self.installed_block.cols()].reshape(self.n_items, self.n_periods)
        new = x[self.block.cols()].reshape(self.n_items, self.n_periods)
        return np.einsum("ub,ubq->uq", new, self.active)

    def built(self, x: np.ndarray) -> np.ndarray:
        """New capacity by build period (items × periods) in a solution."""
        return x[self.block.cols()].reshape(self.n_items, self.n_periods)

    def add_cost(self, lp: LinearProblem, component: str, annual: np.ndarray) -> None:
        """Capital or fixed cost: annual[u, b] (per MW-year, by build period or per item)
        weighted by the discounted years each vintage is active in the horizon."""
        annual = np.asarray(annual, float)
        if annual.ndim == 1:
            annual = annual[:, None]
        lp.add_cost(component, self.block, None,
                    (np.broadcast_to(annual, self.capital_weight.shape)
                     * self.capital_weight).ravel())


def add_new_capacity(ctx: BuildContext, name: str, items: pd.Index, max_new: np.ndarray,
                     lead_time: np.ndarray, lifetime: np.ndarray, *, integer: bool = False,
                     price_ub: np.ndarray | None = None, potential: bool = True) -> Vintages:
    """New capacity of ``items`` by build period (see the module docstring). ``potential``
    False leaves the limit on installed capacity to the caller (rows of its own)."""
    inv = ctx.case.investment
    lp = ctx.lp
    active = inv.active(lifetime)
    weight = (active * inv.weights[None, None, :]).sum(axis=2)
    if inv.static:
        block = lp.add_variables(name, items, 0.0, max_new, integer=integer, price_ub=price_ub)
        ctx.vintages[name] = Vintages(block, len(items), active, weight)
        return ctx.vintages[name]
    buildable = inv.buildable(lead_time)
    ub = np.where(buildable, np.asarray(max_new, float)[:, None], 0.0)
    pub = None if price_ub is None else np.where(buildable, np.asarray(price_ub)[:, None], 0.0)
    index = pd.MultiIndex.from_product([items, inv.years], names=[items.name or "item",
                                                                  "period"])
    block = lp.add_variables(name, index, 0.0, ub.ravel(), integer=integer,
                             price_ub=None if pub is None else pub.ravel())
    vint = Vintages(block, len(items), active, weight)
    if integer:
        lp.cumulative_integers[name] = inv.n
    # installed[u, q] ≤ max_new_u: the potential, in every period (a bound, not a row)
    limit = np.asarray(max_new, float) if potential else np.full(len(items), np.inf)
    installed = lp.add_variables(f"{name}_installed", index, 0.0,
                                 np.repeat(limit, inv.n))
    n_rows = len(items) * inv.n
    lp.add_constraints(f"{name}_installed_def", index,
                       [Term(installed, np.arange(n_rows), 1.0, np.arange(n_rows)),
                        vint.installed_terms(np.repeat(np.arange(len(items)), inv.n),
                                             np.tile(np.arange(inv.n), len(items)),
                                             np.arange(n_rows), -1.0)],
                       "==", 0.0)
    vint.installed_block = installed
    ctx.vintages[name] = vint
    return vint


def add_unit_counts(lp: LinearProblem, name: str, size_rows: str, new: Vintages,
                    items: np.ndarray, unit_mw: np.ndarray,
                    price_ub: np.ndarray | None = None) -> None:
    """New capacity of ``items`` in whole units, every build period:

        new[u, b] = unit_mw_u · count[u, b],   count[u, b] ∈ ℤ≥0, ≤ ⌊ub(new[u, b]) / unit_mw_u⌋

    (rows ``size_rows``). With several build periods, a relaxation's counts are rounded by
    their running sums (:func:`model.solve.milp.rounded_up`). ``price_ub``: the counts'
    bound in the pricing LP, per (item, build period)."""
    n_p = new.n_periods
    rows = np.repeat(items, n_p)
    pos = new.pos(rows, np.tile(np.arange(n_p), len(items)))
    counts = lp.add_variables(name, new.block.index[pos], 0.0,
                              np.floor(new.block.ub[pos] / unit_mw[rows] + 1e-9), integer=True,
                              price_ub=price_ub)
    if n_p > 1:
        lp.cumulative_integers[name] = n_p
    lp.add_constraints(size_rows, new.block.index[pos],
                       [Term(new.block, pos, 1.0),
                        Term(counts, np.arange(len(pos)), -unit_mw[rows])], "==", 0.0)


def step_cost_weights(ctx: BuildContext) -> np.ndarray:
    """Objective weight of one MW in each step: hours it stands for × the discounted years of
    its period (w_t in a static case)."""
    inv = ctx.case.investment
    return ctx.weights * inv.weights[ctx.case.period_index]


def existing_alive(ctx: BuildContext, retire_years: np.ndarray) -> np.ndarray:
    """Whether existing capacity runs in each step's period (items × steps)."""
    alive = ctx.case.investment.existing_active(retire_years)
    return alive[:, ctx.case.period_index]


def period_energy(ctx: BuildContext, values: np.ndarray) -> np.ndarray:
    """Σ_{t∈p} w_t · values[:, t] per period (items × periods): MWh per year of each period."""
    n_p = ctx.case.investment.n
    out = np.zeros((values.shape[0], n_p))
    weighted = values * ctx.weights[None, :]
    for p in range(n_p):
        out[:, p] = weighted[:, ctx.case.period_index == p].sum(axis=1)
    return out


def column_period_shares(ctx: BuildContext) -> np.ndarray:
    """share[j, q]: the part of column j's objective coefficient that is a cost per year of
    period q (columns × periods), so that Σ_q W_q · share[j, q] = 1.

    New capacity (a vintage b) pays its annuity in every period it is active in; a step's
    running cost belongs to the step's period; any other column (a user's variable) is spread
    evenly over the horizon's discounted years. In a static case every share is 1."""
    inv, lp = ctx.case.investment, ctx.lp
    if inv.static:
        return np.ones((lp.n_cols, 1))
    shares = np.full((lp.n_cols, inv.n), 1.0 / inv.weights.sum())
    for block in lp.variables.values():
        vint = ctx.vintages.get(block.name)
        if vint is not None:
            weight = vint.capital_weight[:, :, None]
            share = np.divide(vint.active, weight, out=np.zeros(vint.active.shape),
                              where=weight > 0)
            shares[block.cols()] = share.reshape(-1, inv.n)
        elif block.n_steps == ctx.n_steps:
            period = ctx.case.period_index[np.arange(block.size) % ctx.n_steps]
            shares[block.cols()] = 0.0
            shares[block.cols(), period] = 1.0 / inv.weights[period]
    return shares


def cost_by_period(ctx: BuildContext, x: np.ndarray) -> dict[str, np.ndarray]:
    """Each cost component's cost per year of each period (currency per year)."""
    shares = column_period_shares(ctx)
    return {name: sum((coefs * x[cols]) @ shares[cols] for cols, coefs in terms)
            for name, terms in ctx.lp.cost_terms.items()}
