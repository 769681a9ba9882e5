"""The dispatch stack: the hourly balance of each region together with the data-centre sites
it hosts (generation, storage, net imports, unserved power; base load and data-centre
lines), one plotly figure per region, chosen from a menu in the report."""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.report.colours import rgba, tech_colours
from model.report.plot import WEEK, fig, layout, time_axis, x_title
from model.report.run_data import site_regions
from model.report.steps import run_load, run_steps

DISPATCH_VALUE_BUDGET = 450_000  # numbers of hourly dispatch data embedded in one report
LABEL = {"discharge": "{} discharge", "charge": "{} charge", "import": "imports",
         "export": "exports", "unserved": "unserved power"}
COLOUR = {"import": "#9e9e9e", "export": "#c7c7c7", "unserved": "#d62728"}


def dispatch_columns(dispatch: pd.DataFrame) -> dict:
    """Parse the wide dispatch table into {kind: {(node, tech) | name: column}}."""
    out = {"gen": {}, "discharge": {}, "charge": {}, "soc": {}, "unserved": {}, "flow": {},
           "dc": {}}
    for c in dispatch.columns:
        if c == "time":
            continue
        if c.startswith("flow:"):
            out["flow"][c[5:]] = c
            continue
        parts = c.split(":")
        if len(parts) == 2:
            node, what = parts
            kind = {"unserved": "unserved", "dc_power": "dc"}.get(what)
            if kind:
                out[kind][node] = c
            else:
                out["gen"][(node, what)] = c
        elif len(parts) == 3:
            node, tech, what = parts
            key = {"discharge": "discharge", "charge": "charge", "soc_mwh": "soc"}.get(what)
            if key:
                out[key][(node, tech)] = c
    return out


# --------------------------------------------------------------------------- the data
def _corridor_rows(case, tables: dict, flow_cols: list, area_of: dict) -> list[tuple]:
    """(from area, to area, flow column, loss share) of each corridor; flows are matched by
    position when their count agrees with the corridors (names can repeat), else by name."""
    cor = tables.get("corridors")
    if cor is None or not len(cor):
        return []
    case_cor = case.corridors.reset_index(drop=True)
    loss = np.zeros(len(cor))
    if len(case_cor) == len(cor):
        loss = (case_cor["loss_per_1000km"].fillna(0) * case_cor["length_km"].fillna(0)
                / 1000.0).to_numpy(float)
    names = [str(x) for x in cor.get("name", cor["from"] + "-" + cor["to"])]
    by_name = dict(flow_cols)
    rows = []
    for i, (a, b, nm) in enumerate(zip(cor["from"].astype(str), cor["to"].astype(str),
                                       names, strict=True)):
        col = flow_cols[i][1] if len(flow_cols) == len(cor) else by_name.get(nm)
        if col is not None:
            rows.append((area_of.get(a, a), area_of.get(b, b), col, loss[i]))
    return rows


def _supply_series(dispatch, cols: dict, members: set, gen_techs: list) -> list[tuple]:
    """(kind, tech, MW) of generation, storage discharge (+) and charge (−) in an area."""
    series = []
    for t in gen_techs:
        cs = [c for (node, tt), c in cols["gen"].items() if tt == t and node in members]
        if cs:
            v = dispatch[cs].sum(axis=1).to_numpy(float)
            if np.abs(v).max() > 1e-6:
                series.append(("gen", t, v))
    for kind in ("discharge", "charge"):
        for t in sorted({t for (node, t) in cols[kind] if node in members}):
            cs = [c for (node, tt), c in cols[kind].items() if tt == t and node in members]
            v = dispatch[cs].sum(axis=1).to_numpy(float)
            if np.abs(v).max() > 1e-6:
                series.append((kind, t, v if kind == "discharge" else -v))
    return series


def _net_imports(dispatch, cor_rows: list, area: str) -> np.ndarray:
    """Net import into an area over its corridors, after losses (MW per step)."""
    imp = np.zeros(len(dispatch))
    for a, b, c, lam in cor_rows:
        if a == b:
            continue
        f = dispatch[c].to_numpy(float)
        if b == area:  # flow > 0 arrives here after losses
            imp += np.where(f > 0, (1 - lam) * f, f)
        elif a == area:
            imp -= np.where(f > 0, f, (1 - lam) * f)
    return imp


def _unserved(dispatch, cols: dict, members: set) -> list[tuple]:
    """[("unserved", …, MW)] when power goes unserved in an area, else []."""
    uns = [c for node, c in cols["unserved"].items() if node in members]
    if uns:
        v = dispatch[uns].sum(axis=1).to_numpy(float)
        if v.max() > 1e-6:
            return [("unserved", "unserved power", v)]
    return []


def _area(case, dispatch, cols, r: str, members: set, series: list, load) -> dict | None:
    """One area's record (None when it has nothing to show)."""
    n = len(dispatch)
    base = load[r].to_numpy(float) if r in load else np.zeros(n)
    dcs = [c for node, c in cols["dc"].items() if node in members]
    dc = dispatch[dcs].sum(axis=1).to_numpy(float) if dcs else np.zeros(n)
    if not series and base.max() <= 0 and dc.max() <= 0:
        return None
    socs = {f"{node}:{t}": dispatch[c].to_numpy(float)
            for (node, t), c in cols["soc"].items() if node in members}
    return {"id": r, "name": str(case.regions.at[r, "name"]), "series": series,
            "load": base, "dc": dc if dcs else None, "sites": sorted(members - {r}),
            "soc": socs, "weight": float((base + dc).sum())}


