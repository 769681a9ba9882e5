"""WattBit: compute-power co-planning (where data centres go, what the grid builds for them).

Data flows one way: case files → :mod:`model.case` (validated :class:`~model.case.Case`) →
:mod:`model.build` (component modules) → :mod:`model.solver` (HiGHS) → :mod:`model.results`
→ reports.
"""

__version__ = "0.1.0"
