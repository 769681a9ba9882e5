"""Import a PyPSA network as a WattBit case folder (``python solve.py import-pypsa``).

    from model.inputs.pypsa_import import from_pypsa
    case_dir = from_pypsa(n, out="cases/my-network")     # n: a pypsa.Network or a .nc path

writes the case contract of ``docs/inputs.md`` (``case.yaml``, ``regions.geojson``,
``load.csv``, ``technologies.csv``, ``resources.csv``, ``profiles.csv``, ``corridors.csv``)
and three files about the import: ``IMPORT_REPORT.md`` (what was mapped, how, and everything
that was not mapped or was mapped with a change), ``import_notes.csv`` (the same notes, one
row per component) and ``import_map.csv`` (which case row each PyPSA component became).
Data centres, demand centres and workloads are then added as ordinary case files.

Buses with carrier AC or DC become regions (node at x/y; the polygon of ``n.shapes`` where
the network has one, else the point); loads are summed per bus into ``load.csv``; snapshot
weightings become ``time_step_weight_hours``; a ``primary_energy`` global constraint on
``co2_emissions`` becomes ``policies.co2_cap_t``. Generators and storage:
:mod:`model.inputs.pypsa_units`; lines, transformers and links:
:mod:`model.inputs.pypsa_branches`; the cost conversion: :mod:`model.inputs.pypsa_common`.

PyPSA is an optional dependency (``pip install wattbit[pypsa]``), imported when a path is
read; the tables of a network object are read with pandas alone.
"""

from __future__ import annotations

import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import yaml
from shapely.geometry import Point

from model.inputs import pypsa_branches, pypsa_units
from model.inputs.pypsa_common import (
    DEFAULT_LIFETIME_YEARS,
    UNSERVED_CARRIER,
    ImportContext,
    active,
    column,
    dense,
    flagged,
    is_electric,
    region_id,
)
from model.inputs.pypsa_report import notes_table, summary_lines, write_report

DEFAULT_VOLL_PER_MWH = 100_000.0
HANDLED = {"Bus", "Carrier", "Load", "Generator", "StorageUnit", "Store", "Link", "Line",
           "Transformer", "GlobalConstraint", "LineType", "TransformerType", "SubNetwork",
           "Shape"}


class PyPSAMissing(ImportError):
    """PyPSA is not installed (``pip install wattbit[pypsa]``)."""


@dataclass
class ImportedCase:
    """The written case folder and what the import did."""

    path: Path
    config: dict
    regions: gpd.GeoDataFrame
    tables: dict[str, pd.DataFrame]  # load, technologies, resources, profiles, corridors
    notes: pd.DataFrame  # kind, component, count, what, detail, names
    mapped: pd.DataFrame  # component, name, mapped_to

    def summary_lines(self) -> list[str]:
        """What was imported, and what was left out or changed (for the command line)."""
        return summary_lines(self)


def require_pypsa():
    try:
        import pypsa
    except ImportError as exc:
        raise PyPSAMissing("PyPSA is not installed: pip install 'wattbit[pypsa]' (or "
                           "pip install pypsa)") from exc
    return pypsa


def read_network(network):
    """A pypsa.Network from a network object or a path (.nc, .h5 or a CSV folder)."""
    if not isinstance(network, str | Path):
        return network
    path = Path(network)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such network file")
    pypsa = require_pypsa()
    with warnings.catch_warnings():  # PyPSA 1.4 under pandas 3: string dtypes, not ours
        warnings.simplefilter("ignore", FutureWarning)
        return pypsa.Network(str(path))


def from_pypsa(network, out: str | Path | None = None, **options) -> Path:
    """Import a PyPSA network (object or file) as a case folder; returns the folder.

    ``out=None`` writes to a new temporary folder. Options: see :func:`import_network`."""
    return import_network(network, out, **options).path


