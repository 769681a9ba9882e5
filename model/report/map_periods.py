"""The Leaflet map's data for a multi-period run: one view per period, picked with a period
selector (assets/map.js), the last period shown first.

The base of the data is :func:`model.report.map_data.map_data` of the last period (so the map
draws as for a static run before any choice); ``periods`` adds, for every period, what
changes between periods: the regions' numbers and colours (in feature order, without the
geometry, which is sent once), corridors, sites, demand centres, the colour scale and the
size references. Regions are shaded on one colour scale across periods (when every period is
shaded by the same measure), so a colour means the same in every period. A static run gets
:func:`map_data` unchanged.
"""

from __future__ import annotations

import numpy as np

from model.report.colours import colour_range
from model.report.map_data import map_data
from model.report.periods import period_view, run_periods
from model.report.shading import Shading, region_shading

VIEW_KEYS = ("corridors", "sites", "centres", "scale", "measure", "max_total_mw",
             "max_it_mw")


def _shared_scale(shadings: dict[int, Shading]) -> None:
    """Give every period's shading the colour range of all periods' values together (when
    they share one measure), in place."""
    measures = {sh.measure for sh in shadings.values()}
    if len(measures) != 1 or "none" in measures:
        return
    values = np.concatenate([sh.values.to_numpy(float) for sh in shadings.values()])
    lo, hi, extend = colour_range(values)
    for sh in shadings.values():
        sh.lo, sh.hi, sh.extend = lo, hi, extend


def _view(data: dict) -> dict:
    """What of one period's map data changes between periods."""
    view = {k: data[k] for k in VIEW_KEYS}
    view["regions"] = [ft["properties"] for ft in data["regions"]["features"]]
    return view


def report_map_data(case, tables: dict, summary: dict) -> dict:
    """The map's data: :func:`map_data` for a static run; for a multi-period run, that of the
    last period with ``periods`` = {years, default, views: {year: view}}."""
    years = run_periods(tables, summary)
    if not years:
        return map_data(case, tables, summary)
    views = {y: period_view(tables, y) for y in years}
    shadings = {y: region_shading(case, views[y]) for y in years}
    _shared_scale(shadings)
    by_year = {y: map_data(case, views[y], summary, shading=shadings[y], year=y)
               for y in years}
    base = dict(by_year[years[-1]])
    base["periods"] = {"years": years, "default": years[-1],
                       "views": {str(y): _view(d) for y, d in by_year.items()}}
    # the size references (widest corridor, largest site) over all periods, so a line or a
    # disc has one size per MW whichever period is shown
    base["max_total_mw"] = max(d["max_total_mw"] for d in by_year.values())
    base["max_it_mw"] = max(d["max_it_mw"] for d in by_year.values())
    for view in base["periods"]["views"].values():
        view["max_total_mw"], view["max_it_mw"] = base["max_total_mw"], base["max_it_mw"]
    return base
