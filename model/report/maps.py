"""Static map of a run (``map.png``): regions, corridors, data-centre sites, demand centres.

The map is drawn with matplotlib's object API (``Figure`` + Agg canvas, never ``pyplot``) and
geopandas, so it needs no display and no network. Layers, bottom to top:

* regions shaded by their load-weighted average power price (``prices.csv`` weighted by the
  base load of ``load.csv`` and the time-step weights); without prices, by new generation and
  storage capacity; point regions are drawn as discs;
* corridors as straight lines between node locations, width proportional to total capacity,
  with a coloured core proportional to the capacity added by the run;
* candidate sites: built sites filled, area proportional to IT MW; unbuilt sites hollow;
  dashed grid connections from built sites to their host region's node;
* demand centres as stars;
* a legend, a colour bar with units, a scale bar in km that is true at its own latitude
  (measured on the ellipsoid with :class:`pyproj.Geod`), a north arrow and a caption naming
  the case, its scenarios and, if ``case.yaml`` says so (``map_caption_note`` or
  ``options.map_caption_note``), how the regions were derived.

The map is drawn in a Lambert azimuthal equal-area projection centred on the case.

Public helpers used by :mod:`model.report`: :func:`region_prices`, :func:`new_capacity_by_node`,
:func:`node_locations`, :func:`step_weights`.
"""

from __future__ import annotations

import io
import math
import re
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib import patheffects as pe
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from pyproj import Geod, Transformer

# colours (checked for contrast against the YlOrRd region shading)
EXISTING_LINE = "#3c3c3c"
NEW_LINE = "#0097a7"
SITE_COLOUR = "#4a148c"
CENTRE_COLOUR = "#111111"
NO_DATA = "#d9d9d9"
HALO = [pe.withStroke(linewidth=2.6, foreground="white")]
MAX_SITE_LABELS = 15  # the largest built sites are named on the map
MAX_CENTRE_LABELS = 12  # the demand centres with the most compute demand are named
# a region's name goes above its node, else below, right or left of it
REGION_LABEL_PLACES = [((0, 4), "center", "bottom"), ((0, -4), "center", "top"),
                       ((5, 0), "left", "center"), ((-5, 0), "right", "center")]

_GEOD = Geod(ellps="WGS84")


def _cmap(name: str):
    """The named colour map without its darkest end (labels and markers stay readable)."""
    from matplotlib.colors import LinearSegmentedColormap

    base = colormaps[name]
    return LinearSegmentedColormap.from_list(f"{name}_light", base(np.linspace(0.04, 0.72, 256)))


# --------------------------------------------------------------------------- data helpers
def step_weights(case, n: int) -> np.ndarray:
    """Hours represented by each of ``n`` steps (the case's weights when lengths agree)."""
    w = np.asarray(getattr(case, "weights", np.ones(n)), dtype=float)
    return w if len(w) == n else np.full(n, 8760.0 / max(n, 1))


def case_for_run(case, tables: dict, summary: dict):
    """The case as the run saw it: when the run used representative days but ``case`` is the
    full-time case (e.g. loaded again from its folder), reduce it the same way (tsam is
    deterministic), so that time weights and base load match the run's tables. Returns
    ``case`` unchanged when lengths already agree or the reduction cannot be redone."""
    n = _run_steps(tables)
    red = (summary or {}).get("time_reduction")
    if n is None or n == getattr(case, "n_steps", n) or not red or not red.get("days"):
        return case
    try:
        from model.inputs.timeseries import reduce_case

        reduced = reduce_case(case, int(red["days"]), red.get("segments"))
    except Exception:  # noqa: BLE001 - fall back to equal weights
        return case
    return reduced if reduced.n_steps == n else case


def _run_steps(tables: dict) -> int | None:
    for key in ("dispatch", "load"):
        t = tables.get(key) if tables else None
        if t is not None and len(t):
            return len(t)
    p = tables.get("prices") if tables else None
    if p is not None and len(p):
        return int(p.groupby("node").size().max())
    return None


def run_load(case, tables: dict, n: int) -> pd.DataFrame:
    """Base load (MW) by region for the run's ``n`` steps: the run's ``load`` table, else the
    case's when its length matches, else zeros."""
    regions = list(case.regions.index)
    t = tables.get("load") if tables else None
    if t is not None and len(t) == n:
        return t.drop(columns=["time"], errors="ignore").reindex(columns=regions).fillna(0.0)
    if len(case.load) == n:
        return case.load.reindex(columns=regions).fillna(0.0)
    return pd.DataFrame(0.0, index=range(n), columns=regions)


