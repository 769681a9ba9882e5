"""What the Leaflet map of report.html draws, as plain JSON-able data (EPSG:4326): region
polygons with their shading and numbers, corridors, sites, demand centres, the colour scale.
The drawing itself is assets/map.js."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from matplotlib.colors import to_hex

from model.report.colours import NO_DATA
from model.report.run_data import capacity_table, node_locations, sites_table
from model.report.shading import region_shading
from model.report.steps import run_load, run_steps

SCALE_LABEL = {"price": "Average power price ({cur}/MWh, weighted by base load)",
               "new_capacity": "New generation + storage (MW)"}


def _simplify(gdf, tol_deg: float):
    geom = gdf.geometry
    poly = ~geom.geom_type.isin(["Point", "MultiPoint"])
    if poly.any() and tol_deg > 0:
        geom = geom.copy()
        geom[poly] = geom[poly].simplify(tol_deg, preserve_topology=True)
    return geom


def _round_coords(obj, nd=4):
    if isinstance(obj, float):
        return round(obj, nd)
    if isinstance(obj, list | tuple):
        return [_round_coords(o, nd) for o in obj]
    return obj


def _by_tech(rc: pd.DataFrame, column: str) -> dict[str, float]:
    """MW by technology (storage marked) where above zero."""
    return {f"{t} ({k})" if k == "storage" else t: float(v)
            for t, k, v in zip(rc["tech"], rc["kind"], rc[column], strict=True) if v > 1e-6}


def _base_load(case, tables: dict) -> tuple[pd.Series | None, pd.Series | None]:
    """(peak MW, MWh per year) of base load by region from the run's tables (None without
    time-step results)."""
    steps = run_steps(tables)
    if steps is None:
        return None, None
    load = run_load(case, tables, steps.n)
    return load.max(axis=0), load.mul(steps.weights, axis=0).sum()


def _region_features(case, tables: dict, shading, colours: dict) -> list[dict]:
    regions = case.regions
    b = regions.total_bounds
    geoms = _simplify(regions, float(max(b[2] - b[0], b[3] - b[1], 0.1)) / 1500.0)
    cap = capacity_table(tables)
    peak, energy = _base_load(case, tables)
    prices = shading.prices
    feats = []
    for rid, geom in zip(regions.index, geoms, strict=True):
        rc = cap[cap["node"] == str(rid)]
        gj = json.loads(json.dumps(geom.__geo_interface__))
        gj["coordinates"] = _round_coords(gj.get("coordinates"))
        price = prices.get(rid, np.nan)
        feats.append({"type": "Feature", "geometry": gj, "properties": {
            "id": str(rid), "name": str(regions.at[rid, "name"]),
            "group": str(regions.at[rid, "group"] or ""),
            "price": float(price) if np.isfinite(price) else None,
            "new_mw": float(rc["new_mw"].sum()) if len(rc) else 0.0,
            "existing_mw": float(rc["existing_mw"].sum()) if len(rc) else 0.0,
            "new_by_tech": _by_tech(rc, "new_mw"),
            "existing_by_tech": _by_tech(rc, "existing_mw"),
            "peak_load_mw": None if peak is None else float(peak.get(rid, 0.0)),
            "load_mwh": None if energy is None else float(energy.get(rid, 0.0)),
            "colour": colours[rid],
            "lat": float(regions.at[rid, "lat"]), "lon": float(regions.at[rid, "lon"]),
        }})
    return feats


def _colour_scale(shading, cur: str) -> dict | None:
    """The legend's colour bar (None when the regions are not shaded)."""
    if shading.measure == "none":
        return None
    return {"min": shading.lo, "max": shading.hi, "extend": shading.extend,
            "stops": [to_hex(shading.cmap(x)) for x in np.linspace(0, 1, 9)],
            "label": SCALE_LABEL[shading.measure].format(cur=cur)}


def _corridor_records(case, tables: dict) -> list[dict]:
    nodes = node_locations(case)
    ct = tables.get("corridors")
    if (ct is None or not len(ct)) and len(case.corridors):  # no solution: the case's network
        ct = case.corridors[["from", "to", "name", "existing_mw", "length_km"]].assign(
            new_mw=0.0, total_mw=case.corridors["existing_mw"])
    if ct is None or not len(ct):
        return []
    cors = []
    for _, r in ct.iterrows():
        a, b = str(r["from"]), str(r["to"])
        if a not in nodes.index or b not in nodes.index:
            continue
        total = float(r.get("total_mw", r["existing_mw"] + r["new_mw"]))
        maxf = float(r.get("max_abs_flow_mw", np.nan))
        cors.append({
            "name": str(r.get("name", f"{a}-{b}")), "from": a, "to": b,
            "latlngs": [[float(nodes.at[a, "lat"]), float(nodes.at[a, "lon"])],
                        [float(nodes.at[b, "lat"]), float(nodes.at[b, "lon"])]],
            "existing_mw": float(r["existing_mw"]), "new_mw": float(r["new_mw"]),
            "total_mw": total, "length_km": float(r.get("length_km", np.nan)),
            "fwd_mwh": float(r.get("flow_forward_mwh_per_year", np.nan)),
            "bwd_mwh": float(r.get("flow_backward_mwh_per_year", np.nan)),
            "max_flow_mw": maxf,
            "utilisation": (maxf / total) if total > 0 and np.isfinite(maxf) else None,
        })
    return cors


