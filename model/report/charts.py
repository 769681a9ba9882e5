"""The report's plotly charts (figure dicts): annual costs, capacity by node, storage state
of charge, price duration curves. The dispatch stack is in :mod:`model.report.dispatch`,
the compute Sankey in :mod:`model.report.sankey`."""

from __future__ import annotations

import numpy as np

from model.report.colours import QUALITATIVE, tech_colours, tint
from model.report.dispatch import dispatch_columns
from model.report.format import money_unit
from model.report.plot import WEEK, empty_fig, fig, layout, time_axis, x_title
from model.report.run_data import capacity_table, node_label, price_matrix
from model.report.steps import run_load, run_steps, step_weights

DURATION_POINTS = 600  # points per price duration curve
MAX_SOC_LINES = 12


# ------------------------------------------------------------------------------- costs
def _cost_colour(component: str) -> str:
    if "not in objective" in component:
        return "#bdbdbd"
    if component.startswith("capex"):
        return "#1f4e79"
    if "fixed_om" in component:
        return "#5b8db8"
    if component.startswith("unserved"):
        return "#d62728"
    return "#e0a040"


def chart_costs(case, summary: dict, title: str = "Annual cost by component",
                per_year: bool = True) -> dict:
    """Cost by component (horizontal bars, smallest first): annual in a static run; a
    multi-period run's summary costs are discounted totals (``per_year=False``, the caller
    names them in ``title``)."""
    costs = summary.get("costs") or {}
    items = [(k, float(v)) for k, v in costs.items() if v is not None and abs(float(v)) > 1e-6]
    if not items:
        return empty_fig(title, "no costs in this run (no solution)")
    items.sort(key=lambda kv: kv[1])
    scale, unit = money_unit(max(abs(v) for _, v in items), case.currency)
    unit = unit if per_year else unit.removesuffix("/yr")
    vals = [v / scale for _, v in items]
    obj = summary.get("objective")
    sub = f" — objective {obj / scale:,.1f} {unit}" if obj is not None else ""
    return fig([{
        "type": "bar", "orientation": "h", "x": vals,
        "y": [k.replace("_", " ") for k, _ in items],
        "marker": {"color": [_cost_colour(k) for k, _ in items]},
        "text": [f"{v:,.1f}" for v in vals],
        "textposition": "auto", "hovertemplate": "%{y}: %{x:,.2f} " + unit + "<extra></extra>",
        "cliponaxis": False,
    }], layout(title + sub, height=max(260, 34 * len(items) + 120),
               xaxis=dict(title=dict(text=unit), zeroline=True),
               yaxis=dict(automargin=True)))


# ---------------------------------------------------------------------------- capacity
def _capacity_bar(t: str, part: str, pattern: str, sub, x: list, colour: str,
                  scale: float, unit: str) -> dict | None:
    """One bar trace: the existing (hatched) or new (solid) capacity of a technology."""
    y = (sub[f"{part}_mw"].fillna(0.0) / scale).round(4).tolist()
    if not any(v > 0 for v in y):
        return None
    kind = str(sub["kind"].dropna().iloc[0]) if sub["kind"].notna().any() else ""
    suffix = " (storage power)" if kind == "storage" else ""
    extra = ""
    if kind == "storage" and f"{part}_mwh" in sub:
        extra = [f"<br>{v:,.0f} MWh" for v in sub[f"{part}_mwh"].fillna(0.0)]
    marker = ({"color": tint(colour, 0.72), "line": {"color": colour, "width": 0.6},
               "pattern": {"shape": pattern, "fgcolor": colour, "solidity": 0.45}}
              if pattern else {"color": colour})
    return {"type": "bar", "name": f"{t}{suffix} — {part}", "x": x, "y": y,
            "legendgroup": t, "marker": marker, "customdata": extra if extra else None,
            "hovertemplate": f"%{{x}}<br>{t} {part}: %{{y:,.2f}} {unit}"
                             + ("%{customdata}" if extra else "") + "<extra></extra>"}


def chart_capacity(case, tables: dict) -> dict:
    """Capacity by technology and node, existing (hatched) and new (solid), stacked."""
    cap = capacity_table(tables)
    title = "Capacity by technology and node: existing (hatched) and new (solid)"
    if not len(cap) or cap["total_mw"].sum() <= 0:
        return empty_fig(title, "no capacity in this run")
    cap = cap[cap["total_mw"] > 1e-6]
    big = cap.groupby("node")["total_mw"].sum().max() >= 5000
    scale, unit = (1000.0, "GW") if big else (1.0, "MW")
    order = [n for n in list(case.regions.index) + list(case.sites.index)
             if n in set(cap["node"])]
    order += [n for n in cap["node"].unique() if n not in order]
    x = [node_label(case, n) for n in order]
    techs = list(dict.fromkeys(cap.sort_values("kind")["tech"]))
    col = tech_colours(techs)
    data = []
    for t in techs:
        sub = cap[cap["tech"] == t].set_index("node").reindex(order)
        for part, pattern in (("existing", "/"), ("new", "")):
            bar = _capacity_bar(t, part, pattern, sub, x, col[t], scale, unit)
            if bar is not None:
                data.append(bar)
    return fig(data, layout(title, barmode="stack", height=480,
                            yaxis=dict(title=dict(text=f"capacity ({unit})")),
                            xaxis=dict(tickangle=-45 if len(order) > 8 else 0,
                                       automargin=True),
                            legend=dict(font=dict(size=11))))