def import_network(network, out: str | Path | None = None, *, name: str | None = None,
                   discount_rate: float = 0.07, currency: str = "EUR",
                   value_of_lost_load_per_mwh: float | None = None,
                   lifetime_years: float = DEFAULT_LIFETIME_YEARS,
                   overwrite: bool = False) -> ImportedCase:
    """Import a PyPSA network and write the case folder ``out`` (see the module docstring).

    ``discount_rate`` (fraction) and ``lifetime_years`` (where PyPSA's lifetime is
    infinite) only shape the overnight costs written: WattBit's annual costs equal PyPSA's
    whatever they are. ``value_of_lost_load_per_mwh``: the price of WattBit's unserved power,
    which PyPSA has not (default: the marginal cost of the generators of carrier 'unserved'
    of a network WattBit exported, else 100,000 per MWh)."""
    n = read_network(network)
    source = str(network) if isinstance(network, str | Path) else "a pypsa.Network object"
    out = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="wattbit-pypsa-"))
    if (out / "case.yaml").exists() and not overwrite:
        raise FileExistsError(f"{out} already holds a case (case.yaml); choose another folder "
                              "or overwrite it (overwrite=True; --force)")
    _check_network(n)
    cx = ImportContext(n, float(discount_rate), float(lifetime_years))
    own = str(getattr(n, "name", "") or "")
    config = {"name": name or (own if own not in ("", "Unnamed Network") else out.name),
              "currency": currency,
              "discount_rate": float(discount_rate)}
    config.update(_time(cx))
    regions = _regions(cx)
    tables = {"load": _load(cx)}
    voll = _unserved(cx, value_of_lost_load_per_mwh)
    config["value_of_lost_load_per_mwh"] = voll
    units = (pypsa_units.generators(cx, _without_unserved(n.generators))
             + pypsa_units.storage_units(cx, n.storage_units)
             + pypsa_units.stores(cx, n.stores, n.links))
    tables["technologies"], tables["resources"] = pypsa_units.technologies(cx, units)
    tables["profiles"] = _profiles(cx, units, tables["resources"])
    corridors = (pypsa_branches.lines(cx, n.lines)
                 + pypsa_branches.lines(cx, n.transformers, "Transformer")
                 + pypsa_branches.links(cx, n.links))
    tables["corridors"] = pd.DataFrame(corridors, columns=pypsa_branches.CORRIDOR_COLUMNS)
    _kirchhoff(cx)
    policies = _policies(cx)
    if policies:
        config["policies"] = policies
    _leftovers(cx)
    imported = ImportedCase(out, config, regions, tables, notes_table(cx.notes),
                            pd.DataFrame(cx.mapped, columns=["component", "name", "mapped_to"]))
    _write(imported)
    write_report(imported, cx, source)
    return imported


def _check_network(n) -> None:
    if len(getattr(n, "investment_periods", [])):
        raise ValueError("networks with investment periods (multi-horizon planning) cannot "
                         "be imported: WattBit plans one horizon; select one period first")
    if getattr(n, "has_scenarios", False):
        raise ValueError("stochastic networks (scenarios) cannot be imported")
    if not len(n.snapshots):
        raise ValueError("the network has no snapshots")


def _time(cx: ImportContext) -> dict:
    """time_step_weight_hours from the objective weightings (the notes where they differ)."""
    sw = cx.network.snapshot_weightings
    w = sw["objective"].to_numpy(float)
    labels = [str(s) for s in cx.network.snapshots]
    if np.ptp(w) > 1e-9 * max(1.0, float(w.max())):
        cx.approximated("Network", ["snapshot_weightings"], "unequal objective weightings",
                        f"every step weighs their mean, {w.mean():g} h (the year's total kept)")
    stores = sw["stores"].to_numpy(float) if "stores" in sw else np.ones(len(w))
    if np.abs(stores - 1.0).max() > 1e-9:
        cx.approximated("Network", ["snapshot_weightings"], "storage weightings ≠ 1 h",
                        "WattBit's storage moves one hour per step on full-time cases "
                        "(resample the network hourly, or scale storage energy by the step "
                        "length)")
    gens = sw["generators"].to_numpy(float) if "generators" in sw else w
    if np.abs(gens - w).max() > 1e-9 * max(1.0, float(w.max())):
        cx.approximated("Network", ["snapshot_weightings"], "generator weightings ≠ "
                        "objective weightings", "CO2 limits count the objective weightings")
    cx.record("Network", ["snapshots"], f"load.csv time ({len(labels)} steps)")
    return {"time_step_weight_hours": float(w.mean())}


