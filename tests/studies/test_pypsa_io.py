"""PyPSA networks in and out: ``model/inputs/pypsa_import.py``, ``model/outputs/pypsa_export.py``.

Round trips, each to 1e-6 relative:
* WattBit → PyPSA network (through a netCDF file) → ``n.optimize()`` gives WattBit's objective
  on seeded plain cases (every kind of storage and corridor, weights, r = 0, binding lost
  load), and plain ``n.optimize()`` where no ties are needed;
* a PyPSA network built here (radial lines, links, a lossy link pair, PyPSA-Eur's battery, a
  storage unit, overnight and fixed O&M costs, a binding CO2 limit) → import → WattBit gives
  PyPSA's objective;
* import → export → import is the identity on the case tables.
Then: the import report lists what is not mapped; a run's results fill the exported network
so that PyPSA's statistics and plotting work; the command line; the worked example of
``docs/pypsa.md`` runs as written.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pypsa = pytest.importorskip("pypsa")

from casegen import tech, write_case  # noqa: E402

from model.inputs.pypsa_import import import_network  # noqa: E402
from model.outputs.pypsa_export import extra_functionality, to_pypsa, write_network  # noqa: E402
from model.studies.cases import load_case  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
REL_TOL = 1e-6
# PyPSA 1.4 under pandas 3 warns about string dtypes on every network; not ours to fix here
pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")


def assert_close(a: float, b: float, what: str = "") -> None:
    assert abs(a - b) <= REL_TOL * max(1.0, abs(b)), f"{what}: {a!r} vs {b!r}"


def solve_wattbit(case_dir: Path) -> float:
    from model.studies.run import run

    res = run(case_dir, write=False)
    assert res.status == "optimal", res.status
    return float(res.objective)


def optimize(n, ef=None) -> float:
    """PyPSA's objective without the capital cost of existing capacity (WattBit's)."""
    status, _ = n.optimize(solver_name="highs", extra_functionality=ef,
                           include_objective_constant=True, log_to_console=False,
                           solver_options={"output_flag": False})
    assert status == "ok"
    return float(n.objective)


# ------------------------------------------------------------------------------------------------
# WattBit -> PyPSA
# ------------------------------------------------------------------------------------------------
def plain_case(folder: Path, seed: int) -> Path:
    """A seeded plain case (no data centres): generators with profiles, existing and capped
    capacity, storage of fixed duration (a StorageUnit where existing energy is duration ×
    power, else a Store with a duration tie) and sized freely, lossless and lossy corridors;
    seed 1 overrides the step weight, seed 2 has a zero discount rate, seed 3 four times
    the load, little new generation and cheap lost load (unserved power binds)."""
    rng = np.random.default_rng(seed)
    steps, ids = 24 + 12 * (seed % 3), ["north", "south", "east"]
    h = np.arange(steps)
    where = {"north": (10.0, 55.0), "south": (12.0, 47.0), "east": (20.0, 51.0)}
    techs = [
        tech("gas", capex_per_kw=rng.uniform(500, 900), lifetime_years=30,
             fixed_om_per_kw_year=15, var_om_per_mwh=3, fuel_cost_per_mwh=rng.uniform(40, 80),
             co2_t_per_mwh=0.37),
        tech("wind", capex_per_kw=rng.uniform(900, 1500), lifetime_years=25,
             fixed_om_per_kw_year=30),
        tech("solar", capex_per_kw=rng.uniform(300, 700), lifetime_years=25),
        tech("battery", "storage", capex_per_kw=150, lifetime_years=15, var_om_per_mwh=1.0,
             capex_per_kwh=rng.uniform(100, 250), efficiency_charge=0.95,
             efficiency_discharge=0.93, duration_hours=4),
        tech("pumped", "storage", capex_per_kw=900, lifetime_years=50, capex_per_kwh=20,
             efficiency_charge=0.88, efficiency_discharge=0.87)]
    resources, profiles = [], {}
    for i, r in enumerate(ids):
        resources += [dict(node=r, tech="gas", existing_mw=round(rng.uniform(0, 100), 3),
                           max_new_mw=0.0 if seed == 3 else None),
                      dict(node=r, tech="wind", existing_mw=50.0,
                           max_new_mw=50.0 if seed == 3 else round(rng.uniform(200, 600), 3)),
                      dict(node=r, tech="battery", existing_mw=10.0,
                           existing_mwh=40.0 if i == 0 else 25.0)]
        profiles[f"{r}:wind"] = np.clip(0.45 + 0.3 * np.sin(h / rng.uniform(4, 9))
                                        + rng.normal(0, 0.1, steps), 0, 1)
        if i != 1:
            resources.append(dict(node=r, tech="solar", max_new_mw=800.0))
            profiles[f"{r}:solar"] = np.clip(np.sin((h % 24 - 6) / 12 * np.pi), 0, None)
    resources.append(dict(node="north", tech="pumped", existing_mwh=100.0, max_new_mwh=500.0))
    corridors = [{"from": "north", "to": "south", "existing_mw": 50.0, "length_km": 900.0,
                  "cost_per_mw_km": 400.0},
                 {"from": "south", "to": "east", "max_new_mw": 500.0, "cost_per_mw_km": 600.0,
                  "loss_per_1000km": 0.04, "lifetime_years": 50}]
    config = {"discount_rate": 0.0 if seed == 2 else 0.06,
              "value_of_lost_load_per_mwh": 200.0 if seed == 3 else 5000.0}
    if seed == 1:
        config["time_step_weight_hours"] = 100.0
    scale = 4.0 if seed == 3 else 1.0
    load = {r: scale * rng.uniform(100, 300) * (1 + 0.3 * np.sin(2 * np.pi * (h - 3 * k) / 24))
            for k, r in enumerate(ids)}
    return write_case(folder, regions=[{"id": r, "lon": where[r][0], "lat": where[r][1]}
                                       for r in ids],
                      load=load, technologies=techs, resources=resources, profiles=profiles,
                      corridors=corridors, config=config)


@pytest.mark.parametrize("seed", range(4))
def test_exported_case_optimised_in_pypsa_gives_wattbit_objective(seed, tmp_path):
    folder = plain_case(tmp_path / f"case{seed}", seed)
    wattbit = solve_wattbit(folder)
    n = to_pypsa(folder)
    assert len(n.storage_units) == 1 and len(n.stores) == 3  # fixed, tied and free storage
    assert {"south-east", "south-east reversed"} <= set(n.links.index)
    path = write_network(n, tmp_path / "case.nc")
    n = pypsa.Network(str(path))  # the ties travel in n.meta through the netCDF file
    assert_close(optimize(n, extra_functionality), wattbit, f"seed {seed}")
    new = n.links.p_nom_opt - n.links.p_nom
    assert new["south-east reversed"] == pytest.approx(new["south-east"])  # one capacity
    assert (new["south-east"] > 1) == (seed != 3)  # the lossy corridor grows (not in 3)
    unserved = n.generators_t.p.filter(like="unserved").to_numpy().sum()
    assert (unserved > 1) == (seed == 3)


def test_fixed_duration_storage_and_lossless_corridors_need_no_ties(tmp_path):
    """A storage of fixed duration is a StorageUnit, a lossless corridor one two-way Link:
    plain ``n.optimize()`` gives WattBit's objective."""
    cheap = tech("cheap", capex_per_kw=0, lifetime_years=10, fuel_cost_per_mwh=5)
    batt = tech("batt", "storage", capex_per_kw=200, lifetime_years=10,
                fixed_om_per_kw_year=5, var_om_per_mwh=2, capex_per_kwh=100,
                efficiency_charge=0.9, efficiency_discharge=0.95, duration_hours=4)
    load = 50 + 40 * np.sin(np.arange(24) / 24 * 2 * np.pi)
    folder = write_case(
        tmp_path / "case", regions=[{"id": "a", "lon": 0.0, "lat": 50.0},
                                    {"id": "b", "lon": 4.0, "lat": 50.0}],
        load={"a": load, "b": load[::-1]}, technologies=[cheap, batt],
        resources=[dict(node="b", tech="cheap", existing_mw=200.0, max_new_mw=0),
                   dict(node="a", tech="batt", existing_mw=10.0, existing_mwh=40.0)],
        profiles={"b:cheap": (np.arange(24) % 24 < 12).astype(float)},
        corridors=[{"from": "a", "to": "b", "existing_mw": 20.0, "length_km": 300.0,
                    "cost_per_mw_km": 50.0}], config={"discount_rate": 0.05})
    n = to_pypsa(folder)
    assert list(n.storage_units.index) == ["a batt"] and n.stores.empty
    assert list(n.links.index) == ["a-b"] and n.links.at["a-b", "p_min_pu"] == -1
    assert_close(optimize(n), solve_wattbit(folder), "plain n.optimize()")


