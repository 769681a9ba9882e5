"""Sweeps on Dask, the DuckDB catalogue, fault tolerance and strategy comparisons."""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import threading
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml
from test_scenarios import tiny_case

import model.studies.sweep as sweep_module
from model.inputs.problems import CaseError
from model.outputs.catalog import build_catalog, connect, run_folders
from model.studies.run import run
from model.studies.sweep import compare, expand, load_sweep, make_run_id, plan_sweep, run_sweep

DOCS = Path(__file__).resolve().parents[2] / "docs" / "scenarios-and-sweeps.md"
GRID = {"technologies.solar.capex_per_kw": [300, 600, 900],
        "policies.co2_price_per_t": [0, 100]}


def write_sweep(folder: Path, name: str, grid: dict, **extra) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"name": name, "grid": grid, **extra}))
    return path


@pytest.fixture(scope="module", autouse=True)
def pinned_code_version():
    """Pin the code version for this module: the run id hashes model/**/*.py, and other
    people's edits to the package while these tests run must not change the ids."""
    import model.studies.compare as compare_module

    version = sweep_module.code_version()
    with pytest.MonkeyPatch.context() as mp:
        for module in (sweep_module, compare_module):
            mp.setattr(module, "code_version", lambda: version)
        yield version


@pytest.fixture(scope="module")
def case_dir(tmp_path_factory):
    return tiny_case(tmp_path_factory.mktemp("sweep") / "tiny")


@pytest.fixture(scope="module")
def cluster():
    import logging

    from dask.distributed import LocalCluster

    c = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                     dashboard_address=None, silence_logs=logging.ERROR)
    yield c
    c.close()


@pytest.fixture(scope="module")
def six(case_dir, tmp_path_factory):
    """A 3 × 2 grid solved on a fresh 2-worker LocalCluster (the default path)."""
    folder = tmp_path_factory.mktemp("six")
    sweep = write_sweep(folder, "solar-carbon", GRID)
    out = folder / "out"
    t0 = time.perf_counter()
    res = run_sweep(case_dir, sweep, out, workers=2)
    return res, sweep, out, time.perf_counter() - t0


def _summaries(out: Path) -> dict[str, dict]:
    return {f.name: json.loads((f / "summary.json").read_text())
            for f in run_folders(out / "runs")}


def test_six_run_sweep_matches_solving_each_run_alone(six, case_dir):
    res, _, out, _ = six
    assert res.solved == 6 and res.skipped == 0 and res.failed == 0
    con = connect(out)
    runs = con.sql("SELECT * FROM runs ORDER BY run_id").df()
    assert len(runs) == 6 and runs["run_id"].is_unique
    assert set(runs["run_id"]) == set(res.run_ids)
    assert (runs["status"] == "optimal").all() and runs["in_latest_sweep"].all()
    # one column per swept parameter, holding the grid values
    pairs = set(zip(runs["technologies_solar_capex_per_kw"],
                    runs["policies_co2_price_per_t"], strict=True))
    assert pairs == {(c, p) for c in (300, 600, 900) for p in (0, 100)}
    assert all(json.loads(p) for p in runs["params"])
    assert runs["objective"].nunique() == 6  # the parameters do change the answer
    # the same runs solved alone in this process give the same objectives
    by_id = runs.set_index("run_id")
    for spec in res.runs:
        alone = run(case_dir, spec.scenarios, write=False)
        assert alone.status == "optimal"
        assert by_id.at[spec.run_id, "objective"] == pytest.approx(alone.objective, rel=1e-9)
        row = by_id.loc[spec.run_id]
        assert row["technologies_solar_capex_per_kw"] == spec.params[
            "technologies.solar.capex_per_kw"]
    # result tables are queryable per run
    for view in ("sites", "capacity", "assignment", "prices", "corridors", "dispatch"):
        n = con.execute(f"SELECT count(DISTINCT run_id) FROM {view}").fetchone()[0]
        assert n == 6, view
    n_sites = con.execute("SELECT count(*) FROM sites").fetchone()[0]
    assert n_sites == 12  # 2 sites × 6 runs
    con.close()


