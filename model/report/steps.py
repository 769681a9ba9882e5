"""The run's time steps as its tables tell them: labels, weights, hours, base load.

Presentation never re-derives time: every run (in process or read back from its folder)
carries ``steps.csv`` — ``time``, ``weight_hours`` (hours of the year the step stands for),
``step_hours`` (hours in the step) and ``period`` — so a run reduced to representative days
is drawn with the weights it was solved with. Run folders written before ``steps.csv``
existed get equal weights (8760 h / number of steps). The case is not consulted here: it
only gives geography and names.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

HOURS_PER_YEAR = 8760.0


@dataclass(frozen=True)
class Steps:
    """Time steps of a run: ``time`` labels, ``weights`` (hours of the year each step stands
    for), ``hours`` (hours in each step), and where the weights came from (``steps.csv`` or
    ``equal`` for old run folders)."""

    time: list[str]
    weights: np.ndarray
    hours: np.ndarray
    source: str

    @property
    def n(self) -> int:
        return len(self.time)


def _table(tables: dict | None, key: str) -> pd.DataFrame | None:
    t = (tables or {}).get(key)
    return t if t is not None and len(t) else None


def _labels(tables: dict | None) -> list[str] | None:
    """Time labels in run order from the first table that has them."""
    for key in ("steps", "load", "dispatch"):
        t = _table(tables, key)
        if t is not None and "time" in t:
            return [str(x) for x in t["time"]]
    for key in ("load", "dispatch"):
        t = _table(tables, key)
        if t is not None:
            return [str(i) for i in range(len(t))]
    p = _table(tables, "prices")
    if p is not None and "time" in p:
        return [str(x) for x in pd.unique(p["time"].astype(str))]
    return None


def run_steps(tables: dict | None) -> Steps | None:
    """The run's time steps, or None for a run without time-step results (no solution)."""
    labels = _labels(tables)
    if labels is None:
        return None
    n = len(labels)
    st = _table(tables, "steps")
    if st is not None and len(st) == n and "weight_hours" in st:
        hours = (st["step_hours"].to_numpy(float) if "step_hours" in st else np.ones(n))
        return Steps(labels, st["weight_hours"].to_numpy(float), hours, "steps.csv")
    return Steps(labels, np.full(n, HOURS_PER_YEAR / max(n, 1)), np.ones(n), "equal")


def step_weights(tables: dict | None, n: int) -> np.ndarray:
    """Hours of the year each of ``n`` steps stands for (``steps.csv``; else equal)."""
    steps = run_steps(tables)
    if steps is not None and steps.n == n:
        return steps.weights
    return np.full(n, HOURS_PER_YEAR / max(n, 1))


def run_load(case, tables: dict | None, n: int) -> pd.DataFrame:
    """Base load (MW) by region (columns in case order) for the run's ``n`` steps: the run's
    ``load`` table, else zeros."""
    regions = list(case.regions.index)
    t = _table(tables, "load")
    if t is not None and len(t) == n:
        return t.drop(columns=["time"], errors="ignore").reindex(columns=regions).fillna(0.0)
    return pd.DataFrame(0.0, index=range(n), columns=regions)
