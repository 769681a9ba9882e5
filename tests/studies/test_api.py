"""The Python API (model.studies.api, ``import model as wb``) and its docs page.

``docs/api.md`` is executed: every ```python block, in order, in one namespace, on the small
two-region case (in a temporary folder that sees the repository's ``data/``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import model as wb
from model.inputs.problems import CaseError
from model.studies.editing import revalidate, to_raw
from model.studies.run import run

ROOT = Path(__file__).resolve().parents[2]
TWO_REGION = ROOT / "data" / "cases" / "two-region"


def python_blocks(page: Path) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", page.read_text(), flags=re.S | re.M)


def test_docs_api_page_runs(tmp_path, monkeypatch):
    blocks = python_blocks(ROOT / "docs" / "api.md")
    assert len(blocks) >= 7
    (tmp_path / "data").symlink_to(ROOT / "data")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "docs_api"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, block in enumerate(blocks):
            try:
                exec(compile(block, f"docs/api.md block {i + 1}", "exec"), namespace)
            except Exception as exc:
                raise AssertionError(f"docs/api.md block {i + 1} failed: {exc!r}\n{block}") \
                    from exc
    assert (tmp_path / "runs" / "two-region-api" / "summary.json").exists()
    assert (tmp_path / "runs" / "two-region-report" / "report.html").exists()


def test_import_model_is_light_and_solve_stays_callable():
    code = ("import sys, model; heavy = [m for m in ('numpy', 'pandas', 'highspy', 'pyomo') "
            "if m in sys.modules]; print(heavy); import model.solve.highs; "
            "print(callable(model.solve), model.solve.highs.__name__)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.stdout.split("\n")[:2] == ["[]", "True model.solve.highs"]


@pytest.fixture(scope="module")
def solved():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return wb.solve(TWO_REGION)


def test_solve_is_the_run_of_the_command_line(solved):
    direct = run(TWO_REGION, write=False)
    assert solved.objective == direct.objective
    assert sorted(solved.tables) == sorted(direct.tables)
    pd.testing.assert_frame_equal(solved.tables["sites"], direct.tables["sites"])
    assert solved.summary["inputs"]["case_path"] == str(TWO_REGION)
    assert solved.summary["inputs"]["in_memory_case"] is False


def test_save_and_open_run_give_the_same_tables(solved, tmp_path):
    folder = solved.save(tmp_path / "run", report=False)
    assert (folder / "summary.json").exists() and (folder / "highs.log").exists()
    assert not list(tmp_path.glob(".run.tmp-*"))  # written atomically, nothing left over
    again = wb.open_run(folder)
    assert again.summary["objective"] == solved.summary["objective"]
    assert sorted(again.summary) == sorted(solved.summary)
    assert sorted(again.tables) == sorted(solved.tables)
    for name, table in solved.tables.items():
        pd.testing.assert_frame_equal(again.tables[name].reset_index(drop=True),
                                      table.reset_index(drop=True), check_dtype=False,
                                      check_exact=False, rtol=1e-12, obj=name)
    assert again.case.name == solved.case.name
    assert type(again.map()).__name__ == "Figure"


def test_open_run_of_a_folder_without_a_case_path(solved, tmp_path):
    summary = {k: v for k, v in solved.summary.items() if k != "inputs"}
    folder = wb.Result(summary, solved.tables).save(tmp_path / "bare", report=False)
    again = wb.open_run(folder)
    with pytest.warns(UserWarning, match="not available"):
        assert again.case is None
    with pytest.raises(ValueError, match="no case"):
        again.map()


@pytest.mark.parametrize("case", ["two-region", "china", "us"])
def test_an_unedited_case_validates_to_itself(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = wb.load_case(ROOT / "data" / "cases" / case)
        again = revalidate(loaded)
    for name in ("regions", "sites", "demand_centres", "technologies", "resources",
                 "profiles", "corridors", "compute_demand", "workloads", "pue",
                 "compute_profiles", "load"):
        pd.testing.assert_frame_equal(pd.DataFrame(getattr(again, name)),
                                      pd.DataFrame(getattr(loaded, name)), obj=name)
    assert np.array_equal(again.weights, loaded.weights)
    for attr in ("config", "solver", "policies", "latency", "discount_rate"):
        assert getattr(again, attr) == getattr(loaded, attr)


def test_derived_fields_follow_an_edit_unless_set():
    case = wb.load_case(TWO_REGION)
    case.sites.loc["west_dc", "existing_it_mw"] = 10.0  # derived connection follows
    case.sites.loc["east_dc", "existing_it_mw"] = 10.0
    case.sites.loc["east_dc", "grid_existing_mw"] = 5.0  # set by the user: kept
    case.value_of_lost_load = 4000.0  # a field: written back to case.yaml's key
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        again = revalidate(case)
    pue = case.sites["pue"]
    assert again.sites.loc["west_dc", "grid_existing_mw"] == pytest.approx(10 * pue["west_dc"])
    assert again.sites.loc["east_dc", "grid_existing_mw"] == 5.0
    assert again.value_of_lost_load == 4000.0
    assert to_raw(case).config["value_of_lost_load_per_mwh"] == 4000.0


def test_an_invalid_edit_is_refused_with_file_row_and_column():
    case = wb.load_case(TWO_REGION)
    case.resources.loc[0, "tech"] = "coal"  # not a technology
    case.technologies.loc["gas", "lifetime_years"] = 0
    with pytest.raises(CaseError) as err:
        wb.solve(case)
    text = "\n".join(map(str, err.value.problems))
    assert "resources.csv" in text and "coal" in text
    assert "technologies.csv" in text and "lifetime_years" in text


def test_scenarios_apply_to_a_case_object_too():
    case = wb.load_case(TWO_REGION)
    scen = {"name": "dear-gas", "scale": {"technologies.gas.fuel_cost_per_mwh": 2.0}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = wb.solve(case, scenarios=[scen])
        b = wb.solve(TWO_REGION, scenarios=[scen])
    assert a.objective == pytest.approx(b.objective, rel=1e-9)
    assert a.summary["scenarios"] == ["dear-gas"]
    assert a.summary["inputs"]["scenarios"] == [scen]
