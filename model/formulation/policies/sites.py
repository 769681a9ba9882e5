"""Allowed and forbidden data-centre sites.

Keys: ``policies.allowed_sites`` (list of site ids: only these may be built) and
``policies.forbidden_sites`` (list of site ids: these may not be built). Both may be given;
a site is then buildable if it is allowed and not forbidden.

Bounds (no rows): dc_built[d] ≤ 0 (in every build period) for every excluded site d, which through
IT_d ≤ M_d · dc_built[d] also fixes its IT capacity, its served compute and its power to 0.

An unknown site id, or excluding a site with ``existing_it_mw > 0`` (which is built by
definition), is an input error naming the key.

Report: the excluded sites; ``binding`` is true when at least one candidate is excluded
(whether an excluded site would have been chosen needs a run without the list). There is no
shadow price: the lever is a bound on an integer variable.
"""

from __future__ import annotations

import numpy as np

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
