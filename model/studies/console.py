"""Live solver progress on a rich console: one line that moves while HiGHS works.

:class:`SolveDisplay` is an ``on_progress`` callback (:mod:`model.solve.progress`): on a
terminal it keeps one ``rich.live.Live`` line — spinner, elapsed time, stage, phase,
iterations, objective, bound and gap — under the stage lines, and removes it when the solve is
done; every finished stage leaves one plain line (on any console, a log file too). The clock on
the line advances between events (HiPO reports only once per iteration, every few seconds on a
large LP). The command line uses it unless ``--quiet``; ``wb.solve(..., progress=True)`` too.

:func:`print_table` and :func:`compact` print the result tables of compare, sweep and
appraise (a data frame as a rich table; big numbers as 1.23 M); :func:`solver_options` turns
the command line's solver options into the run's.
"""

from __future__ import annotations

import time

from rich import box
from rich.console import Console
from rich.live import Live
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

from model.solve.progress import SolveProgress


def _number(v: float) -> str:
    return f"{v:.5g}" if abs(v) < 1e5 else f"{v:.4e}"


def describe(p: SolveProgress, elapsed_s: float | None = None) -> str:
    """The progress as one line of plain text."""
    t = f"{p.elapsed_s if elapsed_s is None else elapsed_s:.1f} s"
    if p.phase == "done":
        parts = [f"{p.stage or 'solve'} done at {t}"]
        if p.iteration:
            parts.append(f"{p.iteration:,} it")
    else:
        parts = [f"{t:>8}", *([p.stage] if p.stage and p.stage != p.phase else []),
                 p.phase + (f" it {p.iteration:,}" if p.iteration else "")]
    if p.nodes:
        parts.append(f"nodes {p.nodes:,}")
    if p.objective is not None:
        parts.append(f"objective {_number(p.objective)}")
    if p.bound is not None:
        parts.append(f"bound {_number(p.bound)}")
    if p.gap is not None:
        parts.append(f"gap {100 * p.gap:.2f} %")
    return " · ".join(parts)


class _Line:
    """The live line; renders the latest event with a running clock."""

    def __init__(self, label: str):
        self.label = label
        self.spinner = Spinner("dots", style="cyan")
        self.progress: SolveProgress | None = None
        self.seen_at = time.perf_counter()

    def __rich__(self) -> Table:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(no_wrap=True)
        p = self.progress
        elapsed = None if p is None else p.elapsed_s + time.perf_counter() - self.seen_at
        text = Text(f"{self.label:>8} ", style="cyan")
        text.append("starting" if p is None else describe(p, elapsed))
        grid.add_row(self.spinner, text)
        return grid


