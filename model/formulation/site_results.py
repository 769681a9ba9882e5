"""Results of the data-centre sites (:mod:`model.formulation.datacentres`): ``sites.csv``.

One row per site (static case) or per site and period (multi-period case, with ``period``,
``online_year`` — the first period the site runs — and ``time_to_power_years`` =
online_year − decision_year). Energy columns are per year of the period.

The cost of a site's power (per year of the period, and per MWh of IT work) is what the site
pays for it: imports at the host region's price, less exports at the same price, plus its
on-site plant (capital, fixed and running costs, CO2 price; existing plant's fixed O&M) and
its grid connection. The marginal cost is the site node's price times the site's power. Both
need prices (duals of the node balance); without them the columns are absent.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.formulation.component import Component, Results, Solution
from model.formulation.context import BuildContext
from model.formulation.datacentres import (
    SiteBlocks,
    build,
    existing_fixed_cost,
    on_site_units,
)
from model.formulation.generation import GenerationBlocks
from model.formulation.network import BalanceBlocks
from model.formulation.storage import StorageBlocks
from model.formulation.vintages import column_period_shares, existing_alive


def _per_unit_by_period(block, paid: np.ndarray, n_units: int) -> np.ndarray:
    """Cost per year of each period of a block's columns, summed per unit (units × P)."""
    per = paid[block.cols()]
    return per.reshape(n_units, -1, per.shape[1]).sum(axis=1)


