"""Site power, grid connections and IT modules on cases a planner can check by hand.

The expert review of 2026-11 found four ways a site could have power without compute, or act
as a power plant while unbuilt. Each test below is the small case that showed it.

Discount rate 0 and lifetime 1 year: an overnight X per kW costs 1000·X per MW-year. One time
step stands for the whole year (8760 h) unless a test says otherwise.
"""

from __future__ import annotations

import numpy as np
import pytest
from casegen import tech, write_case

from model.studies.run import run

REL = 1e-7
HOURS = 8760.0


def _one_region(tmp_path, name, *, sites, compute=None, technologies=None, resources=None,
                load=100.0, vlc=1000.0, policies=None, steps=1, profiles=None, workloads=None):
    return write_case(
        tmp_path / name,
        regions=[{"id": "r", "lon": 0, "lat": 0}],
        load={"r": [load] * steps},
        technologies=technologies or [tech("hydro")],
        resources=resources or [{"node": "r", "tech": "hydro", "existing_mw": 10_000,
                                 "max_new_mw": 0}],
        sites=sites,
        centres=[{"id": "city", "lon": 0.1, "lat": 0}],
        compute_demand=compute,
        workloads=workloads or [{"class": "chat", "max_latency_ms": 50,
                                 "value_of_lost_compute_per_mwh": vlc}],
        profiles=profiles,
        config={"policies": policies or {}, "value_of_lost_load_per_mwh": 10_000.0},
    )


def test_site_without_power_sheds_compute_not_power(tmp_path):
    """100 MW existing IT, PUE 1.2, idle share 0.3, 50 MW grid limit, 100 MW of demand, the
    value of lost compute equal to the value of lost load (10 000, the default).

    Idle draw 1.2·0.3·100 = 36 MW leaves 14 MW for work: 14 / (1.2·0.7) = 16.667 MW of IT
    served, 83.333 MW of compute unserved. No site power is unserved; IT work ≤ what the
    connection powers. Review: main reported 613,200 MWh of site power unserved and
    876,000 MWh of IT work with no unserved compute.
    """
    sites = [{"id": "dc", "lon": 0.05, "lat": 0, "region": "r", "existing_it_mw": 100,
              "pue": 1.2, "idle_share": 0.3, "grid_limit_mw": 50}]
    res = run(_one_region(tmp_path, "short", sites=sites, vlc=10_000.0,
                          compute=[{"centre": "city", "class": "chat", "it_mw": 100}]),
              write=False)
    served = 14.0 / 0.84
    s = res.tables["sites"].set_index("site")
    assert s.loc["dc", "it_energy_mwh_per_year"] == pytest.approx(served * HOURS, rel=1e-7)
    assert res.summary["unserved_compute_mwh"] == pytest.approx((100 - served) * HOURS,
                                                                rel=1e-7)
    assert res.summary["unserved_energy_mwh"] == pytest.approx(0.0, abs=1e-6)
    assert s.loc["dc", "power_mwh_per_year"] == pytest.approx(50 * HOURS, rel=1e-7)
    assert res.objective == pytest.approx(10_000 * (100 - served) * HOURS, rel=1e-7)


def test_existing_it_beyond_its_supply_is_an_input_error(tmp_path):
    """Existing IT whose idle draw alone exceeds what its connection and on-site plant can
    ever carry (100 MW IT, idle 0.5, PUE 1: 50 MW against a 20 MW connection) is refused
    before any solve, naming the site's row and columns."""
    from model.inputs.problems import CaseError
    from model.studies.cases import load_case

    sites = [{"id": "dc", "lon": 0.05, "lat": 0, "region": "r", "existing_it_mw": 100,
              "pue": 1.0, "idle_share": 0.5, "grid_limit_mw": 20}]
    folder = _one_region(tmp_path, "idle", sites=sites,
                         compute=[{"centre": "city", "class": "chat", "it_mw": 1}])
    with pytest.raises(CaseError) as info:
        load_case(folder)
    text = str(info.value)
    assert "sites.geojson, row 1" in text and "existing_it_mw" in text
    assert "50" in text and "20" in text