# ------------------------------------------------------------------------------------------------
# PyPSA -> WattBit
# ------------------------------------------------------------------------------------------------
HOURS = 36


def pypsa_network() -> pypsa.Network:
    """A radial four-bus network with what the import maps exactly."""
    n = pypsa.Network(name="four buses")
    n.set_snapshots(pd.date_range("2030-06-01", periods=HOURS, freq="h"))
    n.snapshot_weightings.loc[:, ["objective", "generators"]] = 8760 / HOURS
    h = np.arange(HOURS)
    rng = np.random.default_rng(7)
    n.add("Carrier", ["gas", "nuclear", "wind", "solar", "PHS", "battery"],
          co2_emissions=[0.2, 0, 0, 0, 0, 0])
    n.add("Bus", ["a", "b", "c", "d"], x=[10.0, 12.0, 14.0, 8.0], y=[55.0, 52.0, 50.0, 50.0],
          carrier="AC")
    base = {"a": 150.0, "b": 400.0, "c": 250.0, "d": 200.0}
    n.add("Load", list(base), bus=list(base), p_set=pd.DataFrame(
        {b: v * (1 + 0.3 * np.sin((h - 7) / 24 * 2 * np.pi)) * rng.uniform(0.9, 1.1, HOURS)
         for b, v in base.items()}, index=n.snapshots))
    wind = np.clip(0.5 + 0.3 * np.sin(h / 5) + rng.normal(0, 0.1, HOURS), 0, 1)
    solar = np.clip(np.sin((h % 24 - 6) / 12 * np.pi), 0, None)
    n.add("Generator", "a wind", bus="a", carrier="wind", p_nom=50, p_nom_min=50,
          p_nom_max=900, p_nom_extendable=True, capital_cost=100_000, lifetime=25,
          p_max_pu=wind)
    solar_cost = ({"overnight_cost": 600_000, "discount_rate": 0.05, "lifetime": 25}
                  if "overnight_cost" in n.generators.columns else {"capital_cost": 42_574})
    n.add("Generator", "c solar", bus="c", carrier="solar", p_nom_extendable=True,
          p_max_pu=solar, **solar_cost)
    n.add("Generator", "b gas", bus="b", carrier="gas", p_nom=200, marginal_cost=65,
          efficiency=0.4)
    fom = {"fom_cost": 10_000} if "fom_cost" in n.generators.columns else {}
    n.add("Generator", "d gas", bus="d", carrier="gas", p_nom=100, p_nom_min=100,
          p_nom_extendable=True, capital_cost=50_000, marginal_cost=70, efficiency=0.5,
          lifetime=30, **fom)
    n.add("Generator", "b nuclear", bus="b", carrier="nuclear", p_nom_extendable=True,
          capital_cost=420_000, marginal_cost=12)
    n.add("StorageUnit", "c PHS", bus="c", carrier="PHS", p_nom=50, p_nom_min=50,
          p_nom_extendable=True, max_hours=8, efficiency_store=0.85, efficiency_dispatch=0.9,
          capital_cost=80_000, marginal_cost=0.5, cyclic_state_of_charge=True)
    n.add("Bus", "b battery", carrier="battery", x=12.0, y=52.0)
    n.add("Store", "b battery", bus="b battery", carrier="battery", e_nom_extendable=True,
          e_cyclic=True, capital_cost=15_000)
    n.add("Link", "b battery charger", bus0="b", bus1="b battery", carrier="battery charger",
          efficiency=0.96, p_nom_extendable=True, capital_cost=20_000)
    n.add("Link", "b battery discharger", bus0="b battery", bus1="b",
          carrier="battery discharger", efficiency=0.94, p_nom_extendable=True,
          capital_cost=2_000, marginal_cost=1.0)
    n.add("Line", "a-b", bus0="a", bus1="b", s_nom=300, s_nom_min=300, s_nom_extendable=True,
          s_max_pu=0.7, capital_cost=30_000, length=350, x=0.1, r=0.01, lifetime=40)
    n.add("Line", "b-c", bus0="b", bus1="c", s_nom=200, x=0.1, r=0.01, length=250)
    n.add("Link", "b-d", bus0="b", bus1="d", p_nom=100, p_nom_min=100, p_nom_extendable=True,
          p_min_pu=-1, capital_cost=20_000, length=450)
    n.add("Link", ["a-d", "a-d reversed"], bus0=["a", "d"], bus1=["d", "a"], efficiency=0.97,
          p_nom=80, p_nom_min=80, p_nom_extendable=True, capital_cost=[25_000, 0.0],
          length=[600, 600])
    n.add("GlobalConstraint", "CO2Limit", type="primary_energy",
          carrier_attribute="co2_emissions", sense="<=", constant=1.5e5)
    return n


