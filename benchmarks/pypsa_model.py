"""PyPSA (linopy + HiGHS) model of a benchmark case written by :mod:`benchmarks.generate`.

A lean, idiomatic PyPSA build used for the speed comparison (``tests/pypsa_mirror.py`` is the
general mirror used by the equivalence tests; it models storage as a Store with two Links,
which makes PyPSA's LP larger than it needs to be for the fixed-duration batteries here).
It reads the case folder with pandas only and supports exactly what the generator writes:

* one bus per region with its load and an unserved-power generator (``p_nom`` = ∞ at
  ``marginal_cost`` = VoLL, as WattBit's unbounded ``unserved_mw``);
* generators ``p_nom_min = existing``, ``p_nom_max = existing + max_new``, extendable only
  when ``max_new_mw > 0`` (``coal`` is existing-only: a fixed ``p_nom``);
* fixed-duration storage as a ``StorageUnit`` (``max_hours`` = duration, grid-side
  ``p_nom`` for charge and discharge, cyclic state of charge), capital cost per MW
  = power part + duration × energy part;
* lossless corridors as bidirectional ``Link`` (``p_min_pu = −1``);
* snapshot weights: ``objective`` and ``generators`` = 8760 / H, ``stores`` = 1 (storage moves
  one hour per step, as in WattBit).

The objective is solved with ``include_objective_constant=False``; the annualised cost of
existing capacity of extendable components (``capital_cost · p_nom``) is subtracted to give
WattBit's objective (new capacity + operation + penalties).
"""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pypsa
import yaml

for _name in ("linopy", "pypsa", "highspy"):
    logging.getLogger(_name).setLevel(logging.ERROR)


def crf(rate: float, lifetime) -> np.ndarray:
    lifetime = np.asarray(lifetime, dtype=float)
    if rate == 0:
        return 1.0 / lifetime
    return rate / (1.0 - (1.0 + rate) ** (-lifetime))


