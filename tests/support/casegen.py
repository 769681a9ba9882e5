"""Write small case folders for tests from plain Python data."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import yaml


def _points(items: list[dict]) -> dict:
    feats = []
    for it in items:
        props = {k: v for k, v in it.items() if k not in ("lon", "lat")}
        feats.append({"type": "Feature", "properties": props,
                      "geometry": {"type": "Point", "coordinates": [it["lon"], it["lat"]]}})
    return {"type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
            "features": feats}


def write_case(
    folder: Path,
    *,
    regions: list[dict],
    load: dict[str, list[float]],
    technologies: list[dict],
    resources: list[dict],
    profiles: dict[str, list[float]] | None = None,
    corridors: list[dict] | None = None,
    sites: list[dict] | None = None,
    centres: list[dict] | None = None,
    compute_demand: list[dict] | None = None,
    workloads: list[dict] | None = None,
    config: dict | None = None,
    tables: dict[str, list[dict]] | None = None,
) -> Path:
    """Regions/sites/centres are dicts with id, lon, lat (+ properties); load is region → MW.
    ``tables``: further tables by file stem (e.g. ``load_growth``, ``tech_costs``)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    n = len(next(iter(load.values())))
    cfg = {"name": folder.name, "discount_rate": 0.0, "value_of_lost_load_per_mwh": 10000.0}
    cfg.update(config or {})
    (folder / "case.yaml").write_text(yaml.safe_dump(cfg))
    (folder / "regions.geojson").write_text(json.dumps(_points(regions)))
    pd.DataFrame({"time": range(n), **load}).to_csv(folder / "load.csv", index=False)
    pd.DataFrame(technologies).to_csv(folder / "technologies.csv", index=False)
    pd.DataFrame(resources).to_csv(folder / "resources.csv", index=False)
    if profiles:
        pd.DataFrame({"time": range(n), **profiles}).to_csv(folder / "profiles.csv",
                                                             index=False)
    if corridors:
        pd.DataFrame(corridors).to_csv(folder / "corridors.csv", index=False)
    if sites:
        (folder / "sites.geojson").write_text(json.dumps(_points(sites)))
    if centres:
        (folder / "demand_centres.geojson").write_text(json.dumps(_points(centres)))
    if compute_demand:
        pd.DataFrame(compute_demand).to_csv(folder / "compute_demand.csv", index=False)
    if workloads:
        pd.DataFrame(workloads).to_csv(folder / "workloads.csv", index=False)
    for stem, rows in (tables or {}).items():
        pd.DataFrame(rows).to_csv(folder / f"{stem}.csv", index=False)
    return folder


def tech(name: str, kind: str = "generator", capex_per_kw: float = 0.0,
         lifetime_years: float = 1.0, **kw) -> dict:
    return {"tech": name, "kind": kind, "capex_per_kw": capex_per_kw,
            "lifetime_years": lifetime_years, **kw}