def pypsa_eur_ties(n, snapshots) -> None:
    """What PyPSA-Eur adds: one rating for the battery and for the lossy link pair."""
    p = n.model["Link-p_nom"]
    n.model.add_constraints(p.loc[["b battery charger", "a-d reversed"]]
                            - p.loc[["b battery discharger", "a-d"]] * np.array([0.94, 1.0])
                            == 0, name="ties")


def test_pypsa_network_imported_gives_pypsa_objective(tmp_path):
    n = pypsa_network()
    imported = import_network(n, tmp_path / "case", discount_rate=0.06)
    load_case(imported.path)
    assert not (imported.notes["kind"] == "not mapped").any(), imported.notes
    assert set(imported.notes["what"]) == {"charger and discharger sized separately",
                                           "pairs of one-way links a → b, b → a"}
    expected = optimize(n.copy(), pypsa_eur_ties)
    m = n.copy()
    optimize(m, pypsa_eur_ties)
    assert m.global_constraints.at["CO2Limit", "mu"] != 0  # the cap binds
    assert (m.links.p_nom_opt - m.links.p_nom).abs().max() > 1  # links expand
    assert_close(solve_wattbit(imported.path), expected, "import of a PyPSA network")


def test_a_store_on_an_electric_bus_and_a_transformer(tmp_path):
    """A Store without links is storage with free, lossless power; a transformer a corridor
    (no length: the great-circle distance carries its cost)."""
    n = pypsa.Network()
    n.set_snapshots(range(24))
    n.snapshot_weightings.loc[:, ["objective", "generators"]] = 365.0
    h = np.arange(24)
    n.add("Bus", ["a", "b"], x=[0, 1], y=[50, 50], carrier="AC")
    n.add("Load", ["a", "b"], bus=["a", "b"], p_set=pd.DataFrame(
        {"a": 100 + 50 * np.sin(h / 4), "b": np.full(24, 80.0)}, index=n.snapshots))
    n.add("Generator", "a solar", bus="a", carrier="solar", p_nom_extendable=True,
          capital_cost=50_000, p_max_pu=np.clip(np.sin((h - 6) / 12 * np.pi), 0, None))
    n.add("Generator", "b gas", bus="b", carrier="gas", p_nom_extendable=True,
          capital_cost=60_000, marginal_cost=80)
    n.add("Store", "a store", bus="a", carrier="store", e_nom_extendable=True, e_cyclic=True,
          capital_cost=3_000)
    n.add("Transformer", "a-b", bus0="a", bus1="b", s_nom=50, s_nom_min=50,
          s_nom_extendable=True, capital_cost=1_000, x=0.1)
    imported = import_network(n, tmp_path / "case")
    assert imported.notes.empty, imported.notes
    assert list(imported.tables["corridors"]["name"]) == ["a-b"]
    assert_close(solve_wattbit(imported.path), optimize(n), "store and transformer")


