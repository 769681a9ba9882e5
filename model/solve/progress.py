"""Progress of a solve while HiGHS works, as plain events (no presentation here).

:class:`ProgressTracker` listens to one HiGHS instance after another (a MILP solve runs the
relaxation, the rounded LP, the pricing LP and perhaps branch and bound) and reports
:class:`SolveProgress` events to a callback: the phase, the time since the solve began, and
the objective, bound and gap when HiGHS knows them. What it reads:

* HiGHS callbacks (highspy ≥ 1.7): ``cbSimplexInterrupt`` and ``cbIpmInterrupt`` (iteration
  counts; the simplex objective), ``cbMipInterrupt`` and ``cbMipImprovingSolution`` (primal
  and dual bound, gap, nodes);
* the log stream, for what the callbacks do not say: presolve, crossover, postsolve, and IPX's
  iteration lines (primal and dual objective). HiPO reports only its iteration count.

Objectives are mapped back to the model's units (:meth:`Scaling.objective_back`). Events are
rate limited (``interval_s``) except at a change of phase. The command line draws them
(:mod:`model.cli`); any other caller may pass its own callback.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

PHASES = ("presolve", "simplex", "ipm", "crossover", "branch and bound", "postsolve", "done")

# IPX iteration line: "  12*  3.66354131e+09   3.66354130e+09   1.60e-09   2.74e-14 ..."
_IPX_ITER = re.compile(r"^\s*(\d+)\*?\s+([-+]?\d\.\d+e[-+]\d+)\s+([-+]?\d\.\d+e[-+]\d+)\s")
# simplex report line: "  1234   1.2345678e+09 Pr: 12(3.4e+02); Du: 0(1e-10) 2s"
_SIMPLEX_ITER = re.compile(r"^\s*(\d+)\s+([-+]?\d\.\d+e[-+]\d+)\s+(Pr|Du):")
_LOG_PHASES = (("Presolving model", "presolve"), ("Running crossover", "crossover"),
               ("Crossover", "crossover"), ("Solving MIP model", "branch and bound"),
               ("Performed postsolve", "postsolve"), ("Postsolve", "postsolve"),
               ("Solving report", "postsolve"))


@dataclass(frozen=True)
class SolveProgress:
    """One moment of a solve. Values are None when HiGHS does not know them (yet)."""

    phase: str  # one of PHASES; "done": the stage is over (its final figures)
    elapsed_s: float  # since the solve began (all stages of a MILP solve)
    stage: str = ""  # LP | relaxation | rounding | pricing LP | branch and bound | reference
    iteration: int | None = None  # simplex or interior-point iterations of this stage
    objective: float | None = None  # primal objective (a MILP: the incumbent)
    bound: float | None = None  # dual objective (a MILP: the best proven bound)
    gap: float | None = None  # relative, (objective − bound) / |objective|
    nodes: int | None = None  # branch-and-bound nodes


ProgressCallback = Callable[[SolveProgress], None]


def _finite(value) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def gap_of(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None:
        return None
    return max(objective - bound, 0.0) / max(abs(objective), 1e-9)


class ProgressTracker:
    """Turns HiGHS callbacks and log lines into :class:`SolveProgress` events."""

    def __init__(self, callback: ProgressCallback, interval_s: float = 0.25):
        self.callback = callback
        self.interval_s = interval_s
        self.start = time.perf_counter()
        self.last_emit = -math.inf
        self.state = SolveProgress("presolve", 0.0)
        self.objective_back: Callable[[float], float] = float

    # ------------------------------------------------------------------ wiring
    def attach(self, h, stage: str) -> None:
        """Listen to a HiGHS instance (before its ``run``); ``stage`` names what it solves."""
        self.begin(stage, "presolve")
        h.cbSimplexInterrupt.subscribe(self._simplex)
        h.cbIpmInterrupt.subscribe(self._ipm)
        h.cbMipInterrupt.subscribe(self._mip)
        h.cbMipImprovingSolution.subscribe(self._mip)

    def begin(self, stage: str, phase: str = "simplex", **values) -> None:
        """A new stage (on a new instance, or a re-solve of one already attached)."""
        fresh = {"iteration": None, "objective": None, "bound": None, "gap": None,
                 "nodes": None}
        self.update(force=True, stage=stage, phase=phase, **{**fresh, **values})

    def end(self, **values) -> None:
        """The current stage is done; ``values``: its final objective, bound, gap, …"""
        self.update(force=True, phase="done", **values)

    def finish(self) -> None:
        """The whole solve is done (a no-op when its last stage already said so)."""
        if self.state.phase != "done":
            self.end()

    # --------------------------------------------------------------- callbacks
    def _simplex(self, event) -> None:
        d = event.data_out
        self.update(phase="simplex", iteration=max(int(d.simplex_iteration_count), 0) or None,
                    objective=self._objective(d.objective_function_value))

    def _ipm(self, event) -> None:
        count = int(event.data_out.ipm_iteration_count)
        if count >= 0:  # HiPO counts; IPX calls back with -1 (its log has the iterations)
            self.update(phase="ipm", iteration=count)
        elif self.state.phase not in ("ipm", "crossover"):
            self.update(phase="ipm")
        else:
            self.update()  # the clock moves

    def _mip(self, event) -> None:
        d = event.data_out
        objective = self._objective(d.mip_primal_bound)
        bound = self._objective(d.mip_dual_bound)
        self.update(phase="branch and bound", objective=objective, bound=bound,
                    gap=gap_of(objective, bound), nodes=max(int(d.mip_node_count), 0))

    def log_line(self, line: str) -> None:
        """Read one HiGHS log message (the tracker sees every line of the log)."""
        text = line.strip()
        m = _IPX_ITER.match(text)
        if m:
            objective, bound = self._objective(m.group(2)), self._objective(m.group(3))
            self.update(phase="ipm", iteration=int(m.group(1)), objective=objective,
                        bound=bound, gap=gap_of(objective, bound))
            return
        m = _SIMPLEX_ITER.match(text)
        if m:
            self.update(phase="simplex", iteration=int(m.group(1)),
                        objective=self._objective(m.group(2)))
            return
        for prefix, phase in _LOG_PHASES:
            if text.startswith(prefix):
                self.update(phase=phase)
                return

    # ------------------------------------------------------------------ events
    def _objective(self, value) -> float | None:
        v = _finite(value)
        return None if v is None else self.objective_back(v)

    def update(self, force: bool = False, **changes) -> None:
        new = replace(self.state, elapsed_s=time.perf_counter() - self.start, **changes)
        phase_changed = new.phase != self.state.phase or new.stage != self.state.stage
        self.state = new
        now = time.perf_counter()
        if force or phase_changed or now - self.last_emit >= self.interval_s:
            self.last_emit = now
            self.callback(new)