def _regions(cx: ImportContext) -> gpd.GeoDataFrame:
    """Buses with carrier AC or DC as regions: point at x/y, polygon from n.shapes."""
    n = cx.network
    buses = active(cx, "Bus", n.buses)
    electric = buses.loc[[is_electric(c) for c in buses.get("carrier", [""] * len(buses))]]
    crs = getattr(n, "crs", None) or "EPSG:4326"
    points = gpd.GeoSeries([Point(x, y) for x, y in zip(electric["x"], electric["y"],
                                                          strict=True)], crs=crs).to_crs(4326)
    shapes = _bus_shapes(n, crs)
    ids, taken = [], set()
    for name in electric.index:
        rid = region_id(name)
        while rid in taken:
            rid += "_"
        taken.add(rid)
        ids.append(rid)
        cx.regions[name] = rid
    renamed = [b for b, r in cx.regions.items() if str(b) != r]
    cx.approximated("Bus", renamed, "bus names with ':' (or clashing after the change)",
                    "region id with '_' for ':' (import_map.csv gives each)")
    for name, p in zip(electric.index, points, strict=True):
        cx.locations[name] = (p.x, p.y)
    same = len(set(cx.locations.values())) == 1 and len(ids) > 1
    cx.approximated("Bus", list(electric.index) if same else [], "buses without coordinates",
                    "all at one point: give x/y (lon/lat) so that lengths and latencies mean "
                    "something")
    geometry = [shapes.get(b, p) for b, p in zip(electric.index, points, strict=True)]
    group = (electric["country"].fillna("").astype(str) if "country" in electric.columns
             else pd.Series("", index=electric.index))
    cx.record("Bus", electric.index, [f"regions.geojson {r}" for r in ids])
    return gpd.GeoDataFrame({"id": ids, "name": [str(b) for b in electric.index],
                             "lon": points.x.to_numpy(), "lat": points.y.to_numpy(),
                             "group": group.to_numpy()}, geometry=geometry, crs=4326)


