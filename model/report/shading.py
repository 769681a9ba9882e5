"""What the regions are shaded by, on map.png and on the Leaflet map alike: the load-weighted
average power price; without prices, new generation and storage capacity; else nothing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.report.colours import colour_range, light_cmap
from model.report.run_data import new_capacity_by_node, region_prices

CMAP_OF = {"price": "YlOrRd", "new_capacity": "Greens"}


@dataclass
class Shading:
    """``measure`` (``price`` | ``new_capacity`` | ``none``), its ``values`` by region, the
    colour scale's limits ``lo``..``hi`` and ``extend`` (for the colour bar), and the
    ``prices`` by region (NaN without prices)."""

    measure: str
    values: pd.Series
    prices: pd.Series
    lo: float = 0.0
    hi: float = 1.0
    extend: str = "neither"

    @property
    def cmap(self):
        return light_cmap(CMAP_OF[self.measure]) if self.measure in CMAP_OF else None

    def colours(self) -> dict:
        """RGBA of each region's value; None for regions without a value (or no measure)."""
        cmap = self.cmap
        out = {}
        for r, v in self.values.items():
            ok = cmap is not None and np.isfinite(v)
            out[r] = cmap((np.clip(v, self.lo, self.hi) - self.lo) / (self.hi - self.lo)) \
                if ok else None
        return out


def region_shading(case, tables: dict) -> Shading:
    """The measure the regions are shaded by, and its colour scale."""
    regions = case.regions.index
    prices = region_prices(case, tables)
    if prices.notna().any():
        shading = Shading("price", prices.reindex(regions), prices)
    else:
        newcap = new_capacity_by_node(tables).reindex(regions).fillna(0.0)
        if (newcap > 0).any():
            shading = Shading("new_capacity", newcap, prices)
        else:
            return Shading("none", pd.Series(np.nan, index=regions), prices)
    shading.lo, shading.hi, shading.extend = colour_range(shading.values.to_numpy(float))
    return shading
