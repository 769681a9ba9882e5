"""Strategy comparisons: the case solved once per scenario, side by side.

:func:`compare` validates the case with every scenario first (a CaseError lists the problems
of all of them and nothing is solved), solves one run per scenario (in this process or on
Dask, :mod:`model.studies.execute`) into ``out/<scenario name>/`` and writes
``out/comparison.csv``, a chart (:func:`model.report.comparison_png.write_charts`) and the
catalogue ``out/catalog.duckdb`` (:mod:`model.outputs.catalog`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from model.inputs.problems import CaseError, Problem
from model.inputs.scenarios import scenario_name
from model.outputs.catalog import build_catalog, comparison_table
from model.report.comparison_png import write_charts
from model.studies.execute import Progress, RunSpec, clean_stale, run_with_progress, solved
from model.studies.run_ids import case_hash, code_version, given_options, make_run_id, run_meta


@dataclass
class CompareResult:
    out: Path
    names: list[str]
    folders: list[Path]
    table: pd.DataFrame
    chart: Path | None
    catalog: Path
    results: list[dict]

    @property
    def failed(self) -> list[str]:
        """Scenarios without a solution (infeasible, error, or time limit with none)."""
        return [n for n, s, o in zip(self.names, self.table["status"], self.table["objective"],
                                     strict=True) if not solved(s, o)]


def safe_name(name: str) -> str:
    """A scenario name as a folder name."""
    cleaned = "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip("._")
    return cleaned or "scenario"


def compare(case: str | Path, scenarios: list[str | Path | dict], out: str | Path, *,
            base: bool = False, workers: int | None = 1, scheduler: str | None = None,
            solver_options: dict | None = None, run_options: dict | None = None,
            progress: bool = False, on_run: Progress | None = None,
            on_start: Progress | None = None) -> CompareResult:
    """Solve the case once per scenario (each alone on the case) and compare the results.

    Writes ``out/<scenario name>/`` run folders, ``out/comparison.csv``, a chart
    (``comparison.html`` from :mod:`model.report` when available, else ``comparison.png``)
    and ``out/catalog.duckdb``. Every scenario is validated first: a CaseError lists the
    problems of all of them and nothing is solved.
    """
    case = Path(case).resolve()
    out = Path(out).resolve()
    run_options = given_options(run_options)
    entries = _entries(scenarios, base)
    cases = _load_cases(case, entries)
    digest = case_hash(case)
    version = code_version()
    meta = run_meta(case, digest, version, solver_options, run_options, sweep=None,
                    case_name=next(iter(cases.values())).name if cases else None)
    out.mkdir(parents=True, exist_ok=True)
    names = [n for n, _ in entries]
    folders = [out / safe_name(name) for name in names]
    tasks = []
    for (name, srcs), folder in zip(entries, folders, strict=True):
        spec = RunSpec(folder.name, name, {}, srcs, cases[name].scenario_names, folder)
        rid = make_run_id(digest, srcs, solver_options, version, run_options)
        tasks.append(spec.task(case, {**meta, "content_hash": rid}, solver_options, force=True,
                               run_options=run_options))
    by_id = {f.name: cases[n] for n, f in zip(names, folders, strict=True)}
    results = run_with_progress(tasks, progress, on_done=on_run, workers=workers,
                                scheduler=scheduler, cases=by_id, on_start=on_start)
    clean_stale(out)
    table = comparison_table(list(zip(names, folders, strict=True)))
    table.to_csv(out / "comparison.csv", index=False)
    chart = write_charts(out, [(n, cases[n], f) for n, f in zip(names, folders, strict=True)],
                         table)
    catalog = build_catalog(out, folders=folders)
    return CompareResult(out, names, folders, table, chart, catalog, results)


def _entries(scenarios: list[str | Path | dict], base: bool) -> list[tuple[str, list]]:
    """(name, scenario sources) per run, ``base`` (no scenario) first; names must differ."""
    entries: list[tuple[str, list]] = [("base", [])] if base else []
    for s in scenarios:
        src = s if isinstance(s, dict) else str(Path(s).resolve())
        entries.append((scenario_name(s), [src]))
    names = [n for n, _ in entries]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise CaseError([Problem("compare", f"scenario name '{d}' is used twice",
                                 hint="give each scenario a distinct 'name'") for d in dup])
    return entries


def _load_cases(case: Path, entries: list[tuple[str, list]]) -> dict:
    """The validated case of every entry; a CaseError with the problems of all of them."""
    from model.studies.cases import load_case

    problems: list[Problem] = []
    cases = {}
    for name, srcs in entries:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                cases[name] = load_case(case, srcs)
        except CaseError as exc:
            problems += exc.problems
    if problems:
        raise CaseError(problems)
    return cases
