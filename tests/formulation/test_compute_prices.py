"""Prices of compute and the cost of power a site pays, checked against finite differences.

A flat 100 MW demand served at one site: power from existing gas at 60 per MWh (PUE 1, no idle
draw), IT at 876 per kW (lifetime 1, discount 0: 876 000 per MW-year = 100 per MWh at full
use). The long-run marginal cost of one more MWh of compute is 60 + 100 = 160.
"""

from __future__ import annotations

import pytest
from casegen import tech, write_case

from model.studies.run import run

HOURS = 8760.0


def _flat_case(tmp_path, name, it_mw=100.0, **site):
    """24 equal hourly steps (each stands for 365 h): IT capacity binds in every hour, so the
    fixed-integer LP's hourly compute duals are not unique unless IT can still expand."""
    return write_case(
        tmp_path / name,
        regions=[{"id": "r", "lon": 0, "lat": 0}],
        load={"r": [0.0] * 24},
        technologies=[tech("gas", var_om_per_mwh=60)],
        resources=[{"node": "r", "tech": "gas", "existing_mw": 1000, "max_new_mw": 0}],
        sites=[{"id": "dc", "lon": 0.05, "lat": 0, "region": "r", "pue": 1.0,
                "idle_share": 0.0, "capex_per_kw_it": 876, "lifetime_years": 1, **site}],
        centres=[{"id": "city", "lon": 0.1, "lat": 0}],
        compute_demand=[{"centre": "city", "class": "chat", "it_mw": it_mw}],
        workloads=[{"class": "chat", "max_latency_ms": 50,
                    "value_of_lost_compute_per_mwh": 5000}],
    )


def _price(res) -> float:
    return float(res.tables["compute_prices"]["marginal_cost_per_mwh_it"].iloc[0])


@pytest.mark.parametrize("site", [{}, {"max_it_mw": 500}, {"module_mw": 10}],
                         ids=["unlimited", "max_it", "modules"])
def test_compute_price_is_the_long_run_marginal_cost(tmp_path, site):
    """Review: main reported 248.6 per MWh IT where IT capacity bound in the fixed-integer LP
    (big-M = total demand, or whole modules); the finite difference is 160.3. On this case
    main reports 474.2 (265.8 with a value of lost compute of 5000)."""
    res = run(_flat_case(tmp_path, "base", **site), write=False)
    assert _price(res) == pytest.approx(160.0, rel=0.01)


def test_compute_price_matches_a_finite_difference(tmp_path):
    base = run(_flat_case(tmp_path, "base"), write=False)
    more = run(_flat_case(tmp_path, "more", it_mw=101.0), write=False)
    finite_difference = (more.objective - base.objective) / HOURS
    assert finite_difference == pytest.approx(160.0, rel=1e-6)
    assert _price(base) == pytest.approx(finite_difference, rel=0.01)


def test_power_cost_is_the_average_cost_of_power_used(tmp_path):
    """100 MW IT at PUE 1.1 behind a 50 MW connection: 50 MW imported at the region's price
    (10 per MWh), 60 MW from on-site gas (50 per kW-year and 40 per MWh). Average cost of
    power per MWh of IT: (50·8760·10 + 60·50 000 + 60·8760·40) / (100·8760) = 32.42.
    Review: main reported the site node's marginal price, which carries the connection's
    shadow price."""
    folder = write_case(
        tmp_path / "avg",
        regions=[{"id": "r", "lon": 0, "lat": 0}],
        load={"r": [0.0]},
        technologies=[tech("grid_gen", var_om_per_mwh=10),
                      tech("gas", capex_per_kw=50, var_om_per_mwh=40)],
        resources=[{"node": "r", "tech": "grid_gen", "existing_mw": 1000, "max_new_mw": 0},
                   {"node": "dc", "tech": "gas"}],
        sites=[{"id": "dc", "lon": 0.05, "lat": 0, "region": "r", "pue": 1.1,
                "idle_share": 0.0, "grid_limit_mw": 50, "lifetime_years": 1}],
        centres=[{"id": "city", "lon": 0.1, "lat": 0}],
        compute_demand=[{"centre": "city", "class": "chat", "it_mw": 100}],
        workloads=[{"class": "chat", "max_latency_ms": 50}],
    )
    res = run(folder, write=False)
    s = res.tables["sites"].set_index("site")
    expected = (50 * HOURS * 10 + 60 * 50_000 + 60 * HOURS * 40) / (100 * HOURS)
    assert s.loc["dc", "power_cost_per_mwh_it"] == pytest.approx(expected, rel=1e-7)
    assert s.loc["dc", "grid_share"] == pytest.approx(50 / 110, rel=1e-7)
    # the marginal figure keeps its own name: on-site gas at the margin, 40 + 50 000 / 8760
    assert s.loc["dc", "marginal_power_cost_per_mwh_it"] == pytest.approx(
        1.1 * (40 + 50_000 / HOURS), rel=1e-6)
    assert res.summary["power_cost_per_mwh_it"] == pytest.approx(expected, rel=1e-7)
