"""Interactive run report (``report.html``) and scenario comparison, both self-contained.

A report opens offline from a single file: Leaflet 1.9 (BSD-2, from the
``django-js-lib-leaflet`` wheel, or Debian's ``libjs-leaflet``) and plotly.js (MIT, shipped
with the ``plotly`` package) are inlined once; nothing is fetched at run time unless
``tiles=True`` asks for an OpenStreetMap base layer. Without Leaflet the map section falls back
to the static map of :mod:`model.maps`, embedded as a PNG.

Sections of :func:`write_report_html`:

* key figures (objective, status and gap, emissions, average price, IT built, cost of power
  per MWh of compute, unserved power and compute, solve time);
* map: region polygons as the base layer (shaded by load-weighted average price), corridors
  (width by total capacity, cyan core for new capacity), sites (size by IT MW, hollow when not
  built), demand centres; a pop-up on each with its numbers; a layer switcher;
* charts (plotly): annual cost by component, capacity by technology and node (existing vs
  new), hourly dispatch stack of a region with the sites it hosts (a region menu; the week of
  its peak load shown first, a range slider for the rest), storage state of charge, price
  duration curves, compute flows demand centre → site (Sankey);
* tables: sites, compute assignment, corridors.

A small inline script records every JavaScript error into ``#wb-errors`` (``data-count``) and
marks the map and each chart ``data-rendered="1"`` once drawn: the tests open the file in
headless Chromium and read these marks.

:func:`write_comparison_html` puts several runs side by side (cost parts, sites, compute by
region and class, new generation/storage/transmission, emissions, average price, cost of power
per MWh of compute, small maps).
"""

# ruff: noqa: E501  (the embedded JavaScript and CSS below keep their natural line lengths)
from __future__ import annotations

import base64
import datetime as _dt
import html
import importlib.util
import json
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from model.report import maps

LEAFLET_DIRS = (Path("/usr/share/javascript/leaflet"),)
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = ('&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap'
                   '</a> contributors')
DISPATCH_VALUE_BUDGET = 450_000  # numbers of hourly dispatch data embedded in one report
DURATION_POINTS = 600  # points per price duration curve
TECH_COLOURS = (
    ("offshore", "#1f5fa8"), ("solar", "#f2b705"), ("pv", "#f2b705"), ("wind", "#4a90d9"),
    ("pumped", "#6c63c9"), ("hydro", "#1f3f8f"), ("nuclear", "#9b5de5"),
    ("lignite", "#7a5c3e"), ("coal", "#4a4a4a"), ("gas", "#e07b39"), ("ccgt", "#e07b39"),
    ("ocgt", "#f0a060"), ("oil", "#8c564b"), ("diesel", "#8c564b"), ("biomass", "#6a994e"),
    ("bio", "#6a994e"), ("geothermal", "#c44536"), ("battery", "#2a9d8f"),
    ("hydrogen", "#7fc8d8"), ("storage", "#2a9d8f"),
)
FALLBACK_COLOURS = ("#8e6c8a", "#b07aa1", "#9c755f", "#76b7b2", "#edc948", "#59a14f",
                    "#e15759", "#4e79a7", "#f28e2b", "#bab0ac")
QUALITATIVE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
               "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#8c564b")
SANKEY_MAX_NODES = 12  # centres or sites beyond this are grouped into "other …"
CLASS_COLOURS = ("#e15759", "#4e79a7", "#59a14f", "#f28e2b", "#b07aa1", "#76b7b2", "#edc948")


# ------------------------------------------------------------------------------ assets
def leaflet_assets() -> tuple[str, str] | None:
    """(leaflet.js, leaflet.css with its images inlined), or None when not installed."""
    dirs = []
    spec = importlib.util.find_spec("js_lib_leaflet")
    if spec is not None and spec.submodule_search_locations:
        for loc in spec.submodule_search_locations:
            dirs.append(Path(loc) / "static" / "js_lib_leaflet")
    dirs.extend(LEAFLET_DIRS)
    for d in dirs:
        js, css = d / "leaflet.js", d / "leaflet.css"
        if js.is_file() and css.is_file():
            css_text = css.read_text(encoding="utf-8")

            def inline(m, base=d):
                f = base / m.group(1)
                if not f.is_file():
                    return "url(data:,)"
                data = base64.b64encode(f.read_bytes()).decode()
                return f"url(data:image/png;base64,{data})"

            css_text = re.sub(r"url\((images/[^)]+\.png)\)", inline, css_text)
            return js.read_text(encoding="utf-8"), css_text
    return None


