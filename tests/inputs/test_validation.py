"""Bad input: every problem named by file, row and column, exit code 2, no traceback, no
run folder. One corruption per test, applied to a small valid case."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from casegen import tech, write_case
from shapely.geometry import Polygon
from typer.testing import CliRunner

from model.cli import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def valid_case(folder: Path) -> Path:
    return write_case(
        folder,
        regions=[{"id": "east", "lon": 120, "lat": 31}, {"id": "west", "lon": 105, "lat": 36}],
        load={"east": [100.0, 120.0, 90.0], "west": [50.0, 40.0, 45.0]},
        technologies=[tech("gas", capex_per_kw=700, lifetime_years=30, var_om_per_mwh=50),
                      tech("solar", capex_per_kw=500, lifetime_years=25)],
        resources=[{"node": "east", "tech": "gas", "existing_mw": 100},
                   {"node": "west", "tech": "solar", "max_new_mw": 500},
                   {"node": "west", "tech": "gas", "existing_mw": 20}],
        profiles={"west:solar": [0.0, 0.8, 0.5]},
        corridors=[{"from": "west", "to": "east", "existing_mw": 50}],
        sites=[{"id": "dc_west", "lon": 105.5, "lat": 36, "region": "west", "pue": 1.2},
               {"id": "dc_east", "lon": 120.5, "lat": 31, "region": "east", "pue": 1.3}],
        centres=[{"id": "shanghai", "lon": 121.4, "lat": 31.2}],
        compute_demand=[{"centre": "shanghai", "class": "chat", "it_mw": 10},
                        {"centre": "shanghai", "class": "train", "it_mw": 20}],
        workloads=[{"class": "chat", "max_latency_ms": 20},
                   {"class": "train", "max_latency_ms": 1000, "flexible_share": 0.5}],
    )


def _edit_csv(folder: Path, name: str, fn) -> None:
    df = pd.read_csv(folder / name)
    df = fn(df)
    df.to_csv(folder / name, index=False)


def _edit_geojson(folder: Path, name: str, fn) -> None:
    data = json.loads((folder / name).read_text())
    fn(data)
    (folder / name).write_text(json.dumps(data))


def _set(df, row, col, value):
    df[col] = df[col].astype(object) if col in df else None
    df.loc[row, col] = value
    return df


CORRUPTIONS = {
    "missing file": (lambda f: (f / "resources.csv").unlink(),
                     ["resources.csv: file is missing"]),
    "missing column": (lambda f: _edit_csv(f, "technologies.csv",
                                           lambda d: d.drop(columns="capex_per_kw")),
                       ["technologies.csv, column 'capex_per_kw': required column is missing"]),
    "wrong type": (lambda f: _edit_csv(f, "load.csv", lambda d: _set(d, 1, "east", "lots")),
                   ["load.csv, row 2, column 'east': 'lots' is not a number"]),
    "missing value": (lambda f: _edit_csv(f, "compute_demand.csv",
                                          lambda d: _set(d, 0, "it_mw", None)),
                      ["compute_demand.csv, row 1, column 'it_mw': value is missing"]),
    "negative": (lambda f: _edit_csv(f, "resources.csv",
                                     lambda d: _set(d, 0, "existing_mw", -5)),
                 ["resources.csv, row 1, column 'existing_mw': value -5 must be >= 0"]),
    "availability above 1": (lambda f: _edit_csv(f, "profiles.csv",
                                                 lambda d: _set(d, 2, "west:solar", 1.7)),
                             ["profiles.csv, row 3, column 'west:solar': value 1.7 must be "
                              "<= 1"]),
    "unknown node": (lambda f: _edit_csv(f, "resources.csv",
                                         lambda d: _set(d, 1, "node", "north")),
                     ["resources.csv, row 2, column 'node': unknown node 'north'"]),
    "unknown tech": (lambda f: _edit_csv(f, "resources.csv",
                                         lambda d: _set(d, 2, "tech", "fusion")),
                     ["resources.csv, row 3, column 'tech': unknown tech 'fusion'"]),
    "unknown class": (lambda f: _edit_csv(f, "compute_demand.csv",
                                          lambda d: _set(d, 1, "class", "agents")),
                      ["compute_demand.csv, row 2, column 'class': unknown workload class "
                       "'agents'"]),
    "unknown site in pue": (lambda f: pd.DataFrame({"time": range(3), "dc_x": 1.2}).to_csv(
        f / "pue.csv", index=False), ["pue.csv, column 'dc_x': column 'dc_x' is not a site id"]),
    "duplicate id": (lambda f: _edit_geojson(
        f, "regions.geojson", lambda d: d["features"][1]["properties"].update(id="east")),
        ["regions.geojson, row 2, column 'id': duplicate id (east)"]),
    "time lengths differ": (lambda f: _edit_csv(f, "profiles.csv", lambda d: d.iloc[:2]),
                            ["profiles.csv, column 'time': has 2 time steps but load.csv "
                             "has 3"]),
    "geometry missing": (lambda f: _edit_geojson(
        f, "sites.geojson", lambda d: d["features"][0].update(geometry=None)),
        ["sites.geojson, row 1, column 'geometry': geometry is missing"]),
    "site not a point": (lambda f: _edit_geojson(
        f, "sites.geojson", lambda d: d["features"][1].update(geometry={
            "type": "Polygon", "coordinates": [[[120, 31], [121, 31], [121, 32], [120, 31]]]})),
        ["sites.geojson, row 2, column 'geometry': geometry must be a point"]),
    "site outside regions": (lambda f: _edit_geojson(f, "sites.geojson", lambda d: (
        d["features"][0]["properties"].pop("region"),
        d["features"][0]["geometry"].update(coordinates=[60, 10]))),
        None),  # point regions: nearest one is taken, no error (checked separately below)
    "centre out of reach": (lambda f: _edit_csv(f, "workloads.csv",
                                                lambda d: _set(d, 0, "max_latency_ms", 1)),
                            ["compute_demand.csv, row 1, column 'centre': centre 'shanghai' "
                             "cannot be served within 1 ms for class 'chat'"]),
    "unreachable region": (lambda f: ((f / "profiles.csv").unlink(),
                                      _edit_csv(f, "corridors.csv", lambda d: d.iloc[:0]),
                                      _edit_csv(f, "resources.csv",
                                                lambda d: d[d["node"] != "west"]),
                                      _edit_geojson(f, "sites.geojson", lambda d: d[
                                          "features"].pop(0))),
                           ["regions.geojson, row 2, column 'id': region 'west' has load but "
                            "no corridor and no resource"]),
    "unknown config key": (lambda f: (f / "case.yaml").write_text(
        (f / "case.yaml").read_text() + "discount: 0.05\n"),
        ["case.yaml: unknown key 'discount'"]),
    "bad yaml": (lambda f: (f / "case.yaml").write_text("name: [unclosed\n"),
                 ["case.yaml: is not valid YAML"]),
    "bad kind": (lambda f: _edit_csv(f, "technologies.csv", lambda d: _set(d, 1, "kind",
                                                                           "panel")),
                 ["technologies.csv, row 2, column 'kind': kind 'panel' is not 'generator' or "
                  "'storage'"]),
    "efficiency above 1": (lambda f: _edit_csv(f, "technologies.csv", lambda d: _set(
        d, 0, "efficiency_charge", 1.5)),
        ["technologies.csv, row 1, column 'efficiency_charge': value 1.5 must be <= 1"]),
    "corridor to itself": (lambda f: _edit_csv(f, "corridors.csv",
                                               lambda d: _set(d, 0, "to", "west")),
                           ["corridors.csv, row 1, column 'to': corridor joins a node to "
                            "itself"]),
    "profile column unknown": (lambda f: _edit_csv(f, "profiles.csv", lambda d: d.rename(
        columns={"west:solar": "east:solar"})),
        ["profiles.csv, column 'east:solar': column 'east:solar' has no row in resources.csv"]),
}


@pytest.mark.parametrize("name", [k for k, v in CORRUPTIONS.items() if v[1] is not None])
def test_bad_input_is_reported(tmp_path, name):
    folder = valid_case(tmp_path / "case")
    corrupt, messages = CORRUPTIONS[name]
    corrupt(folder)
    out = tmp_path / "run"
    result = runner.invoke(app, ["run", str(folder), "--out", str(out), "--quiet"])
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    for msg in messages:
        assert msg in text, f"expected {msg!r} in:\n{result.output}"
    assert "Traceback" not in result.output
    assert not out.exists()


def test_all_problems_are_collected_at_once(tmp_path):
    folder = valid_case(tmp_path / "case")
    CORRUPTIONS["negative"][0](folder)
    CORRUPTIONS["unknown class"][0](folder)
    CORRUPTIONS["availability above 1"][0](folder)
    result = runner.invoke(app, ["run", str(folder), "--out", str(tmp_path / "run")])
    assert result.exit_code == 2
    assert "3 problem(s)" in result.output


def test_valid_case_solves(tmp_path):
    folder = valid_case(tmp_path / "case")
    result = runner.invoke(app, ["run", str(folder), "--out", str(tmp_path / "run"), "-q"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "run" / "summary.json").exists()


def test_geometry_without_crs(tmp_path):
    folder = valid_case(tmp_path / "case")
    (folder / "regions.geojson").unlink()
    gdf = gpd.GeoDataFrame({"id": ["east", "west"]},
                           geometry=gpd.points_from_xy([120, 105], [31, 36]), crs=None)
    gdf.to_file(folder / "regions.gpkg", driver="GPKG")
    result = runner.invoke(app, ["run", str(folder), "--out", str(tmp_path / "run")])
    assert result.exit_code == 2
    assert "regions.gpkg: geometry has no coordinate reference system (CRS)" in result.output


def test_invalid_polygon(tmp_path):
    folder = valid_case(tmp_path / "case")
    bowtie = Polygon([(100, 30), (110, 40), (110, 30), (100, 40), (100, 30)])
    square = Polygon([(115, 28), (125, 28), (125, 35), (115, 35)])
    gpd.GeoDataFrame({"id": ["west", "east"]}, geometry=[bowtie, square], crs=4326).to_file(
        folder / "regions.geojson", driver="GeoJSON")
    result = runner.invoke(app, ["run", str(folder), "--out", str(tmp_path / "run")])
    assert result.exit_code == 2
    assert ("regions.geojson, row 1, column 'geometry': geometry is invalid"
            in " ".join(result.output.split()))


def test_command_line_exit_code_without_traceback(tmp_path):
    """The real command, in a subprocess: exit code 2, messages on stderr, no traceback."""
    folder = valid_case(tmp_path / "case")
    CORRUPTIONS["unknown tech"][0](folder)
    proc = subprocess.run([sys.executable, str(ROOT / "solve.py"), str(folder), "--out",
                           str(tmp_path / "run")], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2
    assert "unknown tech 'fusion'" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert not (tmp_path / "run").exists()


def test_implausible_values_warn(tmp_path):
    """Allowed but suspicious values (capex per MW typed as per kW, PUE 12) give warnings."""
    folder = valid_case(tmp_path / "case")
    _edit_csv(folder, "technologies.csv", lambda d: _set(d, 0, "capex_per_kw", 700_000))
    _edit_geojson(folder, "sites.geojson", lambda d: d["features"][0]["properties"].update(
        pue=12))
    from model.studies.cases import load_case

    with pytest.warns(UserWarning) as record:
        load_case(folder)
    text = " ".join(str(w.message) for w in record)
    assert "capex_per_kw = 700000 for 'gas' is outside the usual range" in text
    assert "pue = 12 for 'dc_west'" in text
