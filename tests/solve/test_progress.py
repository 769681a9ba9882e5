"""Live solver progress: events from the solve layer (model.solve.progress), drawn by the
command line (model.studies.console). The solve layer reports plain dataclasses; nothing in
it prints."""

from __future__ import annotations

import pytest
from rich.console import Console

from model.solve.progress import ProgressTracker, SolveProgress
from model.studies.console import SolveDisplay, describe
from model.studies.run import run

TWO_REGION = "data/cases/two-region"


@pytest.fixture(scope="module")
def two_region_events():
    events: list[SolveProgress] = []
    res = run(TWO_REGION, write=False, on_progress=events.append)
    return res, events


def test_every_stage_of_the_milp_strategy_reports_and_ends(two_region_events):
    res, events = two_region_events
    stages = [e.stage for e in events if e.phase == "done"]
    assert stages[0] == "relaxation" and stages[1] == "rounding"
    assert stages[-1] == "pricing LP"
    assert all(e.phase in ("presolve", "simplex", "ipm", "crossover", "branch and bound",
                           "postsolve", "done") for e in events)
    elapsed = [e.elapsed_s for e in events]
    assert elapsed == sorted(elapsed)  # one clock for the solve and its pricing LP


def test_objectives_are_in_model_units(two_region_events):
    """HiGHS sees scaled costs; the events carry the model's objective (per year)."""
    res, events = two_region_events
    relaxation = next(e for e in events if e.stage == "relaxation" and e.phase == "done")
    assert relaxation.objective == pytest.approx(res.summary["mip_bound"], rel=1e-6) \
        or relaxation.objective <= res.objective
    final = [e for e in events if e.phase == "done" and e.stage in ("rounding",
                                                                  "branch and bound")][-1]
    assert final.objective == pytest.approx(res.objective, rel=1e-9)
    assert final.gap is not None and final.bound <= final.objective


def test_branch_and_bound_reports_bounds_and_gap():
    events: list[SolveProgress] = []
    every_event = ProgressTracker(events.append, interval_s=0.0)  # no rate limit
    res = run(TWO_REGION, write=False, on_progress=every_event,
              solver_options={"mip_strategy": "highs", "mip_gap": 0.0})
    bb = [e for e in events if e.stage == "branch and bound"]
    assert any(e.phase == "branch and bound" and e.bound is not None for e in bb)
    assert bb[-1].phase == "done" and bb[-1].objective == pytest.approx(res.objective, rel=1e-9)
    assert bb[-1].gap == pytest.approx(0.0, abs=1e-6)


def test_interior_point_iterations_come_from_the_log():
    """IPX calls back without counts; its log lines give iterations, objective and bound."""
    events: list[SolveProgress] = []
    tracker = ProgressTracker(events.append, interval_s=0.0)
    tracker.begin("LP", "presolve")
    tracker.log_line("Solving the presolved LP")
    tracker.log_line(" 12*  3.66354131e+09   3.66354130e+09   1.60e-09   2.74e-14  8.18e-10  85.0")
    tracker.log_line("Running crossover as requested")
    tracker.log_line("   7259     9.5957697049e+08 Pr: 4434(1.27406e+09); Du: 0(2.4e-08) 6.1s")
    ipm, crossover, simplex = events[-3:]
    assert (ipm.phase, ipm.iteration) == ("ipm", 12)
    assert ipm.objective == 3.66354131e9 and ipm.bound == 3.66354130e9
    assert ipm.gap == pytest.approx(10 / 3.66354131e9, rel=1e-6)
    assert crossover.phase == "crossover"
    assert (simplex.phase, simplex.iteration, simplex.objective) == ("simplex", 7259,
                                                                     9.5957697049e8)


def test_quiet_solves_install_no_callback(monkeypatch):
    """Without on_progress no tracker listens to HiGHS (nothing to pay for)."""
    def refuse(*_a, **_k):
        raise AssertionError("a tracker was attached")

    monkeypatch.setattr(ProgressTracker, "attach", refuse)
    res = run(TWO_REGION, write=False)
    assert res.status == "optimal"


def test_display_leaves_one_line_per_stage_on_a_plain_console(two_region_events):
    _, events = two_region_events
    console = Console(record=True, width=200, force_terminal=False)
    with SolveDisplay(console) as display:
        for e in events:
            display(e)
    text = console.export_text()
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    assert lines[0].startswith("relaxation done at")
    assert lines[1].startswith("rounding done at") and "gap" in lines[1]
    assert lines[-1].startswith("pricing LP done at")


def test_describe_a_moment_of_branch_and_bound():
    p = SolveProgress("branch and bound", 12.34, "branch and bound", nodes=45,
                      objective=3.709e8, bound=3.625e8, gap=0.0227)
    assert describe(p) == ("  12.3 s · branch and bound · nodes 45 · objective 3.7090e+08 · "
                           "bound 3.6250e+08 · gap 2.27 %")
    ipm = SolveProgress("ipm", 56.8, "relaxation", iteration=33)
    assert describe(ipm) == "  56.8 s · relaxation · ipm it 33"
    done = SolveProgress("done", 72.1, "rounding", iteration=37, objective=1.8773e12,
                         bound=1.8689e12, gap=0.0045)
    assert describe(done) == ("rounding done at 72.1 s · 37 it · objective 1.8773e+12 · "
                              "bound 1.8689e+12 · gap 0.45 %")


def test_command_line_draws_progress_unless_quiet(tmp_path):
    from typer.testing import CliRunner

    from model.cli import app

    runner = CliRunner()
    r = runner.invoke(app, ["run", TWO_REGION, "--out", str(tmp_path / "a"), "--no-report"])
    assert r.exit_code == 0, r.output
    assert "relaxation done at" in r.output and "pricing LP done at" in r.output
    r = runner.invoke(app, ["run", TWO_REGION, "--out", str(tmp_path / "b"), "--no-report",
                            "--quiet"])
    assert r.exit_code == 0, r.output
    assert r.output.strip() == str((tmp_path / "b").resolve())
