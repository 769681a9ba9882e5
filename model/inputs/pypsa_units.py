"""PyPSA generators, storage units and stores → technologies, resources and profiles.

Mapping (every conversion not listed here is a note of the import report):

- Generator ``bus`` / ``carrier`` → resources ``node`` / ``tech`` (one tech per carrier and
  set of costs; a second unit of a tech at a node gets a tech of its own);
- ``p_nom`` (``p_nom_min`` where extendable) → ``existing_mw``; ``p_nom_max − p_nom_min``
  where extendable, else 0 → ``max_new_mw`` (empty = unlimited);
- ``capital_cost`` (or ``overnight_cost``) and ``fom_cost`` → ``capex_per_kw`` and
  ``fixed_om_per_kw_year`` (the conversion of :mod:`model.inputs.pypsa_common`);
- ``marginal_cost`` → ``var_om_per_mwh``; carrier ``co2_emissions`` / ``efficiency`` →
  ``co2_t_per_mwh`` (t per MWh of electricity), ``clean`` where it is 0;
- ``p_max_pu`` → the ``profiles.csv`` column ``node:tech`` (where not all 1);
- StorageUnit ``max_hours`` → ``duration_hours`` (existing_mwh = existing_mw · max_hours),
  ``efficiency_store`` / ``efficiency_dispatch`` → ``efficiency_charge`` /
  ``efficiency_discharge``;
- Store + charger Link (region bus → store bus) + discharger Link (store bus → region bus),
  PyPSA-Eur's battery → a storage sized freely: power from the charger (grid side), energy
  from the store; a Store directly on a region bus → a storage with free, unlimited,
  lossless power.

A storage's one power rating is the charger's (grid side); the discharger's capital cost per
MW at its input counts 1/η_d per grid-side MW, its marginal cost likewise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from model.inputs.pypsa_common import (
    ImportContext,
    active,
    annual_costs,
    capacity,
    column,
    dense,
    flagged,
    lifetimes,
    meta_duration,
    meta_ties,
    nonnegative,
    overnight_per_kw,
    time_mean,
)

TECH_COLUMNS = ["tech", "kind", "capex_per_kw", "lifetime_years", "fixed_om_per_kw_year",
                "var_om_per_mwh", "co2_t_per_mwh", "capex_per_kwh", "efficiency_charge",
                "efficiency_discharge", "duration_hours", "clean"]
RESOURCE_COLUMNS = ["node", "tech", "existing_mw", "existing_mwh", "max_new_mw", "max_new_mwh"]


@dataclass
class Unit:
    """One future row of resources.csv with its technology parameters."""

    component: str
    name: str
    node: str
    carrier: str
    params: dict  # technologies.csv columns except tech
    existing_mw: float
    max_new_mw: float
    existing_mwh: float = 0.0
    max_new_mwh: float = np.inf
    profile: np.ndarray | None = None
    names: list[tuple[str, str]] = field(default_factory=list)  # all components used


def _on_regions(cx: ImportContext, component: str, df: pd.DataFrame) -> pd.DataFrame:
    off = ~df["bus"].isin(list(cx.regions))
    cx.not_mapped(component, flagged(df, off), "components at non-electric buses",
                  "sector coupling: only buses with carrier AC or DC become regions")
    return df.loc[~off.to_numpy()]


def _static_checks(cx: ImportContext, component: str, df: pd.DataFrame, checks) -> None:
    """Notes for attributes WattBit has no counterpart for: (column, test, what, how)."""
    for col, test, what, how in checks:
        if col in df.columns:
            cx.approximated(component, flagged(df, test(df[col])), what, how)


def _series_check(cx: ImportContext, component: str, df: pd.DataFrame, attr: str, test,
                  what: str, how: str) -> None:
    values = dense(cx, component, attr, df.index)
    cx.approximated(component, flagged(df, test(values).any().to_numpy()), what, how)


def _profile(values: np.ndarray) -> np.ndarray | None:
    return None if np.allclose(values, 1.0) else np.clip(values, 0.0, 1.0)


GENERATOR_CHECKS = [
    ("committable", lambda s: s.astype(bool), "unit commitment (committable)",
     "relaxed: start-up/shut-down costs, minimum up/down times and minimum output dropped"),
    ("ramp_limit_up", lambda s: s.notna() & (s < 1), "ramp limits (ramp_limit_up)", "dropped"),
    ("ramp_limit_down", lambda s: s.notna() & (s < 1), "ramp limits (ramp_limit_down)",
     "dropped"),
    ("e_sum_max", lambda s: np.isfinite(s.astype(float)), "e_sum_max", "dropped"),
    ("e_sum_min", lambda s: np.isfinite(s.astype(float)), "e_sum_min", "dropped"),
    ("marginal_cost_quadratic", lambda s: s.astype(float) != 0,
     "quadratic marginal cost", "dropped (linear part kept)"),
    ("stand_by_cost", lambda s: s.astype(float) != 0, "stand-by cost", "dropped"),
    ("p_nom_mod", lambda s: s.astype(float) > 0, "modular expansion (p_nom_mod)",
     "continuous"),
]


def generators(cx: ImportContext, df: pd.DataFrame) -> list[Unit]:
    """Generators at region buses as units (unserved-power generators are taken out first)."""
    df = _on_regions(cx, "Generator", active(cx, "Generator", df))
    sign = column(df, "sign", 1.0).astype(float)
    cx.not_mapped("Generator", flagged(df, sign < 0), "generators with sign = -1",
                  "a negative generator is a load; WattBit has no such component")
    df = df.loc[(sign >= 0).to_numpy()]
    if df.empty:
        return []
    _static_checks(cx, "Generator", df, GENERATOR_CHECKS)
    _series_check(cx, "Generator", df, "p_min_pu", lambda v: v > 0,
                  "minimum output (p_min_pu > 0)", "dropped: WattBit's output may go to 0")
    avail = dense(cx, "Generator", "p_max_pu", df.index)
    _series_check(cx, "Generator", df, "p_max_pu", lambda v: (v < 0) | (v > 1),
                  "p_max_pu outside [0, 1]", "clipped to [0, 1]")
    marginal = nonnegative(cx, "Generator", df, time_mean(cx, "Generator", "marginal_cost", df),
                           "marginal cost")
    capital, fom = _fixed_costs(cx, "Generator", df)
    life = lifetimes(cx, df)
    existing, max_new = capacity(cx, "Generator", df)
    co2 = _co2_per_mwh(cx, df)
    units = []
    for i, name in enumerate(df.index):
        params = {"kind": "generator", "capex_per_kw": overnight_per_kw(cx, capital[i], life[i]),
                  "lifetime_years": life[i], "fixed_om_per_kw_year": fom[i] / 1000.0,
                  "var_om_per_mwh": marginal[i], "co2_t_per_mwh": co2[i],
                  "clean": "true" if co2[i] == 0 else "false"}
        units.append(Unit("Generator", str(name), cx.regions[df["bus"].iloc[i]],
                          _carrier(df, i, "generator"), params, existing[i], max_new[i],
                          profile=_profile(avail[name].to_numpy())))
    return units


def _fixed_costs(cx: ImportContext, component: str, df: pd.DataFrame):
    capital, fom = annual_costs(cx, df)
    return (nonnegative(cx, component, df, capital, "capital cost"),
            nonnegative(cx, component, df, fom, "fixed O&M cost (fom_cost)"))


def _carrier(df: pd.DataFrame, i: int, default: str) -> str:
    c = df["carrier"].iloc[i] if "carrier" in df.columns else ""
    c = str(c).strip() if c == c else ""
    return (c or default).replace(":", "_")


def _co2_per_mwh(cx: ImportContext, df: pd.DataFrame) -> np.ndarray:
    """carrier co2_emissions (t per MWh of primary energy) / efficiency."""
    carriers = cx.network.carriers
    per_primary = (carriers["co2_emissions"] if "co2_emissions" in carriers.columns
                   else pd.Series(dtype=float))
    rate = column(df, "carrier", "").map(per_primary).fillna(0.0).astype(float).to_numpy()
    eff = column(df, "efficiency", 1.0).astype(float).to_numpy()
    bad = (rate != 0) & ~(eff > 0)
    cx.approximated("Generator", flagged(df, bad), "emitting generators with efficiency ≤ 0",
                    "emissions set to 0")
    out = np.divide(rate, eff, out=np.zeros(len(df)), where=eff > 0)
    return nonnegative(cx, "Generator", df, out, "CO2 emissions (negative emissions)")


STORAGE_UNIT_CHECKS = [
    ("standing_loss", lambda s: s.astype(float) > 0, "standing losses", "dropped"),
    ("cyclic_state_of_charge", lambda s: ~s.astype(bool),
     "non-cyclic state of charge", "WattBit's storage is cyclic over the horizon"),
    ("marginal_cost_storage", lambda s: s.astype(float) != 0,
     "marginal_cost_storage", "dropped"),
    ("spill_cost", lambda s: s.astype(float) != 0, "spill cost", "dropped"),
]


def storage_units(cx: ImportContext, df: pd.DataFrame) -> list[Unit]:
    """Storage units at region buses (those with inflow are not mapped)."""
    df = _on_regions(cx, "StorageUnit", active(cx, "StorageUnit", df))
    if df.empty:
        return []
    inflow = dense(cx, "StorageUnit", "inflow", df.index).abs().sum().to_numpy() > 0
    cx.not_mapped("StorageUnit", flagged(df, inflow), "storage units with inflow (hydro "
                  "reservoirs)", "WattBit's storage has no inflow; left out")
    hours = column(df, "max_hours", 1.0).astype(float)
    cx.not_mapped("StorageUnit", flagged(df, ~(hours > 0) & ~inflow), "max_hours ≤ 0",
                  "a storage without energy; left out")
    df = df.loc[~inflow & (hours > 0).to_numpy()]
    if df.empty:
        return []
    _static_checks(cx, "StorageUnit", df, STORAGE_UNIT_CHECKS)
    _series_check(cx, "StorageUnit", df, "p_min_pu", lambda v: v != -1.0,
                  "charging limit p_min_pu ≠ -1", "WattBit charges up to the full p_nom")
    _series_check(cx, "StorageUnit", df, "p_max_pu", lambda v: v != 1.0,
                  "discharging limit p_max_pu ≠ 1", "WattBit discharges up to the full p_nom")
    marginal = nonnegative(cx, "StorageUnit", df,
                           time_mean(cx, "StorageUnit", "marginal_cost", df), "marginal cost")
    capital, fom = _fixed_costs(cx, "StorageUnit", df)
    life = lifetimes(cx, df)
    existing, max_new = capacity(cx, "StorageUnit", df)
    eff_c = _efficiency(cx, "StorageUnit", df, "efficiency_store")
    eff_d = _efficiency(cx, "StorageUnit", df, "efficiency_dispatch")
    units = []
    for i, name in enumerate(df.index):
        params = {"kind": "storage", "capex_per_kw": overnight_per_kw(cx, capital[i], life[i]),
                  "lifetime_years": life[i], "fixed_om_per_kw_year": fom[i] / 1000.0,
                  "var_om_per_mwh": marginal[i], "efficiency_charge": eff_c[i],
                  "efficiency_discharge": eff_d[i], "duration_hours": hours.iloc[i]}
        units.append(Unit("StorageUnit", str(name), cx.regions[df["bus"].iloc[i]],
                          _carrier(df, i, "storage"), params, existing[i], max_new[i],
                          existing_mwh=existing[i] * hours.iloc[i], max_new_mwh=np.nan))
    return units


def _efficiency(cx: ImportContext, component: str, df: pd.DataFrame, attr: str) -> np.ndarray:
    eff = time_mean(cx, component, attr, df)
    bad = ~((eff > 0) & (eff <= 1))
    cx.approximated(component, flagged(df, bad), f"{attr} outside (0, 1]", "set to 1")
    return np.where(bad, 1.0, eff)


def stores(cx: ImportContext, stores_df: pd.DataFrame, links: pd.DataFrame) -> list[Unit]:
    """Stores that form a storage: on a bus of their own with one charger link from a region
    bus and one discharger link back (PyPSA-Eur's battery), or directly on a region bus."""
    stores_df = active(cx, "Store", stores_df)
    units = []
    for name, row in stores_df.iterrows():
        if row["bus"] in cx.regions:
            units.append(_bare_store(cx, stores_df.loc[[name]]))
            continue
        pair = _charger_pair(cx, row["bus"], links)
        if pair is None:
            cx.not_mapped("Store", [name], "stores not part of a charger/discharger pair",
                          "sector coupling or a multi-link storage: left out")
            continue
        units.append(_linked_store(cx, stores_df.loc[[name]], links.loc[list(pair)]))
        cx.used.update([("Link", str(x)) for x in pair] + [("Bus", str(row["bus"]))])
    return units


def _charger_pair(cx: ImportContext, bus: str, links: pd.DataFrame) -> tuple | None:
    """(charger, discharger) link names if the store's bus holds only the store and them."""
    net = cx.network
    others = [df for df in (net.generators, net.loads, net.storage_units) if (df["bus"] == bus)
              .any()]
    if others or (net.stores["bus"] == bus).sum() != 1:
        return None
    ends = [c for c in links.columns if c.startswith("bus") and c[3:].isdigit()]
    touching = links[(links[ends] == bus).any(axis=1)]
    if len(touching) != 2 or any(str(v).strip() for c in ends[2:] for v in touching[c]):
        return None
    into = touching[(touching["bus1"] == bus) & touching["bus0"].isin(list(cx.regions))]
    out = touching[(touching["bus0"] == bus) & touching["bus1"].isin(list(cx.regions))]
    if len(into) != 1 or len(out) != 1 or into["bus0"].iloc[0] != out["bus1"].iloc[0]:
        return None
    return into.index[0], out.index[0]


def _store_energy(cx: ImportContext, store: pd.DataFrame) -> dict:
    _static_checks(cx, "Store", store, [
        ("standing_loss", lambda s: s.astype(float) > 0, "standing losses",
         "dropped"),
        ("e_cyclic", lambda s: ~s.astype(bool), "non-cyclic stores",
         "WattBit's storage is cyclic over the horizon"),
        ("marginal_cost", lambda s: s.astype(float) != 0, "Store marginal cost",
         "dropped (the discharger's marginal cost is kept)"),
        ("marginal_cost_storage", lambda s: s.astype(float) != 0,
         "marginal_cost_storage", "dropped")])
    existing, max_new = capacity(cx, "Store", store, "e_nom")
    capital, fom = annual_costs(cx, store)  # fom per MWh-year joins the annuity: exact
    return {"existing_mwh": existing[0], "max_new_mwh": max_new[0],
            "annual_per_mwh": max(capital[0] + fom[0], 0.0)}


def _bare_store(cx: ImportContext, store: pd.DataFrame) -> Unit:
    e = _store_energy(cx, store)
    life = lifetimes(cx, store)[0]
    params = {"kind": "storage", "capex_per_kw": 0.0, "lifetime_years": life,
              "capex_per_kwh": overnight_per_kw(cx, e["annual_per_mwh"], life)}
    return Unit("Store", str(store.index[0]), cx.regions[store["bus"].iloc[0]],
                _carrier(store, 0, "store"), params, 0.0, np.inf, e["existing_mwh"],
                e["max_new_mwh"])


def _linked_store(cx: ImportContext, store: pd.DataFrame, pair: pd.DataFrame) -> Unit:
    charger, discharger = pair.iloc[[0]], pair.iloc[[1]]
    e = _store_energy(cx, store)
    eff_c = _efficiency(cx, "Link", charger, "efficiency")[0]
    eff_d = _efficiency(cx, "Link", discharger, "efficiency")[0]
    cap_c, fom_c = annual_costs(cx, charger)
    cap_d, fom_d = annual_costs(cx, discharger)
    mc_c = time_mean(cx, "Link", "marginal_cost", charger)[0]
    mc_d = time_mean(cx, "Link", "marginal_cost", discharger)[0]
    cx.approximated("Link", flagged(charger, [mc_c != 0]), "charger marginal cost",
                    "dropped: WattBit's storage has a cost per MWh discharged only")
    existing, max_new = capacity(cx, "Link", charger)
    tied = [str(charger.index[0]), str(discharger.index[0])] in [
        list(t[:2]) for t in meta_ties(cx)]
    if not tied:
        cx.approximated("Link", [charger.index[0], discharger.index[0]],
                        "charger and discharger sized separately",
                        "one power rating at the grid side (the charger's), as PyPSA-Eur "
                        "ties battery chargers and dischargers")
    life = lifetimes(cx, charger)[0]
    params = {"kind": "storage", "lifetime_years": life,
              "capex_per_kw": overnight_per_kw(cx, max(cap_c[0] + cap_d[0] / eff_d, 0), life),
              "fixed_om_per_kw_year": max(fom_c[0] + fom_d[0] / eff_d, 0.0) / 1000.0,
              "var_om_per_mwh": max(mc_d / eff_d, 0.0), "efficiency_charge": eff_c,
              "efficiency_discharge": eff_d,
              "capex_per_kwh": overnight_per_kw(cx, e["annual_per_mwh"], life),
              "duration_hours": meta_duration(cx, store.index[0])}
    unit = Unit("Store", str(store.index[0]), cx.regions[charger["bus0"].iloc[0]],
                _carrier(store, 0, "store"), params, existing[0], max_new[0],
                e["existing_mwh"], e["max_new_mwh"])
    unit.names = [("Link", str(charger.index[0])), ("Link", str(discharger.index[0]))]
    return unit


def technologies(cx: ImportContext, units: list[Unit]):
    """technologies.csv and resources.csv (in the order of the units): one tech per
    carrier and parameter set; a second unit of a tech at the same node gets a tech of its
    own (resources are one row per node × tech)."""
    variants: dict[tuple, str] = {}
    taken: set[str] = set()
    seen: dict[tuple, int] = {}
    techs, resources = [], []
    for u in units:
        key = (u.carrier, tuple(sorted((k, _rounded(v)) for k, v in u.params.items())))
        k = seen.get((key, u.node), 0)
        seen[(key, u.node)] = k + 1
        if (key, k) not in variants:
            name = _free_name(u.carrier, taken)
            variants[(key, k)] = name
            techs.append({"tech": name, **u.params})
        tech = variants[(key, k)]
        resources.append({"node": u.node, "tech": tech, "existing_mw": u.existing_mw,
                          "existing_mwh": u.existing_mwh, "max_new_mw": u.max_new_mw,
                          "max_new_mwh": u.max_new_mwh})
        cx.record(u.component, [u.name], f"resources.csv {u.node}:{tech}")
        for component, name in u.names:
            cx.record(component, [name], f"resources.csv {u.node}:{tech}")
    tech_df = pd.DataFrame(techs, columns=TECH_COLUMNS)
    defaults = {"fixed_om_per_kw_year": 0.0, "var_om_per_mwh": 0.0, "co2_t_per_mwh": 0.0,
                "capex_per_kwh": 0.0, "efficiency_charge": 1.0, "efficiency_discharge": 1.0,
                "clean": "false"}
    tech_df = tech_df.fillna(defaults)
    res_df = pd.DataFrame(resources, columns=RESOURCE_COLUMNS)
    return tech_df, res_df


def _rounded(v):
    if isinstance(v, float | np.floating) and np.isfinite(v) and v != 0:
        return float(f"{v:.10g}")
    return v if v == v else None


def _free_name(base: str, taken: set[str]) -> str:
    name, i = base, 1
    while name in taken:
        i += 1
        name = f"{base}-{i}"
    taken.add(name)
    return name