def _power_plant_case(tmp_path, name, policies=None, demand=0.0, export=False):
    """Load 100 MW served by gas at 50/MWh; a candidate site 'dc' has cheap on-site solar
    (availability 1, 10 per kW-year) but no compute demand reaches it."""
    sites = [{"id": "dc", "lon": 0.05, "lat": 0, "region": "r", "pue": 1.0,
              "idle_share": 0.0, "capex_per_kw_it": 100, "fixed_cost": 1e6,
              "grid_export": export}]
    return _one_region(
        tmp_path, name, sites=sites,
        compute=[{"centre": "city", "class": "chat", "it_mw": demand}],
        technologies=[tech("gas", fuel_cost_per_mwh=50), tech("solar", capex_per_kw=10)],
        resources=[{"node": "r", "tech": "gas", "existing_mw": 200, "max_new_mw": 0},
                   {"node": "dc", "tech": "solar", "max_new_mw": 320}],
        policies=policies)


@pytest.mark.parametrize("policies", [None, {"forbidden_sites": ["dc"]}])
def test_unbuilt_site_is_not_a_power_plant(tmp_path, policies):
    """An unbuilt (or forbidden) site has no connection and no on-site capacity. Review: a
    forbidden site got 320 MW of new solar and exported 586 GWh a year."""
    res = run(_power_plant_case(tmp_path, "plant", policies), write=False)
    cap = res.tables["capacity"].set_index(["node", "tech"])
    s = res.tables["sites"].set_index("site")
    assert s.loc["dc", "built"] == 0
    assert cap.loc[("dc", "solar"), "new_mw"] == pytest.approx(0.0, abs=1e-6)
    assert s.loc["dc", "grid_export_mwh_per_year"] == pytest.approx(0.0, abs=1e-6)
    assert res.objective == pytest.approx(100 * HOURS * 50, rel=REL)


def test_built_site_exports_through_a_connection_sized_for_its_draw(tmp_path):
    """A site whose connection may export (grid_export: true), once built for 1 MW of
    demand, exports on-site solar only through its grid connection, which is sized for the
    site's draw (PUE × IT = 1 MW): 2 MW of solar, 1 MW for the site and 1 MW exported.
    (By default a data centre's connection is a load connection and exports nothing.)"""
    res = run(_power_plant_case(tmp_path, "export", demand=1.0, export=True), write=False)
    cap = res.tables["capacity"].set_index(["node", "tech"])
    s = res.tables["sites"].set_index("site")
    assert s.loc["dc", "built"] == 1
    assert cap.loc[("dc", "solar"), "new_mw"] == pytest.approx(2.0, rel=1e-7)
    assert s.loc["dc", "grid_export_mwh_per_year"] == pytest.approx(HOURS, rel=1e-7)


def test_max_new_load_counts_imports_not_net_of_other_sites_exports(tmp_path):
    """Two sites in one region under a 60 MW new-load cap. Site 'a' needs 100 MW and has no
    on-site supply; site 'b' (an existing 1 MW site with a 100 MW connection, out of the
    chat class's 5 ms reach) has 500 MW of existing on-site gas. Exports of 'b' must not make
    room for imports of 'a': 'a' imports at most 60 MW and sheds the rest of its compute.
    Review: the cap was on net imports, so the answer depended on where gas was attached."""
    sites = [{"id": "a", "lon": 0.05, "lat": 0, "region": "r", "pue": 1.0, "idle_share": 0.0},
             {"id": "b", "lon": 3.0, "lat": 0, "region": "r", "pue": 1.0, "idle_share": 0.0,
              "existing_it_mw": 1, "grid_existing_mw": 100, "grid_export": True}]
    res = run(_one_region(
        tmp_path, "cap", sites=sites,
        compute=[{"centre": "city", "class": "chat", "it_mw": 100}],
        workloads=[{"class": "chat", "max_latency_ms": 5, "value_of_lost_compute_per_mwh": 10}],
        technologies=[tech("hydro", var_om_per_mwh=1), tech("gas", var_om_per_mwh=2)],
        resources=[{"node": "r", "tech": "hydro", "existing_mw": 10_000, "max_new_mw": 0},
                   {"node": "b", "tech": "gas", "existing_mw": 500, "max_new_mw": 0}],
        policies={"max_new_load_mw": {"r": 60}}), write=False)
    s = res.tables["sites"].set_index("site")
    assert s.loc["a", "grid_import_mwh_per_year"] == pytest.approx(60 * HOURS, rel=1e-7)
    assert res.summary["unserved_compute_mwh"] == pytest.approx(40 * HOURS, rel=1e-7)


