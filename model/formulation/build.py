"""Assemble the optimisation model from the registered components, in one direction."""

from __future__ import annotations

from model.formulation.context import BuildContext
from model.formulation.registry import COMPONENTS
from model.inputs.case import Case


def build(case: Case, additionality_floors: dict | None = None) -> BuildContext:
    """Build the model for a validated case; returns the context holding the problem.

    ``additionality_floors``: new capacity per unit of a reference run without data centres
    (:mod:`model.formulation.policies.dedicated`), for the levers that need dedicated,
    additional capacity."""
    ctx = BuildContext(case, additionality_floors=additionality_floors)
    for component in COMPONENTS:
        component.build(ctx)
    return ctx
