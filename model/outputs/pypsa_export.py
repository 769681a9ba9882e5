"""Export a case, and optionally a run of it, as a PyPSA network (``export-pypsa``).

    from model.outputs.pypsa_export import to_pypsa, extra_functionality
    n = to_pypsa("data/cases/two-region", run="runs/two-region")
    n.statistics()                       # WattBit's result in PyPSA's own tools
    n.export_to_netcdf("two-region.nc")

The network, component by component:

- region → Bus (carrier AC, x/y = the node's lon/lat) with a Load (``load.csv``), its
  polygon in ``n.shapes``; unserved power → a Generator of carrier ``unserved`` at each
  region with load, marginal_cost = value of lost load;
- generator (node × tech) → Generator: p_nom = p_nom_min = existing_mw, p_nom_max = existing
  + max_new_mw, capital_cost = 1000 · CRF · capex_per_kw, fom_cost = 1000 ·
  fixed_om_per_kw_year, marginal_cost = var_om + fuel, p_max_pu = profile, carrier = tech
  (its co2_emissions = co2_t_per_mwh);
- storage of fixed duration whose existing energy is duration × power → StorageUnit
  (max_hours = duration_hours, capital_cost for the power and its energy);
- other storage → a Store on a bus of its own, a charger Link (grid → store, rated at the
  grid) and a discharger Link (store → grid, rated at its input: MW / η_d), PyPSA-Eur's
  battery;
- lossless corridor → one Link with p_min_pu = −1; lossy corridor → two one-way Links
  ``name`` and ``name reversed`` of efficiency 1 − λ;
- data-centre site → a Bus at the site, a Load ``<site> data centre`` (the run's site power;
  0 without a run) and a Link ``<site> grid connection`` from the host region (two-way where
  grid_export);
- ``policies.co2_cap_t`` → GlobalConstraint ``CO2Limit`` (primary_energy, co2_emissions).

WattBit sizes a storage's charge and discharge with one rating, and a lossy corridor's two
directions with one capacity. PyPSA ties such links in ``extra_functionality`` (as PyPSA-Eur
does); the ties are stored in ``n.meta["wattbit"]`` and :func:`extra_functionality` adds them:

    n.optimize(extra_functionality=extra_functionality, include_objective_constant=True)

gives WattBit's objective on plain cases (capital costs of existing capacity are PyPSA's
objective constant). Cases without freely sized lossy storage and expandable lossy corridors
need no ties. Not exported (listed in ``n.meta["wattbit"]["notes"]``): compute demand,
latency and the siting decision (WattBit's own), integer blocks and modules, policy levers
other than the CO2 cap and price, and capacity credits.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from model.formulation import policies
from model.inputs import case as inputs_case
from model.inputs.case import Case
from model.inputs.derived import availability, generator_units, storage_units
from model.inputs.finance import capital_recovery_factor
from model.inputs.problems import CaseError, Problem
from model.inputs.pypsa_common import UNSERVED_CARRIER
from model.inputs.pypsa_import import require_pypsa
from model.outputs.pypsa_results import fill_run, put_series

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf"]
COMPONENTS = {"Carrier": "carriers", "Bus": "buses", "Load": "loads", "Generator": "generators",
              "StorageUnit": "storage_units", "Store": "stores", "Link": "links"}


@dataclass
class Builder:
    """Rows collected per component, added in one call each (``n.add`` is slow per row)."""

    case: Case
    snapshots: pd.Index
    fom_attr: bool = True  # PyPSA >= 1.1 has fom_cost
    rows: dict = field(default_factory=lambda: {c: [] for c in COMPONENTS})
    series: dict = field(default_factory=dict)  # (component, attr) -> {name: values}
    ties: list = field(default_factory=list)  # [a, b, k]: p_nom[a] = k * p_nom[b]
    durations: list = field(default_factory=list)  # [store, charger, d, e0, p0]
    notes: list = field(default_factory=list)
    index: dict = field(default_factory=dict)  # what each case row became (for the run)

    def add(self, component: str, name: str, ts: dict | None = None, **attrs) -> None:
        self.rows[component].append({"name": name, **attrs})
        for attr, values in (ts or {}).items():
            self.series.setdefault((component, attr), {})[name] = np.asarray(values, float)

    def fixed_costs(self, annual_capex, fom_per_mw) -> dict:
        if self.fom_attr:
            return {"capital_cost": annual_capex, "fom_cost": fom_per_mw}
        return {"capital_cost": annual_capex + fom_per_mw}

    @property
    def crf(self):
        return lambda lifetime: capital_recovery_factor(self.case.discount_rate, lifetime)


def load_for_export(case_or_path) -> Case:
    """A validated full-time case from a Case or a case folder."""
    if isinstance(case_or_path, Case):
        case = case_or_path
        return case.full_time_case if case.reduction is not None else case
    return inputs_case.load_case(case_or_path, checks=(policies.validate_policies,),
                                 policy_keys=policies.LEVERS)


def to_pypsa(case_or_path, run: str | Path | None = None):
    """The case (a Case or a folder) as a pypsa.Network; with ``run`` (a run folder of this
    case) the optimised capacities, dispatch and prices filled in."""
    case = load_for_export(case_or_path)
    if not case.investment.static:
        # the periods, vintages and lead times would need PyPSA's investment_periods and one
        # component per build year: not mapped yet, so say so rather than export a static year
        raise CaseError([Problem("case.yaml", "export-pypsa handles static cases only; this "
                                 "case has investment periods", column="periods",
                                 hint="remove `periods` to export its static year")])
    with warnings.catch_warnings():  # PyPSA 1.4 under pandas 3: string dtypes, not ours
        warnings.simplefilter("ignore", FutureWarning)
        n, b = build_network(case)
        if run is not None:
            b.notes += fill_run(n, case, Path(run), b.index)
    n.meta["wattbit"]["notes"] = b.notes
    return n


def write_network(n, path: str | Path) -> Path:
    """Write ``n`` as netCDF (.nc), HDF5 (.h5) or a folder of CSV files (anything else)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".nc":
        n.export_to_netcdf(str(path))
    elif path.suffix == ".h5":
        n.export_to_hdf5(str(path))
    else:
        n.export_to_csv_folder(str(path))
    return path


