"""Property-based tests: random small valid cases solve to answers that respect power
balance, capacity and latency limits; random corruptions give a validation error, never a
crash."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from casegen import tech, write_case
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.inputs.problems import CaseError
from model.studies.cases import load_case
from model.studies.run import run

TOL = 1e-5


@st.composite
def small_cases(draw):
    n_regions = draw(st.integers(1, 3))
    n_steps = draw(st.integers(3, 8))
    regions = [{"id": f"r{i}", "lon": 100 + 6 * i, "lat": 30 + i} for i in range(n_regions)]
    load = {r["id"]: [float(draw(st.integers(0, 200))) for _ in range(n_steps)]
            for r in regions}
    techs = [tech("gas", capex_per_kw=draw(st.integers(0, 900)), lifetime_years=20,
                  var_om_per_mwh=draw(st.integers(1, 90)), co2_t_per_mwh=0.4),
             tech("solar", capex_per_kw=draw(st.integers(100, 900)), lifetime_years=25),
             tech("battery", "storage", capex_per_kw=draw(st.integers(10, 300)),
                  capex_per_kwh=draw(st.integers(10, 300)), lifetime_years=15,
                  efficiency_charge=0.92, efficiency_discharge=0.92)]
    resources, profiles = [], {}
    nodes = [r["id"] for r in regions]
    sites = []
    if draw(st.booleans()):
        sites = [{"id": f"dc{i}", "lon": 100 + 6 * i + 0.3, "lat": 30 + i, "region": f"r{i}",
                  "pue": 1.0 + draw(st.integers(0, 40)) / 100,
                  "idle_share": draw(st.integers(0, 50)) / 100,
                  "grid_limit_mw": float(draw(st.integers(20, 500))),
                  "capex_per_kw_it": draw(st.integers(0, 5000)),
                  "module_mw": draw(st.sampled_from([None, 10.0, 25.0])),
                  "lifetime_years": 10} for i in range(n_regions)]
        nodes += [s["id"] for s in sites]
    for node in nodes:
        # greenfield sites have no existing plant (it would have no connection to use)
        resources.append({"node": node, "tech": "gas",
                          "existing_mw": 0.0 if node.startswith("dc")
                          else float(draw(st.integers(0, 100))),
                          "max_new_mw": draw(st.sampled_from([None, 0.0, 50.0]))})
        resources.append({"node": node, "tech": "solar", "max_new_mw": 300.0})
        resources.append({"node": node, "tech": "battery"})
        profiles[f"{node}:solar"] = [draw(st.integers(0, 100)) / 100 for _ in range(n_steps)]
    corridors = [{"from": f"r{i}", "to": f"r{i + 1}", "existing_mw": float(draw(
        st.integers(0, 100))), "cost_per_mw_km": 100,
                  "loss_per_1000km": draw(st.sampled_from([0.0, 0.05]))}
                 for i in range(n_regions - 1)]
    centres = compute = workloads = None
    if sites:
        centres = [{"id": "city", "lon": 100.5, "lat": 30.2}]
        compute = [{"centre": "city", "class": "chat", "it_mw": float(draw(st.integers(0, 60)))},
                   {"centre": "city", "class": "train",
                    "it_mw": float(draw(st.integers(0, 60)))}]
        workloads = [{"class": "chat", "max_latency_ms": 10.0},
                     {"class": "train", "max_latency_ms": 1000.0,
                      "flexible_share": draw(st.sampled_from([0.0, 0.5, 1.0])),
                      "window_hours": draw(st.sampled_from([2, 4, 24]))}]
    return dict(regions=regions, load=load, technologies=techs, resources=resources,
                profiles=profiles, corridors=corridors or None, sites=sites or None,
                centres=centres, compute_demand=compute, workloads=workloads,
                config={"discount_rate": 0.05, "value_of_lost_load_per_mwh": 5000,
                        "solver": {"mip_gap": 1e-6}})


def check_solution(res) -> None:
    """Balance at every node and step, capacity and latency limits, from the result tables."""
    case, t = res.case, res.tables
    disp = t["dispatch"]
    cap = t["capacity"].set_index(["node", "tech"])
    nodes = case.nodes
    net = pd.DataFrame(0.0, index=disp.index, columns=nodes.index)
    for col in disp.columns:
        parts = col.split(":")
        if col == "time" or parts[0] == "flow":
            continue
        node = parts[0]
        if len(parts) == 2 and parts[1] == "unserved":
            net[node] += disp[col]
        elif len(parts) == 2 and parts[1] == "dc_power":
            net[node] -= disp[col]
        elif len(parts) == 2:  # generator output
            net[node] += disp[col]
            total = cap.loc[(node, parts[1]), "total_mw"]
            key = f"{node}:{parts[1]}"
            avail = case.profiles[key].to_numpy() if key in case.profiles else 1.0
            assert (disp[col].to_numpy() <= avail * total + TOL).all(), col
            assert (disp[col].to_numpy() >= -TOL).all(), col
        elif parts[2] == "discharge":
            net[node] += disp[col]
            assert (disp[col] <= cap.loc[(node, parts[1]), "total_mw"] + TOL).all()
        elif parts[2] == "charge":
            net[node] -= disp[col]
            assert (disp[col] <= cap.loc[(node, parts[1]), "total_mw"] + TOL).all()
        elif parts[2] == "soc_mwh":
            total_mwh = cap.loc[(node, parts[1]), ["existing_mwh", "new_mwh"]].sum()
            assert (disp[col] <= total_mwh + TOL).all()
    for _, cor in case.corridors.iterrows():
        flow = disp[f"flow:{cor['name']}"].to_numpy()
        loss = cor["loss_per_1000km"] * cor["length_km"] / 1000
        total = t["corridors"].set_index("name").loc[cor["name"], "total_mw"]
        assert (np.abs(flow) <= total + TOL).all()
        net[cor["from"]] -= np.where(flow > 0, flow, flow * (1 - loss))
        net[cor["to"]] += np.where(flow > 0, flow * (1 - loss), flow)
    if len(case.sites):
        site_tab = t["sites"].set_index("site")
        grid = net[case.sites.index].copy()  # site balance gives the grid import
        for sid, row in case.sites.iterrows():
            imp = -grid[sid]
            assert (np.abs(imp) <= row["grid_limit_mw"] + TOL).all()
            assert (imp >= -TOL).all(), sid  # a load connection: no exports by default
            if not site_tab.loc[sid, "built"]:  # an unbuilt site has no plant and no grid
                assert (np.abs(imp) <= TOL).all(), sid
                on_site = cap.loc[cap.index.get_level_values(0) == sid, "new_mw"]
                assert (on_site <= TOL).all(), sid
            net[row["region"]] -= imp
            net[sid] += imp
        a = t["assignment"]
        limits = case.workloads["max_latency_ms"]
        assert (a["latency_ms"].to_numpy() <= limits.reindex(a["class"]).to_numpy()
                + 1e-9).all()
        for sid, row in case.sites.iterrows():
            # served IT ≤ IT capacity  ⇔  site power ≤ PUE · IT capacity
            power = disp[f"{sid}:dc_power"].to_numpy()
            assert (power <= row["pue"] * site_tab.loc[sid, "it_mw"] + TOL).all(), sid
    load = case.load
    for node in nodes.index:
        target = load[node].to_numpy() if node in load else 0.0
        np.testing.assert_allclose(net[node].to_numpy(), target, atol=1e-4, rtol=1e-7,
                                   err_msg=f"balance at {node}")


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(spec=small_cases())
def test_random_cases_respect_balance_capacity_latency(spec):
    folder = Path(tempfile.mkdtemp(prefix="wattbit-prop-"))
    try:
        write_case(folder / "case", **spec)
        res = run(folder / "case", write=False)
        assert res.status == "optimal", res.summary.get("message")
        check_solution(res)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


CORRUPT = st.sampled_from([
    ("load.csv", "value", "abc"), ("load.csv", "value", -10.0),
    ("resources.csv", "existing_mw", -1.0), ("resources.csv", "node", "nowhere"),
    ("resources.csv", "tech", "warp"), ("technologies.csv", "capex_per_kw", "x"),
    ("technologies.csv", "kind", "magic"), ("technologies.csv", "lifetime_years", 0.0),
    ("profiles.csv", "value", 2.0), ("profiles.csv", "value", -0.1),
    ("technologies.csv", "drop", "capex_per_kw"), ("resources.csv", "drop", "node"),
    ("resources.csv", "duplicate", None), ("technologies.csv", "duplicate", None),
])


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(spec=small_cases(), corruption=CORRUPT, row_seed=st.integers(0, 10_000))
def test_random_corruptions_give_validation_errors(spec, corruption, row_seed):
    folder = Path(tempfile.mkdtemp(prefix="wattbit-bad-"))
    try:
        case = write_case(folder / "case", **spec)
        file, col, value = corruption
        df = pd.read_csv(case / file)
        row = row_seed % len(df)
        if col == "drop":
            df = df.drop(columns=value)
        elif col == "duplicate":
            df = pd.concat([df, df.iloc[[row]]], ignore_index=True)
        else:
            if col == "value":
                col = df.columns[1 + row_seed % (len(df.columns) - 1)]
            df[col] = df[col].astype(object)
            df.loc[row, col] = value
        df.to_csv(case / file, index=False)
        with pytest.raises(CaseError) as info:
            load_case(case)
        assert info.value.problems
        assert all(p.file for p in info.value.problems)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
