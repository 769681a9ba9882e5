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
from model.formulation.generation import capacity_rows, existing_fixed_om
from model.formulation.lp import Term, VarBlock
from model.formulation.vintages import (
    Vintages,
    add_new_capacity,
    existing_alive,
    period_energy,
    step_cost_weights,
)
from model.inputs.derived import storage_units
from model.inputs.finance import capital_recovery_factor
from model.inputs.periods import by_period


@dataclass
class StorageBlocks:
    units: pd.DataFrame  # storage rows of resources.csv with their technology columns
    new_power: Vintages  # sto_new_mw[s] (by build period in multi-period cases)
    new_energy: Vintages  # sto_new_mwh[s]
    charge_mw: VarBlock  # sto_charge_mw[s,t]
    discharge_mw: VarBlock  # sto_discharge_mw[s,t]
    soc_mwh: VarBlock  # sto_soc_mwh[s,t]
    alive: np.ndarray  # existing capacity runs in the step's period (unit × step)

    @property
    def new_mw(self) -> VarBlock:
        return self.new_power.block

    @property
    def new_mwh(self) -> VarBlock:
        return self.new_energy.block


def _capped(ctx: BuildContext, name: str, flow: VarBlock, new: Vintages,
            in_place: np.ndarray, grow: np.ndarray) -> None:
    """Rows flow[s,t] − installed new[s, period(t)] ≤ existing in place, expandable units."""
    if not len(grow):
        return
    pos = flow.at(grow).ravel()
    ctx.lp.add_constraints(
        name, flow.index[pos],
        [Term(flow, pos, 1.0),
         new.step_terms(grow, ctx.case.period_index, -1.0)],
        "<=", in_place[grow].ravel())


def build(ctx: BuildContext) -> None:
    case, lp = ctx.case, ctx.lp
    sto = storage_units(case)
    n_t = ctx.n_steps
    if len(sto) == 0:
        return
    alive = existing_alive(ctx, sto["retire_year"].to_numpy(float))
    in_mw = sto["existing_mw"].to_numpy()[:, None] * alive
    in_mwh = sto["existing_mwh"].to_numpy()[:, None] * alive
    max_mw = sto["max_new_mw"].to_numpy()
    duration = sto["duration_hours"].to_numpy()
    # a fixed duration caps energy through the power limit
    max_mwh = np.where(np.isfinite(duration), np.minimum(sto["max_new_mwh"].to_numpy(),
                                                         duration * max_mw),
                       sto["max_new_mwh"].to_numpy())
    lead, life = sto["lead_time_years"].to_numpy(float), sto["lifetime_years"].to_numpy(float)
    new_mw = add_new_capacity(ctx, "sto_new_mw", sto.index, max_mw, lead, life)
    new_mwh = add_new_capacity(ctx, "sto_new_mwh", sto.index, max_mwh, lead, life)
    grow_p, grow_e = max_mw > 0, max_mwh > 0
    ub_p = np.where(grow_p[:, None], np.inf, in_mw)
    charge = lp.add_grid_variables("sto_charge_mw", sto.index, n_t, 0.0, ub_p)
    discharge = lp.add_grid_variables("sto_discharge_mw", sto.index, n_t, 0.0, ub_p)
    soc = lp.add_grid_variables("sto_soc_mwh", sto.index, n_t, 0.0,
                                np.where(grow_e[:, None], np.inf, in_mwh))
    _capped(ctx, "sto_charge_limit", charge, new_mw, in_mw, np.flatnonzero(grow_p))
    _capped(ctx, "sto_discharge_limit", discharge, new_mw, in_mw, np.flatnonzero(grow_p))
    _capped(ctx, "sto_energy_limit", soc, new_mwh, in_mwh, np.flatnonzero(grow_e))
    blocks = StorageBlocks(sto, new_mw, new_mwh, charge, discharge, soc, alive)
    _balance(ctx, blocks)
    _duration(ctx, blocks, duration, np.flatnonzero(np.isfinite(duration) & grow_p))
    _costs(ctx, blocks)
    node_pos = ctx.node_pos(sto["node"])
    ctx.inject(discharge, node_pos, 1.0)
    ctx.inject(charge, node_pos, -1.0)
    ctx.put(blocks)


def _duration(ctx: BuildContext, b: StorageBlocks, duration: np.ndarray,
              units: np.ndarray) -> None:
    """new_mwh[s, b] = duration_hours · new_mw[s, b] where the duration is fixed."""
    if not len(units):
        return
    n_p = b.new_power.n_periods
    items, build = np.repeat(units, n_p), np.tile(np.arange(n_p), len(units))
    pos = b.new_power.pos(items, build)
    ctx.lp.add_constraints("sto_duration", b.new_mwh.index[pos],
                           [Term(b.new_mwh, pos, 1.0),
                            Term(b.new_mw, pos, -duration[items])], "==", 0.0)


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
    lp, case, sto = ctx.lp, ctx.case, b.units
    crf = capital_recovery_factor(case.discount_rate, sto["lifetime_years"].to_numpy())[:, None]

    def per_period(column: str) -> np.ndarray:
        return by_period(case, "tech_costs", sto["tech"], column, sto[column].to_numpy())

    b.new_power.add_cost(lp, "capex_storage", crf * 1000.0 * per_period("capex_per_kw"))
    b.new_energy.add_cost(lp, "capex_storage", crf * 1000.0 * per_period("capex_per_kwh"))
    b.new_power.add_cost(lp, "fixed_om_storage", 1000.0 * per_period("fixed_om_per_kw_year"))
    var_om = per_period("var_om_per_mwh")
    if np.any(var_om):
        lp.add_cost("variable_storage", b.discharge_mw, None,
                    (var_om[:, case.period_index] * step_cost_weights(ctx)[None, :]).ravel())


def results(ctx: BuildContext, sol: Solution) -> Results:
    b = ctx.get(StorageBlocks)
    if b is None:
        return Results()
    ch, dis, soc = (sol.value(b.charge_mw), sol.value(b.discharge_mw), sol.value(b.soc_mwh))
    first = np.searchsorted(ctx.case.period_index, np.arange(ctx.case.investment.n))
    capacity = capacity_rows(
        ctx, b.units, "storage", b.new_power, b.alive, sol.x, period_energy(ctx, dis),
        mwh={"existing_mwh": b.units["existing_mwh"].to_numpy()[:, None] * b.alive[:, first],
             "new_mwh": b.new_energy.built(sol.x)})
    dispatch = {}
    for suffix, values in ((":discharge", dis), (":charge", ch), (":soc_mwh", soc)):
        dispatch.update({f"{u}{suffix}": values[i] for i, u in enumerate(b.units.index)})
    return Results(tables={"capacity": capacity}, dispatch=dispatch,
                   existing_fixed_om=existing_fixed_om(b.units, ctx.case.investment))


COMPONENT = Component("storage", ("technologies", "resources"), build, results,
                      report=("capacity", "dispatch", "state_of_charge"))
