"""The frame of map.png: projection, extent, the figure and its map axes.

The map is drawn in a Lambert azimuthal equal-area projection centred on the case, with
matplotlib's object API (``Figure`` + Agg canvas, never ``pyplot``). Point regions become
discs, small against the map and against their neighbours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib import patheffects as pe
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from pyproj import Transformer

from model.report.run_data import node_locations

HALO = [pe.withStroke(linewidth=2.6, foreground="white")]  # keeps text readable on any fill


@dataclass
class MapFrame:
    """Everything a layer needs to draw: the figure and map axes, the projection (``crs``,
    centre ``lon0``/``lat0``, transformers ``fwd`` lon/lat → map and ``inv`` back), the
    projected regions (point regions as discs), node positions and the page layout in
    inches (for the legend panel and the caption)."""

    fig: Figure
    ax: object
    crs: str
    lon0: float
    lat0: float
    fwd: Transformer
    inv: Transformer
    regions: object  # GeoDataFrame in the map projection
    is_point: np.ndarray
    node_xy: pd.DataFrame  # x, y by node id
    fs: float  # base font size
    compact: bool
    width_in: float
    map_w: float
    fig_h: float
    title_h: float
    caption_h: float
    left: float = 0.015

    def project(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        return self.fwd.transform(np.asarray(lon, float), np.asarray(lat, float))


def projection(case) -> tuple[str, float, float]:
    """(proj string, lon0, lat0): equal-area, centred on everything the map shows."""
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


def _extent(case, regions, node_xy: pd.DataFrame, fwd) -> list[float]:
    """[xmin, xmax, ymin, ymax] of regions, nodes and demand centres (map metres)."""
    xs = [regions.total_bounds[[0, 2]], node_xy["x"].to_numpy()]
    ys = [regions.total_bounds[[1, 3]], node_xy["y"].to_numpy()]
    centres = case.demand_centres
    if len(centres):
        cx, cy = fwd.transform(centres["lon"].to_numpy(float), centres["lat"].to_numpy(float))
        xs.append(cx)
        ys.append(cy)
    xs = np.concatenate([np.ravel(a) for a in xs]).astype(float)
    ys = np.concatenate([np.ravel(a) for a in ys]).astype(float)
    return [np.nanmin(xs), np.nanmax(xs), np.nanmin(ys), np.nanmax(ys)]


def _span(ext: list[float]) -> float:
    return max(ext[1] - ext[0], ext[3] - ext[2], 1.0)


def _point_discs(regions, is_point: np.ndarray, ext: list[float]) -> list[float]:
    """Buffer point regions into discs (in place); returns the extent grown to hold them."""
    pts = np.c_[regions.geometry.representative_point().x,
                regions.geometry.representative_point().y]
    nn = np.inf
    if len(pts) > 1:
        d = np.hypot(*(pts[:, None, :] - pts[None, :, :]).transpose(2, 0, 1))
        d[d == 0] = np.inf
        nn = float(np.min(d))
    span = _span(ext)
    base = span if span > 1.0 else 200_000.0
    radius = max(min(0.045 * base, 0.42 * nn), 5_000.0)
    regions.loc[is_point, "geometry"] = regions.loc[is_point].geometry.buffer(radius)
    return [min(ext[0], np.nanmin(pts[:, 0]) - radius), max(ext[1], np.nanmax(pts[:, 0]) + radius),
            min(ext[2], np.nanmin(pts[:, 1]) - radius), max(ext[3], np.nanmax(pts[:, 1]) + radius)]


def _padded(ext: list[float]) -> list[float]:
    """The extent with a margin, and room at the bottom for the scale bar."""
    span = _span(ext)
    if span <= 1.0:
        span = 200_000.0
    pad = 0.06 * span
    xmin, xmax, ymin, ymax = ext[0] - pad, ext[1] + pad, ext[2] - pad, ext[3] + pad
    ymin -= 0.05 * (ymax - ymin)
    return [xmin, xmax, ymin, ymax]


def _map_axes(fig: Figure, rect: tuple, ext: list[float]):
    ax = fig.add_axes(rect)
    ax.set_xlim(ext[0], ext[1])
    ax.set_ylim(ext[2], ext[3])
    ax.set_aspect("equal", adjustable="box", anchor="NW")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for s in ax.spines.values():
        s.set_edgecolor("#888888")
        s.set_linewidth(0.8)
    ax.set_facecolor("#f4f8fb")
    return ax


def map_frame(case, *, width_in: float = 13.0, compact: bool = False) -> MapFrame:
    """A new figure laid out as title band, map | legend panel, caption band (inches)."""
    crs, lon0, lat0 = projection(case)
    fwd = Transformer.from_crs(4326, crs, always_xy=True)
    inv = Transformer.from_crs(crs, 4326, always_xy=True)
    regions = case.regions.to_crs(crs).copy()
    nodes = node_locations(case)
    nx, ny = fwd.transform(nodes["lon"].to_numpy(), nodes["lat"].to_numpy())
    node_xy = pd.DataFrame({"x": nx, "y": ny}, index=nodes.index)
    ext = _extent(case, regions, node_xy, fwd)
    is_point = regions.geom_type.isin(["Point", "MultiPoint"]).to_numpy()
    if is_point.any():
        ext = _point_discs(regions, is_point, ext)
    ext = _padded(ext)
    aspect = (ext[3] - ext[2]) / max(ext[1] - ext[0], 1.0)
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
    ax = _map_axes(fig, (left, (caption_h + 0.05) / fig_h, map_w / width_in, map_h / fig_h),
                   ext)
    return MapFrame(fig, ax, crs, lon0, lat0, fwd, inv, regions, is_point, node_xy,
                    fs=10.5 if compact else 9.5, compact=compact, width_in=width_in,
                    map_w=map_w, fig_h=fig_h, title_h=title_h, caption_h=caption_h, left=left)