def test_documented_sql_queries_run(six):
    _, _, out, _ = six
    queries = re.findall(r"```sql\n(.*?)```", DOCS.read_text(), flags=re.S)
    assert len(queries) >= 3
    con = connect(out)
    for q in queries:
        df = con.sql(q).df()
        assert len(df) > 0, q
    con.close()


def test_second_invocation_solves_nothing(six, case_dir):
    res, sweep, out, _ = six
    before = {f.name: (f / "summary.json").stat().st_mtime_ns for f in run_folders(out / "runs")}
    again = run_sweep(case_dir, sweep, out, workers=2)
    assert again.solved == 0 and again.skipped == 6 and again.results == []
    after = {f.name: (f / "summary.json").stat().st_mtime_ns for f in run_folders(out / "runs")}
    assert after == before
    con = connect(out)
    assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == 6
    con.close()


def test_worker_killed_mid_sweep_loses_and_duplicates_nothing(case_dir, tmp_path, cluster):
    from dask.distributed import Client

    sweep = write_sweep(tmp_path, "killed", GRID)
    out = tmp_path / "out"
    client = Client(cluster)
    result: dict = {}

    def go():
        try:
            result["res"] = run_sweep(case_dir, sweep, out, scheduler=cluster.scheduler_address,
                                      _task_delay_s=1.5)
        except BaseException as exc:  # noqa: BLE001
            result["error"] = exc

    th = threading.Thread(target=go)
    th.start()
    busy = []
    deadline = time.time() + 60
    while time.time() < deadline and not busy:
        busy = [w for w, keys in client.processing().items()
                if any(str(k).startswith("wattbit-run-") for k in keys)]
        time.sleep(0.05)
    assert busy, "no run started"
    time.sleep(0.5)  # inside the run (its 1.5 s delay)
    victim = busy[0]
    pid = client.run(os.getpid, workers=[victim])[victim]
    os.kill(pid, signal.SIGKILL)
    th.join(timeout=120)
    client.close()
    assert not th.is_alive()
    assert "error" not in result, result.get("error")
    res = result["res"]
    assert res.failed == 0
    folders = [p for p in (out / "runs").iterdir()]
    assert sorted(p.name for p in folders) == sorted(res.run_ids)  # no temp or extra folders
    summaries = _summaries(out)
    assert len(summaries) == 6 and all(s["status"] == "optimal" for s in summaries.values())
    pids = {json.loads((out / "runs" / r / "run.json").read_text())["pid"] for r in summaries}
    assert pid not in pids  # the killed worker finished nothing; others redid its run
    con = connect(out)
    assert con.execute("SELECT count(*), count(DISTINCT run_id) FROM runs").fetchone() == (6, 6)
    assert con.execute("SELECT count(*) FROM sites").fetchone()[0] == 12
    con.close()


def test_failing_runs_are_recorded_and_the_rest_go_on(case_dir, tmp_path, cluster):
    grid = {"technologies.solar.capex_per_kw": [600, -1], "policies.co2_price_per_t": [0, 50]}
    sweep = write_sweep(tmp_path, "bad-values", grid)
    out = tmp_path / "out"
    res = run_sweep(case_dir, sweep, out, scheduler=cluster.scheduler_address)
    assert len(res.runs) == 4 and res.failed == 2
    con = connect(out)
    df = con.sql("SELECT technologies_solar_capex_per_kw AS capex, status, message, objective "
                 "FROM runs").df()
    con.close()
    assert len(df) == 4
    bad = df[df["capex"] == -1]
    good = df[df["capex"] == 600]
    assert (bad["status"] == "error").all() and bad["objective"].isna().all()
    assert bad["message"].str.contains("capex_per_kw").all()
    assert (good["status"] == "optimal").all() and good["objective"].notna().all()
    # --retry-errors solves the failed runs again (they fail again), the others are kept
    again = run_sweep(case_dir, sweep, out, workers=1, retry_errors=True)
    assert again.solved == 2 and again.skipped == 2


