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
from model.inputs.derived import availability, generator_units
from model.inputs.finance import capital_recovery_factor


@dataclass
class GenerationBlocks:
    units: pd.DataFrame  # generator rows of resources.csv with their technology columns
    availability: np.ndarray  # unit × step
    new_mw: VarBlock  # gen_new_mw[g]
    output_mw: VarBlock  # gen_mw[g,t]


def build(ctx: BuildContext) -> None:
    case, lp = ctx.case, ctx.lp
    gen = generator_units(case)
    if len(gen) == 0:
        return
    cf = availability(case, gen)
    existing = gen["existing_mw"].to_numpy()
    max_new = gen["max_new_mw"].to_numpy()
    new = lp.add_variables("gen_new_mw", gen.index, 0.0, max_new)
    # output bounded by availability of existing capacity when the unit cannot grow
    fixed = max_new <= 0
    out = lp.add_grid_variables("gen_mw", gen.index, ctx.n_steps, 0.0,
                                np.where(fixed[:, None], cf * existing[:, None], np.inf))
    grow = np.flatnonzero(~fixed)
    if len(grow):
        lp.add_constraints(
            "gen_availability", out.index[out.at(grow).ravel()],
            [Term(out, out.at(grow).ravel(), 1.0),
             Term(new, np.repeat(grow, ctx.n_steps), -cf[grow].ravel())],
            "<=", (cf[grow] * existing[grow, None]).ravel())
    _costs(ctx, gen, new, out)
    ctx.inject(out, ctx.node_pos(gen["node"]), 1.0)
    ctx.put(GenerationBlocks(gen, cf, new, out))


def _costs(ctx: BuildContext, gen: pd.DataFrame, new: VarBlock, out: VarBlock) -> None:
    lp = ctx.lp
    crf = capital_recovery_factor(ctx.case.discount_rate, gen["lifetime_years"].to_numpy())
    lp.add_cost("capex_generation", new, None, crf * 1000.0 * gen["capex_per_kw"].to_numpy())
    lp.add_cost("fixed_om_generation", new, None,
                1000.0 * gen["fixed_om_per_kw_year"].to_numpy())
    marginal = (gen["var_om_per_mwh"] + gen["fuel_cost_per_mwh"]).to_numpy()
    coef = (marginal[:, None] * ctx.weights[None, :]).ravel()
    if np.any(coef):
        lp.add_cost("variable_generation", out, None, coef)


def existing_fixed_om(unit_table: pd.DataFrame) -> float:
    """Fixed O&M per year of the existing MW of a unit table (reported, not in the
    objective, as PyPSA does)."""
    return float((unit_table["existing_mw"] * 1000.0 * unit_table["fixed_om_per_kw_year"]).sum())


def emissions_t(ctx: BuildContext, x: np.ndarray) -> float:
    """Annual emissions Σ_{g,t} w_t · co2_t_per_mwh_g · gen_mw[g,t] of a solution (t)."""
    g = ctx.get(GenerationBlocks)
    if g is None:
        return 0.0
    return float(g.units["co2_t_per_mwh"].to_numpy(float) @ (g.output_mw.value(x) @ ctx.weights))


def results(ctx: BuildContext, sol: Solution) -> Results:
    g = ctx.get(GenerationBlocks)
    if g is None:
        return Results()
    new = sol.value(g.new_mw)
    out = sol.value(g.output_mw)
    existing = g.units["existing_mw"].to_numpy()
    capacity = pd.DataFrame({
        "node": g.units["node"].to_numpy(), "tech": g.units["tech"].to_numpy(),
        "kind": "generator", "existing_mw": existing, "new_mw": new,
        "total_mw": existing + new, "existing_mwh": np.nan, "new_mwh": np.nan,
        "energy_mwh_per_year": out @ ctx.weights,
    })
    return Results(tables={"capacity": capacity},
                   dispatch={str(u): out[i] for i, u in enumerate(g.units.index)},
                   summary={"emissions_t": emissions_t(ctx, sol.x)},
                   existing_fixed_om=existing_fixed_om(g.units))


COMPONENT = Component("generation", ("technologies", "resources", "profiles"), build, results,
                      report=("costs", "capacity", "dispatch"))