def _snapshots(time: pd.Index) -> pd.Index:
    labels = pd.Index([str(t) for t in time])
    if len(labels) and all(re.match(r"^\d{4}-\d{2}-\d{2}", s) for s in labels):
        try:
            return pd.DatetimeIndex(pd.to_datetime(labels, format="ISO8601"), name="snapshot")
        except (ValueError, TypeError):
            pass
    return pd.Index(labels, name="snapshot")


def build_network(case: Case):
    """(network, builder) for a validated full-time case."""
    pypsa = require_pypsa()
    n = pypsa.Network(name=case.name)
    b = Builder(case, _snapshots(case.time), fom_attr="fom_cost" in n.generators.columns)
    n.set_snapshots(b.snapshots)
    n.snapshot_weightings.loc[:, "objective"] = case.weights
    n.snapshot_weightings.loc[:, "generators"] = case.weights
    n.snapshot_weightings.loc[:, "stores"] = case.hours
    _buses(b)
    _generators(b)
    _storage(b)
    _corridors(b)
    _sites(b)
    _carriers(b)
    for component in COMPONENTS:
        if b.rows[component]:
            table = pd.DataFrame(b.rows[component]).set_index("name")
            n.add(component, table.index, **{c: table[c].to_numpy() for c in table.columns})
    for (component, attr), by_name in b.series.items():
        put_series(n, COMPONENTS[component], attr, by_name)
    _shapes(n, case)
    _policies(n, b)
    n.meta["wattbit"] = {"case": case.name, "equal_capacity": b.ties,
                         "duration": b.durations, "notes": b.notes}
    return n, b


