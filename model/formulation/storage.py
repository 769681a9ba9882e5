"""Storage: independent power and energy sizing, cyclic state of charge.

Reads ``technologies.csv`` (kind = storage) and ``resources.csv``.

Sets: storage units s = (node, tech); steps t; prev(t) = the step before t, cyclic within
each period (the whole horizon, or each representative period).

Variables
    sto_new_mw[s]  ∈ [0, max_new_mw]     new power rating (grid side, charge and discharge), MW
    sto_new_mwh[s] ∈ [0, max_new_mwh]    new energy capacity, MWh
    charge[s,t], discharge[s,t] ≥ 0      grid-side power, MW
    soc[s,t] ≥ 0                         state of charge at the end of step t, MWh

Constraints
    charge[s,t]    ≤ existing_mw_s + sto_new_mw[s]
    discharge[s,t] ≤ existing_mw_s + sto_new_mw[s]
    soc[s,t]       ≤ existing_mwh_s + sto_new_mwh[s]
    soc[s,t] = soc[s,prev(t)] + h_t · (η_c · charge[s,t] − discharge[s,t] / η_d)
        (h_t = hours in step t, 1 for hourly data; weights scale costs, not storage dynamics)
    sto_new_mwh[s] = duration_hours · sto_new_mw[s]        (only where duration is fixed)

Objective terms
    (CRF · 1000 · capex_per_kw + 1000 · fixed_om_per_kw_year) · sto_new_mw
    + CRF · 1000 · capex_per_kwh · sto_new_mwh + Σ_t w_t · var_om_per_mwh · discharge

Injection into the node balance: discharge − charge.

Results: ``capacity.csv`` rows (power and energy), dispatch columns (discharge, charge, state
of charge) per unit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.formulation.component import Component, Results, Solution
from model.formulation.context import BuildContext
from model.formulation.generation import existing_fixed_om
from model.formulation.lp import Term, VarBlock
from model.inputs.derived import storage_units
from model.inputs.finance import capital_recovery_factor


@dataclass
class StorageBlocks:
    units: pd.DataFrame  # storage rows of resources.csv with their technology columns
    new_mw: VarBlock  # sto_new_mw[s]
    new_mwh: VarBlock  # sto_new_mwh[s]
    charge_mw: VarBlock  # sto_charge_mw[s,t]
    discharge_mw: VarBlock  # sto_discharge_mw[s,t]
    soc_mwh: VarBlock  # sto_soc_mwh[s,t]


def _capped(lp, name: str, flow: VarBlock, new: VarBlock, existing: np.ndarray,
            grow: np.ndarray) -> None:
    """Rows flow[s,t] − new[s] ≤ existing[s] for expandable units."""
    if not len(grow):
        return
    pos = flow.at(grow).ravel()
    lp.add_constraints(name, flow.index[pos],
                       [Term(flow, pos, 1.0), Term(new, np.repeat(grow, flow.n_steps), -1.0)],
                       "<=", np.repeat(existing[grow], flow.n_steps))


def build(ctx: BuildContext) -> None:
    case, lp = ctx.case, ctx.lp
    sto = storage_units(case)
    n_t = ctx.n_steps
    if len(sto) == 0:
        return
    exist_mw = sto["existing_mw"].to_numpy()
    exist_mwh = sto["existing_mwh"].to_numpy()
    max_mw = sto["max_new_mw"].to_numpy()
    duration = sto["duration_hours"].to_numpy()
    # a fixed duration caps energy through the power limit
    max_mwh = np.where(np.isfinite(duration), np.minimum(sto["max_new_mwh"].to_numpy(),
                                                         duration * max_mw),
                       sto["max_new_mwh"].to_numpy())
    new_mw = lp.add_variables("sto_new_mw", sto.index, 0.0, max_mw)
    new_mwh = lp.add_variables("sto_new_mwh", sto.index, 0.0, max_mwh)
    grow_p, grow_e = max_mw > 0, max_mwh > 0
    ub_p = np.where(grow_p, np.inf, exist_mw)
    charge = lp.add_grid_variables("sto_charge_mw", sto.index, n_t, 0.0, ub_p)
    discharge = lp.add_grid_variables("sto_discharge_mw", sto.index, n_t, 0.0, ub_p)
    soc = lp.add_grid_variables("sto_soc_mwh", sto.index, n_t, 0.0,
                                np.where(grow_e, np.inf, exist_mwh))
    _capped(lp, "sto_charge_limit", charge, new_mw, exist_mw, np.flatnonzero(grow_p))
    _capped(lp, "sto_discharge_limit", discharge, new_mw, exist_mw, np.flatnonzero(grow_p))
    _capped(lp, "sto_energy_limit", soc, new_mwh, exist_mwh, np.flatnonzero(grow_e))
    blocks = StorageBlocks(sto, new_mw, new_mwh, charge, discharge, soc)
    _balance(ctx, blocks)
    fixed_dur = np.flatnonzero(np.isfinite(duration) & grow_p)
    if len(fixed_dur):
        lp.add_constraints("sto_duration", sto.index[fixed_dur],
                           [Term(new_mwh, fixed_dur, 1.0),
                            Term(new_mw, fixed_dur, -duration[fixed_dur])], "==", 0.0)
    _costs(ctx, blocks)
    node_pos = ctx.node_pos(sto["node"])
    ctx.inject(discharge, node_pos, 1.0)
    ctx.inject(charge, node_pos, -1.0)
    ctx.put(blocks)


def _balance(ctx: BuildContext, b: StorageBlocks) -> None:
    """soc[s,t] = soc[s,prev(t)] + h_t · (η_c · charge[s,t] − discharge[s,t] / η_d)."""
    n_s, n_t = len(b.units), ctx.n_steps
    all_pos = b.soc_mwh.at().ravel()
    prev_pos = b.soc_mwh.at(None, ctx.previous_step()).ravel()
    hours = np.tile(ctx.case.hours, n_s)
    eta_c = np.repeat(b.units["efficiency_charge"].to_numpy(), n_t) * hours
    eta_d = np.repeat(b.units["efficiency_discharge"].to_numpy(), n_t) / hours
    ctx.lp.add_constraints(
        "sto_balance", b.soc_mwh.index,
        [Term(b.soc_mwh, all_pos, 1.0), Term(b.soc_mwh, prev_pos, -1.0),
         Term(b.charge_mw, all_pos, -eta_c), Term(b.discharge_mw, all_pos, 1.0 / eta_d)],
        "==", 0.0)


def _costs(ctx: BuildContext, b: StorageBlocks) -> None:
    lp, sto = ctx.lp, b.units
    crf = capital_recovery_factor(ctx.case.discount_rate, sto["lifetime_years"].to_numpy())
    lp.add_cost("capex_storage", b.new_mw, None, crf * 1000.0 * sto["capex_per_kw"].to_numpy())
    lp.add_cost("capex_storage", b.new_mwh, None,
                crf * 1000.0 * sto["capex_per_kwh"].to_numpy())
    lp.add_cost("fixed_om_storage", b.new_mw, None,
                1000.0 * sto["fixed_om_per_kw_year"].to_numpy())
    var_om = sto["var_om_per_mwh"].to_numpy()
    if np.any(var_om):
        lp.add_cost("variable_storage", b.discharge_mw, None,
                    (var_om[:, None] * ctx.weights[None, :]).ravel())


def results(ctx: BuildContext, sol: Solution) -> Results:
    b = ctx.get(StorageBlocks)
    if b is None:
        return Results()
    new_mw, new_mwh = sol.value(b.new_mw), sol.value(b.new_mwh)
    ch, dis, soc = (sol.value(b.charge_mw), sol.value(b.discharge_mw), sol.value(b.soc_mwh))
    existing = b.units["existing_mw"].to_numpy()
    capacity = pd.DataFrame({
        "node": b.units["node"].to_numpy(), "tech": b.units["tech"].to_numpy(),
        "kind": "storage", "existing_mw": existing, "new_mw": new_mw,
        "total_mw": existing + new_mw, "existing_mwh": b.units["existing_mwh"].to_numpy(),
        "new_mwh": new_mwh, "energy_mwh_per_year": dis @ ctx.weights,
    })
    dispatch = {}
    for suffix, values in ((":discharge", dis), (":charge", ch), (":soc_mwh", soc)):
        dispatch.update({f"{u}{suffix}": values[i] for i, u in enumerate(b.units.index)})
    return Results(tables={"capacity": capacity}, dispatch=dispatch,
                   existing_fixed_om=existing_fixed_om(b.units))


COMPONENT = Component("storage", ("technologies", "resources"), build, results,
                      report=("capacity", "dispatch", "state_of_charge"))
