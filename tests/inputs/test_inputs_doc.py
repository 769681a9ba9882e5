"""docs/inputs.md is generated from the input schemas (model/inputs/schemas/)."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from model.inputs.schemas import TABLES, declared_columns, file_name, inputs_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "inputs.md"


def test_committed_inputs_doc_is_generated_from_the_schemas():
    expected = inputs_markdown()
    committed = DOC.read_text()
    if committed != expected:
        diff = "".join(list(difflib.unified_diff(
            committed.splitlines(keepends=True), expected.splitlines(keepends=True),
            "docs/inputs.md (committed)", "docs/inputs.md (from the schemas)"))[:60])
        pytest.fail("docs/inputs.md differs from the input schemas; regenerate it with\n"
                    "    python -m model.inputs.schemas\nand commit it. First differences:\n"
                    + diff)


def test_every_file_and_column_is_documented():
    text = inputs_markdown()
    for table in TABLES:
        assert f"## `{file_name(table)}`" in text
        for column in declared_columns(table):
            assert f"`{column}`" in text, (table, column)
