"""Labels on map.png, placed greedily so that none overlaps another or a marker: the largest
built sites first, then the demand centres with the most compute demand, the regions by
area, and the corridors' capacities."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.transforms import Bbox

from model.report.colours import CENTRE_COLOUR, EXISTING_LINE, SITE_COLOUR
from model.report.format import short
from model.report.map_frame import HALO
from model.report.map_layers import CENTRE_SIZE

MAX_SITE_LABELS = 15  # the largest built sites are named on the map
MAX_CENTRE_LABELS = 12  # the demand centres with the most compute demand are named
# a region's name goes above its node, else below, right or left of it
REGION_LABEL_PLACES = [((0, 4), "center", "bottom"), ((0, -4), "center", "top"),
                       ((5, 0), "left", "center"), ((-5, 0), "right", "center")]


def _around(r: float) -> list:
    """The four diagonal places just outside a marker of radius ``r`` points."""
    d = r + 1.5  # clear of the marker's bounding square
    return [((d, d), "left", "bottom"), ((d, -d), "left", "top"),
            ((-d, d), "right", "bottom"), ((-d, -d), "right", "top")]


class Labeller:
    """Greedy label placement: a label is drawn only if its box overlaps no earlier one."""

    def __init__(self, fig, ax):
        self.fig, self.ax = fig, ax
        self.renderer = FigureCanvasAgg(fig).get_renderer() if fig.canvas is None else (
            fig.canvas.get_renderer())
        self.boxes: list = []
        self.placed = 0
        self.dropped = 0

    def obstacle(self, xs, ys, sizes_pt2) -> None:
        """Mark markers (data x/y, scatter sizes in points²) as places labels must not cover."""
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
        ha, va = kw.pop("ha", "center"), kw.pop("va", "center")
        if places is None:
            places = [(offset, ha, va)] if around is None else _around(around)
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


def _site_labels(lab: Labeller, sites, fs: float) -> None:
    top = sites.built.sort_values("it_mw", ascending=False).head(MAX_SITE_LABELS)
    for _, r in top.iterrows():
        name = short(str(r.get("name", r["site"]) or r["site"]))
        lab.add(r["x"], r["y"], f"{name}\n{r['it_mw']:,.0f} MW IT",
                around=math.sqrt(float(sites.size(r["it_mw"]))) / 2, fontsize=fs * 0.82,
                color=SITE_COLOUR, fontweight="bold", gid="label-site")


def _centre_labels(lab: Labeller, case, cx, cy, fs: float) -> None:
    centres = case.demand_centres
    demand = getattr(case, "compute_demand", pd.DataFrame())
    size = (demand.groupby("centre")["it_mw"].sum() if len(demand) else pd.Series(
        dtype=float)).reindex(centres.index).fillna(0.0).to_numpy()
    for k in np.argsort(-size, kind="stable")[:MAX_CENTRE_LABELS]:
        cid = centres.index[k]
        name = short(str(centres.iloc[k].get("name", cid) or cid))
        lab.add(cx[k], cy[k], name, around=math.sqrt(CENTRE_SIZE) / 2, fontsize=fs * 0.78,
                color=CENTRE_COLOUR, fontstyle="italic", gid="label-centre")


def _region_labels(lab: Labeller, case, regions, fs: float) -> None:
    many = len(regions) > 12
    rep = regions.geometry.representative_point()
    for rid in regions.geometry.area.sort_values(ascending=False).index:
        name = str(case.regions.at[rid, "name"]) if "name" in case.regions else str(rid)
        label = name if not many or len(name) <= 14 else str(rid)
        lab.add(rep[rid].x, rep[rid].y, label, places=REGION_LABEL_PLACES,
                fontsize=fs * (0.72 if many else 0.95), color="#222222", zorder=12,
                gid="label-region")


def place_labels(frame, case, sites, centres_xy, corridors) -> Labeller:
    """Name built sites, demand centres and regions, and label corridors, where they fit."""
    lab = Labeller(frame.fig, frame.ax)
    cx, cy = centres_xy
    fs = frame.fs
    if len(cx):
        lab.obstacle(cx, cy, CENTRE_SIZE)
    if len(sites.built):
        lab.obstacle(sites.built["x"], sites.built["y"], sites.size(sites.built["it_mw"]))
        _site_labels(lab, sites, fs)
    if len(cx):
        _centre_labels(lab, case, cx, cy, fs)
    _region_labels(lab, case, frame.regions, fs)
    for x, y, txt in corridors.labels:
        lab.add(x, y, txt, offset=(0, -7), fontsize=fs * 0.78, color=EXISTING_LINE,
                ha="center", va="top", gid="label-corridor")
    return lab
