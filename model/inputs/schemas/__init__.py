"""Input schemas: every input table of a case declared once, as a pandera ``DataFrameModel``.

Each column's name, type, unit, default, allowed values, whether it is required and its
one-line meaning are declared in :mod:`.grid` and :mod:`.compute` with the helpers of
:mod:`.fields`; the validation (:mod:`model.inputs.tables`), the scenario keys
(:mod:`model.inputs.scenarios`), the reading (:mod:`model.inputs.read`) and docs/inputs.md
(:mod:`.docs`; ``python -m model.inputs.schemas`` rewrites it) all come from them.
"""

from model.inputs.schemas.registry import (
    GEO_TABLES,
    MODELS,
    SCHEMAS,
    TABLES,
    TIME_TABLES,
    columns,
    declared_columns,
    file_name,
    is_geo,
    is_required,
    is_time_series,
    row_ids,
)

__all__ = ["GEO_TABLES", "MODELS", "SCHEMAS", "TABLES", "TIME_TABLES", "columns",
           "declared_columns", "file_name", "inputs_markdown", "is_geo", "is_required",
           "is_time_series", "row_ids"]


def inputs_markdown() -> str:
    """The text of docs/inputs.md, generated from the schemas."""
    from model.inputs.schemas.docs import inputs_markdown as markdown

    return markdown()
