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
and writes ``DIR/runs/<run_id>/`` atomically (:func:`model.results.write_run`, with
``run.json`` and a Parquet copy of every table inside). A run whose folder is complete is not
solved again. Failed runs (invalid case, infeasible, time limit, crash) are recorded with
their status and message. At the end the catalogue ``DIR/catalog.duckdb`` is rebuilt from the
folders on disk (:mod:`model.catalog`).
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import logging
import math
import os
import shutil
import socket
import subprocess
import time
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from model.inputs.problems import CaseError, Problem, Problems
from model.inputs.read import GEO_FILES, TABLE_FILES
from model.inputs.scenarios import SOURCE_KEY, load_scenario, scenario_name
from model.outputs.catalog import (
    build_catalog,
    comparison_table,
    is_complete,
    read_json,
    read_tables,
)

SWEEP_KEYS = {"name", "description", "base_scenarios", "grid", "samples"}
SAMPLE_KEYS = {"n", "seed", "uniform", "loguniform", "choice"}
SCENARIO_DIM = "scenarios"
OK_STATUSES = ("optimal", "time_limit")


def solved(status: str | None, objective) -> bool:
    """A run that returned a solution (optimal, or time_limit with an incumbent)."""
    return status in OK_STATUSES and objective is not None and objective == objective
PACKAGE_DIR = Path(__file__).resolve().parent

log = logging.getLogger(__name__)


# ----------------------------------------------------------------------- identities
def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _canonical(obj: Any) -> str:
    return json.dumps(_plain(obj), sort_keys=True, separators=(",", ":"), default=str)


def _plain(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, Path):
        return str(obj)
    return obj


def code_version() -> str:
    """Package version + hash of every ``model/**/*.py`` source (changes with any edit)."""
    from model import __version__

    h = hashlib.sha256()
    for f in sorted(PACKAGE_DIR.rglob("*.py")):
        h.update(f.relative_to(PACKAGE_DIR).as_posix().encode())
        h.update(b"\0")
        h.update(f.read_bytes())
        h.update(b"\0")
    return f"{__version__}+{h.hexdigest()[:12]}"


def git_commit() -> str | None:
    """The repository's HEAD commit (recorded for information; not part of the run id)."""
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=PACKAGE_DIR, capture_output=True,
                             text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def case_hash(case_path: str | Path) -> str:
    """Hash of the contents of every file :func:`model.case.read_raw` reads."""
    folder = Path(case_path)
    names = ["case.yaml", *TABLE_FILES.values()]
    names += [f"{stem}{ext}" for stem in GEO_FILES.values()
              for ext in (".geojson", ".gpkg", ".json")]
    h = hashlib.sha256()
    for name in sorted(names):
        f = folder / name
        if f.is_file():
            h.update(name.encode() + b"\0" + _sha(f.read_bytes()).encode() + b"\0")
    return h.hexdigest()[:16]


def scenario_content(source: str | Path | dict) -> dict:
    """What a scenario changes (its sections without name, description or source)."""
    spec, _ = load_scenario(source)
    return {k: v for k, v in spec.items() if k not in ("name", "description", SOURCE_KEY)}


def make_run_id(case_digest: str, scenarios: list, solver_options: dict | None,
                version: str, run_options: dict | None = None) -> str:
    payload = {"case": case_digest, "scenarios": [scenario_content(s) for s in scenarios],
               "solver": solver_options or {}, "code": version}
    if run_options:
        payload["run"] = run_options
    return _sha(_canonical(payload).encode())[:16]


# ----------------------------------------------------------------------- sweep files
@dataclass
class Sweep:
    name: str
    path: Path | None
    description: str = ""
    base_scenarios: list[Path] = field(default_factory=list)
    grid: dict[str, list] = field(default_factory=dict)
    samples: dict | None = None


