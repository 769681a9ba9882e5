"""Grid-connection (interconnection) limit on data-centre load, per region.

Key: ``policies.max_new_load_mw``: ``{region id: MW}``, or in a multi-period case
``{region id: {year: MW}}`` — the cap from that year's period on (a period before the first
year given is not capped).

The cap applies to the grid imports of all data-centre sites hosted in the region, every hour
(constraint ``max_new_load[r,t]``):

    Σ_{d hosted in r} dc_import_mw[d,t] ≤ cap_r

dc_import_mw is what a site draws from its host region (its exports are a separate variable,
so one site's exports never make room for another site's imports). On-site generation and
storage can carry a site's load above the cap: this is the "connect and manage" reading of an
interconnection queue limit, not a cap on IT capacity.
Imports of existing sites count too; include them in the cap. Large loads already in the
queue (connection_queue.csv, from their online year) take their MW of the cap first:
cap_r,p − queued_r,p is what data-centre sites can import. Sites' own ``grid_limit_mw``
still applies to each site. The dual of each hourly row is ≤ 0; Σ_t of its negative is the
value per year of one more MW of cap.

Report per region: cap, largest hourly import, hours at the cap, price per MW-year (in a
multi-period case per period, the price in that period's money).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.formulation.context import BuildContext
from model.formulation.lp import Term, grid_index, grid_positions
from model.formulation.policies import _common as c
from model.inputs.periods import queued_mw

KEY = "max_new_load_mw"
ROW = "max_new_load"


def validate(case, value) -> list:
    if not isinstance(value, dict):
        return [c.problem(KEY, f"must be a mapping {{region id: MW}}, got {value!r}")]
    problems = c.check_ids(KEY, list(value), case.regions.index, "region")
    for r, cap in value.items():
        if isinstance(cap, dict):
            if case.investment.static:
                problems.append(c.problem(KEY, f"caps by year for region '{r}' need a "
                                               "multi-period case ('periods' in case.yaml)"))
                continue
            for year, mw in cap.items():
                if not isinstance(year, int) or isinstance(year, bool):
                    problems.append(c.problem(KEY, f"region '{r}': years must be integers, "
                                                   f"got {year!r}"))
                problems += c.check_number(KEY, mw, lo=0.0, what=f"cap of '{r}' in {year}")
        else:
            problems += c.check_number(KEY, cap, lo=0.0, what=f"cap of region '{r}'")
    return problems


def caps_by_period(case, cap) -> np.ndarray:
    """The cap (MW) of each period: one number, or the value of the latest year ≤ the
    period's year (inf before the first year given)."""
    years = case.investment.years
    if not isinstance(cap, dict):
        return np.full(len(years), float(cap))
    given = sorted((int(y), float(v)) for y, v in cap.items())
    out = np.full(len(years), np.inf)
    for y, v in given:
        out[years >= y] = v
    return out


def region_caps(ctx: BuildContext, regions: list[str], value: dict) -> np.ndarray:
    """Room left for data-centre imports (region × period): the cap less the queued loads of
    connection_queue.csv already online in the period (never below 0)."""
    caps = np.array([caps_by_period(ctx.case, value[r]) for r in regions]).reshape(
        len(regions), ctx.case.investment.n)
    queued = queued_mw(ctx.case)[ctx.case.load.columns.get_indexer(regions)]
    return np.maximum(caps - queued, 0.0)


def _regions(ctx: BuildContext, value) -> list[str]:
    hosts = set(ctx.case.sites["region"].astype(str)) if len(ctx.case.sites) else set()
    return [r for r in ctx.case.regions.index if r in value and r in hosts]


def add_components(ctx: BuildContext, value) -> None:
    value = {str(k): v for k, v in value.items()}
    regions = _regions(ctx, value)
    if not regions or c.sites(ctx) is None:
        return
    n_t = ctx.n_steps
    row_of = {r: i for i, r in enumerate(regions)}
    site_row = np.array([row_of.get(r, -1) for r in ctx.case.sites["region"].astype(str)])
    sel = np.flatnonzero(site_row >= 0)
    imports = c.sites(ctx).import_mw
    caps = region_caps(ctx, regions, value)  # region × P
    ctx.lp.add_constraints(ROW, grid_index(pd.Index(regions, name="region"), n_t,
                                           ("region", "step")),
                           [Term(imports, imports.at(sel).ravel(), 1.0,
                                 grid_positions(site_row[sel], n_t).ravel())], "<=",
                           caps[:, ctx.case.period_index].ravel())


def _region_report(ctx: BuildContext, imp: np.ndarray, cap: np.ndarray,
                   dual: np.ndarray | None) -> dict:
    """Figures of one region over the steps given (cap and dual per step)."""
    at_cap = c.is_binding(imp, cap)
    price = None
    if dual is not None:
        price = float(c.shadow_price(dual, "<=").sum())
    return {"cap_mw": float(cap.max(initial=0.0)),
            "max_import_mw": float(imp.max()) if len(imp) else 0.0,
            "hours_at_cap": int(np.sum(at_cap)), "binding": bool(np.any(at_cap)),
            "price_per_mw_year": price}


def report(ctx: BuildContext, value, x, duals) -> dict:
    value = {str(k): v for k, v in value.items()}
    regions = _regions(ctx, value)
    inv, period = ctx.case.investment, ctx.case.period_index
    out = {}
    n_t = ctx.n_steps
    dual = c.row_duals(ctx, duals, ROW)
    grid = c.sites(ctx).import_mw.value(x) if c.sites(ctx) is not None else None
    caps = region_caps(ctx, regions, value)
    for i, r in enumerate(regions):
        sel = (ctx.case.sites["region"].astype(str) == r).to_numpy()
        imp = grid[sel].sum(axis=0) if grid is not None else np.zeros(n_t)
        cap = caps[i, period]
        d = None if dual is None else dual.reshape(-1, n_t)[i]
        if inv.static:
            out[r] = _region_report(ctx, imp, cap, d)
            continue
        per = {int(y): _region_report(ctx, imp[period == p], cap[period == p],
                                      None if d is None else d[period == p] / inv.weights[p])
               for p, y in enumerate(inv.years)}
        out[r] = {"binding": any(v["binding"] for v in per.values()), "by_period": per}
    for r in value:
        if r not in out:
            out[r] = {"cap_mw": value[r], "max_import_mw": 0.0, "hours_at_cap": 0,
                      "binding": False, "price_per_mw_year": 0.0,
                      "note": "no data-centre site in this region"}
    return {"regions": out, "binding": any(v["binding"] for v in out.values())}
