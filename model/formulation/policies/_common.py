"""Helpers shared by the policy levers: unit tables, capacity credits, site power, groups, duals.

Nothing here adds rows to the model by itself; each lever module owns its constraints.

Dual convention (HiGHS, minimisation): the row dual is d(objective)/d(row bound). A binding
``≥`` row therefore has a dual ≥ 0 and a binding ``≤`` row a dual ≤ 0. Levers report shadow
prices as positive "cost of tightening" numbers with :func:`shadow_price`.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from model.formulation.compute import ComputeBlocks
from model.formulation.context import BuildContext
from model.formulation.datacentres import SiteBlocks
from model.formulation.generation import GenerationBlocks
from model.formulation.lp import Term, VarBlock, grid_index
from model.formulation.storage import StorageBlocks
from model.inputs.derived import pue_matrix
from model.inputs.problems import CaseError, Problem

TOL = 1e-6  # relative slack under which a row counts as binding


# ------------------------------------------------------------------------ problems
def problem(key: str, message: str, hint: str = "") -> Problem:
    """A validation problem about ``policies.<key>`` in case.yaml."""
    return Problem("case.yaml", message, column=f"policies.{key}", hint=hint)


def raise_problems(problems: list[Problem]) -> None:
    if problems:
        raise CaseError(problems)


def is_number(v) -> bool:
    """A finite number; strings such as ``"1.0e8"`` count too (YAML 1.1, as read by PyYAML,
    loads exponents without a sign, like ``1.0e8``, as strings)."""
    if isinstance(v, str):
        try:
            return bool(np.isfinite(float(v)))
        except ValueError:
            return False
    return isinstance(v, numbers.Real) and not isinstance(v, bool) and np.isfinite(float(v))


def check_number(key: str, value, lo: float | None = 0.0, hi: float | None = None,
                 what: str = "value") -> list[Problem]:
    if not is_number(value):
        return [problem(key, f"{what} must be a number, got {value!r}")]
    v = float(value)
    if lo is not None and v < lo:
        return [problem(key, f"{what} {v:g} must be >= {lo:g}")]
    if hi is not None and v > hi:
        return [problem(key, f"{what} {v:g} must be <= {hi:g}",
                        hint="shares are fractions: write 0.6 for 60 %" if hi == 1 else "")]
    return []


def check_mapping(key: str, value, allowed: set[str], required: set[str]) -> list[Problem]:
    if not isinstance(value, dict):
        return [problem(key, f"must be a mapping with keys {sorted(required | allowed)}, "
                             f"got {value!r}")]
    out = []
    for k in value:
        if k not in allowed | required:
            out.append(problem(key, f"unknown option '{k}'",
                               hint=f"known options: {', '.join(sorted(allowed | required))}"))
    for k in sorted(required):
        if k not in value:
            out.append(problem(key, f"option '{k}' is missing"))
    return out


def check_ids(key: str, ids, known, what: str) -> list[Problem]:
    """Every id in ``ids`` must be in ``known`` (ids is a list)."""
    if not isinstance(ids, list | tuple):
        return [problem(key, f"must be a list of {what} ids, got {ids!r}")]
    known = set(map(str, known))
    bad = [str(i) for i in ids if str(i) not in known]
    if bad:
        return [problem(key, f"unknown {what} id(s) {', '.join(map(repr, bad))}",
                        hint=f"use {what} ids defined in the case"
                             + (f": {', '.join(sorted(known))}" if len(known) <= 20 else ""))]
    return []


# ------------------------------------------------------------------ shared lever state
@dataclass
class PolicyBlocks:
    """What levers build once and share (the storage firm capacity, the dedicated portfolio)
    and remember between their rows and their report."""

    storage_firm: tuple[np.ndarray, VarBlock] | None = None
    storage_firm_built: bool = False
    dedicated: Any = None  # model.formulation.policies.dedicated.Dedicated
    cache: dict = field(default_factory=dict)


def state(ctx: BuildContext) -> PolicyBlocks:
    blocks = ctx.get(PolicyBlocks)
    if blocks is None:
        blocks = PolicyBlocks()
        ctx.put(blocks)
    return blocks


# ----------------------------------------------------------------- units and nodes
def generation(ctx: BuildContext) -> GenerationBlocks | None:
    return ctx.get(GenerationBlocks)


def storage(ctx: BuildContext) -> StorageBlocks | None:
    return ctx.get(StorageBlocks)


def generators(ctx: BuildContext) -> pd.DataFrame:
    g = ctx.get(GenerationBlocks)
    return g.units if g is not None else pd.DataFrame()


def storage_units(ctx: BuildContext) -> pd.DataFrame:
    b = ctx.get(StorageBlocks)
    return b.units if b is not None else pd.DataFrame()


def availability(ctx: BuildContext) -> np.ndarray:
    """Availability (unit × step) of the generator units."""
    return ctx.get(GenerationBlocks).availability


def node_region(case) -> pd.Series:
    """Region of every node: a region is its own, a site its host region."""
    return case.nodes["region"].astype(str)


def variable_techs(case) -> set[str]:
    """Generator techs with an availability profile at some node (wind, solar, …)."""
    return {c.split(":", 1)[1] for c in case.profiles.columns}


def capacity_credit(case, units: pd.DataFrame) -> np.ndarray:
    """Capacity credit of each unit: the tech's ``capacity_credit``, else 1 for generator
    techs without a profile and 0 for variable generators and storage (docs/inputs.md)."""
    if len(units) == 0:
        return np.zeros(0)
    cc = units["capacity_credit"].to_numpy(float)
    var = units["tech"].isin(variable_techs(case)).to_numpy()
    gen = (units["kind"] == "generator").to_numpy()
    default = np.where(gen & ~var, 1.0, 0.0)
    return np.where(np.isfinite(cc), cc, default)


# ------------------------------------------------------------- data-centre power
def compute(ctx: BuildContext) -> ComputeBlocks | None:
    return ctx.get(ComputeBlocks)


def sites(ctx: BuildContext) -> SiteBlocks | None:
    return ctx.get(SiteBlocks)


def has_sites(ctx: BuildContext) -> bool:
    return ctx.get(SiteBlocks) is not None


def site_power_terms(ctx: BuildContext, rows: np.ndarray, scale: np.ndarray) -> list[Term]:
    """Terms ``scale[d,t] · P_var[d,t]`` on rows ``rows[d,t]`` (skipped where rows < 0).

    Site power P[d,t] = PUE[d,t]·(idle_d·IT_d + (1 − idle_d)·Σ served[·,d,t]) with
    IT_d = existing_d + the new IT installed in the step's period; ``P_var`` is the part that
    depends on variables (the existing IT's idle power is the constant
    :func:`site_power_constant`).
    """
    dc = ctx.get(SiteBlocks)
    n_d, n_t = len(dc.sites), ctx.n_steps
    rows = np.broadcast_to(rows, (n_d, n_t))
    scale = np.broadcast_to(scale, (n_d, n_t))
    idle = dc.sites["idle_share"].to_numpy(float)
    terms = []
    d_idx, t_idx = np.nonzero(rows >= 0)
    coef = scale[d_idx, t_idx] * dc.pue[d_idx, t_idx] * idle[d_idx]
    nz = coef != 0
    if nz.any():
        terms.append(dc.it_new.installed_terms(d_idx[nz], ctx.case.period_index[t_idx[nz]],
                                               rows[d_idx[nz], t_idx[nz]], coef[nz]))
    if dc.served_it_mw is not None:
        site_pos = dc.served_site
        a_rows = rows[site_pos]  # arc × step
        a_idx, t_idx = np.nonzero(a_rows >= 0)
        d = site_pos[a_idx]
        coef = scale[d, t_idx] * dc.pue[d, t_idx] * (1.0 - idle[d])
        nz = coef != 0
        if nz.any():
            pos = dc.served_it_mw.pairs(a_idx[nz], t_idx[nz])
            terms.append(Term(dc.served_it_mw, pos, coef[nz], a_rows[a_idx[nz], t_idx[nz]]))
    return terms


def site_power_constant(ctx: BuildContext) -> np.ndarray:
    """Idle power of existing IT capacity (site × step), MW."""
    dc = ctx.get(SiteBlocks)
    return dc.pue * (dc.sites["idle_share"].to_numpy(float)
                     * dc.sites["existing_it_mw"].to_numpy(float))[:, None]


def site_power_value(ctx: BuildContext, x: np.ndarray) -> np.ndarray:
    """Site power P[d,t] (site × step) in a solution."""
    dc = ctx.get(SiteBlocks)
    if dc is None:
        return np.zeros((len(ctx.case.sites), ctx.n_steps))
    return dc.power(x, ctx.case.period_index)


def full_time(case):
    """The full-time case behind a time-reduced one (the case itself otherwise): peaks are
    taken over every hour, not over representative days."""
    return getattr(case, "full_time_case", None) or case


def site_peak_factor(ctx: BuildContext) -> np.ndarray:
    """Peak power per MW of IT capacity of each site: max_t PUE[d,t] (IT at full use), over
    the full time series."""
    pue = pue_matrix(full_time(ctx.case))
    if pue.shape[1] == 0:
        return ctx.case.sites["pue"].to_numpy(float)
    return pue.max(axis=1)


# ---------------------------------------------------------------------- region groups
def region_groups(case, key: str, spec) -> tuple[dict[str, list[str]], list[Problem]]:
    """Groups of regions from a lever's ``groups`` option.

    ``spec`` is ``"regions"`` or None (the ``group`` column of regions.geojson; a region with
    an empty group is a group of its own), ``"each"`` (every region alone), ``"system"`` (all
    regions together) or a mapping ``{name: [region ids]}``.
    """
    regions = [str(r) for r in case.regions.index]
    if spec is None or spec == "regions":
        col = case.regions["group"].astype(str).to_numpy() if "group" in case.regions else None
        out: dict[str, list[str]] = {}
        for i, r in enumerate(regions):
            g = col[i] if col is not None and col[i] else r
            out.setdefault(g, []).append(r)
        return out, []
    if spec == "each":
        return {r: [r] for r in regions}, []
    if spec == "system":
        return {"system": regions}, []
    if isinstance(spec, dict):
        problems: list[Problem] = []
        out = {}
        seen: dict[str, str] = {}
        for name, members in spec.items():
            if isinstance(members, str):
                members = [members]
            problems += check_ids(f"{key}.groups.{name}", members, regions, "region")
            members = [str(m) for m in members] if isinstance(members, list | tuple) else []
            for m in members:
                if m in seen and seen[m] != str(name):
                    problems.append(problem(key, f"region '{m}' is in groups '{seen[m]}' and "
                                                 f"'{name}'", hint="groups must not overlap"))
                seen[m] = str(name)
            out[str(name)] = members
        return out, problems
    return {}, [problem(key, f"groups must be 'regions', 'each', 'system' or a mapping "
                             f"{{name: [region ids]}}, got {spec!r}")]


# ----------------------------------------------------------------------------- duals
def row_duals(ctx: BuildContext, duals, name: str) -> np.ndarray | None:
    if duals is None or name not in ctx.lp.constraints:
        return None
    return ctx.lp.duals(duals, name).to_numpy()


def shadow_price(dual, sense: str):
    """Positive cost of tightening a ``<=`` or ``>=`` row (None without duals)."""
    if dual is None:
        return None
    d = np.asarray(dual, dtype=float)
    out = -d if sense == "<=" else d
    out = np.where(np.abs(out) < 1e-12, 0.0, out)
    return float(out) if out.ndim == 0 else out


def row_activity(ctx: BuildContext, x: np.ndarray, name: str) -> np.ndarray:
    """Σ A x of each row of a constraint block."""
    b = ctx.lp.constraints[name]
    act = np.zeros(b.size)
    np.add.at(act, b.rows, b.vals * x[b.cols])
    return act


def is_binding(activity, bound, shadow=None) -> np.ndarray | bool:
    """Binding: the row sits at its bound (within TOL relative) or carries a shadow price."""
    activity = np.asarray(activity, float)
    bound = np.asarray(bound, float)
    at_bound = np.abs(activity - bound) <= TOL * np.maximum(1.0, np.abs(bound))
    if shadow is not None:
        at_bound = at_bound | (np.abs(np.asarray(shadow, float)) > 1e-9)
    return bool(at_bound) if at_bound.ndim == 0 else at_bound


# ------------------------------------------------------------------------ firm capacity
def step_index(labels: pd.Index, n_steps: int) -> pd.MultiIndex:
    return grid_index(labels, n_steps, ("unit", "step"))


def unit_rows(ctx: BuildContext, units: pd.DataFrame, row_of_region: dict[str, int]):
    """Row of each unit: the row of its node's region (a site counts for its host region)."""
    reg = node_region(ctx.case).reindex(units["node"]).to_numpy()
    return np.array([row_of_region.get(r, -1) for r in reg], dtype=np.int64)


