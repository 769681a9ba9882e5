"""Run ids are pinned: a sweep re-run must recognise the run folders already on disk.

The values below were computed by the code before it was split out of ``sweep.py``; they must
not change unless the run-id scheme is changed on purpose (then every solved run is redone).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

import model.studies.sweep as sweep_module
from model import __version__
from model.studies.sweep import expand, load_sweep, make_run_id, plan_sweep

VERSION = "0.1.0+0123456789ab"
SOLVER = {"mip_gap": 0.01, "threads": 2, "algorithm": "simplex"}
RUN = {"days": 4, "segments": 2}


def _fixed_case(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "case.yaml").write_text("name: pinned\ncurrency: USD\n")
    (folder / "load.csv").write_text("time,region,mw\n0,a,1.0\n1,a,2.0\n")
    (folder / "technologies.csv").write_text("technology,capex_per_kw\nsolar,600\n")
    (folder / "regions.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    (folder / "notes.txt").write_text("not part of the case hash")
    return folder


def _scenario(folder: Path) -> Path:
    path = folder / "cheap.yaml"
    path.write_text(yaml.safe_dump({"name": "cheap", "description": "ignored by the hash",
                                    "set": {"technologies.solar.capex_per_kw": 300},
                                    "scale": {"load": 1.1}}))
    return path


def test_case_hash_and_run_id_are_pinned(tmp_path):
    case = _fixed_case(tmp_path / "case")
    assert sweep_module.case_hash(case) == "1128252380792cfd"
    scen = _scenario(tmp_path)
    override = {"name": "point", "set": {"policies.co2_price_per_t": 50.0},
                "scale": {"compute_demand.it_mw": 1.25}}
    assert make_run_id("0123456789abcdef", [str(scen), override], SOLVER, VERSION,
                       RUN) == "95aef3a4bd36528d"
    assert make_run_id("0123456789abcdef", [str(scen)], None, VERSION) == "fa2fb86d19435653"
    assert make_run_id("0123456789abcdef", [], {}, VERSION, {}) == "5948ffadc178aae2"


def test_code_version_hashes_sources_by_relative_path(tmp_path, monkeypatch):
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "a.py").write_text("x = 1\n")
    (pkg / "sub" / "b.py").write_text("y = 2\n")
    (pkg / "c.txt").write_text("not source\n")
    home = sys.modules[sweep_module.code_version.__module__]
    monkeypatch.setattr(home, "PACKAGE_DIR", pkg)
    assert sweep_module.code_version() == f"{__version__}+b54962090b8d"


def test_code_version_covers_the_whole_package():
    import model

    home = sys.modules[sweep_module.code_version.__module__]
    assert home.PACKAGE_DIR == Path(model.__file__).resolve().parent
    for layer in ("inputs", "formulation", "solve", "outputs", "report", "studies"):
        assert (home.PACKAGE_DIR / layer / "__init__.py").is_file()


def test_sweep_points_and_run_ids_are_pinned(tmp_path, monkeypatch):
    case = _fixed_case(tmp_path / "case")
    scen = _scenario(tmp_path)
    monkeypatch.setattr(sweep_module, "code_version", lambda: VERSION)
    sweep = load_sweep({"name": "pinned", "base_scenarios": [str(scen)],
                        "grid": {"policies.co2_price_per_t": [0, 100],
                                 "scenarios": [[str(scen)]]},
                        "samples": {"n": 2, "seed": 3,
                                    "uniform": {"scale.load": [0.9, 1.2]},
                                    "loguniform": {"technologies.battery.capex_per_kwh":
                                                   [100, 400]},
                                    "choice": {"technologies.solar.capex_per_kw": [500, 700]}}})
    points = expand(sweep)
    assert [p["scale.load"] for p in points] == pytest.approx(POINTS)
    runs = plan_sweep(case, sweep, tmp_path / "out", SOLVER, RUN)
    assert [(r.run_id, r.label) for r in runs] == RUNS


POINTS = [0.9256947501430873, 1.0746486108193103, 0.9256947501430873, 1.0746486108193103]
_SAMPLE = ("sample={i} scale.load={load} technologies.battery.capex_per_kwh={bat} "
           "technologies.solar.capex_per_kw={pv}")
_S0 = _SAMPLE.format(i=0, load="0.925695", bat="138.859", pv=500)
_S1 = _SAMPLE.format(i=1, load="1.07465", bat="113.939", pv=700)
RUNS = [("46d0ee0d004f1517", f"policies.co2_price_per_t=0 scenarios=cheap {_S0}"),
        ("b365b513a2be4558", f"policies.co2_price_per_t=0 scenarios=cheap {_S1}"),
        ("f13fc3ed98ce1ed6", f"policies.co2_price_per_t=100 scenarios=cheap {_S0}"),
        ("f825fbada03a422c", f"policies.co2_price_per_t=100 scenarios=cheap {_S1}")]
