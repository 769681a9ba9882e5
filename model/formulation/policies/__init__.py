"""Policy levers, each in its own module, each off unless ``policies:`` in the case sets it.

:func:`add_components` calls every lever whose key is present (a key set to ``null`` is off);
:data:`LEVERS` maps each ``case.yaml`` key to the module that owns it. Every lever module has

* ``validate(case, value) -> list[Problem]`` — checks of the value against the case;
* ``add_components(ctx, value)`` — its variables, rows and costs;
* ``report(ctx, value, x, duals) -> dict`` — binding or not, shadow price, for summary.json.

:func:`validate_policies` collects the problems of every key (unknown keys included) so that
:mod:`model.case` can report them with the other input problems before anything is built;
:func:`add_components` repeats the check and raises :class:`model.validation.CaseError`, so a
bad policy never reaches the solver. The keys and their maths are in ``docs/policies.md``.
"""

from __future__ import annotations

import difflib

from model.formulation.component import Component, Results, Solution
from model.formulation.context import BuildContext
from model.formulation.policies import (
    byog,
    cfe_247,
    clean_share,
    co2_cap,
    co2_price,
    max_new_load,
    min_share_in_group,
    reserve_margin,
    sites,
)
from model.inputs.problems import Problem

# key in case.yaml `policies:` -> module implementing validate / add_components / report
LEVERS = {
    "co2_price_per_t": co2_price,
    "co2_cap_t": co2_cap,
    "clean_share": clean_share,
    "cfe_247": cfe_247,
    "firm_per_dc_mw": byog,
    "reserve_margin": reserve_margin,
    "allowed_sites": sites.allowed,
    "forbidden_sites": sites.forbidden,
    "required_sites": sites.required,
    "min_share_in_group": min_share_in_group,
    "max_new_load_mw": max_new_load,
}


# levers whose rows follow the periods of a multi-period case (the others are annual rules
# written for one static year; a multi-period case refuses them before anything is built)
MULTI_PERIOD = ("co2_price_per_t", "co2_cap_t", "allowed_sites", "forbidden_sites",
                "required_sites", "max_new_load_mw")


def check_keys(policies: dict) -> list[str]:
    """Unknown policy keys (for validation messages)."""
    return [k for k in policies if k not in LEVERS]


def validate_policies(case) -> list[Problem]:
    """Every problem with ``case.policies``: unknown keys and bad values (empty if fine)."""
    pol = case.policies
    if pol is None:
        return []
    if not isinstance(pol, dict):
        return [Problem("case.yaml", "'policies' must be a mapping of lever to value",
                        column="policies")]
    problems: list[Problem] = []
    for key in check_keys(pol):
        close = difflib.get_close_matches(str(key), list(LEVERS), n=1)
        hint = (f"did you mean '{close[0]}'? " if close else "") + \
            f"known policies: {', '.join(LEVERS)} (see docs/policies.md)"
        problems.append(Problem("case.yaml", f"unknown policy '{key}'", column="policies",
                                hint=hint))
    for key, value in pol.items():
        if key in LEVERS and value is not None:
            problems.extend(LEVERS[key].validate(case, value))
    investment = getattr(case, "investment", None)
    if investment is not None and not investment.static:
        problems.extend(
            Problem("case.yaml", f"policy '{key}' is not available in multi-period cases yet",
                    column=f"policies.{key}",
                    hint=f"levers that follow the periods: {', '.join(MULTI_PERIOD)}; run "
                         "this lever on one static year (remove 'periods')")
            for key, value in pol.items()
            if key in LEVERS and value is not None and key not in MULTI_PERIOD)
    return problems


def needs_reference(case) -> bool:
    """Whether a lever asks for capacity additional to a reference run without data centres
    (:mod:`model.policies.dedicated`)."""
    pol = case.policies or {}
    if not len(case.sites):
        return False
    cfe = pol.get("cfe_247")
    byog = pol.get("firm_per_dc_mw")
    return bool((cfe is not None and cfe_247.needs_reference(case, cfe))
                or (byog is not None and float(byog) > 0))


def time_resolution_problems(case, segments: int | None) -> list[Problem]:
    """Levers that need whole hours refuse segmented representative days."""
    cfe = (case.policies or {}).get("cfe_247")
    if not segments or cfe is None:
        return []
    share = cfe.get("share") if isinstance(cfe, dict) else cfe
    if not share or float(share) <= 0:
        return []
    return [Problem("case.yaml", f"cfe_247 matches supply and demand hour by hour, but the run "
                    f"uses {segments} segments per representative day (a segment's average "
                    "hides the hours inside it and overstates what storage can do)",
                    column="time_reduction.segments",
                    hint="run on representative days of whole hours: --segments 0, or "
                         "time_reduction: {days: N} without segments")]


def add_components(ctx: BuildContext) -> None:
    """Rows of every lever that is on (values were validated when the case was loaded)."""
    for key, value in ctx.case.policies.items():
        if value is None:
            continue
        LEVERS[key].add_components(ctx, value)


def report(ctx: BuildContext, x, duals) -> dict:
    """Per-lever effect for summary.json: binding or not, shadow price."""
    out = {}
    for key, value in ctx.case.policies.items():
        if value is None or key not in LEVERS:
            continue
        out[key] = LEVERS[key].report(ctx, value, x, duals)
    return out


def results(ctx: BuildContext, sol: Solution) -> Results:
    return Results(summary={"policies": report(ctx, sol.x, sol.duals)})


COMPONENT = Component("policies", (), add_components, results, report=("policies",))
