"""Loading a case for a study: the input layer's checks plus the policy levers' own.

:func:`load_case` is what runs, sweeps, the command line and the Python API call: it reads the
case (:mod:`model.inputs`), applies scenarios with the known policy levers, and validates the
tables, the cross-table facts and every lever's value (:data:`model.formulation.policies.LEVERS`)
before anything is built, raising one :class:`model.inputs.problems.CaseError` with every
problem.
"""

from __future__ import annotations

from pathlib import Path

from model.formulation import policies
from model.inputs import case as inputs_case
from model.inputs import scenarios as inputs_scenarios
from model.inputs.case import Case
from model.inputs.read import RawCase


def load_case(path: str | Path, scenarios: list | None = None) -> Case:
    """Read, apply scenarios (files or dicts, in order) and validate a case."""
    return inputs_case.load_case(path, scenarios, checks=(policies.validate_policies,),
                                 policy_keys=policies.LEVERS)


def apply_scenarios(raw: RawCase, scenarios: list) -> RawCase:
    """Scenarios applied to a raw case, ``policies.*`` keys checked against the levers."""
    return inputs_scenarios.apply_scenarios(raw, scenarios, policy_keys=policies.LEVERS)
