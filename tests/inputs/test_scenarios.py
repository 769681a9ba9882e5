"""Scenario overrides (model/scenarios.py): every kind of key, stacking, and errors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import yaml
from casegen import tech, write_case

from model.formulation import policies
from model.inputs.case import validate
from model.inputs.problems import CaseError
from model.inputs.read import read_raw
from model.studies.cases import apply_scenarios, load_case


def tiny_case(folder, steps: int = 4):
    """Two regions, gas/solar/battery, a corridor, two data-centre sites, two classes."""
    solar_e = [0.0, 0.5, 0.8, 0.2, 0.6, 0.1][:steps]
    solar_w = [0.0, 0.6, 0.9, 0.3, 0.7, 0.2][:steps]
    return write_case(
        folder,
        regions=[{"id": "east", "lon": 120, "lat": 31, "name": "East"},
                 {"id": "west", "lon": 105, "lat": 36, "name": "West"}],
        load={"east": [100.0, 120.0, 140.0, 110.0, 130.0, 90.0][:steps],
              "west": [20.0] * steps},
        technologies=[
            tech("gas", capex_per_kw=500, lifetime_years=20, fuel_cost_per_mwh=50,
                 co2_t_per_mwh=0.4, fixed_om_per_kw_year=10),
            tech("solar", capex_per_kw=600, lifetime_years=25, clean=True),
            tech("battery", kind="storage", capex_per_kw=100, lifetime_years=15,
                 capex_per_kwh=150, efficiency_charge=0.95, efficiency_discharge=0.95),
        ],
        resources=[
            {"node": "east", "tech": "gas", "existing_mw": 50, "max_new_mw": None},
            {"node": "east", "tech": "solar", "existing_mw": 0, "max_new_mw": 300},
            {"node": "east", "tech": "battery", "existing_mw": 0, "max_new_mw": 100},
            {"node": "west", "tech": "gas", "existing_mw": 10, "max_new_mw": 0},
            {"node": "west", "tech": "solar", "existing_mw": 0, "max_new_mw": 500},
        ],
        profiles={"east:solar": solar_e, "west:solar": solar_w},
        corridors=[{"from": "west", "to": "east", "existing_mw": 50, "max_new_mw": 200,
                    "cost_per_mw_km": 1.0, "lifetime_years": 40}],
        sites=[{"id": "east_dc", "lon": 120.5, "lat": 31, "region": "east",
                "capex_per_kw_it": 10, "pue": 1.2, "max_it_mw": 100},
               {"id": "west_dc", "lon": 105, "lat": 36, "region": "west",
                "capex_per_kw_it": 5, "pue": 1.1, "max_it_mw": 100}],
        centres=[{"id": "city", "lon": 121, "lat": 31, "name": "City"}],
        compute_demand=[{"centre": "city", "class": "chat", "it_mw": 10},
                        {"centre": "city", "class": "train", "it_mw": 20}],
        workloads=[{"class": "chat", "max_latency_ms": 10},
                   {"class": "train", "max_latency_ms": 1000, "flexible_share": 0.5,
                    "window_hours": 2}],
        config={"discount_rate": 0.05, "solver": {"mip_gap": 0.0}},
    )


@pytest.fixture(scope="module")
def case_dir(tmp_path_factory):
    folder = tiny_case(tmp_path_factory.mktemp("scn") / "tiny")
    n = 4
    pd.DataFrame({"time": range(n), "east_dc": [1.3] * n}).to_csv(folder / "pue.csv",
                                                                   index=False)
    pd.DataFrame({"time": range(n), "office": [0.5, 1.5, 1.5, 0.5]}).to_csv(
        folder / "compute_profiles.csv", index=False)
    return folder


@pytest.fixture()
def raw(case_dir):
    return read_raw(case_dir)


def _row(df, col, value):
    return df[df[col].astype(str) == value].iloc[0]


def scen(tmp_path, name, body: dict):
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(body))
    return path


# ---------------------------------------------------------------------------- cells
CELLS = [
    # key, value, (table, id columns -> id values, column)
    ("technologies.solar.capex_per_kw", 2800, ("technologies", {"tech": "solar"},
                                               "capex_per_kw")),
    ("resources.east:solar.max_new_mw", 500, ("resources", {"node": "east", "tech": "solar"},
                                             "max_new_mw")),
    ("corridors.west:east.max_new_mw", 75, ("corridors", {"from": "west", "to": "east"},
                                          "max_new_mw")),
    ("corridors.east:west.cost_per_mw_km", 3.5, ("corridors", {"from": "west", "to": "east"},
                                                "cost_per_mw_km")),  # either direction
    ("compute_demand.city:train.it_mw", 33, ("compute_demand",
                                             {"centre": "city", "class": "train"}, "it_mw")),
    ("workloads.train.flexible_share", 0.8, ("workloads", {"class": "train"},
                                             "flexible_share")),
    ("sites.west_dc.max_it_mw", 1000, ("sites", {"id": "west_dc"}, "max_it_mw")),
    ("sites.east_dc.group", "metro", ("sites", {"id": "east_dc"}, "group")),  # new column
    ("regions.east.name", "Eastern grid", ("regions", {"id": "east"}, "name")),
    ("demand_centres.city.name", "Big city", ("demand_centres", {"id": "city"}, "name")),
    ("load.2.east", 999, ("load", {"time": "2"}, "east")),
    ("profiles.1.west:solar", 0.25, ("profiles", {"time": "1"}, "west:solar")),
    ("pue.3.east_dc", 1.5, ("pue", {"time": "3"}, "east_dc")),
    ("compute_profiles.0.office", 0.7, ("compute_profiles", {"time": "0"}, "office")),
]


def _table(raw_case, name):
    return raw_case.geo[name] if name in raw_case.geo else raw_case.tables[name]


@pytest.mark.parametrize("key,value,where", CELLS, ids=[c[0] for c in CELLS])
def test_set_one_cell_in_each_table(raw, key, value, where):
    table, ids, col = where
    out = apply_scenarios(raw, [{"name": "x", "set": {key: value}}])
    df = _table(out, table)
    mask = np.ones(len(df), dtype=bool)
    for c, v in ids.items():
        mask &= (df[c].astype(str).str.strip() == v).to_numpy()
    assert mask.sum() == 1
    assert df.loc[mask, col].iloc[0] == value
    # every other row keeps its value
    before = _table(raw, table)
    if col in before.columns:
        pd.testing.assert_series_equal(
            before.loc[~mask, col].reset_index(drop=True).astype(object),
            df.loc[~mask, col].reset_index(drop=True).astype(object), check_names=False)
    validate(out)  # still a valid case


def test_set_whole_column_and_clear_a_value(raw):
    out = apply_scenarios(raw, [{"set": {"sites.pue": 1.05, "resources.east:gas.max_new_mw": 0,
                                         "resources.east:solar.max_new_mw": None}}])
    assert (out.geo["sites"]["pue"] == 1.05).all()
    res = out.tables["resources"]
    assert _row(res, "tech", "gas")["max_new_mw"] == 0
    assert math.isnan(res[(res["node"] == "east") & (res["tech"] == "solar")]
                      ["max_new_mw"].iloc[0])
    case = validate(out)
    assert np.isinf(case.resources.set_index(["node", "tech"]).at[("east", "solar"),
                                                                   "max_new_mw"])


def test_documented_column_is_created(raw):
    assert "capacity_credit" not in raw.tables["technologies"]
    out = apply_scenarios(raw, [{"set": {"technologies.gas.capacity_credit": 0.9,
                                         "sites.west_dc.module_mw": 10}}])
    t = out.tables["technologies"].set_index("tech")
    assert t.at["gas", "capacity_credit"] == 0.9
    assert t["capacity_credit"].drop("gas").isna().all()
    s = out.geo["sites"].set_index("id")
    assert s.at["west_dc", "module_mw"] == 10 and np.isnan(s.at["east_dc", "module_mw"])
    case = validate(out)
    assert case.technologies.at["gas", "capacity_credit"] == 0.9


# --------------------------------------------------------------------------- config
def test_config_keys_nested_keys_and_policies(raw):
    out = apply_scenarios(raw, [{"set": {
        "discount_rate": 0.08, "value_of_lost_load_per_mwh": 3000, "solver.mip_gap": 0.02,
        "solver.time_limit_s": 30, "latency.base_ms": 4.0, "options.notes.author": "me",
        "policies.co2_price_per_t": 80}}])
    case = validate(out)
    assert case.discount_rate == 0.08
    assert case.value_of_lost_load == 3000
    assert case.solver["mip_gap"] == 0.02 and case.solver["time_limit_s"] == 30
    assert case.latency["base_ms"] == 4.0 and case.latency["route_factor"] == 1.5
    assert case.config["options"] == {"notes": {"author": "me"}}
    assert case.policies == {"co2_price_per_t": 80}
    assert raw.config.get("policies") is None  # the input is not modified


def test_policy_levers_are_looked_up_when_applied(raw, monkeypatch):
    bad = {"set": {"policies.allowed_sites": ["east_dc"]}}
    if "allowed_sites" not in policies.LEVERS:
        with pytest.raises(CaseError, match="allowed_sites"):
            apply_scenarios(raw, [bad])
    monkeypatch.setitem(policies.LEVERS, "allowed_sites", object())
    out = apply_scenarios(raw, [bad])
    assert out.config["policies"]["allowed_sites"] == ["east_dc"]
    out = apply_scenarios(raw, [{"set": {"policies": {"allowed_sites": ["west_dc"],
                                                      "co2_price_per_t": 5}}}])
    assert out.config["policies"] == {"allowed_sites": ["west_dc"], "co2_price_per_t": 5}


# ---------------------------------------------------------------------------- scale
def test_scale_column_table_cell_and_config(raw):
    out = apply_scenarios(raw, [{"scale": {
        "compute_demand.it_mw": 1.5, "load": 1.1, "load.west": 2.0,
        "resources.west:solar.max_new_mw": 3, "resources.max_new_mw": 2,
        "value_of_lost_load_per_mwh": 0.5}}])
    cd = out.tables["compute_demand"].set_index("class")["it_mw"]
    assert cd["chat"] == pytest.approx(15) and cd["train"] == pytest.approx(30)
    load = out.tables["load"]
    assert load["east"].tolist() == pytest.approx([110, 132, 154, 121])
    assert load["west"].tolist() == pytest.approx([44.0] * 4)  # 20 × 1.1 × 2
    res = out.tables["resources"].set_index(["node", "tech"])["max_new_mw"]
    assert res[("west", "solar")] == pytest.approx(3000)  # 500 × 3 × 2
    assert res[("east", "solar")] == pytest.approx(600)
    assert np.isnan(res[("east", "gas")])  # unlimited stays unlimited
    assert out.config["value_of_lost_load_per_mwh"] == pytest.approx(5000)
    validate(out)


def test_set_then_scale_within_a_scenario(raw):
    out = apply_scenarios(raw, [{"set": {"technologies.solar.capex_per_kw": 1000},
                                 "scale": {"technologies.capex_per_kw": 2}}])
    t = out.tables["technologies"].set_index("tech")["capex_per_kw"]
    assert t["solar"] == 2000 and t["gas"] == 1000


# ------------------------------------------------------------------------- stacking
def test_stacked_scenarios_apply_in_order(raw, tmp_path):
    a = scen(tmp_path, "a", {"name": "cheap", "set": {"technologies.solar.capex_per_kw": 100},
                             "scale": {"compute_demand.it_mw": 2}})
    b = scen(tmp_path, "b", {"set": {"technologies.solar.capex_per_kw": 200,
                                     "compute_demand.city:chat.it_mw": 50}})
    ab = apply_scenarios(raw, [a, b])
    ba = apply_scenarios(raw, [b, a])
    cap = lambda r: r.tables["technologies"].set_index("tech").at["solar", "capex_per_kw"]  # noqa: E731
    chat = lambda r: r.tables["compute_demand"].set_index("class").at["chat", "it_mw"]  # noqa: E731
    assert cap(ab) == 200 and cap(ba) == 100
    assert chat(ab) == 50 and chat(ba) == 100  # set then scaled ×2
    assert ab.scenario_names == ["cheap", "b"]  # `name`, else the file stem
    assert ba.scenario_names == ["b", "cheap"]
    case = load_case(raw.path, [str(a), b])
    assert case.scenario_names == ["cheap", "b"]
    assert case.technologies.at["solar", "capex_per_kw"] == 200


def test_bad_values_are_reported_by_validation(raw, tmp_path):
    bad = scen(tmp_path, "neg", {"set": {"technologies.solar.capex_per_kw": -5}})
    with pytest.raises(CaseError) as exc:
        load_case(raw.path, [bad])
    assert any(p.file == "technologies.csv" and p.column == "capex_per_kw"
               for p in exc.value.problems)


# --------------------------------------------------------------------------- errors
BAD = [
    ({"sett": {"discount_rate": 0.1}}, "sett"),
    ({"set": {"technologiez.solar.capex_per_kw": 1}}, "technologiez.solar.capex_per_kw"),
    ({"set": {"technologies.solr.capex_per_kw": 1}}, "technologies.solr.capex_per_kw"),
    ({"set": {"technologies.solar.capex": 1}}, "technologies.solar.capex"),
    ({"set": {"resources.east:wind.max_new_mw": 1}}, "resources.east:wind.max_new_mw"),
    ({"set": {"compute_demand.city:batch.it_mw": 1}}, "compute_demand.city:batch.it_mw"),
    ({"set": {"sites.nowhere.max_it_mw": 1}}, "sites.nowhere.max_it_mw"),
    ({"set": {"load.99.east": 1}}, "load.99.east"),
    ({"set": {"load.east_dc": 1}}, "load.east_dc"),
    ({"set": {"discount": 0.1}}, "discount"),
    ({"set": {"solver.gap": 0.1}}, "solver.gap"),
    ({"set": {"latency.speed": 1}}, "latency.speed"),
    ({"set": {"policies.no_such_lever": 1}}, "policies.no_such_lever"),
    ({"set": {"policies": {"no_such_lever": 1}}}, "policies.no_such_lever"),
    ({"set": {"discount_rate.x": 1}}, "discount_rate.x"),
    ({"scale": {"compute_demand.nope": 2}}, "compute_demand.nope"),
    ({"scale": {"sites": 2}}, "sites"),
    ({"set": {"sites.west_dc.geometry": 1}}, "sites.west_dc.geometry"),
]


@pytest.mark.parametrize("body,key", BAD, ids=[b[1] for b in BAD])
def test_unknown_key_names_key_and_file(raw, tmp_path, body, key):
    path = scen(tmp_path, "typo", {"name": "typo", **body})
    with pytest.raises(CaseError) as exc:
        apply_scenarios(raw, [path])
    problems = exc.value.problems
    assert len(problems) == 1
    assert problems[0].file == str(path)
    assert f"'{key}'" in problems[0].message
    assert f"'{key}'" in str(exc.value) and str(path) in str(exc.value)


def test_all_problems_of_all_scenarios_reported_together(raw, tmp_path):
    a = scen(tmp_path, "a", {"set": {"technologies.solr.capex_per_kw": 1, "discount": 1}})
    b = scen(tmp_path, "b", {"scale": {"load.mars": 2}})
    with pytest.raises(CaseError) as exc:
        apply_scenarios(raw, [a, b])
    found = {(p.file, p.message.split("'")[1]) for p in exc.value.problems}
    assert found == {(str(a), "technologies.solr.capex_per_kw"), (str(a), "discount"),
                     (str(b), "load.mars")}


def test_non_numeric_scale_and_missing_file(raw, tmp_path):
    with pytest.raises(CaseError, match="not numeric"):
        apply_scenarios(raw, [{"scale": {"regions.name": 2}}])
    with pytest.raises(CaseError, match="not a finite number"):
        apply_scenarios(raw, [{"scale": {"load": "lots"}}])
    missing = tmp_path / "nope.yaml"
    with pytest.raises(CaseError) as exc:
        apply_scenarios(raw, [missing])
    assert exc.value.problems[0].file == str(missing)


def test_input_raw_case_is_not_modified(raw):
    before = raw.tables["technologies"].copy()
    cfg = dict(raw.config)
    apply_scenarios(raw, [{"set": {"technologies.solar.capex_per_kw": 1,
                                   "discount_rate": 0.3}, "scale": {"load": 3}}])
    pd.testing.assert_frame_equal(raw.tables["technologies"], before)
    assert raw.config == cfg and raw.scenario_names == []


def test_embedded_scenario_files_use_only_known_keys():
    """The scenario files shipped under data/scenarios/ match their case's tables."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "data"
    for folder in sorted((root / "scenarios").glob("*")):
        case = root / "cases" / folder.name
        if not (case / "case.yaml").exists():
            continue
        try:
            raw_case = read_raw(case)
        except CaseError:
            continue  # a case still being built is tested by its own tests
        for f in sorted(folder.glob("*.yaml")):
            try:
                apply_scenarios(raw_case, [f])
            except CaseError as exc:
                # policy levers are added module by module; only they may be missing
                for p in exc.problems:
                    assert "policy lever" in p.message, str(p)