def storage_firm(ctx: BuildContext):
    """Firm MW of each storage unit with a capacity credit, backed by energy (built once):

        sto_firm_mw[s] ≤ existing_mw_s + sto_new_mw[s]
        firm_duration_hours_s · sto_firm_mw[s] ≤ existing_mwh_s + sto_new_mwh[s]

    Returns (positions of those units in the storage table, the variable block) or None.
    """
    st = state(ctx)
    if st.storage_firm_built:
        return st.storage_firm
    b, lp = storage(ctx), ctx.lp
    sto = storage_units(ctx)
    out = None
    if b is not None:
        sel = np.flatnonzero(capacity_credit(ctx.case, sto) > 0)
        if len(sel):
            idx = sto.index[sel]
            firm = lp.add_variables("sto_firm_mw", idx, 0.0)
            k = np.arange(len(sel))
            hours = sto["firm_duration_hours"].to_numpy(float)[sel]
            lp.add_constraints("sto_firm_power", idx,
                               [Term(firm, k, 1.0), Term(b.new_mw, sel, -1.0)],
                               "<=", sto["existing_mw"].to_numpy(float)[sel])
            lp.add_constraints("sto_firm_energy", idx,
                               [Term(firm, k, hours),
                                Term(b.new_mwh, sel, -1.0)],
                               "<=", sto["existing_mwh"].to_numpy(float)[sel])
            out = (sel, firm)
    st.storage_firm, st.storage_firm_built = out, True
    return out