def _buses(b: Builder) -> None:
    case = b.case
    for rid, row in case.regions.iterrows():
        b.add("Bus", rid, x=float(row["lon"]), y=float(row["lat"]), carrier="AC",
              country=str(row.get("group", "") or ""))
        demand = case.load[rid].to_numpy(float)
        b.add("Load", rid, bus=rid, carrier="load", ts={"p_set": demand})
        if demand.max() > 0:
            b.add("Generator", f"{rid} unserved", bus=rid, carrier=UNSERVED_CARRIER,
                  p_nom=float(demand.max()), p_nom_extendable=False,
                  marginal_cost=case.value_of_lost_load)


def _extendable(existing: float, max_new: float) -> dict:
    if max_new > 0:
        return {"p_nom": existing, "p_nom_min": existing, "p_nom_max": existing + max_new,
                "p_nom_extendable": True}
    return {"p_nom": existing, "p_nom_min": 0.0, "p_nom_max": np.inf,
            "p_nom_extendable": False}


def _co2_price(b: Builder) -> float:
    return float(b.case.policies.get("co2_price_per_t") or 0.0)


def _generators(b: Builder) -> None:
    gen = generator_units(b.case)
    if not len(gen):
        return
    cf = availability(b.case, gen)
    crf = b.crf(gen["lifetime_years"].to_numpy(float))
    for i, (unit, g) in enumerate(gen.iterrows()):
        name = f"{g['node']} {g['tech']}"
        marginal = (g["var_om_per_mwh"] + g["fuel_cost_per_mwh"]
                    + _co2_price(b) * g["co2_t_per_mwh"])
        b.add("Generator", name, bus=g["node"], carrier=g["tech"], marginal_cost=marginal,
              lifetime=float(g["lifetime_years"]), ts={"p_max_pu": cf[i]},
              **_extendable(g["existing_mw"], g["max_new_mw"]),
              **b.fixed_costs(1000.0 * crf[i] * g["capex_per_kw"],
                              1000.0 * g["fixed_om_per_kw_year"]))
        b.index[("gen", unit)] = name


def _storage(b: Builder) -> None:
    sto = storage_units(b.case)
    crf = b.crf(sto["lifetime_years"].to_numpy(float)) if len(sto) else []
    for i, (unit, s) in enumerate(sto.iterrows()):
        d = float(s["duration_hours"])
        if np.isfinite(d) and abs(s["existing_mwh"] - d * s["existing_mw"]) <= 1e-9 * max(
                1.0, s["existing_mwh"]):
            _storage_unit(b, unit, s, d, crf[i])
        else:
            _store(b, unit, s, d, crf[i])


def _storage_unit(b: Builder, unit: str, s: pd.Series, d: float, crf: float) -> None:
    name = f"{s['node']} {s['tech']}"
    max_new = min(s["max_new_mw"], s["max_new_mwh"] / d)
    b.add("StorageUnit", name, bus=s["node"], carrier=s["tech"], max_hours=d,
          efficiency_store=s["efficiency_charge"], efficiency_dispatch=s["efficiency_discharge"],
          marginal_cost=s["var_om_per_mwh"], cyclic_state_of_charge=True,
          lifetime=float(s["lifetime_years"]), **_extendable(s["existing_mw"], max_new),
          **b.fixed_costs(1000.0 * crf * (s["capex_per_kw"] + d * s["capex_per_kwh"]),
                          1000.0 * s["fixed_om_per_kw_year"]))
    b.index[("sto", unit)] = ("StorageUnit", name)