def _served(asg, key: str, value: str, other: str) -> list[dict]:
    """Assignment rows where ``key`` is ``value``: who (``other``), class, MWh, latency."""
    if asg is None or not len(asg):
        return []
    rows = asg[asg[key].astype(str) == value]
    return [{other: str(a[other]), "class": str(a["class"]), "mwh": float(a["mwh"]),
             "latency_ms": float(a["latency_ms"])} for _, a in rows.iterrows()]


def _site_record(r, meta, served: list, onsite: pd.DataFrame) -> dict:
    sid = str(r["site"])
    # multi-period runs only: when the site comes online (a static run's data stays as it was)
    online = {k: float(r[k]) for k in ("online_year", "time_to_power_years") if k in r}
    return {**online,
        "id": sid, "name": str(r.get("name", meta.get("name", sid))),
        "region": str(r.get("region", meta.get("region", ""))),
        "group": str(meta.get("group", "") or ""),
        "lat": float(r["lat"]), "lon": float(r["lon"]),
        "built": int(r.get("built", 0)), "it_mw": float(r.get("it_mw", 0.0)),
        "max_it_mw": float(meta.get("max_it_mw", np.nan)),
        "capex_per_kw_it": float(meta.get("capex_per_kw_it", np.nan)),
        "fixed_cost": float(meta.get("fixed_cost", np.nan)),
        "pue": float(r.get("pue_mean", meta.get("pue", np.nan))),
        "idle_share": float(meta.get("idle_share", np.nan)),
        "grid_limit_mw": float(meta.get("grid_limit_mw", np.nan)),
        "utilisation": float(r.get("utilisation", np.nan)),
        "it_mwh": float(r.get("it_energy_mwh_per_year", np.nan)),
        "power_mwh": float(r.get("power_mwh_per_year", np.nan)),
        "peak_power_mw": float(r.get("peak_power_mw", np.nan)),
        "power_cost_per_mwh_it": float(r.get("power_cost_per_mwh_it", np.nan)),
        "served": served,
        "onsite": {str(t): [float(e), float(n)] for t, e, n in
                   zip(onsite["tech"], onsite["existing_mw"], onsite["new_mw"], strict=True)},
    }


def _site_records(case, tables: dict) -> list[dict]:
    cap = capacity_table(tables)
    asg = tables.get("assignment")
    sites = []
    for _, r in sites_table(case, tables).iterrows():
        sid = str(r["site"])
        meta = case.sites.loc[sid] if sid in case.sites.index else pd.Series(dtype=object)
        sites.append(_site_record(r, meta, _served(asg, "site", sid, "centre"),
                                  cap[cap["node"] == sid]))
    return sites


def _centre_records(case, tables: dict, year: int | None = None) -> list[dict]:
    dem = case.compute_demand
    if year is not None and "period" in dem:  # a multi-period case: that period's demand
        dem = dem[dem["period"].astype(float) == float(year)]
    asg = tables.get("assignment")
    unserved = tables.get("compute_unserved")
    centres = []
    for cid, r in case.demand_centres.iterrows():
        d = dem[dem["centre"] == cid] if len(dem) else dem
        u = 0.0
        if unserved is not None and len(unserved):
            u = float(unserved.loc[unserved["centre"].astype(str) == str(cid),
                                   "unserved_mwh"].sum())
        centres.append({
            "id": str(cid), "name": str(r.get("name", cid) or cid),
            "lat": float(r["lat"]), "lon": float(r["lon"]),
            "demand": {str(k): float(v) for k, v in zip(d["class"], d["it_mw"], strict=True)},
            "served": _served(asg, "centre", str(cid), "site"), "unserved_mwh": u,
        })
    return centres


def map_data(case, tables: dict, summary: dict, *, shading=None,
             year: int | None = None) -> dict:
    """Everything the Leaflet map draws, as plain JSON-able data (EPSG:4326).

    ``shading`` overrides the regions' shading (:func:`region_shading` of ``tables``) and
    ``year`` picks the period of a multi-period case's compute demand: both for drawing one
    period of a multi-period run (:mod:`model.report.map_periods`)."""
    shading = shading or region_shading(case, tables)
    colours = {r: NO_DATA if c is None else to_hex(c) for r, c in shading.colours().items()}
    cors = _corridor_records(case, tables)
    sites = _site_records(case, tables)
    centres = _centre_records(case, tables, year)
    feats = _region_features(case, tables, shading, colours)
    return {"regions": {"type": "FeatureCollection", "features": feats}, "corridors": cors,
            "sites": sites, "centres": centres,
            "scale": _colour_scale(shading, case.currency), "measure": shading.measure,
            "currency": case.currency,
            "max_total_mw": max([c["total_mw"] for c in cors] or [0.0]),
            "max_it_mw": max([s["it_mw"] for s in sites if s["built"]] or [0.0]),
            "site_names": {s["id"]: s["name"] for s in sites},
            "centre_names": {c["id"]: c["name"] for c in centres}}