def load_sweep(source: str | Path | dict) -> Sweep:
    """Read and check a sweep file (raises CaseError naming the file and key)."""
    if isinstance(source, dict):
        spec, path = dict(source), None
        where = f"sweep '{spec.get('name', 'unnamed')}'"
        base_dir = Path.cwd()
    else:
        path = Path(source).resolve()
        where = str(source)
        base_dir = path.parent
        if not path.is_file():
            raise CaseError([Problem(where, "sweep file not found")])
        try:
            spec = yaml.safe_load(path.read_text()) or {}
        except yaml.YAMLError as exc:
            raise CaseError([Problem(where, f"is not valid YAML: {exc}")]) from None
        if not isinstance(spec, dict):
            raise CaseError([Problem(where, "a sweep file must be a mapping")])
    p = Problems()
    for key in spec:
        if key not in SWEEP_KEYS:
            p.add(where, f"unknown key '{key}'",
                  hint=f"a sweep file has the keys {', '.join(sorted(SWEEP_KEYS))}")
    base = spec.get("base_scenarios") or []
    if isinstance(base, str):
        base = [base]
    base_paths = []
    for b in base if isinstance(base, list) else []:
        bp = (base_dir / str(b)).resolve()
        if not bp.is_file():
            p.add(where, f"base scenario '{b}' not found", hint=f"looked for {bp}")
        base_paths.append(bp)
    if not isinstance(base, list):
        p.add(where, "'base_scenarios' must be a list of scenario files")
    grid = spec.get("grid") or {}
    if not isinstance(grid, dict):
        p.add(where, "'grid' must be a mapping of keys to lists of values")
        grid = {}
    grid_out: dict[str, list] = {}
    for key, values in grid.items():
        key = str(key)
        if not isinstance(values, list) or not values:
            p.add(where, f"grid key '{key}' needs a non-empty list of values")
            continue
        if key == SCENARIO_DIM:
            resolved = []
            for v in values:
                files = v if isinstance(v, list) else [v]
                paths = [(base_dir / str(f)).resolve() for f in files]
                for f, fp in zip(files, paths, strict=True):
                    if not fp.is_file():
                        p.add(where, f"scenario '{f}' in grid key 'scenarios' not found",
                              hint=f"looked for {fp}")
                resolved.append(paths)
            values = resolved
        grid_out[key] = values
    samples = spec.get("samples")
    if samples is not None:
        samples = _check_samples(samples, where, p, set(grid_out))
    p.raise_if_any()
    name = str(spec.get("name") or (path.stem if path else "sweep"))
    return Sweep(name, path, str(spec.get("description") or ""), base_paths, grid_out, samples)


def _check_samples(samples, where: str, p: Problems, grid_keys: set[str]) -> dict | None:
    if not isinstance(samples, dict):
        p.add(where, "'samples' must be a mapping with n, seed and uniform/loguniform/choice")
        return None
    for key in samples:
        if key not in SAMPLE_KEYS:
            p.add(where, f"unknown key 'samples.{key}'",
                  hint=f"samples has the keys {', '.join(sorted(SAMPLE_KEYS))}")
    n = samples.get("n")
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        p.add(where, "samples.n must be a whole number >= 1")
    seed = samples.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool):
        p.add(where, "samples.seed must be a whole number")
    seen: set[str] = set()
    for dist in ("uniform", "loguniform", "choice"):
        spec = samples.get(dist) or {}
        if not isinstance(spec, dict):
            p.add(where, f"samples.{dist} must be a mapping of keys to ranges")
            continue
        for key, rng in spec.items():
            key = str(key)
            if key in seen or key in grid_keys:
                p.add(where, f"key '{key}' is sampled twice or also in the grid")
            seen.add(key)
            if dist == "choice":
                if not isinstance(rng, list) or not rng:
                    p.add(where, f"samples.choice '{key}' needs a non-empty list of values")
                continue
            ok = (isinstance(rng, list) and len(rng) == 2
                  and all(isinstance(v, int | float) and not isinstance(v, bool) for v in rng))
            if not ok or rng[0] > rng[1] or (dist == "loguniform" and rng[0] <= 0):
                p.add(where, f"samples.{dist} '{key}' needs [low, high] with low <= high"
                      + (" and low > 0" if dist == "loguniform" else ""))
    if not seen:
        p.add(where, "samples has no uniform, loguniform or choice keys")
    return samples