def node_locations(case) -> pd.DataFrame:
    """lon/lat of every node (regions, then sites), index = node id."""
    return case.nodes[["lon", "lat"]].astype(float)


def _price_matrix(case, tables: dict) -> pd.DataFrame | None:
    """Prices as time step × node (case time order), or None when the run has no prices."""
    prices = tables.get("prices")
    if prices is None or not len(prices) or "price_per_mwh" not in prices:
        return None
    p = prices.assign(time=prices["time"].astype(str))
    pm = p.pivot_table(index="time", columns="node", values="price_per_mwh", aggfunc="mean",
                       sort=False)
    order = [str(t) for t in case.time]
    if set(order) <= set(pm.index):
        pm = pm.reindex(order)
    return pm


def price_matrix(case, tables: dict) -> pd.DataFrame | None:
    """Public alias: hourly price per node (time × node), case time order; None if absent."""
    return _price_matrix(case, tables)


def region_prices(case, tables: dict) -> pd.Series:
    """Average power price per region (currency/MWh), weighted by base load × step weight.

    A region without base load gets the time-weighted mean; regions without any price are
    NaN. Empty series when the run has no ``prices`` table (e.g. no dual solution).
    """
    pm = _price_matrix(case, tables)
    regions = list(case.regions.index)
    if pm is None:
        return pd.Series(np.nan, index=regions, dtype=float, name="price_per_mwh")
    w = step_weights(case, len(pm))
    load = run_load(case, tables, len(pm)).to_numpy(float)
    out = {}
    for i, r in enumerate(regions):
        if r not in pm.columns:
            out[r] = np.nan
            continue
        p = pm[r].to_numpy(float)
        lw = (load[:, i] * w) if load.shape[0] == len(p) else np.zeros(len(p))
        ok = np.isfinite(p)
        if lw[ok].sum() > 0:
            out[r] = float((p[ok] * lw[ok]).sum() / lw[ok].sum())
        elif ok.any():
            out[r] = float((p[ok] * w[ok]).sum() / w[ok].sum())
        else:
            out[r] = np.nan
    return pd.Series(out, name="price_per_mwh", dtype=float)


def new_capacity_by_node(tables: dict, kinds=("generator", "storage")) -> pd.Series:
    """New MW per node (generators and storage power), from ``capacity.csv``."""
    cap = tables.get("capacity")
    if cap is None or not len(cap):
        return pd.Series(dtype=float)
    if "kind" in cap:
        cap = cap[cap["kind"].isin(kinds)]
    return cap.groupby("node")["new_mw"].sum().astype(float)


def _caption_note(case) -> str | None:
    cfg = getattr(case, "config", None) or {}
    note = cfg.get("map_caption_note")
    if note is None and isinstance(cfg.get("options"), dict):
        note = cfg["options"].get("map_caption_note")
    return str(note).strip() if note else None


def _nice(x: float) -> float:
    """Largest 1-2-5 × 10^n not above x (x > 0)."""
    if not np.isfinite(x) or x <= 0:
        return 1.0
    e = math.floor(math.log10(x))
    for m in (5, 2, 1):
        if m * 10**e <= x:
            return float(m * 10**e)
    return float(10**e)


def _short(name: str, limit: int = 30) -> str:
    """A map label: parenthetical details dropped, then cut at ``limit`` characters."""
    short = re.sub(r"\s*\([^)]*\)", "", name).strip() or name
    return short if len(short) <= limit else short[: limit - 1].rstrip() + "…"


def _colour_range(vals: np.ndarray) -> tuple[float, float, str]:
    """Colour-scale limits: the full range, or the 5-95 % range when a few regions are far
    out (so one outlier does not wash out the rest); ``extend`` tells the colour bar."""
    v = vals[np.isfinite(vals)]
    if not len(v):
        return 0.0, 1.0, "neither"
    lo, hi = float(v.min()), float(v.max())
    extend = "neither"
    if len(v) >= 8:
        p5, p95 = (float(x) for x in np.percentile(v, [5, 95]))
        iqr = p95 - p5
        if iqr > 0 and hi - p95 > 0.5 * iqr:
            hi, extend = p95, "max"
        if iqr > 0 and p5 - lo > 0.5 * iqr:
            lo, extend = p5, ("both" if extend == "max" else "min")
    if not hi > lo:
        lo, hi = lo - max(1.0, abs(lo) * 0.05), hi + max(1.0, abs(hi) * 0.05)
    return lo, hi, extend


