"""Kinds of input columns: every column of an input table is declared once, by one helper.

A helper returns a pandera ``Field``. Pandera checks what it can know from the field: the type
(numbers are coerced to float), whether a value is required in every row, the allowed range or
words. Ids and references are read as trimmed text before they are checked, so their columns
are annotated ``Series[Any]`` (pandera's element-wise check of text would cost time and could
not fail); their kind says what they are. The field's ``description`` is the column's one-line
meaning; its ``metadata`` carries the rest of the declaration, read by the validation
(:mod:`model.inputs.tables`) and by the docs (:mod:`model.inputs.schemas.docs`):

* ``kind``: ``number``, ``id`` (the table's own row id), ``ref`` (an id of another table),
  ``choice`` (one of a few words), ``flag`` (true/false), ``text``, ``time`` (the time label
  of a time series), ``values`` (the id-named columns of a time series), ``geometry``, or
  ``notes`` (kept with the case, never read by the model);
* ``unit``: the unit of a number; for a reference, the kind of id;
* ``default``: what an empty cell or a missing column means, as the docs say it. A constant
  default is also the field's pandera ``default`` (it fills); a default computed from other
  columns or tables (a name from the id, a length from the geometry) is filled by the table's
  code in :mod:`model.inputs.network_tables` / :mod:`model.inputs.compute_tables`;
* ``missing_hint``: the hint shown when a required column is missing.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera import extensions

# words read as true or false in a flag column (an empty cell is false)
TRUE_WORDS = ("true", "1", "yes", "1.0")
FALSE_WORDS = ("false", "0", "no", "0.0", "", "nan", "none")


# ------------------------------------------------------------------------- custom checks
@extensions.register_check_method(statistics=["sep"])
def id_without(pandas_obj: pd.Series, *, sep: str) -> pd.Series:
    """Ids must not contain ``sep`` (':' joins node and tech in profile columns)."""
    return ~pandas_obj.astype(str).str.contains(sep, regex=False)


@extensions.register_check_method(statistics=["words"])
def one_of_words(pandas_obj: pd.Series, *, words: tuple[str, ...]) -> pd.Series:
    """The value, as trimmed lower-case text, is one of ``words``."""
    return pandas_obj.map(lambda v: str(v).strip().lower()).isin(words)


def row_check(column: str, message: str, hint: str = ""):
    """A check of each row across columns, reported at ``column`` with ``message``."""
    return pa.dataframe_check(name=message, error=message, title=column, description=hint)


# ------------------------------------------------------------------------------- fields
def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and math.isinf(value):
        return "unlimited (empty)"
    if isinstance(value, float) and value.is_integer():
        return f"{value:.0f}"
    return f"{value}"


def _meta(kind: str, unit: str, default: str | None = None, **more: Any) -> dict[str, Any]:
    return {"kind": kind, "unit": unit, "default": default or "", **more}


def number(unit: str, meaning: str, *, required: bool = False, default: float | None = None,
           shown: str | None = None, ge: float | None = None, gt: float | None = None,
           le: float | None = None) -> Any:
    """A number (read as float). ``default`` fills empty cells and a missing column;
    ``shown`` says a computed default in words (the table's code fills it)."""
    return pa.Field(ge=ge, gt=gt, le=le, coerce=True, required=required,
                    nullable=not required, default=default, description=meaning,
                    metadata=_meta("number", unit, shown if shown is not None else
                                   _shown(default)))


def ident(meaning: str, *, alias: str | None = None) -> Any:
    """The table's own id: text, required in every row, without ':'."""
    return pa.Field(required=True, nullable=False, id_without={"sep": ":"}, alias=alias,
                    description=meaning, metadata=_meta("id", ""))


def ref(what: str, meaning: str, *, required: bool = True, shown: str | None = None,
        alias: str | None = None) -> Any:
    """An id of another table (checked against that table by the case's code)."""
    return pa.Field(required=required, nullable=not required, alias=alias,
                    description=meaning, metadata=_meta("ref", f"{what} id", shown))


def choice(words: tuple[str, ...], meaning: str) -> Any:
    """One of ``words`` (any case), required in every row."""
    return pa.Field(required=True, nullable=False, one_of_words={"words": words},
                    description=meaning, metadata=_meta("choice", ""))


def flag(meaning: str, shown: str = "`false`") -> Any:
    """``true``/``false`` (also yes/no, 1/0); empty is false."""
    return pa.Field(required=False, nullable=True,
                    one_of_words={"words": TRUE_WORDS + FALSE_WORDS}, description=meaning,
                    metadata=_meta("flag", "", shown))


def text(meaning: str, *, unit: str = "", default: str | None = None,
         shown: str | None = None) -> Any:
    """Free text; ``default`` fills empty cells and a missing column."""
    return pa.Field(required=False, nullable=True, default=default, description=meaning,
                    metadata=_meta("text", unit, shown if shown is not None else
                                   ("empty" if default == "" else _shown(default))))


def notes(meaning: str) -> Any:
    """A column of notes: kept with the case, never read by the model."""
    return pa.Field(required=False, nullable=True, description=meaning,
                    metadata=_meta("notes", ""))


def time() -> Any:
    """The time label of a time-series file (its first column)."""
    return pa.Field(required=True, nullable=True, description="time step label or timestamp",
                    metadata=_meta("time", "",
                                   missing_hint="the first column must be 'time'"))


def values(unit: str, meaning: str, columns: str, *, ge: float | None = None,
           le: float | None = None) -> Any:
    """The id-named value columns of a time series (``columns`` says which ids); every cell
    is required. Checked on the stacked values (:func:`model.inputs.tables.check_values`)."""
    return pa.Field(ge=ge, le=le, coerce=True, required=False, nullable=False,
                    description=meaning, metadata=_meta("values", unit, columns=columns))


def geometry(shape: str, meaning: str) -> Any:
    """The geometry of a geodata file: ``shape`` is what it must be (any CRS, converted to
    EPSG:4326; missing, broken or wrong shapes are reported by :mod:`model.inputs.geo`)."""
    return pa.Field(required=True, nullable=True, description=meaning,
                    metadata=_meta("geometry", "", shape=shape))
