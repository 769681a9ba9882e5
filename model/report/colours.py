"""Colours of the report and the map: technologies, workload classes, map layers, colour
scales for the region shading (shared by map.png and the Leaflet map)."""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import LinearSegmentedColormap

# map layers (checked for contrast against the YlOrRd region shading)
EXISTING_LINE = "#3c3c3c"
NEW_LINE = "#0097a7"
SITE_COLOUR = "#4a148c"
CENTRE_COLOUR = "#111111"
NO_DATA = "#d9d9d9"

# technologies by a word in their name; the first match wins
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
CLASS_COLOURS = ("#e15759", "#4e79a7", "#59a14f", "#f28e2b", "#b07aa1", "#76b7b2", "#edc948")


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
        out[t] = shade(base, n)
    return out


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def shade(hex_colour: str, n: int) -> str:
    """The n-th variant of a colour (0: itself; then alternately lighter and darker)."""
    if n == 0:
        return hex_colour
    r, g, b = _rgb(hex_colour)
    f = 0.35 * ((n + 1) // 2) / 1.0
    if n % 2:  # lighter
        r, g, b = (int(c + (255 - c) * min(f, 0.8)) for c in (r, g, b))
    else:
        r, g, b = (int(c * max(1 - f, 0.3)) for c in (r, g, b))
    return f"#{r:02x}{g:02x}{b:02x}"


def tint(hex_colour: str, f: float) -> str:
    """The colour mixed with white (f = share of white)."""
    r, g, b = (int(c + (255 - c) * f) for c in _rgb(hex_colour))
    return f"#{r:02x}{g:02x}{b:02x}"


def rgba(hex_colour: str, alpha: float) -> str:
    """CSS rgba() of a hex colour."""
    r, g, b = _rgb(hex_colour)
    return f"rgba({r},{g},{b},{alpha})"


def light_cmap(name: str):
    """The named colour map without its darkest end (labels and markers stay readable)."""
    base = colormaps[name]
    return LinearSegmentedColormap.from_list(f"{name}_light", base(np.linspace(0.04, 0.72, 256)))


def colour_range(vals: np.ndarray) -> tuple[float, float, str]:
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
