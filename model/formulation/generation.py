"""Generators: new capacity, hourly dispatch under availability, their costs.

Reads ``technologies.csv`` (kind = generator), ``resources.csv`` and ``profiles.csv``.

Sets: generator units g = (node, tech) rows of ``resources.csv`` whose tech is a generator;
steps t with weight w_t (hours).

Variables
    gen_new_mw[g]   ∈ [0, max_new_mw_g]           new capacity, MW
    gen_mw[g,t]     ≥ 0                            output, MW

Constraints
    availability:  gen_mw[g,t] ≤ cf[g,t] · (existing_mw_g + gen_new_mw[g])
        (a plain upper bound cf·existing when the unit cannot be expanded)

Objective terms
    capex:   (CRF(r, n_g) · 1000 · capex_per_kw_g + 1000 · fixed_om_per_kw_year_g) · gen_new_mw[g]
    opex:    Σ_t w_t · (var_om_per_mwh_g + fuel_cost_per_mwh_g) · gen_mw[g,t]

Injection into the node balance: + gen_mw[g,t] at node(g).

Results: ``capacity.csv`` rows (node, tech, existing_mw, new_mw), a dispatch column per unit,
and the year's emissions Σ_{g,t} w_t · co2_t_per_mwh_g · gen_mw[g,t] (computed here only).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.formulation.component import Component, Results, Solution
from model.formulation.context import BuildContext
from model.formulation.lp import Term, VarBlock
from model.formulation.vintages import (
    Vintages,
    add_new_capacity,
    existing_alive,
    period_energy,
    step_cost_weights,
)
from model.inputs.derived import availability, generator_units
from model.inputs.finance import capital_recovery_factor
from model.inputs.periods import by_period


@dataclass
class GenerationBlocks:
    units: pd.DataFrame  # generator rows of resources.csv with their technology columns
    availability: np.ndarray  # unit × step
    new: Vintages  # gen_new_mw[g] (static) or gen_new_mw[g, build period]
    output_mw: VarBlock  # gen_mw[g,t]
    alive: np.ndarray  # existing capacity runs in the step's period (unit × step)

    @property
    def new_mw(self) -> VarBlock:
        return self.new.block


def build(ctx: BuildContext) -> None:
    case, lp = ctx.case, ctx.lp
    gen = generator_units(case)
    if len(gen) == 0:
        return
    cf = availability(case, gen)
    existing = gen["existing_mw"].to_numpy()
    alive = existing_alive(ctx, gen["retire_year"].to_numpy(float))
    max_new = gen["max_new_mw"].to_numpy()
    new = add_new_capacity(ctx, "gen_new_mw", gen.index, max_new,
                           gen["lead_time_years"].to_numpy(float),
                           gen["lifetime_years"].to_numpy(float))
    in_place = cf * existing[:, None] * alive  # MW available from existing capacity
    # output bounded by availability of existing capacity when the unit cannot grow
    fixed = max_new <= 0
    out = lp.add_grid_variables("gen_mw", gen.index, ctx.n_steps, 0.0,
                                np.where(fixed[:, None], in_place, np.inf))
    grow = np.flatnonzero(~fixed)
    if len(grow):
        pos = out.at(grow).ravel()
        lp.add_constraints(
            "gen_availability", out.index[pos],
            [Term(out, pos, 1.0),
             new.step_terms(grow, case.period_index, -cf[grow].ravel())],
            "<=", in_place[grow].ravel())
    blocks = GenerationBlocks(gen, cf, new, out, alive)
    _costs(ctx, blocks)
    ctx.inject(out, ctx.node_pos(gen["node"]), 1.0)
    ctx.put(blocks)


def _costs(ctx: BuildContext, b: GenerationBlocks) -> None:
    lp, case, gen = ctx.lp, ctx.case, b.units
    crf = capital_recovery_factor(case.discount_rate, gen["lifetime_years"].to_numpy())
    capex = by_period(case, "tech_costs", gen["tech"], "capex_per_kw",
                      gen["capex_per_kw"].to_numpy())
    fom = by_period(case, "tech_costs", gen["tech"], "fixed_om_per_kw_year",
                    gen["fixed_om_per_kw_year"].to_numpy())
    b.new.add_cost(lp, "capex_generation", crf[:, None] * 1000.0 * capex)
    b.new.add_cost(lp, "fixed_om_generation", 1000.0 * fom)
    marginal = (by_period(case, "tech_costs", gen["tech"], "var_om_per_mwh",
                          gen["var_om_per_mwh"].to_numpy())
                + by_period(case, "tech_costs", gen["tech"], "fuel_cost_per_mwh",
                            gen["fuel_cost_per_mwh"].to_numpy()))
    coef = (marginal[:, case.period_index] * step_cost_weights(ctx)[None, :]).ravel()
    if np.any(coef):
        lp.add_cost("variable_generation", b.output_mw, None, coef)


def existing_fixed_om(unit_table: pd.DataFrame, investment) -> float:
    """Fixed O&M of the existing MW of a unit table (reported, not in the objective, as PyPSA
    does): per year in a static case; in a multi-period case Σ_q W_q over the periods each
    unit still runs (its net present value, like the objective)."""
    annual = (unit_table["existing_mw"] * 1000.0 * unit_table["fixed_om_per_kw_year"]).to_numpy(
        float)
    alive = investment.existing_active(unit_table["retire_year"].to_numpy(float))
    return float(annual @ (alive @ investment.weights))


def emissions_by_period(ctx: BuildContext, x: np.ndarray) -> np.ndarray:
    """Annual emissions of each period, Σ_{g,t∈p} w_t · co2_t_per_mwh_g · gen_mw[g,t] (t)."""
    g = ctx.get(GenerationBlocks)
    inv = ctx.case.investment
    if g is None:
        return np.zeros(inv.n)
    per_step = g.units["co2_t_per_mwh"].to_numpy(float) @ g.output_mw.value(x) * ctx.weights
    return np.bincount(ctx.case.period_index, weights=per_step, minlength=inv.n)


def emissions_t(ctx: BuildContext, x: np.ndarray) -> float:
    """Annual emissions (t): of the static year, or of every period weighted by the years it
    stands for (the horizon's total) in a multi-period case."""
    per_period = emissions_by_period(ctx, x)
    inv = ctx.case.investment
    return float(per_period[0] if inv.static else per_period @ inv.span_years)


def capacity_rows(ctx: BuildContext, units: pd.DataFrame, kind: str, new: Vintages,
                  alive: np.ndarray, x: np.ndarray, energy: np.ndarray,
                  mwh: dict | None = None) -> pd.DataFrame:
    """capacity.csv rows: one per unit (static), or per unit and period with the capacity
    built for the period (new_mw), in place (total_mw) and the existing MW still running."""
    inv, n_p = ctx.case.investment, ctx.case.investment.n
    existing = units["existing_mw"].to_numpy()
    # existing capacity alive in each period (alive is per step; take each period's first)
    first = np.searchsorted(ctx.case.period_index, np.arange(n_p))
    ex = existing[:, None] * alive[:, first]
    table = pd.DataFrame({
        "node": np.repeat(units["node"].to_numpy(), n_p),
        "tech": np.repeat(units["tech"].to_numpy(), n_p), "kind": kind,
        "existing_mw": ex.ravel(), "new_mw": new.built(x).ravel(),
        "total_mw": (ex + new.installed(x)).ravel(),
        "existing_mwh": np.nan, "new_mwh": np.nan,
        "energy_mwh_per_year": energy.ravel()})
    for column, values in (mwh or {}).items():
        table[column] = np.asarray(values).ravel()
    if not inv.static:
        table.insert(0, "period", np.tile(inv.years, len(units)))
    return table


def results(ctx: BuildContext, sol: Solution) -> Results:
    g = ctx.get(GenerationBlocks)
    if g is None:
        return Results()
    out = sol.value(g.output_mw)
    capacity = capacity_rows(ctx, g.units, "generator", g.new, g.alive, sol.x,
                             period_energy(ctx, out))
    summary = {"emissions_t": emissions_t(ctx, sol.x)}
    if not ctx.case.investment.static:
        summary["emissions_t_by_period"] = dict(zip(
            ctx.case.investment.years.tolist(), emissions_by_period(ctx, sol.x).tolist(),
            strict=True))
    return Results(tables={"capacity": capacity},
                   dispatch={str(u): out[i] for i, u in enumerate(g.units.index)},
                   summary=summary,
                   existing_fixed_om=existing_fixed_om(g.units, ctx.case.investment))


COMPONENT = Component("generation", ("technologies", "resources", "profiles"), build, results,
                      report=("costs", "capacity", "dispatch"))
