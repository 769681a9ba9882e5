"""Charts of the scenario comparison, one bar per run: cost parts, IT built by site, compute
served by region and class, new generation / storage / transmission, and emissions, prices
and the cost of compute. ``runs`` is a list of ``(label, case, tables, summary)``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.report.colours import QUALITATIVE, tech_colours
from model.report.format import energy_unit, money_unit
from model.report.plot import empty_fig, fig, layout, panel_axes
from model.report.run_data import capacity_table, site_regions


def cmp_costs(runs) -> dict:
    """Annual cost by component (objective parts), stacked per run."""
    labels = [r[0] for r in runs]
    comps: dict[str, list] = {}
    for i, (_, _, _, s) in enumerate(runs):
        for k, v in (s.get("costs") or {}).items():
            if "not in objective" in k:
                continue
            comps.setdefault(k, [0.0] * len(runs))[i] = float(v or 0.0)
    comps = {k: v for k, v in comps.items() if any(abs(x) > 1e-6 for x in v)}
    if not comps:
        return empty_fig("Annual cost by component", "no costs")
    largest = max(sum(abs(x) for x in col) for col in zip(*comps.values(), strict=True))
    scale, unit = money_unit(largest, runs[0][1].currency)
    data = []
    for i, (k, v) in enumerate(sorted(comps.items())):
        colour = "#d62728" if k.startswith("unserved") else QUALITATIVE[i % len(QUALITATIVE)]
        data.append({"type": "bar", "name": k.replace("_", " "), "x": labels,
                     "y": [x / scale for x in v], "marker": {"color": colour},
                     "hovertemplate": k.replace("_", " ") + ": %{y:,.2f} " + unit
                     + "<extra>%{x}</extra>"})
    return fig(data, layout("Annual cost by component (objective)", barmode="stack",
                            yaxis=dict(title=dict(text=unit)), height=460))


def cmp_sites(runs) -> dict:
    """IT capacity built by site, stacked per run."""
    labels = [r[0] for r in runs]
    per: dict[str, list] = {}
    names = {}
    for i, (_, _case, tables, _) in enumerate(runs):
        s = tables.get("sites")
        if s is None or not len(s):
            continue
        for _, r in s[s["built"] == 1].iterrows():
            sid = str(r["site"])
            names[sid] = str(r.get("name", sid))
            per.setdefault(sid, [0.0] * len(runs))[i] = float(r["it_mw"])
    if not per:
        return empty_fig("IT capacity built by site", "no sites built in any run")
    data = [{"type": "bar", "name": names[sid], "x": labels, "y": v,
             "marker": {"color": QUALITATIVE[i % len(QUALITATIVE)]},
             "hovertemplate": names[sid] + ": %{y:,.0f} MW IT<extra>%{x}</extra>"}
            for i, (sid, v) in enumerate(sorted(per.items(), key=lambda kv: -sum(kv[1])))]
    return fig(data, layout("IT capacity built by site", barmode="stack",
                            yaxis=dict(title=dict(text="MW IT")), height=440))


def cmp_compute(runs) -> dict:
    """IT energy served, by host region of the serving site, per run and workload class."""
    xs_run, xs_cls, recs = [], [], {}
    for label, case, tables, _ in runs:
        a = tables.get("assignment")
        if a is None or not len(a):
            continue
        a = a.assign(region=a["site"].astype(str).map(site_regions(case)).fillna("?"))
        for cls, g in a.groupby("class", sort=True):
            xs_run.append(label)
            xs_cls.append(str(cls))
            for r, v in g.groupby("region")["mwh"].sum().items():
                recs.setdefault(r, {})[(label, str(cls))] = float(v)
    if not recs:
        return empty_fig("Compute served by region and class", "no compute served")
    scale, unit = energy_unit(sum(sum(d.values()) for d in recs.values()), smallest="GWh")
    rname = {str(k): str(v) for k, v in runs[0][1].regions["name"].items()}
    data = []
    for i, (r, d) in enumerate(sorted(recs.items(), key=lambda kv: -sum(kv[1].values()))):
        data.append({"type": "bar", "name": rname.get(r, r), "x": [xs_run, xs_cls],
                     "y": [d.get((a, b), 0.0) / scale for a, b in zip(xs_run, xs_cls,
                                                                      strict=True)],
                     "marker": {"color": QUALITATIVE[i % len(QUALITATIVE)]},
                     "hovertemplate": rname.get(r, r) + ": %{y:,.2f} " + unit
                     + "<extra>%{x}</extra>"})
    return fig(data, layout("Compute served, by region of the serving site and workload class",
                            barmode="stack", height=480,
                            yaxis=dict(title=dict(text=f"IT energy ({unit}/yr)"))))


def _new_by_tech(runs) -> dict[str, dict[str, list]]:
    """{generator | storage: {tech: new MW per run}}."""
    by: dict[str, dict[str, list]] = {"generator": {}, "storage": {}}
    for i, (_, _case, tables, _) in enumerate(runs):
        cap = capacity_table(tables)
        for kind in by:
            part = cap[cap["kind"] == kind].groupby("tech")["new_mw"].sum()
            for t, v in part.items():
                by[kind].setdefault(str(t), [0.0] * len(runs))[i] = float(v)
    return by


def cmp_build(runs, frame: pd.DataFrame) -> dict:
    """New capacity per run: generation by technology, storage power by technology (both
    stacked) and transmission, in three panels sharing a unit."""
    labels = [r[0] for r in runs]
    by = _new_by_tech(runs)
    tx = frame["new_transmission_mw"].fillna(0).astype(float).tolist()
    peak = max([sum(col) for d in by.values() for col in zip(*d.values(), strict=True)]
               + tx + [0.0]) if any(by.values()) else max(tx + [0.0])
    scale, unit = (1000.0, "GW") if peak >= 5000 else (1.0, "MW")
    col = tech_colours(list(by["generator"]) + list(by["storage"]))
    data = []
    panels = [("new generation", by["generator"]), ("new storage power", by["storage"]),
              ("new transmission", {"transmission": tx})]
    lay = layout("New generation, storage and transmission capacity", barmode="stack",
                 height=440, margin=dict(l=60, r=30, t=100, b=60))
    for i, (name, series) in enumerate(panels):
        ax = panel_axes(lay, i, len(panels), name, unit)
        for t, v in series.items():
            if not any(abs(x) > 1e-6 for x in v):
                continue
            colour = "#0097a7" if t == "transmission" else col.get(t, "#888888")
            data.append({"type": "bar", "name": t, "x": labels, "y": [x / scale for x in v],
                         "xaxis": f"x{ax}", "yaxis": f"y{ax}", "marker": {"color": colour},
                         "legendgroup": name, "hovertemplate": f"{name}, {t}: %{{y:,.2f}} "
                         + unit + "<extra>%{x}</extra>"})
    return fig(data, lay)


def cmp_metrics(frame: pd.DataFrame, cur: str) -> dict:
    """Emissions, average price, power cost and all-in cost per MWh of compute, per run."""
    labels = list(frame.index)
    em = frame["emissions_t"].astype(float).fillna(np.nan)
    mt = em.abs().max() >= 1e6 if em.notna().any() else False
    e_scale, e_unit = (1e6, "Mt CO₂/yr") if mt else (1e3, "kt CO₂/yr")
    panels = [("Emissions", (em / e_scale).tolist(), e_unit, "#6b6b6b"),
              ("Average power price", frame["average_price_per_mwh"].astype(float).tolist(),
               f"{cur}/MWh", "#e07b39"),
              ("Power cost per MWh of compute",
               frame["power_cost_per_mwh_it"].astype(float).tolist(), f"{cur}/MWh IT",
               "#4a148c"),
              ("All-in cost per MWh of compute",
               frame["dc_cost_per_mwh_it"].astype(float).tolist(), f"{cur}/MWh IT",
               "#7b1fa2")]
    data, lay = [], layout("Emissions, prices and the cost of compute", height=440,
                           showlegend=False, margin=dict(l=60, r=30, t=100, b=60))
    for i, (name, y, unit, col) in enumerate(panels):
        ax = panel_axes(lay, i, len(panels), name, unit)
        data.append({"type": "bar", "x": labels, "y": y, "name": name, "xaxis": f"x{ax}",
                     "yaxis": f"y{ax}", "marker": {"color": col},
                     "text": [("—" if v is None or not np.isfinite(v) else f"{v:,.1f}")
                              for v in y], "textposition": "outside", "cliponaxis": False,
                     "hovertemplate": name + ": %{y:,.2f} " + unit + "<extra>%{x}</extra>"})
    return fig(data, lay)
