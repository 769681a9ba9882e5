"""Allowed, forbidden and required data-centre sites.

Keys: ``policies.allowed_sites`` (list of site ids: only these may be built),
``policies.forbidden_sites`` (list of site ids: these may not be built) and
``policies.required_sites`` (list of site ids: these must be built). Allowed and forbidden may
both be given; a site is then buildable if it is allowed and not forbidden. A required site
must not be excluded by either.

Bounds (no rows): dc_built[d] ≤ 0 (in every build period) for every excluded site d, which through
IT_d ≤ M_d · dc_built[d] also fixes its IT capacity, its served compute and its power to 0.

An unknown site id, or excluding a site with ``existing_it_mw > 0`` (which is built by
definition), is an input error naming the key.

Report: the excluded sites; ``binding`` is true when at least one candidate is excluded
(whether an excluded site would have been chosen needs a run without the list). There is no
shadow price: the lever is a bound on an integer variable.

Required sites (:class:`RequiredSites`): one row per required candidate site, P the last
period,

    Σ_b active[d, b, P] · dc_built[d, b] ≥ 1      (static case: dc_built[d] ≥ 1)

so the site is built, and in operation, by the last period. An unknown id, a required site
that allowed_sites/forbidden_sites exclude, or one whose lead time or lifetime keeps it out of
the last period is an input error naming the key. Report: ``required_sites``, ``binding``
(true when a candidate is forced in); no shadow price (the row holds an integer variable; its
cost is the objective difference to a run without it, ``python solve.py appraise``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.formulation.context import BuildContext
from model.formulation.policies import _common as c


def excluded(case, key: str, value) -> list[str]:
    ids = [str(s) for s in value]
    if key == "allowed_sites":
        return [s for s in case.sites.index if s not in set(ids)]
    return [s for s in case.sites.index if s in set(ids)]


class SiteList:
    """Lever object for ``allowed_sites`` or ``forbidden_sites``."""

    def __init__(self, key: str):
        self.key = key

    def validate(self, case, value) -> list:
        problems = c.check_ids(self.key, value, case.sites.index, "site")
        if problems:
            return problems
        out = []
        existing = case.sites["existing_it_mw"].astype(float)
        for s in excluded(case, self.key, value):
            if existing.get(s, 0.0) > 0:
                out.append(c.problem(self.key, f"site '{s}' has existing_it_mw > 0 and cannot "
                                               "be excluded",
                                     hint="an existing site is always built; remove it from "
                                          "the list or set existing_it_mw to 0"))
        return out

    def add_components(self, ctx: BuildContext, value) -> None:
        out = excluded(ctx.case, self.key, value)
        if not out or c.sites(ctx) is None:
            return
        built = c.sites(ctx).built
        d = c.sites(ctx).sites.index.get_indexer(out)
        pos = built.pos(np.repeat(d, built.n_periods), np.tile(np.arange(built.n_periods),
                                                               len(d)))
        built = built.block
        built.ub[pos] = 0.0
        built.lb[pos] = np.minimum(built.lb[pos], 0.0)

    def report(self, ctx: BuildContext, value, x, duals) -> dict:
        out = excluded(ctx.case, self.key, value)
        return {"excluded_sites": out, "binding": bool(out)}


allowed = SiteList("allowed_sites")
forbidden = SiteList("forbidden_sites")


# --------------------------------------------------------------------------- required sites
def _can_be_on_at_end(case, ids: list[str]) -> list[str]:
    """Required candidate sites that no build period can bring online for the last period
    (campus lead time too long, or lifetime too short to reach it)."""
    inv = case.investment
    if inv.static:
        return []
    sites = case.sites.loc[ids]
    buildable = inv.buildable(sites["lead_time_years"].to_numpy(float))  # site × b
    reaches_end = inv.active(sites["lifetime_years"].to_numpy(float))[:, :, -1]  # site × b
    return [s for s, ok in zip(ids, (buildable & reaches_end).any(axis=1), strict=True)
            if not ok]


def _candidates(case, value) -> list[str]:
    """Required sites that are candidates (an existing site is built by definition)."""
    existing = case.sites["existing_it_mw"].astype(float)
    return [str(s) for s in value if existing.get(str(s), 0.0) <= 0]


class RequiredSites:
    """Lever object for ``required_sites``: these sites must be built.

    Row ``required_sites[d]`` for every required candidate site d (existing sites are built
    already and get no row), with P the last period:

        Σ_b active[d, b, P] · dc_built[d, b] ≥ 1

    i.e. the site is built and in operation by the last period (in a static case simply
    dc_built[d] ≥ 1). Through ``max(min_it_mw_d, 1 MW) · dc_built ≤ IT_d`` a required site
    holds at least its minimum IT; how much more is the optimiser's choice.
    """

    key = "required_sites"

    def validate(self, case, value) -> list:
        problems = c.check_ids(self.key, value, case.sites.index, "site")
        if problems:
            return problems
        out = []
        pol = case.policies or {}
        for other in ("allowed_sites", "forbidden_sites"):
            if pol.get(other) is None or c.check_ids(other, pol[other], case.sites.index,
                                                     "site"):
                continue
            clash = [str(s) for s in value if str(s) in set(excluded(case, other, pol[other]))]
            if clash:
                out.append(c.problem(self.key, f"site(s) {', '.join(map(repr, clash))} are "
                                               f"required but excluded by policies.{other}",
                                     hint=f"remove them from required_sites or from {other}"))
        late = _can_be_on_at_end(case, _candidates(case, value))
        if late:
            out.append(c.problem(
                self.key, f"site(s) {', '.join(map(repr, late))} cannot be in operation by the "
                          "last period (lead_time_years or lifetime_years)",
                hint="check the sites' lead_time_years against decision_year and periods"))
        return out

    def add_components(self, ctx: BuildContext, value) -> None:
        blocks = c.sites(ctx)
        ids = _candidates(ctx.case, value)
        if not ids or blocks is None:
            return
        built = blocks.built
        d = blocks.sites.index.get_indexer(ids)
        last = np.full(len(d), built.n_periods - 1)
        rows = np.arange(len(d))
        ctx.lp.add_constraints(self.key, pd.Index(ids, name="site"),
                               [built.installed_terms(d, last, rows, 1.0)], ">=", 1.0)

    def report(self, ctx: BuildContext, value, x, duals) -> dict:
        # binding when a candidate is forced in; whether it would have been built anyway
        # needs a run without the list (python solve.py appraise does both)
        ids = _candidates(ctx.case, value)
        return {"required_sites": [str(s) for s in value], "binding": bool(ids)}


required = RequiredSites()
