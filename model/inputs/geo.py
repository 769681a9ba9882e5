"""Geometry helpers: great-circle distances and node locations (EPSG:4326 lon/lat)."""

from __future__ import annotations

import numpy as np

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
