"""The layers of map.png, bottom to top, each drawn on a :class:`~model.report.map_frame.MapFrame`
and returning what it drew (counts, legend entries, what later layers need):

* regions shaded by their load-weighted average power price (without prices, by new
  generation and storage capacity); point regions are drawn as discs;
* corridors as straight lines between node locations, width proportional to total capacity,
  with a coloured core proportional to the capacity added by the run;
* candidate sites: built sites filled, area proportional to IT MW; unbuilt sites hollow;
  dashed grid connections from built sites to their host region's node;
* demand centres as stars.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from model.report.colours import CENTRE_COLOUR, EXISTING_LINE, NEW_LINE, NO_DATA, SITE_COLOUR
from model.report.format import power, round1
from model.report.run_data import sites_table
from model.report.shading import region_shading

MAX_CORRIDOR_LABELS = 12  # corridors are labelled with their MW when there are this few
CENTRE_SIZE = 110  # demand-centre star (points²)
CBAR_LABEL = {"price": "average power price ({cur}/MWh, weighted by base load)",
              "new_capacity": "new generation + storage capacity (MW)", "none": ""}


# ------------------------------------------------------------------------------ regions
def draw_regions(frame, case, tables: dict, cur: str):
    """Regions filled by the shading measure; returns (shading, colour-bar label)."""
    shading = region_shading(case, tables)
    if shading.measure != "none":
        colours = [NO_DATA if c is None else c for c in shading.colours().values()]
    else:
        colours = ["#e8eef2"] * len(frame.regions)
    ax = frame.ax
    frame.regions.plot(ax=ax, color=colours, edgecolor="white", linewidth=0.9, zorder=1,
                       gid="regions")
    frame.regions.boundary.plot(ax=ax, color="#7a7a7a", linewidth=0.35, zorder=2)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.collections[0].set_gid("regions")
    return shading, CBAR_LABEL[shading.measure].format(cur=cur)


def no_data_handle(shading) -> list:
    """Legend entry for regions without a price, when some are shaded and some are not."""
    if shading.measure == "none" or np.isfinite(shading.values.to_numpy(float)).all():
        return []
    return [Patch(facecolor=NO_DATA, edgecolor="#7a7a7a", label="region without price")]


# ---------------------------------------------------------------------------- corridors
@dataclass
class Corridors:
    count: int = 0
    labels: list = field(default_factory=list)  # (x, y, text) at each corridor's middle
    handles: list = field(default_factory=list)


def _corridor_table(case, tables: dict, node_xy: pd.DataFrame) -> pd.DataFrame | None:
    """The run's corridors; without a solution, the existing network of the case."""
    cor = tables.get("corridors")
    case_cor = getattr(case, "corridors", None)
    if (cor is None or not len(cor)) and case_cor is not None and len(case_cor):
        cor = case_cor[["from", "to", "existing_mw"]].assign(new_mw=0.0)
        cor = cor.assign(total_mw=cor["existing_mw"])
    if cor is None or not len(cor):
        return None
    return cor[cor["from"].isin(node_xy.index) & cor["to"].isin(node_xy.index)]