def _bus_shapes(n, crs) -> dict:
    shapes = getattr(n, "shapes", None)
    if shapes is None or not len(shapes) or "component" not in shapes.columns:
        return {}
    own = shapes[(shapes["component"] == "Bus")
                 & shapes.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    if own.crs is None:
        own = own.set_crs(crs)
    own = own.to_crs(4326)
    return dict(zip(own["idx"], own.geometry, strict=True))


def _load(cx: ImportContext) -> pd.DataFrame:
    """Loads summed per region bus (MW), one column per region."""
    n = cx.network
    loads = active(cx, "Load", n.loads)
    off = ~loads["bus"].isin(list(cx.regions))
    cx.not_mapped("Load", flagged(loads, off), "loads at non-electric buses",
                  "sector coupling (heat, hydrogen, transport demand …); left out")
    sign = column(loads, "sign", -1.0).astype(float)
    gen_like = ~off & (sign > 0)
    cx.not_mapped("Load", flagged(loads, gen_like), "loads with sign = +1",
                  "a positive-sign load is a fixed generation; left out")
    loads = loads.loc[(~off & ~gen_like).to_numpy()]
    p = dense(cx, "Load", "p_set", loads.index)
    by_bus = p.T.groupby(loads["bus"].to_numpy()).sum().T
    out = pd.DataFrame({"time": [str(s) for s in n.snapshots]})
    for bus, rid in cx.regions.items():
        out[rid] = by_bus[bus].to_numpy(float) if bus in by_bus.columns else 0.0
    negative = [rid for rid in cx.regions.values() if (out[rid] < 0).any()]
    cx.approximated("Load", negative, "negative load (net generation) at these regions",
                    "set to 0 in those steps")
    for rid in negative:
        out[rid] = out[rid].clip(lower=0.0)
    cx.record("Load", loads.index, [f"load.csv {cx.regions[b]}" for b in loads["bus"]])
    return out


def _without_unserved(gens: pd.DataFrame) -> pd.DataFrame:
    carrier = gens["carrier"] if "carrier" in gens.columns else pd.Series("", index=gens.index)
    return gens.loc[(carrier != UNSERVED_CARRIER).to_numpy()]


def _unserved(cx: ImportContext, given: float | None) -> float:
    """WattBit's value of lost load: given, else the exported network's, else the default."""
    gens = cx.network.generators
    carrier = gens["carrier"] if "carrier" in gens.columns else pd.Series("", index=gens.index)
    ours = gens.loc[(carrier == UNSERVED_CARRIER).to_numpy()]
    cx.record("Generator", ours.index, "case.yaml value_of_lost_load_per_mwh")
    if given is not None:
        return float(given)
    if len(ours):
        return float(ours["marginal_cost"].astype(float).max())
    return DEFAULT_VOLL_PER_MWH


def _profiles(cx: ImportContext, units, resources: pd.DataFrame) -> pd.DataFrame:
    cols = {}
    for u, (_, row) in zip(units, resources.iterrows(), strict=True):
        if u.profile is not None:
            cols[f"{row['node']}:{row['tech']}"] = u.profile
    return pd.DataFrame({"time": [str(s) for s in cx.network.snapshots], **cols})


def _kirchhoff(cx: ImportContext) -> None:
    n = cx.network
    edges = [(a, b) for df in (n.lines, n.transformers)
             for a, b in zip(df["bus0"], df["bus1"], strict=True)
             if a in cx.regions and b in cx.regions]
    if pypsa_branches.meshed(edges):
        cx.approximated("Line", ["(meshed AC network)"], "Kirchhoff's voltage law",
                        "not enforced: corridors are a transport model; PyPSA's meshed AC "
                        "flows are more constrained (its cost may be higher)")


def _policies(cx: ImportContext) -> dict:
    gc = cx.network.global_constraints
    if gc.empty:
        return {}
    co2 = ((gc["type"] == "primary_energy") & (gc["carrier_attribute"] == "co2_emissions")
           & (gc["sense"] == "<="))
    cx.not_mapped("GlobalConstraint", flagged(gc, ~co2), "global constraints other than a "
                  "CO2 limit", "no WattBit policy lever for them; left out")
    if not co2.any():
        return {}
    caps = gc.loc[co2, "constant"].astype(float)
    if len(caps) > 1:
        cx.approximated("GlobalConstraint", caps.index, "several CO2 limits",
                        "the smallest one is the cap")
    cx.record("GlobalConstraint", caps.index, "case.yaml policies.co2_cap_t")
    return {"co2_cap_t": float(max(caps.min(), 0.0))}


def _leftovers(cx: ImportContext) -> None:
    """Components of kinds the import does not read, and non-electric buses left unused."""
    n = cx.network
    for component, table in _component_tables(n):
        if component not in HANDLED and len(table):
            cx.not_mapped(component, table.index, f"{component} components",
                          "no WattBit counterpart; left out")
    buses = n.buses
    rest = [b for b in buses.index if b not in cx.regions and ("Bus", str(b)) not in cx.used]
    cx.not_mapped("Bus", rest, "non-electric buses (carrier not AC/DC)",
                  "sector coupling; left out with what is attached to them")


def _component_tables(n) -> list[tuple[str, pd.DataFrame]]:
    try:  # PyPSA >= 1.0: n.components iterates component objects
        return [(c.name, c.static) for c in n.components]
    except (AttributeError, TypeError):  # PyPSA 0.x
        return [(c.name, c.df) for c in n.iterate_components()]


def _write(imp: ImportedCase) -> None:
    out = imp.path
    out.mkdir(parents=True, exist_ok=True)
    (out / "case.yaml").write_text(yaml.safe_dump(imp.config, sort_keys=False,
                                                  allow_unicode=True))
    if (out / "regions.geojson").exists():
        (out / "regions.geojson").unlink()
    imp.regions.to_file(out / "regions.geojson", driver="GeoJSON")
    for key in ("load", "technologies", "resources", "profiles", "corridors"):
        table = imp.tables[key].replace([np.inf, -np.inf], np.nan)
        if key in ("profiles", "corridors") and (table.empty or len(table.columns) <= 1):
            (out / f"{key}.csv").unlink(missing_ok=True)
            continue
        table.to_csv(out / f"{key}.csv", index=False)
    imp.notes.drop(columns="names").assign(
        names=imp.notes["names"].map(" | ".join)).to_csv(out / "import_notes.csv", index=False)
    imp.mapped.to_csv(out / "import_map.csv", index=False)
