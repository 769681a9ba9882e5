"""Cases edited in pandas: back to the file form, validated again, derived fields redone.

A :class:`model.inputs.case.Case` is validated once, when it is read. The Python API lets a
user edit its tables before solving (``case.technologies.loc["solar", "capex_per_kw"] *=
0.8``); :func:`revalidate` turns the edited case back into the tables of a case folder
(:func:`to_raw`, nothing written to disk) and runs the whole validation again, so an edit
gets the same checks as a file would (types, ranges, references, the policy levers; a
:class:`CaseError` names table, row and column) and every derived field is computed again.

Derived fields are the values validation fills in from *other* columns where the files leave
them empty (:data:`DERIVED`). A case from :func:`load_case` is an :class:`EditableCase`: it
remembers which values were derived, so that after an edit they are derived again from the
edited columns (e.g. a site's existing grid connection follows its edited ``existing_it_mw``)
unless the user set them. Values the files gave stay as they are. The case's own fields
(``discount_rate``, ``value_of_lost_load``, ``currency``, ``latency``, ``solver``,
``policies``) are written back to ``config`` when they were edited; time weights follow
``config["time_step_weight_hours"]`` (edit that, not ``weights``).
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from model.formulation import policies
from model.inputs import case as inputs_case
from model.inputs.case import Case
from model.inputs.read import RawCase, read_raw
from model.studies.cases import apply_scenarios

# table -> column -> what validation derives it from when the files leave it empty
DERIVED = {
    "sites": {"grid_existing_mw": "existing_it_mw × pue, at most grid_limit_mw"},
    "regions": {"lon": "the region's geometry", "lat": "the region's geometry"},
    "corridors": {"length_km": "great-circle distance of its nodes", "name": "from-to"},
    "workloads": {"value_of_lost_compute_per_mwh": "value_of_lost_load_per_mwh"},
}
# Case field -> case.yaml key
SCALARS = {"name": "name", "currency": "currency", "discount_rate": "discount_rate",
           "value_of_lost_load": "value_of_lost_load_per_mwh", "latency": "latency",
           "solver": "solver", "policies": "policies"}
GEO = ("regions", "sites", "demand_centres")
ID_COLUMN = {"regions": "id", "sites": "id", "demand_centres": "id", "technologies": "tech",
             "workloads": "class"}
TIME_TABLES = ("profiles", "pue", "compute_profiles")


@dataclass(repr=False)
class EditableCase(Case):
    """A validated case that remembers which of its values validation derived."""

    # (table, column) -> the derived values at load, by row label
    derived: dict = field(default_factory=dict)
    # the case's own fields at load (see SCALARS)
    loaded: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        return (f"EditableCase({self.name!r}, {len(self.regions)} regions, "
                f"{len(self.sites)} sites, {self.n_steps} steps, path={str(self.path)!r})")


def _checks():
    return (policies.validate_policies,)


def _row_labels(table: str, frame: pd.DataFrame) -> pd.Index:
    """Row labels of a file-form table as in the validated case (ids, or positions)."""
    col = ID_COLUMN.get(table)
    if col is not None and col in frame:
        return pd.Index(frame[col].astype(str).str.strip())
    return pd.RangeIndex(len(frame))


def _raw_frame(raw: RawCase, table: str) -> pd.DataFrame | None:
    return raw.geo.get(table) if table in GEO else raw.tables.get(table)


def _derived_values(raw: RawCase, case: Case) -> dict:
    """(table, column) -> values validation derived, by row label."""
    out = {}
    for table, columns in DERIVED.items():
        frame, validated = _raw_frame(raw, table), getattr(case, table)
        if frame is None or not len(validated):
            continue
        labels = _row_labels(table, frame)
        for col in columns:
            if col not in validated:
                continue
            empty = (np.ones(len(frame), bool) if col not in frame
                     else frame[col].isna().to_numpy())
            rows = [k for k in labels[empty] if k in validated.index]
            out[(table, col)] = validated.loc[rows, col].copy()
    return out


def load_case(path: str | Path, scenarios: list | None = None) -> EditableCase:
    """Read a case folder (scenarios applied) and validate it, remembering derived values."""
    raw = read_raw(path)
    if scenarios:
        raw = apply_scenarios(raw, scenarios)
    case = inputs_case.validate(raw, _checks())
    fields = {f.name: getattr(case, f.name) for f in dataclasses.fields(Case)}
    loaded = {k: copy.deepcopy(getattr(case, k)) for k in SCALARS}
    return EditableCase(**fields, derived=_derived_values(raw, case), loaded=loaded)


def _config(case: Case) -> dict:
    config = copy.deepcopy(case.config)
    loaded = getattr(case, "loaded", None) or {}
    for attr, key in SCALARS.items():
        value = getattr(case, attr)
        if attr not in loaded or loaded[attr] != value:  # edited (or nothing to compare)
            config[key] = copy.deepcopy(value)
    return config


def _with_time(case: Case, frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.reset_index(drop=True).copy()
    out.insert(0, "time", list(case.time))
    return out


def _tables(case: Case) -> dict[str, pd.DataFrame]:
    tables = {"load": _with_time(case, case.load),
              "technologies": case.technologies.reset_index(),
              "resources": case.resources.copy()}
    for name in TIME_TABLES:
        frame = getattr(case, name)
        if len(frame.columns):
            tables[name] = _with_time(case, frame)
    if len(case.corridors):
        tables["corridors"] = case.corridors.copy()
    if len(case.compute_demand):
        tables["compute_demand"] = case.compute_demand.copy()
    if len(case.workloads):
        tables["workloads"] = case.workloads.reset_index()
    return tables


def _geo(case: Case) -> dict:
    geo = {}
    for name in GEO:
        gdf = getattr(case, name)
        if name == "regions" or len(gdf):
            out = gdf.reset_index()
            out.attrs["file"] = gdf.attrs.get("file", f"{name}.geojson")
            geo[name] = out
    return geo


def _derive_again(raw: RawCase, case: Case) -> None:
    """Empty the derived values the user left alone, so that validation derives them from
    the (edited) columns they come from."""
    for (table, col), values in (getattr(case, "derived", None) or {}).items():
        frame = _raw_frame(raw, table)
        if frame is None or col not in frame:
            continue
        labels = _row_labels(table, frame)
        current = frame[col].to_numpy(dtype=object)
        for i, label in enumerate(labels):
            if label not in values.index:
                continue
            old = values.loc[label]
            same = (pd.isna(old) and pd.isna(current[i])) or old == current[i]
            if same:
                frame.loc[frame.index[i], col] = np.nan
        if table == "regions" and col in ("lon", "lat"):
            frame[col] = pd.to_numeric(frame[col], errors="coerce")


def to_raw(case: Case) -> RawCase:
    """The case as the tables of a case folder (what :func:`model.inputs.read.read_raw` gives)."""
    raw = RawCase(Path(case.path), _config(case), _tables(case), _geo(case),
                  list(case.scenario_names))
    _derive_again(raw, case)
    return raw


def revalidate(case: Case, scenarios: list | None = None) -> Case:
    """Validate an (edited) case again, scenarios applied; raises CaseError on bad values.

    A time-reduced case (``case.reduction`` set, e.g. ``res.case`` of a run with ``days``)
    is returned as it is: its tables are representative periods, not a case folder's."""
    if case.reduction is not None:
        return case
    raw = to_raw(case)
    if scenarios:
        raw = apply_scenarios(raw, scenarios)
    return inputs_case.validate(raw, _checks())
