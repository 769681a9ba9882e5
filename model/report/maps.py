"""Static map of a run (``map.png``): regions, corridors, data-centre sites, demand centres.

:func:`draw_map` lays out the figure (:mod:`model.report.map_frame`), draws the layers bottom
to top (:mod:`model.report.map_layers`: regions shaded by load-weighted average price,
corridors, sites, demand centres), places the labels (:mod:`model.report.map_labels`) and
adds scale bar, north arrow, colour bar, legend, title and caption
(:mod:`model.report.map_furniture`). It needs no display and no network.

``case`` gives geography and names; what is drawn on it comes from the run's ``tables`` and
``summary`` (prices weighted with the run's own step weights, ``tables["steps"]``). A
multi-period run is drawn in its last period (:func:`model.report.periods.period_view`), and
the title says so.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from model.report.map_frame import map_frame
from model.report.map_furniture import legend_panel, north_arrow, scale_bar, title_and_caption
from model.report.map_labels import place_labels
from model.report.map_layers import (
    draw_centres,
    draw_corridors,
    draw_regions,
    draw_sites,
    no_data_handle,
)
from model.report.periods import period_label, period_view, run_periods

# helpers other code used to import from here
from model.report.run_data import (  # noqa: F401
    new_capacity_by_node,
    node_locations,
    price_matrix,
    region_prices,
)
from model.report.steps import run_load  # noqa: F401


def draw_map(case, tables: dict, summary: dict, *, width_in: float = 13.0,
             title: str | None = None, compact: bool = False) -> tuple[Figure, dict]:
    """Draw the run map on a new :class:`~matplotlib.figure.Figure`; returns (figure, info).

    ``info`` lists what was drawn: ``legend_labels``, ``colorbar_label``, ``measure``
    (``price`` | ``new_capacity`` | ``none``) and counts per layer. ``compact`` drops the
    caption and shrinks fonts (small multiples in comparison reports).
    """
    tables = tables or {}
    summary = summary or {}
    years = run_periods(tables, summary)
    if years:  # one map draws one period: the last, named in the title
        tables = period_view(tables, years[-1])
        name = title or str(getattr(case, "name", summary.get("case", "")))
        # the period first: a long case name must not push it off the figure
        label = str(years[-1]) if compact else period_label(years, years[-1])
        title = f"{label[0].upper()}{label[1:]} — {name}"
    cur = getattr(case, "currency", "") or summary.get("currency", "")
    frame = map_frame(case, width_in=width_in, compact=compact)
    shading, cbar_label = draw_regions(frame, case, tables, cur)
    corridors = draw_corridors(frame, case, tables)
    sites = draw_sites(frame, case, tables)
    cx, cy, centre_handles = draw_centres(frame, case)
    handles = corridors.handles + sites.handles + centre_handles + no_data_handle(shading)
    labels = place_labels(frame, case, sites, (cx, cy), corridors)
    scale = scale_bar(frame)
    north_arrow(frame)
    leg = legend_panel(frame, shading, cbar_label, handles)
    caption = title_and_caption(frame, case, summary, shading.measure, cur, title)
    return frame.fig, {
        "legend_labels": [t.get_text() for t in leg.get_texts()],
        "colorbar_label": cbar_label,
        "measure": shading.measure,
        "regions": len(frame.regions),
        "point_regions": int(frame.is_point.sum()),
        "corridors": corridors.count,
        "sites_built": len(sites.built),
        "sites_unbuilt": sites.n_unbuilt,
        "demand_centres": len(case.demand_centres),
        "labels_placed": labels.placed,
        "labels_dropped": labels.dropped,
        "scale_bar_km": scale["km"],
        "caption": caption,
        "projection": frame.crs,
        "period": years[-1] if years else None,
    }


def render_map_png(case, tables: dict, summary: dict, *, dpi: int = 150, **kw) -> bytes:
    """The map as PNG bytes (e.g. for ``write_run(extra_files={'map.png': ...})``)."""
    fig, _ = draw_map(case, tables, summary, **kw)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    return buf.getvalue()


def write_map_png(case, tables: dict[str, pd.DataFrame], summary: dict, path,
                  *, dpi: int = 150, return_fig: bool = False) -> dict:
    """Write the static run map to ``path`` (PNG); returns what was drawn.

    The returned dict holds ``path``, ``legend_labels``, ``colorbar_label``, ``measure`` and
    per-layer counts (see :func:`draw_map`); with ``return_fig=True`` also ``figure`` (the
    matplotlib :class:`~matplotlib.figure.Figure`, for tests and further editing).
    """
    fig, info = draw_map(case, tables, summary)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png", dpi=dpi, facecolor="white")
    info["path"] = path
    if return_fig:
        info["figure"] = fig
    return info
