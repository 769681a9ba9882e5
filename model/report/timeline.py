"""The build-out timeline of a multi-period run: capacity built for each period and capacity
in place, by technology (stacked bars per period), and the corridors' MW per period.

Numbers are sums of ``capacity.csv`` and ``corridors.csv`` over nodes (and over corridors),
per period and technology: :func:`buildout_table` and :func:`corridor_buildout` are those
sums, and the chart draws exactly them.
"""

from __future__ import annotations

import pandas as pd

from model.report.colours import EXISTING_LINE, NEW_LINE, tech_colours, tint
from model.report.plot import empty_fig, fig, layout, panel_axes

CORRIDOR_PARTS = (  # (column of corridor_buildout, legend name, colour)
    ("existing_mw", "corridors: existing", EXISTING_LINE),
    ("earlier_new_mw", "corridors: added for earlier periods", tint(NEW_LINE, 0.55)),
    ("new_mw", "corridors: built for this period", NEW_LINE),
)


def _technology_label(tech: str, kind: str) -> str:
    return f"{tech} (storage power)" if kind == "storage" else str(tech)


def buildout_table(tables: dict) -> pd.DataFrame:
    """MW per period and technology summed over nodes: ``new_mw`` (built for the period) and
    ``total_mw`` (in place in the period); columns period, tech, kind, new_mw, total_mw.
    Empty when the capacity table has no ``period`` column (a static run)."""
    cap = (tables or {}).get("capacity")
    columns = ["period", "tech", "kind", "new_mw", "total_mw"]
    if cap is None or not len(cap) or "period" not in cap:
        return pd.DataFrame(columns=columns)
    cap = cap.assign(kind=cap["kind"] if "kind" in cap else "generator")
    if "total_mw" not in cap:
        cap = cap.assign(total_mw=cap["existing_mw"] + cap["new_mw"])
    sums = (cap.groupby(["period", "tech", "kind"], as_index=False)[["new_mw", "total_mw"]]
            .sum())
    sums["period"] = sums["period"].astype(int)
    return sums[columns].sort_values(["period", "kind", "tech"]).reset_index(drop=True)


def corridor_buildout(tables: dict) -> pd.DataFrame:
    """Corridor MW per period summed over corridors: ``existing_mw`` still in service,
    ``new_mw`` built for the period, ``earlier_new_mw`` added for earlier periods and still in
    service (total − existing − new) and ``total_mw``. Empty without a ``period`` column."""
    cor = (tables or {}).get("corridors")
    columns = ["period", "existing_mw", "earlier_new_mw", "new_mw", "total_mw"]
    if cor is None or not len(cor) or "period" not in cor:
        return pd.DataFrame(columns=columns)
    if "total_mw" not in cor:
        cor = cor.assign(total_mw=cor["existing_mw"] + cor["new_mw"])
    sums = cor.groupby("period", as_index=False)[["existing_mw", "new_mw", "total_mw"]].sum()
    sums["period"] = sums["period"].astype(int)
    sums["earlier_new_mw"] = (sums["total_mw"] - sums["existing_mw"] - sums["new_mw"]).clip(
        lower=0.0)
    return sums[columns].sort_values("period").reset_index(drop=True)


def _scale(largest: float) -> tuple[float, str]:
    return (1000.0, "GW") if largest >= 5000 else (1.0, "MW")


def _technology_bars(build: pd.DataFrame, x: list[str], scale: float, unit: str) -> list[dict]:
    """Stacked bars by technology in the two panels: built for the period | in place."""
    labels = {t: _technology_label(t, k) for t, k in zip(build["tech"], build["kind"],
                                                         strict=True)}
    colours = tech_colours(list(labels))
    data = []
    for tech, label in labels.items():
        rows = build[build["tech"] == tech].set_index("period")
        for axis, column, what in (("", "new_mw", "built for the period"),
                                   ("2", "total_mw", "in place")):
            y = [float(rows[column].get(int(p), 0.0)) / scale for p in x]
            data.append({"type": "bar", "name": label, "x": x, "y": [round(v, 4) for v in y],
                         "xaxis": f"x{axis}", "yaxis": f"y{axis}", "legendgroup": tech,
                         "showlegend": axis == "", "marker": {"color": colours[tech]},
                         "hovertemplate": f"%{{x}}<br>{label} {what}: %{{y:,.2f}} {unit}"
                                          "<extra></extra>"})
    return data


def _corridor_bars(cors: pd.DataFrame, x: list[str], axis: str, scale: float,
                   unit: str) -> list[dict]:
    """Stacked bars of corridor MW in a third panel: existing, earlier additions, new."""
    rows = cors.set_index("period")
    return [{"type": "bar", "name": name, "x": x,
             "y": [round(float(rows[column].get(int(p), 0.0)) / scale, 4) for p in x],
             "xaxis": f"x{axis}", "yaxis": f"y{axis}", "marker": {"color": colour},
             "hovertemplate": f"%{{x}}<br>{name}: %{{y:,.2f}} {unit}<extra></extra>"}
            for column, name, colour in CORRIDOR_PARTS]


def chart_buildout(case, tables: dict) -> dict:
    """Build-out timeline: per period, capacity built for it and capacity in place by
    technology (stacked), and corridor MW (existing, added earlier, built for the period)."""
    title = "Build-out by period"
    build = buildout_table(tables)
    if not len(build) or build["total_mw"].sum() <= 0:
        return empty_fig(title, "no capacity by period in this run")
    cors = corridor_buildout(tables)
    x = [str(p) for p in sorted(build["period"].unique())]
    scale, unit = _scale(float(build.groupby("period")["total_mw"].sum().max()))
    panels = [("Built for the period", unit), ("In place in the period", unit)]
    if len(cors) and cors["total_mw"].sum() > 0:
        panels.append(("Corridors (sum over all)", unit))
    lay = layout(title + " — generation and storage power by technology", barmode="stack",
                 height=490, legend=dict(font=dict(size=11)),
                 margin=dict(l=70, r=30, t=95, b=60))  # room for the panel titles
    for i, (name, panel_unit) in enumerate(panels):
        axis = panel_axes(lay, i, len(panels), name, panel_unit)
        lay[f"xaxis{axis}"].update(type="category", title=dict(text="period"))
    data = _technology_bars(build, x, scale, unit)
    if len(panels) == 3:
        data += _corridor_bars(cors, x, "3", scale, unit)
    return fig(data, lay)