def test_nested_override_in_case_yaml_shape_is_shorthand_for_set(raw, tmp_path):
    """``policies: {co2_price_per_t: 80}`` at the top of a scenario file means
    ``set: {policies.co2_price_per_t: 80}``; both forms give the same case."""
    nested = scen(tmp_path, "nested", {"name": "nested", "policies": {"co2_price_per_t": 80},
                                       "discount_rate": 0.05})
    dotted = scen(tmp_path, "dotted", {"name": "dotted", "set": {
        "policies.co2_price_per_t": 80, "discount_rate": 0.05}})
    a = apply_scenarios(raw, [nested]).config
    b = apply_scenarios(raw, [dotted]).config
    assert a["policies"]["co2_price_per_t"] == b["policies"]["co2_price_per_t"] == 80
    assert a["discount_rate"] == b["discount_rate"] == 0.05


@pytest.mark.parametrize("body, text", [
    ({"policies": {"no_such_lever": 1}}, "policies.no_such_lever"),
    ({"polices": {"co2_price_per_t": 1}}, "unknown key 'polices'"),
])
def test_shorthand_still_names_unknown_keys(raw, tmp_path, body, text):
    path = scen(tmp_path, "typo", {"name": "typo", **body})
    with pytest.raises(CaseError) as exc:
        apply_scenarios(raw, [path])
    assert text in str(exc.value) and str(path) in str(exc.value)
