"""Compute flows as a Sankey diagram: demand centre → data-centre site (annual IT energy),
links coloured by workload class, unserved compute to a "not served" node."""

from __future__ import annotations

import pandas as pd

from model.report.colours import CLASS_COLOURS, rgba
from model.report.format import energy_unit, short
from model.report.plot import empty_fig, fig, layout

SANKEY_MAX_NODES = 12  # centres or sites beyond this are grouped into "other …"
TITLE = "Compute served: demand centre → data-centre site (annual IT energy)"
ASSIGNMENT_COLUMNS = ["centre", "class", "site", "mwh", "latency_ms"]


def _names(frame) -> dict[str, str]:
    if not len(frame):
        return {}
    return {str(i): short(str(r.get("name", i) or i), 26) for i, r in frame.iterrows()}


def _group_small(asg, uns, cname: dict, sname: dict):
    """Keep the largest centres and sites, the rest grouped as "other …" (readable)."""
    for col, names, label in (("centre", cname, "other centres"),
                              ("site", sname, "other sites")):
        size = asg.groupby(col)["mwh"].sum()
        if col == "centre" and uns is not None:
            size = size.add(uns.groupby("centre")["unserved_mwh"].sum(), fill_value=0.0)
        if len(size) > SANKEY_MAX_NODES:
            keep = set(size.sort_values(ascending=False).index[:SANKEY_MAX_NODES - 1])
            other = f"{label} ({len(size) - len(keep)})"
            asg[col] = asg[col].where(asg[col].isin(keep), other)
            if col == "centre" and uns is not None:
                uns["centre"] = uns["centre"].where(uns["centre"].isin(keep), other)
            names[other] = other
    return asg, uns


def _aggregate(asg, uns):
    """Energy per (centre, class, site) with its energy-weighted latency; unserved per
    (centre, class)."""
    if len(asg):
        agg = asg.assign(w=asg["mwh"] * asg["latency_ms"]).groupby(
            ["centre", "class", "site"], as_index=False)[["mwh", "w"]].sum()
        agg["latency_ms"] = agg["w"] / agg["mwh"].where(agg["mwh"] > 0)
        asg = agg
    if uns is not None:
        uns = uns.groupby(["centre", "class"], as_index=False)["unserved_mwh"].sum()
    return asg, uns


def _links(asg, uns, idx_c: dict, idx_s: dict, not_served: int | None, ccol: dict,
           scale: float, unit: str) -> dict:
    """Sankey links: served energy by class, then unserved compute (to node ``not_served``
    when there is any)."""
    src, tgt, val, colr, hover = [], [], [], [], []
    for _, r in asg.iterrows():
        src.append(idx_c[str(r["centre"])])
        tgt.append(idx_s[str(r["site"])])
        val.append(float(r["mwh"]) / scale)
        colr.append(rgba(ccol[str(r["class"])], 0.55))
        hover.append(f"{r['class']}: {float(r['mwh']) / scale:,.2f} {unit}, "
                     f"{float(r['latency_ms']):.1f} ms (energy-weighted mean)")
    if not_served is not None:
        for _, r in uns[uns["unserved_mwh"] > 1e-6].iterrows():
            src.append(idx_c[str(r["centre"])])
            tgt.append(not_served)
            val.append(float(r["unserved_mwh"]) / scale)
            colr.append("rgba(214,39,40,0.6)")
            hover.append(f"{r['class']} not served: {float(r['unserved_mwh']) / scale:,.2f} "
                         f"{unit}")
    return {"source": src, "target": tgt, "value": val, "color": colr, "customdata": hover,
            "hovertemplate": "%{source.label} → %{target.label}<br>%{customdata}<extra></extra>"}


def _inputs(case, tables: dict):
    """(assignment, unserved or None, centre names, site names) with string ids."""
    asg = tables.get("assignment")
    uns = tables.get("compute_unserved")
    asg = asg if asg is not None else pd.DataFrame(columns=ASSIGNMENT_COLUMNS)
    asg = asg.assign(centre=asg["centre"].astype(str), site=asg["site"].astype(str))
    uns = (uns.assign(centre=uns["centre"].astype(str)) if uns is not None and len(uns)
           else None)
    cnames, snames = _names(case.demand_centres), _names(case.sites)
    asg, uns = _aggregate(*_group_small(asg, uns, cnames, snames))
    return asg, uns, cnames, snames


def chart_sankey(case, tables: dict, title: str = TITLE) -> dict:
    """Demand centre → site flows of annual IT energy; a link's colour is its class
    (``title`` says otherwise for a multi-period run, whose flows are not by period)."""
    asg, uns = tables.get("assignment"), tables.get("compute_unserved")
    if (asg is None or not len(asg)) and (uns is None or not len(uns)):
        return empty_fig(title, "no compute demand in this case")
    asg, uns, cname, sname = _inputs(case, tables)
    has_uns = uns is not None and len(uns) and uns["unserved_mwh"].sum() > 1e-6
    total = float(asg["mwh"].sum()) + (float(uns["unserved_mwh"].sum()) if uns is not None
                                       and len(uns) else 0.0)
    scale, unit = energy_unit(total)
    centres = list(dict.fromkeys(asg["centre"].astype(str)))
    sites = list(dict.fromkeys(asg["site"].astype(str)))
    if has_uns:
        centres += [c for c in uns.loc[uns["unserved_mwh"] > 1e-6, "centre"].astype(str)
                    if c not in centres]
    labels = [cname.get(c, c) for c in centres] + [sname.get(s, s) for s in sites]
    labels += ["not served"] if has_uns else []
    classes = list(dict.fromkeys(list(asg["class"].astype(str)) + (
        list(uns["class"].astype(str)) if uns is not None and len(uns) else [])))
    ccol = {k: CLASS_COLOURS[i % len(CLASS_COLOURS)] for i, k in enumerate(classes)}
    links = _links(asg, uns, {c: i for i, c in enumerate(centres)},
                   {s: len(centres) + i for i, s in enumerate(sites)},
                   len(labels) - 1 if has_uns else None, ccol, scale, unit)
    node_col = (["#555555"] * len(centres) + ["#4a148c"] * len(sites)
                + (["#d62728"] if has_uns else []))
    legend = " · ".join(f"<span style='color:{ccol[k]}'>■</span> {k}" for k in classes)
    return fig([{
        "type": "sankey", "arrangement": "snap", "valueformat": ",.2f", "valuesuffix": " " + unit,
        "node": {"label": labels, "color": node_col, "pad": 18, "thickness": 16,
                 "line": {"color": "white", "width": 0.5}},
        "link": links,
    }], layout(title, height=max(360, 36 * max(len(centres), len(sites)) + 150),
               annotations=[dict(text="link colour = workload class: " + legend, x=0, y=-0.08,
                                 xref="paper", yref="paper", showarrow=False,
                                 xanchor="left", font=dict(size=12))]))