def test_modules_apply_to_new_it_only(tmp_path):
    """30 MW existing IT, 50 MW modules, 20 MW demand: nothing new is bought. Review: main
    forced 20 MW of new IT so that IT was a whole number of modules."""
    sites = [{"id": "dc", "lon": 0.05, "lat": 0, "region": "r", "existing_it_mw": 30,
              "module_mw": 50, "capex_per_kw_it": 100, "pue": 1.0, "idle_share": 0.0}]
    res = run(_one_region(tmp_path, "mod", sites=sites,
                          compute=[{"centre": "city", "class": "chat", "it_mw": 20}]),
              write=False)
    s = res.tables["sites"].set_index("site")
    assert s.loc["dc", "it_mw"] == pytest.approx(30.0)
    assert res.objective == pytest.approx(0.0, abs=1e-6)


def test_modules_on_top_of_existing_it(tmp_path):
    """30 MW existing + 50 MW modules, 70 MW demand: one module (80 MW in all)."""
    sites = [{"id": "dc", "lon": 0.05, "lat": 0, "region": "r", "existing_it_mw": 30,
              "module_mw": 50, "capex_per_kw_it": 100, "pue": 1.0, "idle_share": 0.0,
              "lifetime_years": 1}]
    res = run(_one_region(tmp_path, "mod2", sites=sites,
                          compute=[{"centre": "city", "class": "chat", "it_mw": 70}]),
              write=False)
    assert res.tables["sites"].set_index("site").loc["dc", "it_mw"] == pytest.approx(80.0)
    assert res.objective == pytest.approx(50 * 100_000, rel=REL)


def test_grid_connection_has_a_cost_per_mw(tmp_path):
    """A connection at 20 per kW-year (lifetime 1): 100 MW of IT at PUE 1.1 needs a 110 MW
    connection; on-site gas at 30 per kW-year is dearer, so the grid carries it all."""
    sites = [{"id": "dc", "lon": 0.05, "lat": 0, "region": "r", "pue": 1.1,
              "idle_share": 0.0, "grid_cost_per_kw": 20, "grid_lifetime_years": 1}]
    res = run(_one_region(
        tmp_path, "conn", sites=sites,
        compute=[{"centre": "city", "class": "chat", "it_mw": 100}],
        technologies=[tech("hydro"), tech("gas", capex_per_kw=30)],
        resources=[{"node": "r", "tech": "hydro", "existing_mw": 10_000, "max_new_mw": 0},
                   {"node": "dc", "tech": "gas"}]), write=False)
    s = res.tables["sites"].set_index("site")
    assert s.loc["dc", "grid_connection_mw"] == pytest.approx(110.0, rel=1e-7)
    assert res.summary["costs"]["capex_grid_connections"] == pytest.approx(110 * 20_000,
                                                                           rel=1e-7)


def test_site_means_are_weighted_by_step_hours(tmp_path):
    """Two steps standing for 8000 h and 760 h: utilisation and mean PUE in sites.csv are
    weighted by the hours each step stands for (review: they were plain means of steps)."""
    import dataclasses

    from model.studies.cases import load_case

    sites = [{"id": "dc", "lon": 0.05, "lat": 0, "region": "r", "existing_it_mw": 100,
              "pue": 1.2, "idle_share": 0.0, "capex_per_kw_it": 100}]
    folder = _one_region(tmp_path, "weights", sites=sites, steps=2,
                         compute=[{"centre": "city", "class": "chat", "it_mw": 100,
                                   "profile": "p"}])
    (folder / "compute_profiles.csv").write_text("time,p\n0,1.0\n1,0.0\n")
    (folder / "pue.csv").write_text("time,dc\n0,1.1\n1,1.5\n")
    case = dataclasses.replace(load_case(folder), weights=np.array([8000.0, 760.0]))
    res = run(case, write=False)
    s = res.tables["sites"].set_index("site")
    assert s.loc["dc", "utilisation"] == pytest.approx(8000 / 8760, rel=1e-9)
    assert s.loc["dc", "pue_mean"] == pytest.approx((1.1 * 8000 + 1.5 * 760) / 8760, rel=1e-9)


def test_existing_it_fixed_om_is_reported(tmp_path):
    """Existing IT's fixed O&M (100 MW × 50 per kW-year) is in the reported fixed costs."""
    sites = [{"id": "dc", "lon": 0.05, "lat": 0, "region": "r", "existing_it_mw": 100,
              "fixed_om_per_kw_it_year": 50, "pue": 1.0, "idle_share": 0.0}]
    res = run(_one_region(tmp_path, "fom", sites=sites,
                          compute=[{"centre": "city", "class": "chat", "it_mw": 10}]),
              write=False)
    assert res.summary["costs"]["existing_fixed_om (not in objective)"] == pytest.approx(
        100 * 50_000, rel=1e-9)
