"""A run folder's results in an exported PyPSA network (``export-pypsa --run``).

Capacities (``capacity.csv``, ``corridors.csv``, ``sites.csv``) become ``p_nom_opt`` /
``e_nom_opt``; the dispatch (``dispatch.csv``) becomes ``p`` of generators, storage units,
stores and links (``p0``/``p1``), storage state of charge and the data-centre loads; the
prices (``prices.csv``) become ``buses_t.marginal_price``. Then ``n.statistics()`` and
PyPSA's plotting read WattBit's result. A run with representative days (fewer steps than the
case) fills in the capacities only.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from model.inputs.case import Case

NOMINAL = (("generators", "p_nom"), ("storage_units", "p_nom"), ("stores", "e_nom"),
           ("links", "p_nom"))


def fill_run(n, case: Case, run: Path, index: dict) -> list[str]:
    """Fill the network with the run's results; returns notes on what was left out."""
    summary_file = run / "summary.json"
    if not summary_file.exists():
        raise FileNotFoundError(f"{run}: not a complete run folder (no summary.json)")
    summary = json.loads(summary_file.read_text())
    if summary.get("status") not in ("optimal", "time_limit") or not (run / "capacity.csv") \
            .exists():
        raise ValueError(f"{run}: the run has no solution (status {summary.get('status')})")
    if summary.get("case") not in (None, case.name):
        raise ValueError(f"{run} is a run of case '{summary.get('case')}', not '{case.name}'")
    for list_name, attr in NOMINAL:
        df = getattr(n, list_name)
        df[f"{attr}_opt"] = df[attr]
    notes = []
    if summary.get("scenarios"):
        notes.append(f"run {run.name} applied scenarios {summary['scenarios']}: the network's "
                     "costs and limits are the case's without them")
    _capacities(n, case, run, index)
    n.meta["wattbit"]["objective"] = summary.get("objective")
    n.meta["wattbit"]["run"] = str(run)
    dispatch = pd.read_csv(run / "dispatch.csv", dtype={"time": str})
    if list(dispatch["time"]) != [str(t) for t in case.time]:
        return notes + [f"run {run.name}: {len(dispatch)} (representative) steps, not the "
                        f"case's {len(n.snapshots)}: capacities filled in, dispatch and "
                        "prices left out"]
    _dispatch(n, case, dispatch, index)
    _prices(n, case, run)
    return notes


def _capacities(n, case: Case, run: Path, index: dict) -> None:
    cap = pd.read_csv(run / "capacity.csv", dtype={"node": str, "tech": str})
    for _, r in cap.iterrows():
        unit = f"{r['node']}:{r['tech']}"
        if ("gen", unit) in index:
            n.generators.loc[index[("gen", unit)], "p_nom_opt"] = r["total_mw"]
            continue
        kind = index[("sto", unit)]
        if kind[0] == "StorageUnit":
            n.storage_units.loc[kind[1], "p_nom_opt"] = r["total_mw"]
            continue
        _, store, charger, discharger, _, eff_d = kind
        n.stores.loc[store, "e_nom_opt"] = r["existing_mwh"] + r["new_mwh"]
        n.links.loc[charger, "p_nom_opt"] = r["total_mw"]
        n.links.loc[discharger, "p_nom_opt"] = r["total_mw"] / eff_d
    cor_file = run / "corridors.csv"
    if len(case.corridors) and cor_file.exists():
        cor = pd.read_csv(cor_file)
        for i, total in enumerate(cor["total_mw"]):
            for link in index[("cor", i)]:
                n.links.loc[link, "p_nom_opt"] = total
    if len(case.sites) and (run / "sites.csv").exists():
        sites = pd.read_csv(run / "sites.csv", dtype={"site": str})
        for _, s in sites.iterrows():
            n.links.loc[index[("site", s["site"])][0], "p_nom_opt"] = s["grid_connection_mw"]


def put_series(n, list_name: str, attr: str, columns: dict) -> None:
    """A time series table of a component (columns named as PyPSA names its index)."""
    if columns:
        df = pd.DataFrame(columns, index=n.snapshots)
        df.columns.name = getattr(n, list_name).index.name
        getattr(n, f"{list_name}_t")[attr] = df


