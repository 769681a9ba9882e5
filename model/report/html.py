"""Interactive run report (``report.html``), self-contained: it opens offline from a single
file (Leaflet and plotly.js inlined once, see :mod:`model.report.embed`); nothing is fetched
at run time unless ``tiles=True`` asks for an OpenStreetMap base layer. Without Leaflet the
map section falls back to the static map of :mod:`model.report.maps`, embedded as a PNG.

Sections of :func:`write_report_html`:

* key figures (objective, status and gap, emissions, average price, IT built, cost of power
  per MWh of compute, unserved power and compute, solve time);
* map: region polygons as the base layer (shaded by load-weighted average price), corridors
  (width by total capacity, cyan core for new capacity), sites (size by IT MW, hollow when not
  built), demand centres; a pop-up on each with its numbers; a layer switcher
  (:mod:`model.report.map_data`, assets/map.js);
* charts (plotly): annual cost by component, capacity by technology and node (existing vs
  new), hourly dispatch stack of a region with the sites it hosts (a region menu; the week of
  its peak load shown first, a range slider for the rest), storage state of charge, price
  duration curves, compute flows demand centre → site (Sankey)
  (:mod:`model.report.charts`, :mod:`~model.report.dispatch`, :mod:`~model.report.sankey`);
* tables: sites, compute assignment, corridors.

A small inline script (assets/errors.js) records every JavaScript error into ``#wb-errors``
(``data-count``); the map and each chart are marked ``data-rendered="1"`` once drawn: the
tests open the file in headless Chromium and read these marks.

The scenario comparison (:func:`write_comparison_html`) lives in
:mod:`model.report.comparison`; it and :func:`read_run` are importable from here too.
"""

from __future__ import annotations

import base64
import warnings
from pathlib import Path

import pandas as pd

from model.formulation.registry import COMPONENTS
from model.report import maps
from model.report.charts import chart_capacity, chart_costs, chart_price_duration, chart_soc
from model.report.comparison import (
    comparison_frame,
    render_comparison_html,
    write_comparison_html,
)
from model.report.dispatch import chart_dispatch
from model.report.embed import asset, leaflet_assets
from model.report.format import energy, esc, mass, money, num
from model.report.map_data import map_data
from model.report.map_periods import report_map_data
from model.report.page import chart_section, page, plot_script, table
from model.report.period_sections import period_sections
from model.report.periods import capacity_in_place, period_label, period_view, run_periods
from model.report.plot import empty_fig, safe, to_json
from model.report.run_data import read_run
from model.report.sankey import chart_sankey
from model.report.steps import run_steps

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = ('&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap'
                   '</a> contributors')
ERROR_HOOK = asset("errors.js")  # the error recorder every page starts with


# ------------------------------------------------------------------------ key figures
def _or_dash(value, text: str) -> str:
    return text if value is not None else "—"


def _key_figures(case, summary: dict, years: list[int]) -> list[tuple[str, str, str]]:
    """(name, value, note) of each key-figure card; ``years`` (the periods of a
    multi-period run) change what the cards say they hold, see :func:`_period_notes`."""
    cur = case.currency
    s = summary
    tim = s.get("timings") or {}
    gap = s.get("mip_gap")
    built = s.get("sites_built") or []
    cards = [
        ("Objective", _or_dash(s.get("objective"), money(s.get("objective"), cur) + "/yr"),
         "annualised capital + fixed O&M of new capacity, operating costs, penalties"),
        ("Status", str(s.get("status", "—")) + (
            f" · gap {100 * gap:.2f} %" if gap is not None and s.get("is_mip") else ""),
         str(s.get("message", "") or "")),
        ("Emissions", mass(s.get("emissions_t")), "per year"),
        ("Average power price", _or_dash(s.get("average_price_per_mwh"),
                                         num(s.get("average_price_per_mwh")) + f" {cur}/MWh"),
         "base-load weighted, all regions"),
        ("IT capacity built", _or_dash(s.get("it_mw_built"), num(s.get("it_mw_built"), 0)
                                       + " MW"),
         f"{len(built)} site(s): " + (", ".join(built) or "none")),
        ("Power cost per MWh of compute",
         _or_dash(s.get("power_cost_per_mwh_it"),
                  num(s.get("power_cost_per_mwh_it")) + f" {cur}/MWh IT"),
         "average: grid imports at local prices + on-site plant + connection ÷ IT energy"),
        ("Unserved power", energy(s.get("unserved_energy_mwh")), "per year"),
        ("Unserved compute", energy(s.get("unserved_compute_mwh")), "IT energy per year"),
        ("Solve time", f"{tim.get('total_s', float('nan')):.1f} s total" if tim else "—",
         f"solver: {(s.get('solver') or {}).get('algorithm_used', '—')}"),
    ]
    return _period_notes(cards, s, cur, years) if years else cards


