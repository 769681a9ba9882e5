"""What the PyPSA import shares: the import context, its notes, attribute access, costs.

PyPSA is imported lazily by the callers (it is an optional dependency, ``pip install
wattbit[pypsa]``); this module only reads the network's pandas tables, so it works on the
tables of PyPSA 0.30 … 1.x alike.

**Costs.** PyPSA's ``capital_cost`` is a cost per MW and *year* (annualised, for the modelled
horizon; PyPSA ≥ 1.1 may give ``overnight_cost`` with its own ``discount_rate`` and
``lifetime`` instead, which PyPSA annualises and multiplies by ``n.nyears``, and a separate
``fom_cost``). WattBit's input is an overnight cost that it annualises with
CRF(discount_rate, lifetime_years). The import writes the overnight equivalent

    capex_per_kw = annual cost per MW / (1000 · CRF(r, n))

with r the case's ``discount_rate`` and n the component's ``lifetime`` (or
``lifetime_years`` of the import where PyPSA's is infinite), so WattBit charges exactly
PyPSA's annual cost whatever r and n are; ``fom_cost`` becomes ``fixed_om_per_kw_year``.

**Notes.** Whatever is not mapped, or mapped with a change, is a :class:`Note`; the import
report lists every one of them (``IMPORT_REPORT.md``, ``import_notes.csv``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from model.inputs.finance import capital_recovery_factor

DEFAULT_LIFETIME_YEARS = 25.0  # where PyPSA's lifetime is infinite (any value is exact)
DEFAULT_CORRIDOR_LIFETIME_YEARS = 40.0  # WattBit's default for corridors
UNSERVED_CARRIER = "unserved"  # WattBit's unserved power in an exported network
ELECTRIC_CARRIERS = ("ac", "dc", "")
NAMES_SHOWN = 5


@dataclass
class Note:
    kind: str  # "not mapped" or "approximated"
    component: str  # PyPSA component class, e.g. "Generator"
    names: list[str]
    what: str  # what is affected
    detail: str  # why it is dropped, or how it was mapped instead


@dataclass
class ImportContext:
    """What every part of the import reads: the network, the case's settings, the buses that
    became regions, and the notes collected so far."""

    network: object
    discount_rate: float
    lifetime_years: float
    regions: dict[str, str] = field(default_factory=dict)  # bus name -> region id
    locations: dict[str, tuple[float, float]] = field(default_factory=dict)  # bus -> lon, lat
    notes: list[Note] = field(default_factory=list)
    mapped: list[dict] = field(default_factory=list)  # component, name, mapped_to
    used: set[tuple[str, str]] = field(default_factory=set)  # (component, name) consumed

    def not_mapped(self, component: str, names, what: str, why: str) -> None:
        names = [str(x) for x in names]
        if names:
            self.notes.append(Note("not mapped", component, names, what, why))

    def approximated(self, component: str, names, what: str, how: str) -> None:
        names = [str(x) for x in names]
        if names:
            self.notes.append(Note("approximated", component, names, what, how))

    def record(self, component: str, names, mapped_to) -> None:
        """Component rows mapped into the case (``import_map.csv``)."""
        targets = [mapped_to] * len(names) if isinstance(mapped_to, str) else mapped_to
        for name, target in zip(names, targets, strict=True):
            self.mapped.append({"component": component, "name": str(name),
                                "mapped_to": target})
            self.used.add((component, str(name)))

    @property
    def weights(self) -> pd.Series:
        return self.network.snapshot_weightings["objective"]

    @property
    def nyears(self) -> float:
        return float(self.weights.sum()) / 8760.0


def region_id(name) -> str:
    """A bus name as a WattBit id (ids may not contain ':')."""
    return str(name).strip().replace(":", "_")


def is_electric(carrier) -> bool:
    return str(carrier if carrier == carrier else "").strip().lower() in ELECTRIC_CARRIERS


def active(cx: ImportContext, component: str, df: pd.DataFrame) -> pd.DataFrame:
    """Rows with ``active`` true (PyPSA ≥ 0.26); the inactive ones are noted and left out."""
    if "active" not in df.columns or df["active"].astype(bool).all():
        return df
    off = df.index[~df["active"].astype(bool)]
    cx.not_mapped(component, off, "inactive components", "active = False: left out")
    return df.loc[df["active"].astype(bool)]


def dense(cx: ImportContext, component: str, attr: str, names) -> pd.DataFrame:
    """Snapshots × names values of a static-or-series attribute."""
    full = cx.network.get_switchable_as_dense(component, attr)
    return full.reindex(columns=pd.Index(names)).astype(float)


def column(df: pd.DataFrame, name: str, default) -> pd.Series:
    if name in df.columns:
        return df[name]
    return pd.Series(default, index=df.index)


def flagged(df: pd.DataFrame, mask) -> list[str]:
    mask = np.asarray(mask, dtype=bool)
    return [str(x) for x in df.index[mask]]


def annual_costs(cx: ImportContext, df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """PyPSA's fixed cost per MW and year of each row: (annualised investment, fixed O&M).

    ``overnight_cost`` (PyPSA ≥ 1.1) takes precedence over ``capital_cost`` as in PyPSA: it is
    annualised with the row's ``discount_rate`` (the case's where missing) and ``lifetime``
    and multiplied by ``n.nyears``."""
    capital = column(df, "capital_cost", 0.0).astype(float).to_numpy()
    overnight = column(df, "overnight_cost", np.nan).astype(float).to_numpy()
    has = np.isfinite(overnight)
    if has.any():
        rate = column(df, "discount_rate", np.nan).astype(float).to_numpy()
        rate = np.where(np.isfinite(rate), rate, cx.discount_rate)
        life = column(df, "lifetime", np.inf).astype(float).to_numpy()
        ann = np.array([_annuity(r, n) for r, n in zip(rate, life, strict=True)])
        capital = np.where(has, overnight * ann * cx.nyears, capital)
    fom = column(df, "fom_cost", 0.0).astype(float).fillna(0.0).to_numpy()
    return capital, fom


def _annuity(rate: float, lifetime: float) -> float:
    if not np.isfinite(lifetime):
        return max(rate, 0.0)
    return float(capital_recovery_factor(rate, lifetime))


def lifetimes(cx: ImportContext, df: pd.DataFrame, default: float | None = None) -> np.ndarray:
    """Lifetime in years per row; the import's default where PyPSA's is infinite or missing."""
    life = column(df, "lifetime", np.inf).astype(float).to_numpy()
    fallback = cx.lifetime_years if default is None else default
    return np.where(np.isfinite(life) & (life > 0), life, fallback)


def overnight_per_kw(cx: ImportContext, annual_per_mw, lifetime) -> np.ndarray:
    """The overnight cost per kW whose annuity at the case's rate is ``annual_per_mw``."""
    crf = capital_recovery_factor(cx.discount_rate, np.asarray(lifetime, dtype=float))
    return np.asarray(annual_per_mw, dtype=float) / (1000.0 * crf)