def _round1(x: float) -> float:
    """x rounded to one significant figure (x > 0): 478 → 500, 0.12 → 0.1."""
    if not np.isfinite(x) or x <= 0:
        return 1.0
    e = math.floor(math.log10(x))
    return float(round(x / 10**e) * 10**e)


def _fmt_mw(v: float) -> str:
    return f"{v / 1000:.3g} GW" if v >= 1000 else f"{v:.3g} MW"


def _sites_table(case, tables: dict) -> pd.DataFrame:
    """Sites with built flag, IT MW and lon/lat (empty frame when the case has none)."""
    s = tables.get("sites")
    if s is not None and len(s):
        s = s.copy()
        if "lon" not in s or "lat" not in s:
            loc = case.sites[["lon", "lat"]]
            s = s.join(loc, on="site")
        return s
    if len(getattr(case, "sites", [])):
        s = pd.DataFrame({"site": case.sites.index, "built": 0, "it_mw": 0.0,
                          "lon": case.sites["lon"].to_numpy(), "lat": case.sites["lat"].to_numpy(),
                          "region": case.sites["region"].to_numpy(),
                          "name": case.sites.get("name", case.sites.index).to_numpy()})
        return s
    return pd.DataFrame(columns=["site", "built", "it_mw", "lon", "lat", "region", "name"])


# ------------------------------------------------------------------------------ geometry
def _projection(case) -> tuple[str, float, float]:
    pts = [case.regions[["lon", "lat"]]]
    if len(case.sites):
        pts.append(case.sites[["lon", "lat"]])
    if len(case.demand_centres):
        pts.append(case.demand_centres[["lon", "lat"]])
    ll = pd.concat(pts).astype(float).dropna()
    b = case.regions.total_bounds if len(case.regions) else (np.nan,) * 4
    lon_min = np.nanmin([ll["lon"].min(), b[0]])
    lon_max = np.nanmax([ll["lon"].max(), b[2]])
    lat_min = np.nanmin([ll["lat"].min(), b[1]])
    lat_max = np.nanmax([ll["lat"].max(), b[3]])
    lon0 = float((lon_min + lon_max) / 2)
    lat0 = float((lat_min + lat_max) / 2)
    crs = (f"+proj=laea +lat_0={lat0:.4f} +lon_0={lon0:.4f} +x_0=0 +y_0=0 +datum=WGS84 "
           "+units=m +no_defs")
    return crs, lon0, lat0


