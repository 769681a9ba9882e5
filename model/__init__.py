"""WattBit: compute-power co-planning (where data centres go, what the grid builds for them).

The package is a house with floors, each using only the floors below it (docs/architecture.md):
:mod:`model.inputs` (read, validate, derive) → :mod:`model.formulation` (the component
registry builds the linear problem) → :mod:`model.solve` (HiGHS) → :mod:`model.outputs`
(tables, summary, run folder) → :mod:`model.report` (map, HTML) → :mod:`model.studies` (runs,
comparisons, sweeps) → :mod:`model.cli`.
"""

__version__ = "0.1.0"