def _period_notes(cards: list, s: dict, cur: str, years: list[int]) -> list:
    """Key figures of a multi-period run: the summary's objective, costs, emissions and
    energy are totals over the horizon's years (discounted where money), its site figures
    those of the last period; the cards say so instead of "per year"."""
    span = f"{years[0]}–{years[-1]}"
    prices = s.get("average_price_per_mwh_by_period") or {}
    last_price = prices.get(str(years[-1]), prices.get(years[-1]))
    notes = {
        "Objective": (_or_dash(s.get("objective"), money(s.get("objective"), cur)),
                      f"discounted total over the periods {span}: capital, fixed O&M, "
                      "operating costs, penalties"),
        "Emissions": (None, f"total over every year of {span}; per period under Periods"),
        "IT capacity built": (None, f"in the last period, {years[-1]}: "),
        "Power cost per MWh of compute": (None, f"last period, {years[-1]}"),
        "Unserved power": (None, f"total over every year of {span}"),
        "Unserved compute": (None, f"IT energy, total over every year of {span}"),
        "Average power price": (_or_dash(last_price, num(last_price) + f" {cur}/MWh"),
                                f"last period, {years[-1]}, base-load weighted; by period "
                                "under Periods"),
    }
    out = []
    for name, value, note in cards:
        new_value, new_note = notes.get(name, (None, None))
        if name == "IT capacity built" and new_note:
            new_note += note
        out.append((name, new_value or value, new_note or note))
    return out


def _key_figures_section(case, summary: dict, years: list[int]) -> str:
    cards = "".join(f"<div class='card'><div class='k'>{esc(k)}</div><div class='v'>{esc(v)}"
                    f"</div><div class='n'>{esc(n)}</div></div>"
                    for k, v, n in _key_figures(case, summary, years))
    desc = str(case.config.get("description", "") or "").strip()
    return ("<section id='key-figures'><h2>Key figures</h2>"
            + (f"<p class='muted'>{esc(desc)}</p>" if desc else "")
            + f"<div class='cards'>{cards}</div></section>")


def _subtitle(case, tables: dict, summary: dict) -> str:
    scen = list(getattr(case, "scenario_names", None) or summary.get("scenarios") or [])
    n_steps = (summary.get("size") or {}).get("time_steps")
    if n_steps is None and run_steps(tables) is not None:
        n_steps = run_steps(tables).n
    parts = [f"scenarios: {esc(', '.join(scen)) if scen else 'none (base case)'}",
             f"status: <b>{esc(summary.get('status', '—'))}</b>",
             *([f"{n_steps} time steps"] if n_steps is not None else []),
             f"currency {esc(case.currency)}"]
    return " · ".join(parts)


# -------------------------------------------------------------------------------- map
def _map_section(case, tables: dict, summary: dict, leaflet, tiles: bool) -> tuple[str, str]:
    """(section, script): the Leaflet map, or the static map when Leaflet is missing."""
    if not leaflet:
        png = base64.b64encode(maps.render_map_png(case, tables, summary, dpi=110)).decode()
        return (
            "<section id='map-section'><h2>Map</h2><p class='muted'>Static map: Leaflet is "
            "not installed (<code>pip install django-js-lib-leaflet</code> gives the "
            "interactive map).</p><div id='map' class='wb-map' data-rendered='1'>"
            f"<img alt='map' style='width:100%' src='data:image/png;base64,{png}'></div>"
            "</section>"), ""
    mdata = report_map_data(case, tables, summary)
    section = (
        "<section id='map-section'><h2>Map</h2><p class='muted'>Click a region, corridor, "
        "site or demand centre for its numbers; switch layers at the top right. "
        + ("Base map © OpenStreetMap contributors (needs a network connection). "
           if tiles else "Region outlines are the base layer (no tile server needed). ")
        + _period_menu(mdata.get("periods"))
        + "</p><div class='mapwrap'><div id='map' class='wb-map'></div>"
        "<div id='map-legend' class='legend'></div></div></section>")
    tiles_js = to_json({"url": OSM_TILES, "attribution": OSM_ATTRIBUTION}) if tiles else "null"
    return section, (f"<script>var WB_MAP = {to_json(mdata)}; var WB_TILES = {tiles_js};"
                     f"</script><script>{asset('map.js')}</script>")


def _period_menu(periods: dict | None) -> str:
    """The map's period menu (multi-period runs), the default period selected."""
    if not periods:
        return ""
    options = "".join(f"<option value='{y}'{' selected' if y == periods['default'] else ''}>"
                      f"{y}</option>" for y in periods["years"])
    return (f"Period: <select id='map-period'>{options}</select> (regions share one colour "
            "scale across periods; compute flows in pop-ups are all periods together).")


