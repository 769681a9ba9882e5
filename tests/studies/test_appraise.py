"""``python solve.py appraise``: paired runs of one site, forced in and kept out.

The case is the three-site case of tests/formulation/test_required_sites.py: 10 MW of compute,
free power, sites a, b, c at 5, 6 and 7 per kW of IT (lifetime 1 year, discount rate 0, two
steps of 1000 h). The free plan builds a alone (50 000 per year); b forced in holds 1 MW and
a the other 9 MW: 51 000 per year, so forcing b in costs 1000 per year.
"""

from __future__ import annotations

import json
import sys

import pandas as pd
import pytest
from casegen import tech, write_case

from model.inputs.problems import CaseError
from model.studies.appraise import appraise, run_policies
from model.studies.cases import load_case
from model.studies.run import run

REL = 1e-7
PERIODS = {"periods": [2030, 2035], "decision_year": 2029, "base_year": 2030}


def _case(tmp_path, name="case", policies=None, config=None, *, lead_b=0.0, life=1.0):
    """12 MW of compute; 'old' is an existing 2 MW site (no capital in the objective) that
    serves 2 MW, so the candidates share the other 10 MW as in the module docstring."""
    sites = [{"id": s, "lon": 0.1 * (i + 1), "lat": 0, "region": "r", "pue": 1.0,
              "capex_per_kw_it": cost, "lifetime_years": life,
              "lead_time_years": lead_b if s == "b" else 0.0,
              **({"existing_it_mw": 2} if s == "old" else {})}
             for i, (s, cost) in enumerate((("a", 5), ("b", 6), ("c", 7), ("old", 9)))]
    return write_case(
        tmp_path / name, regions=[{"id": "r", "lon": 0, "lat": 0}], load={"r": [0.0, 0.0]},
        technologies=[tech("hydro")],
        resources=[{"node": "r", "tech": "hydro", "existing_mw": 1000, "max_new_mw": 0}],
        sites=sites, centres=[{"id": "city", "lon": 0.2, "lat": 0}],
        compute_demand=[{"centre": "city", "class": "chat", "it_mw": 12}],
        workloads=[{"class": "chat", "max_latency_ms": 50}],
        config={"time_step_weight_hours": 1000, "policies": policies or {}, **(config or {})})


def test_paired_runs_equal_two_direct_runs(tmp_path):
    folder = _case(tmp_path)
    res = appraise(folder, "b", free=True, report=False)
    direct_in = run(folder, [{"name": "in", "policies": {"required_sites": ["b"]}}],
                    write=False)
    direct_out = run(folder, [{"name": "out", "policies": {"forbidden_sites": ["b"]}}],
                     write=False)
    s = res.summary
    assert direct_in.objective == pytest.approx(51_000, rel=REL)
    assert direct_out.objective == pytest.approx(50_000, rel=REL)
    assert s["system_cost_in_minus_out"] == pytest.approx(
        direct_in.objective - direct_out.objective, rel=REL)
    assert s["system_cost_in_minus_free"] == pytest.approx(1000, rel=REL)
    assert s["built"] and not s["built_when_free"] and s["it_mw"] == pytest.approx(1.0)
    row = res.periods.iloc[0]
    assert row["built"] == 1 and row["grid_share"] == pytest.approx(1.0)
    assert row["on_site_share"] == pytest.approx(0.0)
    assert row["grid_import_mwh_per_year"] == pytest.approx(2000)  # 1 MW · 2000 h, PUE 1
    # a static case: the per-year system costs are the objectives
    assert row["system_cost_per_year_in_minus_out"] == pytest.approx(1000, rel=REL)


def test_paired_runs_keep_the_case_site_lists(tmp_path):
    """The case forbids b and c: the in-run frees b (c stays out), the out-run keeps both
    out; allowed_sites gains the site."""
    case = load_case(_case(tmp_path, policies={"forbidden_sites": ["b", "c"],
                                               "allowed_sites": ["a", "c", "old"]}))
    pol = run_policies(case, "b")
    assert pol["in"] == {"required_sites": ["b"], "forbidden_sites": ["c"],
                         "allowed_sites": ["a", "c", "old", "b"]}
    assert pol["out"] == {"required_sites": None, "forbidden_sites": ["c", "b"]}


def test_multi_period_time_to_power_and_discounted_difference(tmp_path):
    """Periods 2030/2035 (5 years each, W = 5, 5), lifetime 20: b (3-year campus) comes online
    for 2035, 6 years after the 2029 decision, at 1 MW: 300 per year in 2035, 1500 in all."""
    folder = _case(tmp_path, config=PERIODS, lead_b=3.0, life=20.0)
    res = appraise(folder, "b", out=tmp_path / "appraisal", report=False)
    s = res.summary
    assert s["multi_period"] and s["online_year"] == 2035 and s["time_to_power_years"] == 6
    assert s["system_cost_in_minus_out"] == pytest.approx(1500, rel=REL)
    table = pd.read_csv(tmp_path / "appraisal" / "appraisal.csv")
    assert list(table["period"]) == [2030, 2035] and list(table["built"]) == [0, 1]
    assert list(table["system_cost_per_year_in_minus_out"]) == pytest.approx([0, 300])
    saved = json.loads((tmp_path / "appraisal" / "appraisal.json").read_text())
    assert saved["system_cost_in_minus_out"] == pytest.approx(1500, rel=REL)
    for label in ("in", "out"):
        run_summary = json.loads((tmp_path / "appraisal" / label / "summary.json").read_text())
        assert run_summary["objective"] == pytest.approx(s["runs"][label]["objective"])
        assert (tmp_path / "appraisal" / label / "sites.csv").exists()


@pytest.mark.parametrize("site, match", [("zz", "unknown site 'zz'"),
                                         ("old", "existing_it_mw")])
def test_bad_site_is_an_input_error(tmp_path, site, match):
    with pytest.raises(CaseError, match=match):
        appraise(_case(tmp_path), site, report=False)


def test_command_line(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from model.cli import app

    monkeypatch.setitem(sys.modules, "model.report.html", None)  # no report: quicker
    folder = _case(tmp_path)
    r = CliRunner().invoke(app, ["appraise", str(folder), "--site", "b", "--out",
                                 str(tmp_path / "cli"), "--no-report"], terminal_width=160)
    assert r.exit_code == 0, r.output
    assert "System cost of forcing b in vs keeping it out: 1,000 EUR" in r.output
    for f in ("appraisal.json", "appraisal.csv", "in/summary.json", "out/summary.json"):
        assert (tmp_path / "cli" / f).exists()
    r = CliRunner().invoke(app, ["appraise", str(folder), "--site", "zz"])
    assert r.exit_code == 2 and "unknown site 'zz'" in r.output