def expand(sweep: Sweep) -> list[dict]:
    """Parameter points: grid combinations × samples (each a dict key -> value)."""
    grid_points: list[dict] = [{}]
    if sweep.grid:
        keys = list(sweep.grid)
        grid_points = [dict(zip(keys, combo, strict=True))
                       for combo in itertools.product(*(sweep.grid[k] for k in keys))]
    if not sweep.samples:
        return grid_points
    s = sweep.samples
    rng = np.random.default_rng(int(s.get("seed", 0)))
    draws = []
    for i in range(int(s["n"])):
        d: dict = {"sample": i}
        for key, (lo, hi) in (s.get("uniform") or {}).items():
            d[str(key)] = float(rng.uniform(lo, hi))
        for key, (lo, hi) in (s.get("loguniform") or {}).items():
            d[str(key)] = float(math.exp(rng.uniform(math.log(lo), math.log(hi))))
        for key, values in (s.get("choice") or {}).items():
            d[str(key)] = _plain(values[int(rng.integers(len(values)))])
        draws.append(d)
    return [{**g, **d} for g in grid_points for d in draws]


def point_scenarios(sweep: Sweep, params: dict) -> list:
    """The scenario list of one point: base files, grid scenario files, then the overrides."""
    sources: list = [str(p) for p in sweep.base_scenarios]
    sets: dict = {}
    scales: dict = {}
    for key, value in params.items():
        if key == "sample":
            continue
        if key == SCENARIO_DIM:
            sources += [str(p) for p in value]
        elif key.startswith("scale."):
            scales[key[len("scale."):]] = value
        else:
            sets[key] = value
    if sets or scales:
        spec: dict = {"name": sweep.name, SOURCE_KEY: str(sweep.path or sweep.name)}
        if sets:
            spec["set"] = sets
        if scales:
            spec["scale"] = scales
        sources.append(spec)
    return sources


def _label(params: dict) -> str:
    parts = []
    for key, value in params.items():
        if key == "sample":
            parts.append(f"sample={value}")
        elif key == SCENARIO_DIM:
            parts.append("scenarios=" + "+".join(Path(p).stem for p in value))
        else:
            parts.append(f"{key}={value:.6g}" if isinstance(value, float) else f"{key}={value}")
    return " ".join(parts) or "base"


def _record_params(params: dict) -> dict:
    return {k: ([Path(p).stem for p in v] if k == SCENARIO_DIM else _plain(v))
            for k, v in params.items()}


# ---------------------------------------------------------------------------- tasks
@dataclass
class RunSpec:
    run_id: str
    label: str
    params: dict
    scenarios: list
    scenario_names: list[str]
    out: Path

    def task(self, case: Path, meta: dict, solver_options: dict | None, *, force: bool = False,
             retry_errors: bool = False, delay_s: float = 0.0,
             run_options: dict | None = None) -> dict:
        return {"run_id": self.run_id, "out": str(self.out), "case": str(case),
                "scenarios": self.scenarios, "solver_options": dict(solver_options or {}),
                "run_options": dict(run_options or {}),
                "meta": {**meta, "run_id": self.run_id, "label": self.label,
                         "params": _record_params(self.params),
                         "scenario_names": self.scenario_names},
                "force": force, "retry_errors": retry_errors, "delay_s": delay_s}


def _needs_run(task: dict) -> bool:
    out = Path(task["out"])
    if task.get("force") or not is_complete(out):
        return True
    if task.get("retry_errors"):
        return read_json(out / "summary.json").get("status") == "error"
    return False


def _table_bytes(df: pd.DataFrame) -> bytes | None:
    buf = io.BytesIO()
    try:
        df.to_parquet(buf, index=False)
    except Exception:  # noqa: BLE001 - the CSV is always written; Parquet is a bonus
        return None
    return buf.getvalue()


def _error_summary(task: dict, status: str, message: str, **extra) -> dict:
    return {"case": task["meta"].get("case_name"), "scenarios": task["meta"]["scenario_names"],
            "status": status, "message": message, "objective": None, "mip_gap": None,
            "timings": {}, **extra}


def write_result(task: dict, summary: dict, tables: dict, log_text: str = "",
                 started: float | None = None) -> Path:
    """Write the run folder atomically (summary.json, tables as CSV and Parquet, run.json)."""
    from model.outputs.run_folder import write_run

    meta = {**task["meta"], "host": socket.gethostname(), "pid": os.getpid(),
            "finished_at": time.time()}
    if started is not None:
        meta["wall_s"] = time.time() - started
    summary = {**summary, "run_id": task["run_id"]}
    extra: dict = {"run.json": json.dumps(_plain(meta), indent=2, default=str)}
    if log_text:
        extra["highs.log"] = log_text
    for name, df in tables.items():
        data = _table_bytes(df)
        if data is not None:
            extra[f"{name}.parquet"] = data
    out = Path(task["out"])
    try:
        return write_run(out, summary, tables, extra_files=extra, parquet=False)
    except OSError:
        if is_complete(out):  # another attempt of the same run finished first
            return out
        raise


