"""Checking a table by its schema, and reading it by its schema.

:func:`check` validates a table with its pandera ``DataFrameModel`` (:mod:`model.inputs.schemas`)
lazily, so that every failure is collected, and turns each failure into a :class:`Problem`
naming the file, the 1-based data row (as a spreadsheet user counts them below the header),
the column and a hint. A cell that is not a number fails pandera's coercion, which leaves its
column unchecked: the table is then checked again with its numbers read (such cells empty), so
the column's other failures are reported too, and the cell once. :func:`check_values` does the
same for the id-named columns of a time series, stacked into one column.

:func:`parse` reads a table by its schema (numbers as float, flags as bool, ids trimmed,
defaults filled, missing columns added in the schema's order); :func:`warn_unknown_columns`
names the columns no schema declares, with the nearest declared name.
"""

from __future__ import annotations

import difflib
import functools
import warnings
from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaError, SchemaErrorReason, SchemaErrors

from model.inputs.problems import Problem, Problems
from model.inputs.schemas import SCHEMAS, columns, declared_columns, file_name
from model.inputs.schemas.fields import TRUE_WORDS

R = SchemaErrorReason
# (index of a failing cell, its column) -> (1-based row, column) in the file
Locate = Callable[[int, str | None], tuple[int | None, str | None]]
COMPARE = {"greater_than_or_equal_to": (">=", "min_value"), "greater_than": (">", "min_value"),
           "less_than_or_equal_to": ("<=", "max_value"), "less_than": ("<", "max_value")}


# ------------------------------------------------------------------------------- checks
def check(table: str, df: pd.DataFrame, p: Problems, file: str | None = None) -> None:
    """Validate ``df`` with the table's schema and add every failure to ``p``."""
    checked = _checked(table)
    df = df[[c for c in df.columns if c in checked]].reset_index(drop=True)
    _validate(SCHEMAS[table].to_schema(), df, file or file_name(table), p,
              lambda i, c: (None if i is None else int(i) + 1, c))


@functools.cache
def _checked(table: str) -> frozenset[str]:
    """The columns whose declaration checks anything (notes and free text columns do not:
    leaving them out saves pandera's time per column)."""
    return frozenset(name for name, col in columns(table).items()
                     if col.required or not col.nullable or col.checks or col.coerce
                     or col.dtype is not None)