def test_unknown_sweep_key_fails_before_solving(case_dir, tmp_path):
    sweep = write_sweep(tmp_path, "typo", {"technologies.solr.capex_per_kw": [1, 2]})
    with pytest.raises(CaseError) as exc:
        run_sweep(case_dir, sweep, tmp_path / "out", workers=1)
    p = exc.value.problems[0]
    assert p.file == str(sweep) and "'technologies.solr.capex_per_kw'" in p.message
    assert not (tmp_path / "out" / "runs").exists() or not any((tmp_path / "out" / "runs")
                                                               .iterdir())
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"name": "x", "gird": {}, "samples": {"n": 0}}))
    with pytest.raises(CaseError) as exc:
        load_sweep(bad)
    text = str(exc.value)
    assert "unknown key 'gird'" in text and "samples.n" in text and str(bad) in text


def test_samples_scale_keys_and_run_ids(case_dir, tmp_path):
    spec = {"name": "s", "grid": {"policies.co2_price_per_t": [0, 10]},
            "samples": {"n": 3, "seed": 7, "uniform": {"scale.compute_demand.it_mw": [0.8, 1.5]},
                        "choice": {"technologies.solar.capex_per_kw": [500, 700]}}}
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(spec))
    sw = load_sweep(path)
    points = expand(sw)
    assert len(points) == 6  # grid 2 × 3 samples
    assert points == expand(load_sweep(path))  # seeded
    factors = [p["scale.compute_demand.it_mw"] for p in points]
    assert all(0.8 <= f <= 1.5 for f in factors) and len(set(factors)) == 3
    runs = plan_sweep(case_dir, sw, tmp_path / "out")
    assert len({r.run_id for r in runs}) == 6
    assert [r.run_id for r in runs] == [r.run_id for r in plan_sweep(case_dir, sw, tmp_path)]
    override = runs[0].scenarios[-1]
    assert "compute_demand.it_mw" in override["scale"]
    assert set(override["set"]) == {"policies.co2_price_per_t",
                                    "technologies.solar.capex_per_kw"}
    # the id changes with the case data and with the solver options
    rid = make_run_id("a", runs[0].scenarios, None, "v")
    assert rid != make_run_id("b", runs[0].scenarios, None, "v")
    assert rid != make_run_id("a", runs[0].scenarios, {"mip_gap": 0.1}, "v")
    assert rid == make_run_id("a", runs[0].scenarios, None, "v")


