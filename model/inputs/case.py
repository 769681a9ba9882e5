"""Case folders: read the files (``RawCase``), validate them, and build a ``Case``.

Data flow: files → :func:`read_raw` → (scenario overrides, :mod:`model.inputs.scenarios`) →
:func:`validate` → :class:`Case`. Nothing after this module reads files of the case.

Every table is checked by its schema (:mod:`model.inputs.schemas`, lazily: all failures at
once) and across tables (:mod:`model.inputs.network_tables`, :mod:`model.inputs.compute_tables`);
every problem names file, row and column, and all are raised together as
:class:`model.inputs.problems.CaseError` before any model is built. The file contract is
``docs/inputs.md``, generated from the schemas.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from model.inputs import compute_tables, network_tables, period_tables
from model.inputs.checks import check_case
from model.inputs.periods import Periods, period_problems, periods_of, static_periods
from model.inputs.problems import CaseError, Problem, Problems
from model.inputs.read import CONFIG_KEYS, DEFAULT_LATENCY, DEFAULT_SOLVER, RawCase, read_raw


@dataclass
class Case:
    """A validated case. Tables carry every optional column, filled with its default."""

    name: str
    path: Path
    config: dict
    currency: str
    discount_rate: float
    value_of_lost_load: float
    time: pd.Index
    weights: np.ndarray  # hours represented by each step
    regions: gpd.GeoDataFrame  # index id; columns name, group, lon, lat, geometry
    load: pd.DataFrame  # time step × region, MW
    technologies: pd.DataFrame  # index tech
    resources: pd.DataFrame  # node, tech, existing_mw, existing_mwh, max_new_mw, max_new_mwh
    profiles: pd.DataFrame  # time step × "node:tech", availability
    corridors: pd.DataFrame  # from, to, length_km, ...
    sites: gpd.GeoDataFrame  # index id
    demand_centres: gpd.GeoDataFrame  # index id
    compute_demand: pd.DataFrame  # centre, class, it_mw, profile
    workloads: pd.DataFrame  # index class
    pue: pd.DataFrame  # time step × site, hourly PUE
    compute_profiles: pd.DataFrame  # time step × profile name
    latency: dict
    solver: dict
    policies: dict
    scenario_names: list[str] = field(default_factory=list)
    # periods for storage/flexibility cycling: period id of each step (one period = whole
    # horizon unless time is reduced to representative periods)
    period_of_step: np.ndarray | None = None
    # hours in each step (1 for hourly data; segments of representative days are longer)
    step_hours: np.ndarray | None = None
    full_time_case: Case | None = None
    reduction: dict | None = None  # how time was reduced (None: full time)
    # investment periods (model.inputs.periods); one static year unless case.yaml has periods
    investment: Periods = field(default_factory=static_periods)
    load_growth: pd.DataFrame | None = None  # region, period, factor
    tech_costs: pd.DataFrame | None = None  # tech, period, costs of that period
    connection_queue: pd.DataFrame | None = None  # region, online_year, mw
    # multi-period cases, once expanded (model.inputs.periods.expand): period of each step
    step_period: np.ndarray | None = None
    unexpanded: Case | None = None  # the case before expand (myopic windows start from it)

    @property
    def n_steps(self) -> int:
        return len(self.time)

    @property
    def nodes(self) -> pd.DataFrame:
        """All nodes (regions, then sites) with kind, host region, lon and lat."""
        reg = pd.DataFrame({"kind": "region", "region": self.regions.index,
                            "lon": self.regions["lon"], "lat": self.regions["lat"]},
                           index=self.regions.index)
        site = pd.DataFrame({"kind": "site", "region": self.sites["region"],
                             "lon": self.sites["lon"], "lat": self.sites["lat"]},
                            index=self.sites.index)
        out = pd.concat([reg, site]) if len(site) else reg
        out.index.name = "node"
        return out

    @property
    def hours(self) -> np.ndarray:
        """Hours in each step (storage and flexible work move this much per step)."""
        if self.step_hours is None:
            return np.ones(self.n_steps)
        return self.step_hours

    @property
    def period_index(self) -> np.ndarray:
        """Investment period (0 … P − 1) of each step; 0 everywhere in a static case."""
        if self.step_period is None:
            return np.zeros(self.n_steps, dtype=np.int64)
        return self.step_period

    @property
    def periods(self) -> np.ndarray:
        if self.period_of_step is None:
            return np.zeros(self.n_steps, dtype=np.int64)
        return self.period_of_step


def load_case(path: str | Path, scenarios: list | None = None,
              checks: Sequence[Callable[[Case], list[Problem]]] = (),
              policy_keys: Collection[str] | None = None) -> Case:
    """Read, apply scenario overrides (files or dicts, in order) and validate a case.

    ``checks`` and ``policy_keys`` (the known policy levers, for scenario keys) come from the
    layers above; :func:`model.studies.prepare.load_case` passes the formulation's."""
    from model.inputs.scenarios import apply_scenarios

    raw = read_raw(path)
    if scenarios:
        raw = apply_scenarios(raw, scenarios, policy_keys)
    return validate(raw, checks)


