"""Command line: ``python solve.py [CASE] [--scenario FILE]… [--out DIR]`` and subcommands.

Built with typer (options and help) and rich (progress and the summary table). A bad case
exits with code 2 and the validation messages, without a traceback and without writing a run
folder.
"""

from __future__ import annotations

import sys
import warnings
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from model.inputs.problems import CaseError
from model.studies.console import solver_options as _solver_options

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CASE = ROOT / "data" / "cases" / "china"
FALLBACK_CASE = ROOT / "data" / "cases" / "two-region"
SUBCOMMANDS = {"run", "compare", "sweep", "appraise", "import-pypsa", "export-pypsa", "--help",
               "-h"}

app = typer.Typer(add_completion=False, no_args_is_help=False, pretty_exceptions_enable=False,
                  help="WattBit: co-plan data-centre siting with generation, storage and "
                       "transmission (Pyomo + HiGHS).")
console = Console(stderr=False)
err = Console(stderr=True)


# solver and time options shared by run, compare and sweep (units in the help)
AlgorithmOption = Annotated[str | None, typer.Option(
    help="HiGHS algorithm: auto, simplex, ipm (IPX), hipo, pdlp.")]
ThreadsOption = Annotated[int | None, typer.Option(
    help="HiGHS threads per solve (0 = HiGHS default).")]
TimeLimitOption = Annotated[float | None, typer.Option(
    help="Solver time limit per run in seconds; the best solution so far is returned with "
         "status time_limit.")]
MipGapOption = Annotated[float | None, typer.Option(
    help="Relative MIP gap at which to stop (0.01 = 1 %).")]
DaysOption = Annotated[int | None, typer.Option(
    help="Representative days for time reduction (tsam); 0 = full time. Default: case.yaml "
         "time_reduction.")]
SegmentsOption = Annotated[int | None, typer.Option(
    help="Segments per representative day (fewer, longer steps).")]


@app.callback()
def _group() -> None:
    """WattBit: co-plan data-centre siting with generation, storage and transmission.

    `python solve.py [CASE]` runs one case (the embedded China case by default).
    """


def default_case() -> Path:
    return DEFAULT_CASE if (DEFAULT_CASE / "case.yaml").exists() else FALLBACK_CASE


def print_summary(summary: dict, out_dir: Path | None) -> None:
    from model.studies.console import period_table, summary_table

    console.print(summary_table(summary))
    by_period = period_table(summary)
    if by_period is not None:
        console.print(by_period)
    if out_dir is not None:
        console.print(f"Results written to [bold]{out_dir}[/bold]")


def _report_case_error(exc: CaseError) -> None:
    err.print(f"[bold red]The case has {len(exc.problems)} problem(s):[/bold red]")
    for p in exc.problems:
        err.print(f"  • {p}", markup=False, highlight=False)