# ------------------------------------------------------------------------------ charts
def _dispatch_section(case, tables: dict, summary: dict, shown: str = ""
                      ) -> tuple[str, str]:
    """(section, script) of the dispatch chart with its region menu; ``shown`` says which
    period it draws (multi-period runs)."""
    dispatch = None
    try:
        dispatch = chart_dispatch(case, tables, summary)
    except Exception as exc:  # noqa: BLE001
        warnings.warn(f"report: could not draw the dispatch chart: {exc!r}", RuntimeWarning,
                      stacklevel=2)
    if dispatch is None:
        fig = empty_fig("Hourly dispatch", "no dispatch in this run")
        return ("<section><h2>Dispatch</h2><div id='chart-dispatch' class='wb-chart'>"
                "</div></section>", plot_script("chart-dispatch", fig))
    meta, figs = dispatch
    opts = "".join(f"<option value='{esc(i)}'{' selected' if i == meta['default'] else ''}>"
                   f"{esc(n)}</option>" for i, n in meta["options"])
    om = meta["omitted"]
    omitted = (f" To keep the file small, {len(om)} region(s) with less load are not in "
               f"the menu ({esc(', '.join(om[:5]))}{', …' if len(om) > 5 else ''}): "
               "see dispatch.csv." if om else "")
    section = (
        "<section><h2>Dispatch</h2><p class='muted'>Hourly balance of a region together "
        "with the data-centre sites it hosts: generation, storage, net imports over "
        "corridors (after losses) and unserved power above zero; charging and exports "
        "below. Lines: base load, and base load plus data-centre power. "
        + (f"<b>Shown: {esc(shown)}.</b> " if shown else "") + "Region: "
        f"<select id='dispatch-area'>{opts}</select>{omitted}</p>"
        "<div id='chart-dispatch' class='wb-chart'></div></section>")
    payload = to_json({"x": meta["x"], "figs": figs, "default": meta["default"]})
    return section, (f"<script>var WB_DISPATCH = {payload};</script>"
                     f"<script>{asset('dispatch.js')}</script>")


def _chart_pieces(case, shown: str = "") -> dict:
    """Chart sections by report-piece name: (element id, title, builder, caption);
    ``shown`` names the period the one-year charts draw (multi-period runs)."""
    cur = case.currency
    only = f" Shown: {shown}." if shown else ""
    return {
        "costs": ("chart-costs", "Costs",
                  lambda t, s: safe(chart_costs, "costs", case, s,
                                    "Cost by component, discounted over all periods" if shown
                                    else "Annual cost by component", not shown),
                  (f"Discounted totals over all periods, in {cur}. " if shown else
                   f"Per year, in {cur}. ")
                  + "Dark blue: annualised capital; light blue: fixed O&M; "
                  "amber: operating costs; red: penalties for unserved power or compute; grey: "
                  "fixed O&M of existing assets, shown but not part of the objective."),
        "capacity": ("chart-capacity", "Capacity",
                     lambda t, s: safe(chart_capacity, "capacity", case, t),
                     "Generation and storage power by node; sites are nodes of their own."
                     + (" New (solid): all capacity the run added that is in place in the "
                        "period, built for it or for earlier periods." if shown else "")
                     + only),
        "state_of_charge": ("chart-soc", "Storage",
                            lambda t, s: safe(chart_soc, "storage", case, t, s),
                            "State of charge at the end of each hour." + only),
        "prices": ("chart-prices", "Prices",
                   lambda t, s: safe(chart_price_duration, "prices", case, t),
                   f"Marginal price of power ({cur}/MWh) from the pricing LP (sites fixed, "
                   "capacity free to grow): long-run prices; each step counts for the hours it "
                   "represents." + only),
        "assignment": ("chart-sankey", "Compute",
                       lambda t, s: safe(chart_sankey, "compute", case, t, *(
                           ["Compute served: demand centre → data-centre site (IT energy, "
                            "periods together)"] if shown else [])),
                       ("Which sites serve each demand centre's work, all periods together "
                        "(one year of each period, summed; assignment.csv has them by "
                        "period); " if shown else
                        "Which sites serve each demand centre's work, per year; ")
                       + "hover a link for its class and round-trip latency."),
    }


