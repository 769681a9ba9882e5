"""Data-centre siting, latency, modules and flexibility on hand-solvable cases.

Discount rate 0 and lifetime 1 year: an overnight X per kW IT costs 1000·X per MW-year.
Power is free (existing zero-cost generation) unless a test says otherwise, so objectives are
IT capital costs that can be written down by hand.
"""

from __future__ import annotations

import numpy as np
import pytest
from casegen import tech, write_case

from model.inputs.derived import latency_matrix
from model.solve.highs import solve
from model.solve.milp import solve_fixed
from model.studies.cases import load_case
from model.studies.run import run

REL = 1e-7
FREE_POWER = [tech("hydro")]


def _base(tmp_path, name, *, sites, compute, workloads, centres=None, regions=None,
          resources=None, load=None, steps=4, technologies=None, profiles=None, config=None):
    regions = regions or [{"id": "east", "lon": 120, "lat": 31},
                          {"id": "west", "lon": 105, "lat": 36}]
    return write_case(
        tmp_path / name,
        regions=regions,
        load=load or {r["id"]: [0.0] * steps for r in regions},
        technologies=technologies or FREE_POWER,
        resources=resources or [{"node": r["id"], "tech": "hydro", "existing_mw": 10_000,
                                 "max_new_mw": 0} for r in regions],
        sites=sites,
        centres=centres or [{"id": "city", "lon": 121, "lat": 31}],
        compute_demand=compute,
        workloads=workloads,
        profiles=profiles,
        config=config,
    )


SITES = [
    {"id": "near", "lon": 120.5, "lat": 31, "region": "east", "capex_per_kw_it": 10,
     "lifetime_years": 1, "pue": 1.0},
    {"id": "far", "lon": 105, "lat": 36, "region": "west", "capex_per_kw_it": 5,
     "lifetime_years": 1, "pue": 1.0},
]


def test_latency_formula(tmp_path):
    case = load_case(_base(tmp_path, "lat", sites=SITES,
                           compute=[{"centre": "city", "class": "chat", "it_mw": 1}],
                           workloads=[{"class": "chat", "max_latency_ms": 10}],
                           config={"latency": {"base_ms": 3, "route_factor": 1.5,
                                               "fibre_km_per_ms": 200}}))
    lat = latency_matrix(case)
    # near: 0.5° of longitude at 31°N ≈ 47.6 km → 3 + 2·1.5·47.64/200 = 3.7146 ms
    assert lat.loc["city", "near"] == pytest.approx(3 + 3 * 47.64 / 200, rel=1e-3)
    assert lat.loc["city", "far"] > 20


@pytest.mark.parametrize("limit_ms, site, cost", [(10, "near", 10_000), (1000, "far", 5_000)])
def test_latency_limit_decides_site(tmp_path, limit_ms, site, cost):
    """Tight latency forces the costly near site; a relaxed limit moves work to the cheap one."""
    case = _base(tmp_path, f"lat{limit_ms}", sites=SITES,
                 compute=[{"centre": "city", "class": "chat", "it_mw": 100}],
                 workloads=[{"class": "chat", "max_latency_ms": limit_ms}])
    res = run(case, write=False)
    sites = res.tables["sites"].set_index("site")
    assert sites.loc[site, "built"] == 1 and sites.loc[site, "it_mw"] == pytest.approx(100)
    assert sites["built"].sum() == 1
    assert res.objective == pytest.approx(100 * cost, rel=REL)
    a = res.tables["assignment"]
    assert set(a["site"]) == {site}
    assert (a["latency_ms"] <= limit_ms).all()