@app.command("run")
def run_command(
    case: Annotated[Path | None, typer.Argument(
        help="Case folder (holds case.yaml). Default: the embedded China case.")] = None,
    scenario: Annotated[list[Path] | None, typer.Option(
        "--scenario", "-s", help="Scenario YAML applied on top of the case; repeat to stack "
                                 "(applied in order).")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Run folder to write (DIR/summary.json). Default: "
                            "runs/<case>[-<scenario>].")] = None,
    algorithm: AlgorithmOption = None,
    threads: ThreadsOption = None,
    time_limit: TimeLimitOption = None,
    mip_gap: MipGapOption = None,
    days: DaysOption = None,
    segments: SegmentsOption = None,
    check_full_year: Annotated[bool, typer.Option(
        "--check-full-year", help="After a reduced-time solve, fix the investments and solve "
                                  "the full-time dispatch; report the differences.")] = False,
    report: Annotated[bool, typer.Option(
        "--report/--no-report", help="Write map.png and report.html in the run folder.")]
    = True,
    tiles: Annotated[bool, typer.Option(
        help="Add an OpenStreetMap tile layer to report.html (needs a network when viewed).")]
    = False,
    extra: Annotated[Path | None, typer.Option(
        "--extra", help="Python file defining `def extra(ctx): ...`, which adds custom "
                        "constraints after the model is built (docs/api.md).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors and the "
                                                               "results folder.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Stream the HiGHS log.")]
    = False,
) -> None:
    """Solve one case (optionally with scenarios) and write its run folder."""
    from model.studies.console import SolveDisplay
    from model.studies.run import run

    case = case or default_case()
    names = [p.stem for p in (scenario or [])]
    out = out or ROOT / "runs" / "-".join([case.name, *names])

    def on_event(stage: str, msg: str) -> None:
        if not quiet:
            console.print(f"[cyan]{stage:>8}[/cyan] {msg}", highlight=False)

    def on_log(line: str) -> None:
        if verbose:
            console.print(line, style="dim", highlight=False, markup=False)

    display = nullcontext() if quiet else SolveDisplay(console)
    try:
        with warnings.catch_warnings(record=True) as caught, display:
            warnings.simplefilter("always")
            result = run(case, [str(s) for s in scenario or []], out,
                         _solver_options(algorithm, threads, time_limit, mip_gap),
                         on_event=on_event, on_log=on_log, days=days, segments=segments,
                         check_full_year=check_full_year, report=report, tiles=tiles,
                         extra=extra, on_progress=None if quiet else display)
        for w in caught:
            if not quiet:
                err.print(f"[yellow]warning:[/yellow] {w.message}", highlight=False)
    except CaseError as exc:
        _report_case_error(exc)
        raise typer.Exit(code=2) from None
    except KeyboardInterrupt:
        err.print("[red]interrupted[/red]: no run folder was written")
        raise typer.Exit(code=130) from None
    except Exception as exc:  # noqa: BLE001 - a user gets a message, --verbose the traceback
        if verbose:
            raise
        err.print(Text.assemble(("error: ", "bold red"), f"{type(exc).__name__}: {exc}"),
                  highlight=False)
        err.print("Run again with --verbose for the full traceback; no run folder was "
                  "written.")
        raise typer.Exit(code=1) from None
    if quiet:
        console.print(str(result.out_dir))
    else:
        print_summary(result.summary, result.out_dir)
    for line in result.summary.get("diagnosis") or []:
        err.print(f"  {line}", markup=False, highlight=False)
    if result.status not in ("optimal", "time_limit"):
        raise typer.Exit(code=1)


