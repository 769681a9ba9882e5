"""The input tables, each by its schema: file name, row ids, columns.

Everything else that needs to know the inputs (reading, validation, scenarios, the docs)
asks here, so the schema is the only description of a table.
"""

from __future__ import annotations

import pandera.pandas as pa

from model.inputs.schemas.compute import (
    ComputeDemand,
    ComputeProfiles,
    DemandCentres,
    Pue,
    Sites,
    Workloads,
)
from model.inputs.schemas.grid import Corridors, Load, Profiles, Regions, Resources, Technologies
from model.inputs.schemas.periods import ConnectionQueue, LoadGrowth, TechCosts

# in the order of docs/inputs.md; the table name is the file's stem
MODELS: tuple[type[pa.DataFrameModel], ...] = (
    Regions, Load, Technologies, Resources, Profiles, Corridors, Sites, Pue, DemandCentres,
    ComputeDemand, Workloads, ComputeProfiles, LoadGrowth, TechCosts, ConnectionQueue)
SCHEMAS: dict[str, type[pa.DataFrameModel]] = {
    m.__config__.metadata["file"].split(".")[0]: m for m in MODELS}


def file_name(table: str) -> str:
    """``technologies`` → ``technologies.csv``."""
    return SCHEMAS[table].__config__.metadata["file"]


def row_ids(table: str) -> tuple[str, ...]:
    """The columns that name a row (joined with ':' in scenario keys)."""
    return tuple(SCHEMAS[table].__config__.metadata["row_ids"])


def is_required(table: str) -> bool:
    """Whether every case must have the file (the others are optional)."""
    return bool(SCHEMAS[table].__config__.metadata.get("required"))


def is_geo(table: str) -> bool:
    return file_name(table).endswith(".geojson")


def is_time_series(table: str) -> bool:
    """A time series: a ``time`` column, then one column per id (``values`` field)."""
    return "value" in columns(table) and columns(table)["value"].metadata["kind"] == "values"


def columns(table: str) -> dict[str, pa.Column]:
    """The declared columns (pandera ``Column`` objects), in declaration order."""
    return dict(SCHEMAS[table].to_schema().columns)


def declared_columns(table: str) -> list[str]:
    """Names of the columns a file may have (a time series: ``time`` only; its other
    columns are ids)."""
    return [name for name, col in columns(table).items() if col.metadata["kind"] != "values"]


TABLES: tuple[str, ...] = tuple(SCHEMAS)
TIME_TABLES: frozenset[str] = frozenset(t for t in TABLES if is_time_series(t))
GEO_TABLES: frozenset[str] = frozenset(t for t in TABLES if is_geo(t))
