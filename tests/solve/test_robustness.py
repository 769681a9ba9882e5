"""Atomic run folders, determinism, time limits."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from model.studies.run import run

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "data" / "cases" / "two-region"


def test_killed_run_leaves_nothing_complete(tmp_path):
    out = tmp_path / "run"
    env = {**os.environ, "WATTBIT_TEST_WRITE_DELAY_S": "30"}
    proc = subprocess.Popen([sys.executable, str(ROOT / "solve.py"), str(EXAMPLE), "--out",
                             str(out), "--quiet"], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # wait until the temporary folder holds the tables (the writer is then sleeping)
    deadline = time.time() + 120
    while time.time() < deadline:
        tmps = list(tmp_path.glob(".run.tmp-*"))
        if tmps and (tmps[0] / "dispatch.csv").exists():
            break
        time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("the run never reached the write stage")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not out.exists()
    assert not list(tmp_path.rglob("summary.json"))
    # rerunning the same command is safe and cleans up the dead run's temporary folder
    done = subprocess.run([sys.executable, str(ROOT / "solve.py"), str(EXAMPLE), "--out",
                           str(out), "--quiet"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads((out / "summary.json").read_text())["status"] == "optimal"
    assert not list(tmp_path.glob(".run.tmp-*"))


def test_same_case_same_answer():
    a = run(EXAMPLE, write=False)
    b = run(EXAMPLE, write=False)
    assert a.objective == b.objective
    for name in ("sites", "capacity", "corridors", "assignment"):
        num_a = a.tables[name].select_dtypes("number").to_numpy()
        num_b = b.tables[name].select_dtypes("number").to_numpy()
        np.testing.assert_array_equal(num_a, num_b, err_msg=name)


def test_rerun_into_existing_folder_replaces_it(tmp_path):
    out = tmp_path / "run"
    run(EXAMPLE, out=out)
    (out / "stray.txt").write_text("old")
    run(EXAMPLE, out=out)
    assert not (out / "stray.txt").exists()
    assert (out / "summary.json").exists()


def test_time_limit_returns_incumbent_or_says_none(tmp_path):
    res = run(EXAMPLE, write=False, solver_options={"time_limit_s": 1e-4})
    assert res.status == "time_limit"
    if res.objective is not None:
        assert res.summary["mip_gap"] is not None and res.summary["mip_gap"] >= 0
    else:
        assert "no feasible solution" in res.summary["message"] or "before any" in \
            res.summary["message"]


def test_infeasible_case_is_diagnosed(tmp_path):
    """A clean-energy share of 100 % with no clean technology cannot be met: the run says so
    and names the constraints involved (HiGHS's irreducible infeasible subset)."""
    from casegen import tech, write_case
    from typer.testing import CliRunner

    from model.cli import app

    folder = write_case(tmp_path / "case", regions=[{"id": "r", "lon": 0, "lat": 0}],
                        load={"r": [10.0, 20.0]},
                        technologies=[tech("gas", capex_per_kw=10, var_om_per_mwh=30)],
                        resources=[{"node": "r", "tech": "gas"}],
                        config={"policies": {"clean_share": 1.0}})
    res = run(folder, write=False)
    assert res.status == "infeasible"
    text = " ".join(res.summary["diagnosis"])
    assert "clean_share" in text and "cannot all hold" in text
    result = CliRunner().invoke(app, ["run", str(folder), "--out", str(tmp_path / "run")])
    assert result.exit_code == 1
    assert "irreducible infeasible subset" in " ".join(result.output.split())
    assert "Traceback" not in result.output
