"""Strategy comparisons and parameter sweeps, run in-process or on Dask workers.

A **sweep file** (YAML) combines scenarios::

    name: solar-cost-vs-carbon
    description: One line.
    base_scenarios: [../scenarios/china/free.yaml]     # relative to the sweep file
    grid:                                              # every combination
      technologies.solar.capex_per_kw: [2000, 2800, 3600]
      policies.co2_price_per_t: [0, 100]
      scale.compute_demand.it_mw: [1.0, 1.5]           # `scale.` = a multiplier
      scenarios: [east-only.yaml, hubs-only.yaml]      # a dimension of scenario files
    samples:                                           # random points (seeded)
      n: 10
      seed: 1
      uniform: {scale.load: [0.9, 1.2]}
      loguniform: {technologies.battery.capex_per_kwh: [100, 400]}
      choice: {policies.co2_price_per_t: [0, 50, 100]}

Keys are the dotted keys of a scenario's ``set`` section, or ``scale.<key>`` for its
``scale`` section. With both a grid and samples, every grid point is combined with every
sample (grid size × n runs); with neither, the sweep is one run of the base scenarios.

Every run is identified by ``run_id`` = hash of the case files' contents, the scenario
contents and overrides, the solver options and the code version (hash of ``model/**.py``),
and writes ``DIR/runs/<run_id>/`` atomically (:func:`model.outputs.run_folder.write_run`, with
``run.json`` and a Parquet copy of every table inside). A run whose folder is complete is not
solved again. Failed runs (invalid case, infeasible, time limit, crash) are recorded with
their status and message. At the end the catalogue ``DIR/catalog.duckdb`` is rebuilt from the
folders on disk (:mod:`model.outputs.catalog`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from model.inputs.problems import CaseError, Problem
from model.inputs.scenarios import scenario_name
from model.outputs.catalog import build_catalog, read_json
from model.report.comparison_png import comparison_png, write_charts
from model.studies.compare import CompareResult, compare
from model.studies.execute import (
    OK_STATUSES,
    Progress,
    RunSpec,
    clean_stale,
    execute,
    needs_run,
    run_tasks,
    run_with_progress,
    solved,
    write_result,
)
from model.studies.run_ids import (
    case_hash,
    case_name,
    code_version,
    git_commit,
    given_options,
    make_run_id,
    plain,
    run_meta,
    scenario_content,
)
from model.studies.sweep_spec import (
    SAMPLE_KEYS,
    SCENARIO_DIM,
    SWEEP_KEYS,
    Sweep,
    expand,
    load_sweep,
    point_label,
    point_scenarios,
    record_grid,
    record_params,
)

__all__ = [
    "OK_STATUSES", "SAMPLE_KEYS", "SCENARIO_DIM", "SWEEP_KEYS", "CompareResult", "Progress",
    "RunSpec", "Sweep", "SweepResult", "case_hash", "check_sweep_keys", "code_version",
    "compare", "comparison_png", "execute", "expand", "git_commit", "load_sweep",
    "make_run_id", "plan_sweep", "point_scenarios", "run_sweep", "run_tasks",
    "scenario_content", "solved", "write_charts", "write_result",
]


@dataclass
class SweepResult:
    out: Path
    runs: list[RunSpec]
    results: list[dict]
    solved: int
    skipped: int
    failed: int
    catalog: Path

    @property
    def run_ids(self) -> list[str]:
        return [r.run_id for r in self.runs]


def plan_sweep(case: str | Path, sweep: Sweep, out: str | Path,
               solver_options: dict | None = None,
               run_options: dict | None = None) -> list[RunSpec]:
    """Every run of the sweep (deduplicated by run id), in grid/sample order."""
    case = Path(case).resolve()
    digest = case_hash(case)
    version = code_version()
    runs_dir = Path(out).resolve() / "runs"
    specs: dict[str, RunSpec] = {}
    for params in expand(sweep):
        sources = point_scenarios(sweep, params)
        rid = make_run_id(digest, sources, solver_options, version, run_options)
        if rid not in specs:
            names = [scenario_name(s) for s in sources]
            specs[rid] = RunSpec(rid, point_label(params), params, sources, names, runs_dir / rid)
    return list(specs.values())


def check_sweep_keys(case: str | Path, sweep: Sweep) -> None:
    """Apply the first point (and every grid scenario file) to the case: unknown keys fail
    here, before anything is solved. Values are checked per run."""
    from model.inputs.read import read_raw
    from model.studies.cases import apply_scenarios

    raw = read_raw(case)
    points = expand(sweep)
    first = points[0]
    tried = [first]
    if SCENARIO_DIM in sweep.grid:
        tried += [{**first, SCENARIO_DIM: v} for v in sweep.grid[SCENARIO_DIM]]
    problems: list[Problem] = []
    for params in tried:
        try:
            apply_scenarios(raw, point_scenarios(sweep, params))
        except CaseError as exc:
            problems += [p for p in exc.problems if p not in problems]
    if problems:
        raise CaseError(problems)


def run_sweep(case: str | Path, sweep_file: str | Path | dict, out: str | Path, *,
              workers: int | None = None, scheduler: str | None = None,
              solver_options: dict | None = None, run_options: dict | None = None,
              retries: int = 2,
              retry_errors: bool = False, progress: bool = False,
              _task_delay_s: float = 0.0) -> SweepResult:
    """Run every point of a sweep (skipping complete runs) and rebuild the catalogue.

    ``workers``: Dask LocalCluster size (default: CPU count); 0 or 1 runs in-process.
    ``scheduler``: address of an existing Dask scheduler (its workers must be able to import
    ``model`` and read the case and ``out`` paths). Raises CaseError for a bad sweep file or
    unknown scenario keys before anything is solved.
    """
    case = Path(case).resolve()
    sweep = load_sweep(sweep_file)
    check_sweep_keys(case, sweep)
    out = Path(out).resolve()
    (out / "runs").mkdir(parents=True, exist_ok=True)
    run_options = given_options(run_options)
    specs = plan_sweep(case, sweep, out, solver_options, run_options)
    meta = run_meta(case, case_hash(case), code_version(), solver_options, run_options,
                    sweep=sweep.name, sweep_file=str(sweep.path) if sweep.path else None,
                    case_name=case_name(case))
    tasks = [s.task(case, meta, solver_options, retry_errors=retry_errors,
                    delay_s=_task_delay_s, run_options=run_options) for s in specs]
    todo = [t for t in tasks if needs_run(t)]
    results = run_with_progress(todo, progress, workers=workers, scheduler=scheduler,
                                retries=retries)
    clean_stale(out / "runs")
    _write_json(out / "sweep.json", {
        **meta, "description": sweep.description, "grid": record_grid(sweep.grid),
        "samples": sweep.samples,
        "runs": [{"run_id": s.run_id, "label": s.label, "params": record_params(s.params)}
                 for s in specs]})
    catalog = build_catalog(out, latest=[s.run_id for s in specs])
    summaries = [read_json(s.out / "summary.json") for s in specs]
    failed = sum(1 for sm in summaries if not solved(sm.get("status"), sm.get("objective")))
    return SweepResult(out, specs, results, len(todo), len(tasks) - len(todo), failed, catalog)


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(plain(data), indent=2, default=str))
    os.replace(tmp, path)
