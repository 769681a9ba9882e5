"""WattBit: compute-power co-planning (where data centres go, what the grid builds for them).

The package is a house with floors, each using only the floors below it (docs/architecture.md):
:mod:`model.inputs` (read, validate, derive) → :mod:`model.formulation` (the component
registry builds the linear problem) → :mod:`model.solve` (HiGHS) → :mod:`model.outputs`
(tables, summary, run folder) → :mod:`model.report` (map, HTML) → :mod:`model.studies` (runs,
comparisons, sweeps) → :mod:`model.cli`.
"""

__version__ = "0.1.0"


def __getattr__(name: str):
    """The Python API, imported on first use so that ``import model`` stays light:
    ``model.from_pypsa`` (inputs floor) and ``model.to_pypsa`` (outputs floor)."""
    if name == "from_pypsa":
        from model.inputs.pypsa_import import from_pypsa

        return from_pypsa
    if name == "to_pypsa":
        from model.outputs.pypsa_export import to_pypsa

        return to_pypsa
    raise AttributeError(f"module 'model' has no attribute {name!r}")