def test_discount_rate_and_lifetime_do_not_change_the_annual_costs(tmp_path):
    """The overnight costs written depend on r and n; what WattBit pays per year does not."""
    n = pypsa_network()
    a = import_network(n, tmp_path / "a", discount_rate=0.0, lifetime_years=10)
    b = import_network(n, tmp_path / "b", discount_rate=0.09, lifetime_years=60)
    assert not np.allclose(a.tables["technologies"]["capex_per_kw"],
                           b.tables["technologies"]["capex_per_kw"])
    assert_close(solve_wattbit(a.path), solve_wattbit(b.path), "r = 0 vs r = 0.09")


def _files(folder: Path) -> dict[str, pd.DataFrame]:
    return {f: pd.read_csv(folder / f) for f in ("load.csv", "technologies.csv",
                                                 "resources.csv", "profiles.csv",
                                                 "corridors.csv")}


def test_import_export_import_is_the_identity(tmp_path):
    first = import_network(pypsa_network(), tmp_path / "first")
    second = import_network(to_pypsa(first.path), tmp_path / "second")
    assert second.notes.empty, second.notes  # WattBit's own network maps as it is
    for name, table in _files(first.path).items():
        pd.testing.assert_frame_equal(table, _files(second.path)[name], rtol=1e-9,
                                      obj=name)
    cols = ["id", "lon", "lat", "group"]
    pd.testing.assert_frame_equal(pd.DataFrame(first.regions[cols]),
                                  pd.DataFrame(second.regions[cols]))
    assert list(first.regions.geometry) == list(second.regions.geometry)
    for key in ("discount_rate", "time_step_weight_hours", "value_of_lost_load_per_mwh",
                "policies"):
        assert first.config[key] == second.config[key], key


