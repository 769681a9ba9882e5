"""Geometry: great-circle distances, node locations (EPSG:4326 lon/lat), the checks of the
geodata files' geometry, and the host region of a site."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np

from model.inputs.problems import Problems

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)


def great_circle_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Haversine distance in km between points given in degrees (vectorised)."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(v, dtype=float)) for v in
                              (lon1, lat1, lon2, lat2))
    a = (np.sin((lat2 - lat1) / 2) ** 2
         + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def representative_lonlat(gdf) -> tuple[np.ndarray, np.ndarray]:
    """Lon/lat of each geometry's representative point (the point itself for points)."""
    pts = gdf.geometry.representative_point()
    return pts.x.to_numpy(), pts.y.to_numpy()


def to_4326(gdf: gpd.GeoDataFrame, file: str, p: Problems,
            points_only: bool) -> gpd.GeoDataFrame:
    """The geodata in EPSG:4326; a missing CRS and missing, broken or (``points_only``)
    non-point geometries are reported."""
    if gdf.crs is None:
        p.add(file, "geometry has no coordinate reference system (CRS)",
              hint="save the file with a CRS, e.g. EPSG:4326")
        return gdf
    gdf = gdf.to_crs(4326)
    for i, geom in enumerate(gdf.geometry):
        if geom is None or geom.is_empty:
            p.add(file, "geometry is missing", row=i + 1, column="geometry")
        elif not geom.is_valid:
            p.add(file, "geometry is invalid (self-intersecting or broken)",
                  row=i + 1, column="geometry", hint="repair it, e.g. with buffer(0)")
        elif points_only and geom.geom_type != "Point":
            p.add(file, f"geometry must be a point, got {geom.geom_type}",
                  row=i + 1, column="geometry")
    return gdf


def point_lonlat(gdf) -> tuple[np.ndarray, np.ndarray]:
    """Lon/lat of point geometries (NaN for missing or non-point ones, already reported)."""
    n = len(gdf)
    lon, lat = np.full(n, np.nan), np.full(n, np.nan)
    if gdf.crs is None:
        return lon, lat
    for i, g in enumerate(gdf.geometry):
        if g is not None and not g.is_empty and g.geom_type == "Point":
            lon[i], lat[i] = g.x, g.y
    return lon, lat


SITE_REGION_TOLERANCE_KM = 100.0


def host_regions(points: gpd.GeoDataFrame, regions: gpd.GeoDataFrame, file: str,
                 p: Problems) -> dict:
    """Region of each point: the polygon it lies in; else the nearest region within
    SITE_REGION_TOLERANCE_KM (with a warning; point regions: simply the nearest)."""
    from shapely.ops import nearest_points

    out = {}
    geoms = regions.geometry.to_numpy()
    is_area = np.array([g is not None and g.geom_type in ("Polygon", "MultiPolygon")
                        for g in geoms])
    for idx, pt in zip(points.index, points.geometry, strict=True):
        inside = [i for i in np.flatnonzero(is_area) if geoms[i].covers(pt)]
        if inside:
            out[idx] = regions["id"].iloc[inside[0]]
            continue
        dist = np.full(len(geoms), np.inf)
        for i, g in enumerate(geoms):
            if g is None or g.is_empty:
                continue
            q = nearest_points(g, pt)[0]
            dist[i] = float(great_circle_km(pt.x, pt.y, q.x, q.y))
        best = int(np.argmin(dist))
        name = points.at[idx, "id"] if "id" in points else idx
        if is_area[best] and dist[best] > SITE_REGION_TOLERANCE_KM:
            p.add(file, f"'{name}' lies {dist[best]:.0f} km outside every region",
                  row=int(idx) + 1, column="geometry",
                  hint="fix its coordinates or name its host region in a 'region' column")
            continue
        if is_area[best]:
            warnings.warn(f"{file}: '{name}' lies outside every region; assigned to the "
                          f"nearest region '{regions['id'].iloc[best]}' "
                          f"({dist[best]:.0f} km away)", UserWarning, stacklevel=5)
        out[idx] = regions["id"].iloc[best]
    return out
