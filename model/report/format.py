"""Numbers and names as a reader sees them: money, energy, mass, power, short labels.

Every text formatter of the report layer lives here, once; "—" stands for a missing value.
"""

from __future__ import annotations

import html
import math
import re

import numpy as np

MISSING = "—"


def _missing(v) -> bool:
    return v is None or (isinstance(v, float | np.floating) and not np.isfinite(v))


def esc(x) -> str:
    """Text escaped for HTML (None → empty)."""
    return html.escape("" if x is None else str(x))


def num(v, digits: int = 1) -> str:
    """1,234.5 (thousands separated, ``digits`` decimals)."""
    return MISSING if _missing(v) else f"{v:,.{digits}f}"


def money(v, cur: str) -> str:
    """An amount in bn / M / units of the currency: 1.23 bn EUR, 45.6 M EUR, 789 EUR."""
    if _missing(v):
        return MISSING
    a = abs(v)
    if a >= 1e9:
        return f"{v / 1e9:,.2f} bn {cur}"
    if a >= 1e6:
        return f"{v / 1e6:,.1f} M {cur}"
    return f"{v:,.0f} {cur}"


def energy(mwh) -> str:
    """Energy in TWh / GWh / MWh."""
    if _missing(mwh):
        return MISSING
    a = abs(mwh)
    if a >= 1e6:
        return f"{mwh / 1e6:,.2f} TWh"
    if a >= 1e3:
        return f"{mwh / 1e3:,.1f} GWh"
    return f"{mwh:,.0f} MWh"


def mass(t) -> str:
    """CO₂ in Mt / kt / t."""
    if _missing(t):
        return MISSING
    if abs(t) >= 1e6:
        return f"{t / 1e6:,.2f} Mt CO₂"
    if abs(t) >= 1e3:
        return f"{t / 1e3:,.1f} kt CO₂"
    return f"{t:,.0f} t CO₂"


def power(mw: float) -> str:
    """Power with three significant figures: 478 MW, 1.2 GW."""
    return f"{mw / 1000:.3g} GW" if mw >= 1000 else f"{mw:.3g} MW"


def money_unit(largest: float, cur: str, threshold: float = 5e9) -> tuple[float, str]:
    """(divisor, unit) for annual money on a chart axis: bn when the largest value is at
    least ``threshold``, else M."""
    return (1e9, f"bn {cur}/yr") if largest >= threshold else (1e6, f"M {cur}/yr")


def energy_unit(total: float, smallest: str = "MWh") -> tuple[float, str]:
    """(divisor, unit) for annual energy on a chart: TWh from 5 TWh, GWh from 5 GWh, else
    ``smallest`` (MWh, or GWh to never go below it)."""
    if total >= 5e6:
        return 1e6, "TWh"
    if total >= 5e3 or smallest == "GWh":
        return 1e3, "GWh"
    return 1.0, "MWh"


def short(name: str, limit: int = 30) -> str:
    """A label: parenthetical details dropped, then cut at ``limit`` characters."""
    text = re.sub(r"\s*\([^)]*\)", "", name).strip() or name
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def nice(x: float) -> float:
    """Largest 1-2-5 × 10^n not above x (x > 0): a round length for a scale bar."""
    if not np.isfinite(x) or x <= 0:
        return 1.0
    e = math.floor(math.log10(x))
    for m in (5, 2, 1):
        if m * 10**e <= x:
            return float(m * 10**e)
    return float(10**e)


def round1(x: float) -> float:
    """x rounded to one significant figure (x > 0): 478 → 500, 0.12 → 0.1."""
    if not np.isfinite(x) or x <= 0:
        return 1.0
    e = math.floor(math.log10(x))
    return float(round(x / 10**e) * 10**e)