def main(argv: list[str] | None = None) -> None:
    """Entry point: a first argument that is not a subcommand means ``run``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in SUBCOMMANDS:
        args = ["run", *args]
    app(args=args, prog_name="solve.py")


# --------------------------------------------------------------- compare and sweep
# (model/sweep.py does the work; these commands parse options and print tables)
@app.command("compare")
def compare_command(
    case: Annotated[Path, typer.Argument(help="Case folder (holds case.yaml).")],
    scenario: Annotated[list[Path] | None, typer.Option(
        "--scenario", "-s", help="Scenario YAML; repeat for each strategy. Each is applied "
                                 "alone on top of the case.")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Folder for DIR/<scenario>/ run folders, comparison.csv, the chart "
                            "and catalog.duckdb. Default: runs/<case>-compare.")] = None,
    base: Annotated[bool, typer.Option(
        "--base", help="Also solve the unmodified case (named 'base').")] = False,
    workers: Annotated[int, typer.Option(
        help="Solve on a Dask LocalCluster of N worker processes (1 = one after another in "
             "this process).")] = 1,
    scheduler: Annotated[str | None, typer.Option(
        help="Address of a running Dask scheduler (tcp://host:8786) to solve on.")] = None,
    algorithm: AlgorithmOption = None,
    threads: ThreadsOption = None,
    time_limit: TimeLimitOption = None,
    mip_gap: MipGapOption = None,
    days: DaysOption = None,
    segments: SegmentsOption = None,
) -> None:
    """Solve a case once per scenario and compare the results (comparison.csv + chart).

    Exit code 2 if a scenario or the case is invalid (nothing is solved), 1 if any run has
    no solution (infeasible, error, or time limit without one; the comparison is still
    written), else 0.
    """
    from model.studies.console import compact, print_table
    from model.studies.sweep import compare

    if not scenario and not base:
        err.print("[red]give at least one --scenario (or --base)[/red]")
        raise typer.Exit(code=2)
    out = out or ROOT / "runs" / f"{case.name}-compare"

    def on_run(r: dict) -> None:
        console.print(f"[cyan]{'done':>8}[/cyan] {r['run_id']}: {r.get('status')}"
                      + (f" — {r.get('message')}" if r.get("status") not in
                         ("optimal", "time_limit") else ""), highlight=False)

    def on_start(task: dict) -> None:
        console.print(f"[cyan]{'solve':>8}[/cyan] {task['run_id']}", highlight=False)

    console.print(f"[cyan]{'check':>8}[/cyan] validating the case with each scenario",
                  highlight=False)
    try:
        res = compare(case, [str(s) for s in scenario or []], out, base=base, workers=workers,
                      scheduler=scheduler,
                      solver_options=_solver_options(algorithm, threads, time_limit, mip_gap),
                      run_options={"days": days, "segments": segments}, on_run=on_run,
                      on_start=on_start, progress=True)
    except CaseError as exc:
        _report_case_error(exc)
        raise typer.Exit(code=2) from None
    print_table(console, f"Comparison — {case.name} (full table: comparison.csv)", res.table, [
        ("scenario", "scenario", ""), ("status", "status", ""),
        ("objective", "cost/yr", compact), ("it_mw_built", "IT MW", compact),
        ("new_generation_mw", "+gen MW", compact),
        ("new_transmission_mw", "+line MW", compact), ("emissions_t", "t CO2", compact),
        ("average_price_per_mwh", "price", ",.1f")])
    console.print(f"Comparison written to [bold]{res.out / 'comparison.csv'}[/bold]"
                  + (f", chart [bold]{res.chart}[/bold]" if res.chart else "")
                  + f", catalogue [bold]{res.catalog}[/bold]")
    if res.failed:
        err.print(f"[yellow]no solution: {', '.join(res.failed)}[/yellow]")
        raise typer.Exit(code=1)


@app.command("sweep")
def sweep_command(
    case: Annotated[Path, typer.Argument(help="Case folder (holds case.yaml).")],
    sweep_file: Annotated[Path, typer.Argument(
        help="Sweep YAML: base_scenarios, grid and/or samples (docs/scenarios-and-sweeps.md).")],
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Sweep folder: DIR/runs/<run_id>/, DIR/catalog.duckdb, "
                            "DIR/sweep.json. Default: runs/<sweep name>.")] = None,
    workers: Annotated[int | None, typer.Option(
        help="Dask LocalCluster worker processes (default: CPU count; 1 = in this "
             "process).")] = None,
    scheduler: Annotated[str | None, typer.Option(
        help="Address of a running Dask scheduler (tcp://host:8786); its workers must import "
             "wattbit and see the same paths.")] = None,
    retries: Annotated[int, typer.Option(help="Dask retries of a run whose task raised.")] = 2,
    retry_errors: Annotated[bool, typer.Option(
        "--retry-errors", help="Solve again runs recorded with status 'error'.")] = False,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="List the runs (id, parameters, done or not) and stop.")] = False,
    algorithm: AlgorithmOption = None,
    threads: ThreadsOption = None,
    time_limit: TimeLimitOption = None,
    mip_gap: MipGapOption = None,
    days: DaysOption = None,
    segments: SegmentsOption = None,
) -> None:
    """Run every combination of a sweep file on Dask workers; catalogue them in DuckDB.

    Complete runs (DIR/runs/<run_id>/summary.json) are skipped, so an interrupted sweep is
    resumed by running the same command again. Failed runs are recorded, not fatal: the exit
    code is 0 once every run is recorded (2 for a bad sweep file or unknown keys).
    """
    from model.outputs.catalog import is_complete
    from model.studies.console import print_table
    from model.studies.sweep import check_sweep_keys, load_sweep, plan_sweep, run_sweep

    solver_options = _solver_options(algorithm, threads, time_limit, mip_gap)
    run_options = {k: v for k, v in {"days": days, "segments": segments}.items()
                   if v is not None}
    try:
        spec = load_sweep(sweep_file)
        out = out or ROOT / "runs" / spec.name
        if dry_run:
            import pandas as pd

            check_sweep_keys(case, spec)
            runs = plan_sweep(case, spec, out, solver_options, run_options)
            df = pd.DataFrame([{"run_id": r.run_id, "label": r.label,
                                "done": "yes" if is_complete(r.out) else ""} for r in runs])
            print_table(console, f"{spec.name}: {len(runs)} run(s)", df,
                        [("run_id", "run id", ""), ("label", "parameters", ""),
                         ("done", "done", "")])
            return
        res = run_sweep(case, sweep_file, out, workers=workers, scheduler=scheduler,
                        solver_options=solver_options, run_options=run_options,
                        retries=retries, retry_errors=retry_errors, progress=True)
    except CaseError as exc:
        _report_case_error(exc)
        raise typer.Exit(code=2) from None
    console.print(f"{len(res.runs)} run(s): {res.solved} solved, {res.skipped} already done, "
                  f"{res.failed} without a solution")
    console.print(f"Catalogue: [bold]{res.catalog}[/bold] (tables runs, sites, capacity, "
                  "assignment, prices, corridors, …; see docs/scenarios-and-sweeps.md)")


@app.command("appraise")
def appraise_command(
    case: Annotated[Path, typer.Argument(help="Case folder (holds case.yaml).")],
    site: Annotated[str, typer.Option("--site", help="Id of the candidate site to appraise.")],
    scenario: Annotated[list[Path] | None, typer.Option(
        "--scenario", "-s", help="Scenario YAML for every run; repeat to stack.")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Write appraisal.json/.csv and runs in/, out/, free/ here.")] = None,
    free: Annotated[bool, typer.Option("--free", help="Also solve the case as it is (is the "
                                                      "site built anyway?).")] = False,
    report: Annotated[bool, typer.Option("--report/--no-report", help="Write map.png and "
                                         "report.html in the run folders.")] = True,
    algorithm: AlgorithmOption = None,
    threads: ThreadsOption = None,
    time_limit: TimeLimitOption = None,
    mip_gap: MipGapOption = None,
    days: DaysOption = None,
    segments: SegmentsOption = None,
) -> None:
    """Investment case of one site: solve with it forced in and kept out, compare the two.

    Time to power, cost of power per MWh IT, supply mix, IT MW and the system cost of forcing
    the site in. Exit code 2 for a bad case or site, 1 if a run has no solution, else 0.
    """
    from model.studies.appraise import appraise, print_appraisal

    try:
        res = appraise(case, site, [str(s) for s in scenario or []], out, free=free,
                       solver_options=_solver_options(algorithm, threads, time_limit, mip_gap),
                       days=days, segments=segments, report=report,
                       on_event=lambda stage, msg: console.print(
                           f"[cyan]{stage:>8}[/cyan] {msg}", highlight=False))
    except CaseError as exc:
        _report_case_error(exc)
        raise typer.Exit(code=2) from None
    print_appraisal(console, res)
    if any(r.status not in ("optimal", "time_limit") for r in res.runs.values()):
        raise typer.Exit(code=1)


# ---------------- PyPSA networks in and out (model/inputs/pypsa_import, outputs/pypsa_export)
def _quiet_pypsa() -> None:
    import logging

    for name in ("pypsa", "linopy", "pyogrio"):
        logging.getLogger(name).setLevel(logging.WARNING)


def _bad_input(exc: Exception) -> None:
    if isinstance(exc, CaseError):
        _report_case_error(exc)
    else:
        err.print(Text.assemble(("error: ", "bold red"), str(exc)), highlight=False)
    raise typer.Exit(code=2) from None


@app.command("import-pypsa")
def import_pypsa_command(
    network: Annotated[Path, typer.Argument(
        help="PyPSA network: a netCDF (.nc) or HDF5 (.h5) file, or a folder of CSV files.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Case folder to write.")],
    name: Annotated[str | None, typer.Option(help="Case name (default: the network's).")] = None,
    discount_rate: Annotated[float, typer.Option(
        help="Discount rate of the case (fraction, 0.07 = 7 %/yr). PyPSA's capital costs "
             "(currency/MW/yr) become overnight costs (currency/kW) at this rate; WattBit's "
             "annual costs equal PyPSA's whatever it is.")] = 0.07,
    currency: Annotated[str, typer.Option(help="Currency code of the network's costs.")] = "EUR",
    voll: Annotated[float | None, typer.Option(
        help="Value of lost load (currency/MWh) of WattBit's unserved power, which PyPSA "
             "has not. Default: 100000.")] = None,
    lifetime: Annotated[float, typer.Option(
        help="Lifetime (years) where PyPSA's is infinite.")] = 25.0,
    force: Annotated[bool, typer.Option(
        "--force", help="Overwrite the imported files of a case in --out (keeps its sites).")]
    = False,
) -> None:
    """Import a PyPSA network as a case folder; list what could not be mapped.

    Writes the case files, IMPORT_REPORT.md, import_notes.csv and import_map.csv.
    Exit code 2: no such network, one that cannot be imported, or no PyPSA.
    """
    from model.inputs.pypsa_import import import_network
    from model.studies.cases import load_case

    _quiet_pypsa()
    try:
        imp = import_network(network, out, name=name, discount_rate=discount_rate,
                             currency=currency, value_of_lost_load_per_mwh=voll,
                             lifetime_years=lifetime, overwrite=force)
        load_case(imp.path)
    except (CaseError, ImportError, OSError, ValueError, KeyError) as exc:
        _bad_input(exc)
    for line in imp.summary_lines():
        console.print(line, highlight=False, markup=False)
    console.print(f"Case written to [bold]{imp.path}[/bold]")


@app.command("export-pypsa")
def export_pypsa_command(
    case: Annotated[Path, typer.Argument(help="Case folder (holds case.yaml).")],
    out: Annotated[Path, typer.Option(
        "--out", "-o", help="Network to write: NAME.nc (netCDF), NAME.h5 (HDF5), else a "
                            "folder of CSV files.")],
    run: Annotated[Path | None, typer.Option(
        help="Run folder of this case: fills in optimised capacities (MW, MWh), dispatch "
             "(MW) and prices (currency/MWh).")] = None,
) -> None:
    """Export a case (and a run of it) as a PyPSA network.

    Exit code 2: a bad case, a run folder without a solution, or no PyPSA.
    """
    from model.outputs.pypsa_export import to_pypsa, write_network

    _quiet_pypsa()
    try:
        n = to_pypsa(case, run=run)
        write_network(n, out)
    except (CaseError, ImportError, OSError, ValueError, KeyError) as exc:
        _bad_input(exc)
    for note in n.meta["wattbit"]["notes"]:
        console.print(f"note: {note}", highlight=False, markup=False)
    console.print(f"Network written to [bold]{out}[/bold]; optimise it in PyPSA with "
                  "extra_functionality=model.outputs.pypsa_export.extra_functionality")
