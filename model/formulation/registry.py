"""The one list of the model's components, in build order.

Build (:mod:`model.formulation.build`), result tables (:mod:`model.outputs.tables`) and the
report iterate this list. Order matters only where a component reads another's blocks:
generation and storage first, then corridors, data-centre sites (gate on-site plant), compute
(needs site IT), policies (read all of them), and the node balance last, which closes every
injection. Adding a technology class or a lever is one module and one line here (or one line
in :data:`model.formulation.policies.LEVERS`); see docs/architecture.md.
"""

from __future__ import annotations

from model.formulation import compute, generation, network, policies, site_results, storage
from model.formulation.component import Component

COMPONENTS: tuple[Component, ...] = (
    generation.COMPONENT,
    storage.COMPONENT,
    network.CORRIDORS,
    site_results.COMPONENT,
    compute.COMPONENT,
    policies.COMPONENT,
    network.BALANCE,
)