# ------------------------------------------------------------------------------------------------
# the report of what is not mapped
# ------------------------------------------------------------------------------------------------
def awkward_network() -> pypsa.Network:
    """Sector coupling, unit commitment, hydro, meshed lines and more."""
    n = pypsa.Network(name="awkward")
    n.set_snapshots(range(6))
    n.snapshot_weightings.loc[:, "objective"] = [1, 1, 2, 2, 3, 3]
    n.snapshot_weightings.loc[:, "stores"] = 1.0
    n.add("Carrier", ["gas", "H2", "heat"], co2_emissions=[0.2, 0, 0])
    n.add("Bus", ["x", "y", "z"], carrier="AC", x=[0, 1, 1], y=[50, 50, 51])
    n.add("Bus", "x H2", carrier="H2")
    n.add("Bus", "x heat", carrier="heat")
    n.add("Load", "x", bus="x", p_set=[50, 60, 70, -20, 60, 50])
    n.add("Load", "x heat demand", bus="x heat", p_set=10)
    n.add("Generator", "x gas", bus="x", carrier="gas", p_nom=100, committable=True,
          p_min_pu=0.3, ramp_limit_up=0.5, marginal_cost=[50, 60, 50, 60, 50, 60])
    n.add("Generator", "y cheap", bus="y", carrier="gas", p_nom=10, marginal_cost=-5)
    n.add("Link", "x electrolysis", bus0="x", bus1="x H2", bus2="x heat", efficiency=0.6,
          efficiency2=0.2, p_nom=10)
    n.add("Store", "x H2", bus="x H2", e_nom=100)
    n.add("StorageUnit", "y hydro", bus="y", p_nom=20, max_hours=100, inflow=5)
    n.add("StorageUnit", "z PHS", bus="z", p_nom=20, max_hours=6, standing_loss=0.01)
    n.add("Line", ["x-y", "y-z", "z-x"], bus0=["x", "y", "z"], bus1=["y", "z", "x"],
          s_nom=100, x=0.1, r=0.01)
    n.add("Link", "y-z dc", bus0="y", bus1="z", p_nom=50, marginal_cost=1.0)
    n.add("ShuntImpedance", "z shunt", bus="z", g=0.1)
    n.add("GlobalConstraint", "volume", type="transmission_volume_expansion_limit",
          carrier_attribute="AC", sense="<=", constant=1e4)
    return n