def test_module_size_makes_one_big_site_cheaper(tmp_path):
    """Two centres of 60 MW, modules of 130 MW: one site with one module (130 MW) beats two
    sites with a module each (260 MW)."""
    sites = [{"id": s, "lon": lon, "lat": 31, "region": "east", "capex_per_kw_it": 10,
              "lifetime_years": 1, "pue": 1.0, "module_mw": 130}
             for s, lon in (("s1", 119.0), ("s2", 121.0))]
    case = _base(tmp_path, "modules", sites=sites,
                 centres=[{"id": "c1", "lon": 119.1, "lat": 31},
                          {"id": "c2", "lon": 120.9, "lat": 31}],
                 compute=[{"centre": "c1", "class": "chat", "it_mw": 60},
                          {"centre": "c2", "class": "chat", "it_mw": 60}],
                 workloads=[{"class": "chat", "max_latency_ms": 50}])
    res = run(case, write=False)
    s = res.tables["sites"]
    assert s["built"].sum() == 1
    assert s["it_mw"].sum() == pytest.approx(130)
    assert res.objective == pytest.approx(130 * 10_000, rel=REL)


@pytest.mark.parametrize("fixed_cost", [0.0, 2_000_000.0])
def test_fixed_cost_consolidates(tmp_path, fixed_cost):
    """Each centre has its own site (s_i 0.3 ms cheaper for c_i via a tiny latency cost); a
    fixed cost per site makes the model serve both centres from one site."""
    sites = [{"id": s, "lon": lon, "lat": 31, "region": "east", "capex_per_kw_it": 10,
              "lifetime_years": 1, "pue": 1.0, "fixed_cost": fixed_cost}
             for s, lon in (("s1", 119.0), ("s2", 121.0))]
    case = _base(tmp_path, f"fixed{fixed_cost:.0f}", sites=sites,
                 centres=[{"id": "c1", "lon": 119.0, "lat": 31},
                          {"id": "c2", "lon": 121.0, "lat": 31}],
                 compute=[{"centre": "c1", "class": "chat", "it_mw": 60},
                          {"centre": "c2", "class": "chat", "it_mw": 40}],
                 workloads=[{"class": "chat", "max_latency_ms": 50}],
                 config={"latency": {"cost_per_mwh_ms": 0.01}})
    res = run(case, write=False)
    s = res.tables["sites"].set_index("site")
    a = res.tables["assignment"]
    if fixed_cost:
        assert s["built"].sum() == 1
        # the bigger centre's site is kept: only the 40 MW centre pays the long latency
        assert s.loc["s1", "built"] == 1
        lat = latency_matrix(load_case(case))
        extra = 8760 * 0.01 * (60 * lat.loc["c1", "s1"] + 40 * lat.loc["c2", "s1"])
        assert res.objective == pytest.approx(100 * 10_000 + fixed_cost + extra, rel=1e-6)
    else:
        assert s["built"].sum() == 2
        assert set(zip(a["centre"], a["site"], strict=True)) == {("c1", "s1"), ("c2", "s2")}


def test_flexible_training_follows_solar(tmp_path):
    """An off-grid site with on-site solar only (available in steps 2-3 of a 4-step window):
    fully flexible training runs only when the sun shines; inflexible work cannot."""
    sites = [{"id": "solar_dc", "lon": 105, "lat": 36, "region": "west", "pue": 1.0,
              "idle_share": 0.0, "grid_limit_mw": 0, "lifetime_years": 1}]
    common = dict(
        sites=sites, regions=[{"id": "west", "lon": 105, "lat": 36}],
        centres=[{"id": "city", "lon": 105.5, "lat": 36}],
        compute=[{"centre": "city", "class": "train", "it_mw": 10}],
        technologies=[tech("solar", capex_per_kw=100)],
        resources=[{"node": "solar_dc", "tech": "solar"}, {"node": "west", "tech": "solar",
                                                            "max_new_mw": 0}],
        profiles={"solar_dc:solar": [0, 0, 1, 1]},
        config={"value_of_lost_load_per_mwh": 1e6},
    )
    flex = run(_base(tmp_path, "flex", workloads=[
        {"class": "train", "max_latency_ms": 1000, "flexible_share": 1.0, "window_hours": 4,
         "value_of_lost_compute_per_mwh": 1e5}], **common), write=False)
    disp = flex.tables["dispatch"]
    np.testing.assert_allclose(disp["solar_dc:dc_power"], [0, 0, 20, 20], atol=1e-6)
    assert flex.objective == pytest.approx(20 * 100_000, rel=REL)
    stiff = run(_base(tmp_path, "stiff", workloads=[
        {"class": "train", "max_latency_ms": 1000, "flexible_share": 0.0,
         "value_of_lost_compute_per_mwh": 1e5}], **common), write=False)
    # inflexible: half the work cannot be done in the dark (10 MW × 2 of 4 steps)
    w = 8760 / 4
    assert stiff.summary["unserved_compute_mwh"] == pytest.approx(20 * w, rel=1e-9)
    assert stiff.objective == pytest.approx(10 * 100_000 + 20 * w * 1e5, rel=REL)