def execute(task: dict, case: Any = None) -> dict:
    """Solve one run and write its folder; never raises for a failed run (see ``status``).

    This is the function the Dask workers call. ``case`` is an already validated
    :class:`model.case.Case` (in-process comparisons), else the case is read from
    ``task['case']`` with ``task['scenarios']`` applied.
    """
    from model.studies.run import run

    out = Path(task["out"])
    if not _needs_run(task):
        summary = read_json(out / "summary.json")
        return {"run_id": task["run_id"], "status": summary.get("status"),
                "objective": summary.get("objective"), "message": summary.get("message"),
                "skipped": True, "out": str(out)}
    started = time.time()
    if task.get("delay_s"):
        time.sleep(float(task["delay_s"]))  # test hook: keep the run busy for a while
    tables: dict = {}
    log_text = ""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = run(case if case is not None else task["case"], task["scenarios"],
                      out=None, solver_options=task["solver_options"] or None, write=False,
                      **task.get("run_options", {}))
        summary = res.summary
        tables = res.tables
        if res.solve_result is not None:
            log_text = "".join(res.solve_result.log)
    except CaseError as exc:
        summary = _error_summary(task, "error", str(exc),
                                 problems=[str(p) for p in exc.problems])
    except Exception as exc:  # noqa: BLE001 - a crashing run is recorded, the sweep goes on
        summary = _error_summary(task, "error", f"{type(exc).__name__}: {exc}",
                                 traceback=traceback.format_exc())
    summary.setdefault("timings", {})["wall_s"] = time.time() - started
    write_result(task, summary, tables, log_text, started)
    return {"run_id": task["run_id"], "status": summary.get("status"),
            "objective": summary.get("objective"), "message": summary.get("message"),
            "skipped": False, "out": str(out)}


def _record_lost(task: dict, exc: BaseException) -> dict:
    """A task Dask gave up on (its workers kept dying, or it kept raising): record it."""
    out = Path(task["out"])
    if not is_complete(out):
        msg = f"{type(exc).__name__}: {exc}"
        if type(exc).__name__ == "KilledWorker":
            msg = f"the workers running this run died repeatedly ({msg})"
        write_result(task, _error_summary(task, "error", msg), {})
    summary = read_json(out / "summary.json")
    return {"run_id": task["run_id"], "status": summary.get("status"),
            "objective": summary.get("objective"), "message": summary.get("message"),
            "skipped": False, "out": str(out)}


def _clean_stale(folder: Path) -> None:
    """Remove temporary folders that dead workers left behind (never complete runs)."""
    if not folder.is_dir():
        return
    for p in folder.iterdir():
        if p.is_dir() and p.name.startswith(".") and (".tmp-" in p.name or ".old-" in p.name):
            shutil.rmtree(p, ignore_errors=True)


# --------------------------------------------------------------------- executors
Progress = Callable[[dict], None]


def run_tasks(tasks: list[dict], *, workers: int | None = None, scheduler: str | None = None,
              retries: int = 2, on_done: Progress | None = None,
              cases: dict | None = None, on_start: Progress | None = None) -> list[dict]:
    """Execute tasks in-process (``workers`` 0 or 1 and no scheduler) or on Dask.

    ``cases`` (run_id -> validated Case) and ``on_start(task)`` are used in-process only.
    """
    done = on_done or (lambda _r: None)
    if not tasks:
        return []
    if scheduler is None and workers is not None and workers <= 1:
        results = []
        for t in tasks:
            if on_start is not None:
                on_start(t)
            r = execute(t, (cases or {}).get(t["run_id"]))
            results.append(r)
            done(r)
        return results
    return _run_dask(tasks, workers, scheduler, retries, done)


def _run_dask(tasks: list[dict], workers: int | None, scheduler: str | None, retries: int,
              done: Progress) -> list[dict]:
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        n = workers or os.cpu_count() or 1
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR)
        client = Client(cluster)
    results = []
    try:
        futures = client.map(execute, tasks, key=[f"wattbit-run-{t['run_id']}" for t in tasks],
                             retries=retries, pure=False)
        by_key = {f.key: t for f, t in zip(futures, tasks, strict=True)}
        for fut in as_completed(futures):
            task = by_key[fut.key]
            try:
                r = fut.result()
            except Exception as exc:  # noqa: BLE001 - KilledWorker or a task error
                r = _record_lost(task, exc)
            results.append(r)
            done(r)
            fut.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return results