def _scale_bar(ax, inv: Transformer, fwd: Transformer, fontsize: float) -> dict:
    """Scale bar in the lower left, true at its own latitude (geodesic east from its start)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    bx, by = x0 + 0.04 * (x1 - x0), y0 + 0.045 * (y1 - y0)
    lon, lat = inv.transform(bx, by)
    target_m = 0.22 * (x1 - x0)
    # metres along the map per geodesic metre, measured at the bar's own position
    lon2, lat2, _ = _GEOD.fwd(lon, lat, 90.0, target_m)
    ex, ey = fwd.transform(lon2, lat2)
    map_per_m = math.hypot(ex - bx, ey - by) / target_m
    km = _nice(target_m / 1000.0)
    length = km * 1000.0 * map_per_m
    h = 0.012 * (y1 - y0)
    for i, colour in enumerate(("black", "white")):
        ax.add_patch(Rectangle((bx + i * length / 2, by), length / 2, h, facecolor=colour,
                               edgecolor="black", linewidth=0.8, zorder=20, gid="scale-bar"))
    kw = dict(fontsize=fontsize, ha="center", va="bottom", zorder=21, path_effects=HALO)
    ax.text(bx, by + 1.6 * h, "0", **kw)
    ax.text(bx + length, by + 1.6 * h, f"{km:g} km", **kw)
    hemi = "N" if lat >= 0 else "S"
    ax.text(bx + length / 2, by - 0.8 * h, f"scale true at {abs(lat):.0f}°{hemi}",
            fontsize=fontsize * 0.85, ha="center", va="top", zorder=21, path_effects=HALO,
            color="#333333")
    return {"km": km, "lat": float(lat)}


def _north_arrow(ax, fontsize: float) -> None:
    ax.annotate("N", xy=(0.965, 0.95), xytext=(0.965, 0.86), xycoords="axes fraction",
                ha="center", va="center", fontsize=fontsize, fontweight="bold", zorder=21,
                arrowprops=dict(arrowstyle="-|>", color="black", lw=1.4),
                path_effects=HALO, gid="north-arrow")


class _Labeller:
    """Greedy label placement: a label is drawn only if its box overlaps no earlier one."""

    def __init__(self, fig: Figure, ax):
        self.fig, self.ax = fig, ax
        self.renderer = FigureCanvasAgg(fig).get_renderer() if fig.canvas is None else (
            fig.canvas.get_renderer())
        self.boxes: list = []
        self.placed = 0
        self.dropped = 0

    def obstacle(self, xs, ys, sizes_pt2) -> None:
        """Mark markers (data x/y, scatter sizes in points²) as places labels must not cover."""
        from matplotlib.transforms import Bbox

        pts = self.ax.transData.transform(np.c_[np.asarray(xs, float), np.asarray(ys, float)])
        r = np.sqrt(np.broadcast_to(np.asarray(sizes_pt2, float), (len(pts),))) / 2.0
        r = r * self.fig.dpi / 72.0
        for (px, py), rr in zip(pts, r, strict=True):
            self.boxes.append(Bbox([[px - rr, py - rr], [px + rr, py + rr]]))

    def add(self, x, y, text, *, offset=(0, 0), around: float | None = None,
            places: list | None = None, **kw) -> bool:
        """Place a label at ``offset`` points from (x, y); with ``around`` (a marker radius
        in points) try the four diagonal positions just outside the marker instead; with
        ``places`` try the given (offset, ha, va) in turn. Dropped if none is free."""
        if places is not None:
            kw.pop("ha", None)
            kw.pop("va", None)
        elif around is None:
            places = [(offset, kw.pop("ha", "center"), kw.pop("va", "center"))]
        else:
            kw.pop("ha", None)
            kw.pop("va", None)
            d = around + 1.5  # clear of the marker's bounding square
            places = [((d, d), "left", "bottom"), ((d, -d), "left", "top"),
                      ((-d, d), "right", "bottom"), ((-d, -d), "right", "top")]
        zorder = kw.pop("zorder", 15)
        axbb = self.ax.get_window_extent(self.renderer)
        for off, ha, va in places:
            t = self.ax.annotate(text, (x, y), xytext=off, textcoords="offset points",
                                 path_effects=HALO, zorder=zorder, ha=ha, va=va, **kw)
            bb = t.get_window_extent(self.renderer).expanded(1.04, 1.1)
            inside = (bb.x0 >= axbb.x0 and bb.x1 <= axbb.x1 and bb.y0 >= axbb.y0
                      and bb.y1 <= axbb.y1)
            if inside and not any(bb.overlaps(o) for o in self.boxes):
                self.boxes.append(bb)
                self.placed += 1
                return True
            t.remove()
        self.dropped += 1
        return False


# ---------------------------------------------------------------------------------- map
def draw_map(case, tables: dict, summary: dict, *, width_in: float = 13.0,
             title: str | None = None, compact: bool = False) -> tuple[Figure, dict]:
    """Draw the run map on a new :class:`~matplotlib.figure.Figure`; returns (figure, info).

    ``info`` lists what was drawn: ``legend_labels``, ``colorbar_label``, ``measure``
    (``price`` | ``new_capacity`` | ``none``) and counts per layer. ``compact`` drops the
    caption and shrinks fonts (small multiples in comparison reports).
    """
    tables = tables or {}
    summary = summary or {}
    case = case_for_run(case, tables, summary)
    cur = getattr(case, "currency", "") or summary.get("currency", "")
    crs, lon0, lat0 = _projection(case)
    fwd = Transformer.from_crs(4326, crs, always_xy=True)
    inv = Transformer.from_crs(crs, 4326, always_xy=True)

    regions = case.regions.to_crs(crs).copy()
    nodes = node_locations(case)
    nx, ny = fwd.transform(nodes["lon"].to_numpy(), nodes["lat"].to_numpy())
    node_xy = pd.DataFrame({"x": nx, "y": ny}, index=nodes.index)
    sites = _sites_table(case, tables)
    centres = case.demand_centres

    # extent of everything drawn
    xs = [regions.total_bounds[[0, 2]], nx]
    ys = [regions.total_bounds[[1, 3]], ny]
    if len(centres):
        cx, cy = fwd.transform(centres["lon"].to_numpy(float), centres["lat"].to_numpy(float))
        xs.append(cx)
        ys.append(cy)
    xs = np.concatenate([np.ravel(a) for a in xs]).astype(float)
    ys = np.concatenate([np.ravel(a) for a in ys]).astype(float)
    xmin, xmax, ymin, ymax = np.nanmin(xs), np.nanmax(xs), np.nanmin(ys), np.nanmax(ys)
    span = max(xmax - xmin, ymax - ymin, 1.0)

    # point regions become discs: radius small against the map and against neighbours
    is_point = regions.geom_type.isin(["Point", "MultiPoint"]).to_numpy()
    if is_point.any():
        pts = np.c_[regions.geometry.representative_point().x,
                    regions.geometry.representative_point().y]
        if len(pts) > 1:
            d = np.hypot(*(pts[:, None, :] - pts[None, :, :]).transpose(2, 0, 1))
            d[d == 0] = np.inf
            nn = float(np.min(d))
        else:
            nn = np.inf
        base = span if span > 1.0 else 200_000.0
        radius = max(min(0.045 * base, 0.42 * nn), 5_000.0)
        regions.loc[is_point, "geometry"] = regions.loc[is_point].geometry.buffer(radius)
        xmin = min(xmin, np.nanmin(pts[:, 0]) - radius)
        ymin = min(ymin, np.nanmin(pts[:, 1]) - radius)
        xmax = max(xmax, np.nanmax(pts[:, 0]) + radius)
        ymax = max(ymax, np.nanmax(pts[:, 1]) + radius)
        span = max(xmax - xmin, ymax - ymin, 1.0)
    if span <= 1.0:
        span = 200_000.0
    pad = 0.06 * span
    xmin, xmax, ymin, ymax = xmin - pad, xmax + pad, ymin - pad, ymax + pad
    # leave room at the bottom for the scale bar
    ymin -= 0.05 * (ymax - ymin)
    aspect = (ymax - ymin) / max(xmax - xmin, 1.0)

    # ---- figure layout (inches): title band, map | legend panel, caption band
    map_w = width_in * (0.64 if compact else 0.70)
    map_h = float(np.clip(map_w * aspect, 4.2, 10.5))
    if map_w * aspect > map_h:  # taller than allowed: narrow the map instead
        map_w = map_h / aspect
    title_h = 0.55 if compact else 0.85
    caption_h = 0.0 if compact else 1.05
    fig_h = map_h + title_h + caption_h + 0.15
    fig = Figure(figsize=(width_in, fig_h), dpi=100)
    FigureCanvasAgg(fig)
    left = 0.015
    ax = fig.add_axes((left, (caption_h + 0.05) / fig_h, map_w / width_in, map_h / fig_h))
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal", adjustable="box", anchor="NW")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for s in ax.spines.values():
        s.set_edgecolor("#888888")
        s.set_linewidth(0.8)
    ax.set_facecolor("#f4f8fb")
    fs = 10.5 if compact else 9.5

    # ---- regions
    prices = region_prices(case, tables)
    measure, values, cmap_name = "none", pd.Series(np.nan, index=regions.index), None
    if prices.notna().any():
        measure, values, cmap_name = "price", prices.reindex(regions.index), "YlOrRd"
        cbar_label = f"average power price ({cur}/MWh, weighted by base load)"
    else:
        newcap = new_capacity_by_node(tables)
        if len(newcap) and (newcap.reindex(regions.index).fillna(0) > 0).any():
            measure, cmap_name = "new_capacity", "Greens"
            values = newcap.reindex(regions.index).fillna(0.0)
            cbar_label = "new generation + storage capacity (MW)"
        else:
            cbar_label = ""
    regions["_value"] = values.to_numpy(float)
    norm, extend = None, "neither"
    if cmap_name is not None:
        vals = regions["_value"].to_numpy(float)
        vmin, vmax, extend = _colour_range(vals)
        if not vmax > vmin:
            vmin, vmax = vmin - max(1.0, abs(vmin) * 0.05), vmax + max(1.0, abs(vmax) * 0.05)
        norm = Normalize(vmin, vmax)
        cmap = _cmap(cmap_name)
        colours = [cmap(norm(np.clip(v, vmin, vmax))) if np.isfinite(v) else NO_DATA
                   for v in vals]
    else:
        colours = ["#e8eef2"] * len(regions)
    regions.plot(ax=ax, color=colours, edgecolor="white", linewidth=0.9, zorder=1,
                 gid="regions")
    regions.boundary.plot(ax=ax, color="#7a7a7a", linewidth=0.35, zorder=2)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.collections[0].set_gid("regions")
    no_data = cmap_name is not None and not np.isfinite(regions["_value"]).all()

    # ---- corridors
    cor = tables.get("corridors")
    case_cor = getattr(case, "corridors", None)
    if (cor is None or not len(cor)) and case_cor is not None and len(case_cor):
        # no solution: draw the existing network of the case
        cor = case_cor[["from", "to", "existing_mw"]].assign(new_mw=0.0)
        cor = cor.assign(total_mw=cor["existing_mw"])
    n_cor = 0
    corridor_labels: list = []
    legend_handles: list = []
    max_total = 0.0
    if cor is not None and len(cor):
        cor = cor[cor["from"].isin(node_xy.index) & cor["to"].isin(node_xy.index)]
        total = (cor["total_mw"] if "total_mw" in cor else cor["existing_mw"] + cor["new_mw"])
        total = total.to_numpy(float)
        new = cor["new_mw"].to_numpy(float)
        max_total = float(np.nanmax(total)) if len(total) else 0.0
        if max_total > 0:
            seg = [[(node_xy.at[a, "x"], node_xy.at[a, "y"]),
                    (node_xy.at[b, "x"], node_xy.at[b, "y"])]
                   for a, b in zip(cor["from"], cor["to"], strict=True)]
            lw_of = lambda mw: 0.6 + 6.4 * np.asarray(mw, float) / max_total  # noqa: E731
            ax.add_collection(LineCollection(seg, linewidths=lw_of(total), colors=EXISTING_LINE,
                                             alpha=0.85, capstyle="round", zorder=4,
                                             gid="corridors"))
            has_new = new > 1e-3 * max_total
            if has_new.any():
                ax.add_collection(LineCollection(
                    [s for s, k in zip(seg, has_new, strict=True) if k],
                    linewidths=np.maximum(6.4 * new[has_new] / max_total, 1.0),
                    colors=NEW_LINE, capstyle="round", zorder=5, gid="corridors-new"))
            n_cor = len(seg)
            corridor_labels = []
            if len(seg) <= 12:
                for (a, b), t, nw in zip(seg, total, new, strict=True):
                    txt = f"{_fmt_mw(round(t))}" + (f" (+{_fmt_mw(round(nw))} new)"
                                                    if nw > 1e-3 * max_total else "")
                    corridor_labels.append(((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, txt))
            for v in sorted({_round1(max_total), _round1(max_total / 4)}):
                legend_handles.append(Line2D([], [], color=EXISTING_LINE, lw=float(lw_of(v)),
                                            label=f"corridor {_fmt_mw(v)} (width ∝ total)"))
            if has_new.any():
                legend_handles.append(Line2D([], [], color=NEW_LINE, lw=3.0,
                                             label="new corridor capacity (width ∝ MW added)"))
    # region nodes (corridor ends)
    reg_nodes = node_xy.loc[node_xy.index.isin(case.regions.index)]
    ax.scatter(reg_nodes["x"], reg_nodes["y"], s=9, color=EXISTING_LINE, zorder=6,
               linewidths=0, gid="region-nodes")

    # ---- sites
    solved = tables.get("sites") is not None and len(tables["sites"]) > 0
    n_built = n_unbuilt = 0
    max_it = 0.0
    if len(sites):
        sx, sy = fwd.transform(sites["lon"].to_numpy(float), sites["lat"].to_numpy(float))
        sites = sites.assign(x=sx, y=sy)
        built = sites[(sites["built"] == 1) & (sites["it_mw"] > 0)]
        unbuilt = sites.drop(built.index)
        max_it = float(built["it_mw"].max()) if len(built) else 0.0
        size_of = lambda mw: 30 + 520 * np.asarray(mw, float) / max(max_it, 1e-9)  # noqa: E731
        if len(unbuilt):
            ax.scatter(unbuilt["x"], unbuilt["y"], s=34, facecolors="white",
                       edgecolors=SITE_COLOUR, linewidths=1.2, zorder=8, gid="sites-unbuilt")
            n_unbuilt = len(unbuilt)
        if len(built):
            # grid connection to the host region's node
            host = built["region"].astype(str)
            ok = host.isin(node_xy.index)
            segs = [[(x, y), (node_xy.at[h, "x"], node_xy.at[h, "y"])]
                    for x, y, h in zip(built.loc[ok, "x"], built.loc[ok, "y"], host[ok],
                                       strict=True)]
            if segs:
                ax.add_collection(LineCollection(segs, colors=SITE_COLOUR, linewidths=0.9,
                                                 linestyles=(0, (3, 2)), alpha=0.8, zorder=7,
                                                 gid="grid-connections"))
            order = built.sort_values("it_mw", ascending=False)
            ax.scatter(order["x"], order["y"], s=size_of(order["it_mw"]), color=SITE_COLOUR,
                       alpha=0.82, edgecolors="white", linewidths=0.9, zorder=9,
                       gid="sites-built")
            n_built = len(built)
            samples = sorted({_round1(max_it), _round1(max_it / 4)})
            for v in samples:
                legend_handles.append(Line2D([], [], ls="", marker="o",
                                             markersize=math.sqrt(float(size_of(v))),
                                             color=SITE_COLOUR, alpha=0.82, mec="white",
                                             label=f"built site, {_fmt_mw(v)} IT (area ∝ IT MW)"))
            if segs:
                legend_handles.append(Line2D([], [], color=SITE_COLOUR, lw=0.9, ls=(0, (3, 2)),
                                             label="grid connection to host region"))
        if n_unbuilt:
            legend_handles.append(Line2D([], [], ls="", marker="o", markersize=6,
                                         mfc="white", mec=SITE_COLOUR, mew=1.2,
                                         label="candidate site, not built" if solved
                                         else "candidate site"))

    # ---- demand centres
    if len(centres):
        ax.scatter(cx, cy, s=110, marker="*", color=CENTRE_COLOUR, edgecolors="white",
                   linewidths=0.7, zorder=10, gid="demand-centres")
        legend_handles.append(Line2D([], [], ls="", marker="*", markersize=11,
                                     color=CENTRE_COLOUR, mec="white",
                                     label="demand centre (compute users)"))
    if no_data:
        legend_handles.append(Patch(facecolor=NO_DATA, edgecolor="#7a7a7a",
                                    label="region without price"))

    # ---- labels (greedy, no overlaps): built sites, centres, then regions by area
    lab = _Labeller(fig, ax)
    if len(centres):
        lab.obstacle(cx, cy, 110)
    if len(sites) and n_built:
        lab.obstacle(built["x"], built["y"], size_of(built["it_mw"]))
    if len(sites) and n_built:
        top = built.sort_values("it_mw", ascending=False).head(MAX_SITE_LABELS)
        for _, r in top.iterrows():
            name = _short(str(r.get("name", r["site"]) or r["site"]))
            lab.add(r["x"], r["y"], f"{name}\n{r['it_mw']:,.0f} MW IT",
                    around=math.sqrt(float(size_of(r["it_mw"]))) / 2, fontsize=fs * 0.82,
                    color=SITE_COLOUR, fontweight="bold", gid="label-site")
    if len(centres):
        demand = getattr(case, "compute_demand", pd.DataFrame())
        size = (demand.groupby("centre")["it_mw"].sum() if len(demand) else pd.Series(
            dtype=float)).reindex(centres.index).fillna(0.0).to_numpy()
        for k in np.argsort(-size, kind="stable")[:MAX_CENTRE_LABELS]:
            cid = centres.index[k]
            name = _short(str(centres.iloc[k].get("name", cid) or cid))
            lab.add(cx[k], cy[k], name, around=math.sqrt(110) / 2, fontsize=fs * 0.78,
                    color=CENTRE_COLOUR, fontstyle="italic", gid="label-centre")
    many = len(regions) > 12
    rep = regions.geometry.representative_point()
    area_order = regions.geometry.area.sort_values(ascending=False).index
    for rid in area_order:
        name = str(case.regions.at[rid, "name"]) if "name" in case.regions else str(rid)
        label = name if not many or len(name) <= 14 else str(rid)
        lab.add(rep[rid].x, rep[rid].y, label, places=REGION_LABEL_PLACES,
                fontsize=fs * (0.72 if many else 0.95), color="#222222", zorder=12,
                gid="label-region")

    for x, y, txt in corridor_labels:
        lab.add(x, y, txt, offset=(0, -7), fontsize=fs * 0.78, color=EXISTING_LINE,
                ha="center", va="top", gid="label-corridor")

    # ---- scale bar, north arrow
    scale = _scale_bar(ax, inv, fwd, fs * 0.85)
    _north_arrow(ax, fs)

    # ---- right panel: colour bar and legend
    panel_x = left + map_w / width_in + 0.02
    panel_w = 1.0 - panel_x - 0.015
    top = 1.0 - title_h / fig_h
    if norm is not None:
        cax = fig.add_axes((panel_x, top - 0.55 / fig_h, panel_w * 0.92, 0.16 / fig_h))
        from matplotlib.cm import ScalarMappable

        cb = fig.colorbar(ScalarMappable(norm=norm, cmap=_cmap(cmap_name)), cax=cax,
                          orientation="horizontal", extend=extend)
        cb.ax.tick_params(labelsize=fs * 0.85)
        cb.ax.set_title(textwrap.fill(cbar_label, 30 if compact else 38), fontsize=fs * 0.9,
                        loc="left", pad=4)
        legend_top = top - 1.05 / fig_h
    else:
        legend_top = top - 0.1 / fig_h
    leg = fig.legend(handles=legend_handles, loc="upper left",
                     bbox_to_anchor=(panel_x - 0.005, legend_top), fontsize=fs * 0.85,
                     frameon=False, labelspacing=1.1, handlelength=2.6, borderaxespad=0.0,
                     title="Legend", title_fontsize=fs * 0.95, alignment="left")
    leg.set_gid("legend")

    # ---- title and caption
    scen = list(getattr(case, "scenario_names", None) or summary.get("scenarios") or [])
    scen_txt = ", ".join(scen) if scen else "none (base case)"
    ttl = title or str(getattr(case, "name", summary.get("case", "")))
    fig.text(left, 1.0 - 0.12 / fig_h, ttl, fontsize=fs * (1.25 if compact else 1.5),
             fontweight="bold", va="top", ha="left")
    sub = [f"scenarios: {scen_txt}"]
    if summary.get("status"):
        sub.append(f"status: {summary['status']}")
    if summary.get("objective") is not None:
        obj = float(summary["objective"])
        sub.append(f"objective {obj / 1e9:,.2f} bn {cur}/yr" if abs(obj) >= 1e9
                   else f"objective {obj / 1e6:,.1f} M {cur}/yr")
    fig.text(left, 1.0 - (0.45 if not compact else 0.4) / fig_h, " · ".join(sub),
             fontsize=fs * 0.95, va="top", ha="left", color="#444444")
    measure_txt = {"price": f"load-weighted average power price ({cur}/MWh)",
                   "new_capacity": "new generation and storage capacity (MW; no prices in "
                                   "this run)",
                   "none": ""}[measure]
    shading = (f"Regions shaded by {measure_txt}. " if measure != "none" else
               "Regions are not shaded: the run has no prices and no new capacity"
               + (f" (status {summary['status']}). " if summary.get("status") else ". "))
    caption = (f"Map of run '{ttl}' (scenarios: {scen_txt}). {shading}"
               "Corridors drawn straight between node locations; line width ∝ total capacity, "
               "cyan core ∝ capacity added. Built data-centre sites sized by IT capacity; "
               "hollow circles are candidate sites not built. Lambert azimuthal equal-area "
               f"projection centred at {abs(lat0):.1f}°{'N' if lat0 >= 0 else 'S'}, "
               f"{abs(lon0):.1f}°{'E' if lon0 >= 0 else 'W'}.")
    note = _caption_note(case)
    if note:
        caption += f" Note: {note}"
    if not compact:
        fig.text(left, (caption_h - 0.08) / fig_h, textwrap.fill(caption, 175),
                 fontsize=fs * 0.8, va="top", ha="left", color="#333333", gid="caption")

    if compact:  # short legend texts for small multiples
        for t in leg.get_texts():
            t.set_text(re.sub(r"\s*\((width|area) ∝[^)]*\)", "", t.get_text()))
    labels = [t.get_text() for t in leg.get_texts()]
    info = {
        "legend_labels": labels,
        "colorbar_label": cbar_label,
        "measure": measure,
        "regions": len(regions),
        "point_regions": int(is_point.sum()),
        "corridors": n_cor,
        "sites_built": n_built,
        "sites_unbuilt": n_unbuilt,
        "demand_centres": len(centres),
        "labels_placed": lab.placed,
        "labels_dropped": lab.dropped,
        "scale_bar_km": scale["km"],
        "caption": caption,
        "projection": crs,
    }
    return fig, info


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
