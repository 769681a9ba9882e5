"""Assemble the optimisation model from the component modules, in one direction.

Order matters only where a module reads another's variables: generation and storage first,
then corridors, data-centre sites, compute (needs site IT capacity), policies (read
generation and sites), and finally the node power balance that collects every injection.
"""

from __future__ import annotations

from . import compute, datacentres, generation, network, policies, storage
from .case import Case
from .context import BuildContext

COMPONENTS = (
    generation.add_components,
    storage.add_components,
    network.add_corridors,
    datacentres.add_components,
    compute.add_components,
    policies.add_components,
    network.add_balance,
)


def build(case: Case) -> BuildContext:
    """Build the model for a validated case; returns the context holding the problem."""
    ctx = BuildContext(case)
    for add in COMPONENTS:
        add(ctx)
    return ctx
