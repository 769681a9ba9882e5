"""Scenarios: YAML overrides applied to a case before validation (docs/scenarios-and-sweeps.md).

A scenario file::

    name: east-only                      # default: the file stem
    description: One line.
    set:                                 # dotted path -> new value
      discount_rate: 0.05                # any case.yaml key
      solver.mip_gap: 0.001              # nested case.yaml key
      policies.co2_price_per_t: 80       # any policy lever (model.policies.LEVERS)
      technologies.solar.capex_per_kw: 2800   # <table>.<row id>.<column>
      resources.east:solar.max_new_mw: 500    # composite ids joined by ':'
      sites.loudoun_va.max_it_mw: 1000        # geo tables by id
      workloads.flexible_share: 0.5           # <table>.<column>: every row
    scale:                               # multipliers
      compute_demand.it_mw: 1.5          # a whole column
      load: 1.1                          # every number of a time-series table
      resources.east:solar.max_new_mw: 2 # one cell

Row ids (declared by each table's schema, :mod:`model.inputs.schemas`): ``technologies`` tech;
``resources`` node:tech; ``corridors`` from:to (either direction); ``compute_demand``
centre:class; ``workloads`` class; ``regions``, ``sites``, ``demand_centres`` id; time-series
tables (``load``, ``profiles``, ``pue``, ``compute_profiles``) the ``time`` label. Ids may
contain dots: the first segment of a key is the table, the last the column, everything between
the row id. A column a file lacks may be set when its schema declares it.

Scenarios are applied in order to a copy of the :class:`model.case.RawCase`; every unknown
section, table, row id, column or case.yaml key is reported (all at once) as a
:class:`model.validation.CaseError` naming the key and the scenario file. Values are checked
later by :func:`model.case.validate`, exactly as if they had been in the case files.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from model.inputs import schemas
from model.inputs.problems import CaseError, Problem, Problems
from model.inputs.read import CONFIG_KEYS, DEFAULT_LATENCY, DEFAULT_SOLVER, RawCase

SECTIONS = {"name", "description", "set", "scale"}
# private key the sweep uses to name the file a generated scenario comes from
SOURCE_KEY = "_source"

# from the schemas (model.inputs.schemas): each table's file, the columns that identify a row
# (joined with ':' in keys) and its declared columns (a scenario may create these when a file
# lacks them)
ROW_IDS: dict[str, tuple[str, ...]] = {t: schemas.row_ids(t) for t in schemas.TABLES}
TIME_TABLES = set(schemas.TIME_TABLES)
GEO_TABLES = set(schemas.GEO_TABLES)
FILE_NAMES: dict[str, str] = {t: schemas.file_name(t) for t in schemas.TABLES}
DOCUMENTED_COLUMNS: dict[str, set[str]] = {
    t: set(schemas.declared_columns(t)) - {"geometry"} for t in schemas.TABLES}
SOLVER_EXTRA_KEYS = {"random_seed", "highs_options"}


# ------------------------------------------------------------------------------ public
def load_scenario(source: str | Path | dict) -> tuple[dict, str]:
    """The scenario mapping and the file name used in messages (raises CaseError)."""
    if isinstance(source, dict):
        spec = dict(source)
        where = str(spec.get(SOURCE_KEY) or f"scenario '{spec.get('name', 'unnamed')}'")
        return spec, where
    path = Path(source)
    where = str(path)
    if not path.is_file():
        raise CaseError([Problem(where, "scenario file not found",
                                 hint="give the path of a scenario YAML file")])
    try:
        spec = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise CaseError([Problem(where, f"is not valid YAML: {exc}")]) from None
    if not isinstance(spec, dict):
        raise CaseError([Problem(where, "a scenario must be a mapping with 'set' and/or "
                                        "'scale' sections")])
    spec.setdefault("name", path.stem)
    return spec, where


def scenario_name(source: str | Path | dict) -> str:
    """The scenario's ``name`` (or its file stem)."""
    if isinstance(source, dict):
        return str(source.get("name") or "scenario")
    try:
        spec, _ = load_scenario(source)
    except CaseError:
        return Path(source).stem
    return str(spec.get("name") or Path(source).stem)