def _on_site_cost(ctx: BuildContext, x: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Yearly cost of each site's on-site plant in each period (site × P): its objective
    terms (capital, fixed and running costs, CO2 price) plus the fixed O&M of its existing
    capacity still running."""
    paid = (ctx.lp.cost_vector() * x)[:, None] * shares
    n_p = shares.shape[1]
    out = np.zeros((len(ctx.case.sites), n_p))
    first = np.searchsorted(ctx.case.period_index, np.arange(n_p))
    gen, sto = ctx.get(GenerationBlocks), ctx.get(StorageBlocks)
    blocks_of = {}
    if gen is not None:
        blocks_of[id(gen.new_mw)] = (gen.new_mw, gen.output_mw)
    if sto is not None:
        blocks_of[id(sto.new_mw)] = (sto.new_mw, sto.new_mwh, sto.charge_mw, sto.discharge_mw)
    for units, new, site in on_site_units(ctx):
        on = np.flatnonzero(site >= 0)
        if not len(on):
            continue
        alive = existing_alive(ctx, units["retire_year"].to_numpy(float))[:, first]
        cost = 1000.0 * (units["existing_mw"].to_numpy(float)
                         * units["fixed_om_per_kw_year"].to_numpy(float))[:, None] * alive
        for block in blocks_of[id(new.block)]:
            cost = cost + _per_unit_by_period(block, paid, len(units))
        np.add.at(out, site[on], cost[on])
    return out


def _power_costs(ctx: BuildContext, b: SiteBlocks, sol: Solution, power: np.ndarray,
                 it_energy: np.ndarray, region_dual: np.ndarray,
                 site_dual: np.ndarray) -> dict[str, np.ndarray]:
    """Cost of power per site and period (site × P): average per year and per MWh of IT work,
    and marginal per MWh of IT work (duals are w_t · W_p · price)."""
    inv, n_d = ctx.case.investment, len(b.sites)
    period = ctx.case.period_index
    shares = column_period_shares(ctx)
    conn_cost = _per_unit_by_period(b.connection_new_mw,
                                    (ctx.lp.cost_vector() * sol.x)[:, None] * shares, n_d)
    flow = region_dual * (sol.value(b.import_mw) - sol.value(b.export_mw))
    total = (_by_period(flow, period, inv.n) / inv.weights[None, :]
             + _on_site_cost(ctx, sol.x, shares) + conn_cost)
    marginal = _by_period(site_dual * power, period, inv.n) / inv.weights[None, :]

    def per_it(v):
        return np.divide(v, it_energy, out=np.full(v.shape, np.nan), where=it_energy > 1e-9)

    return {"power_cost_per_year": total, "power_cost_per_mwh_it": per_it(total),
            "marginal_power_cost_per_mwh_it": per_it(marginal)}


def _by_period(values: np.ndarray, period: np.ndarray, n_p: int) -> np.ndarray:
    """Σ over each period's steps (items × steps → items × P)."""
    out = np.zeros((values.shape[0], n_p))
    for p in range(n_p):
        out[:, p] = values[:, period == p].sum(axis=1)
    return out


def _site_table(ctx: BuildContext, b: SiteBlocks, sol: Solution, power: np.ndarray,
                served: np.ndarray) -> pd.DataFrame:
    """sites.csv columns, one frame of site × period (flattened site-major)."""
    sites, w, inv = b.sites, ctx.weights, ctx.case.investment
    period, n_d, n_p = ctx.case.period_index, len(sites), inv.n
    hours = _by_period(np.ones((1, ctx.n_steps)) * w, period, n_p)  # 1 × P
    it_mw = b.it_mw(sol.x)
    # a "built" site without IT capacity is a free tie (no fixed cost): report it unbuilt
    built = b.built_in(sol.x) & (it_mw > 1e-6)
    energy, it_energy = _by_period(power * w, period, n_p), _by_period(served * w, period, n_p)
    imp = _by_period(sol.value(b.import_mw) * w, period, n_p)
    exp_ = _by_period(sol.value(b.export_mw) * w, period, n_p)
    peak = np.zeros((n_d, n_p))
    for p in range(n_p):
        if (period == p).any():
            peak[:, p] = power[:, period == p].max(axis=1)
    conn = (sites["grid_existing_mw"].to_numpy(float)[:, None] * built
            + b.connection.installed(sol.x))
    columns = {
        "site": sites.index, "name": sites["name"].to_numpy(), "region": sites["region"],
        "group": sites["group"].to_numpy(), "built": built.astype(int), "it_mw": it_mw,
        "it_energy_mwh_per_year": it_energy, "power_mwh_per_year": energy,
        "peak_power_mw": peak, "grid_connection_mw": conn,
        "grid_import_mwh_per_year": imp, "grid_export_mwh_per_year": exp_,
        "grid_share": np.divide(imp, energy, out=np.zeros_like(imp), where=energy > 1e-9),
        "pue_mean": _by_period(b.pue * w, period, n_p) / hours,
        "utilisation": np.divide(it_energy, it_mw * hours, out=np.zeros_like(it_energy),
                                 where=it_mw > 0),
        "lon": sites["lon"].to_numpy(), "lat": sites["lat"].to_numpy()}
    table = pd.DataFrame({k: _site_major(v, n_d, n_p) for k, v in columns.items()})
    if not inv.static:
        table.insert(0, "period", np.tile(inv.years, n_d))
        # online: the first period in which the site serves IT work (not merely built)
        serving = built & (it_energy > 1e-6)
        online = np.where(serving.any(axis=1), inv.years[np.argmax(serving, axis=1)], np.nan)
        at = table.columns.get_loc("built") + 1
        table.insert(at, "online_year", np.repeat(online, n_p))
        table.insert(at + 1, "time_to_power_years",
                     np.repeat(online - inv.decision_year, n_p))
    return table


def _site_major(values, n_d: int, n_p: int) -> np.ndarray:
    """A per-site value repeated per period, or a site × period array flattened."""
    v = np.asarray(values)
    return v.ravel() if v.ndim == 2 else np.repeat(v, n_p)


def results(ctx: BuildContext, sol: Solution) -> Results:
    """sites.csv (with the cost of power where prices exist) and the site power columns of
    dispatch.csv."""
    b = ctx.get(SiteBlocks)
    if b is None:
        return Results()
    inv = ctx.case.investment
    balance = ctx.get(BalanceBlocks)
    balance_dual = sol.dual(balance.balance if balance is not None else None)
    served = b.served_by_site(sol.x)
    power = b.power(sol.x, ctx.case.period_index)
    table = _site_table(ctx, b, sol, power, served)
    if balance_dual is not None:
        balance_dual = balance_dual.reshape(len(ctx.node_ids), ctx.n_steps)
        it_energy = _by_period(served * ctx.weights, ctx.case.period_index, inv.n)
        costs = _power_costs(ctx, b, sol, power, it_energy,
                             balance_dual[ctx.node_pos(b.sites["region"])],
                             balance_dual[ctx.node_pos(b.sites.index)])
        for key, values in costs.items():
            table[key] = values.ravel()
    return Results(tables={"sites": table},
                   dispatch={f"{s}:dc_power": power[i] for i, s in enumerate(b.sites.index)},
                   summary=_summary(table, inv), existing_fixed_om=existing_fixed_cost(ctx.case))


def _summary(table: pd.DataFrame, inv) -> dict:
    """Sites built, IT and the cost of power per MWh of IT: of the static year, or of the
    last period with a ``by_period`` breakdown in a multi-period case."""
    def figures(rows: pd.DataFrame) -> dict:
        it_energy = float(rows["it_energy_mwh_per_year"].sum())
        out = {"sites_built": rows.loc[rows["built"] == 1, "site"].tolist(),
               "it_mw_built": float(rows["it_mw"].sum()), "it_energy_mwh": it_energy}
        if "power_cost_per_year" in rows and it_energy > 0:
            out["power_cost_per_mwh_it"] = float(rows["power_cost_per_year"].sum()
                                                 / it_energy)
        return out

    if inv.static:
        return figures(table)
    per = {int(y): figures(table[table["period"] == y]) for y in inv.years}
    out = dict(per[int(inv.years[-1])])
    online = table.drop_duplicates("site")
    online = online[online["online_year"].notna()]
    out["sites_online_year"] = {str(s): int(y) for s, y in zip(online["site"],
                                                               online["online_year"],
                                                               strict=True)}
    out["by_period"] = per
    return out


COMPONENT = Component("datacentres", ("sites", "pue"), build, results,
                      report=("sites", "dispatch"))
