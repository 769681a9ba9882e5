"""WattBit: compute-power co-planning (where data centres go, what the grid builds for them).

The package is a house with floors, each using only the floors below it (docs/architecture.md):
:mod:`model.inputs` (read, validate, derive) → :mod:`model.formulation` (the component
registry builds the linear problem) → :mod:`model.solve` (HiGHS) → :mod:`model.outputs`
(tables, summary, run folder) → :mod:`model.report` (map, HTML) → :mod:`model.studies` (runs,
comparisons, sweeps) → :mod:`model.cli`.

For notebooks, ``import model as wb`` gives the Python API of :mod:`model.studies.api`
(``wb.solve``, ``wb.open_run``, ``wb.load_case``; docs/api.md), imported on first use so that
``import model`` stays light. ``wb.solve`` is also the name of the solve floor, so that package
is made callable: ``model.solve(...)`` runs the API's solve, ``model.solve.highs`` is still the
module.
"""

import types

import model.solve as _solve_floor  # the solve floor; its modules load when first used
from model.version import __version__ as __version__

# the Python API, imported on first access (PEP 562) so that ``import model`` stays light:
# name -> the module that holds it
_API = {"open_run": "model.studies.api", "load_case": "model.studies.api",
        "Result": "model.studies.api", "from_pypsa": "model.inputs.pypsa_import",
        "to_pypsa": "model.outputs.pypsa_export"}


def __getattr__(name: str):
    if name in _API:
        import importlib

        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'model' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])


class _CallableFloor(types.ModuleType):
    """``model.solve`` is the solve floor (a package) and the API's ``wb.solve`` (names
    clash): the package, called, runs :func:`model.studies.api.solve`."""

    def __call__(self, *args, **kwargs):
        from model.studies import api

        return api.solve(*args, **kwargs)

    @property
    def __signature__(self):
        import inspect

        from model.studies import api

        return inspect.signature(api.solve)


_solve_floor.__class__ = _CallableFloor