def apply_scenarios(raw: RawCase, scenarios: list[str | Path | dict],
                    policy_keys: Collection[str] | None = None) -> RawCase:
    """A copy of ``raw`` with every scenario applied in order (raises CaseError).

    All problems of all scenarios are collected and raised together; the raw case passed in
    is never modified. ``policy_keys``: the known policy levers (the formulation's registry,
    passed in from above); None leaves ``policies.*`` keys to the policy validation.
    """
    _POLICY_KEYS.set(None if policy_keys is None else set(policy_keys))
    out = raw.copy()
    problems = Problems()
    for source in scenarios or []:
        try:
            spec, where = load_scenario(source)
        except CaseError as exc:
            problems.items.extend(exc.problems)
            continue
        _apply_one(out, spec, where, problems)
        name = spec.get("name")
        if name is None:
            name = Path(source).stem if not isinstance(source, dict) else "scenario"
        out.scenario_names.append(str(name))
    problems.raise_if_any()
    return out


# ---------------------------------------------------------------------------- applying
class _KeyError(Exception):
    """An unknown key (or a value that cannot be applied) inside one scenario."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint


def _shorthand(spec: dict, where: str, problems: Problems) -> dict:
    """Top-level keys in case.yaml's own shape (``policies: {co2_price_per_t: 80}``) are
    shorthand for ``set:`` entries (``policies.co2_price_per_t: 80``); anything else that is
    not a section is reported."""
    entries: dict = {}
    for key, value in spec.items():
        if key in SECTIONS or key == SOURCE_KEY:
            continue
        if key not in CONFIG_KEYS:
            problems.add(where, f"unknown key '{key}'",
                         hint=f"a scenario has the sections {', '.join(sorted(SECTIONS))}, "
                              "or case.yaml keys in case.yaml's shape: "
                              + ", ".join(sorted(CONFIG_KEYS)))
        elif isinstance(value, dict) and value:
            entries.update({f"{key}.{sub}": v for sub, v in value.items()})
        else:
            entries[key] = value
    return entries


def _apply_one(raw: RawCase, spec: dict, where: str, problems: Problems) -> None:
    shorthand = _shorthand(spec, where, problems)
    if shorthand and isinstance(spec.get("set") or {}, dict):
        spec = {**spec, "set": {**shorthand, **(spec.get("set") or {})}}
    for section, op in (("set", _set), ("scale", _scale)):
        entries = spec.get(section)
        if entries is None:
            continue
        if not isinstance(entries, dict):
            problems.add(where, f"'{section}' must be a mapping of dotted keys to values")
            continue
        for key, value in entries.items():
            try:
                op(raw, str(key), value)
            except _KeyError as exc:
                problems.add(where, f"{section}: {exc.message}", hint=exc.hint)


def _unknown(key: str, detail: str = "", hint: str = "") -> _KeyError:
    return _KeyError(f"unknown key '{key}'" + (f": {detail}" if detail else ""), hint)


def _split(key: str) -> list[str]:
    parts = [p.strip() for p in key.split(".")]
    if not key.strip() or any(p == "" for p in parts):
        raise _unknown(key, "empty segment in dotted key")
    return parts


def _set(raw: RawCase, key: str, value: Any) -> None:
    parts = _split(key)
    if parts[0] in ROW_IDS:
        _table_op(raw, key, parts, value, scale=False)
    else:
        _config_set(raw.config, key, parts, value)


def _scale(raw: RawCase, key: str, factor: Any) -> None:
    if isinstance(factor, bool) or not isinstance(factor, int | float) or not math.isfinite(
            float(factor)):
        raise _KeyError(f"key '{key}': scale factor {factor!r} is not a finite number")
    parts = _split(key)
    if parts[0] in ROW_IDS:
        _table_op(raw, key, parts, float(factor), scale=True)
    else:
        _config_scale(raw.config, key, parts, float(factor))


# ------------------------------------------------------------------------------ config
# the policy levers known while scenarios are applied (set by apply_scenarios)
_POLICY_KEYS: ContextVar[set[str] | None] = ContextVar("policy_keys", default=None)


def _check_config_path(key: str, parts: list[str], value: Any) -> None:
    top = parts[0]
    if top not in CONFIG_KEYS:
        raise _unknown(key, "not a case.yaml key or a table",
                       hint="case.yaml keys: " + ", ".join(sorted(CONFIG_KEYS))
                       + "; tables: " + ", ".join(sorted(ROW_IDS)))
    known: set[str] | None = None
    what = ""
    if top == "policies":
        known, what = _POLICY_KEYS.get(), "policy lever"
    elif top == "solver":
        known, what = set(DEFAULT_SOLVER) | SOLVER_EXTRA_KEYS, "solver option"
    elif top == "latency":
        known, what = set(DEFAULT_LATENCY), "latency parameter"
    if known is None:
        return
    if len(parts) == 1:
        if value is not None and not isinstance(value, dict):
            raise _KeyError(f"key '{key}': must be a mapping")
        sub = [] if value is None else [str(k) for k in value]
    else:
        sub = [parts[1]]
    for name in sub:
        if name not in known:
            shown = f"{top}.{name}" if len(parts) == 1 else key
            raise _unknown(shown, f"not a known {what}",
                           hint=f"known: {', '.join(sorted(known)) or 'none'}")
    if top == "latency" and len(parts) > 2:
        raise _unknown(key, "latency parameters are numbers, not mappings")


def _config_set(config: dict, key: str, parts: list[str], value: Any) -> None:
    _check_config_path(key, parts, value)
    node = config
    for i, part in enumerate(parts[:-1]):
        nxt = node.get(part)
        if nxt is None:
            nxt = node[part] = {}
        elif not isinstance(nxt, dict):
            raise _unknown(key, f"'{'.'.join(parts[:i + 1])}' is a value, not a mapping")
        node = nxt
    node[parts[-1]] = _plain(value)


def _config_scale(config: dict, key: str, parts: list[str], factor: float) -> None:
    _check_config_path(key, parts, None)
    node: Any = config
    for part in parts:
        if not isinstance(node, dict) or part not in node:
            raise _unknown(key, "no such value in case.yaml to scale")
        node = node[part]
    if isinstance(node, bool) or not isinstance(node, int | float):
        raise _KeyError(f"key '{key}': value {node!r} in case.yaml is not a number")
    parent = config
    for part in parts[:-1]:
        parent = parent[part]
    parent[parts[-1]] = node * factor


def _plain(value: Any) -> Any:
    """YAML values as plain Python (tuples to lists) so the config stays YAML/JSON-able."""
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


# ------------------------------------------------------------------------------ tables
def _get_table(raw: RawCase, table: str) -> pd.DataFrame | None:
    return raw.geo.get(table) if table in GEO_TABLES else raw.tables.get(table)


def _put_table(raw: RawCase, table: str, df: pd.DataFrame) -> None:
    if table in GEO_TABLES:
        raw.geo[table] = df
    else:
        raw.tables[table] = df


def _row_keys(df: pd.DataFrame, table: str) -> pd.Series:
    cols = ROW_IDS[table]
    keys = None
    for c in cols:
        part = df[c].map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v))
                         else str(v).strip())
        keys = part if keys is None else keys + ":" + part
    return keys


def _match_rows(df: pd.DataFrame, table: str, key: str, row_id: str) -> np.ndarray:
    file = FILE_NAMES[table]
    missing = [c for c in ROW_IDS[table] if c not in df.columns]
    if missing:
        raise _unknown(key, f"{file} has no '{missing[0]}' column to find row '{row_id}' by")
    keys = _row_keys(df, table)
    mask = (keys == row_id).to_numpy()
    if not mask.any() and table == "corridors" and ":" in row_id:
        a, b = row_id.split(":", 1)
        mask = (keys == f"{b}:{a}").to_numpy()
    if not mask.any():
        known = list(dict.fromkeys(keys.tolist()))
        shown = ", ".join(known[:8]) + (", …" if len(known) > 8 else "")
        idcols = ":".join(ROW_IDS[table])
        raise _unknown(key, f"no row '{row_id}' in {file}",
                       hint=f"rows are named by {idcols}: {shown}")
    return mask


def _documented(raw: RawCase, table: str) -> set[str]:
    cols = set(DOCUMENTED_COLUMNS.get(table, set()))
    if table == "load":
        regions = raw.geo.get("regions")
        if regions is not None and "id" in regions:
            cols |= {str(v).strip() for v in regions["id"]}
    elif table == "pue":
        sites = raw.geo.get("sites")
        if sites is not None and "id" in sites:
            cols |= {str(v).strip() for v in sites["id"]}
    elif table == "profiles":
        res = raw.tables.get("resources")
        if res is not None and {"node", "tech"} <= set(res.columns):
            cols |= set(res["node"].astype(str).str.strip() + ":"
                        + res["tech"].astype(str).str.strip())
    return cols


def _check_column(raw: RawCase, df: pd.DataFrame, table: str, key: str, col: str,
                  create: bool) -> None:
    if col in df.columns:
        if col == "geometry" or col in ROW_IDS[table]:
            raise _KeyError(f"key '{key}': the id/geometry column '{col}' cannot be changed "
                            "by a scenario")
        return
    if table == "compute_profiles" and create:
        return  # profile names are free; a new column is a new profile
    if col not in _documented(raw, table):
        existing = [c for c in df.columns if c != "geometry"]
        raise _unknown(key, f"'{col}' is not a column of {FILE_NAMES[table]}",
                       hint="existing columns: " + ", ".join(map(str, existing)))
    if not create:
        raise _KeyError(f"key '{key}': {FILE_NAMES[table]} has no column '{col}' to scale")


def _table_op(raw: RawCase, key: str, parts: list[str], value: Any, scale: bool) -> None:
    table = parts[0]
    df = _get_table(raw, table)
    file = FILE_NAMES[table]
    if df is None:
        raise _unknown(key, f"the case has no {file}")
    df = df.copy()
    if len(parts) == 1:
        if not scale:
            raise _unknown(key, "give a column (<table>.<column>) or a cell "
                                "(<table>.<row id>.<column>)")
        if table not in TIME_TABLES:
            raise _unknown(key, f"scale a column of {file}: {table}.<column>")
        for col in [c for c in df.columns if c != "time"]:
            df[col] = _scaled(df[col], value, key, col)
        _put_table(raw, table, df)
        return
    col = parts[-1]
    mask = (np.ones(len(df), dtype=bool) if len(parts) == 2
            else _match_rows(df, table, key, ".".join(parts[1:-1])))
    _check_column(raw, df, table, key, col, create=not scale)
    if scale:
        vals = _numeric(df[col], key, col)
        df[col] = vals.where(~pd.Series(mask, index=df.index), vals * value)
    else:
        _assign(df, col, mask, value, key)
    _put_table(raw, table, df)


def _numeric(series: pd.Series, key: str, col: str) -> pd.Series:
    values = pd.to_numeric(series, errors="coerce").astype(float)
    blank = series.isna() | (series.astype(str).str.strip() == "")
    if (values.isna() & ~blank).any():
        raise _KeyError(f"key '{key}': column '{col}' is not numeric, it cannot be scaled")
    return values


def _scaled(series: pd.Series, factor: float, key: str, col: str) -> pd.Series:
    return _numeric(series, key, col) * factor


def _assign(df: pd.DataFrame, col: str, mask: np.ndarray, value: Any, key: str) -> None:
    if isinstance(value, dict | list | tuple):
        raise _KeyError(f"key '{key}': a table cell takes one value, not {type(value).__name__}")
    is_num = isinstance(value, int | float | np.number) and not isinstance(value, bool)
    if value is None:
        value = np.nan
        is_num = True
    if col not in df.columns:
        df[col] = pd.Series(np.nan if is_num else None, index=df.index,
                            dtype=float if is_num else object)
    current = df[col]
    if is_num and pd.api.types.is_numeric_dtype(current) and not pd.api.types.is_bool_dtype(
            current):
        new = current.astype(float)
    elif isinstance(value, bool) and pd.api.types.is_bool_dtype(current):
        new = current.copy()
    else:
        new = current.astype(object)
        new = new.where(current.notna(), None)
    new[mask] = value
    df[col] = new