def check_values(table: str, df: pd.DataFrame, names: list[str], p: Problems,
                 file: str | None = None) -> None:
    """Validate the id-named columns ``names`` of a time series with the schema's ``value``
    field (every cell stacked into one column; a failure names its row and column)."""
    if not names:
        return
    n = len(df)
    stacked = pd.DataFrame({"value": np.concatenate([df[c].to_numpy() for c in names])})
    schema = pa.DataFrameSchema({"value": columns(table)["value"]})
    _validate(schema, stacked, file or file_name(table), p,
              lambda i, c: (None, c) if i is None else (int(i) % n + 1, names[int(i) // n]))


def _validate(schema: pa.DataFrameSchema, df: pd.DataFrame, file: str, p: Problems,
              locate: Locate) -> None:
    errors = _failures(schema, df)
    typed = [e for e in errors if e.reason_code == R.DATATYPE_COERCION]
    if not typed:
        p.items.extend(q for e in errors for q in _problems(e, schema, file, locate))
        return
    # not numbers: reported once; then the columns are checked with such cells empty
    bad = [q for e in typed for q in _not_numbers(e, file, locate)]
    cells = {(q.row, q.column) for q in bad}
    again = _failures(schema, read_numbers(schema, df))
    p.items.extend(bad)
    p.items.extend(q for e in again for q in _problems(e, schema, file, locate)
                   if (q.row, q.column) not in cells)


def _failures(schema: pa.DataFrameSchema, df: pd.DataFrame) -> list[SchemaError]:
    try:
        schema.validate(df, lazy=True)
    except SchemaErrors as exc:
        return list(exc.schema_errors)
    return []


def read_numbers(schema: pa.DataFrameSchema, df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with its number columns read as float (a cell that is not a number: empty)."""
    df = df.copy()
    for name, col in schema.columns.items():
        if col.metadata["kind"] in ("number", "values") and name in df.columns:
            df[name] = pd.to_numeric(df[name], errors="coerce").astype(float)
    return df


# --------------------------------------------------------------- failures to problems
def _cases(err: SchemaError) -> pd.DataFrame:
    fc = err.failure_cases
    return fc if isinstance(fc, pd.DataFrame) else pd.DataFrame(columns=["index", "failure_case"])


def _not_numbers(err: SchemaError, file: str, locate: Locate) -> Iterator[Problem]:
    for i, value in zip(_cases(err)["index"], _cases(err)["failure_case"], strict=True):
        if str(value).strip():
            row, column = locate(i, err.schema.name)
            yield Problem(file, f"'{value}' is not a number", row, column, "write a plain number")


def _problems(err: SchemaError, schema: pa.DataFrameSchema, file: str,
              locate: Locate) -> Iterator[Problem]:
    reason = err.reason_code
    name = err.schema.name if isinstance(err.schema, pa.Column) else None
    meta = schema.columns[name].metadata if name in schema.columns else {}
    if reason == R.COLUMN_NOT_IN_DATAFRAME:
        column = str(err.failure_cases)
        hint = (schema.columns[column].metadata.get("missing_hint") if column in schema.columns
                else None) or f"add a '{column}' column (see docs/inputs.md)"
        yield Problem(file, "required column is missing", None, column, hint)
    elif reason == R.SERIES_CONTAINS_NULLS:
        is_id = meta.get("kind") == "id"
        for i in _cases(err)["index"]:
            row, column = locate(i, name)
            yield Problem(file, "id is missing" if is_id else "value is missing", row, column,
                          "" if is_id else "this column is required in every row")
    elif reason in (R.DUPLICATES, R.SERIES_CONTAINS_DUPLICATES):
        yield from _duplicates(err, schema, file, locate)
    elif reason == R.DATAFRAME_CHECK and name is None:
        for i in sorted(set(_cases(err)["index"].dropna())):
            row, column = locate(i, err.check.title)
            yield Problem(file, err.check.error, row, column, err.check.description or "")
    elif reason == R.DATAFRAME_CHECK:
        for i, value in zip(_cases(err)["index"], _cases(err)["failure_case"], strict=True):
            row, column = locate(i, name)
            message, hint = _check_message(err.check, meta, column, value)
            yield Problem(file, message, row, column, hint)
    else:  # a failure no input check should give: say what pandera says
        yield Problem(file, str(err).splitlines()[0], None, name)


def _check_message(check: pa.Check, meta: dict, column: str | None,
                   value) -> tuple[str, str]:
    stats = check.statistics or {}
    if check.name in COMPARE:
        op, key = COMPARE[check.name]
        return f"value {float(value):g} must be {op} {float(stats[key]):g}", ""
    if check.name == "id_without":
        return (f"id '{value}' contains '{stats['sep']}'",
                "':' separates node and tech in profiles; rename the id")
    if check.name == "one_of_words" and meta.get("kind") == "flag":
        return f"'{value}' is not true or false", ""
    if check.name == "one_of_words":
        words = " or ".join(f"'{w}'" for w in stats["words"])
        return f"{column} '{value}' is not {words}", ""
    return f"'{value}' fails {check.error or check.name}", ""


def _duplicates(err: SchemaError, schema: pa.DataFrameSchema, file: str,
                locate: Locate) -> Iterator[Problem]:
    """One problem per repeated row id (its first occurrence is not a problem)."""
    cases = _cases(err)
    cols = [err.schema.name] if isinstance(err.schema, pa.Column) else list(schema.unique or [])
    if "column" not in cases:
        cases = cases.assign(column=cols[0])
    if set(cols) - set(cases["column"]):
        return  # an id column is missing (reported as such): no ids to compare
    keys: dict[int, dict] = {}
    for i, col, value in zip(cases["index"], cases["column"], cases["failure_case"],
                             strict=True):
        keys.setdefault(int(i), {})[col] = value
    seen = set()
    for i in sorted(keys):
        key = tuple(str(keys[i].get(c)) for c in cols)
        if key not in seen:
            seen.add(key)
            continue
        row, _ = locate(i, None)
        if cols == ["time"]:
            yield Problem(file, f"duplicate time '{key[0]}'", row, "time")
        else:
            yield Problem(file, f"duplicate id ({', '.join(key)})", row, "/".join(cols),
                          "each id may appear only once")


# ------------------------------------------------------------------------------ reading
def parse(table: str, df: pd.DataFrame, defaults: dict | None = None) -> pd.DataFrame:
    """The table read by its schema: number columns as float (empty: the default), flags as
    bool, ids and references trimmed, choices in lower case, text defaults filled. A missing
    column is added (in the schema's order) with its default; ``defaults`` gives computed
    defaults (a value or a Series) over the schema's constant ones."""
    defaults = defaults or {}
    read = {}
    for name, col in columns(table).items():
        default = defaults.get(name, col.default)
        values = _read(col.metadata["kind"], df[name] if name in df.columns else None,
                       default, df.index)
        if values is not None:
            read[name] = values
    out = df.assign(**{k: v for k, v in read.items() if k in df.columns})
    new = {k: v for k, v in read.items() if k not in df.columns}
    return pd.concat([out, pd.DataFrame(new, index=df.index)], axis=1) if new else out


def _read(kind: str, values: pd.Series | None, default, index: pd.Index) -> pd.Series | None:
    """One column read as its kind declares (None: left as it is)."""
    if kind == "number":
        values = (pd.Series(np.nan, index=index, dtype=float) if values is None
                  else pd.to_numeric(values, errors="coerce").astype(float))
        return values if default is None else values.fillna(default)
    if kind == "flag":
        return (pd.Series(False, index=index) if values is None
                else values.map(lambda v: str(v).strip().lower()).isin(TRUE_WORDS))
    if values is None and default is None:
        return None
    if values is None:
        values = pd.Series(default, index=index)
    if kind in ("id", "ref", "choice"):
        if default is not None:
            values = values.where(values.notna(), default)
        values = values.astype(str).str.strip()
        return values.str.lower() if kind == "choice" else values
    if kind == "text" and default is not None:
        return values.fillna(default).astype(str)
    return None


# ----------------------------------------------------------------------- unknown columns
def warn_unknown_columns(table: str, df: pd.DataFrame, file: str | None = None) -> None:
    """Warn (not fail) about columns the table's schema does not declare: the model does not
    read them (a misspelt name loses its value silently otherwise)."""
    known = declared_columns(table)
    file = file or file_name(table)
    for column in df.columns:
        if column in known or column == "geometry":
            continue
        near = difflib.get_close_matches(str(column), known, n=1, cutoff=0.0)
        nearest = f"; the nearest known column is '{near[0]}'" if near else ""
        warnings.warn(f"{file}: unknown column '{column}' is not read by the model{nearest} "
                      "(rename it, or keep it as a note of your own; docs/inputs.md lists the "
                      "columns)", UserWarning, stacklevel=2)


# ------------------------------------------------------------------------------ helpers
def normalise(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """A copy with its id and reference columns as trimmed text (how they are compared)."""
    df = df.copy()
    for name, col in columns(table).items():
        if col.metadata["kind"] in ("id", "ref") and name in df.columns:
            df[name] = df[name].astype(str).str.strip()
    return df


def has_required(table: str, df: pd.DataFrame) -> bool:
    """Whether every required column of the table is there (else it is not read further)."""
    return all(name in df.columns for name, col in columns(table).items() if col.required)


def numbers(values: pd.Series) -> np.ndarray:
    """A column as float (a cell that is not a number is NaN; it has been reported)."""
    return pd.to_numeric(values, errors="coerce").astype(float).to_numpy()