def plotly_js() -> str:
    """plotly.js (minified) as shipped with the installed plotly package."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def _json(obj) -> str:
    """JSON for embedding inside <script> (no '</' sequences, NaN → null)."""
    from plotly.utils import PlotlyJSONEncoder

    # PlotlyJSONEncoder turns NaN and ±Infinity into null (strict JSON)
    text = json.dumps(obj, cls=PlotlyJSONEncoder, separators=(",", ":"))
    text = text.replace("<!--", "\\u003c!--").replace("</", "<\\/")
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _esc(x) -> str:
    return html.escape("" if x is None else str(x))


# --------------------------------------------------------------------------- formatting
def _num(v, digits: int = 1) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "—"
    return f"{v:,.{digits}f}"


def _money(v, cur: str) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "—"
    a = abs(v)
    if a >= 1e9:
        return f"{v / 1e9:,.2f} bn {cur}"
    if a >= 1e6:
        return f"{v / 1e6:,.1f} M {cur}"
    return f"{v:,.0f} {cur}"


def _energy(mwh) -> str:
    if mwh is None or not np.isfinite(mwh):
        return "—"
    a = abs(mwh)
    if a >= 1e6:
        return f"{mwh / 1e6:,.2f} TWh"
    if a >= 1e3:
        return f"{mwh / 1e3:,.1f} GWh"
    return f"{mwh:,.0f} MWh"


def _mass(t) -> str:
    if t is None or not np.isfinite(t):
        return "—"
    if abs(t) >= 1e6:
        return f"{t / 1e6:,.2f} Mt CO₂"
    if abs(t) >= 1e3:
        return f"{t / 1e3:,.1f} kt CO₂"
    return f"{t:,.0f} t CO₂"


def tech_colours(techs) -> dict[str, str]:
    """A colour per technology: by name (solar, wind, gas, …), variants shaded apart."""
    out: dict[str, str] = {}
    used: dict[str, int] = {}
    k = 0
    for t in techs:
        low = str(t).lower()
        base = next((c for key, c in TECH_COLOURS if key in low), None)
        if base is None:
            base = FALLBACK_COLOURS[k % len(FALLBACK_COLOURS)]
            k += 1
        n = used.get(base, 0)
        used[base] = n + 1
        out[t] = _shade(base, n)
    return out


def _shade(hex_colour: str, n: int) -> str:
    """The n-th variant of a colour (0: itself; then alternately lighter and darker)."""
    if n == 0:
        return hex_colour
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    f = 0.35 * ((n + 1) // 2) / 1.0
    if n % 2:  # lighter
        r, g, b = (int(c + (255 - c) * min(f, 0.8)) for c in (r, g, b))
    else:
        r, g, b = (int(c * max(1 - f, 0.3)) for c in (r, g, b))
    return f"#{r:02x}{g:02x}{b:02x}"


def _tint(hex_colour: str, f: float) -> str:
    """The colour mixed with white (f = share of white)."""
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    r, g, b = (int(c + (255 - c) * f) for c in (r, g, b))
    return f"#{r:02x}{g:02x}{b:02x}"


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _time_axis(case, n: int) -> tuple[list, str]:
    """x values for hourly charts: timestamps when the labels parse, else step numbers."""
    labels = [str(t) for t in getattr(case, "time", range(n))][:n]
    if len(labels) == n and n and all(re.match(r"\d{4}-\d{2}-\d{2}", t) for t in labels[:3]):
        try:
            ts = pd.to_datetime(pd.Series(labels), errors="raise")
            if ts.notna().all() and ts.is_monotonic_increasing:
                return [t.strftime("%Y-%m-%d %H:%M") for t in ts], "date"
        except (ValueError, TypeError, OverflowError):
            pass
    return list(range(n)), "linear"


def _x_title(case, xtype: str) -> str:
    """Axis title of hourly charts: nothing for timestamps, else what a step is."""
    if xtype == "date":
        return ""
    red = getattr(case, "reduction", None)
    if red:
        return (f"time step ({red.get('days')} representative days, each standing for "
                "several days of the year)")
    return "time step"


def _layout(title: str, **kw) -> dict:
    base = dict(
        title=dict(text=title, x=0.0, xanchor="left", font=dict(size=16)),
        template="plotly_white",
        font=dict(family="system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, "
                         "sans-serif", size=12),
        margin=dict(l=70, r=30, t=60, b=60),
        height=430,
        hoverlabel=dict(namelength=-1),
    )
    base.update(kw)
    return base


def _fig(data: list, layout: dict) -> dict:
    return {"data": data, "layout": layout}


def _empty_fig(title: str, message: str) -> dict:
    return _fig([], _layout(title, height=220, xaxis=dict(visible=False),
                            yaxis=dict(visible=False),
                            annotations=[dict(text=message, showarrow=False, x=0.5, y=0.5,
                                              xref="paper", yref="paper",
                                              font=dict(size=14, color="#666"))]))


# --------------------------------------------------------------------------- run folder
def read_run(run_dir) -> tuple[dict[str, pd.DataFrame], dict]:
    """Tables (every ``*.csv``) and ``summary.json`` of a run folder."""
    run_dir = Path(run_dir)
    summary = json.loads((run_dir / "summary.json").read_text())
    tables = {}
    for f in sorted(run_dir.glob("*.csv")):
        try:
            tables[f.stem] = pd.read_csv(f, dtype={"time": str, "node": str, "site": str,
                                                   "centre": str, "from": str, "to": str})
        except pd.errors.EmptyDataError:
            tables[f.stem] = pd.DataFrame()
    return tables, summary


# ----------------------------------------------------------------------------- map data
def _simplify(gdf, tol_deg: float):
    geom = gdf.geometry
    poly = ~geom.geom_type.isin(["Point", "MultiPoint"])
    if poly.any() and tol_deg > 0:
        geom = geom.copy()
        geom[poly] = geom[poly].simplify(tol_deg, preserve_topology=True)
    return geom


def _round_coords(obj, nd=4):
    if isinstance(obj, float):
        return round(obj, nd)
    if isinstance(obj, list | tuple):
        return [_round_coords(o, nd) for o in obj]
    return obj


def _capacity(tables) -> pd.DataFrame:
    cap = tables.get("capacity")
    if cap is None or not len(cap):
        return pd.DataFrame(columns=["node", "tech", "kind", "existing_mw", "new_mw",
                                     "total_mw", "existing_mwh", "new_mwh"])
    cap = cap.copy()
    if "kind" not in cap:
        cap["kind"] = "generator"
    if "total_mw" not in cap:
        cap["total_mw"] = cap["existing_mw"] + cap["new_mw"]
    cap["node"] = cap["node"].astype(str)
    return cap


def map_data(case, tables: dict, summary: dict) -> dict:
    """Everything the Leaflet map draws, as plain JSON-able data (EPSG:4326)."""
    cur = case.currency
    regions = case.regions
    b = regions.total_bounds
    span = float(max(b[2] - b[0], b[3] - b[1], 0.1))
    geoms = _simplify(regions, span / 1500.0)
    prices = maps.region_prices(case, tables)
    cap = _capacity(tables)
    measure = "price" if prices.notna().any() else "none"
    values = prices.reindex(regions.index)
    if measure == "none":
        newcap = maps.new_capacity_by_node(tables).reindex(regions.index).fillna(0.0)
        if (newcap > 0).any():
            measure, values = "new_capacity", newcap
    colours = {r: maps.NO_DATA for r in regions.index}
    scale = None
    if measure != "none":
        vals = values.to_numpy(float)
        lo, hi, extend = maps._colour_range(vals)
        cmap = maps._cmap("YlOrRd" if measure == "price" else "Greens")
        from matplotlib.colors import to_hex

        for r, v in zip(regions.index, vals, strict=True):
            if np.isfinite(v):
                colours[r] = to_hex(cmap((np.clip(v, lo, hi) - lo) / (hi - lo)))
        scale = {"min": lo, "max": hi, "extend": extend,
                 "stops": [to_hex(cmap(x)) for x in np.linspace(0, 1, 9)],
                 "label": (f"Average power price ({cur}/MWh, weighted by base load)"
                           if measure == "price" else "New generation + storage (MW)")}
    peak = case.load.max(axis=0) if len(case.load) else pd.Series(dtype=float)
    energy = (case.load.mul(maps.step_weights(case, len(case.load)), axis=0).sum()
              if len(case.load) else pd.Series(dtype=float))
    feats = []
    for rid, geom in zip(regions.index, geoms, strict=True):
        rc = cap[cap["node"] == str(rid)]
        new_by = {f"{t} ({k})" if k == "storage" else t: float(n)
                  for t, k, n in zip(rc["tech"], rc["kind"], rc["new_mw"], strict=True)
                  if n > 1e-6}
        exist_by = {f"{t} ({k})" if k == "storage" else t: float(e)
                    for t, k, e in zip(rc["tech"], rc["kind"], rc["existing_mw"], strict=True)
                    if e > 1e-6}
        gj = json.loads(json.dumps(geom.__geo_interface__))
        gj["coordinates"] = _round_coords(gj.get("coordinates"))
        feats.append({"type": "Feature", "geometry": gj, "properties": {
            "id": str(rid), "name": str(regions.at[rid, "name"]),
            "group": str(regions.at[rid, "group"] or ""),
            "price": None if not np.isfinite(prices.get(rid, np.nan)) else float(prices[rid]),
            "new_mw": float(rc["new_mw"].sum()) if len(rc) else 0.0,
            "existing_mw": float(rc["existing_mw"].sum()) if len(rc) else 0.0,
            "new_by_tech": new_by, "existing_by_tech": exist_by,
            "peak_load_mw": float(peak.get(rid, 0.0)),
            "load_mwh": float(energy.get(rid, 0.0)),
            "colour": colours[rid],
            "lat": float(regions.at[rid, "lat"]), "lon": float(regions.at[rid, "lon"]),
        }})
    nodes = maps.node_locations(case)

    cors = []
    ct = tables.get("corridors")
    if (ct is None or not len(ct)) and len(case.corridors):  # no solution: the case's network
        ct = case.corridors[["from", "to", "name", "existing_mw", "length_km"]].assign(
            new_mw=0.0, total_mw=case.corridors["existing_mw"])
    if ct is not None and len(ct):
        for _, r in ct.iterrows():
            a, bnode = str(r["from"]), str(r["to"])
            if a not in nodes.index or bnode not in nodes.index:
                continue
            total = float(r.get("total_mw", r["existing_mw"] + r["new_mw"]))
            maxf = float(r.get("max_abs_flow_mw", np.nan))
            cors.append({
                "name": str(r.get("name", f"{a}-{bnode}")), "from": a, "to": bnode,
                "latlngs": [[float(nodes.at[a, "lat"]), float(nodes.at[a, "lon"])],
                            [float(nodes.at[bnode, "lat"]), float(nodes.at[bnode, "lon"])]],
                "existing_mw": float(r["existing_mw"]), "new_mw": float(r["new_mw"]),
                "total_mw": total, "length_km": float(r.get("length_km", np.nan)),
                "fwd_mwh": float(r.get("flow_forward_mwh_per_year", np.nan)),
                "bwd_mwh": float(r.get("flow_backward_mwh_per_year", np.nan)),
                "max_flow_mw": maxf,
                "utilisation": (maxf / total) if total > 0 and np.isfinite(maxf) else None,
            })

    sites = []
    st = maps._sites_table(case, tables)
    asg = tables.get("assignment")
    for _, r in st.iterrows():
        sid = str(r["site"])
        meta = case.sites.loc[sid] if sid in case.sites.index else pd.Series(dtype=object)
        served = []
        if asg is not None and len(asg):
            for _, a in asg[asg["site"].astype(str) == sid].iterrows():
                served.append({"centre": str(a["centre"]), "class": str(a["class"]),
                               "mwh": float(a["mwh"]), "latency_ms": float(a["latency_ms"])})
        onsite = cap[cap["node"] == sid]
        sites.append({
            "id": sid, "name": str(r.get("name", meta.get("name", sid))),
            "region": str(r.get("region", meta.get("region", ""))),
            "group": str(meta.get("group", "") or ""),
            "lat": float(r["lat"]), "lon": float(r["lon"]),
            "built": int(r.get("built", 0)), "it_mw": float(r.get("it_mw", 0.0)),
            "max_it_mw": float(meta.get("max_it_mw", np.nan)),
            "capex_per_kw_it": float(meta.get("capex_per_kw_it", np.nan)),
            "fixed_cost": float(meta.get("fixed_cost", np.nan)),
            "pue": float(r.get("pue_mean", meta.get("pue", np.nan))),
            "idle_share": float(meta.get("idle_share", np.nan)),
            "grid_limit_mw": float(meta.get("grid_limit_mw", np.nan)),
            "utilisation": float(r.get("utilisation", np.nan)),
            "it_mwh": float(r.get("it_energy_mwh_per_year", np.nan)),
            "power_mwh": float(r.get("power_mwh_per_year", np.nan)),
            "peak_power_mw": float(r.get("peak_power_mw", np.nan)),
            "power_cost_per_mwh_it": float(r.get("power_cost_per_mwh_it", np.nan)),
            "served": served,
            "onsite": {str(t): [float(e), float(n)] for t, e, n in
                       zip(onsite["tech"], onsite["existing_mw"], onsite["new_mw"],
                           strict=True)},
        })

    centres = []
    dem = case.compute_demand
    unserved = tables.get("compute_unserved")
    for cid, r in case.demand_centres.iterrows():
        d = dem[dem["centre"] == cid] if len(dem) else dem
        served = []
        if asg is not None and len(asg):
            for _, a in asg[asg["centre"].astype(str) == str(cid)].iterrows():
                served.append({"site": str(a["site"]), "class": str(a["class"]),
                               "mwh": float(a["mwh"]), "latency_ms": float(a["latency_ms"])})
        u = 0.0
        if unserved is not None and len(unserved):
            u = float(unserved.loc[unserved["centre"].astype(str) == str(cid),
                                   "unserved_mwh"].sum())
        centres.append({
            "id": str(cid), "name": str(r.get("name", cid) or cid),
            "lat": float(r["lat"]), "lon": float(r["lon"]),
            "demand": {str(k): float(v) for k, v in zip(d["class"], d["it_mw"], strict=True)},
            "served": served, "unserved_mwh": u,
        })
    max_total = max([c["total_mw"] for c in cors] or [0.0])
    max_it = max([s["it_mw"] for s in sites if s["built"]] or [0.0])
    return {"regions": {"type": "FeatureCollection", "features": feats}, "corridors": cors,
            "sites": sites, "centres": centres, "scale": scale, "measure": measure,
            "currency": cur, "max_total_mw": max_total, "max_it_mw": max_it,
            "site_names": {s["id"]: s["name"] for s in sites},
            "centre_names": {c["id"]: c["name"] for c in centres}}


# ------------------------------------------------------------------------------ charts
def chart_costs(case, summary: dict) -> dict:
    cur = case.currency
    costs = summary.get("costs") or {}
    items = [(k, float(v)) for k, v in costs.items() if v is not None and abs(float(v)) > 1e-6]
    title = "Annual cost by component"
    if not items:
        return _empty_fig(title, "no costs in this run (no solution)")
    items.sort(key=lambda kv: kv[1])
    scale, unit = (1e9, f"bn {cur}/yr") if max(abs(v) for _, v in items) >= 5e9 else (
        1e6, f"M {cur}/yr")
    names = [k.replace("_", " ") for k, _ in items]
    vals = [v / scale for _, v in items]
    colours = []
    for k, _ in items:
        if "not in objective" in k:
            colours.append("#bdbdbd")
        elif k.startswith("capex"):
            colours.append("#1f4e79")
        elif "fixed_om" in k:
            colours.append("#5b8db8")
        elif k.startswith("unserved"):
            colours.append("#d62728")
        else:
            colours.append("#e0a040")
    obj = summary.get("objective")
    sub = f" — objective {obj / scale:,.1f} {unit}" if obj is not None else ""
    return _fig([{
        "type": "bar", "orientation": "h", "x": vals, "y": names,
        "marker": {"color": colours}, "text": [f"{v:,.1f}" for v in vals],
        "textposition": "auto", "hovertemplate": "%{y}: %{x:,.2f} " + unit + "<extra></extra>",
        "cliponaxis": False,
    }], _layout(title + sub, height=max(260, 34 * len(items) + 120),
                xaxis=dict(title=dict(text=unit), zeroline=True),
                yaxis=dict(automargin=True)))


def _node_label(case, node: str) -> str:
    if node in case.regions.index:
        return maps._short(str(case.regions.at[node, "name"]), 24)
    if len(case.sites) and node in case.sites.index:
        return f"{maps._short(str(case.sites.at[node, 'name']), 24)} (site)"
    return node


def chart_capacity(case, tables: dict) -> dict:
    cap = _capacity(tables)
    title = "Capacity by technology and node: existing (hatched) and new (solid)"
    if not len(cap) or cap["total_mw"].sum() <= 0:
        return _empty_fig(title, "no capacity in this run")
    cap = cap[cap["total_mw"] > 1e-6]
    big = cap.groupby("node")["total_mw"].sum().max() >= 5000
    scale, unit = (1000.0, "GW") if big else (1.0, "MW")
    order = [n for n in list(case.regions.index) + list(case.sites.index)
             if n in set(cap["node"])]
    order += [n for n in cap["node"].unique() if n not in order]
    labels = {n: _node_label(case, n) for n in order}
    techs = list(dict.fromkeys(cap.sort_values("kind")["tech"]))
    col = tech_colours(techs)
    data = []
    for t in techs:
        sub = cap[cap["tech"] == t].set_index("node").reindex(order)
        kind = str(sub["kind"].dropna().iloc[0]) if sub["kind"].notna().any() else ""
        suffix = " (storage power)" if kind == "storage" else ""
        x = [labels[n] for n in order]
        for part, pattern in (("existing", "/"), ("new", "")):
            y = (sub[f"{part}_mw"].fillna(0.0) / scale).round(4).tolist()
            if not any(v > 0 for v in y):
                continue
            extra = ""
            if kind == "storage":
                mwh = sub[f"{part}_mwh"].fillna(0.0) if f"{part}_mwh" in sub else None
                if mwh is not None:
                    extra = [f"<br>{v:,.0f} MWh" for v in mwh]
            data.append({
                "type": "bar", "name": f"{t}{suffix} — {part}", "x": x, "y": y,
                "legendgroup": t,
                "marker": ({"color": _tint(col[t], 0.72), "line": {"color": col[t], "width": 0.6},
                            "pattern": {"shape": pattern, "fgcolor": col[t], "solidity": 0.45}}
                           if pattern else {"color": col[t]}),
                "customdata": extra if extra else None,
                "hovertemplate": f"%{{x}}<br>{t} {part}: %{{y:,.2f}} {unit}"
                                 + ("%{customdata}" if extra else "") + "<extra></extra>",
            })
    return _fig(data, _layout(title, barmode="stack", height=480,
                              yaxis=dict(title=dict(text=f"capacity ({unit})")),
                              xaxis=dict(tickangle=-45 if len(order) > 8 else 0,
                                         automargin=True),
                              legend=dict(font=dict(size=11))))


def _dispatch_columns(dispatch: pd.DataFrame) -> dict:
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
            if what == "unserved":
                out["unserved"][node] = c
            elif what == "dc_power":
                out["dc"][node] = c
            else:
                out["gen"][(node, what)] = c
        elif len(parts) == 3:
            node, tech, what = parts
            key = {"discharge": "discharge", "charge": "charge", "soc_mwh": "soc"}.get(what)
            if key:
                out[key][(node, tech)] = c
    return out


def dispatch_areas(case, tables: dict) -> list[dict]:
    """Hourly balance of each region together with the sites it hosts (MW per series)."""
    dispatch = tables.get("dispatch")
    if dispatch is None or not len(dispatch):
        return []
    n = len(dispatch)
    cols = _dispatch_columns(dispatch)
    site_region = (case.sites["region"].astype(str).to_dict() if len(case.sites) else {})
    area_of = {str(r): str(r) for r in case.regions.index}
    area_of.update(site_region)
    load = maps.run_load(case, tables, n)
    cor = tables.get("corridors")
    case_cor = case.corridors.reset_index(drop=True)
    flow_cols = list(cols["flow"].items())
    # flows in corridor order: names can repeat, so match by position when counts agree
    cor_rows = []
    if cor is not None and len(cor):
        loss = np.zeros(len(cor))
        if len(case_cor) == len(cor):
            loss = (case_cor["loss_per_1000km"].fillna(0) * case_cor["length_km"].fillna(0)
                    / 1000.0).to_numpy(float)
        names = [str(x) for x in cor.get("name", cor["from"] + "-" + cor["to"])]
        by_name = dict(flow_cols)
        for i, (a, b_, nm) in enumerate(zip(cor["from"].astype(str), cor["to"].astype(str),
                                            names, strict=True)):
            col = (flow_cols[i][1] if len(flow_cols) == len(cor) else by_name.get(nm))
            if col is not None:
                cor_rows.append((area_of.get(a, a), area_of.get(b_, b_), col, loss[i]))
    gen_techs = sorted({t for (_, t) in cols["gen"]})
    energy = {}
    for (_node, t), c in cols["gen"].items():
        energy[t] = energy.get(t, 0.0) + float(dispatch[c].sum())
    gen_techs.sort(key=lambda t: -energy.get(t, 0.0))
    areas = []
    for r in case.regions.index:
        r = str(r)
        members = {k for k, v in area_of.items() if v == r}
        series = []
        for t in gen_techs:
            cs = [c for (node, tt), c in cols["gen"].items() if tt == t and node in members]
            if cs:
                v = dispatch[cs].sum(axis=1).to_numpy(float)
                if np.abs(v).max() > 1e-6:
                    series.append(("gen", t, v))
        for kind in ("discharge", "charge"):
            techs = sorted({t for (node, t) in cols[kind] if node in members})
            for t in techs:
                cs = [c for (node, tt), c in cols[kind].items() if tt == t and node in members]
                v = dispatch[cs].sum(axis=1).to_numpy(float)
                if np.abs(v).max() > 1e-6:
                    series.append((kind, t, v if kind == "discharge" else -v))
        imp = np.zeros(n)
        for a, b_, c, lam in cor_rows:
            if a == b_:
                continue
            f = dispatch[c].to_numpy(float)
            if b_ == r:  # flow > 0 arrives here after losses
                imp += np.where(f > 0, (1 - lam) * f, f)
            elif a == r:
                imp -= np.where(f > 0, f, (1 - lam) * f)
        if np.abs(imp).max() > 1e-6:
            series.append(("import", "imports", np.clip(imp, 0, None)))
            series.append(("export", "exports", np.clip(imp, None, 0)))
        uns = [c for node, c in cols["unserved"].items() if node in members]
        if uns:
            v = dispatch[uns].sum(axis=1).to_numpy(float)
            if v.max() > 1e-6:
                series.append(("unserved", "unserved power", v))
        base = load[r].to_numpy(float) if r in load else np.zeros(n)
        dcs = [c for node, c in cols["dc"].items() if node in members]
        dc = dispatch[dcs].sum(axis=1).to_numpy(float) if dcs else np.zeros(n)
        if not series and base.max() <= 0 and dc.max() <= 0:
            continue
        socs = {f"{node}:{t}": dispatch[c].to_numpy(float)
                for (node, t), c in cols["soc"].items() if node in members}
        areas.append({"id": r, "name": str(case.regions.at[r, "name"]),
                      "series": series, "load": base, "dc": dc if dcs else None,
                      "sites": sorted(members - {r}), "soc": socs,
                      "weight": float((base + dc).sum())})
    areas.sort(key=lambda a: -a["weight"])
    return areas


def chart_dispatch(case, tables: dict) -> tuple[dict, dict] | None:
    """(initial figure, {area id: figure}) for the dispatch chart, or None without dispatch."""
    areas = dispatch_areas(case, tables)
    if not areas:
        return None
    n = len(areas[0]["load"])
    x, xtype = _time_axis(case, n)
    techs = sorted({s[1] for a in areas for s in a["series"] if s[0] in ("gen", "discharge",
                                                                         "charge")})
    col = tech_colours(techs)
    budget_left = DISPATCH_VALUE_BUDGET
    figs = {}
    for a in areas:
        cost = n * (len(a["series"]) + 2)
        if figs and cost > budget_left:
            continue
        budget_left -= cost
        data = []
        for kind, name, v in a["series"]:
            label = {"gen": name, "discharge": f"{name} discharge", "charge": f"{name} charge",
                     "import": "imports", "export": "exports",
                     "unserved": "unserved power"}[kind]
            colour = {"import": "#9e9e9e", "export": "#c7c7c7",
                      "unserved": "#d62728"}.get(kind, col.get(name, "#888888"))
            neg = kind in ("charge", "export")
            data.append({"type": "scatter", "mode": "lines", "name": label,
                         "y": np.round(v, 2).tolist(), "stackgroup": "neg" if neg else "pos",
                         "line": {"width": 0.4, "color": colour},
                         "fillcolor": _rgba(colour, 0.55 if kind == "charge" else 0.85),
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
        tot = a["load"] + (a["dc"] if a["dc"] is not None else 0.0)
        peak = int(np.argmax(tot)) if len(tot) else 0
        lo, hi = 0, n - 1
        if n > 168:
            lo = max(0, min(peak - 84, n - 168))
            hi = lo + 167
        sites = ", ".join(a["sites"])
        title = (f"Hourly dispatch — {a['name']}" + (f" with sites {sites}" if sites else "")
                 + (" (week of peak load; drag the slider for the rest)" if n > 168 else ""))
        figs[a["id"]] = _fig(data, _layout(
            title, height=470, hovermode="x unified",
            yaxis=dict(title=dict(text="MW (supply above 0, charging and exports below)")),
            xaxis=dict(type=xtype, range=[x[lo], x[hi]], title=dict(text=_x_title(case, xtype)),
                       rangeslider=dict(visible=n > 168, thickness=0.08)),
            legend=dict(font=dict(size=11))))
    first = next(iter(figs))
    return {"x": x, "default": first,
            "options": [(a["id"], a["name"]) for a in areas if a["id"] in figs],
            "omitted": [a["name"] for a in areas if a["id"] not in figs]}, figs


def chart_soc(case, tables: dict) -> dict:
    dispatch = tables.get("dispatch")
    title = "Storage state of charge"
    if dispatch is None or not len(dispatch):
        return _empty_fig(title, "no dispatch in this run")
    cols = _dispatch_columns(dispatch)["soc"]
    if not cols:
        return _empty_fig(title, "no storage in this case")
    n = len(dispatch)
    x, xtype = _time_axis(case, n)
    peak = {k: float(dispatch[c].max()) for k, c in cols.items()}
    keys = sorted(cols, key=lambda k: -peak[k])
    shown = [k for k in keys if peak[k] > 1e-6][:12] or keys[:1]
    col = tech_colours(sorted({t for _, t in shown}))
    cap = _capacity(tables)
    data = []
    for i, (node, t) in enumerate(shown):
        row = cap[(cap["node"] == node) & (cap["tech"] == t)]
        e = float((row["existing_mwh"].fillna(0) + row["new_mwh"].fillna(0)).sum()) if len(
            row) else float("nan")
        name = f"{_node_label(case, node)} {t}"
        data.append({"type": "scatter", "mode": "lines", "x": x,
                     "y": np.round(dispatch[cols[(node, t)]].to_numpy(float), 2).tolist(),
                     "name": name + (f" ({e:,.0f} MWh)" if np.isfinite(e) else ""),
                     "line": {"width": 1.5, "color": col[t] if len(shown) == 1 else
                              QUALITATIVE[i % len(QUALITATIVE)]},
                     "hovertemplate": name + ": %{y:,.1f} MWh<extra></extra>"})
    note = f" (largest {len(shown)} of {len(keys)})" if len(keys) > len(shown) else ""
    return _fig(data, _layout(title + note, height=400, hovermode="x unified",
                              yaxis=dict(title=dict(text="energy stored (MWh, end of hour)"),
                                         rangemode="tozero"),
                              xaxis=dict(type=xtype, title=dict(text=_x_title(case, xtype)),
                                         rangeslider=dict(visible=n > 168,
                                                                      thickness=0.08))))


def chart_price_duration(case, tables: dict) -> dict:
    title = "Price duration curves (hours of the year at or above each price)"
    pm = maps.price_matrix(case, tables)
    cur = case.currency
    if pm is None:
        return _empty_fig(title, "no prices in this run (no dual solution)")
    w = maps.step_weights(case, len(pm))
    regions = [r for r in case.regions.index if r in pm.columns]
    weight = case.load.reindex(columns=regions).sum() if len(case.load) else None
    if weight is not None:
        regions.sort(key=lambda r: -float(weight.get(r, 0.0)))
    data = []
    many = len(regions) > 12
    for i, r in enumerate(regions):
        p = pm[r].to_numpy(float)
        ok = np.isfinite(p)
        order = np.argsort(-p[ok], kind="stable")
        y = p[ok][order]
        hours = np.cumsum(w[ok][order])
        if len(y) > DURATION_POINTS:  # a duration curve needs no more points than pixels
            keep = np.unique(np.linspace(0, len(y) - 1, DURATION_POINTS).round().astype(int))
            y, hours = y[keep], hours[keep]
        data.append({"type": "scatter", "mode": "lines", "x": np.round(hours, 2).tolist(),
                     "y": np.round(y, 3).tolist(), "name": str(case.regions.at[r, "name"]),
                     "line": {"shape": "hv", "width": 1.2 if many else 2.0},
                     "visible": True if (not many or i < 8) else "legendonly",
                     "hovertemplate": str(case.regions.at[r, "name"])
                     + ": %{y:,.1f} " + cur + "/MWh for %{x:,.0f} h<extra></extra>"})
    note = " — 8 regions with the most load shown; click the legend for more" if many else ""
    return _fig(data, _layout(title + note, height=430,
                              xaxis=dict(title=dict(text="hours per year"),
                                         range=[0, float(w.sum())]),
                              yaxis=dict(title=dict(text=f"price ({cur}/MWh)"))))


def chart_sankey(case, tables: dict) -> dict:
    title = "Compute served: demand centre → data-centre site (annual IT energy)"
    asg = tables.get("assignment")
    uns = tables.get("compute_unserved")
    if (asg is None or not len(asg)) and (uns is None or not len(uns)):
        return _empty_fig(title, "no compute demand in this case")
    asg = asg if asg is not None else pd.DataFrame(columns=["centre", "class", "site", "mwh",
                                                            "latency_ms"])
    asg = asg.assign(centre=asg["centre"].astype(str), site=asg["site"].astype(str))
    cname = {str(i): maps._short(str(r.get("name", i) or i), 26)
             for i, r in case.demand_centres.iterrows()}
    sname = ({str(i): maps._short(str(r.get("name", i) or i), 26)
              for i, r in case.sites.iterrows()} if len(case.sites) else {})
    # many centres or sites: keep the largest, group the rest (a readable diagram)
    uns_c = (uns.assign(centre=uns["centre"].astype(str)) if uns is not None and len(uns)
             else None)
    for col, names, label in (("centre", cname, "other centres"), ("site", sname,
                                                                   "other sites")):
        size = asg.groupby(col)["mwh"].sum()
        if col == "centre" and uns_c is not None:
            size = size.add(uns_c.groupby("centre")["unserved_mwh"].sum(), fill_value=0.0)
        if len(size) > SANKEY_MAX_NODES:
            keep = set(size.sort_values(ascending=False).index[:SANKEY_MAX_NODES - 1])
            other = f"{label} ({len(size) - len(keep)})"
            asg[col] = asg[col].where(asg[col].isin(keep), other)
            if col == "centre" and uns_c is not None:
                uns_c["centre"] = uns_c["centre"].where(uns_c["centre"].isin(keep), other)
            names[other] = other
    if len(asg):
        agg = asg.assign(w=asg["mwh"] * asg["latency_ms"]).groupby(
            ["centre", "class", "site"], as_index=False)[["mwh", "w"]].sum()
        agg["latency_ms"] = agg["w"] / agg["mwh"].where(agg["mwh"] > 0)
        asg = agg
    if uns_c is not None:
        uns = uns_c.groupby(["centre", "class"], as_index=False)["unserved_mwh"].sum()
    total = float(asg["mwh"].sum()) + (float(uns["unserved_mwh"].sum()) if uns is not None
                                       and len(uns) else 0.0)
    scale, unit = (1e6, "TWh") if total >= 5e6 else ((1e3, "GWh") if total >= 5e3 else
                                                      (1.0, "MWh"))
    centres = list(dict.fromkeys(asg["centre"].astype(str)))
    sites = list(dict.fromkeys(asg["site"].astype(str)))
    has_uns = uns is not None and len(uns) and uns["unserved_mwh"].sum() > 1e-6
    if has_uns:
        centres += [c for c in uns.loc[uns["unserved_mwh"] > 1e-6, "centre"].astype(str)
                    if c not in centres]
    labels = [cname.get(c, c) for c in centres] + [sname.get(s, s) for s in sites]
    if has_uns:
        labels.append("not served")
    idx_c = {c: i for i, c in enumerate(centres)}
    idx_s = {s: len(centres) + i for i, s in enumerate(sites)}
    classes = list(dict.fromkeys(list(asg["class"].astype(str)) + (
        list(uns["class"].astype(str)) if uns is not None and len(uns) else [])))
    ccol = {k: CLASS_COLOURS[i % len(CLASS_COLOURS)] for i, k in enumerate(classes)}
    src, tgt, val, colr, hover = [], [], [], [], []
    for _, r in asg.iterrows():
        src.append(idx_c[str(r["centre"])])
        tgt.append(idx_s[str(r["site"])])
        val.append(float(r["mwh"]) / scale)
        colr.append(_rgba(ccol[str(r["class"])], 0.55))
        hover.append(f"{r['class']}: {float(r['mwh']) / scale:,.2f} {unit}, "
                     f"{float(r['latency_ms']):.1f} ms (energy-weighted mean)")
    if has_uns:
        for _, r in uns[uns["unserved_mwh"] > 1e-6].iterrows():
            src.append(idx_c[str(r["centre"])])
            tgt.append(len(labels) - 1)
            val.append(float(r["unserved_mwh"]) / scale)
            colr.append("rgba(214,39,40,0.6)")
            hover.append(f"{r['class']} not served: {float(r['unserved_mwh']) / scale:,.2f} "
                         f"{unit}")
    node_col = (["#555555"] * len(centres) + ["#4a148c"] * len(sites)
                + (["#d62728"] if has_uns else []))
    legend = " · ".join(f"<span style='color:{ccol[k]}'>■</span> {k}" for k in classes)
    return _fig([{
        "type": "sankey", "arrangement": "snap", "valueformat": ",.2f", "valuesuffix": " " + unit,
        "node": {"label": labels, "color": node_col, "pad": 18, "thickness": 16,
                 "line": {"color": "white", "width": 0.5}},
        "link": {"source": src, "target": tgt, "value": val, "color": colr,
                 "customdata": hover, "hovertemplate": "%{source.label} → %{target.label}<br>"
                                                       "%{customdata}<extra></extra>"},
    }], _layout(title, height=max(360, 36 * max(len(centres), len(sites)) + 150),
                annotations=[dict(text="link colour = workload class: " + legend, x=0, y=-0.08,
                                  xref="paper", yref="paper", showarrow=False,
                                  xanchor="left", font=dict(size=12))]))


# ------------------------------------------------------------------------------ tables
HEADERS = {
    "it_mw": "IT (MW)", "utilisation": "utilisation", "pue_mean": "PUE (mean)",
    "it_energy_mwh_per_year": "IT energy (MWh/yr)", "power_mwh_per_year": "site power (MWh/yr)",
    "peak_power_mw": "peak power (MW)", "power_cost_per_mwh_it": "power cost ({cur}/MWh IT)",
    "mwh": "IT energy (MWh/yr)", "latency_ms": "latency (ms)", "peak_mw": "peak (MW IT)",
    "existing_mw": "existing (MW)", "new_mw": "new (MW)", "total_mw": "total (MW)",
    "length_km": "length (km)", "max_abs_flow_mw": "peak flow (MW)",
}


def _table(df: pd.DataFrame, formats: dict | None = None, max_rows: int = 200,
           cur: str = "") -> str:
    if df is None or not len(df):
        return "<p class='muted'>none</p>"
    formats = formats or {}
    more = len(df) - max_rows
    df = df.head(max_rows)
    head = "".join(f"<th>{_esc(HEADERS.get(c, c).format(cur=cur))}</th>" for c in df.columns)
    rows = []
    for _, r in df.iterrows():
        cells = []
        for c in df.columns:
            v = r[c]
            f = formats.get(c)
            if f is not None and v is not None and not (isinstance(v, float) and np.isnan(v)):
                try:
                    txt = f.format(v)
                except (ValueError, TypeError):
                    txt = str(v)
            elif isinstance(v, float):
                txt = "—" if np.isnan(v) else f"{v:,.2f}"
            else:
                txt = str(v)
            num = isinstance(v, int | float | np.number) and not isinstance(v, bool)
            cells.append(f"<td class='{'num' if num else ''}'>{_esc(txt)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    tail = f"<p class='muted'>… {more} more rows in the CSV file</p>" if more > 0 else ""
    return (f"<div class='tablewrap'><table><thead><tr>{head}</tr></thead><tbody>"
            + "".join(rows) + f"</tbody></table></div>{tail}")


def _key_figures(case, summary: dict) -> list[tuple[str, str, str]]:
    cur = case.currency
    tim = summary.get("timings") or {}
    gap = summary.get("mip_gap")
    items = [
        ("Objective", (_money(summary.get("objective"), cur) + "/yr")
         if summary.get("objective") is not None else "—",
         "annualised capital + fixed O&M of new capacity, operating costs, penalties"),
        ("Status", str(summary.get("status", "—")) + (
            f" · gap {100 * gap:.2f} %" if gap is not None and summary.get("is_mip") else ""),
         str(summary.get("message", "") or "")),
        ("Emissions", _mass(summary.get("emissions_t")), "per year"),
        ("Average power price", (_num(summary.get("average_price_per_mwh")) + f" {cur}/MWh")
         if summary.get("average_price_per_mwh") is not None else "—",
         "base-load weighted, all regions"),
        ("IT capacity built", (_num(summary.get("it_mw_built"), 0) + " MW")
         if summary.get("it_mw_built") is not None else "—",
         f"{len(summary.get('sites_built') or [])} site(s): "
         + (", ".join(summary.get("sites_built") or []) or "none")),
        ("Power cost per MWh of compute", (_num(summary.get("power_cost_per_mwh_it"))
                                           + f" {cur}/MWh IT")
         if summary.get("power_cost_per_mwh_it") is not None else "—",
         "site power × local price ÷ IT energy"),
        ("Unserved power", _energy(summary.get("unserved_energy_mwh")), "per year"),
        ("Unserved compute", _energy(summary.get("unserved_compute_mwh")), "IT energy per year"),
        ("Solve time", f"{tim.get('total_s', float('nan')):.1f} s total" if tim else "—",
         f"solver: {(summary.get('solver') or {}).get('algorithm_used', '—')}"),
    ]
    return items


# ---------------------------------------------------------------------------- HTML shell
CSS = """
:root { --fg:#1d2733; --muted:#5f6b78; --line:#dde3ea; --accent:#4a148c; }
* { box-sizing: border-box; }
body { margin:0; font-family: system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
       color:var(--fg); background:#fafbfc; line-height:1.45; }
header { padding:22px 32px 10px; background:white; border-bottom:1px solid var(--line); }
header h1 { margin:0 0 4px; font-size:24px; }
header .sub { color:var(--muted); font-size:14px; }
main { padding:16px 32px 40px; max-width:1500px; margin:0 auto; }
section { background:white; border:1px solid var(--line); border-radius:8px; padding:14px 18px;
          margin:16px 0; }
section h2 { margin:2px 0 10px; font-size:18px; }
.cards { display:grid; grid-template-columns:repeat(auto-fill,minmax(220px,1fr)); gap:10px; }
.card { border:1px solid var(--line); border-radius:8px; padding:10px 12px; background:#fcfdff; }
.card .k { font-size:12px; color:var(--muted); text-transform:uppercase; letter-spacing:.03em; }
.card .v { font-size:19px; font-weight:600; margin:2px 0; }
.card .n { font-size:12px; color:var(--muted); }
.mapwrap { display:grid; grid-template-columns:minmax(0,1fr) 250px; gap:12px; align-items:start; }
@media (max-width: 900px) { .mapwrap { grid-template-columns:1fr; } }
#map { height:640px; border:1px solid var(--line); border-radius:6px; background:#eef3f7; }
.wb-chart { width:100%; min-height:220px; }
.muted { color:var(--muted); font-size:13px; }
.tablewrap { overflow-x:auto; max-height:460px; overflow-y:auto; }
table { border-collapse:collapse; font-size:13px; }
th, td { border-bottom:1px solid var(--line); padding:4px 10px; text-align:left; white-space:nowrap; }
th { position:sticky; top:0; background:#f3f5f8; }
td.num { text-align:right; font-variant-numeric:tabular-nums; }
.legend { background:white; padding:8px 10px; border:1px solid var(--line); border-radius:6px;
          font-size:12px; line-height:1.6; }
.legend .bar { height:12px; border:1px solid #999; margin:3px 0 1px; }
.legend .ticks { display:flex; justify-content:space-between; }
.legend .sym { display:inline-block; width:26px; text-align:center; vertical-align:middle; }
.popup table { font-size:12px; } .popup td, .popup th { padding:1px 6px; border:none; }
.popup h3 { margin:0 0 4px; font-size:14px; }
.wb-region-label { font-size:12px; font-weight:600; color:#222; text-align:center; white-space:nowrap;
                   text-shadow:0 0 3px white,0 0 3px white,0 0 2px white; }
.wb-star { color:#111; font-size:20px; line-height:20px; text-align:center;
           text-shadow:0 0 3px white,0 0 3px white; }
#wb-errors { display:none; white-space:pre-wrap; color:#b00020; border:1px solid #b00020;
             padding:8px; margin:8px 32px; }
select { font-size:14px; padding:3px 6px; }
.grid2 { display:grid; grid-template-columns:repeat(auto-fit,minmax(560px,1fr)); gap:12px; }
.maps img { width:100%; border:1px solid var(--line); border-radius:6px; }
footer { color:var(--muted); font-size:12px; padding:0 32px 30px; }
"""

ERROR_HOOK = """
(function(){
  var errs = [];
  function rec(m){ errs.push(String(m)); var el = document.getElementById('wb-errors');
    if (el) { el.setAttribute('data-count', String(errs.length)); el.textContent = errs.join('\\n');
              el.style.display = 'block'; } }
  window.WB_ERRORS = errs; window.WB_ERR = rec;
  window.addEventListener('error', function(e){
    if (e && e.target && e.target !== window && (e.target.src || e.target.href)) {
      rec('resource failed: ' + (e.target.src || e.target.href)); return; }
    rec('error: ' + (e.message || e) + ' at ' + (e.filename || '') + ':' + (e.lineno || ''));
  }, true);
  window.addEventListener('unhandledrejection', function(e){
    rec('promise: ' + ((e.reason && e.reason.message) || e.reason)); });
  document.addEventListener('DOMContentLoaded', function(){
    var el = document.getElementById('wb-errors');
    if (el && errs.length) { el.setAttribute('data-count', String(errs.length));
      el.textContent = errs.join('\\n'); el.style.display = 'block'; } });
})();
"""

CHART_JS = """
var WB = { config: {responsive: true, displaylogo: false, modeBarButtonsToRemove: ['lasso2d','select2d']},
  done: 0, total: 0,
  mark: function(){ var s = document.getElementById('wb-status');
    if (s) { s.setAttribute('data-charts-rendered', String(WB.done));
             s.setAttribute('data-charts-total', String(WB.total)); } },
  plot: function(id, fig){
    WB.total += 1; WB.mark();
    var div = document.getElementById(id);
    try {
      Plotly.newPlot(div, fig.data, fig.layout, WB.config).then(function(){
        div.setAttribute('data-rendered', '1'); WB.done += 1; WB.mark();
      }, function(err){ WB_ERR('chart ' + id + ': ' + err); });
    } catch (err) { WB_ERR('chart ' + id + ': ' + (err && err.message || err)); }
  }
};
"""

MAP_JS = r"""
(function(){
  var D = WB_MAP, div = document.getElementById('map');
  function fin(v){ return v !== null && v !== undefined && isFinite(v); }
  function f(v, d){ if (v === null || v === undefined || (typeof v === 'number' && !isFinite(v))) return '—';
    return Number(v).toLocaleString('en-US', {maximumFractionDigits: (d === undefined ? 1 : d)}); }
  function en(mwh){ if (mwh === null || !isFinite(mwh)) return '—';
    var a = Math.abs(mwh); if (a >= 1e6) return f(mwh/1e6, 2) + ' TWh';
    if (a >= 1e3) return f(mwh/1e3, 1) + ' GWh'; return f(mwh, 0) + ' MWh'; }
  function esc(s){ return String(s).replace(/[&<>"']/g, function(c){ return {'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]; }); }
  function rows(pairs){ return '<table>' + pairs.map(function(p){ return '<tr><th>' + esc(p[0]) + '</th><td>' + p[1] + '</td></tr>'; }).join('') + '</table>'; }
  var cur = esc(D.currency);
  var map = L.map(div, {zoomSnap: 0.25, preferCanvas: false, worldCopyJump: false});
  if (WB_TILES) { L.tileLayer(WB_TILES.url, {attribution: WB_TILES.attribution, maxZoom: 18, opacity: 0.9}).addTo(map); }
  var regions = L.geoJSON(D.regions, {
    style: function(ft){ return {fillColor: ft.properties.colour, fillOpacity: WB_TILES ? 0.55 : 0.85, color: '#6b6b6b', weight: 0.8}; },
    pointToLayer: function(ft, ll){ return L.circleMarker(ll, {radius: 16}); },
    onEachFeature: function(ft, layer){
      var p = ft.properties, nb = [], ex = [];
      Object.keys(p.new_by_tech).forEach(function(k){ nb.push(esc(k) + ' ' + f(p.new_by_tech[k], 0)); });
      Object.keys(p.existing_by_tech).forEach(function(k){ ex.push(esc(k) + ' ' + f(p.existing_by_tech[k], 0)); });
      layer.bindPopup('<div class="popup"><h3>' + esc(p.name) + ' <span class="muted">(' + esc(p.id) + ')</span></h3>' + rows([
        ['group', esc(p.group || '—')],
        ['average price', p.price === null ? '—' : f(p.price, 2) + ' ' + cur + '/MWh'],
        ['peak base load', f(p.peak_load_mw, 0) + ' MW'],
        ['base load energy', en(p.load_mwh) + '/yr'],
        ['new capacity', f(p.new_mw, 0) + ' MW' + (nb.length ? '<br><span class="muted">' + nb.join(', ') + '</span>' : '')],
        ['existing capacity', f(p.existing_mw, 0) + ' MW' + (ex.length ? '<br><span class="muted">' + ex.join(', ') + '</span>' : '')]
      ]) + '</div>', {maxWidth: 380});
      layer.bindTooltip(esc(p.name) + (p.price === null ? '' : ': ' + f(p.price, 1) + ' ' + cur + '/MWh'), {sticky: true});
    }
  }).addTo(map);
  var names = L.layerGroup();
  if (D.regions.features.length <= 15) {
    D.regions.features.forEach(function(ft){
      var p = ft.properties;
      L.marker([p.lat, p.lon], {interactive: false, keyboard: false,
        icon: L.divIcon({className: 'wb-region-label', html: esc(p.name), iconSize: [140, 16], iconAnchor: [70, 22]})}).addTo(names);
    });
    names.addTo(map);
  }
  var corridors = L.layerGroup();
  var mt = D.max_total_mw || 1;
  D.corridors.forEach(function(c){
    var w = 1.2 + 9 * c.total_mw / mt;
    var pop = '<div class="popup"><h3>' + esc(c.name) + '</h3>' + rows([
      ['from → to', esc(c.from) + ' → ' + esc(c.to)],
      ['existing', f(c.existing_mw, 0) + ' MW'], ['new', '<b>' + f(c.new_mw, 0) + ' MW</b>'],
      ['total', f(c.total_mw, 0) + ' MW'], ['length', f(c.length_km, 0) + ' km'],
      ['flow ' + esc(c.from) + ' → ' + esc(c.to), en(c.fwd_mwh) + '/yr'],
      ['flow ' + esc(c.to) + ' → ' + esc(c.from), en(c.bwd_mwh) + '/yr'],
      ['peak flow', f(c.max_flow_mw, 0) + ' MW' + (c.utilisation === null ? '' : ' (' + f(100 * c.utilisation, 0) + ' % of capacity)')]
    ]) + '</div>';
    L.polyline(c.latlngs, {color: '#3c3c3c', weight: w, opacity: 0.85, lineCap: 'round'}).bindPopup(pop).addTo(corridors);
    if (c.new_mw > 1e-3 * mt) {
      L.polyline(c.latlngs, {color: '#0097a7', weight: Math.max(9 * c.new_mw / mt, 2), opacity: 1, lineCap: 'round'}).bindPopup(pop).addTo(corridors);
    }
  });
  corridors.addTo(map);
  var sites = L.layerGroup(), mi = D.max_it_mw || 1;
  D.sites.forEach(function(s){
    var built = s.built && s.it_mw > 0;
    var r = built ? 5 + 17 * Math.sqrt(s.it_mw / mi) : 5;
    var sv = s.served.map(function(a){ return esc(a['class']) + ' from ' + esc(D.centre_names[a.centre] || a.centre) + ': ' + en(a.mwh) + ', ' + f(a.latency_ms, 1) + ' ms'; });
    var os = Object.keys(s.onsite).map(function(k){ return esc(k) + ' ' + f(s.onsite[k][0], 0) + ' + ' + f(s.onsite[k][1], 0) + ' new MW'; });
    var pop = '<div class="popup"><h3>' + esc(s.name) + ' <span class="muted">(' + esc(s.id) + ')</span></h3>' + rows([
      ['status', built ? '<b>built</b>' : 'not built'], ['host region', esc(s.region)], ['group', esc(s.group || '—')],
      ['IT capacity', f(s.it_mw, 0) + ' MW' + (fin(s.max_it_mw) ? ' (max ' + f(s.max_it_mw, 0) + ')' : ' (no maximum)')],
      ['capex', f(s.capex_per_kw_it, 0) + ' ' + cur + '/kW IT + ' + f(s.fixed_cost / 1e6, 1) + ' M' + cur + ' per site'],
      ['PUE (mean)', f(s.pue, 3)], ['idle share', f(s.idle_share, 2)],
      ['grid connection', fin(s.grid_limit_mw) ? f(s.grid_limit_mw, 0) + ' MW' : 'unlimited'],
      ['utilisation', f(100 * s.utilisation, 0) + ' %'],
      ['IT energy', en(s.it_mwh) + '/yr'], ['site power', en(s.power_mwh) + '/yr, peak ' + f(s.peak_power_mw, 0) + ' MW'],
      ['cost of power', f(s.power_cost_per_mwh_it, 2) + ' ' + cur + '/MWh IT'],
      ['served', sv.length ? sv.join('<br>') : '—'],
      ['on-site resources', os.length ? os.join('<br>') : '—']
    ]) + '</div>';
    L.circleMarker([s.lat, s.lon], {radius: r, color: built ? '#ffffff' : '#4a148c', weight: built ? 1.2 : 2,
      fillColor: built ? '#4a148c' : '#ffffff', fillOpacity: built ? 0.85 : 0.9})
      .bindPopup(pop, {maxWidth: 420}).bindTooltip(esc(s.name) + (built ? ': ' + f(s.it_mw, 0) + ' MW IT' : ' (not built)')).addTo(sites);
  });
  sites.addTo(map);
  var centres = L.layerGroup();
  D.centres.forEach(function(c){
    var dm = Object.keys(c.demand).map(function(k){ return esc(k) + ' ' + f(c.demand[k], 0) + ' MW IT'; });
    var sv = c.served.map(function(a){ return esc(a['class']) + ' at ' + esc(D.site_names[a.site] || a.site) + ': ' + en(a.mwh) + ', ' + f(a.latency_ms, 1) + ' ms'; });
    var pop = '<div class="popup"><h3>' + esc(c.name) + ' <span class="muted">(demand centre)</span></h3>' + rows([
      ['demand (average)', dm.length ? dm.join('<br>') : '—'], ['served at', sv.length ? sv.join('<br>') : '—'],
      ['not served', en(c.unserved_mwh) + '/yr']]) + '</div>';
    L.marker([c.lat, c.lon], {icon: L.divIcon({className: 'wb-star', html: '&#9733;', iconSize: [20, 20], iconAnchor: [10, 10]}), keyboard: false})
      .bindPopup(pop, {maxWidth: 420}).bindTooltip(esc(c.name)).addTo(centres);
  });
  centres.addTo(map);
  var overlays = {'Regions (average price)': regions};
  if (D.regions.features.length <= 15) { overlays['Region names'] = names; }
  overlays['Corridors'] = corridors; overlays['Data-centre sites'] = sites; overlays['Demand centres'] = centres;
  L.control.layers(null, overlays, {collapsed: false}).addTo(map);
  L.control.scale({metric: true, imperial: false, maxWidth: 160}).addTo(map);
  (function(){
    var el = document.getElementById('map-legend'), h = '';
    if (D.scale) {
      h += '<b>' + esc(D.scale.label) + '</b><div class="bar" style="background:linear-gradient(to right,' + D.scale.stops.join(',') + ')"></div>' +
           '<div class="ticks"><span>' + (D.scale.extend === 'min' || D.scale.extend === 'both' ? '≤ ' : '') + f(D.scale.min, 1) + '</span><span>' +
           (D.scale.extend === 'max' || D.scale.extend === 'both' ? '≥ ' : '') + f(D.scale.max, 1) + '</span></div>';
    }
    h += '<div><span class="sym" style="color:#3c3c3c">━━</span> corridor (width ∝ total MW, max ' + f(D.max_total_mw, 0) + ')</div>' +
         '<div><span class="sym" style="color:#0097a7">━━</span> new corridor capacity</div>' +
         '<div><span class="sym" style="color:#4a148c">●</span> built site (size ∝ IT MW' + (D.max_it_mw > 0 ? ', max ' + f(D.max_it_mw, 0) : '; none built') + ')</div>' +
         '<div><span class="sym" style="color:#4a148c">○</span> candidate site, not built</div>' +
         '<div><span class="sym">★</span> demand centre</div>';
    h += '<div class="muted" style="margin-top:6px">Click any feature for its numbers.</div>';
    if (el) { el.innerHTML = h; }
  })();
  var bounds = regions.getBounds();
  sites.eachLayer(function(l){ bounds.extend(l.getLatLng()); });
  centres.eachLayer(function(l){ bounds.extend(l.getLatLng()); });
  if (bounds.isValid()) { map.fitBounds(bounds.pad(0.03), {paddingTopRight: [200, 10], paddingBottomLeft: [10, 30]}); }
  else { map.setView([0, 0], 2); }
  map.whenReady(function(){ div.setAttribute('data-rendered', '1'); });
  window.WB_LEAFLET_MAP = map;
})();
"""

DISPATCH_JS = """
(function(){
  var sel = document.getElementById('dispatch-area');
  function show(id){
    var fig = WB_DISPATCH.figs[id];
    fig.data.forEach(function(t){ t.x = WB_DISPATCH.x; });
    var div = document.getElementById('chart-dispatch');
    if (div.getAttribute('data-rendered')) { Plotly.react(div, fig.data, fig.layout, WB.config); }
    else { WB.plot('chart-dispatch', fig); }
  }
  if (sel) { sel.addEventListener('change', function(){ show(sel.value); }); }
  show(WB_DISPATCH.default);
})();
"""


def _page(title: str, subtitle: str, body: str, *, leaflet: tuple[str, str] | None,
          scripts: str) -> str:
    css_leaflet = f"<style>{leaflet[1]}</style>" if leaflet else ""
    js_leaflet = f"<script>{leaflet[0]}</script>" if leaflet else ""
    stamp = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{_esc(title)}</title>"
        f"<script>{ERROR_HOOK}</script>"
        f"<style>{CSS}</style>{css_leaflet}</head><body>"
        f"<header><h1>{_esc(title)}</h1><div class='sub'>{subtitle}</div></header>"
        "<div id='wb-errors' data-count='0'></div>"
        "<div id='wb-status' data-charts-rendered='0' data-charts-total='0'></div>"
        f"<main>{body}</main>"
        f"<footer>Written by WattBit on {stamp}. Self-contained: Leaflet (BSD-2-Clause) and "
        "plotly.js (MIT) are embedded; the numbers behind every chart are in the run "
        "folder's CSV files.</footer>"
        f"{js_leaflet}<script>{plotly_js()}</script><script>{CHART_JS}</script>"
        f"{scripts}</body></html>"
    )


def _safe(builder, title: str, *args):
    """Run a chart builder; a failure becomes a visible placeholder, never a lost report."""
    try:
        return builder(*args)
    except Exception as exc:  # noqa: BLE001 - a report must not fail the run
        warnings.warn(f"report: could not draw '{title}': {exc!r}", RuntimeWarning,
                      stacklevel=2)
        return _empty_fig(title, f"could not draw this chart: {exc}")


def _subtitle(case, summary: dict) -> str:
    scen = list(getattr(case, "scenario_names", None) or summary.get("scenarios") or [])
    parts = [f"scenarios: {_esc(', '.join(scen)) if scen else 'none (base case)'}",
             f"status: <b>{_esc(summary.get('status', '—'))}</b>",
             f"{(summary.get('size') or {}).get('time_steps', case.n_steps)} time steps",
             f"currency {_esc(case.currency)}"]
    return " · ".join(parts)


def render_report_html(case, tables: dict[str, pd.DataFrame], summary: dict,
                       tiles: bool = False) -> str:
    """The interactive report as one HTML string (see :func:`write_report_html`)."""
    tables = tables or {}
    summary = summary or {}
    case = maps.case_for_run(case, tables, summary)
    leaflet = leaflet_assets()
    cur = case.currency
    parts = []
    cards = "".join(f"<div class='card'><div class='k'>{_esc(k)}</div><div class='v'>{_esc(v)}"
                    f"</div><div class='n'>{_esc(n)}</div></div>"
                    for k, v, n in _key_figures(case, summary))
    desc = str(case.config.get("description", "") or "").strip()
    parts.append("<section id='key-figures'><h2>Key figures</h2>"
                 + (f"<p class='muted'>{_esc(desc)}</p>" if desc else "")
                 + f"<div class='cards'>{cards}</div></section>")
    scripts = []
    if leaflet:
        mdata = map_data(case, tables, summary)
        parts.append(
            "<section id='map-section'><h2>Map</h2><p class='muted'>Click a region, corridor, "
            "site or demand centre for its numbers; switch layers at the top right. "
            + ("Base map © OpenStreetMap contributors (needs a network connection). "
               if tiles else "Region outlines are the base layer (no tile server needed). ")
            + "</p><div class='mapwrap'><div id='map' class='wb-map'></div>"
            "<div id='map-legend' class='legend'></div></div></section>")
        tiles_js = _json({"url": OSM_TILES, "attribution": OSM_ATTRIBUTION}) if tiles else "null"
        scripts.append(f"<script>var WB_MAP = {_json(mdata)}; var WB_TILES = {tiles_js};"
                       f"</script><script>{MAP_JS}</script>")
    else:
        png = base64.b64encode(maps.render_map_png(case, tables, summary, dpi=110)).decode()
        parts.append(
            "<section id='map-section'><h2>Map</h2><p class='muted'>Static map: Leaflet is "
            "not installed (<code>pip install django-js-lib-leaflet</code> gives the "
            "interactive map).</p><div id='map' class='wb-map' data-rendered='1'>"
            f"<img alt='map' style='width:100%' src='data:image/png;base64,{png}'></div>"
            "</section>")

    charts: list[tuple[str, str, dict, str]] = [
        ("chart-costs", "Costs", _safe(chart_costs, "costs", case, summary),
         f"Per year, in {cur}. Dark blue: annualised capital; light blue: fixed O&M; amber: "
         "operating costs; red: penalties for unserved power or compute; grey: fixed O&M of "
         "existing assets, shown but not part of the objective."),
        ("chart-capacity", "Capacity", _safe(chart_capacity, "capacity", case, tables),
         "Generation and storage power by node; sites are nodes of their own."),
    ]
    dispatch = None
    try:
        dispatch = chart_dispatch(case, tables)
    except Exception as exc:  # noqa: BLE001
        warnings.warn(f"report: could not draw the dispatch chart: {exc!r}", RuntimeWarning,
                      stacklevel=2)
    for cid, name, fig, note in charts:
        parts.append(f"<section><h2>{_esc(name)}</h2><p class='muted'>{_esc(note)}</p>"
                     f"<div id='{cid}' class='wb-chart'></div></section>")
        scripts.append(f"<script>WB.plot('{cid}', {_json(fig)});</script>")
    if dispatch is not None:
        meta, figs = dispatch
        opts = "".join(f"<option value='{_esc(i)}'{' selected' if i == meta['default'] else ''}>"
                       f"{_esc(n)}</option>" for i, n in meta["options"])
        om = meta["omitted"]
        omitted = (f" To keep the file small, {len(om)} region(s) with less load are not in "
                   f"the menu ({_esc(', '.join(om[:5]))}{', …' if len(om) > 5 else ''}): "
                   "see dispatch.csv." if om else "")
        parts.append(
            "<section><h2>Dispatch</h2><p class='muted'>Hourly balance of a region together "
            "with the data-centre sites it hosts: generation, storage, net imports over "
            "corridors (after losses) and unserved power above zero; charging and exports "
            "below. Lines: base load, and base load plus data-centre power. Region: "
            f"<select id='dispatch-area'>{opts}</select>{omitted}</p>"
            "<div id='chart-dispatch' class='wb-chart'></div></section>")
        payload = _json({"x": meta["x"], "figs": figs, "default": meta["default"]})
        scripts.append(f"<script>var WB_DISPATCH = {payload};</script>"
                       f"<script>{DISPATCH_JS}</script>")
    else:
        fig = _empty_fig("Hourly dispatch", "no dispatch in this run")
        parts.append("<section><h2>Dispatch</h2><div id='chart-dispatch' class='wb-chart'>"
                     "</div></section>")
        scripts.append(f"<script>WB.plot('chart-dispatch', {_json(fig)});</script>")
    more = [
        ("chart-soc", "Storage", _safe(chart_soc, "storage", case, tables),
         "State of charge at the end of each hour."),
        ("chart-prices", "Prices", _safe(chart_price_duration, "prices", case, tables),
         f"Marginal price of power ({cur}/MWh) from the LP with integer decisions fixed; each "
         "step counts for the hours it represents."),
        ("chart-sankey", "Compute", _safe(chart_sankey, "compute", case, tables),
         "Which sites serve each demand centre's work, per year; hover a link for its class "
         "and round-trip latency."),
    ]
    for cid, name, fig, note in more:
        parts.append(f"<section><h2>{_esc(name)}</h2><p class='muted'>{_esc(note)}</p>"
                     f"<div id='{cid}' class='wb-chart'></div></section>")
        scripts.append(f"<script>WB.plot('{cid}', {_json(fig)});</script>")

    # tables
    s = tables.get("sites")
    if s is not None and len(s):
        cols = [c for c in ("site", "name", "region", "group", "built", "it_mw", "utilisation",
                            "pue_mean", "it_energy_mwh_per_year", "power_mwh_per_year",
                            "peak_power_mw", "power_cost_per_mwh_it") if c in s]
        st = s[cols].sort_values(["built", "it_mw"], ascending=False) if "built" in s else s
        parts.append("<section><h2>Sites</h2>" + _table(st, {
            "it_mw": "{:,.0f}", "utilisation": "{:.0%}", "pue_mean": "{:.3f}",
            "it_energy_mwh_per_year": "{:,.0f}", "power_mwh_per_year": "{:,.0f}",
            "peak_power_mw": "{:,.1f}", "power_cost_per_mwh_it": "{:,.2f}"}, cur=cur)
            + "</section>")
    a = tables.get("assignment")
    if a is not None and len(a):
        parts.append("<section><h2>Compute assignment</h2>" + _table(
            a.sort_values("mwh", ascending=False),
            {"mwh": "{:,.0f}", "latency_ms": "{:.1f}", "peak_mw": "{:,.1f}"}) + "</section>")
    c = tables.get("corridors")
    if c is not None and len(c):
        cols = [x for x in ("name", "from", "to", "existing_mw", "new_mw", "total_mw",
                            "length_km", "max_abs_flow_mw") if x in c]
        parts.append("<section><h2>Corridors</h2>" + _table(
            c[cols].sort_values("new_mw", ascending=False),
            {k: "{:,.0f}" for k in cols if k not in ("name", "from", "to")}) + "</section>")
    return _page(str(case.name), _subtitle(case, summary), "".join(parts), leaflet=leaflet,
                 scripts="".join(scripts))


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


# ------------------------------------------------------------------------- comparison
def _site_region(case) -> dict:
    return case.sites["region"].astype(str).to_dict() if len(case.sites) else {}


def comparison_frame(runs) -> pd.DataFrame:
    """Key figures of each run (rows = runs, index = label)."""
    rows = []
    for label, case, tables, summary in runs:
        cap = _capacity(tables)
        gen = cap[cap["kind"] == "generator"]
        sto = cap[cap["kind"] == "storage"]
        cor = tables.get("corridors")
        new_tx = float(cor["new_mw"].sum()) if cor is not None and len(cor) else 0.0
        new_tx_km = (float((cor["new_mw"] * cor["length_km"]).sum())
                     if cor is not None and len(cor) and "length_km" in cor else 0.0)
        costs = summary.get("costs") or {}
        st = tables.get("sites")
        it_e = summary.get("it_energy_mwh")
        dc_cost = None
        if st is not None and len(st) and it_e:
            power = float(st["power_cost_per_year"].sum()) if "power_cost_per_year" in st \
                else np.nan
            dc_cost = (float(costs.get("capex_datacentres", 0.0) or 0.0)
                       + float(costs.get("fixed_om_datacentres", 0.0) or 0.0) + power) / it_e
        rows.append({
            "run": label,
            "status": summary.get("status"),
            "objective": summary.get("objective"),
            "sites_built": len(summary.get("sites_built") or []),
            "it_mw_built": summary.get("it_mw_built"),
            "new_generation_mw": float(gen["new_mw"].sum()),
            "new_storage_mw": float(sto["new_mw"].sum()),
            "new_storage_mwh": float(sto["new_mwh"].fillna(0).sum()) if len(sto) else 0.0,
            "new_transmission_mw": new_tx,
            "new_transmission_mw_km": new_tx_km,
            "emissions_t": summary.get("emissions_t"),
            "average_price_per_mwh": summary.get("average_price_per_mwh"),
            "power_cost_per_mwh_it": summary.get("power_cost_per_mwh_it"),
            "dc_cost_per_mwh_it": dc_cost,
            "unserved_compute_mwh": summary.get("unserved_compute_mwh"),
            "unserved_energy_mwh": summary.get("unserved_energy_mwh"),
            "capex_datacentres": costs.get("capex_datacentres"),
            "currency": case.currency,
        })
    return pd.DataFrame(rows).set_index("run")


def _cmp_costs(runs) -> dict:
    labels = [r[0] for r in runs]
    comps: dict[str, list] = {}
    for i, (_, _, _, s) in enumerate(runs):
        for k, v in (s.get("costs") or {}).items():
            if "not in objective" in k:
                continue
            comps.setdefault(k, [0.0] * len(runs))[i] = float(v or 0.0)
    cur = runs[0][1].currency
    comps = {k: v for k, v in comps.items() if any(abs(x) > 1e-6 for x in v)}
    if not comps:
        return _empty_fig("Annual cost by component", "no costs")
    big = max(sum(abs(x) for x in col) for col in zip(*comps.values(), strict=True)) >= 5e9
    scale, unit = (1e9, f"bn {cur}/yr") if big else (1e6, f"M {cur}/yr")
    data = []
    for i, (k, v) in enumerate(sorted(comps.items())):
        colour = "#d62728" if k.startswith("unserved") else QUALITATIVE[i % len(QUALITATIVE)]
        data.append({"type": "bar", "name": k.replace("_", " "), "x": labels,
                     "y": [x / scale for x in v], "marker": {"color": colour},
                     "hovertemplate": k.replace("_", " ") + ": %{y:,.2f} " + unit
                     + "<extra>%{x}</extra>"})
    return _fig(data, _layout("Annual cost by component (objective)", barmode="stack",
                              yaxis=dict(title=dict(text=unit)), height=460))


def _cmp_sites(runs) -> dict:
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
        return _empty_fig("IT capacity built by site", "no sites built in any run")
    data = [{"type": "bar", "name": names[sid], "x": labels, "y": v,
             "marker": {"color": QUALITATIVE[i % len(QUALITATIVE)]},
             "hovertemplate": names[sid] + ": %{y:,.0f} MW IT<extra>%{x}</extra>"}
            for i, (sid, v) in enumerate(sorted(per.items(), key=lambda kv: -sum(kv[1])))]
    return _fig(data, _layout("IT capacity built by site", barmode="stack",
                              yaxis=dict(title=dict(text="MW IT")), height=440))


def _cmp_compute(runs) -> dict:
    """IT energy served, by host region of the serving site, per run and workload class."""
    xs_run, xs_cls, recs = [], [], {}
    for label, case, tables, _ in runs:
        a = tables.get("assignment")
        if a is None or not len(a):
            continue
        reg = _site_region(case)
        a = a.assign(region=a["site"].astype(str).map(reg).fillna("?"))
        for cls, g in a.groupby("class", sort=True):
            xs_run.append(label)
            xs_cls.append(str(cls))
            for r, v in g.groupby("region")["mwh"].sum().items():
                recs.setdefault(r, {})[(label, str(cls))] = float(v)
    if not recs:
        return _empty_fig("Compute served by region and class", "no compute served")
    total = sum(sum(d.values()) for d in recs.values())
    scale, unit = (1e6, "TWh") if total >= 5e6 else (1e3, "GWh")
    first_case = runs[0][1]
    rname = {str(k): str(v) for k, v in first_case.regions["name"].items()}
    data = []
    for i, (r, d) in enumerate(sorted(recs.items(), key=lambda kv: -sum(kv[1].values()))):
        data.append({"type": "bar", "name": rname.get(r, r), "x": [xs_run, xs_cls],
                     "y": [d.get((a, b), 0.0) / scale for a, b in zip(xs_run, xs_cls,
                                                                      strict=True)],
                     "marker": {"color": QUALITATIVE[i % len(QUALITATIVE)]},
                     "hovertemplate": rname.get(r, r) + ": %{y:,.2f} " + unit
                     + "<extra>%{x}</extra>"})
    return _fig(data, _layout("Compute served, by region of the serving site and workload class",
                              barmode="stack", height=480,
                              yaxis=dict(title=dict(text=f"IT energy ({unit}/yr)"))))


def _cmp_build(runs, frame: pd.DataFrame) -> dict:
    """New capacity per run: generation by technology, storage power by technology (both
    stacked) and transmission, in three panels sharing a unit."""
    labels = [r[0] for r in runs]
    by: dict[str, dict[str, list]] = {"generator": {}, "storage": {}}
    for i, (_, _case, tables, _) in enumerate(runs):
        cap = _capacity(tables)
        for kind in by:
            part = cap[cap["kind"] == kind].groupby("tech")["new_mw"].sum()
            for t, v in part.items():
                by[kind].setdefault(str(t), [0.0] * len(runs))[i] = float(v)
    tx = frame["new_transmission_mw"].fillna(0).astype(float).tolist()
    peak = max([sum(col) for d in by.values() for col in zip(*d.values(), strict=True)]
               + tx + [0.0]) if any(by.values()) else max(tx + [0.0])
    scale, unit = (1000.0, "GW") if peak >= 5000 else (1.0, "MW")
    col = tech_colours(list(by["generator"]) + list(by["storage"]))
    data = []
    panels = [("new generation", "", by["generator"]), ("new storage power", "2", by["storage"]),
              ("new transmission", "3", {"transmission": tx})]
    layout = _layout("New generation, storage and transmission capacity", barmode="stack",
                     height=440, margin=dict(l=60, r=30, t=100, b=60))
    for i, (name, ax, series) in enumerate(panels):
        for t, v in series.items():
            if not any(abs(x) > 1e-6 for x in v):
                continue
            colour = "#0097a7" if t == "transmission" else col.get(t, "#888888")
            data.append({"type": "bar", "name": t, "x": labels, "y": [x / scale for x in v],
                         "xaxis": f"x{ax}", "yaxis": f"y{ax}", "marker": {"color": colour},
                         "legendgroup": name, "hovertemplate": f"{name}, {t}: %{{y:,.2f}} "
                         + unit + "<extra>%{x}</extra>"})
        lo, hi = i / 3 + 0.035, (i + 1) / 3 - 0.035
        layout[f"xaxis{ax}"] = dict(domain=[lo, hi], anchor=f"y{ax}")
        layout[f"yaxis{ax}"] = dict(anchor=f"x{ax}", title=dict(text=unit), rangemode="tozero")
        layout.setdefault("annotations", []).append(dict(
            text=f"<b>{name}</b>", x=(lo + hi) / 2, y=1.04, xref="paper", yref="paper",
            showarrow=False, xanchor="center", yanchor="bottom"))
    return _fig(data, layout)


def _cmp_metrics(frame: pd.DataFrame, cur: str) -> dict:
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
    data, layout = [], _layout("Emissions, prices and the cost of compute", height=440,
                               showlegend=False, margin=dict(l=60, r=30, t=100, b=60))
    for i, (name, y, unit, col) in enumerate(panels):
        ax = "" if i == 0 else str(i + 1)
        data.append({"type": "bar", "x": labels, "y": y, "name": name, "xaxis": f"x{ax}",
                     "yaxis": f"y{ax}", "marker": {"color": col},
                     "text": [("—" if v is None or not np.isfinite(v) else f"{v:,.1f}")
                              for v in y], "textposition": "outside", "cliponaxis": False,
                     "hovertemplate": name + ": %{y:,.2f} " + unit + "<extra>%{x}</extra>"})
        k = len(panels)
        lo, hi = i / k + 0.035, (i + 1) / k - 0.035
        layout[f"xaxis{ax}"] = dict(domain=[lo, hi], anchor=f"y{ax}")
        layout[f"yaxis{ax}"] = dict(anchor=f"x{ax}", title=dict(text=unit), rangemode="tozero")
        layout.setdefault("annotations", []).append(dict(
            text=f"<b>{name}</b>", x=(lo + hi) / 2, y=1.04, xref="paper", yref="paper",
            showarrow=False, xanchor="center", yanchor="bottom"))
    return _fig(data, layout)


def render_comparison_html(runs, small_maps: bool = True) -> str:
    """Side-by-side comparison of several runs, as one HTML string."""
    if not runs:
        raise ValueError("write_comparison_html needs at least one run")
    runs = [(str(lbl), maps.case_for_run(c, t or {}, s or {}), t or {}, s or {})
            for lbl, c, t, s in runs]
    cur = runs[0][1].currency
    frame = comparison_frame(runs)
    base = runs[0][0]
    parts = []
    rows_def = [
        ("status", "status", None), ("objective", f"objective (M {cur}/yr)", 1e-6),
        ("sites_built", "sites built", None), ("it_mw_built", "IT built (MW)", 1.0),
        ("new_generation_mw", "new generation (MW)", 1.0),
        ("new_storage_mw", "new storage (MW)", 1.0), ("new_storage_mwh", "new storage (MWh)", 1.0),
        ("new_transmission_mw", "new transmission (MW)", 1.0),
        ("new_transmission_mw_km", "new transmission (GW·km)", 1e-3),
        ("emissions_t", "emissions (kt CO₂/yr)", 1e-3),
        ("average_price_per_mwh", f"average power price ({cur}/MWh)", 1.0),
        ("power_cost_per_mwh_it", f"power cost per MWh compute ({cur}/MWh IT)", 1.0),
        ("dc_cost_per_mwh_it", f"data-centre capital + O&M + power per MWh compute ({cur}/MWh IT)",
         1.0),
        ("unserved_compute_mwh", "unserved compute (MWh/yr)", 1.0),
        ("unserved_energy_mwh", "unserved power (MWh/yr)", 1.0),
    ]
    head = "<th>figure</th>" + "".join(f"<th>{_esc(r)}</th>" for r in frame.index)
    if len(frame) > 1:
        head += "".join(f"<th>Δ {_esc(r)} vs {_esc(base)}</th>" for r in frame.index[1:])
    body = []
    for col, name, scale in rows_def:
        vals = frame[col].tolist()
        cells = []
        for v in vals:
            if scale is None or v is None or (isinstance(v, float) and not np.isfinite(v)):
                cells.append(f"<td>{_esc('—' if v is None else v)}</td>")
            else:
                cells.append(f"<td class='num'>{float(v) * scale:,.1f}</td>")
        if len(frame) > 1:
            b = vals[0]
            for v in vals[1:]:
                if scale is None or v is None or b is None or not np.isfinite(float(v)) \
                        or not np.isfinite(float(b)):
                    cells.append("<td></td>")
                else:
                    d = (float(v) - float(b)) * scale
                    pct = f" ({100 * (float(v) - float(b)) / abs(float(b)):+.1f} %)" if float(
                        b) else ""
                    cells.append(f"<td class='num'>{d:+,.1f}{pct}</td>")
        body.append(f"<tr><th>{_esc(name)}</th>{''.join(cells)}</tr>")
    parts.append("<section id='key-figures'><h2>Key figures</h2><div class='tablewrap'><table>"
                 f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
                 "</section>")
    charts = [
        ("chart-cmp-costs", _safe(_cmp_costs, "costs", runs)),
        ("chart-cmp-sites", _safe(_cmp_sites, "sites", runs)),
        ("chart-cmp-compute", _safe(_cmp_compute, "compute", runs)),
        ("chart-cmp-build", _safe(_cmp_build, "build", runs, frame)),
        ("chart-cmp-metrics", _safe(_cmp_metrics, "metrics", frame, cur)),
    ]
    scripts = []
    for cid, fig in charts:
        parts.append(f"<section><div id='{cid}' class='wb-chart'></div></section>")
        scripts.append(f"<script>WB.plot('{cid}', {_json(fig)});</script>")
    # sites built matrix
    site_rows: dict[str, dict] = {}
    for label, _case, tables, _ in runs:
        s = tables.get("sites")
        if s is None or not len(s):
            continue
        for _, r in s.iterrows():
            d = site_rows.setdefault(str(r["site"]), {"site": str(r["site"]),
                                                      "region": str(r.get("region", ""))})
            d[label] = float(r["it_mw"]) if int(r.get("built", 0)) else 0.0
    if site_rows:
        df = pd.DataFrame(list(site_rows.values()))
        df = df[df[[r[0] for r in runs if r[0] in df]].sum(axis=1) > 0] if len(df) else df
        parts.append("<section><h2>Sites built (MW IT; 0 = not built)</h2>"
                     + _table(df, {r[0]: "{:,.0f}" for r in runs}) + "</section>")
    if small_maps:
        imgs = []
        for label, case, tables, summary in runs:
            try:
                png = maps.render_map_png(case, tables, summary, dpi=110, compact=True,
                                          title=label, width_in=9.0)
                imgs.append(f"<figure><img alt='map {_esc(label)}' src='data:image/png;base64,"
                            f"{base64.b64encode(png).decode()}'><figcaption class='muted'>"
                            f"{_esc(label)}</figcaption></figure>")
            except Exception as exc:  # noqa: BLE001
                warnings.warn(f"comparison: no map for {label}: {exc!r}", RuntimeWarning,
                              stacklevel=2)
        if imgs:
            parts.append("<section><h2>Maps</h2><p class='muted'>Colour scales are set per "
                         "run; compare the numbers in the key-figure table.</p>"
                         f"<div class='grid2 maps'>{''.join(imgs)}</div></section>")
    names = ", ".join(r[0] for r in runs)
    sub = f"{len(runs)} runs: {_esc(names)} · differences against <b>{_esc(base)}</b>"
    case_name = runs[0][1].name
    return _page(f"Scenario comparison — {case_name}", sub, "".join(parts), leaflet=None,
                 scripts="".join(scripts))


def write_comparison_html(runs: list[tuple], path, small_maps: bool = True) -> Path:
    """Write a side-by-side comparison of runs to ``path``.

    ``runs`` is a list of ``(label, case, tables, summary)``; the first run is the baseline
    for the differences column. Returns the path.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = render_comparison_html(runs, small_maps=small_maps)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


__all__ = ["write_report_html", "render_report_html", "write_comparison_html",
           "render_comparison_html", "read_run", "leaflet_assets", "comparison_frame",
           "map_data"]