EXPECTED_NOTES = [  # kind, component, a word of `what`, a name
    ("not mapped", "Bus", "non-electric", "x H2"),
    ("not mapped", "Load", "non-electric", "x heat demand"),
    ("not mapped", "Link", "multi-output", "x electrolysis"),
    ("not mapped", "Store", "charger/discharger", "x H2"),
    ("not mapped", "StorageUnit", "inflow", "y hydro"),
    ("not mapped", "ShuntImpedance", "ShuntImpedance", "z shunt"),
    ("not mapped", "GlobalConstraint", "other than a CO2 limit", "volume"),
    ("approximated", "Generator", "unit commitment", "x gas"),
    ("approximated", "Generator", "minimum output", "x gas"),
    ("approximated", "Generator", "ramp limits", "x gas"),
    ("approximated", "Generator", "time-varying marginal_cost", "x gas"),
    ("approximated", "Generator", "negative marginal cost", "y cheap"),
    ("approximated", "StorageUnit", "standing losses", "z PHS"),
    ("approximated", "StorageUnit", "non-cyclic", "z PHS"),
    ("approximated", "Line", "Kirchhoff", "(meshed AC network)"),
    ("approximated", "Link", "one-way links", "y-z dc"),
    ("approximated", "Link", "marginal cost of links", "y-z dc"),
    ("approximated", "Load", "negative load", "x"),
    ("approximated", "Network", "unequal objective weightings", "snapshot_weightings"),
]


def test_what_is_not_mapped_is_listed_in_the_report(tmp_path):
    imported = import_network(awkward_network(), tmp_path / "case")
    case = load_case(imported.path)  # what was mapped is a valid case
    assert list(case.regions.index) == ["x", "y", "z"]
    report = (imported.path / "IMPORT_REPORT.md").read_text()
    notes = pd.read_csv(imported.path / "import_notes.csv")
    for kind, component, word, name in EXPECTED_NOTES:
        rows = notes[(notes["kind"] == kind) & (notes["component"] == component)
                     & notes["what"].str.contains(word, regex=False)]
        assert len(rows) == 1 and name in rows["names"].iloc[0].split(" | "), (kind, word)
        assert f"`{name}`" in report
    assert "## Not mapped (left out)" in report and "## Approximated" in report
    mapped = pd.read_csv(imported.path / "import_map.csv")
    assert "corridors.csv y-z dc" in set(mapped["mapped_to"])


def test_networks_that_cannot_be_imported_are_refused(tmp_path):
    n = pypsa.Network()
    n.set_snapshots(range(3))
    n.set_investment_periods([2030, 2040])
    n.add("Bus", "a")
    with pytest.raises(ValueError, match="investment periods"):
        import_network(n, tmp_path / "case")


