"""The report of a multi-period run: the build-out and site timelines hold the run's table
sums, one-year drawings show one period (the last) and say so, the map's period menu lists
every period and switches the drawn layers; a static run's report has none of it.

The case is the two-region example with three periods (2026, 2030, 2035): load growing
25 % and compute demand growing from 30 % to 160 % of today's, decided in 2025.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from test_report import TWO_REGION, browse, dom_summary, save_artefact

from model.report.charts import chart_capacity
from model.report.html import render_report_html, write_report_html
from model.report.map_periods import report_map_data
from model.report.maps import draw_map
from model.report.period_sections import period_figures
from model.report.periods import capacity_in_place, period_view, run_periods
from model.report.site_timeline import site_timeline_table
from model.report.timeline import buildout_table, corridor_buildout
from model.studies.run import run

YEARS = [2026, 2030, 2035]
COMPUTE_GROWTH = {2026: 0.3, 2030: 1.0, 2035: 1.6}
LOAD_GROWTH = {2026: 1.0, 2030: 1.1, 2035: 1.25}


def write_multi_period_case(folder: Path) -> Path:
    """The two-region case with ``periods`` (see the module docstring)."""
    shutil.copytree(TWO_REGION, folder)
    config = yaml.safe_load((folder / "case.yaml").read_text())
    config.update(periods=YEARS, decision_year=2025)
    (folder / "case.yaml").write_text(yaml.safe_dump(config))
    demand = pd.read_csv(folder / "compute_demand.csv")
    pd.concat([demand.assign(period=y, it_mw=demand["it_mw"] * f)
               for y, f in COMPUTE_GROWTH.items()]).to_csv(folder / "compute_demand.csv",
                                                           index=False)
    pd.DataFrame([(r, y, f) for r in ("west", "east") for y, f in LOAD_GROWTH.items()],
                 columns=["region", "period", "factor"]).to_csv(folder / "load_growth.csv",
                                                                index=False)
    return folder


@pytest.fixture(scope="module")
def multi_period(tmp_path_factory):
    base = tmp_path_factory.mktemp("two-region-periods")
    res = run(write_multi_period_case(base / "case"), out=base / "run")
    assert res.status == "optimal"
    return res


# ------------------------------------------------------------------- the report's data
def test_periods_and_one_period_view(multi_period):
    tables, summary = multi_period.tables, multi_period.summary
    assert run_periods(tables, summary) == YEARS
    n_steps = len(tables["steps"])
    for year in YEARS:
        view = period_view(tables, year)
        assert "period" not in view["capacity"] and "period" not in view["sites"]
        assert len(view["capacity"]) == (tables["capacity"]["period"] == year).sum()
        # the year's steps only, labels without the "<year>|" prefix
        assert len(view["dispatch"]) == len(view["steps"]) == n_steps // len(YEARS)
        assert not any("|" in t for t in view["dispatch"]["time"].astype(str))
        # a period's steps stand for one year
        assert view["steps"]["weight_hours"].sum() == pytest.approx(8760.0)


def test_buildout_is_the_capacity_table_summed_per_period(multi_period):
    cap, cor = multi_period.tables["capacity"], multi_period.tables["corridors"]
    build = buildout_table(multi_period.tables)
    assert sorted(build["period"].unique()) == YEARS
    expected = cap.groupby(["period", "tech"])[["new_mw", "total_mw"]].sum()
    got = build.set_index(["period", "tech"])[["new_mw", "total_mw"]]
    pd.testing.assert_frame_equal(got.sort_index(), expected.sort_index(), check_dtype=False)
    for year in YEARS:  # and in total, per period
        rows = cap[cap["period"] == year]
        assert build.loc[build["period"] == year, "new_mw"].sum() == pytest.approx(
            rows["new_mw"].sum())
        assert build.loc[build["period"] == year, "total_mw"].sum() == pytest.approx(
            rows["total_mw"].sum())
    lines = corridor_buildout(multi_period.tables).set_index("period")
    for year in YEARS:
        rows = cor[cor["period"] == year]
        assert lines.at[year, "total_mw"] == pytest.approx(rows["total_mw"].sum())
        assert lines.at[year, "new_mw"] == pytest.approx(rows["new_mw"].sum())
        assert lines.at[year, "existing_mw"] == pytest.approx(rows["existing_mw"].sum())
        # existing + added for earlier periods + built for this one = in place
        assert (lines.loc[year, ["existing_mw", "earlier_new_mw", "new_mw"]].sum()
                == pytest.approx(lines.at[year, "total_mw"]))
    # what was built for earlier periods is still there (corridors outlive the horizon)
    assert lines.at[2035, "earlier_new_mw"] == pytest.approx(
        cor.loc[cor["period"] < 2035, "new_mw"].sum())


def test_capacity_chart_of_a_period_stacks_to_its_total(multi_period):
    """The node × technology bars of the last period add up to capacity.csv's total_mw:
    capacity built for earlier periods is in them, not only what was built for 2035."""
    cap = multi_period.tables["capacity"]
    last = cap[cap["period"] == 2035]
    assert (last["total_mw"] - last["existing_mw"] > last["new_mw"] + 1).any()  # the trap
    view = capacity_in_place(multi_period.tables, 2035)["capacity"]
    assert (view["existing_mw"] + view["new_mw"]).sum() == pytest.approx(last["total_mw"].sum())
    figure = chart_capacity(multi_period.case, capacity_in_place(multi_period.tables, 2035))
    drawn = sum(sum(v for v in t["y"] if v == v) for t in figure["data"])
    assert drawn == pytest.approx(last["total_mw"].sum(), rel=1e-4)


def test_site_timeline_holds_online_year_and_it_per_period(multi_period):
    sites, summary = multi_period.tables["sites"], multi_period.summary
    timeline = site_timeline_table(multi_period.tables)
    built = set(sites.loc[sites["built"] == 1, "site"])
    assert set(timeline["site"]) == built and built
    for site, year in summary["sites_online_year"].items():
        rows = timeline[timeline["site"] == site]
        assert (rows["online_year"] == year).all()
        assert (rows["time_to_power_years"] == year - 2025).all()
        # no IT before the online year; the sites table's IT MW in each period
        assert rows.loc[rows["period"] < year, "it_mw"].sum() == 0
        for _, r in rows.iterrows():
            assert r["it_mw"] == pytest.approx(float(sites.loc[
                (sites["site"] == site) & (sites["period"] == r["period"]), "it_mw"].iloc[0]))


def test_figures_by_period_come_from_the_summary(multi_period):
    summary = multi_period.summary
    figures = period_figures(summary, YEARS).set_index("period")
    for year in YEARS:
        per = summary["by_period"][year] if year in summary["by_period"] \
            else summary["by_period"][str(year)]
        assert figures.at[year, "it_mw"] == pytest.approx(per["it_mw_built"])
        emissions = summary["emissions_t_by_period"]
        assert figures.at[year, "emissions_t_per_year"] == pytest.approx(
            emissions.get(year, emissions.get(str(year))))


def test_map_data_has_one_view_per_period(multi_period):
    tables = multi_period.tables
    data = report_map_data(multi_period.case, tables, multi_period.summary)
    periods = data["periods"]
    assert periods["years"] == YEARS and periods["default"] == 2035
    sites = tables["sites"]
    for year in YEARS:
        view = periods["views"][str(year)]
        it = {s["id"]: s["it_mw"] for s in view["sites"]}
        expected = sites[sites["period"] == year].set_index("site")["it_mw"]
        assert it == pytest.approx(expected.to_dict())
        total = sum(c["total_mw"] for c in view["corridors"])
        assert total == pytest.approx(
            tables["corridors"].loc[tables["corridors"]["period"] == year, "total_mw"].sum())
        assert len(view["regions"]) == len(multi_period.case.regions)
    # the base (drawn first) is the last period; one colour scale over all periods
    assert [s["it_mw"] for s in data["sites"]] == [
        s["it_mw"] for s in periods["views"]["2035"]["sites"]]
    scales = {(v["scale"]["min"], v["scale"]["max"]) for v in periods["views"].values()}
    assert len(scales) == 1


def test_map_png_draws_the_last_period(multi_period):
    fig, info = draw_map(multi_period.case, multi_period.tables, multi_period.summary)
    assert info["period"] == 2035
    assert "period 2035" in info["caption"].lower()
    sites = multi_period.tables["sites"]
    last = sites[(sites["period"] == 2035) & (sites["built"] == 1) & (sites["it_mw"] > 0)]
    assert info["sites_built"] == len(last)
    title = [t.get_text() for t in fig.texts if t.get_text().startswith("Period 2035")]
    assert title, "the map's title names the period"


# ------------------------------------------------------------------------ report.html
def test_report_html_of_a_multi_period_run(multi_period):
    text = render_report_html(multi_period.case, multi_period.tables, multi_period.summary)
    assert "could not draw" not in text
    menu = re.search(r"<select id='map-period'>(.*?)</select>", text).group(1)
    assert re.findall(r"<option value='(\d+)'", menu) == [str(y) for y in YEARS]
    assert "<option value='2035' selected>" in menu
    for cid in ("periods", "chart-buildout", "chart-site-timeline"):
        assert f"id='{cid}'" in text
    # the one-year charts say which period they draw; tables show the period column
    assert text.count("Shown: period 2035 (last of 3: 2026–2035)") >= 3
    assert "discounted over all periods" in text
    assert "<th>period</th><th>site</th>" in text and "<th>online year</th>" in text
    assert "<th>period</th><th>name</th>" in text


def test_multi_period_report_renders_and_switches_period(multi_period, tmp_path):
    path = write_report_html(multi_period.case, multi_period.tables, multi_period.summary,
                             tmp_path / "report.html")
    # the reader picks the first period in the map's menu
    switched = tmp_path / "switched.html"
    switched.write_text(path.read_text(encoding="utf-8").replace(
        "</body></html>", "<script>var m = document.getElementById('map-period');"
        "m.value = '2026'; m.dispatchEvent(new Event('change'));</script></body></html>"),
        encoding="utf-8")
    ids = ["wb-errors", "wb-status", "map", "map-legend", "chart-buildout",
           "chart-site-timeline"]
    for page, year in ((path, "2035"), (switched, "2026")):
        dom = browse(page, tmp_path / f"profile-{year}", "--dump-dom")
        d = dom_summary(dom, ids)
        found = re.search(r'id="wb-errors"[^>]*>(.*?)</div>', dom, re.S)
        assert d.attrs["wb-errors"].get("data-count") == "0", found.group(1)[:2000]
        status = d.attrs["wb-status"]
        assert status["data-charts-rendered"] == status["data-charts-total"]
        assert d.attrs["chart-buildout"].get("data-rendered") == "1"
        assert d.attrs["chart-site-timeline"].get("data-rendered") == "1"
        assert d.attrs["map"].get("data-period") == year
        assert f"<b>Period {year}</b>" in dom  # the legend names the period shown
    shot = tmp_path / "report-two-region-periods.png"
    browse(path, tmp_path / "profile-shot", f"--screenshot={shot}", "--window-size=1400,3000")
    assert shot.exists() and shot.stat().st_size > 50_000
    save_artefact(shot)


def test_static_report_has_no_period_parts(tmp_path):
    res = run(TWO_REGION, out=tmp_path / "run")
    assert run_periods(res.tables, res.summary) == []
    assert len(buildout_table(res.tables)) == 0 and len(site_timeline_table(res.tables)) == 0
    text = render_report_html(res.case, res.tables, res.summary)
    for absent in ("id='map-period'", "id='chart-buildout'", "id='chart-site-timeline'",
                   "Shown: period", "<th>period</th>", "id='periods'",
                   "discounted over all periods"):
        assert absent not in text
    assert "Annual cost by component" in text and np.isfinite(res.summary["objective"])
    data = report_map_data(res.case, res.tables, res.summary)
    assert "periods" not in data
