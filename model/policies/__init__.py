"""Policy levers, each in its own module, each off unless ``policies:`` in the case sets it.

:func:`add_components` calls every lever whose key is present; :data:`LEVERS` maps each
``case.yaml`` key to the module that owns it. Unknown keys are rejected by
:func:`check_keys` (called during validation).
"""

from __future__ import annotations

from ..context import BuildContext
from . import co2_price

# key in case.yaml `policies:` -> module implementing add_components(ctx, value) / report(...)
LEVERS = {
    "co2_price_per_t": co2_price,
}


def check_keys(policies: dict) -> list[str]:
    """Unknown policy keys (for validation messages)."""
    return [k for k in policies if k not in LEVERS]


def add_components(ctx: BuildContext) -> None:
    for key, value in ctx.case.policies.items():
        if value is None:
            continue
        LEVERS[key].add_components(ctx, value)


def report(ctx: BuildContext, x, duals) -> dict:
    """Per-lever effect for summary.json: binding or not, shadow price."""
    out = {}
    for key, value in ctx.case.policies.items():
        if value is None:
            continue
        out[key] = LEVERS[key].report(ctx, value, x, duals)
    return out