# ------------------------------------------------------------------------------ storage
def chart_soc(case, tables: dict, summary: dict | None = None) -> dict:
    """Storage state of charge per step (the largest stores, at most 12 lines)."""
    dispatch = tables.get("dispatch")
    title = "Storage state of charge"
    if dispatch is None or not len(dispatch):
        return empty_fig(title, "no dispatch in this run")
    cols = dispatch_columns(dispatch)["soc"]
    if not cols:
        return empty_fig(title, "no storage in this case")
    n = len(dispatch)
    x, xtype = time_axis(run_steps(tables), n)
    peak = {k: float(dispatch[c].max()) for k, c in cols.items()}
    keys = sorted(cols, key=lambda k: -peak[k])
    shown = [k for k in keys if peak[k] > 1e-6][:MAX_SOC_LINES] or keys[:1]
    col = tech_colours(sorted({t for _, t in shown}))
    cap = capacity_table(tables)
    data = []
    for i, (node, t) in enumerate(shown):
        row = cap[(cap["node"] == node) & (cap["tech"] == t)]
        e = float((row["existing_mwh"].fillna(0) + row["new_mwh"].fillna(0)).sum()) if len(
            row) else float("nan")
        name = f"{node_label(case, node)} {t}"
        data.append({"type": "scatter", "mode": "lines", "x": x,
                     "y": np.round(dispatch[cols[(node, t)]].to_numpy(float), 2).tolist(),
                     "name": name + (f" ({e:,.0f} MWh)" if np.isfinite(e) else ""),
                     "line": {"width": 1.5, "color": col[t] if len(shown) == 1 else
                              QUALITATIVE[i % len(QUALITATIVE)]},
                     "hovertemplate": name + ": %{y:,.1f} MWh<extra></extra>"})
    note = f" (largest {len(shown)} of {len(keys)})" if len(keys) > len(shown) else ""
    return fig(data, layout(title + note, height=400, hovermode="x unified",
                            yaxis=dict(title=dict(text="energy stored (MWh, end of hour)"),
                                       rangemode="tozero"),
                            xaxis=dict(type=xtype, title=dict(text=x_title(summary, xtype)),
                                       rangeslider=dict(visible=n > WEEK, thickness=0.08))))


# ------------------------------------------------------------------------------- prices
def _duration_curve(p: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(hours at or above, price) of one region, thinned to ``DURATION_POINTS`` points."""
    ok = np.isfinite(p)
    order = np.argsort(-p[ok], kind="stable")
    y = p[ok][order]
    hours = np.cumsum(w[ok][order])
    if len(y) > DURATION_POINTS:  # a duration curve needs no more points than pixels
        keep = np.unique(np.linspace(0, len(y) - 1, DURATION_POINTS).round().astype(int))
        y, hours = y[keep], hours[keep]
    return hours, y


def chart_price_duration(case, tables: dict) -> dict:
    """Price duration curves: each step counts for the hours of the year it stands for."""
    title = "Price duration curves (hours of the year at or above each price)"
    pm = price_matrix(case, tables)
    cur = case.currency
    if pm is None:
        return empty_fig(title, "no prices in this run (no dual solution)")
    w = step_weights(tables, len(pm))
    regions = [r for r in case.regions.index if r in pm.columns]
    load = run_load(case, tables, len(pm)).sum()
    regions.sort(key=lambda r: -float(load.get(r, 0.0)))
    data = []
    many = len(regions) > 12
    for i, r in enumerate(regions):
        hours, y = _duration_curve(pm[r].to_numpy(float), w)
        name = str(case.regions.at[r, "name"])
        data.append({"type": "scatter", "mode": "lines", "x": np.round(hours, 2).tolist(),
                     "y": np.round(y, 3).tolist(), "name": name,
                     "line": {"shape": "hv", "width": 1.2 if many else 2.0},
                     "visible": True if (not many or i < 8) else "legendonly",
                     "hovertemplate": name + ": %{y:,.1f} " + cur
                     + "/MWh for %{x:,.0f} h<extra></extra>"})
    note = " — 8 regions with the most load shown; click the legend for more" if many else ""
    return fig(data, layout(title + note, height=430,
                            xaxis=dict(title=dict(text="hours per year"),
                                       range=[0, float(w.sum())]),
                            yaxis=dict(title=dict(text=f"price ({cur}/MWh)"))))
