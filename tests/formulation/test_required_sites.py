"""``policies.required_sites`` on cases small enough to solve by hand.

Discount rate 0 and lifetime 1 year: an overnight X per kW costs 1000·X per MW-year. 10 MW of
compute at one city, free power; sites a, b, c cost 5, 6 and 7 per kW of IT, so the free plan
builds a alone (10 MW · 5000 = 50 000 per year).
"""

from __future__ import annotations

import pytest
from casegen import tech, write_case

from model.inputs.problems import CaseError
from model.studies.run import run

REL = 1e-7


def _three_sites(tmp_path, name, policies, *, config=None, lead_b=0.0, life=1.0):
    sites = [{"id": s, "lon": 0.1 * (i + 1), "lat": 0, "region": "r", "pue": 1.0,
              "capex_per_kw_it": cost, "lifetime_years": life,
              "lead_time_years": lead_b if s == "b" else 0.0}
             for i, (s, cost) in enumerate((("a", 5), ("b", 6), ("c", 7)))]
    return write_case(
        tmp_path / name, regions=[{"id": "r", "lon": 0, "lat": 0}], load={"r": [0.0, 0.0]},
        technologies=[tech("hydro")],
        resources=[{"node": "r", "tech": "hydro", "existing_mw": 1000, "max_new_mw": 0}],
        sites=sites, centres=[{"id": "city", "lon": 0.2, "lat": 0}],
        compute_demand=[{"centre": "city", "class": "chat", "it_mw": 10}],
        workloads=[{"class": "chat", "max_latency_ms": 50}],
        config={"time_step_weight_hours": 1000, "policies": policies, **(config or {})})


def test_free_plan_leaves_b_unbuilt(tmp_path):
    res = run(_three_sites(tmp_path, "free", {}), write=False)
    s = res.tables["sites"].set_index("site")
    assert s.loc["b", "built"] == 0 and s.loc["a", "it_mw"] == pytest.approx(10)
    assert res.objective == pytest.approx(50_000, rel=REL)


def test_required_site_is_built_at_its_smallest_size(tmp_path):
    """b forced in holds the smallest IT a built site may hold (1 MW); a serves the other
    9 MW: the cost rises by 1 MW · 1000 · (6 − 5) = 1000 per year."""
    res = run(_three_sites(tmp_path, "req", {"required_sites": ["b"]}), write=False)
    s = res.tables["sites"].set_index("site")
    assert s.loc["b", "built"] == 1 and s.loc["b", "it_mw"] == pytest.approx(1.0)
    assert s.loc["a", "it_mw"] == pytest.approx(9.0)
    assert res.objective == pytest.approx(51_000, rel=REL)
    assert res.summary["policies"]["required_sites"] == {"required_sites": ["b"],
                                                         "binding": True}


PERIODS = {"periods": [2030, 2035], "decision_year": 2029, "base_year": 2030}


def test_required_site_in_a_multi_period_case(tmp_path):
    """Periods 2030 and 2035, 5 years each, discount rate 0 (W = 5, 5); sites live 20 years,
    so a MW of IT costs 5000 / 20 = 250 per year at a, 300 at b. b's campus takes 3 years: it
    can only come online for 2035 (time to power 2035 − 2029 = 6 years). Free: a, 10 MW for
    10 years = 25 000. With b required: a still needs 10 MW in 2030 (a vintage lives on), and
    b adds its smallest size, 1 MW, for the 5 years of 2035: 25 000 + 300 · 1 · 5 = 26 500."""
    free = run(_three_sites(tmp_path, "mp-free", {}, config=PERIODS, lead_b=3.0, life=20.0),
               write=False)
    assert free.objective == pytest.approx(25_000, rel=REL)
    folder = _three_sites(tmp_path, "mp", {"required_sites": ["b"]}, config=PERIODS,
                          lead_b=3.0, life=20.0)
    res = run(folder, write=False)
    s = res.tables["sites"].set_index(["site", "period"])
    assert s.loc[("b", 2030), "built"] == 0 and s.loc[("b", 2035), "built"] == 1
    assert s.loc[("b", 2035), "online_year"] == 2035
    assert s.loc[("b", 2035), "time_to_power_years"] == pytest.approx(6)
    assert res.objective == pytest.approx(26_500, rel=REL)


@pytest.mark.parametrize("policies, match", [
    ({"required_sites": ["zz"]}, r"policies.required_sites.*'zz'"),
    ({"required_sites": ["b"], "forbidden_sites": ["b"]}, r"required_sites.*forbidden_sites"),
    ({"required_sites": ["b"], "allowed_sites": ["a"]}, r"required_sites.*allowed_sites"),
])
def test_bad_required_sites_name_the_key(tmp_path, policies, match):
    with pytest.raises(CaseError, match=match):
        run(_three_sites(tmp_path, "bad", policies), write=False)


def test_required_site_that_cannot_be_online_in_time(tmp_path):
    folder = _three_sites(tmp_path, "late", {"required_sites": ["b"]}, config=PERIODS,
                          lead_b=10.0, life=20.0)
    with pytest.raises(CaseError, match=r"policies.required_sites.*'b'.*last period"):
        run(folder, write=False)
