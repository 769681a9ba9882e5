"""Input schemas (model/inputs/schemas): every table declared once, checked lazily by pandera,
failures reported as Problems with file, row, column and hint; unknown columns warned about."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
from test_validation import _edit_csv, _set, valid_case

from model.inputs import scenarios, tables
from model.inputs.problems import CaseError, Problems
from model.inputs.read import GEO_FILES, REQUIRED, TABLE_FILES
from model.inputs.schemas import (
    SCHEMAS,
    TABLES,
    columns,
    declared_columns,
    file_name,
    is_time_series,
    row_ids,
)
from model.studies.cases import load_case

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ["china", "us", "two-region"]


# ------------------------------------------------------------------------ declarations
def test_every_input_file_has_a_schema_with_file_row_ids_and_columns():
    assert set(TABLES) == {"regions", "load", "technologies", "resources", "profiles",
                           "corridors", "sites", "pue", "demand_centres", "compute_demand",
                           "workloads", "compute_profiles", "load_growth", "tech_costs",
                           "connection_queue"}
    for table in TABLES:
        assert file_name(table).split(".")[0] == table
        cols = columns(table)
        assert set(row_ids(table)) <= set(cols)
        for name, col in cols.items():
            meta = col.metadata
            assert col.description, (table, name)  # a one-line meaning
            assert meta["kind"] in {"number", "values", "id", "ref", "choice", "flag", "text",
                                    "notes", "time", "geometry"}, (table, name)
            if meta["kind"] in ("number", "values"):
                assert meta["unit"], (table, name)
            if col.required:
                assert not meta["default"], (table, name)  # required: no default


def test_scenarios_and_reading_take_their_tables_from_the_schemas():
    assert scenarios.ROW_IDS == {t: row_ids(t) for t in TABLES}
    assert scenarios.FILE_NAMES == {t: file_name(t) for t in TABLES}
    assert scenarios.TIME_TABLES == {"load", "profiles", "pue", "compute_profiles"}
    assert scenarios.TIME_TABLES == {t for t in TABLES if is_time_series(t)}
    assert scenarios.GEO_TABLES == {"regions", "sites", "demand_centres"}
    assert scenarios.DOCUMENTED_COLUMNS["technologies"] == set(declared_columns("technologies"))
    assert set(TABLE_FILES) | set(GEO_FILES) == set(TABLES)
    assert REQUIRED == ("regions", "load", "technologies", "resources")


# ------------------------------------------------------------------ lazy validation
def _technologies(cells: dict | None = None) -> pd.DataFrame:
    df = pd.DataFrame({"tech": ["gas", "solar", "battery"],
                       "kind": ["generator", "generator", "storage"],
                       "capex_per_kw": [700, 500, 100], "lifetime_years": [30, 25, 15]})
    for (col, row), value in (cells or {}).items():
        df[col] = df[col].astype(object) if col in df else None
        df.loc[row, col] = value
    return df


def test_schema_failures_name_file_row_column_and_hint():
    p = Problems()
    tables.check("technologies", _technologies({("capex_per_kw", 1): "cheap"}), p)
    assert [str(q) for q in p.items] == [
        "technologies.csv, row 2, column 'capex_per_kw': 'cheap' is not a number — write a "
        "plain number"]
    p = Problems()
    tables.check("technologies", _technologies({("efficiency_charge", 2): 1.2}), p)
    (q,) = p.items
    assert (q.file, q.row, q.column, q.message) == (
        "technologies.csv", 3, "efficiency_charge", "value 1.2 must be <= 1")


def test_lazy_validation_reports_every_failure_at_once():
    """A column with a cell that is not a number is still checked in its other cells."""
    df = _technologies({("capex_per_kw", 0): "lots", ("capex_per_kw", 2): -3,
                          ("lifetime_years", 1): 0, ("kind", 2): "panel",
                          ("clean", 0): "maybe", ("tech", 1): "so:lar"})
    df = pd.concat([df, pd.DataFrame([{"tech": "gas", "kind": "generator", "capex_per_kw": 1,
                                       "lifetime_years": 5}])], ignore_index=True)
    p = Problems()
    tables.check("technologies", df, p)
    found = {(q.row, q.column, q.message) for q in p.items}
    assert found == {
        (1, "capex_per_kw", "'lots' is not a number"),
        (3, "capex_per_kw", "value -3 must be >= 0"),
        (2, "lifetime_years", "value 0 must be > 0"),
        (3, "kind", "kind 'panel' is not 'generator' or 'storage'"),
        (1, "clean", "'maybe' is not true or false"),
        (2, "tech", "id 'so:lar' contains ':'"),
        (4, "tech", "duplicate id (gas)"),
    }
    assert all(q.file == "technologies.csv" for q in p.items)


def test_missing_required_column_and_values():
    p = Problems()
    df = _technologies({("lifetime_years", 1): None}).drop(columns="kind")
    tables.check("technologies", df, p)
    assert {(q.row, q.column, q.message, q.hint) for q in p.items} == {
        (None, "kind", "required column is missing", "add a 'kind' column (see docs/inputs.md)"),
        (2, "lifetime_years", "value is missing", "this column is required in every row")}


def test_time_series_values_are_checked_cell_by_cell():
    df = pd.DataFrame({"time": [0, 1, 2], "a:solar": [0.1, "x", 0.3], "b:wind": [0.2, 1.5, -1]})
    p = Problems()
    tables.check_values("profiles", df, ["a:solar", "b:wind"], p)
    assert {(q.row, q.column, q.message) for q in p.items} == {
        (2, "a:solar", "'x' is not a number"), (2, "b:wind", "value 1.5 must be <= 1"),
        (3, "b:wind", "value -1 must be >= 0")}


def test_case_with_several_bad_values_lists_them_all(tmp_path):
    folder = valid_case(tmp_path / "case")
    _edit_csv(folder, "technologies.csv",
              lambda d: _set(_set(d, 0, "capex_per_kw", "lots"), 1, "efficiency_charge", 2))
    _edit_csv(folder, "workloads.csv", lambda d: _set(d, 1, "flexible_share", -0.5))
    with pytest.raises(CaseError) as info:
        load_case(folder)
    assert [str(q) for q in info.value.problems] == [
        "technologies.csv, row 1, column 'capex_per_kw': 'lots' is not a number — write a "
        "plain number",
        "technologies.csv, row 2, column 'efficiency_charge': value 2 must be <= 1",
        "workloads.csv, row 2, column 'flexible_share': value -0.5 must be >= 0"]


# -------------------------------------------------------------------- unknown columns
def _unknown_column_warnings(path, scenarios_=None) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_case(path, scenarios_)
    return [str(w.message) for w in caught if "unknown column" in str(w.message)]


def test_unknown_column_is_warned_with_the_nearest_known_name(tmp_path):
    folder = valid_case(tmp_path / "case")
    _edit_csv(folder, "technologies.csv", lambda d: d.assign(lead_time_yeras=3))
    _edit_csv(folder, "corridors.csv", lambda d: d.assign(cost_per_mwkm=2.0))
    with pytest.warns(UserWarning, match=r"technologies\.csv: unknown column "
                                         r"'lead_time_yeras'.*nearest known column is "
                                         r"'lead_time_years'"):
        case = load_case(folder)
    assert "lead_time_yeras" in case.technologies  # kept (a note), not an error
    msgs = _unknown_column_warnings(folder)
    assert len(msgs) == 2
    assert any("corridors.csv" in m and "'cost_per_mwkm'" in m and "'cost_per_mw_km'" in m
               for m in msgs)


def test_declared_notes_columns_are_quiet(tmp_path):
    folder = valid_case(tmp_path / "case")
    _edit_csv(folder, "corridors.csv", lambda d: d.assign(kind="ac"))
    assert _unknown_column_warnings(folder) == []


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_cases_have_no_unknown_columns(name):
    assert _unknown_column_warnings(ROOT / "data" / "cases" / name) == []


def test_schema_models_are_the_registry():
    for table, model in SCHEMAS.items():
        assert model.__config__.metadata["file"] == file_name(table)


def test_command_line_shows_unknown_column_warnings(tmp_path):
    from typer.testing import CliRunner

    from model.cli import app

    folder = valid_case(tmp_path / "case")
    _edit_csv(folder, "technologies.csv", lambda d: d.assign(lead_time_yeras=3))
    result = CliRunner().invoke(app, ["run", str(folder), "--out", str(tmp_path / "run"),
                                      "--no-report"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "warning: technologies.csv: unknown column 'lead_time_yeras'" in text


def test_missing_id_column_is_not_also_a_duplicate(tmp_path):
    folder = valid_case(tmp_path / "case")
    _edit_csv(folder, "resources.csv", lambda d: d.drop(columns="node"))
    with pytest.raises(CaseError) as info:
        load_case(folder)
    messages = [str(q) for q in info.value.problems if q.file == "resources.csv"]
    assert messages == ["resources.csv, column 'node': required column is missing — add a "
                        "'node' column (see docs/inputs.md)"]