def _store(b: Builder, unit: str, s: pd.Series, d: float, crf: float) -> None:
    """Store + charger + discharger, with the ties of one power rating (and duration)."""
    node, tech, life = s["node"], s["tech"], float(s["lifetime_years"])
    bus, eff_c, eff_d = f"{node} {tech}", s["efficiency_charge"], s["efficiency_discharge"]
    max_mwh = min(s["max_new_mwh"], d * s["max_new_mw"]) if np.isfinite(d) else s["max_new_mwh"]
    b.add("Bus", bus, x=float(b.case.nodes.at[node, "lon"]),
          y=float(b.case.nodes.at[node, "lat"]), carrier=tech, country="")
    energy = _extendable(s["existing_mwh"], max_mwh)
    b.add("Store", bus, bus=bus, carrier=tech, e_cyclic=True, lifetime=life,
          capital_cost=1000.0 * crf * s["capex_per_kwh"],
          **{k.replace("p_nom", "e_nom"): v for k, v in energy.items()})
    power = _extendable(s["existing_mw"], s["max_new_mw"])
    charger, discharger = f"{bus} charger", f"{bus} discharger"
    b.add("Link", charger, bus0=node, bus1=bus, carrier=f"{tech} charger", efficiency=eff_c,
          p_min_pu=0.0, lifetime=life, marginal_cost=0.0, length=0.0, **power,
          **b.fixed_costs(1000.0 * crf * s["capex_per_kw"], 1000.0 * s["fixed_om_per_kw_year"]))
    b.add("Link", discharger, bus0=bus, bus1=node, carrier=f"{tech} discharger",
          efficiency=eff_d, p_min_pu=0.0, lifetime=life, length=0.0,
          marginal_cost=s["var_om_per_mwh"] * eff_d,
          **{k: v / eff_d if k != "p_nom_extendable" else v for k, v in power.items()},
          **b.fixed_costs(0.0, 0.0))
    b.ties.append([charger, discharger, float(eff_d)])
    if np.isfinite(d):
        b.durations.append([bus, charger, d, float(s["existing_mwh"]), float(s["existing_mw"])])
    b.index[("sto", unit)] = ("Store", bus, charger, discharger, float(eff_c), float(eff_d))


def _corridors(b: Builder) -> None:
    cor = b.case.corridors
    crf = b.crf(cor["lifetime_years"].to_numpy(float)) if len(cor) else []
    taken: set[str] = set()
    for i, c in cor.reset_index(drop=True).iterrows():
        name = str(c["name"])
        while name in taken:
            name += "'"
        taken.add(name)
        loss = float(c["loss_per_1000km"] * c["length_km"] / 1000.0)
        common = dict(carrier="corridor", length=float(c["length_km"]),
                      lifetime=float(c["lifetime_years"]), marginal_cost=0.0,
                      **_extendable(float(c["existing_mw"]), float(c["max_new_mw"])))
        cost = b.fixed_costs(crf[i] * c["cost_per_mw_km"] * c["length_km"], 0.0)
        if np.isfinite(c["block_mw"]):
            b.notes.append(f"corridor {name}: integer blocks of {c['block_mw']:g} MW exported "
                           "as continuous capacity")
        if loss == 0:
            b.add("Link", name, bus0=c["from"], bus1=c["to"], p_min_pu=-1.0, efficiency=1.0,
                  **common, **cost)
            b.index[("cor", i)] = (name,)
            continue
        back = f"{name} reversed"
        b.add("Link", name, bus0=c["from"], bus1=c["to"], p_min_pu=0.0, efficiency=1 - loss,
              **common, **cost)
        b.add("Link", back, bus0=c["to"], bus1=c["from"], p_min_pu=0.0, efficiency=1 - loss,
              **common, **b.fixed_costs(0.0, 0.0))
        b.ties.append([back, name, 1.0])
        b.index[("cor", i)] = (name, back)