def firm_capacity_terms(ctx: BuildContext, row_of_region: dict[str, int]
                        ) -> tuple[list[Term], np.ndarray]:
    """Firm capacity per row (region or group): Σ cc_g · (existing + new) of generators and
    Σ cc_s · sto_firm_mw[s] of storage. Returns the variable terms and the constant part
    (existing generators) per row."""
    n_rows = max(row_of_region.values(), default=-1) + 1
    const = np.zeros(n_rows)
    terms: list[Term] = []
    g = generation(ctx)
    if g is not None:
        gen = g.units
        cc = capacity_credit(ctx.case, gen)
        row = unit_rows(ctx, gen, row_of_region)
        sel = np.flatnonzero((row >= 0) & (cc > 0))
        np.add.at(const, row[sel], (cc * gen["existing_mw"].to_numpy(float))[sel])
        grow = sel[g.new_mw.ub[sel] > 0]
        if len(grow):
            terms.append(Term(g.new_mw, grow, cc[grow], row[grow]))
    firm = storage_firm(ctx)
    if firm is not None:
        sel, var = firm
        sto = storage_units(ctx)
        cc = capacity_credit(ctx.case, sto)[sel]
        row = unit_rows(ctx, sto.iloc[sel], row_of_region)
        k = np.flatnonzero(row >= 0)
        if len(k):
            terms.append(Term(var, k, cc[k], row[k]))
    return terms, const


def firm_capacity_value(ctx: BuildContext, x: np.ndarray, row_of_region: dict[str, int]
                        ) -> np.ndarray:
    """Firm MW per row in solution x (existing and new)."""
    terms, const = firm_capacity_terms_cached(ctx, row_of_region)
    out = const.copy()
    for t in terms:
        np.add.at(out, t.rows, t.coef * x[t.var.cols(t.pos)])
    return out


def firm_capacity_terms_cached(ctx: BuildContext, row_of_region: dict[str, int]):
    key = ("firm_capacity_terms", tuple(sorted(row_of_region.items())))
    cache = state(ctx).cache
    if key not in cache:
        cache[key] = firm_capacity_terms(ctx, row_of_region)
    return cache[key]
