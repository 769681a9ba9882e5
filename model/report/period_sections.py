"""The sections report.html adds for a multi-period run: key figures by period (from the
summary's per-period figures), costs by period (when the summary has ``costs_by_period``),
the build-out timeline (:mod:`model.report.timeline`) and the sites' online timeline
(:mod:`model.report.site_timeline`). A static run gets none of them."""

from __future__ import annotations

import pandas as pd

from model.report.format import esc, money_unit
from model.report.page import chart_section, table
from model.report.periods import decision_year
from model.report.plot import fig, layout, safe
from model.report.site_timeline import chart_site_timeline
from model.report.timeline import chart_buildout

# summary key → column of the figures-by-period table; each is a dict by period year
PER_PERIOD_KEYS = {"emissions_t_by_period": "emissions_t_per_year",
                   "average_price_per_mwh_by_period": "average_price_per_mwh",
                   "load_mwh_by_period": "load_mwh_per_year",
                   "unserved_energy_mwh_by_period": "unserved_mwh_per_year"}
FIGURE_FORMATS = {"period": "{:.0f}", "sites_running": "{:.0f}", "it_mw": "{:,.0f}",
                  "it_energy_mwh_per_year": "{:,.0f}",
                  "power_cost_per_mwh_it": "{:,.2f}", "emissions_t_per_year": "{:,.0f}",
                  "average_price_per_mwh": "{:,.2f}", "load_mwh_per_year": "{:,.0f}",
                  "unserved_mwh_per_year": "{:,.0f}"}


def _by_year(values: dict | None, year: int):
    """``values[year]``, whether the summary's keys are years as numbers or as text."""
    values = values or {}
    return values.get(str(year), values.get(year))


def period_figures(summary: dict, years: list[int]) -> pd.DataFrame:
    """One row per period: sites running, IT MW and energy, cost of power per MWh of IT,
    emissions, average price, load and unserved power — per year of the period, as the
    summary gives them (``by_period`` and the ``*_by_period`` figures)."""
    rows = []
    for year in years:
        sites = _by_year(summary.get("by_period"), year) or {}
        row = {"period": year, "sites_running": len(sites.get("sites_built") or []),
               "it_mw": sites.get("it_mw_built"),
               "it_energy_mwh_per_year": sites.get("it_energy_mwh"),
               "power_cost_per_mwh_it": sites.get("power_cost_per_mwh_it")}
        for key, column in PER_PERIOD_KEYS.items():
            row[column] = _by_year(summary.get(key), year)
        rows.append(row)
    frame = pd.DataFrame(rows)
    return frame.dropna(axis=1, how="all")


def costs_by_period(summary: dict, years: list[int]) -> pd.DataFrame | None:
    """Cost per year by component (rows) and period (columns) from
    ``summary["costs_by_period"]`` — keyed component → year or year → component — or None
    when the run has no such breakdown."""
    raw = summary.get("costs_by_period")
    if not isinstance(raw, dict) or not raw:
        return None
    frame = pd.DataFrame(raw)  # outer keys become the columns
    if not set(map(str, frame.columns)) & set(map(str, years)):
        frame = frame.T  # keyed component → year: periods to the columns
    frame.columns = [int(float(c)) for c in frame.columns]
    return frame.apply(pd.to_numeric, errors="coerce").fillna(0.0)


def chart_period_costs(case, frame: pd.DataFrame) -> dict:
    """Cost per year of each period, stacked by component."""
    frame = frame.loc[frame.abs().sum(axis=1) > 1e-6]
    scale, unit = money_unit(float(frame.clip(lower=0).sum().max()), case.currency)
    x = [str(c) for c in frame.columns]
    data = [{"type": "bar", "name": str(name).replace("_", " "), "x": x,
             "y": [round(float(v) / scale, 4) for v in frame.loc[name]],
             "hovertemplate": "%{x} " + str(name).replace("_", " ") + ": %{y:,.2f} "
                              + unit + "<extra></extra>"} for name in frame.index]
    return fig(data, layout("Cost per year of each period, by component", barmode="relative",
                            height=430, xaxis=dict(type="category",
                                                   title=dict(text="period")),
                            yaxis=dict(title=dict(text=f"{unit} per year"))))


def _figures_section(summary: dict, years: list[int], cur: str) -> str:
    figures = period_figures(summary, years)
    return ("<section id='periods'><h2>Periods</h2><p class='muted'>Figures per year of each "
            f"period ({esc(', '.join(map(str, years)))}), from the run's summary.</p>"
            + table(figures, FIGURE_FORMATS, cur=cur) + "</section>")


def period_sections(case, tables: dict, summary: dict,
                    years: list[int]) -> tuple[list[str], list[str]]:
    """(sections, scripts) of the multi-period sections; empty for a static run."""
    if not years:
        return [], []
    parts = []
    frame = costs_by_period(summary, years)
    if frame is not None:
        parts.append(chart_section(
            "chart-period-costs", "Costs by period",
            safe(chart_period_costs, "costs by period", case, frame),
            f"Cost per year of each period in {case.currency}, undiscounted, by component."))
    parts.append(chart_section(
        "chart-buildout", "Build-out",
        safe(chart_buildout, "build-out", case, tables),
        "Generation and storage power summed over all nodes (sites included): left, built "
        "for each period (capacity.csv new_mw); middle, in place in the period (total_mw); "
        "right, corridor capacity summed over all corridors (corridors.csv)."))
    decided = decision_year(tables, summary)
    parts.append(chart_section(
        "chart-site-timeline", "Sites over time",
        safe(chart_site_timeline, "site timeline", case, tables, years, decided),
        "Each built site: dotted, from the decision year"
        + (f" ({decided})" if decided is not None else "")
        + " to the year it comes online (its time to power); bars, the IT MW it runs in "
        "each period, up to the next period (the last bar is drawn as long as the gap "
        "before it)."))
    return ([_figures_section(summary, years, case.currency)] + [p[0] for p in parts],
            [p[1] for p in parts])