def capacity(cx: ImportContext, component: str, df: pd.DataFrame,
             attr: str = "p_nom") -> tuple[np.ndarray, np.ndarray]:
    """(existing, max_new) of each row: ``{attr}_min`` and ``{attr}_max − {attr}_min`` where
    extendable (PyPSA's lower bound is what exists), ``attr`` and 0 where not."""
    ext = column(df, f"{attr}_extendable", False).astype(bool).to_numpy()
    fixed = column(df, attr, 0.0).astype(float).to_numpy()
    low = column(df, f"{attr}_min", 0.0).astype(float).to_numpy()
    high = column(df, f"{attr}_max", np.inf).astype(float).to_numpy()
    existing = np.where(ext, low, fixed)
    max_new = np.where(ext, high - low, 0.0)
    cost, _ = annual_costs(cx, df)
    shifted = ext & (np.abs(fixed - low) > 1e-9 * np.maximum(1.0, np.abs(low))) & (cost != 0)
    cx.approximated(component, flagged(df, shifted), f"{attr} ≠ {attr}_min on extendable "
                    "components", f"existing capacity = {attr}_min; PyPSA's objective (with "
                    f"include_objective_constant) differs by Σ capital_cost · ({attr} − "
                    f"{attr}_min), the same optimum")
    if (max_new < 0).any():
        cx.approximated(component, flagged(df, max_new < 0), f"{attr}_max < {attr}_min",
                        "no new capacity")
    return existing, np.clip(max_new, 0.0, None)


def nonnegative(cx: ImportContext, component: str, df: pd.DataFrame, values, what: str):
    """``values`` clipped at 0, with a note naming the rows that were negative."""
    values = np.asarray(values, dtype=float)
    cx.approximated(component, flagged(df, values < 0), f"negative {what}", "set to 0")
    return np.clip(values, 0.0, None)


def time_mean(cx: ImportContext, component: str, attr: str, df: pd.DataFrame) -> np.ndarray:
    """Static value of a static-or-series attribute; time-varying ones are replaced by their
    weighted mean (noted)."""
    values = dense(cx, component, attr, df.index)
    varying = (values.max() - values.min()).abs().to_numpy() > 1e-12
    cx.approximated(component, flagged(df, varying), f"time-varying {attr}",
                    "replaced by its mean weighted by the snapshot weightings")
    if not len(values):
        return np.zeros(len(df))
    w = cx.weights.to_numpy(float)
    return np.where(varying, (values.to_numpy().T @ w) / w.sum(), values.iloc[0].to_numpy())


def meta_ties(cx: ImportContext) -> list:
    """Capacity ties of a network exported by WattBit: [a, b, k] for p_nom[a] = k · p_nom[b]."""
    meta = getattr(cx.network, "meta", None) or {}
    return list((meta.get("wattbit") or {}).get("equal_capacity", []))


def meta_duration(cx: ImportContext, store: str) -> float:
    meta = getattr(cx.network, "meta", None) or {}
    for tie in (meta.get("wattbit") or {}).get("duration", []):
        if tie[0] == store:
            return float(tie[2])
    return np.nan