class _Bar:
    """A rich progress bar (or nothing when ``show`` is false)."""

    def __init__(self, show: bool, total: int, title: str):
        self.bar = None
        self.failed = 0
        if show and total:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(),
                                MofNCompleteColumn(), TimeElapsedColumn())
            self.bar.start()
            self.task = self.bar.add_task(title, total=total)

    def __call__(self, r: dict) -> None:
        ok = solved(r.get("status"), r.get("objective"))
        if not ok:
            self.failed += 1
        if self.bar is not None:
            if not ok:
                self.bar.console.print(f"[yellow]{r['run_id']}: {r.get('status')}[/yellow] "
                                       f"{str(r.get('message') or '')[:200]}", highlight=False)
            self.bar.update(self.task, advance=1,
                            description=f"solving ({self.failed} failed)" if self.failed
                            else "solving")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


# ---------------------------------------------------------------------------- sweeps
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
            specs[rid] = RunSpec(rid, _label(params), params, sources, names, runs_dir / rid)
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
    run_options = {k: v for k, v in (run_options or {}).items() if v is not None}
    specs = plan_sweep(case, sweep, out, solver_options, run_options)
    meta = {"sweep": sweep.name, "sweep_file": str(sweep.path) if sweep.path else None,
            "case": str(case), "case_name": _case_name(case), "case_hash": case_hash(case),
            "code_version": code_version(),
            "git_commit": git_commit(), "solver_options": solver_options or {},
            "run_options": run_options}
    tasks = [s.task(case, meta, solver_options, retry_errors=retry_errors,
                    delay_s=_task_delay_s, run_options=run_options) for s in specs]
    todo = [t for t in tasks if _needs_run(t)]
    skipped = len(tasks) - len(todo)
    bar = _Bar(progress, len(todo), "solving")
    try:
        results = run_tasks(todo, workers=workers, scheduler=scheduler, retries=retries,
                            on_done=bar)
    finally:
        bar.close()
    _clean_stale(out / "runs")
    ids = [s.run_id for s in specs]
    _write_json(out / "sweep.json", {
        **meta, "description": sweep.description, "grid": _plain(
            {k: ([[Path(p).name for p in v] for v in vals] if k == SCENARIO_DIM else vals)
             for k, vals in sweep.grid.items()}),
        "samples": sweep.samples,
        "runs": [{"run_id": s.run_id, "label": s.label, "params": _record_params(s.params)}
                 for s in specs]})
    catalog = build_catalog(out, latest=ids)
    summaries = [read_json(s.out / "summary.json") for s in specs]
    failed = sum(1 for sm in summaries if not solved(sm.get("status"), sm.get("objective")))
    return SweepResult(out, specs, results, len(todo), skipped, failed, catalog)


def _case_name(case: Path) -> str:
    try:
        cfg = yaml.safe_load((case / "case.yaml").read_text()) or {}
    except (OSError, yaml.YAMLError):
        cfg = {}
    return str(cfg.get("name") or case.name) if isinstance(cfg, dict) else case.name


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(_plain(data), indent=2, default=str))
    os.replace(tmp, path)


# ------------------------------------------------------------------------ comparisons
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