class SolveDisplay:
    """``on_progress`` callback drawing a live line on ``console`` (stop it with
    :meth:`close`, or use it as a context manager). Each finished stage (relaxation,
    rounding, branch and bound, pricing LP, …) leaves one plain line with its last state."""

    def __init__(self, console: Console, label: str = "solving"):
        self.console = console
        self.line = _Line(label)
        self.live: Live | None = None

    def __call__(self, p: SolveProgress) -> None:
        prev = self.line.progress
        self.line.progress, self.line.seen_at = p, time.perf_counter()
        if p.phase == "done":
            if prev is None or prev.phase != "done" or prev.stage != p.stage:
                self.close()
                self.console.print(f"{'':>8} {describe(p)}", style="dim", highlight=False,
                                   soft_wrap=True)
        elif self.live is None and self.console.is_terminal:
            self.live = Live(self.line, console=self.console, transient=True,
                             refresh_per_second=8)
            self.live.start()

    def close(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None

    def __enter__(self) -> SolveDisplay:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _short(v: float) -> str:
    """A figure in a narrow column: 43.8M, 1.2G, 950.5."""
    for scale, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= scale:
            return f"{v / scale:.1f}{suffix}"
    return f"{v:.1f}"


def _sites(ids: list[str]) -> str:
    """Sites coming online in a period, short enough for a column."""
    return "—" if not ids else ", ".join(ids) if len(ids) <= 2 else f"{len(ids)} sites"


def period_table(summary: dict) -> Table | None:
    """One row per period of a multi-period run (None for a static run): its costs per year,
    emissions, unserved power and compute, IT in place, the cost of power per MWh of IT work
    and the sites coming online."""
    periods = summary.get("periods")
    if not periods:
        return None
    cur = summary.get("currency", "")
    t = Table(title=f"by period (decided {periods['decision_year']}, "
                    f"{periods['foresight']} foresight)")
    for label in ("period", "years", f"{cur}/yr", "t CO2/yr", "unserved MWh/yr",
                  "lost IT MWh/yr", "IT MW", f"{cur}/MWh IT", "online"):
        t.add_column(label, justify="right")
    costs = summary.get("costs_by_period", {})
    sites = summary.get("by_period", {})
    online = summary.get("sites_online_year", {})

    def get(key: str, year: int):
        return (summary.get(key) or {}).get(year, (summary.get(key) or {}).get(str(year)))

    for year, span in zip(periods["years"], periods["years_represented"], strict=True):
        cost = sum((v.get(year, v.get(str(year))) or 0.0) for v in costs.values())
        here = sites.get(year, sites.get(str(year), {}))
        cells = [cost, get("emissions_t_by_period", year),
                 get("unserved_energy_mwh_by_period", year),
                 get("unserved_compute_mwh_by_period", year), here.get("it_mw_built"),
                 here.get("power_cost_per_mwh_it")]
        t.add_row(str(year), f"{span:g}", *("—" if v is None else _short(v) for v in cells),
                  _sites([s for s, y in online.items() if int(y) == int(year)]))
    return t

# ------------------------------------------------------------------------- result tables
def print_table(console: Console, title: str, df, columns: list[tuple[str, str, object]]
                ) -> None:
    """A rich table of ``df``: columns are (column, header, format spec or function)."""
    rows = [[_cell(row.get(col), fmt) for col, _, fmt in columns] for _, row in df.iterrows()]
    t = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False)
    for i, (_, label, fmt) in enumerate(columns):
        width = max([len(label)] + [len(r[i]) for r in rows])
        short = width <= 14
        t.add_column(label, justify="right" if fmt else "left", no_wrap=short,
                     min_width=width if short else None)
    for cells in rows:
        t.add_row(*cells)
    console.print(t)


def _cell(v, fmt) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return "—"
    if callable(fmt):
        return fmt(v)
    if fmt:
        try:
            return format(v, fmt)
        except (TypeError, ValueError):
            return str(v)
    return str(v)


def compact(value) -> str:
    """1234567 -> '1.23 M' (k, M, bn, tn), so wide tables fit a terminal."""
    v = float(value)
    for size, suffix in ((1e12, " tn"), (1e9, " bn"), (1e6, " M"), (1e3, " k")):
        if abs(v) >= size:
            return f"{v / size:.3g}{suffix}"
    return f"{v:.3g}" if abs(v) >= 1e-6 else "0"


def solver_options(algorithm: str | None, threads: int | None, time_limit_s: float | None,
                   mip_gap: float | None) -> dict:
    """The solver options given on the command line (None: the case's or HiGHS's own)."""
    given = {"algorithm": algorithm, "threads": threads, "time_limit_s": time_limit_s,
             "mip_gap": mip_gap}
    return {k: v for k, v in given.items() if v is not None}


def summary_table(summary: dict) -> Table:
    """The run's key figures as one table (the command line prints it after a run)."""
    cur = summary.get("currency", "")
    t = Table(title=f"{summary.get('case')} — {summary.get('status')}", show_header=False)
    t.add_column("item")
    t.add_column("value", justify="right")
    obj = summary.get("objective")
    periods = summary.get("periods")
    label = (f"objective (NPV, money of {periods['base_year']})" if periods
             else "objective (per year)")
    t.add_row(label, f"{obj:,.0f} {cur}" if obj is not None else "—")
    if summary.get("mip_gap") is not None and summary.get("is_mip"):
        t.add_row("MIP gap reached", f"{100 * summary['mip_gap']:.3f} %")
    per = ", horizon total" if periods else "/yr"  # multi-period: Σ_p years_p · annual_p
    for key, label in (("emissions_t", f"emissions (t CO2{per})"),
                       ("unserved_energy_mwh", f"unserved power (MWh{per})"),
                       ("average_price_per_mwh", f"average power price ({cur}/MWh)"),
                       ("it_mw_built", "IT capacity built (MW)"),
                       ("power_cost_per_mwh_it", f"power cost per MWh of compute ({cur})"),
                       ("unserved_compute_mwh", f"unserved compute (MWh{per})")):
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
    return t
