"""Command line: ``python solve.py [CASE] [--scenario FILE]… [--out DIR]`` and subcommands.

Built with typer (options and help) and rich (progress and the summary table). A bad case
exits with code 2 and the validation messages, without a traceback and without writing a run
folder.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from .validation import CaseError

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CASE = ROOT / "data" / "cases" / "china"
FALLBACK_CASE = ROOT / "data" / "cases" / "two-region"
SUBCOMMANDS = {"run", "compare", "sweep", "--help", "-h"}

app = typer.Typer(add_completion=False, no_args_is_help=False, pretty_exceptions_enable=False,
                  help="WattBit: co-plan data-centre siting with generation, storage and "
                       "transmission (Pyomo + HiGHS).")
console = Console(stderr=False)
err = Console(stderr=True)


@app.callback()
def _group() -> None:
    """WattBit: co-plan data-centre siting with generation, storage and transmission.

    `python solve.py [CASE]` runs one case (the embedded China case by default).
    """


def default_case() -> Path:
    return DEFAULT_CASE if (DEFAULT_CASE / "case.yaml").exists() else FALLBACK_CASE


def _solver_options(algorithm, threads, time_limit, mip_gap) -> dict:
    opts: dict = {}
    if algorithm is not None:
        opts["algorithm"] = algorithm
    if threads is not None:
        opts["threads"] = threads
    if time_limit is not None:
        opts["time_limit_s"] = time_limit
    if mip_gap is not None:
        opts["mip_gap"] = mip_gap
    return opts


def print_summary(summary: dict, out_dir: Path | None) -> None:
    cur = summary.get("currency", "")
    t = Table(title=f"{summary.get('case')} — {summary.get('status')}", show_header=False)
    t.add_column("item")
    t.add_column("value", justify="right")
    obj = summary.get("objective")
    t.add_row("objective (per year)", f"{obj:,.0f} {cur}" if obj is not None else "—")
    if summary.get("mip_gap") is not None and summary.get("is_mip"):
        t.add_row("MIP gap reached", f"{100 * summary['mip_gap']:.3f} %")
    for key, label in (("emissions_t", "emissions (t CO2/yr)"),
                       ("unserved_energy_mwh", "unserved power (MWh/yr)"),
                       ("average_price_per_mwh", f"average power price ({cur}/MWh)"),
                       ("it_mw_built", "IT capacity built (MW)"),
                       ("power_cost_per_mwh_it", f"power cost per MWh of compute ({cur})"),
                       ("unserved_compute_mwh", "unserved compute (MWh/yr)")):
        if summary.get(key) is not None:
            t.add_row(label, f"{summary[key]:,.1f}")
    if summary.get("sites_built") is not None:
        t.add_row("sites built", ", ".join(summary["sites_built"]) or "none")
    for cls, where in (summary.get("compute_by_class") or {}).items():
        t.add_row(f"  {cls} served at", where)
    tim = summary.get("timings", {})
    t.add_row("time (build / solve / total, s)",
              f"{tim.get('build_s', 0):.1f} / {tim.get('solve_s', 0):.1f} / "
              f"{tim.get('total_s', 0):.1f}")
    t.add_row("algorithm used", str(summary.get("solver", {}).get("algorithm_used")))
    console.print(t)
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
    algorithm: Annotated[str | None, typer.Option(
        help="HiGHS algorithm: auto, simplex, ipm (IPX), hipo, pdlp.")] = None,
    threads: Annotated[int | None, typer.Option(help="HiGHS threads (0 = HiGHS default).")]
    = None,
    time_limit: Annotated[float | None, typer.Option(
        help="Solver time limit in seconds; the best solution so far is returned with status "
             "time_limit.")] = None,
    mip_gap: Annotated[float | None, typer.Option(
        help="Relative MIP gap at which to stop (0.01 = 1 %).")] = None,
    days: Annotated[int | None, typer.Option(
        help="Representative days for time reduction (tsam); 0 = full time. Default: "
             "case.yaml time_reduction.")] = None,
    segments: Annotated[int | None, typer.Option(
        help="Segments per representative day (fewer, longer steps).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors and the "
                                                               "results folder.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Stream the HiGHS log.")]
    = False,
) -> None:
    """Solve one case (optionally with scenarios) and write its run folder."""
    from .run import run

    case = case or default_case()
    names = [p.stem for p in (scenario or [])]
    out = out or ROOT / "runs" / "-".join([case.name, *names])

    def on_event(stage: str, msg: str) -> None:
        if not quiet:
            console.print(f"[cyan]{stage:>8}[/cyan] {msg}", highlight=False)

    def on_log(line: str) -> None:
        if verbose:
            console.print(f"[dim]{line}[/dim]", highlight=False, markup=False)

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = run(case, [str(s) for s in scenario or []], out,
                         _solver_options(algorithm, threads, time_limit, mip_gap),
                         on_event=on_event, on_log=on_log, days=days, segments=segments)
        for w in caught:
            if not quiet:
                err.print(f"[yellow]warning:[/yellow] {w.message}", highlight=False)
    except CaseError as exc:
        _report_case_error(exc)
        raise typer.Exit(code=2) from None
    if quiet:
        console.print(str(result.out_dir))
    else:
        print_summary(result.summary, result.out_dir)
    if result.status not in ("optimal", "time_limit"):
        raise typer.Exit(code=1)


def main(argv: list[str] | None = None) -> None:
    """Entry point: a first argument that is not a subcommand means ``run``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in SUBCOMMANDS:
        args = ["run", *args]
    app(args=args, prog_name="solve.py")