def _safe_name(name: str) -> str:
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
    from model.studies.cases import load_case

    case = Path(case).resolve()
    out = Path(out).resolve()
    run_options = {k: v for k, v in (run_options or {}).items() if v is not None}
    entries: list[tuple[str, list]] = [("base", [])] if base else []
    for s in scenarios:
        src = s if isinstance(s, dict) else str(Path(s).resolve())
        entries.append((scenario_name(s), [src]))
    names = [n for n, _ in entries]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise CaseError([Problem("compare", f"scenario name '{d}' is used twice",
                                 hint="give each scenario a distinct 'name'") for d in dup])
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
    digest = case_hash(case)
    version = code_version()
    meta = {"sweep": None, "case": str(case), "case_hash": digest, "code_version": version,
            "git_commit": git_commit(), "solver_options": solver_options or {},
            "run_options": run_options,
            "case_name": next(iter(cases.values())).name if cases else None}
    out.mkdir(parents=True, exist_ok=True)
    tasks, by_id = [], {}
    folders = []
    for name, srcs in entries:
        folder = out / _safe_name(name)
        folders.append(folder)
        spec = RunSpec(folder.name, name, {}, srcs, cases[name].scenario_names, folder)
        rid = make_run_id(digest, srcs, solver_options, version, run_options)
        t = spec.task(case, {**meta, "content_hash": rid}, solver_options, force=True,
                      run_options=run_options)
        tasks.append(t)
        by_id[folder.name] = cases[name]
    bar = _Bar(progress, len(tasks), "solving")

    def done(r: dict) -> None:
        bar(r)
        if on_run is not None:
            on_run(r)

    try:
        results = run_tasks(tasks, workers=workers, scheduler=scheduler, on_done=done,
                            cases=by_id, on_start=on_start)
    finally:
        bar.close()
    _clean_stale(out)
    table = comparison_table(list(zip(names, folders, strict=True)))
    table.to_csv(out / "comparison.csv", index=False)
    chart = write_charts(out, [(n, cases[n], f) for n, f in zip(names, folders, strict=True)],
                         table)
    catalog = build_catalog(out, folders=folders)
    return CompareResult(out, names, folders, table, chart, catalog, results)


def write_charts(out: Path, runs: list[tuple[str, Any, Path]], table: pd.DataFrame) -> Path | None:
    """``comparison.html`` via model.report when it exists, else ``comparison.png``."""
    try:
        from model.report.html import write_comparison_html
    except ImportError:
        write_comparison_html = None
    if write_comparison_html is not None:
        try:
            from model.report.html import read_run
        except ImportError:
            def read_run(folder):
                return read_tables(folder), read_json(folder / "summary.json")
        items = [(name, case, *read_run(folder)) for name, case, folder in runs]
        path = out / "comparison.html"
        try:
            write_comparison_html(items, path)
            return path
        except Exception as exc:  # noqa: BLE001 - the PNG below still gives a chart
            log.warning("model.report.write_comparison_html failed (%s); writing a PNG", exc)
    return comparison_png(table, out / "comparison.png")


def comparison_png(table: pd.DataFrame, path: Path) -> Path | None:
    """Four panels: objective, new capacity, compute by host region, emissions and price."""
    if table.empty:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = table["scenario"].astype(str).tolist()
    x = np.arange(len(names))
    fig, axes = plt.subplots(2, 2, figsize=(12, 8))

    def col(name: str) -> np.ndarray:
        if name not in table:
            return np.zeros(len(table))
        return pd.to_numeric(table[name], errors="coerce").fillna(0.0).to_numpy(float)

    ax = axes[0, 0]
    ax.bar(x, col("objective") / 1e6, color="#4C72B0")
    ax.set_title("Objective (million per year)")
    ax = axes[0, 1]
    w = 0.27
    for i, (c, lab) in enumerate((("new_generation_mw", "generation"),
                                  ("new_storage_mw", "storage"),
                                  ("new_transmission_mw", "transmission"))):
        ax.bar(x + (i - 1) * w, col(c), w, label=lab)
    ax.set_title("New capacity (MW)")
    ax.legend(fontsize=8)
    ax = axes[1, 0]
    it_cols = [c for c in table.columns if c.startswith("it_mwh_")]
    bottom = np.zeros(len(table))
    for c in it_cols:
        v = col(c) / 1e3
        ax.bar(x, v, bottom=bottom, label=c[len("it_mwh_"):])
        bottom += v
    ax.set_title("Compute served by host region × class (GWh IT)")
    if it_cols and len(it_cols) <= 15:
        ax.legend(fontsize=7)
    ax = axes[1, 1]
    ax.bar(x, col("emissions_t") / 1e6, color="#8C8C8C")
    ax.set_title("Emissions (Mt CO2) and average power price")
    ax2 = ax.twinx()
    ax2.plot(x, col("average_price_per_mwh"), "o-", color="#C44E52")
    ax2.set_ylabel("price per MWh")
    for a in axes.ravel():
        a.set_xticks(x)
        a.set_xticklabels(names, rotation=20, ha="right", fontsize=8)
    status = table["status"].astype(str).tolist()
    fig.suptitle("Scenario comparison — " + ", ".join(
        f"{n}: {s}" for n, s in zip(names, status, strict=True)), fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