def test_grid_limit_forces_on_site_generation(tmp_path):
    """100 MW of IT (PUE 1.1, no idle draw) behind a 50 MW grid connection: 60 MW on-site gas."""
    sites = [{"id": "dc", "lon": 120.5, "lat": 31, "region": "east", "pue": 1.1,
              "idle_share": 0.0, "grid_limit_mw": 50, "lifetime_years": 1}]
    case = _base(tmp_path, "gridlimit", sites=sites,
                 regions=[{"id": "east", "lon": 120, "lat": 31}],
                 compute=[{"centre": "city", "class": "chat", "it_mw": 100}],
                 workloads=[{"class": "chat", "max_latency_ms": 50}],
                 technologies=[tech("grid_gen", var_om_per_mwh=10),
                               tech("gas", capex_per_kw=50, var_om_per_mwh=40)],
                 resources=[{"node": "east", "tech": "grid_gen", "existing_mw": 1000,
                             "max_new_mw": 0},
                            {"node": "dc", "tech": "gas"}])
    res = run(case, write=False)
    cap = res.tables["capacity"].set_index(["node", "tech"])
    assert cap.loc[("dc", "gas"), "new_mw"] == pytest.approx(60, rel=1e-7)
    assert res.objective == pytest.approx(60 * 50_000 + 8760 * (50 * 10 + 60 * 40), rel=REL)


def test_idle_share_and_pue_in_site_power(tmp_path):
    """Site power = PUE·(idle·IT + (1 − idle)·served); served 50 of 100 MW IT half the time."""
    sites = [{"id": "dc", "lon": 120.5, "lat": 31, "region": "east", "pue": 1.25,
              "idle_share": 0.4, "min_it_mw": 100, "lifetime_years": 1}]
    case = _base(tmp_path, "idle", sites=sites, regions=[{"id": "east", "lon": 120, "lat": 31}],
                 compute=[{"centre": "city", "class": "chat", "it_mw": 75, "profile": ""}],
                 workloads=[{"class": "chat", "max_latency_ms": 50}],
                 technologies=[tech("gen", var_om_per_mwh=10)],
                 resources=[{"node": "east", "tech": "gen", "existing_mw": 1000,
                             "max_new_mw": 0}])
    res = run(case, write=False)
    power = res.tables["dispatch"]["dc:dc_power"].to_numpy()
    np.testing.assert_allclose(power, 1.25 * (0.4 * 100 + 0.6 * 75), rtol=1e-9)


def test_milp_equals_lp_with_integers_fixed():
    """The fixed-integer LP re-solve reproduces the MILP objective (prices come from it)."""
    from pathlib import Path

    from model.formulation.build import build

    case = load_case(Path(__file__).resolve().parents[2] / "data" / "cases" / "two-region")
    ctx = build(case)
    mip = solve(ctx.lp, {"mip_gap": 1e-9})
    assert mip.status == "optimal" and ctx.lp.is_mip
    lp = solve_fixed(ctx.lp, mip.x)
    assert lp.status == "optimal" and lp.row_duals is not None
    assert lp.objective == pytest.approx(mip.objective, rel=1e-9)