def _sites(b: Builder) -> None:
    """Site buses, their (run-filled) loads and grid connections to the host regions."""
    sites = b.case.sites
    if not len(sites):
        return
    crf = b.crf(sites["grid_lifetime_years"].to_numpy(float))
    for i, (sid, s) in enumerate(sites.iterrows()):
        b.add("Bus", sid, x=float(s["lon"]), y=float(s["lat"]), carrier="AC",
              country=str(s.get("group", "") or ""))
        b.add("Load", f"{sid} data centre", bus=sid, carrier="data centre",
              ts={"p_set": np.zeros(len(b.snapshots))})
        link = f"{sid} grid connection"
        extend = float(s["grid_limit_mw"]) - float(s["grid_existing_mw"])
        b.add("Link", link, bus0=s["region"], bus1=sid, carrier="grid connection",
              efficiency=1.0, p_min_pu=-1.0 if s["grid_export"] else 0.0, marginal_cost=0.0,
              length=0.0, lifetime=float(s["grid_lifetime_years"]),
              **_extendable(float(s["grid_existing_mw"]), extend),
              **b.fixed_costs(crf[i] * 1000.0 * s["grid_cost_per_kw"], 0.0))
        b.index[("site", sid)] = (link, f"{sid} data centre")
    b.notes.append("data-centre sites: buses with a load (the run's site power; 0 without a "
                   "run) and a grid connection; compute demand, latency, IT capacity and the "
                   "siting decision are WattBit's and are not in the network")


def _carriers(b: Builder) -> None:
    tech = b.case.technologies
    names = list(dict.fromkeys(
        [r["carrier"] for c in ("Generator", "StorageUnit", "Store", "Link", "Load", "Bus")
         for r in b.rows[c]]))
    for i, name in enumerate(names):
        co2 = float(tech.at[name, "co2_t_per_mwh"]) if name in tech.index else 0.0
        b.add("Carrier", name, co2_emissions=co2, color=PALETTE[i % len(PALETTE)],
              nice_name=name)


def _shapes(n, case: Case) -> None:
    """Region polygons as n.shapes (PyPSA >= 0.27), for PyPSA's maps."""
    areas = case.regions[case.regions.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    if not len(areas) or not hasattr(n, "shapes"):
        return
    n.add("Shape", [f"region {r}" for r in areas.index], geometry=list(areas.geometry),
          component="Bus", idx=list(areas.index), type="region")


def _policies(n, b: Builder) -> None:
    pol = b.case.policies
    if pol.get("co2_cap_t") is not None:
        n.add("GlobalConstraint", "CO2Limit", type="primary_energy",
              carrier_attribute="co2_emissions", sense="<=", constant=float(pol["co2_cap_t"]))
    if pol.get("co2_price_per_t"):
        b.notes.append("co2_price_per_t: added to the generators' marginal_cost")
    rest = sorted(k for k in pol if k not in ("co2_cap_t", "co2_price_per_t"))
    if rest:
        b.notes.append(f"policy levers not exported (no PyPSA counterpart): {', '.join(rest)}")


def extra_functionality(n, snapshots) -> None:
    """The ties of a WattBit network: one rating for a storage's charger and discharger and
    for a lossy corridor's two directions, and fixed storage durations (from n.meta)."""
    meta = (getattr(n, "meta", None) or {}).get("wattbit") or {}
    m = n.model
    ext = set(n.links.index[n.links["p_nom_extendable"].astype(bool)])
    ties = [t for t in meta.get("equal_capacity", []) if t[0] in ext and t[1] in ext]
    if ties:
        p = m["Link-p_nom"]
        k = np.array([float(t[2]) for t in ties])
        m.add_constraints(p.loc[[t[0] for t in ties]] - p.loc[[t[1] for t in ties]] * k == 0,
                          name="wattbit-equal-capacity")
    stores = set(n.stores.index[n.stores["e_nom_extendable"].astype(bool)])
    dur = [t for t in meta.get("duration", []) if t[0] in stores and t[1] in ext]
    if dur:
        e, p = m["Store-e_nom"], m["Link-p_nom"]
        d = np.array([float(t[2]) for t in dur])
        lhs = e.loc[[t[0] for t in dur]] - p.loc[[t[1] for t in dur]] * d
        rhs = np.array([float(t[3]) - float(t[2]) * float(t[4]) for t in dur])
        m.add_constraints(lhs == lhs.const * 0 + rhs, name="wattbit-duration")