# ------------------------------------------------------------------------- validation
def validate(raw: RawCase, checks: Sequence[Callable[[Case], list[Problem]]] = ()) -> Case:
    """Check every table and build the :class:`Case` (raises CaseError with all problems).

    ``checks``: further checks of the whole case from the layers above (the policy levers'
    values, :func:`model.formulation.policies.validate_policies`), run before the
    cross-table checks."""
    p = Problems()
    settings = _settings(raw, p)
    regions = network_tables.regions(raw, p)
    region_ids = list(regions["id"]) if "id" in regions.columns else []
    load, time = network_tables.load(raw, region_ids, p)
    weights = _weights(raw.config, len(time), p)
    tech, tech_ids = network_tables.technologies(raw, p)
    sites = compute_tables.sites(raw, regions, region_ids, p)
    node_ids = _node_ids(region_ids, list(sites.index), p)
    res = network_tables.resources(raw, node_ids, tech_ids, p)
    profiles = network_tables.profiles(raw, res, len(time), p)
    corridors = network_tables.corridors(raw, node_ids, regions, sites, p)
    centres = compute_tables.demand_centres(raw, p)
    workloads = compute_tables.workloads(raw, p)
    demand = compute_tables.compute_demand(raw, centres, workloads, p)
    cprof = compute_tables.compute_profiles(raw, demand, len(time), p)
    pue = compute_tables.pue(raw, sites, len(time), p)
    investment = settings.pop("investment")
    period_tables.demand_periods(demand, investment, p)
    growth = period_tables.load_growth(raw, region_ids, investment, p)
    costs = period_tables.tech_costs(raw, tech_ids, investment, p)
    queue = period_tables.connection_queue(raw, region_ids, investment, p)
    p.raise_if_any()

    case = Case(
        path=raw.path, time=time, weights=weights, regions=regions.set_index("id"), load=load,
        technologies=tech, resources=res, profiles=profiles, corridors=corridors, sites=sites,
        demand_centres=centres, compute_demand=demand, workloads=workloads, pue=pue,
        compute_profiles=cprof, scenario_names=list(raw.scenario_names), investment=investment,
        load_growth=growth, tech_costs=costs, connection_queue=queue, **settings)
    problems = [q for check in checks for q in check(case)]
    if problems:
        raise CaseError(problems)
    check_case(case)
    return case


def _settings(raw: RawCase, p: Problems) -> dict:
    """The case.yaml settings of a :class:`Case` (unknown keys and bad values reported)."""
    cfg = dict(raw.config)
    for key in cfg:
        if key not in CONFIG_KEYS:
            p.add("case.yaml", f"unknown key '{key}'",
                  hint=f"known keys: {', '.join(sorted(CONFIG_KEYS))}")
    if "name" not in cfg:
        p.add("case.yaml", "required key 'name' is missing")
    if "discount_rate" not in cfg:
        p.add("case.yaml", "required key 'discount_rate' is missing",
              hint="e.g. discount_rate: 0.07")
    discount_rate = float(cfg.get("discount_rate", 0.0) or 0.0)
    if not 0.0 <= discount_rate < 1.0:
        p.add("case.yaml", f"discount_rate {discount_rate} must be in [0, 1)",
              hint="write 0.07 for 7 %")
    voll = float(cfg.get("value_of_lost_load_per_mwh", 10000.0))
    if voll <= 0:
        p.add("case.yaml", "value_of_lost_load_per_mwh must be > 0")
    for key, message in period_problems(cfg):
        p.add("case.yaml", message, column=key)
    investment = (periods_of(cfg, discount_rate) if not period_problems(cfg)
                  else static_periods())
    policies = cfg.get("policies") or {}
    if not isinstance(policies, dict):
        p.add("case.yaml", "'policies' must be a mapping")
        policies = {}
    return dict(name=str(cfg.get("name", raw.path.name)), config=cfg,
                currency=str(cfg.get("currency", "EUR")), discount_rate=discount_rate,
                value_of_lost_load=voll, policies=policies, investment=investment,
                latency={**DEFAULT_LATENCY, **(cfg.get("latency") or {})},
                solver={**DEFAULT_SOLVER, **(cfg.get("solver") or {})})


def _weights(cfg: dict, n_steps: int, p: Problems) -> np.ndarray:
    """Hours each time step stands for: ``time_step_weight_hours``, else 8760 / steps."""
    w = cfg.get("time_step_weight_hours")
    if w is None:
        weight = 8760.0 / n_steps if n_steps else 1.0
    else:
        weight = float(w)
        if weight <= 0:
            p.add("case.yaml", "time_step_weight_hours must be > 0")
    return np.full(n_steps, weight)


def _node_ids(region_ids: list[str], site_ids: list[str], p: Problems) -> list[str]:
    """Regions, then sites: one namespace of nodes."""
    for s in sorted(set(region_ids) & set(site_ids)):
        p.add("sites.geojson", f"site id '{s}' is also a region id", column="id",
              hint="node ids must be unique across regions and sites")
    return region_ids + site_ids
