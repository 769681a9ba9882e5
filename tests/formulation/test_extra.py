"""Custom constraints (``extra(ctx)``, model.formulation.extra) on a hand-solvable case.

Two regions, one candidate site in each, one batch workload (any site may serve it) of 100 MW
IT every hour. Power costs 10 per MWh in region a and 30 in region b (existing plant, nothing
to build); IT costs 200 per kW at either site (discount 0, lifetime 1 year: 200,000 per
MW-year); PUE 1, no idle power, connections free.

Without a custom constraint all 100 MW go to site sa:
    objective = 100 · 200,000 + 100 MW · 10 · 8760 h = 20,000,000 + 8,760,000 = 28,760,000.

The user's row "sa holds at most 60 % of all IT": IT_sa ≤ 0.6 · (IT_sa + IT_sb), written
    0.4 · IT_sa − 0.6 · IT_sb ≤ 0.
With s MW served at sb (and 100 − s at sa, IT equal to what each site serves), the row reads
40 − s ≤ b (b = 0 is the bound): s = 40. Building idle IT at sb instead would cost
200,000 · (2/3) per MW of work kept at sa, against 20 · 8760 = 175,200 saved: it does not pay.
    objective = 20,000,000 + (60 · 10 + 40 · 30) · 8760 = 20,000,000 + 15,768,000 = 35,768,000
    dual = d objective / d b = d/db [20 · 8760 · (40 − b)] = −175,200 per MW of the row.
The case is a MILP (site build decisions), so the dual comes from the pricing LP.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from casegen import tech, write_case

from model.formulation.datacentres import SiteBlocks
from model.formulation.lp import Term
from model.studies.run import run

HOURS = 8760.0


def _case(tmp_path):
    return write_case(
        tmp_path / "share",
        regions=[{"id": "a", "lon": 0, "lat": 50}, {"id": "b", "lon": 2, "lat": 50}],
        load={"a": [0.0] * 4, "b": [0.0] * 4},
        technologies=[tech("cheap", fuel_cost_per_mwh=10), tech("dear", fuel_cost_per_mwh=30)],
        resources=[{"node": "a", "tech": "cheap", "existing_mw": 1000, "max_new_mw": 0},
                   {"node": "b", "tech": "dear", "existing_mw": 1000, "max_new_mw": 0}],
        sites=[{"id": "sa", "lon": 0.1, "lat": 50, "region": "a", "capex_per_kw_it": 200,
                "lifetime_years": 1, "pue": 1.0},
               {"id": "sb", "lon": 2.1, "lat": 50, "region": "b", "capex_per_kw_it": 200,
                "lifetime_years": 1, "pue": 1.0}],
        centres=[{"id": "city", "lon": 1, "lat": 50}],
        compute_demand=[{"centre": "city", "class": "batch", "it_mw": 100}],
        workloads=[{"class": "batch", "max_latency_ms": 1000}],
    )


def at_most_share(site: str, share: float):
    """IT at ``site`` ≤ share · IT at all sites (new IT only: the case has no existing IT)."""
    def extra(ctx):
        sites = ctx.get(SiteBlocks)
        it = sites.it_new_mw
        mine = it.positions([site])
        every = np.arange(it.size)
        ctx.lp.add_constraints("max_site_share", pd.Index([site], name="site"),
                               [Term(it, mine, 1.0, np.zeros(1)),
                                Term(it, every, -share, np.zeros(it.size))], "<=", 0.0)
    return extra


def test_without_the_constraint_all_it_goes_to_the_cheap_site(tmp_path):
    res = run(_case(tmp_path), write=False)
    assert res.objective == pytest.approx(100 * 200_000 + 100 * 10 * HOURS, rel=1e-9)
    assert "user_constraints" not in res.tables and "user_constraints" not in res.summary


@pytest.mark.parametrize("strategy", ["relax_round", "highs"])
def test_share_constraint_binds_with_the_hand_checked_objective_and_dual(tmp_path, strategy):
    """Both MILP routes price the user's row: in place after rounding, or the pricing LP
    after HiGHS's branch and bound."""
    res = run(_case(tmp_path), write=False, extra=at_most_share("sa", 0.6),
              solver_options={"mip_strategy": strategy, "mip_gap": 0.0})
    assert res.status == "optimal"
    assert res.objective == pytest.approx(20_000_000 + (60 * 10 + 40 * 30) * HOURS, rel=1e-9)
    sites = res.tables["sites"].set_index("site")
    assert sites.loc["sa", "it_mw"] == pytest.approx(60)
    assert sites.loc["sb", "it_mw"] == pytest.approx(40)
    row = res.tables["user_constraints"].set_index("constraint").loc["max_site_share"]
    assert row["row"] == "sa" and bool(row["binding"])
    assert row["activity"] == pytest.approx(0.0, abs=1e-6)
    assert row["upper"] == 0.0 and row["lower"] == -np.inf
    assert row["dual"] == pytest.approx(-20 * HOURS, rel=1e-6)  # −175,200 per MW of the row
    entry = res.summary["user_constraints"]["max_site_share"]
    assert entry["rows"] == 1 and entry["binding"] == 1
    assert entry["dual"] == pytest.approx(-175_200, rel=1e-6)
    assert "at_most_share" in res.summary["extra"]


def test_dual_is_the_change_of_the_objective_per_unit_of_the_bound(tmp_path):
    """Relaxing the row by 1 MW (b = 1) lowers the objective by the dual's size."""
    base = run(_case(tmp_path), write=False, extra=at_most_share("sa", 0.6))

    def relaxed(ctx):
        at_most_share("sa", 0.6)(ctx)
        block = ctx.lp.constraints["max_site_share"]
        block.ub[:] = 1.0

    moved = run(_case(tmp_path), write=False, extra=relaxed)
    dual = base.summary["user_constraints"]["max_site_share"]["dual"]
    assert moved.objective - base.objective == pytest.approx(dual, rel=1e-6)


def test_extra_file_from_the_command_line(tmp_path):
    from typer.testing import CliRunner

    from model.cli import app

    extra = tmp_path / "share.py"
    extra.write_text(
        "import numpy as np, pandas as pd\n"
        "from model.formulation.datacentres import SiteBlocks\n"
        "from model.formulation.lp import Term\n\n"
        "def extra(ctx):\n"
        "    it = ctx.get(SiteBlocks).it_new_mw\n"
        "    ctx.lp.add_constraints('max_site_share', pd.Index(['sa']),\n"
        "        [Term(it, it.positions(['sa']), 1.0, np.zeros(1)),\n"
        "         Term(it, np.arange(it.size), -0.6, np.zeros(it.size))], '<=', 0.0)\n")
    out = tmp_path / "run"
    r = CliRunner().invoke(app, ["run", str(_case(tmp_path)), "--extra", str(extra), "--out",
                                 str(out), "--no-report", "--quiet"])
    assert r.exit_code == 0, r.output
    table = pd.read_csv(out / "user_constraints.csv")
    assert table.loc[0, "constraint"] == "max_site_share"
    assert table.loc[0, "dual"] == pytest.approx(-175_200, rel=1e-6)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["user_constraints"]["max_site_share"]["binding"] == 1
    assert summary["inputs"]["extra"] == str(extra.resolve())


def test_a_bad_term_is_refused_before_the_solve(tmp_path):
    def bad(ctx):
        it = ctx.get(SiteBlocks).it_new_mw
        ctx.lp.add_constraints("oops", pd.Index(["x"]), [Term(it, [0], 1.0, [3])], "<=", 0.0)

    with pytest.raises(ValueError, match="oops"):
        run(_case(tmp_path), write=False, extra=bad)
