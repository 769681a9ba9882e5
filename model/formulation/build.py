"""Assemble the optimisation model from the component modules, in one direction.

Order matters only where a module reads another's variables: generation and storage first,
then corridors, data-centre sites, compute (needs site IT capacity), policies (read
generation and sites), and finally the node power balance that collects every injection.
"""

from __future__ import annotations

from model.formulation import compute, datacentres, generation, network, policies, storage
from model.formulation.context import BuildContext
from model.inputs.case import Case

COMPONENTS = (
    generation.add_components,
    storage.add_components,
    network.add_corridors,
    datacentres.add_components,
    compute.add_components,
    policies.add_components,
    network.add_balance,
)


def build(case: Case, additionality_floors: dict | None = None) -> BuildContext:
    """Build the model for a validated case; returns the context holding the problem.

    ``additionality_floors``: new capacity per unit of a reference run without data centres
    (:mod:`model.policies.dedicated`), for the levers that need dedicated, additional
    capacity."""
    ctx = BuildContext(case)
    ctx.info["additionality_floors"] = additionality_floors
    for add in COMPONENTS:
        add(ctx)
    return ctx
