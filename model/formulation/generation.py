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

Results: ``capacity.csv`` rows (node, tech, existing_mw, new_mw) and the dispatch columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.formulation.context import BuildContext, grid_index
from model.formulation.lp import Term
from model.inputs.derived import availability, generator_units
from model.inputs.finance import capital_recovery_factor


def add_components(ctx: BuildContext) -> None:
    case, lp = ctx.case, ctx.lp
    gen = generator_units(case)
    n_gen, n_t = len(gen), ctx.n_steps
    ctx.info["generators"] = gen
    if n_gen == 0:
        return
    cf = availability(case, gen)
    existing = gen["existing_mw"].to_numpy()
    max_new = gen["max_new_mw"].to_numpy()

    new = lp.add_variables("gen_new_mw", gen.index, 0.0, max_new)
    # output bounded by availability of existing capacity when the unit cannot grow
    fixed = max_new <= 0
    ub = np.where(fixed[:, None], cf * existing[:, None], np.inf).ravel()
    out = lp.add_variables("gen_mw", grid_index(gen.index, n_t, ("unit", "step")), 0.0, ub)

    grow = np.flatnonzero(~fixed)
    if len(grow):
        rows = grid_index(gen.index[grow], n_t, ("unit", "step"))
        pos_out = (grow[:, None] * n_t + np.arange(n_t)).ravel()
        lp.add_constraints(
            "gen_availability",
            rows,
            [Term(out, pos_out, 1.0),
             Term(new, np.repeat(grow, n_t), -cf[grow].ravel())],
            "<=",
            (cf[grow] * existing[grow, None]).ravel(),
        )

    crf = capital_recovery_factor(case.discount_rate, gen["lifetime_years"].to_numpy())
    lp.add_cost("capex_generation", new, None,
                crf * 1000.0 * gen["capex_per_kw"].to_numpy())
    lp.add_cost("fixed_om_generation", new, None,
                1000.0 * gen["fixed_om_per_kw_year"].to_numpy())
    marginal = (gen["var_om_per_mwh"] + gen["fuel_cost_per_mwh"]).to_numpy()
    w = ctx.weights
    coef = (marginal[:, None] * w[None, :]).ravel()
    if np.any(coef):
        lp.add_cost("variable_generation", out, None, coef)

    node_pos = ctx.node_pos(gen["node"])
    ctx.inject(out, np.arange(n_gen * n_t), np.repeat(node_pos, n_t),
               np.tile(np.arange(n_t), n_gen), 1.0)


def existing_fixed_om(unit_table: pd.DataFrame) -> float:
    """Fixed O&M per year of the existing MW of a unit table (reported, not in the
    objective, as PyPSA does)."""
    return float((unit_table["existing_mw"] * 1000.0 * unit_table["fixed_om_per_kw_year"]).sum())


def existing_fixed_cost(case) -> float:
    """Fixed O&M of existing generators per year."""
    return existing_fixed_om(generator_units(case))


def results(ctx: BuildContext, x: np.ndarray) -> dict[str, pd.DataFrame]:
    gen = ctx.info.get("generators")
    if gen is None or len(gen) == 0:
        return {}
    lp, n_t = ctx.lp, ctx.n_steps
    new = lp.values(x, "gen_new_mw").to_numpy()
    out = lp.values(x, "gen_mw").to_numpy().reshape(len(gen), n_t)
    w = ctx.weights
    energy = out @ w
    capacity = pd.DataFrame({
        "node": gen["node"].to_numpy(),
        "tech": gen["tech"].to_numpy(),
        "kind": "generator",
        "existing_mw": gen["existing_mw"].to_numpy(),
        "new_mw": new,
        "total_mw": gen["existing_mw"].to_numpy() + new,
        "existing_mwh": np.nan,
        "new_mwh": np.nan,
        "energy_mwh_per_year": energy,
    })
    dispatch = pd.DataFrame(out.T, columns=gen.index)
    return {"capacity": capacity, "dispatch_generation": dispatch}