def _dispatch(n, case: Case, d: pd.DataFrame, index: dict) -> None:
    zero = np.zeros(len(d))

    def col(key: str) -> np.ndarray:
        return d[key].to_numpy(float) if key in d.columns else zero

    gens = {name: col(unit) for (kind, unit), name in index.items() if kind == "gen"}
    for rid in case.regions.index:
        if f"{rid} unserved" in n.generators.index:
            gens[f"{rid} unserved"] = col(f"{rid}:unserved")
    put_series(n, "generators", "p", gens)
    _storage(n, index, col)
    links = _corridor_flows(case, index, col)
    links.update(_site_flows(n, case, index, col))
    links.update(_store_links(index, col))
    put_series(n, "links", "p0", links)
    put_series(n, "links", "p1", {k: -v * float(n.links.at[k, "efficiency"])
                                  for k, v in links.items()})
    put_series(n, "links", "p", links)
    p_set = n.get_switchable_as_dense("Load", "p_set")
    put_series(n, "loads", "p", {c: p_set[c].to_numpy(float) for c in p_set.columns})


def _storage(n, index: dict, col) -> None:
    su, su_store, su_disp, su_soc, st_p, st_e = {}, {}, {}, {}, {}, {}
    for (kind, unit), value in index.items():
        if kind != "sto":
            continue
        dis, ch, soc = col(f"{unit}:discharge"), col(f"{unit}:charge"), col(f"{unit}:soc_mwh")
        if value[0] == "StorageUnit":
            su[value[1]], su_disp[value[1]], su_store[value[1]] = dis - ch, dis, ch
            su_soc[value[1]] = soc
        else:
            _, store, _, _, eff_c, eff_d = value
            st_p[store], st_e[store] = dis / eff_d - eff_c * ch, soc
    put_series(n, "storage_units", "p", su)
    put_series(n, "storage_units", "p_dispatch", su_disp)
    put_series(n, "storage_units", "p_store", su_store)
    put_series(n, "storage_units", "state_of_charge", su_soc)
    put_series(n, "stores", "p", st_p)
    put_series(n, "stores", "e", st_e)


def _store_links(index: dict, col) -> dict:
    out = {}
    for (kind, unit), value in index.items():
        if kind == "sto" and value[0] == "Store":
            _, _, charger, discharger, _, eff_d = value
            out[charger] = col(f"{unit}:charge")
            out[discharger] = col(f"{unit}:discharge") / eff_d
    return out


def _corridor_flows(case: Case, index: dict, col) -> dict:
    out = {}
    for i, name in enumerate(case.corridors["name"]):
        flow = col(f"flow:{name}")
        links = index[("cor", i)]
        if len(links) == 1:
            out[links[0]] = flow
        else:
            out[links[0]], out[links[1]] = np.clip(flow, 0, None), np.clip(-flow, 0, None)
    return out


def _site_flows(n, case: Case, index: dict, col) -> dict:
    """Grid connection flow region → site = site power − on-site supply (the site's
    balance); the site's load = its power."""
    out, loads = {}, {}
    for sid in case.sites.index:
        link, load = index[("site", sid)]
        power = col(f"{sid}:dc_power")
        onsite = [col(u) for (k, u) in index if k == "gen" and u.split(":")[0] == sid]
        onsite += [col(f"{u}:discharge") - col(f"{u}:charge")
                   for (k, u) in index if k == "sto" and u.split(":")[0] == sid]
        out[link] = power - sum(onsite, np.zeros(len(power)))
        loads[load] = power
    if loads:
        p_set = n.loads_t.p_set
        put_series(n, "loads", "p_set", {**{c: p_set[c].to_numpy() for c in p_set.columns},
                                         **loads})
        _unserved_room(n, case, index, loads)
    return out


def _unserved_room(n, case: Case, index: dict, loads: dict) -> None:
    """Unserved power at a region may reach its load plus its sites' loads."""
    for rid in case.regions.index:
        name = f"{rid} unserved"
        hosted = [loads[index[("site", s)][1]] for s in case.sites.index
                  if case.sites.at[s, "region"] == rid]
        if name in n.generators.index and hosted:
            peak = float(np.max(case.load[rid].to_numpy() + sum(hosted)))
            n.generators.loc[name, ["p_nom", "p_nom_opt"]] = peak


def _prices(n, case: Case, run: Path) -> None:
    if not (run / "prices.csv").exists():
        return
    prices = pd.read_csv(run / "prices.csv", dtype={"node": str, "time": str})
    wide = prices.pivot(index="time", columns="node", values="price_per_mwh")
    labels = [str(t) for t in case.time]
    if not set(labels) <= set(wide.index):
        return
    wide = wide.reindex(labels)
    put_series(n, "buses", "marginal_price",
               {b: wide[b].to_numpy(float) for b in n.buses.index if b in wide.columns})
