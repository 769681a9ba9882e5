"""Reading a case folder: the files of the case contract, as read (``RawCase``).

Nothing is interpreted here: tables are pandas/geopandas frames as read; scenarios
(:mod:`model.inputs.scenarios`) edit a :class:`RawCase` and :func:`model.inputs.case.validate`
turns it into a :class:`model.inputs.case.Case`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import yaml

from model.inputs.problems import CaseError, Problem, Problems
from model.inputs.schemas import TABLES, file_name, is_geo, is_required

# the files of a case, from their schemas: CSV tables by file name, geodata by stem (read as
# .geojson, .gpkg or .json), and the files every case must have
TABLE_FILES = {t: file_name(t) for t in TABLES if not is_geo(t)}
GEO_FILES = {t: file_name(t).split(".")[0] for t in TABLES if is_geo(t)}
REQUIRED = tuple(t for t in TABLES if is_required(t))

# hours a storage unit must be able to hold its firm output (resource-adequacy practice counts
# storage at a 4-hour duration for full credit; docs/inputs.md)
DEFAULT_FIRM_DURATION_HOURS = 4.0
DEFAULT_LATENCY = {"base_ms": 2.0, "route_factor": 1.5, "fibre_km_per_ms": 200.0}
DEFAULT_SOLVER = {"algorithm": "auto", "threads": 0, "time_limit_s": None, "mip_gap": 0.01,
                  "presolve": True, "log": False, "mip_strategy": "relax_round",
                  "scale_costs": True, "scale_bounds": True,
                  "check_time_limit_s": None, "check_window_days": 7}
CONFIG_KEYS = {"name", "currency", "discount_rate", "base_year", "value_of_lost_load_per_mwh",
               "time_step_weight_hours", "latency", "time_reduction", "solver", "policies",
               "description", "options", "periods", "decision_year", "foresight",
               "horizon_end_year"}


@dataclass
class RawCase:
    """The case files as read, before validation (scenarios edit this)."""

    path: Path
    config: dict
    tables: dict[str, pd.DataFrame]
    geo: dict[str, gpd.GeoDataFrame]
    scenario_names: list[str] = field(default_factory=list)

    def copy(self) -> RawCase:
        return RawCase(self.path, copy.deepcopy(self.config),
                       {k: v.copy() for k, v in self.tables.items()},
                       {k: v.copy() for k, v in self.geo.items()},
                       list(self.scenario_names))


# ---------------------------------------------------------------------------- reading
def _read_geo(folder: Path, stem: str, problems: Problems) -> gpd.GeoDataFrame | None:
    for ext in (".geojson", ".gpkg", ".json"):
        f = folder / f"{stem}{ext}"
        if f.exists():
            try:
                gdf = gpd.read_file(f)
            except Exception as exc:  # noqa: BLE001 - any reader error is a user problem
                problems.add(f.name, f"cannot be read as geodata: {exc}",
                             hint="save it as GeoJSON or GeoPackage")
                return None
            gdf.attrs["file"] = f.name
            return gdf
    return None


def read_raw(path: str | Path) -> RawCase:
    """Read a case folder without interpreting it (raises CaseError for unreadable files)."""
    folder = Path(path)
    problems = Problems()
    if not folder.is_dir():
        raise CaseError([Problem(str(folder), "case folder not found",
                                 hint="give the path of a folder that holds case.yaml")])
    cfg_file = folder / "case.yaml"
    config: dict = {}
    if not cfg_file.exists():
        problems.add("case.yaml", "file is missing", hint="every case needs a case.yaml")
    else:
        try:
            config = yaml.safe_load(cfg_file.read_text()) or {}
            if not isinstance(config, dict):
                problems.add("case.yaml", "must be a mapping of keys to values")
                config = {}
        except yaml.YAMLError as exc:
            problems.add("case.yaml", f"is not valid YAML: {exc}")
    tables: dict[str, pd.DataFrame] = {}
    for key, fname in TABLE_FILES.items():
        f = folder / fname
        if f.exists():
            try:
                df = pd.read_csv(f, skipinitialspace=True)
            except Exception as exc:  # noqa: BLE001
                problems.add(fname, f"cannot be read as CSV: {exc}")
                continue
            df.columns = [str(c).strip() for c in df.columns]
            tables[key] = df
    geo: dict[str, gpd.GeoDataFrame] = {}
    for key, stem in GEO_FILES.items():
        gdf = _read_geo(folder, stem, problems)
        if gdf is not None:
            geo[key] = gdf
    for key in REQUIRED:
        if key not in tables and key not in geo:
            name = file_name(key)
            problems.add(name, "file is missing", hint="see docs/inputs.md for its columns")
    problems.raise_if_any()
    return RawCase(folder, config, tables, geo)
