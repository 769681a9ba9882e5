"""Running tasks: one run per task, in this process or on Dask workers, written once.

A task is a plain dict (picklable, see :meth:`RunSpec.task`) naming the run id, the output
folder, the case and its scenarios, the options and what run.json records. :func:`execute`
solves one and writes its folder atomically (:func:`model.outputs.run_folder.write_run`), never
raising for a failed run: an invalid case, infeasibility, a time limit or a crash is recorded
with its status and message. A run whose folder is complete is not solved again, so a task that
Dask retries after its worker was killed (SIGKILL included) finishes the run exactly once;
:func:`run_tasks` records a task Dask gave up on as an error.
"""

from __future__ import annotations

import io
import json
import logging
import os
import shutil
import socket
import time
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from model.inputs.problems import CaseError
from model.outputs.catalog import is_complete, read_json
from model.studies.run_ids import plain
from model.studies.sweep_spec import record_params

OK_STATUSES = ("optimal", "time_limit")

Progress = Callable[[dict], None]


def solved(status: str | None, objective) -> bool:
    """A run that returned a solution (optimal, or time_limit with an incumbent)."""
    return status in OK_STATUSES and objective is not None and objective == objective


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
                         "params": record_params(self.params),
                         "scenario_names": self.scenario_names},
                "force": force, "retry_errors": retry_errors, "delay_s": delay_s}


def needs_run(task: dict) -> bool:
    """Not complete yet (or forced, or a recorded error to retry)."""
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


def _outcome(task: dict, summary: dict, skipped: bool) -> dict:
    """What a task returns: the run's id, status, objective and message."""
    return {"run_id": task["run_id"], "status": summary.get("status"),
            "objective": summary.get("objective"), "message": summary.get("message"),
            "skipped": skipped, "out": str(Path(task["out"]))}


def write_result(task: dict, summary: dict, tables: dict, log_text: str = "",
                 started: float | None = None) -> Path:
    """Write the run folder atomically (summary.json, tables as CSV and Parquet, run.json)."""
    from model.outputs.run_folder import write_run

    meta = {**task["meta"], "host": socket.gethostname(), "pid": os.getpid(),
            "finished_at": time.time()}
    if started is not None:
        meta["wall_s"] = time.time() - started
    summary = {**summary, "run_id": task["run_id"]}
    extra: dict = {"run.json": json.dumps(plain(meta), indent=2, default=str)}
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
    :class:`model.inputs.case.Case` (in-process comparisons), else the case is read from
    ``task['case']`` with ``task['scenarios']`` applied.
    """
    out = Path(task["out"])
    if not needs_run(task):
        return _outcome(task, read_json(out / "summary.json"), skipped=True)
    started = time.time()
    if task.get("delay_s"):
        time.sleep(float(task["delay_s"]))  # test hook: keep the run busy for a while
    summary, tables, log_text = _solve(task, case)
    summary.setdefault("timings", {})["wall_s"] = time.time() - started
    write_result(task, summary, tables, log_text, started)
    return _outcome(task, summary, skipped=False)


def _solve(task: dict, case: Any) -> tuple[dict, dict, str]:
    """Summary, tables and solver log of one run (a failure as an error summary)."""
    from model.studies.run import run

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = run(case if case is not None else task["case"], task["scenarios"],
                      out=None, solver_options=task["solver_options"] or None, write=False,
                      **task.get("run_options", {}))
    except CaseError as exc:
        return (_error_summary(task, "error", str(exc),
                               problems=[str(p) for p in exc.problems]), {}, "")
    except Exception as exc:  # noqa: BLE001 - a crashing run is recorded, the sweep goes on
        return (_error_summary(task, "error", f"{type(exc).__name__}: {exc}",
                               traceback=traceback.format_exc()), {}, "")
    log_text = "".join(res.solve_result.log) if res.solve_result is not None else ""
    return res.summary, res.tables, log_text


def _record_lost(task: dict, exc: BaseException) -> dict:
    """A task Dask gave up on (its workers kept dying, or it kept raising): record it."""
    out = Path(task["out"])
    if not is_complete(out):
        msg = f"{type(exc).__name__}: {exc}"
        if type(exc).__name__ == "KilledWorker":
            msg = f"the workers running this run died repeatedly ({msg})"
        write_result(task, _error_summary(task, "error", msg), {})
    return _outcome(task, read_json(out / "summary.json"), skipped=False)


def clean_stale(folder: Path) -> None:
    """Remove temporary folders that dead workers left behind (never complete runs)."""
    if not folder.is_dir():
        return
    for p in folder.iterdir():
        if p.is_dir() and p.name.startswith(".") and (".tmp-" in p.name or ".old-" in p.name):
            shutil.rmtree(p, ignore_errors=True)


# --------------------------------------------------------------------- executors
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


def run_with_progress(tasks: list[dict], show: bool, *, on_done: Progress | None = None,
                      **kwargs) -> list[dict]:
    """:func:`run_tasks` with a progress bar (when ``show``) ahead of ``on_done``."""
    bar = ProgressBar(show, len(tasks), "solving")

    def done(r: dict) -> None:
        bar(r)
        if on_done is not None:
            on_done(r)

    try:
        return run_tasks(tasks, on_done=done, **kwargs)
    finally:
        bar.close()


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


class ProgressBar:
    """A rich progress bar (or nothing when ``show`` is false); call it with each result."""

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