def _charts(case, tables: dict, summary: dict) -> tuple[list[str], list[str]]:
    """(sections, scripts) of every chart: the report pieces the components of the registry
    declare (:data:`model.formulation.registry.COMPONENTS`), in registry order."""
    years = run_periods(tables, summary)
    # a multi-period run's one-year charts draw its last period (assignment has no period)
    shown = period_label(years, years[-1]) if years else ""
    one_period = period_view(tables, years[-1]) if years else tables
    # capacity and storage drawings stack existing + new: new is all added capacity in place
    in_place = capacity_in_place(tables, years[-1]) if years else tables
    charts = _chart_pieces(case, shown)
    parts = []
    for piece in _declared_pieces():
        if piece == "dispatch":
            parts.append(_dispatch_section(case, one_period, summary, shown))
        elif piece in charts:
            elem, title, build, caption = charts[piece]
            view = in_place if piece in ("capacity", "state_of_charge") else one_period
            parts.append(chart_section(elem, title, build(view, summary), caption))
    return [p[0] for p in parts], [p[1] for p in parts]


def _declared_pieces() -> list[str]:
    """Report pieces of every registered component, once each, in registry order."""
    out: list[str] = []
    for component in COMPONENTS:
        out += [piece for piece in component.report if piece not in out]
    return out


# ------------------------------------------------------------------------------ tables
SITE_TABLE = {"period": None, "site": None, "name": None, "region": None, "group": None,
              "built": None, "online_year": "{:.0f}", "time_to_power_years": "{:g}",
              "it_mw": "{:,.0f}", "utilisation": "{:.0%}", "pue_mean": "{:.3f}",
              "it_energy_mwh_per_year": "{:,.0f}", "power_mwh_per_year": "{:,.0f}",
              "peak_power_mw": "{:,.1f}", "power_cost_per_mwh_it": "{:,.2f}"}
CORRIDOR_TABLE = ("period", "name", "from", "to", "existing_mw", "new_mw", "total_mw",
                  "length_km", "max_abs_flow_mw")


def _tables(tables: dict, cur: str) -> list[str]:
    """Sections with the sites, compute assignment and corridor tables of the run (the
    components that declare the pieces ``sites``, ``assignment``, ``corridors``)."""
    pieces = set(_declared_pieces())
    out = []
    s = tables.get("sites")
    if "sites" in pieces and s is not None and len(s):
        cols = [c for c in SITE_TABLE if c in s]
        order = (["period"] if "period" in s else []) + ["built", "it_mw"]
        st = s[cols].sort_values(order, ascending=[k == "period" for k in order]) \
            if "built" in s else s
        formats = {k: f for k, f in SITE_TABLE.items() if f is not None}
        out.append("<section><h2>Sites</h2>" + table(st, formats, cur=cur) + "</section>")
    a = tables.get("assignment")
    if "assignment" in pieces and a is not None and len(a):
        out.append("<section><h2>Compute assignment</h2>" + table(
            a.sort_values("mwh", ascending=False),
            {"mwh": "{:,.0f}", "latency_ms": "{:.1f}", "peak_mw": "{:,.1f}"}) + "</section>")
    c = tables.get("corridors")
    if "corridors" in pieces and c is not None and len(c):
        cols = [x for x in CORRIDOR_TABLE if x in c]
        order = (["period"] if "period" in c else []) + ["new_mw"]
        out.append("<section><h2>Corridors</h2>" + table(
            c[cols].sort_values(order, ascending=[k == "period" for k in order]),
            {k: "{:,.0f}" for k in cols if k not in ("period", "name", "from", "to")})
            + "</section>")
    return out


# -------------------------------------------------------------------------------- page
def render_report_html(case, tables: dict[str, pd.DataFrame], summary: dict,
                       tiles: bool = False) -> str:
    """The interactive report as one HTML string (see :func:`write_report_html`).

    ``case`` gives geography and names only; every number comes from ``tables`` and
    ``summary`` (time-step weights from ``tables["steps"]``, see :mod:`model.report.steps`).
    """
    tables = tables or {}
    summary = summary or {}
    leaflet = leaflet_assets()
    years = run_periods(tables, summary)
    map_html, map_js = _map_section(case, tables, summary, leaflet, tiles)
    period_html, period_js = period_sections(case, tables, summary, years)
    chart_html, chart_js = _charts(case, tables, summary)
    body = [_key_figures_section(case, summary, years), map_html, *period_html, *chart_html,
            *_tables(tables, case.currency)]
    return page(str(case.name), _subtitle(case, tables, summary), "".join(body),
                leaflet=leaflet, scripts=map_js + "".join(period_js + chart_js))


def write_report_html(case, tables: dict[str, pd.DataFrame], summary: dict, path,
                      tiles: bool = False) -> Path:
    """Write the self-contained interactive report of one run to ``path``; returns the path.

    ``tiles=True`` adds an OpenStreetMap tile layer under the regions (needs a network
    connection when the file is opened; the report works offline without it).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = render_report_html(case, tables, summary, tiles=tiles)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


__all__ = ["write_report_html", "render_report_html", "write_comparison_html",
           "render_comparison_html", "read_run", "leaflet_assets", "comparison_frame",
           "map_data", "ERROR_HOOK"]