def dispatch_areas(case, tables: dict) -> list[dict]:
    """Hourly balance of each region together with the sites it hosts (MW per series),
    regions with the most load first."""
    dispatch = tables.get("dispatch")
    if dispatch is None or not len(dispatch):
        return []
    cols = dispatch_columns(dispatch)
    area_of = {str(r): str(r) for r in case.regions.index}
    area_of.update(site_regions(case))
    load = run_load(case, tables, len(dispatch))
    cor_rows = _corridor_rows(case, tables, list(cols["flow"].items()), area_of)
    energy: dict[str, float] = {}
    for (_node, t), c in cols["gen"].items():
        energy[t] = energy.get(t, 0.0) + float(dispatch[c].sum())
    gen_techs = sorted(sorted({t for (_, t) in cols["gen"]}), key=lambda t: -energy.get(t, 0.0))
    areas = []
    for r in map(str, case.regions.index):
        members = {k for k, v in area_of.items() if v == r}
        series = _supply_series(dispatch, cols, members, gen_techs)
        imp = _net_imports(dispatch, cor_rows, r)
        if np.abs(imp).max() > 1e-6:
            series.append(("import", "imports", np.clip(imp, 0, None)))
            series.append(("export", "exports", np.clip(imp, None, 0)))
        series += _unserved(dispatch, cols, members)
        area = _area(case, dispatch, cols, r, members, series, load)
        if area is not None:
            areas.append(area)
    areas.sort(key=lambda a: -a["weight"])
    return areas


# ------------------------------------------------------------------------ the figures
def _traces(a: dict, col: dict) -> list[dict]:
    """Stacked areas (supply above 0, charging and exports below) and the load lines."""
    data = []
    for kind, name, v in a["series"]:
        label = LABEL.get(kind, "{}").format(name)
        colour = COLOUR.get(kind, col.get(name, "#888888"))
        neg = kind in ("charge", "export")
        data.append({"type": "scatter", "mode": "lines", "name": label,
                     "y": np.round(v, 2).tolist(), "stackgroup": "neg" if neg else "pos",
                     "line": {"width": 0.4, "color": colour},
                     "fillcolor": rgba(colour, 0.55 if kind == "charge" else 0.85),
                     "hovertemplate": label + ": %{y:,.1f} MW<extra></extra>"})
    data.append({"type": "scatter", "mode": "lines", "name": "base load",
                 "y": np.round(a["load"], 2).tolist(),
                 "line": {"color": "#000000", "width": 1.6},
                 "hovertemplate": "base load: %{y:,.1f} MW<extra></extra>"})
    if a["dc"] is not None:
        data.append({"type": "scatter", "mode": "lines",
                     "name": "base load + data centres",
                     "y": np.round(a["load"] + a["dc"], 2).tolist(),
                     "line": {"color": "#4a148c", "width": 1.6, "dash": "dash"},
                     "hovertemplate": "load + data centres: %{y:,.1f} MW<extra></extra>"})
    return data


def _area_figure(a: dict, col: dict, x: list, xtype: str, summary: dict) -> dict:
    """One area's figure, opening on the week of its peak load when longer than a week."""
    n = len(a["load"])
    tot = a["load"] + (a["dc"] if a["dc"] is not None else 0.0)
    peak = int(np.argmax(tot)) if len(tot) else 0
    lo, hi = 0, n - 1
    if n > WEEK:
        lo = max(0, min(peak - WEEK // 2, n - WEEK))
        hi = lo + WEEK - 1
    sites = ", ".join(a["sites"])
    title = (f"Hourly dispatch — {a['name']}" + (f" with sites {sites}" if sites else "")
             + (" (week of peak load; drag the slider for the rest)" if n > WEEK else ""))
    return fig(_traces(a, col), layout(
        title, height=470, hovermode="x unified",
        yaxis=dict(title=dict(text="MW (supply above 0, charging and exports below)")),
        xaxis=dict(type=xtype, range=[x[lo], x[hi]], title=dict(text=x_title(summary, xtype)),
                   rangeslider=dict(visible=n > WEEK, thickness=0.08)),
        legend=dict(font=dict(size=11))))


def chart_dispatch(case, tables: dict, summary: dict | None = None
                   ) -> tuple[dict, dict] | None:
    """(menu, {area id: figure}) for the dispatch chart, or None without dispatch.

    The menu holds the shared x values, the default area (most load) and the areas shown;
    areas beyond the size budget (:data:`DISPATCH_VALUE_BUDGET`) are listed as omitted.
    """
    areas = dispatch_areas(case, tables)
    if not areas:
        return None
    n = len(areas[0]["load"])
    x, xtype = time_axis(run_steps(tables), n)
    techs = sorted({s[1] for a in areas for s in a["series"]
                    if s[0] in ("gen", "discharge", "charge")})
    col = tech_colours(techs)
    budget_left = DISPATCH_VALUE_BUDGET
    figs = {}
    for a in areas:
        cost = n * (len(a["series"]) + 2)
        if figs and cost > budget_left:
            continue
        budget_left -= cost
        figs[a["id"]] = _area_figure(a, col, x, xtype, summary)
    return {"x": x, "default": next(iter(figs)),
            "options": [(a["id"], a["name"]) for a in areas if a["id"] in figs],
            "omitted": [a["name"] for a in areas if a["id"] not in figs]}, figs
