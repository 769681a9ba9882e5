"""An independent PyPSA (linopy + HiGHS) mirror of a plain WattBit capacity-expansion case.

Written from the contract only (``docs/formulation.md`` and ``docs/inputs.md``); it
reads the case folder with pandas / geopandas / PyYAML itself and does not import ``model``.

Scope: "plain" cases (regions, load, technologies, resources, profiles, corridors; no sites,
demand centres, compute demand, policies, representative days or integer corridor blocks).
Anything outside that scope raises ``NotImplementedError`` rather than being silently ignored.
Multi-period plain cases (``periods`` in case.yaml, perfect foresight, no connection queue):
``build_multiperiod_network`` (PyPSA's multi-investment optimisation, one component per build
year).

Reading of the contract that this mirror implements
---------------------------------------------------
* Weights: ``w = time_step_weight_hours`` from ``case.yaml`` if given, else ``8760 / T``.
  ``w`` multiplies every operating cost (objective weighting).  Storage moves one hour per step
  (``snapshot_weightings['stores'] = 1``).  Capital and fixed O&M are per year and are *not*
  scaled by ``T * w / 8760``.
* CRF(r, n) = r / (1 - (1 + r)^-n), and 1/n when r = 0.
* Generator g at node r: capacity ``existing_mw + new``, ``0 <= new <= max_new_mw`` (empty =
  unlimited), ``p_t <= cf_t * capacity`` with ``cf`` from ``profiles.csv`` column ``r:g``
  (1 without a column).  New capacity costs ``1000 * (CRF * capex_per_kw + fixed_om_per_kw_year)``
  per MW and year; dispatch costs ``w * (var_om_per_mwh + fuel_cost_per_mwh)`` per MW.
* Storage s at node r: one power rating ``existing_mw + Q`` measured at the grid side for both
  charge and discharge; energy ``existing_mwh + E``; ``0 <= Q <= max_new_mw``,
  ``0 <= E <= max_new_mwh``; with ``duration_hours = d``: ``E = d * Q``.
  ``soc_t = soc_{t-1} + eff_c * charge_t - discharge_t / eff_d`` (one hour per step), cyclic.
  New power costs ``1000 * (CRF * capex_per_kw + fixed_om_per_kw_year)`` per MW and year, new
  energy ``1000 * CRF * capex_per_kwh`` per MWh and year, and ``w * var_om_per_mwh`` per MWh
  discharged at the grid side.
* Corridor l: capacity ``existing_mw + F`` in each direction, ``0 <= F <= max_new_mw``; the
  capacity bounds the flow *sent*; a sent flow f arrives as ``f * (1 - loss_per_1000km *
  length_km / 1000)``.  New capacity costs ``CRF(r, lifetime_years) * cost_per_mw_km *
  length_km`` per MW and year.  ``length_km`` defaults to the great-circle distance between
  the node locations (``lon``/``lat`` columns of the regions, else representative points),
  mean Earth radius 6371.0088 km.
* Unserved power at each region, ``0 <= u_t <= load_t``, costs ``w * value_of_lost_load``.
* Objective = annualised capital + fixed O&M of *new* capacity + weighted operating costs +
  penalties.  Costs of existing capacity are not in the objective.

PyPSA mapping
-------------
One bus per region with a Load.  Generators are extendable with ``p_nom_min = existing`` and
``p_nom_max = existing + max_new``.  A storage is a Store (energy) on its own bus with a charge
Link (grid -> store, efficiency ``eff_c``, rated at its input = grid side) and a discharge Link
(store -> grid, efficiency ``eff_d``; its rating is on the store side, so the grid-side rating
is ``eff_d * p_nom``): ``extra_functionality`` ties ``p_nom(charge) = eff_d * p_nom(discharge)``
and, for fixed-duration storage, ``e_nom - existing_mwh = d * (p_nom(charge) - existing_mw)``.
The discharge link carries ``marginal_cost = var_om * eff_d`` (per MWh at its input, i.e.
``var_om`` per MWh delivered to the grid).  Lossless corridors are one bidirectional Link
(``p_min_pu = -1``); lossy ones are two one-way Links whose ``p_nom`` are tied.

PyPSA charges ``capital_cost * p_nom`` on the *whole* capacity of an extendable component; we
solve with ``include_objective_constant=False`` and subtract ``sum(capital_cost * p_nom)``
(existing capacity) ourselves, which gives the contract's objective.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

import geopandas as gpd
import linopy
import numpy as np
import pandas as pd
import pypsa
import xarray as xr
import yaml
from linopy.constants import TERM_DIM

# The contract says "great-circle" without a radius; the IUGG mean Earth radius is the
# conventional choice (6371.0 would move lengths by 1.4e-6 relative).
EARTH_RADIUS_KM = 6371.0088

for _name in ("linopy", "pypsa", "highspy"):
    logging.getLogger(_name).setLevel(logging.ERROR)


# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------
def crf(rate: float, lifetime: float) -> float:
    """Capital recovery factor r / (1 - (1 + r)^-n); 1/n when r == 0."""
    rate = float(rate)
    lifetime = float(lifetime)
    if lifetime <= 0:
        raise ValueError(f"lifetime must be positive, got {lifetime}")
    if rate == 0:
        return 1.0 / lifetime
    # 1 - (1 + r)^-n written without cancellation for small r
    return rate / -math.expm1(-lifetime * math.log1p(rate))


def _num(value, default: float) -> float:
    """A float from a table cell; ``default`` when the cell is empty / NaN / missing."""
    if value is None:
        return float(default)
    if isinstance(value, str):
        if value.strip() == "":
            return float(default)
        return float(value)
    try:
        if pd.isna(value):
            return float(default)
    except (TypeError, ValueError):
        pass
    return float(value)


def _col(df: pd.DataFrame, row, name: str, default: float) -> float:
    if name not in df.columns:
        return float(default)
    return _num(row[name], default)


def _great_circle_km(lon1, lat1, lon2, lat2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dphi = p2 - p1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def unit_costs(t: pd.Series, rate: float) -> dict[str, float]:
    """Costs of a technologies.csv row: ``power`` (per new MW and year: annuity of capex plus
    fixed O&M), ``energy`` (per new MWh and year), ``var_om`` and ``fuel`` (per MWh)."""
    annuity = crf(rate, float(t["lifetime_years"]))
    return {"power": 1000.0 * (annuity * _num(t["capex_per_kw"], 0.0)
                               + _num(t.get("fixed_om_per_kw_year"), 0.0)),
            "energy": 1000.0 * annuity * _num(t.get("capex_per_kwh"), 0.0),
            "var_om": _num(t.get("var_om_per_mwh"), 0.0),
            "fuel": _num(t.get("fuel_cost_per_mwh"), 0.0)}


def _read_regions(case: Path) -> gpd.GeoDataFrame:
    for name in ("regions.geojson", "regions.gpkg"):
        if (case / name).exists():
            gdf = gpd.read_file(case / name)
            break
    else:
        raise FileNotFoundError(f"{case}: no regions.geojson / regions.gpkg")
    if gdf.crs is not None:
        gdf = gdf.to_crs(4326)
    gdf["id"] = gdf["id"].astype(str)
    return gdf


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"node": str, "tech": str, "from": str, "to": str})


# --------------------------------------------------------------------------------------------
# network construction
# --------------------------------------------------------------------------------------------
def build_network(case_dir) -> pypsa.Network:
    """Build the PyPSA network of a plain WattBit case (see the module docstring)."""
    case = Path(case_dir)
    cfg = yaml.safe_load((case / "case.yaml").read_text()) or {}

    for unsupported in ("sites.geojson", "sites.gpkg", "demand_centres.geojson",
                        "demand_centres.gpkg", "compute_demand.csv"):
        if (case / unsupported).exists():
            raise NotImplementedError(f"mirror covers plain cases only; found {unsupported}")
    if cfg.get("policies"):
        raise NotImplementedError("mirror does not model policies")
    if cfg.get("time_reduction"):
        raise NotImplementedError("mirror does not model time_reduction")

    rate = float(cfg["discount_rate"])
    voll = _num(cfg.get("value_of_lost_load_per_mwh"), 10000.0)

    regions = _read_regions(case)
    region_ids = list(regions["id"])
    if len(set(region_ids)) != len(region_ids):
        raise ValueError("duplicate region ids")
    # node location: optional lon/lat columns, else the representative point
    points = regions.geometry.representative_point()
    location = {}
    for i, rid in enumerate(region_ids):
        lon = _num(regions["lon"].iloc[i], math.nan) if "lon" in regions.columns else math.nan
        lat = _num(regions["lat"].iloc[i], math.nan) if "lat" in regions.columns else math.nan
        if math.isnan(lon) or math.isnan(lat):
            lon, lat = points.iloc[i].x, points.iloc[i].y
        location[rid] = (lon, lat)

    load = pd.read_csv(case / "load.csv")
    n_steps = len(load)
    if n_steps == 0:
        raise ValueError("load.csv has no rows")
    weight = _num(cfg.get("time_step_weight_hours"), 8760.0 / n_steps)

    profiles = None
    if (case / "profiles.csv").exists():
        profiles = pd.read_csv(case / "profiles.csv")
        if len(profiles) != n_steps:
            raise ValueError("profiles.csv and load.csv have different numbers of rows")

    techs = _read_csv(case / "technologies.csv").set_index("tech")
    resources = _read_csv(case / "resources.csv")
    corridors = (_read_csv(case / "corridors.csv") if (case / "corridors.csv").exists()
                 else pd.DataFrame(columns=["from", "to"]))

    n = pypsa.Network()
    snapshots = pd.RangeIndex(n_steps, name="snapshot")
    n.set_snapshots(snapshots)
    n.snapshot_weightings.loc[:, "objective"] = weight
    n.snapshot_weightings.loc[:, "generators"] = weight
    n.snapshot_weightings.loc[:, "stores"] = 1.0  # storage moves one hour per step

    # components are collected first and added in one call per type (n.add is slow per row)
    rows: dict[str, list[dict]] = {c: [] for c in ("Bus", "Load", "Generator", "Store", "Link")}
    series: dict[tuple[str, str], dict[str, np.ndarray]] = {}  # (component, attr) -> name -> ts

    def add(component: str, name: str, ts: dict | None = None, **attrs) -> None:
        rows[component].append({"name": name, **attrs})
        for attr, values in (ts or {}).items():
            series.setdefault((component, attr), {})[name] = np.asarray(values, dtype=float)

    ties_equal: list[tuple[str, str, float]] = []  # p_nom[a] == k * p_nom[b] (Links)
    ties_duration: list[tuple[str, str, float, float, float]] = []  # store, charge link, d, e0, p0

    # ---- buses, loads, unserved power ------------------------------------------------------
    for rid in region_ids:
        x, y = location[rid]
        add("Bus", rid, x=x, y=y, carrier="AC")
        demand = (load[rid].astype(float).to_numpy() if rid in load.columns
                  else np.zeros(n_steps))
        if (demand < 0).any():
            raise ValueError(f"negative load in region {rid}")
        add("Load", f"load {rid}", bus=rid, ts={"p_set": demand})
        peak = float(demand.max())
        if peak > 0:  # unserved power, 0 <= u_t <= load_t
            add("Generator", f"unserved {rid}", bus=rid, p_nom=peak, p_nom_min=0.0,
                p_nom_max=peak, p_nom_extendable=False, capital_cost=0.0, marginal_cost=voll,
                carrier="unserved", ts={"p_max_pu": demand / peak})

    # ---- generators and storage -------------------------------------------------------------
    for _, row in resources.iterrows():
        node, tech = str(row["node"]), str(row["tech"])
        if node not in region_ids:
            raise NotImplementedError(f"resource at non-region node {node!r}")
        if tech not in techs.index:
            raise ValueError(f"resources.csv: unknown tech {tech!r}")
        t = techs.loc[tech]
        kind = str(t["kind"]).strip().lower()
        costs = unit_costs(t, rate)
        var_om = costs["var_om"]
        existing_mw = _col(resources, row, "existing_mw", 0.0)
        max_new_mw = _col(resources, row, "max_new_mw", math.inf)
        power_cost = costs["power"]  # per MW new, per year
        name = f"{node}:{tech}"

        if kind == "generator":
            fuel = costs["fuel"]
            if profiles is not None and name in profiles.columns:
                cf = profiles[name].astype(float).to_numpy()
            else:
                cf = np.ones(n_steps)
            add("Generator", name, bus=node,
                p_nom=existing_mw, p_nom_min=existing_mw,
                p_nom_max=existing_mw + max_new_mw, p_nom_extendable=True,
                capital_cost=power_cost, marginal_cost=var_om + fuel, carrier=tech,
                ts={"p_max_pu": cf})
        elif kind == "storage":
            eff_c = _num(t.get("efficiency_charge"), 1.0)
            eff_d = _num(t.get("efficiency_discharge"), 1.0)
            if not (0 < eff_c <= 1 and 0 < eff_d <= 1):
                raise ValueError(f"bad storage efficiencies for {tech}")
            duration = _num(t.get("duration_hours"), math.nan)
            existing_mwh = _col(resources, row, "existing_mwh", 0.0)
            max_new_mwh = _col(resources, row, "max_new_mwh", math.inf)
            sbus = f"{name} store"
            add("Bus", sbus, x=0.0, y=0.0, carrier=f"{tech} energy")
            add("Store", name, bus=sbus, e_cyclic=True,
                e_nom=existing_mwh, e_nom_min=existing_mwh,
                e_nom_max=existing_mwh + max_new_mwh, e_nom_extendable=True,
                capital_cost=costs["energy"], carrier=tech)
            # charge: grid -> store, rated at its input (grid side)
            add("Link", f"{name} charge", bus0=node, bus1=sbus, efficiency=eff_c,
                p_nom=existing_mw, p_nom_min=existing_mw,
                p_nom_max=existing_mw + max_new_mw, p_nom_extendable=True, p_min_pu=0.0,
                capital_cost=power_cost, marginal_cost=0.0, carrier=f"{tech} charge")
            # discharge: store -> grid, rated at its input (store side); output = eff_d * input
            add("Link", f"{name} discharge", bus0=sbus, bus1=node, efficiency=eff_d,
                p_nom=existing_mw / eff_d, p_nom_min=0.0, p_nom_max=math.inf,
                p_nom_extendable=True, p_min_pu=0.0, capital_cost=0.0,
                marginal_cost=var_om * eff_d, carrier=f"{tech} discharge")
            # grid-side discharge rating eff_d * p_nom(discharge) equals the charge rating
            ties_equal.append((f"{name} charge", f"{name} discharge", eff_d))
            if not math.isnan(duration):
                ties_duration.append((name, f"{name} charge", duration, existing_mwh,
                                      existing_mw))
        else:
            raise ValueError(f"technologies.csv: kind {kind!r} for {tech}")

    # ---- corridors --------------------------------------------------------------------------
    for i, row in corridors.reset_index(drop=True).iterrows():
        a, b = str(row["from"]), str(row["to"])
        if a not in region_ids or b not in region_ids:
            raise NotImplementedError(f"corridor {a}-{b} touches a non-region node")
        if "block_mw" in corridors.columns and not pd.isna(row["block_mw"]):
            raise NotImplementedError("integer corridor blocks make a MILP; not mirrored")
        existing = _col(corridors, row, "existing_mw", 0.0)
        max_new = _col(corridors, row, "max_new_mw", math.inf)
        length = _col(corridors, row, "length_km", math.nan)
        if math.isnan(length):
            length = _great_circle_km(*location[a], *location[b])
        cost_km = _col(corridors, row, "cost_per_mw_km", 0.0)
        lifetime = _col(corridors, row, "lifetime_years", 40.0)
        loss = _col(corridors, row, "loss_per_1000km", 0.0)
        cap_cost = crf(rate, lifetime) * cost_km * length
        eff = 1.0 - loss * length / 1000.0
        if eff <= 0:
            raise ValueError(f"corridor {a}-{b}: losses >= 100 %")
        base = f"corridor {i} {a}-{b}"
        common = dict(p_nom=existing, p_nom_min=existing, p_nom_max=existing + max_new,
                      p_nom_extendable=True, marginal_cost=0.0, carrier="corridor")
        if loss == 0:
            add("Link", base, bus0=a, bus1=b, p_min_pu=-1.0, efficiency=1.0,
                capital_cost=cap_cost, **common)
        else:
            add("Link", f"{base} fwd", bus0=a, bus1=b, p_min_pu=0.0, efficiency=eff,
                capital_cost=cap_cost, **common)
            add("Link", f"{base} bwd", bus0=b, bus1=a, p_min_pu=0.0, efficiency=eff,
                capital_cost=0.0, **common)
            ties_equal.append((f"{base} bwd", f"{base} fwd", 1.0))

    for component in ("Bus", "Load", "Generator", "Store", "Link"):
        if not rows[component]:
            continue
        table = pd.DataFrame(rows[component]).set_index("name")
        if table.isna().any().any():
            raise AssertionError(f"mirror bug: missing attributes for {component}")
        dynamic = {attr: pd.DataFrame(by_name, index=snapshots)
                   for (comp, attr), by_name in series.items() if comp == component}
        n.add(component, table.index, **{c: table[c].to_numpy() for c in table.columns},
              **dynamic)

    n.meta["wattbit_ties_equal"] = ties_equal
    n.meta["wattbit_ties_duration"] = ties_duration
    n.meta["wattbit_weight"] = weight
    return n


def _tie_constraints(m, name: str, terms: list[list[tuple[float, str, str]]], rhs,
                     sign: str = "==") -> None:
    """Add rows sum_j coeff_j * var_j (``sign``) rhs_i, one per entry of ``terms``.

    Each term is (coefficient, linopy variable name, component name).  The rows are assembled
    as one linopy expression from the variables' integer labels (adding them one by one costs
    ~0.1 s each in linopy).
    """
    width = max(len(row) for row in terms)
    coeffs = np.zeros((len(terms), width))
    labels = np.full((len(terms), width), -1, dtype=int)  # -1: no variable
    for i, row in enumerate(terms):
        for j, (coeff, var_name, comp) in enumerate(row):
            coeffs[i, j] = coeff
            labels[i, j] = int(m[var_name].labels.sel(name=comp))
    data = xr.Dataset({"coeffs": (("tie", TERM_DIM), coeffs),
                       "vars": (("tie", TERM_DIM), labels)},
                      coords={"tie": np.arange(len(terms))})
    lhs = linopy.LinearExpression(data, m)
    m.add_constraints(lhs, sign, xr.DataArray(np.asarray(rhs, dtype=float), dims="tie",
                                              coords={"tie": np.arange(len(terms))}), name=name)


def extra_functionality(n: pypsa.Network, snapshots) -> None:
    """Tie storage charge/discharge ratings, lossy corridor directions and fixed durations."""
    m = n.model
    ties = n.meta.get("wattbit_ties_equal", [])
    if ties:  # p_nom[a] - factor * p_nom[b] = 0
        _tie_constraints(m, "wattbit-equal-ratings",
                         [[(1.0, "Link-p_nom", a), (-k, "Link-p_nom", b)] for a, b, k in ties],
                         np.zeros(len(ties)))
    ties = n.meta.get("wattbit_ties_duration", [])
    if ties:  # E_new = d * Q_new  <=>  e_nom - d * p_nom(charge) = e0 - d * p0
        _tie_constraints(m, "wattbit-duration",
                         [[(1.0, "Store-e_nom", st), (-d, "Link-p_nom", ch)]
                          for st, ch, d, _, _ in ties],
                         [e0 - d * p0 for _, _, d, e0, p0 in ties])
    limits = n.meta.get("wattbit_limits", [])
    if limits:  # multi-period potential: sum of the vintages active in a period <= max_new
        _tie_constraints(m, "wattbit-potential", [terms for terms, _ in limits],
                         [bound for _, bound in limits], "<=")


# --------------------------------------------------------------------------------------------
# multi-period (multi-investment) cases
# --------------------------------------------------------------------------------------------
# copied from the static component onto its existing part and its vintages
_COPY = {"Generator": ("bus", "carrier", "marginal_cost"),
         "Link": ("bus0", "bus1", "efficiency", "p_min_pu", "marginal_cost", "carrier"),
         "Store": ("bus", "carrier")}
_NOM = {"Generator": "p_nom", "Link": "p_nom", "Store": "e_nom"}


def period_weights(years, spans, rate: float, base_year: float) -> np.ndarray:
    """W_p = sum over the years y of period p of (1 + r)^-(y - base_year)."""
    return np.array([sum((1.0 + rate) ** -(y + k - base_year) for k in range(int(s)))
                     for y, s in zip(years, spans, strict=True)])


class _Vintager:
    """Replaces static components by an existing part and one component per build year.

    The existing part is non-extendable with ``build_year`` = first period and ``lifetime`` =
    retire_year - first period, so PyPSA's rule ``build_year <= y < build_year + lifetime``
    keeps it exactly while y < retire_year.  A vintage built for period y_b is extendable with
    ``build_year = y_b``, the technology's lifetime and that period's annualised
    ``capital_cost`` (per MW and year: PyPSA weights it by W_q in each active period q)."""

    def __init__(self, n: pypsa.Network, years: list[int]):
        self.n, self.years = n, years
        self.rows: dict[str, list[dict]] = {c: [] for c in _COPY}
        self.series: dict[tuple[str, str], dict[str, pd.Series]] = {}
        self.removed: dict[str, list[str]] = {c: [] for c in _COPY}

    def split(self, component: str, name: str, *, existing: float, retire: float,
              builds: list[tuple[int, float, float]], lifetime: float,
              marginal: np.ndarray | None = None) -> dict[int, str]:
        """``builds``: (build year, capital cost, max new) per buildable period; returns
        build year -> vintage name."""
        c = self.n.components[component]
        nom = _NOM[component]
        attrs = {a: c.static.at[name, a] for a in _COPY[component]}
        if component == "Store":  # WattBit cycles storage within each period
            attrs.update(e_cyclic=False, e_cyclic_per_period=True)
        series = {attr: df[name] for attr, df in c.dynamic.items() if name in df.columns}
        if marginal is not None:
            series["marginal_cost"] = pd.Series(marginal, index=self.n.snapshots)
        self.removed[component].append(name)
        first = self.years[0]
        parts = []
        if existing > 0 and retire > first:
            parts.append((f"{name} existing", {nom: existing, f"{nom}_extendable": False,
                                                "build_year": first,
                                                "lifetime": retire - first}))
        out = {}
        for year, cost, max_new in builds:
            out[year] = f"{name} {year}"
            parts.append((out[year], {nom: 0.0, f"{nom}_min": 0.0, f"{nom}_max": max_new,
                                      f"{nom}_extendable": True, "build_year": year,
                                      "lifetime": lifetime, "capital_cost": cost}))
        for part, own in parts:
            self.rows[component].append({"name": part, **attrs, **own})
            for attr, values in series.items():
                self.series.setdefault((component, attr), {})[part] = values
        return out

    def apply(self) -> None:
        n = self.n
        for component, names in self.removed.items():
            if names:
                n.remove(component, names)
        for component, rows in self.rows.items():
            # one add per set of time-varying attributes: n.add wants a column for every name
            groups: dict[tuple[str, ...], list[dict]] = {}
            for row in rows:
                attrs = tuple(a for (comp, a), by_name in self.series.items()
                              if comp == component and row["name"] in by_name)
                groups.setdefault(attrs, []).append(row)
            for attrs, group in groups.items():
                table = pd.DataFrame(group).set_index("name")
                dynamic = {a: pd.DataFrame({k: self.series[component, a][k]
                                            for k in table.index}, index=n.snapshots)
                           for a in attrs}
                n.add(component, table.index, **{c: table[c].to_numpy()
                                                 for c in table.columns if c not in dynamic},
                      **dynamic)


def build_multiperiod_network(case_dir) -> pypsa.Network:
    """PyPSA multi-investment network of a plain multi-period case (``periods`` in case.yaml).

    Contract (``model/inputs/periods.py``, docs/inputs.md): period p stands for years
    y_p .. y_{p+1} - 1 (the last for ``horizon_end_year`` - y_P years, else the last gap);
    W_p = sum of (1 + r)^-(y - base_year) over them.  Each period repeats load.csv times
    load_growth.csv; new capacity built for period b (if y_b >= decision_year + lead time)
    runs while y_b <= y_q < y_b + lifetime and pays its annuity + fixed O&M (tech_costs.csv
    of period b) weighted W_q in each such period; running costs are those of the period.
    Existing capacity runs while y_q < retire_year; ``max_new_mw`` bounds the sum of the
    vintages active in every period.  Objective = sum_p W_p * (annual cost of period p)."""
    case = Path(case_dir)
    cfg = yaml.safe_load((case / "case.yaml").read_text()) or {}
    if cfg.get("foresight", "perfect") != "perfect":
        raise NotImplementedError("mirror models perfect foresight only")
    if (case / "connection_queue.csv").exists():
        raise NotImplementedError("mirror does not model the connection queue")
    years = sorted(int(y) for y in cfg["periods"])
    gaps = list(np.diff(years))
    last = (int(cfg["horizon_end_year"]) - years[-1] if cfg.get("horizon_end_year")
            else (gaps[-1] if gaps else 1))
    spans = np.array([*gaps, last], dtype=float)
    rate = float(cfg["discount_rate"])
    decision = float(cfg.get("decision_year", years[0] - 1))

    n = build_network(case)  # one static year; split into periods and vintages below
    n.investment_periods = years  # repeats every time series once per period
    n.investment_period_weightings["objective"] = period_weights(
        years, spans, rate, float(cfg.get("base_year", years[0])))
    n.investment_period_weightings["years"] = spans
    period_of = n.snapshots.get_level_values("period")

    # ---- load growth (unserved power stays bounded by the grown load) ----------------------
    if (case / "load_growth.csv").exists():
        growth = pd.read_csv(case / "load_growth.csv", dtype={"region": str})
        for rid, rows in growth.groupby("region"):
            factor = pd.Series(1.0, index=years)
            factor[rows["period"].astype(int).to_numpy()] = rows["factor"].to_numpy(float)
            load = n.loads_t.p_set[f"load {rid}"] * factor.reindex(period_of).to_numpy()
            n.loads_t.p_set[f"load {rid}"] = load
            unserved = f"unserved {rid}"
            if unserved in n.generators.index:
                peak = float(load.max())
                n.generators.loc[unserved, ["p_nom", "p_nom_max"]] = peak
                n.generators_t.p_max_pu[unserved] = load / peak if peak > 0 else 0.0

    # ---- technologies by period (tech_costs.csv overrides technologies.csv) -----------------
    techs = _read_csv(case / "technologies.csv").set_index("tech")
    by_year = {y: techs.copy() for y in years}
    if (case / "tech_costs.csv").exists():
        for _, row in _read_csv(case / "tech_costs.csv").iterrows():
            for col in row.index.difference(["tech", "period"]):
                if not pd.isna(row[col]):
                    by_year[int(row["period"])].loc[row["tech"], col] = float(row[col])
    costs = {y: {tech: unit_costs(t, rate) for tech, t in by_year[y].iterrows()}
             for y in years}

    def per_snapshot(values: dict[int, float]) -> np.ndarray:
        return pd.Series(values).reindex(period_of).to_numpy(float)

    def buildable(lead: float, max_new: float) -> list[int]:
        return [y for y in years if y >= decision + lead] if max_new > 0 else []

    vint = _Vintager(n, years)
    ties_equal, ties_duration, limits = [], [], []

    def limit(var: str, vintages: dict[int, str], lifetime: float, bound: float) -> None:
        if not math.isfinite(bound) or not vintages:
            return
        for q in years:
            active = [v for y, v in vintages.items() if y <= q < y + lifetime]
            if active:
                limits.append(([(1.0, var, v) for v in active], bound))

    # ---- generators and storage -------------------------------------------------------------
    resources = _read_csv(case / "resources.csv")
    for _, row in resources.iterrows():
        node, tech = str(row["node"]), str(row["tech"])
        name, t = f"{node}:{tech}", techs.loc[tech]
        life = float(t["lifetime_years"])
        lead = _num(t.get("lead_time_years"), 0.0)
        retire = _col(resources, row, "retire_year", math.inf)
        existing_mw = _col(resources, row, "existing_mw", 0.0)
        max_mw = _col(resources, row, "max_new_mw", math.inf)
        if str(t["kind"]).strip().lower() == "generator":
            new = vint.split("Generator", name, existing=existing_mw, retire=retire,
                             builds=[(y, costs[y][tech]["power"], max_mw)
                                     for y in buildable(lead, max_mw)], lifetime=life,
                             marginal=per_snapshot({y: costs[y][tech]["var_om"]
                                                    + costs[y][tech]["fuel"]
                                                    for y in years}))
            limit("Generator-p_nom", new, life, max_mw)
            continue
        eff_d = _num(t.get("efficiency_discharge"), 1.0)
        duration = _num(t.get("duration_hours"), math.nan)
        max_mwh = _col(resources, row, "max_new_mwh", math.inf)
        if not math.isnan(duration):
            max_mwh = min(max_mwh, duration * max_mw)
        power_years, energy_years = buildable(lead, max_mw), buildable(lead, max_mwh)
        if not math.isnan(duration):  # no new energy (max_new_mwh = 0): no new power either
            power_years = [y for y in power_years if y in energy_years]
        charge = vint.split("Link", f"{name} charge", existing=existing_mw, retire=retire,
                            builds=[(y, costs[y][tech]["power"], max_mw) for y in power_years],
                            lifetime=life)
        discharge = vint.split("Link", f"{name} discharge", existing=existing_mw / eff_d,
                               retire=retire, builds=[(y, 0.0, math.inf) for y in power_years],
                               lifetime=life,
                               marginal=per_snapshot({y: costs[y][tech]["var_om"] * eff_d
                                                      for y in years}))
        store = vint.split("Store", name, existing=_col(resources, row, "existing_mwh", 0.0),
                           retire=retire,
                           builds=[(y, costs[y][tech]["energy"], max_mwh)
                                   for y in energy_years], lifetime=life)
        ties_equal += [(charge[y], discharge[y], eff_d) for y in power_years]
        if not math.isnan(duration):
            ties_duration += [(store[y], charge[y], duration, 0.0, 0.0) for y in power_years]
        limit("Link-p_nom", charge, life, max_mw)
        limit("Store-e_nom", store, life, max_mwh)

    # ---- corridors (no retirement; capital cost as in the static network) -------------------
    corridors = (_read_csv(case / "corridors.csv") if (case / "corridors.csv").exists()
                 else pd.DataFrame(columns=["from", "to"]))
    for i, row in corridors.reset_index(drop=True).iterrows():
        base = f"corridor {i} {row['from']}-{row['to']}"
        existing = _col(corridors, row, "existing_mw", 0.0)
        max_new = _col(corridors, row, "max_new_mw", math.inf)
        life = _col(corridors, row, "lifetime_years", 40.0)
        years_b = buildable(_col(corridors, row, "lead_time_years", 0.0), max_new)
        lossless = base in n.links.index
        first = base if lossless else f"{base} fwd"
        cost = float(n.links.at[first, "capital_cost"])
        new = vint.split("Link", first, existing=existing, retire=math.inf,
                         builds=[(y, cost, max_new) for y in years_b], lifetime=life)
        if not lossless:
            back = vint.split("Link", f"{base} bwd", existing=existing, retire=math.inf,
                              builds=[(y, 0.0, max_new) for y in years_b], lifetime=life)
            ties_equal += [(back[y], new[y], 1.0) for y in years_b]
        limit("Link-p_nom", new, life, max_new)

    vint.apply()
    n.meta.update(wattbit_ties_equal=ties_equal, wattbit_ties_duration=ties_duration,
                  wattbit_limits=limits, wattbit_multi_period=True)
    return n


def solve_multiperiod(case_dir) -> float:
    """Objective of a multi-period case per the contract (discounted total), with PyPSA."""
    return solve_network(build_multiperiod_network(case_dir))


# --------------------------------------------------------------------------------------------
# solve and objective
# --------------------------------------------------------------------------------------------
_NOMINAL = (("generators", "p_nom"), ("links", "p_nom"), ("stores", "e_nom"))


def existing_capital_constant(n: pypsa.Network) -> float:
    """sum(capital_cost * existing nominal capacity) over extendable components."""
    total = 0.0
    for comp, attr in _NOMINAL:
        df = getattr(n, comp)
        if df.empty:
            continue
        ext = df[f"{attr}_extendable"].astype(bool)
        total += float((df.loc[ext, "capital_cost"] * df.loc[ext, attr]).sum())
    return total


def objective_from_solution(n: pypsa.Network) -> float:
    """Recompute the contract objective from a solved network's optimal values."""
    w = n.snapshot_weightings["objective"]
    total = 0.0
    for comp, attr in _NOMINAL:
        df = getattr(n, comp)
        if df.empty:
            continue
        ext = df[f"{attr}_extendable"].astype(bool)
        new = df.loc[ext, f"{attr}_opt"] - df.loc[ext, attr]
        total += float((df.loc[ext, "capital_cost"] * new).sum())
    gens = n.generators
    if not gens.empty:
        p = n.generators_t.p[gens.index]
        total += float((p.mul(w, axis=0) * gens["marginal_cost"]).sum().sum())
    links = n.links
    if not links.empty:
        p0 = n.links_t.p0[links.index]
        total += float((p0.mul(w, axis=0) * links["marginal_cost"]).sum().sum())
    return total


def solve_network(n: pypsa.Network) -> float:
    status, condition = n.optimize(
        solver_name="highs",
        multi_investment_periods=bool(n.meta.get("wattbit_multi_period", False)),
        extra_functionality=extra_functionality,
        include_objective_constant=False,
        solver_options={"output_flag": False},
        log_to_console=False,
        io_api="direct",
    )
    if status != "ok":
        raise RuntimeError(f"PyPSA solve failed: {status} / {condition}")
    return float(n.objective) - existing_capital_constant(n)


def solve_pypsa(case_dir) -> float:
    """Objective of the case per the contract (per year, case currency), solved with PyPSA."""
    return solve_network(build_network(case_dir))