# ------------------------------------------------------------------------------------------------
# a run's result in PyPSA's tools
# ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def two_region_run(tmp_path_factory):
    from model.studies.run import run

    out = tmp_path_factory.mktemp("runs") / "two-region"
    result = run(ROOT / "data" / "cases" / "two-region", out=out, report=False)
    assert result.status == "optimal"
    return out


def _bus_balance(n) -> pd.DataFrame:
    """Σ injections per bus and snapshot (MW), from the network's own time series."""
    out = pd.DataFrame(0.0, index=n.snapshots, columns=n.buses.index)
    for df, p in ((n.generators, n.generators_t.p), (n.storage_units, n.storage_units_t.p)):
        for name in p.columns:
            out[df.at[name, "bus"]] += p[name]
    for name in n.stores_t.p.columns:
        out[n.stores.at[name, "bus"]] += n.stores_t.p[name]
    for name in n.loads_t.p.columns:
        out[n.loads.at[name, "bus"]] -= n.loads_t.p[name]
    for name in n.links_t.p0.columns:
        out[n.links.at[name, "bus0"]] -= n.links_t.p0[name]
        out[n.links.at[name, "bus1"]] -= n.links_t.p1[name]
    return out


def test_a_run_fills_the_network_for_pypsa_statistics_and_plots(two_region_run, tmp_path):
    case = ROOT / "data" / "cases" / "two-region"
    n = to_pypsa(case, run=two_region_run)
    capacity = pd.read_csv(two_region_run / "capacity.csv")
    for _, r in capacity[capacity["kind"] == "generator"].iterrows():
        assert n.generators.at[f"{r['node']} {r['tech']}", "p_nom_opt"] == pytest.approx(
            r["total_mw"])
    sites = pd.read_csv(two_region_run / "sites.csv")
    for _, s in sites.iterrows():
        assert n.links.at[f"{s['site']} grid connection", "p_nom_opt"] == pytest.approx(
            s["grid_connection_mw"])
    assert _bus_balance(n).abs().to_numpy().max() < 1e-6  # every bus balances every hour
    summary = json.loads((two_region_run / "summary.json").read_text())
    site_energy = (n.loads_t.p.filter(like="data centre").sum(axis=1)
                   * n.snapshot_weightings["objective"]).sum()
    assert site_energy == pytest.approx(sites["power_mwh_per_year"].sum(), rel=1e-6)
    assert n.meta["wattbit"]["objective"] == summary["objective"]
    path = write_network(n, tmp_path / "result.nc")
    m = pypsa.Network(str(path))
    stats = m.statistics()
    assert stats.loc[("Generator", "wind"), "Optimal Capacity"] == pytest.approx(
        capacity.loc[capacity["tech"] == "wind", "total_mw"].sum())
    prices = pd.read_csv(two_region_run / "prices.csv")
    for node, p in prices.groupby("node"):
        np.testing.assert_allclose(m.buses_t.marginal_price[node].to_numpy(),
                                   p["price_per_mwh"].to_numpy())
    import matplotlib

    matplotlib.use("Agg")
    m.plot(geomap=False)


def test_a_run_on_representative_days_fills_in_capacities_only(tmp_path):
    from model.studies.run import run

    case = ROOT / "data" / "cases" / "two-region"
    out = tmp_path / "run"
    assert run(case, out=out, report=False, days=1).status == "optimal"
    n = to_pypsa(case, run=out)
    assert any("representative" in note for note in n.meta["wattbit"]["notes"])
    capacity = pd.read_csv(out / "capacity.csv")
    wind = capacity[capacity["tech"] == "wind"].iloc[0]
    assert n.generators.at[f"{wind['node']} wind", "p_nom_opt"] == pytest.approx(
        wind["total_mw"])
    assert n.generators_t.p.empty