def _corridor_labels(seg, total, new, max_total: float) -> list:
    if len(seg) > MAX_CORRIDOR_LABELS:
        return []
    out = []
    for (a, b), t, nw in zip(seg, total, new, strict=True):
        txt = f"{power(round(t))}" + (f" (+{power(round(nw))} new)"
                                      if nw > 1e-3 * max_total else "")
        out.append(((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, txt))
    return out


def draw_corridors(frame, case, tables: dict) -> Corridors:
    """Corridor lines (width ∝ total MW, cyan core ∝ MW added) and the region nodes."""
    ax, node_xy = frame.ax, frame.node_xy
    out = Corridors()
    cor = _corridor_table(case, tables, node_xy)
    total = (cor["total_mw"] if "total_mw" in cor else cor["existing_mw"] + cor["new_mw"]
             ).to_numpy(float) if cor is not None else np.zeros(0)
    max_total = float(np.nanmax(total)) if len(total) else 0.0
    if max_total > 0:
        new = cor["new_mw"].to_numpy(float)
        seg = [[(node_xy.at[a, "x"], node_xy.at[a, "y"]), (node_xy.at[b, "x"], node_xy.at[b, "y"])]
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
        out.count = len(seg)
        out.labels = _corridor_labels(seg, total, new, max_total)
        for v in sorted({round1(max_total), round1(max_total / 4)}):
            out.handles.append(Line2D([], [], color=EXISTING_LINE, lw=float(lw_of(v)),
                                      label=f"corridor {power(v)} (width ∝ total)"))
        if has_new.any():
            out.handles.append(Line2D([], [], color=NEW_LINE, lw=3.0,
                                      label="new corridor capacity (width ∝ MW added)"))
    reg_nodes = node_xy.loc[node_xy.index.isin(case.regions.index)]
    ax.scatter(reg_nodes["x"], reg_nodes["y"], s=9, color=EXISTING_LINE, zorder=6,
               linewidths=0, gid="region-nodes")
    return out


# -------------------------------------------------------------------------------- sites
@dataclass
class Sites:
    built: pd.DataFrame  # built sites with map x, y
    n_unbuilt: int = 0
    max_it: float = 0.0
    handles: list = field(default_factory=list)

    def size(self, mw):
        """Marker area (points²) of a built site of ``mw`` MW IT."""
        return 30 + 520 * np.asarray(mw, float) / max(self.max_it, 1e-9)


def _grid_connections(frame, built: pd.DataFrame) -> bool:
    """Dashed lines from built sites to their host region's node; True if any drawn."""
    node_xy = frame.node_xy
    host = built["region"].astype(str)
    ok = host.isin(node_xy.index)
    segs = [[(x, y), (node_xy.at[h, "x"], node_xy.at[h, "y"])]
            for x, y, h in zip(built.loc[ok, "x"], built.loc[ok, "y"], host[ok], strict=True)]
    if segs:
        frame.ax.add_collection(LineCollection(segs, colors=SITE_COLOUR, linewidths=0.9,
                                               linestyles=(0, (3, 2)), alpha=0.8, zorder=7,
                                               gid="grid-connections"))
    return bool(segs)


def _built_handles(out: Sites, connected: bool) -> list:
    handles = [Line2D([], [], ls="", marker="o", markersize=math.sqrt(float(out.size(v))),
                      color=SITE_COLOUR, alpha=0.82, mec="white",
                      label=f"built site, {power(v)} IT (area ∝ IT MW)")
               for v in sorted({round1(out.max_it), round1(out.max_it / 4)})]
    if connected:
        handles.append(Line2D([], [], color=SITE_COLOUR, lw=0.9, ls=(0, (3, 2)),
                              label="grid connection to host region"))
    return handles


def draw_sites(frame, case, tables: dict) -> Sites:
    """Built sites (area ∝ IT MW) with their grid connections; hollow unbuilt sites."""
    sites = sites_table(case, tables)
    if not len(sites):
        return Sites(built=sites)
    sx, sy = frame.project(sites["lon"], sites["lat"])
    sites = sites.assign(x=sx, y=sy)
    built = sites[(sites["built"] == 1) & (sites["it_mw"] > 0)]
    unbuilt = sites.drop(built.index)
    out = Sites(built=built, n_unbuilt=len(unbuilt),
                max_it=float(built["it_mw"].max()) if len(built) else 0.0)
    ax = frame.ax
    if len(unbuilt):
        ax.scatter(unbuilt["x"], unbuilt["y"], s=34, facecolors="white",
                   edgecolors=SITE_COLOUR, linewidths=1.2, zorder=8, gid="sites-unbuilt")
    if len(built):
        connected = _grid_connections(frame, built)
        order = built.sort_values("it_mw", ascending=False)
        ax.scatter(order["x"], order["y"], s=out.size(order["it_mw"]), color=SITE_COLOUR,
                   alpha=0.82, edgecolors="white", linewidths=0.9, zorder=9,
                   gid="sites-built")
        out.handles += _built_handles(out, connected)
    if len(unbuilt):
        solved = tables.get("sites") is not None and len(tables["sites"]) > 0
        out.handles.append(Line2D([], [], ls="", marker="o", markersize=6, mfc="white",
                                  mec=SITE_COLOUR, mew=1.2,
                                  label="candidate site, not built" if solved
                                  else "candidate site"))
    return out


# ----------------------------------------------------------------------- demand centres
def draw_centres(frame, case) -> tuple[np.ndarray, np.ndarray, list]:
    """Demand centres as stars; returns (x, y, legend handles)."""
    centres = case.demand_centres
    if not len(centres):
        return np.zeros(0), np.zeros(0), []
    cx, cy = frame.project(centres["lon"], centres["lat"])
    frame.ax.scatter(cx, cy, s=CENTRE_SIZE, marker="*", color=CENTRE_COLOUR,
                     edgecolors="white", linewidths=0.7, zorder=10, gid="demand-centres")
    return cx, cy, [Line2D([], [], ls="", marker="*", markersize=11, color=CENTRE_COLOUR,
                           mec="white", label="demand centre (compute users)")]