def test_compare_writes_runs_comparison_and_chart(case_dir, tmp_path, monkeypatch):
    # the PNG fallback (model.report's HTML comparison is tested with that module)
    monkeypatch.setitem(sys.modules, "model.report.html", None)
    a = tmp_path / "cheap.yaml"
    a.write_text(yaml.safe_dump({"name": "cheap-solar",
                                 "set": {"technologies.solar.capex_per_kw": 200}}))
    b = tmp_path / "carbon.yaml"
    b.write_text(yaml.safe_dump({"name": "carbon", "set": {"policies.co2_price_per_t": 200}}))
    out = tmp_path / "cmp"
    res = compare(case_dir, [a, b], out, base=True)
    assert res.names == ["base", "cheap-solar", "carbon"]
    df = pd.read_csv(out / "comparison.csv")
    assert df["scenario"].tolist() == res.names and (df["status"] == "optimal").all()
    for col in ("objective", "cost_capex_generation", "sites_built", "it_mw_built",
                "new_generation_mw", "new_storage_mw", "new_transmission_mw", "emissions_t",
                "average_price_per_mwh", "power_cost_per_mwh_it", "mip_gap",
                "it_mwh_west_train"):
        assert col in df, col
    for name in res.names:
        assert (out / name / "summary.json").exists()
        alone = run(case_dir, [] if name == "base" else [a if name == "cheap-solar" else b],
                    write=False)
        assert df.set_index("scenario").at[name, "objective"] == pytest.approx(
            alone.objective, rel=1e-9)
    by_name = df.set_index("scenario")
    assert by_name.at["carbon", "cost_co2_price"] > 0
    assert by_name.at["carbon", "objective"] > by_name.at["base", "objective"]
    assert by_name.at["cheap-solar", "objective"] < by_name.at["base", "objective"]
    assert res.chart == out / "comparison.png" and res.chart.stat().st_size > 10_000
    con = duckdb.connect(str(res.catalog), read_only=True)
    assert sorted(r[0] for r in con.sql("SELECT run_id FROM runs").fetchall()) == sorted(
        res.names)
    con.close()
    # an invalid scenario: nothing is solved, every problem is listed
    typo = tmp_path / "typo.yaml"
    typo.write_text(yaml.safe_dump({"set": {"technologies.solr.capex_per_kw": 1}}))
    with pytest.raises(CaseError, match="solr"):
        compare(case_dir, [a, typo], tmp_path / "cmp2")
    assert not (tmp_path / "cmp2").exists()


def test_catalog_rebuild_ignores_incomplete_folders(six, tmp_path):
    _, _, out, _ = six
    runs = out / "runs"
    stale = runs / ".deadbeef.tmp-1-abc"
    stale.mkdir()
    (stale / "sites.csv").write_text("site\nx\n")
    half = runs / "halfdone"
    half.mkdir()
    (half / "sites.csv").write_text("site\nx\n")  # no summary.json: not complete
    try:
        db = build_catalog(out)
        con = duckdb.connect(str(db), read_only=True)
        assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == 6
        assert con.execute("SELECT count(DISTINCT run_id) FROM sites").fetchone()[0] == 6
        con.close()
    finally:
        for p in (stale, half):
            for f in p.iterdir():
                f.unlink()
            p.rmdir()


def test_command_line_sweep_and_compare(case_dir, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from model.cli import app

    runner = CliRunner()
    sweep = write_sweep(tmp_path, "cli", {"policies.co2_price_per_t": [0, 100]})
    out = tmp_path / "out"
    r = runner.invoke(app, ["sweep", str(case_dir), str(sweep), "--out", str(out), "--dry-run"])
    assert r.exit_code == 0, r.output
    assert "2 run(s)" in r.output and not (out / "runs").exists()
    r = runner.invoke(app, ["sweep", str(case_dir), str(sweep), "--out", str(out),
                            "--workers", "1"])
    assert r.exit_code == 0, r.output
    assert "2 solved" in r.output and (out / "catalog.duckdb").exists()
    r = runner.invoke(app, ["sweep", str(case_dir), str(sweep), "--out", str(out),
                            "--workers", "1"])
    assert "0 solved, 2 already done" in r.output
    typo = write_sweep(tmp_path, "typo", {"policies.co2_prise": [1]})
    r = runner.invoke(app, ["sweep", str(case_dir), str(typo), "--out", str(out)])
    assert r.exit_code == 2 and "co2_prise" in r.output
    scen = tmp_path / "carbon.yaml"
    scen.write_text(yaml.safe_dump({"name": "carbon", "set": {"policies.co2_price_per_t": 50}}))
    monkeypatch.setitem(sys.modules, "model.report.html", None)  # PNG chart: quicker
    r = runner.invoke(app, ["compare", str(case_dir), "-s", str(scen), "--out",
                            str(tmp_path / "cmp")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "cmp" / "carbon" / "summary.json").exists()
    assert (tmp_path / "cmp" / "comparison.csv").exists()
