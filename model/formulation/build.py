"""Assemble the optimisation model from the registered components, in one direction."""

from __future__ import annotations

from model.formulation.context import BuildContext
from model.formulation.extra import ExtraFunction, apply_extra
from model.formulation.registry import COMPONENTS
from model.inputs.case import Case
from model.inputs.periods import expand


def build(case: Case, additionality_floors: dict | None = None,
          extra: ExtraFunction | None = None) -> BuildContext:
    """Build the model for a validated case; returns the context holding the problem.

    ``additionality_floors``: new capacity per unit of a reference run without data centres
    (:mod:`model.formulation.policies.dedicated`), for the levers that need dedicated,
    additional capacity. ``extra``: a user function ``extra(ctx)`` called after every
    component, which adds custom constraints (:mod:`model.formulation.extra`)."""
    ctx = BuildContext(expand(case), additionality_floors=additionality_floors)
    for component in COMPONENTS:
        component.build(ctx)
    if extra is not None:
        apply_extra(ctx, extra)
    return ctx