# ------------------------------------------------------------------------------------------------
# command line and Python API
# ------------------------------------------------------------------------------------------------
def test_command_line_import_and_export(tmp_path):
    from typer.testing import CliRunner

    from model.cli import SUBCOMMANDS, app

    assert {"import-pypsa", "export-pypsa"} <= SUBCOMMANDS
    runner = CliRunner()

    def said(res) -> str:  # rich wraps long lines
        return " ".join(res.output.split())

    network = write_network(pypsa_network(), tmp_path / "four.nc")
    res = runner.invoke(app, ["import-pypsa", str(network), "--out", str(tmp_path / "case")])
    assert res.exit_code == 0, res.output
    assert "approximated: Link ×2" in said(res) and (tmp_path / "case" / "case.yaml").exists()
    res = runner.invoke(app, ["import-pypsa", str(network), "--out", str(tmp_path / "case")])
    assert res.exit_code == 2 and "--force" in said(res)
    res = runner.invoke(app, ["import-pypsa", str(tmp_path / "none.nc"), "--out",
                              str(tmp_path / "x")])
    assert res.exit_code == 2 and "no such network" in said(res)
    res = runner.invoke(app, ["export-pypsa", str(tmp_path / "case"), "--out",
                              str(tmp_path / "back.nc")])
    assert res.exit_code == 0, res.output
    assert pypsa.Network(str(tmp_path / "back.nc")).generators.shape[0] == 9
    res = runner.invoke(app, ["export-pypsa", str(tmp_path / "case"), "--run",
                              str(tmp_path / "case"), "--out", str(tmp_path / "bad.nc")])
    assert res.exit_code == 2 and "summary.json" in said(res)
    res = runner.invoke(app, ["export-pypsa", str(tmp_path / "nocase"), "--out",
                              str(tmp_path / "bad.nc")])
    assert res.exit_code == 2
    for command, unit in (("import-pypsa", "currency/MWh"), ("export-pypsa", "MWh")):
        res = runner.invoke(app, [command, "--help"])
        assert res.exit_code == 0 and unit in said(res)


def test_missing_pypsa_gives_a_clear_message(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from model.cli import app

    monkeypatch.setitem(sys.modules, "pypsa", None)  # import pypsa now raises ImportError
    (tmp_path / "n.nc").write_text("")
    res = CliRunner().invoke(app, ["import-pypsa", str(tmp_path / "n.nc"), "--out",
                                   str(tmp_path / "case")])
    assert res.exit_code == 2 and "pip install" in " ".join(res.output.split())


def test_the_api_is_loaded_on_first_use():
    code = ("import sys, model\n"
            "assert 'model.inputs.pypsa_import' not in sys.modules\n"
            "assert model.from_pypsa.__module__ == 'model.inputs.pypsa_import'\n"
            "assert model.to_pypsa.__module__ == 'model.outputs.pypsa_export'\n"
            "assert not hasattr(model, 'no_such_function')\n")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


# ------------------------------------------------------------------------------------------------
# the worked example of docs/pypsa.md runs as written
# ------------------------------------------------------------------------------------------------
def test_the_docs_example_runs_and_its_report_is_the_one_shown(tmp_path, monkeypatch, capsys):
    page = (ROOT / "docs" / "pypsa.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", page, re.S)
    assert len(blocks) >= 5
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "docs/pypsa.md", "exec"), namespace)  # noqa: S102
    assert_close(namespace["wattbit"].objective, namespace["power_only"].objective,
                 "docs example: WattBit vs PyPSA")
    report = (tmp_path / "three-buses" / "IMPORT_REPORT.md").read_text()
    shown = page.split("<!-- import-report -->\n```text\n", 1)[1].split("```", 1)[0]
    assert shown.strip() == report[report.index("## Not mapped"):].strip()
    sites = pd.read_csv(tmp_path / "three-buses-run" / "sites.csv").set_index("site")
    assert sites.at["north_dc", "it_mw"] > 0 and sites.at["centre_dc", "it_mw"] > 0
    assert (tmp_path / "three-buses-result.nc").exists()
    assert "WattBit" in capsys.readouterr().out
