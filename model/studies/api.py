"""The Python API for notebooks: ``import model as wb``.

    res = wb.solve("data/cases/china", scenarios=[...], days=6)
    res.summary            # summary.json, as a dict
    res.tables["sites"]    # every result table as a DataFrame, by file stem
    res.map()              # the run's map as a matplotlib Figure
    res.report("out/")     # report.html
    res.save("runs/x")     # the run folder, atomically (the command line's contract)
    wb.open_run("runs/x")  # a run folder read back into the same kind of object
    case = wb.load_case("data/cases/two-region")
    case.technologies.loc["solar", "capex_per_kw"] *= 0.8
    wb.solve(case)         # validated again (model.studies.editing), nothing written

:func:`solve` takes the options of :func:`model.studies.run.run` (solver options, time
reduction, the full-year check, an ``extra(ctx)`` function for custom constraints) and
``progress=True`` for a live line while HiGHS works. docs/api.md has worked examples (the
tests run them).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from model.formulation.extra import ExtraFunction
from model.inputs.case import Case
from model.outputs.run_folder import read_run
from model.solve.progress import ProgressCallback
from model.studies.editing import EditableCase, revalidate
from model.studies.editing import load_case as _load_case
from model.studies.run import RunResult, run, save_run

__all__ = ["Result", "load_case", "open_run", "solve"]


class Result:
    """A solved run (from :func:`solve`) or a run folder read back (:func:`open_run`).

    ``summary`` is summary.json as a dict, ``tables`` every result table by file stem,
    ``case`` the validated case (for an opened run, loaded again from the case folder the run
    recorded, on first use; None where none can be loaded), ``path`` the run folder once
    saved or opened, ``run`` the in-memory :class:`model.studies.run.RunResult` (build
    context, solver result) of a run solved in this process.
    """

    def __init__(self, summary: dict, tables: dict[str, pd.DataFrame], *,
                 case: Case | None = None, case_loader: Callable[[], Case | None] | None = None,
                 path: Path | None = None, log: str = "", run: RunResult | None = None):
        self.summary = summary
        self.tables = tables
        self.path = path
        self.log = log
        self.run = run
        self._case = case
        self._case_loader = case_loader

    @property
    def case(self) -> Case | None:
        if self._case is None and self._case_loader is not None:
            self._case, self._case_loader = self._case_loader(), None
        return self._case

    @property
    def status(self) -> str | None:
        return self.summary.get("status")

    @property
    def objective(self) -> float | None:
        return self.summary.get("objective")

    def _need_case(self) -> Case:
        if self.case is None:
            raise ValueError("this run has no case to draw with: the run folder records no "
                             "case folder that can be loaded (summary.json → inputs)")
        return self.case

    def map(self, **kwargs):
        """The run's map (what map.png shows) as a matplotlib Figure; keyword arguments go
        to :func:`model.report.maps.draw_map` (``width_in``, ``title``, ``compact``)."""
        from model.report.maps import draw_map

        figure, _ = draw_map(self._need_case(), self.tables, self.summary, **kwargs)
        return figure

    def report(self, path: str | Path, tiles: bool = False) -> Path:
        """Write report.html (to ``path``, or ``path/report.html`` for a folder)."""
        from model.report.html import write_report_html

        target = Path(path)
        if target.suffix.lower() not in (".html", ".htm"):
            target = target / "report.html"
        return write_report_html(self._need_case(), self.tables, self.summary, target,
                                 tiles=tiles)

    def save(self, path: str | Path, report: bool = True, tiles: bool = False) -> Path:
        """Write the run folder atomically (docs/outputs.md; map.png and report.html too
        when ``report`` and the case is at hand); returns its path."""
        self.path = save_run(path, self.case if report else None, self.summary, self.tables,
                             self.log, report, tiles)
        return self.path

    def __repr__(self) -> str:
        obj = self.objective
        where = f", path={str(self.path)!r}" if self.path else ""
        return (f"<wattbit Result {self.summary.get('case')!r}: {self.status}, objective "
                f"{'—' if obj is None else f'{obj:,.0f}'} {self.summary.get('currency', '')}"
                f", {len(self.tables)} tables{where}>")


def load_case(path: str | Path, scenarios: list | None = None) -> EditableCase:
    """Read and validate a case folder (scenarios applied), for editing in pandas before
    :func:`solve`. Edits are validated again when solved (:mod:`model.studies.editing`)."""
    return _load_case(path, scenarios)


def solve(case: str | Path | Case, scenarios: list | None = None, *,
          solver_options: dict | None = None, days: int | None = None,
          segments: int | None = None, check_full_year: bool = False,
          extra: ExtraFunction | str | Path | None = None, progress: bool = False,
          on_event: Callable[[str, str], None] | None = None,
          on_log: Callable[[str], None] | None = None,
          on_progress: ProgressCallback | None = None) -> Result:
    """Solve a case folder or a case object; nothing is written (see :meth:`Result.save`).

    ``scenarios``: scenario files or dicts, applied in order (to a case object too);
    ``solver_options``, ``days``, ``segments``, ``check_full_year``, ``on_event``,
    ``on_log``, ``on_progress``: as in :func:`model.studies.run.run`; ``extra``: a function
    ``extra(ctx)`` (or a Python file defining one) adding custom constraints
    (:mod:`model.formulation.extra`); ``progress``: draw a live progress line (rich).
    A case object is validated again first, its edits included.
    """
    source = case
    if isinstance(case, Case):
        case = revalidate(case, scenarios)
    display = None
    if progress and on_progress is None:
        from rich.console import Console

        from model.studies.console import SolveDisplay

        display = on_progress = SolveDisplay(Console())
    try:
        result = run(case, None if isinstance(case, Case) else scenarios, write=False,
                     solver_options=solver_options, days=days, segments=segments,
                     check_full_year=check_full_year, extra=extra, on_event=on_event,
                     on_log=on_log, on_progress=on_progress)
    finally:
        if display is not None:
            display.close()
    if isinstance(source, Case) and scenarios:
        result.summary["inputs"]["scenarios"] = [
            s if isinstance(s, dict) else str(Path(s).resolve()) for s in scenarios]
    log = "".join(result.solve_result.log) if result.solve_result is not None else ""
    return Result(result.summary, result.tables, case=result.case, log=log, run=result)


def _case_loader(summary: dict) -> Callable[[], Case | None]:
    """Load the case a run recorded (summary.json → inputs), or None with a warning."""
    def load() -> Case | None:
        inputs = summary.get("inputs") or {}
        path = inputs.get("case_path")
        if not path or not Path(path).is_dir():
            warnings.warn(f"the run's case folder is not available ({path}); res.case is None",
                          UserWarning, stacklevel=3)
            return None
        if inputs.get("in_memory_case"):
            warnings.warn(f"the run was solved from a case object (edited in memory?); "
                          f"res.case is the case folder {path} as it is now", UserWarning,
                          stacklevel=3)
        return _load_case(path, inputs.get("scenarios") or None)
    return load


def open_run(path: str | Path) -> Result:
    """A run folder read back: tables from its CSV files, the summary from summary.json, the
    case loaded again (on first use) from the case folder and scenarios the run recorded."""
    summary, tables, log = read_run(path)
    return Result(summary, tables, case_loader=_case_loader(summary), path=Path(path),
                  log=log)