def test_forced_open_sites_equal_fixed_capacity_lp(tmp_path):
    """Sites forced open at a fixed size (min = max IT, MILP) cost the same as existing IT of
    that size plus the annualised capital cost written by hand (LP, no integers)."""
    sites = [dict(s, min_it_mw=100, max_it_mw=100, fixed_cost=1e6) for s in SITES]
    kw = dict(compute=[{"centre": "city", "class": "train", "it_mw": 150}],
              workloads=[{"class": "train", "max_latency_ms": 1000}],
              config={"policies": {}})
    forced = run(_base(tmp_path, "forced", sites=[dict(s, existing_it_mw=0) for s in sites],
                       **kw), write=False)
    assert forced.tables["sites"]["built"].sum() == 2  # 150 MW needs both
    fixed = run(_base(tmp_path, "fixedcap", sites=[dict(s, existing_it_mw=100)
                                                    for s in sites], **kw), write=False)
    lb, ub, integer = fixed.context.lp.col_bounds()
    assert np.all(lb[integer] == ub[integer])  # nothing left to decide but continuous ops
    assert forced.objective == pytest.approx(
        fixed.objective + 2 * 1e6 + 100 * 10_000 + 100 * 5_000, rel=REL)


def test_case_without_sites_reproduces_core(tmp_path):
    """Adding sites with no compute demand changes nothing."""
    core = dict(regions=[{"id": "r", "lon": 0, "lat": 0}], load={"r": [10, 20]},
                technologies=[tech("gas", capex_per_kw=30, var_om_per_mwh=20)],
                resources=[{"node": "r", "tech": "gas"}])
    plain = run(write_case(tmp_path / "plain", **core), write=False)
    with_sites = run(write_case(
        tmp_path / "sites", **core,
        sites=[{"id": "dc", "lon": 0.1, "lat": 0, "fixed_cost": 1e6, "capex_per_kw_it": 9}]),
        write=False)
    assert with_sites.objective == pytest.approx(plain.objective, rel=1e-12)
    assert with_sites.tables["sites"]["built"].sum() == 0


def test_site_region_from_spatial_join(tmp_path):
    """A site without a region gets the polygon it lies in; outside all, the nearest (warned)."""
    import json

    folder = write_case(tmp_path / "join", regions=[{"id": "a", "lon": 0, "lat": 0}],
                        load={"a": [1.0]}, technologies=[tech("g")],
                        resources=[{"node": "a", "tech": "g", "existing_mw": 5}],
                        sites=[{"id": "inside", "lon": 1, "lat": 1},
                               {"id": "outside", "lon": 15.5, "lat": 1}])
    squares = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {
        "name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}, "features": [
        {"type": "Feature", "properties": {"id": rid}, "geometry": {
            "type": "Polygon", "coordinates": [[[x0, -5], [x0 + 10, -5], [x0 + 10, 5],
                                                [x0, 5], [x0, -5]]]}}
        for rid, x0 in (("a", -5), ("b", 5))]}
    (folder / "regions.geojson").write_text(json.dumps(squares))
    with pytest.warns(UserWarning, match="outside every region"):
        case = load_case(folder)
    assert case.sites.loc["inside", "region"] == "a"
    assert case.sites.loc["outside", "region"] == "b"
    # far outside every region (> 100 km): an error naming the file, row and column
    sites = json.loads((folder / "sites.geojson").read_text())
    sites["features"][1]["geometry"]["coordinates"] = [40, 1]
    (folder / "sites.geojson").write_text(json.dumps(sites))
    from model.inputs.problems import CaseError

    with pytest.raises(CaseError, match=r"sites.geojson, row 2, column 'geometry': 'outside' "
                                        r"lies \d+ km outside every region"):
        load_case(folder)
