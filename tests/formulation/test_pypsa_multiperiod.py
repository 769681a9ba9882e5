"""WattBit's multi-period (multi-investment) formulation vs PyPSA's multi-investment optimisation.

The PyPSA side is ``pypsa_mirror.build_multiperiod_network``: the static mirror's network with
``n.investment_periods``, ``investment_period_weightings`` (objective = W_p, years = span) and
one component per build year (``build_year``, ``lifetime``, that period's ``capital_cost``),
solved with ``multi_investment_periods=True``.  A hand-checkable case first pins both sides to
arithmetic done here; then seeded random plain cases (no data centres) compare the objectives
to 1e-6 relative.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pypsa_mirror
import pytest
from casegen import write_case
from pypsa_mirror import crf, period_weights

REL_TOL = 1e-6

# PyPSA 1.4 under pandas 3 warns about string dtypes on every network; not ours to fix here
pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")


def solve_wattbit(folder: Path) -> float:
    from model.studies.run import run

    res = run(folder, write=False)
    assert res.status == "optimal", f"WattBit status {res.status}"
    return float(res.objective)


def assert_close(a: float, b: float, what: str) -> None:
    assert abs(a - b) <= REL_TOL * max(1.0, abs(b)), (
        f"{what}: {a!r} vs {b!r} (diff {a - b:.6g}, rel {(a - b) / max(1.0, abs(b)):.3g})")


# ------------------------------------------------------------------------------------------------
# a hand-checkable case
# ------------------------------------------------------------------------------------------------
def hand_case(folder: Path, lifetime: int) -> tuple[Path, float]:
    """One region, flat 100 MW in 2030 growing to 150 MW in 2035, r = 5 %.  20 MW of existing
    gas retires in 2035; gas capex falls from 1000 to 800 per kW.  A 4-year gas plant built
    for 2030 is gone by 2035 (built again, 150 MW); a 20-year one still runs in 2035 (70 MW
    more), so the 2030 vintage pays its annuity in both periods."""
    rate, years = 0.05, [2030, 2035]
    gas = dict(tech="gas", kind="generator", capex_per_kw=1000.0, lifetime_years=lifetime,
               fixed_om_per_kw_year=10.0, var_om_per_mwh=2.0, fuel_cost_per_mwh=48.0)
    folder = write_case(
        folder, regions=[dict(id="a", lon=0.0, lat=0.0)],
        load={"a": [100.0] * 4}, technologies=[gas],
        resources=[dict(node="a", tech="gas", existing_mw=20.0, retire_year=2035)],
        config={"discount_rate": rate, "periods": years},
        tables={"load_growth": [dict(region="a", period=2035, factor=1.5)],
                "tech_costs": [dict(tech="gas", period=2035, capex_per_kw=800.0)]})
    # W_p: five years each (the last period lasts as long as the gap before it)
    w30 = sum(1.05 ** -k for k in range(5))
    w35 = sum(1.05 ** -k for k in range(5, 10))
    per_mw30 = 1000 * (crf(rate, lifetime) * 1000 + 10)  # per MW-year, built for 2030
    per_mw35 = 1000 * (crf(rate, lifetime) * 800 + 10)
    energy = w30 * 8760 * 100 * 50 + w35 * 8760 * 150 * 50
    if lifetime == 4:
        capital = w30 * 80 * per_mw30 + w35 * 150 * per_mw35
    else:
        capital = (w30 + w35) * 80 * per_mw30 + w35 * 70 * per_mw35
    return folder, capital + energy


@pytest.mark.parametrize("lifetime", [4, 20])
def test_hand_case_wattbit(lifetime: int, tmp_path: Path) -> None:
    folder, expected = hand_case(tmp_path / "hand", lifetime)
    assert_close(solve_wattbit(folder), expected, "WattBit vs closed form")


# the 20-year plant (a vintage paying in two periods) is the one kept in the default run
@pytest.mark.parametrize("lifetime", [pytest.param(4, marks=pytest.mark.slow), 20])
def test_hand_case_pypsa(lifetime: int, tmp_path: Path) -> None:
    """The mirror reads the contract as the closed form does (else the comparison is moot)."""
    folder, expected = hand_case(tmp_path / "hand", lifetime)
    assert_close(pypsa_mirror.solve_multiperiod(folder), expected, "PyPSA vs closed form")


def test_period_weights() -> None:
    # base year before the first period: every year discounted from 2025
    w = period_weights([2030, 2040], [10, 5], 0.05, 2025)
    assert w[0] == pytest.approx(sum(1.05 ** -(y - 2025) for y in range(2030, 2040)))
    assert w[1] == pytest.approx(sum(1.05 ** -(y - 2025) for y in range(2040, 2045)))
    assert list(period_weights([2030, 2035], [5, 5], 0.0, 2030)) == [5.0, 5.0]


# ------------------------------------------------------------------------------------------------
# random cases
# ------------------------------------------------------------------------------------------------
REGIONS = [dict(id="north", lon=10.0, lat=55.0), dict(id="south", lon=12.0, lat=47.0),
           dict(id="east", lon=20.0, lat=51.0)]
PERIOD_SETS = [[2030, 2035, 2040], [2030, 2040], [2028, 2030, 2035], [2030, 2035]]


def random_case(folder: Path, seed: int) -> tuple[Path, dict]:
    """A seeded random multi-period plain case; returns the folder and what it covers."""
    rng = np.random.default_rng(1000 + seed)
    regions = REGIONS[:2 + seed % 2]
    ids = [r["id"] for r in regions]
    steps = int(rng.integers(4, 9))
    years = PERIOD_SETS[seed % len(PERIOD_SETS)]
    hours = np.arange(steps)
    config: dict = {"periods": years,
                    "discount_rate": 0.0 if seed % 5 == 4 else round(rng.uniform(0.02, 0.08), 4),
                    "value_of_lost_load_per_mwh": 300.0 if seed % 4 == 3 else 3000.0}
    if seed % 3 == 1:
        config["base_year"] = years[0] - 5
    if seed % 4 == 2:
        config["horizon_end_year"] = years[-1] + 10
    if seed % 3 == 2:
        config["decision_year"] = years[0] - 3
    if seed % 2:
        config["time_step_weight_hours"] = float(rng.choice([1.0, 24.0, 500.0]))

    r = lambda lo, hi: round(float(rng.uniform(lo, hi)), 3)  # noqa: E731 (tidy CSV numbers)
    techs = [
        dict(tech="nuclear", kind="generator", capex_per_kw=r(3000, 6000),
             lifetime_years=int(rng.integers(40, 61)), fixed_om_per_kw_year=r(50, 100),
             fuel_cost_per_mwh=r(5, 12), lead_time_years=6),  # too late for early periods
        dict(tech="gas", kind="generator", capex_per_kw=r(500, 900),
             lifetime_years=int(rng.integers(6, 16)), fixed_om_per_kw_year=r(10, 25),
             var_om_per_mwh=r(2, 6), fuel_cost_per_mwh=r(40, 90)),
        dict(tech="solar", kind="generator", capex_per_kw=r(400, 800),
             lifetime_years=int(rng.integers(5, 13)), fixed_om_per_kw_year=r(5, 15)),
        dict(tech="wind", kind="generator", capex_per_kw=r(900, 1500),
             lifetime_years=int(rng.integers(20, 31)), fixed_om_per_kw_year=r(20, 40),
             var_om_per_mwh=r(0, 3)),
        dict(tech="battery", kind="storage", capex_per_kw=r(100, 300),
             lifetime_years=int(rng.integers(6, 13)), fixed_om_per_kw_year=r(3, 10),
             var_om_per_mwh=r(0, 3), capex_per_kwh=r(100, 300),
             efficiency_charge=r(0.85, 0.98), efficiency_discharge=r(0.85, 0.98),
             duration_hours=4.0 if seed % 2 else None),
    ]
    # costs by period: renewables and batteries get cheaper, gas fuel dearer
    tech_costs = []
    for k, y in enumerate(years[1:], start=1):
        fall = float(rng.uniform(0.7, 0.95)) ** k
        tech_costs += [dict(tech="solar", period=y, capex_per_kw=round(techs[2]["capex_per_kw"]
                                                                    * fall, 3)),
                       dict(tech="battery", period=y, capex_per_kwh=round(
                           techs[4]["capex_per_kwh"] * fall, 3)),
                       dict(tech="gas", period=y, fuel_cost_per_mwh=round(
                           techs[1]["fuel_cost_per_mwh"] * (1 + 0.1 * k), 3))]

    def max_new(scale: float) -> float | None:
        u = rng.random()
        return None if u < 0.4 else 0.0 if u < 0.5 else r(0.2 * scale, scale)

    def retire() -> int | None:  # within the horizon, before it, or never
        return None if rng.random() < 0.3 else int(rng.integers(years[0] - 2, years[-1] + 6))

    load, profiles, resources, growth = {}, {}, [], []
    for rid in ids:
        load[rid] = list(np.round(r(80, 300) * (1 + 0.3 * np.sin(2 * np.pi * hours / steps
                                                                  + rng.uniform(0, 6)))
                                  * rng.uniform(0.9, 1.1, steps), 3))
        factor = 1.0
        for y in years[1:]:
            factor *= float(rng.uniform(1.0, 1.3))
            growth.append(dict(region=rid, period=y, factor=round(factor, 4)))
        for tech in ("nuclear", "gas", "solar", "wind"):
            if tech != "gas" and rng.random() < 0.3:
                continue
            existing = r(20, 150) if rng.random() < 0.6 else 0.0
            resources.append(dict(node=rid, tech=tech, existing_mw=existing,
                                  max_new_mw=max_new(400.0), retire_year=retire()))
            if tech in ("solar", "wind"):
                profiles[f"{rid}:{tech}"] = list(np.round(rng.uniform(0, 1, steps), 4))
        if rng.random() < 0.7:
            existing = r(10, 60) if rng.random() < 0.5 else 0.0
            resources.append(dict(node=rid, tech="battery", existing_mw=existing,
                                  existing_mwh=round(existing * 3, 3), max_new_mw=max_new(150.0),
                                  max_new_mwh=None if rng.random() < 0.7 else r(100, 500),
                                  retire_year=retire()))
    corridors = []
    for a, b in zip(ids, ids[1:], strict=False):
        lossy = rng.random() < 0.5
        corridors.append({"from": a, "to": b, "existing_mw": r(0, 100),
                          "max_new_mw": max_new(300.0), "length_km": r(200, 1000),
                          "cost_per_mw_km": r(200, 1200),
                          "lifetime_years": int(rng.integers(8, 50)),
                          "loss_per_1000km": r(0.01, 0.08) if lossy else 0.0,
                          "lead_time_years": 3 if rng.random() < 0.3 else 0})
    write_case(folder, regions=regions, load=load, technologies=techs, resources=resources,
               profiles=profiles, corridors=corridors, config=config,
               tables={"load_growth": growth, "tech_costs": tech_costs})
    lives = [t["lifetime_years"] for t in techs] + [c["lifetime_years"] for c in corridors]
    info = dict(regions=len(ids), steps=steps, periods=len(years), rate=config["discount_rate"],
                short_life=min(lives) < years[-1] - years[0],
                retiring=any(x["retire_year"] is not None and years[0] < x["retire_year"]
                             <= years[-1] and x["existing_mw"] > 0 for x in resources),
                finite_potential=any(x["max_new_mw"] for x in resources + corridors),
                lossy=any(c["loss_per_1000km"] for c in corridors),
                storage=any(x["tech"] == "battery" for x in resources))
    return folder, info


SEEDS = list(range(10))
# PyPSA builds its multi-investment model in seconds whatever the size (xarray overhead), so
# the default run keeps one seed (3 periods, a binding potential, retirements, storage,
# a lossy corridor); the others run with the slow tests (-m slow)
FAST_SEEDS = [0]
USED: dict[int, dict] = {}  # seed -> what PyPSA's optimum used


def _used(n) -> dict:
    """What a solved multi-period mirror network used (new capacity by build year...)."""
    built = {}
    for comp in ("generators", "links", "stores"):
        df = getattr(n, comp)
        attr = "e_nom" if comp == "stores" else "p_nom"
        ext = df[df[f"{attr}_extendable"] & (df["build_year"] > 0)]
        for year, mw in (ext[f"{attr}_opt"]).groupby(ext["build_year"]).sum().items():
            built[int(year)] = built.get(int(year), 0.0) + float(mw)
    first = int(n.investment_periods[0])
    unserved = [g for g in n.generators.index if g.startswith("unserved ")]
    return dict(built_first=built.get(first, 0.0),
                built_later=sum(v for y, v in built.items() if y > first),
                unserved_mwh=float(n.generators_t.p[unserved].sum().sum()),
                stored_mwh=float(n.stores_t.e.sum().sum()) if not n.stores.empty else 0.0)


@pytest.mark.parametrize("seed", [s if s in FAST_SEEDS else pytest.param(s, marks=pytest.mark.slow)
                                  for s in SEEDS])
def test_random_case_matches_pypsa(seed: int, tmp_path: Path) -> None:
    folder, info = random_case(tmp_path / f"case{seed}", seed)
    n = pypsa_mirror.build_multiperiod_network(folder)
    pypsa_obj = pypsa_mirror.solve_network(n)
    USED[seed] = {**info, **_used(n)}
    assert_close(solve_wattbit(folder), pypsa_obj, f"seed {seed} {info}")


def test_random_cases_cover_the_brief(tmp_path: Path) -> None:
    """The seeds cover what the cross-check is for, and PyPSA's optima actually use it."""
    infos = [random_case(tmp_path / f"c{s}", s)[1] for s in SEEDS]
    assert {i["regions"] for i in infos} == {2, 3}
    assert {i["periods"] for i in infos} == {2, 3}
    for key in ("short_life", "retiring", "finite_potential", "lossy", "storage"):
        assert any(i[key] for i in infos), key
    assert any(i["rate"] == 0 for i in infos) and any(i["rate"] > 0 for i in infos)
    if set(USED) != set(SEEDS):
        pytest.skip("run with every seed of test_random_case_matches_pypsa to check the optima")
    for key in ("built_first", "built_later", "unserved_mwh", "stored_mwh"):
        assert any(u[key] > 1e-3 for u in USED.values()), f"no random case exercises {key}"
