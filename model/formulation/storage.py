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
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.formulation.context import BuildContext, grid_index
from model.formulation.generation import existing_fixed_om
from model.formulation.lp import Term
from model.inputs.derived import storage_units
from model.inputs.finance import capital_recovery_factor


def _capped(lp, name, var_power, var_new, n_t, existing, grow, unit_index):
    """Rows power[s,t] − new[s] ≤ existing[s] for expandable units."""
    if not len(grow):
        return
    lp.add_constraints(
        name,
        grid_index(unit_index[grow], n_t, ("unit", "step")),
        [Term(var_power, (grow[:, None] * n_t + np.arange(n_t)).ravel(), 1.0),
         Term(var_new, np.repeat(grow, n_t), -1.0)],
        "<=",
        np.repeat(existing[grow], n_t),
    )


def add_components(ctx: BuildContext) -> None:
    case, lp = ctx.case, ctx.lp
    sto = storage_units(case)
    ctx.info["storage"] = sto
    n_s, n_t = len(sto), ctx.n_steps
    if n_s == 0:
        return
    exist_mw = sto["existing_mw"].to_numpy()
    exist_mwh = sto["existing_mwh"].to_numpy()
    max_mw = sto["max_new_mw"].to_numpy()
    max_mwh = sto["max_new_mwh"].to_numpy()
    duration = sto["duration_hours"].to_numpy()
    # a fixed duration caps energy through the power limit
    max_mwh = np.where(np.isfinite(duration), np.minimum(max_mwh, duration * max_mw), max_mwh)

    new_mw = lp.add_variables("sto_new_mw", sto.index, 0.0, max_mw)
    new_mwh = lp.add_variables("sto_new_mwh", sto.index, 0.0, max_mwh)
    idx = grid_index(sto.index, n_t, ("unit", "step"))
    grow_p = max_mw > 0
    grow_e = max_mwh > 0
    ub_p = np.where(grow_p[:, None], np.inf, exist_mw[:, None] + np.zeros(n_t)).ravel()
    ub_e = np.where(grow_e[:, None], np.inf, exist_mwh[:, None] + np.zeros(n_t)).ravel()
    charge = lp.add_variables("sto_charge_mw", idx, 0.0, ub_p)
    discharge = lp.add_variables("sto_discharge_mw", idx, 0.0, ub_p)
    soc = lp.add_variables("sto_soc_mwh", idx, 0.0, ub_e)

    _capped(lp, "sto_charge_limit", charge, new_mw, n_t, exist_mw, np.flatnonzero(grow_p),
            sto.index)
    _capped(lp, "sto_discharge_limit", discharge, new_mw, n_t, exist_mw,
            np.flatnonzero(grow_p), sto.index)
    _capped(lp, "sto_energy_limit", soc, new_mwh, n_t, exist_mwh, np.flatnonzero(grow_e),
            sto.index)

    prev = ctx.previous_step()
    all_pos = np.arange(n_s * n_t)
    prev_pos = (np.arange(n_s)[:, None] * n_t + prev[None, :]).ravel()
    hours = np.tile(case.hours, n_s)
    eta_c = np.repeat(sto["efficiency_charge"].to_numpy(), n_t) * hours
    eta_d = np.repeat(sto["efficiency_discharge"].to_numpy(), n_t) / hours
    lp.add_constraints(
        "sto_balance",
        idx,
        [Term(soc, all_pos, 1.0), Term(soc, prev_pos, -1.0),
         Term(charge, all_pos, -eta_c), Term(discharge, all_pos, 1.0 / eta_d)],
        "==",
        0.0,
    )
    fixed_dur = np.flatnonzero(np.isfinite(duration) & grow_p)
    if len(fixed_dur):
        lp.add_constraints(
            "sto_duration",
            sto.index[fixed_dur],
            [Term(new_mwh, fixed_dur, 1.0), Term(new_mw, fixed_dur, -duration[fixed_dur])],
            "==",
            0.0,
        )

    crf = capital_recovery_factor(case.discount_rate, sto["lifetime_years"].to_numpy())
    lp.add_cost("capex_storage", new_mw, None, crf * 1000.0 * sto["capex_per_kw"].to_numpy())
    lp.add_cost("capex_storage", new_mwh, None, crf * 1000.0 * sto["capex_per_kwh"].to_numpy())
    lp.add_cost("fixed_om_storage", new_mw, None,
                1000.0 * sto["fixed_om_per_kw_year"].to_numpy())
    var_om = sto["var_om_per_mwh"].to_numpy()
    if np.any(var_om):
        lp.add_cost("variable_storage", discharge, None,
                    (var_om[:, None] * ctx.weights[None, :]).ravel())

    node_pos = np.repeat(ctx.node_pos(sto["node"]), n_t)
    step = np.tile(np.arange(n_t), n_s)
    ctx.inject(discharge, all_pos, node_pos, step, 1.0)
    ctx.inject(charge, all_pos, node_pos, step, -1.0)


def existing_fixed_cost(case) -> float:
    """Fixed O&M of existing storage power per year."""
    return existing_fixed_om(storage_units(case))


def results(ctx: BuildContext, x: np.ndarray) -> dict[str, pd.DataFrame]:
    sto = ctx.info.get("storage")
    if sto is None or len(sto) == 0:
        return {}
    lp, n_t = ctx.lp, ctx.n_steps
    new_mw = lp.values(x, "sto_new_mw").to_numpy()
    new_mwh = lp.values(x, "sto_new_mwh").to_numpy()
    ch = lp.values(x, "sto_charge_mw").to_numpy().reshape(len(sto), n_t)
    dis = lp.values(x, "sto_discharge_mw").to_numpy().reshape(len(sto), n_t)
    soc = lp.values(x, "sto_soc_mwh").to_numpy().reshape(len(sto), n_t)
    capacity = pd.DataFrame({
        "node": sto["node"].to_numpy(),
        "tech": sto["tech"].to_numpy(),
        "kind": "storage",
        "existing_mw": sto["existing_mw"].to_numpy(),
        "new_mw": new_mw,
        "total_mw": sto["existing_mw"].to_numpy() + new_mw,
        "existing_mwh": sto["existing_mwh"].to_numpy(),
        "new_mwh": new_mwh,
        "energy_mwh_per_year": dis @ ctx.weights,
    })
    return {
        "capacity": capacity,
        "dispatch_storage_discharge": pd.DataFrame(dis.T, columns=sto.index),
        "dispatch_storage_charge": pd.DataFrame(ch.T, columns=sto.index),
        "storage_soc": pd.DataFrame(soc.T, columns=sto.index),
    }