def build_network(case_dir) -> pypsa.Network:
    case = Path(case_dir)
    cfg = yaml.safe_load((case / "case.yaml").read_text())
    rate = float(cfg["discount_rate"])
    voll = float(cfg.get("value_of_lost_load_per_mwh", 10000.0))
    regions = [f["properties"]["id"] for f in
               json.loads((case / "regions.geojson").read_text())["features"]]
    load = pd.read_csv(case / "load.csv", index_col="time")
    n_t = len(load)
    weight = float(cfg.get("time_step_weight_hours") or 8760.0 / n_t)
    prof = (pd.read_csv(case / "profiles.csv", index_col="time")
            if (case / "profiles.csv").exists() else pd.DataFrame(index=load.index))
    tech = pd.read_csv(case / "technologies.csv").set_index("tech")
    res = pd.read_csv(case / "resources.csv")
    cor = (pd.read_csv(case / "corridors.csv") if (case / "corridors.csv").exists()
           else pd.DataFrame(columns=["from", "to"]))
    for col, default in (("fixed_om_per_kw_year", 0.0), ("var_om_per_mwh", 0.0),
                         ("fuel_cost_per_mwh", 0.0), ("capex_per_kwh", 0.0),
                         ("efficiency_charge", 1.0), ("efficiency_discharge", 1.0)):
        tech[col] = tech[col].fillna(default) if col in tech else default
    res["existing_mw"] = res["existing_mw"].fillna(0.0)
    res["max_new_mw"] = res["max_new_mw"].fillna(np.inf)

    n = pypsa.Network()
    snapshots = pd.RangeIndex(n_t, name="snapshot")
    n.set_snapshots(snapshots)
    n.snapshot_weightings.loc[:, "objective"] = weight
    n.snapshot_weightings.loc[:, "generators"] = weight
    n.snapshot_weightings.loc[:, "stores"] = 1.0

    n.add("Bus", regions, carrier="AC")
    n.add("Load", [f"load {r}" for r in regions], bus=regions,
          p_set=pd.DataFrame(load[regions].to_numpy(float), index=snapshots,
                             columns=[f"load {r}" for r in regions]))
    n.add("Generator", [f"unserved {r}" for r in regions], bus=regions, p_nom=np.inf,
          marginal_cost=voll, carrier="unserved")

    rt = res.join(tech, on="tech")
    gen = rt[rt["kind"] == "generator"].copy()
    names = (gen["node"] + ":" + gen["tech"]).to_numpy()
    annuity = crf(rate, gen["lifetime_years"].to_numpy())
    ext = gen["max_new_mw"].to_numpy() > 0
    cf = pd.DataFrame(
        {nm: (prof[nm].to_numpy(float) if nm in prof.columns else np.ones(n_t))
         for nm in names}, index=snapshots)
    n.add("Generator", names, bus=gen["node"].to_numpy(), carrier=gen["tech"].to_numpy(),
          p_nom=gen["existing_mw"].to_numpy(float),
          p_nom_min=gen["existing_mw"].to_numpy(float),
          p_nom_max=(gen["existing_mw"] + gen["max_new_mw"]).to_numpy(float),
          p_nom_extendable=ext,
          capital_cost=1000.0 * (annuity * gen["capex_per_kw"].to_numpy()
                                 + gen["fixed_om_per_kw_year"].to_numpy()),
          marginal_cost=(gen["var_om_per_mwh"] + gen["fuel_cost_per_mwh"]).to_numpy(float),
          p_max_pu=cf)

    sto = rt[rt["kind"] == "storage"].copy()
    if len(sto):
        if sto["duration_hours"].isna().any():
            raise NotImplementedError("benchmark PyPSA model covers fixed-duration storage only")
        d = sto["duration_hours"].to_numpy(float)
        e0 = sto["existing_mwh"].fillna(0.0).to_numpy(float)
        p0 = sto["existing_mw"].to_numpy(float)
        if not np.allclose(e0, d * p0):
            raise NotImplementedError("existing storage energy must be duration × power")
        annuity = crf(rate, sto["lifetime_years"].to_numpy())
        n.add("StorageUnit", (sto["node"] + ":" + sto["tech"]).to_numpy(),
              bus=sto["node"].to_numpy(), carrier=sto["tech"].to_numpy(),
              p_nom=p0, p_nom_min=p0, p_nom_max=p0 + sto["max_new_mw"].to_numpy(float),
              p_nom_extendable=sto["max_new_mw"].to_numpy() > 0, max_hours=d,
              efficiency_store=sto["efficiency_charge"].to_numpy(float),
              efficiency_dispatch=sto["efficiency_discharge"].to_numpy(float),
              cyclic_state_of_charge=True,
              capital_cost=1000.0 * (annuity * sto["capex_per_kw"].to_numpy()
                                     + sto["fixed_om_per_kw_year"].to_numpy()
                                     + d * annuity * sto["capex_per_kwh"].to_numpy()),
              marginal_cost=sto["var_om_per_mwh"].to_numpy(float))

    if len(cor):
        if (cor.get("loss_per_1000km", pd.Series(0.0, index=cor.index)).fillna(0.0) > 0).any():
            raise NotImplementedError("benchmark PyPSA model covers lossless corridors only")
        ex = cor["existing_mw"].fillna(0.0).to_numpy(float)
        mx = cor["max_new_mw"].fillna(np.inf).to_numpy(float)
        life = cor["lifetime_years"].fillna(40.0).to_numpy(float)
        n.add("Link", [f"corridor {i}" for i in range(len(cor))],
              bus0=cor["from"].to_numpy(), bus1=cor["to"].to_numpy(), p_min_pu=-1.0,
              efficiency=1.0, p_nom=ex, p_nom_min=ex, p_nom_max=ex + mx,
              p_nom_extendable=mx > 0, carrier="corridor",
              capital_cost=crf(rate, life) * cor["cost_per_mw_km"].to_numpy(float)
              * cor["length_km"].to_numpy(float))
    return n


def existing_capital(n: pypsa.Network) -> float:
    """Σ capital_cost · p_nom over extendable components (cost of what already exists)."""
    total = 0.0
    for comp, attr in (("generators", "p_nom"), ("storage_units", "p_nom"),
                       ("links", "p_nom"), ("stores", "e_nom")):
        df = getattr(n, comp)
        if df.empty:
            continue
        ext = df[f"{attr}_extendable"].astype(bool)
        total += float((df.loc[ext, "capital_cost"] * df.loc[ext, attr]).sum())
    return total


def solve(n: pypsa.Network, solver_options: dict) -> tuple[str, str, float | None]:
    """Optimise with HiGHS through linopy's direct highspy interface."""
    status, condition = n.optimize(
        solver_name="highs",
        include_objective_constant=False,
        solver_options=dict(solver_options),
        io_api="direct",
    )
    obj = None
    if status == "ok" or getattr(n, "objective", None) is not None:
        try:
            obj = float(n.objective) - existing_capital(n)
        except (TypeError, AttributeError):
            obj = None
    if obj is not None and not math.isfinite(obj):
        obj = None
    return status, condition, obj
