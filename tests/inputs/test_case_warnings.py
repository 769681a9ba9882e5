"""Defaults that silently change an answer are stated: open-ended free expansion, and
flexible-work windows that segments reduce to a single step."""

from __future__ import annotations

import warnings

import pytest
from casegen import tech, write_case

from model.studies.cases import load_case
from model.studies.run import run


def _case(tmp_path, name, corridors=None, site=None, workloads=None, steps=1):
    return write_case(
        tmp_path / name,
        regions=[{"id": "a", "lon": 0, "lat": 0}, {"id": "b", "lon": 1, "lat": 0}],
        load={"a": [10.0] * steps, "b": [10.0] * steps},
        technologies=[tech("gas", var_om_per_mwh=10)],
        resources=[{"node": "a", "tech": "gas", "existing_mw": 100, "max_new_mw": 0},
                   {"node": "b", "tech": "gas", "existing_mw": 100, "max_new_mw": 0}],
        corridors=corridors,
        sites=[{"id": "dc", "lon": 0.1, "lat": 0, "region": "a", **(site or {})}],
        centres=[{"id": "city", "lon": 0.2, "lat": 0}],
        compute_demand=[{"centre": "city", "class": "chat", "it_mw": 1}],
        workloads=workloads or [{"class": "chat", "max_latency_ms": 50}],
    )


def _messages(folder):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_case(folder)
    return [str(w.message) for w in caught]


def test_corridor_with_free_unlimited_expansion_is_warned(tmp_path):
    folder = _case(tmp_path, "cor", corridors=[{"from": "a", "to": "b", "existing_mw": 50}],
                   site={"grid_limit_mw": 10, "grid_cost_per_kw": 100})
    msgs = _messages(folder)
    assert any("corridors.csv, row 1 ('a-b')" in m and "max_new_mw" in m
               and "cost_per_mw_km" in m for m in msgs), msgs


def test_corridor_with_limit_and_cost_is_quiet(tmp_path):
    folder = _case(tmp_path, "cor2", corridors=[{"from": "a", "to": "b", "existing_mw": 50,
                                                 "max_new_mw": 0}],
                   site={"grid_limit_mw": 10, "grid_cost_per_kw": 100})
    assert not [m for m in _messages(folder) if "corridors.csv" in m or "sites" in m]


def test_open_and_free_site_connection_is_warned(tmp_path):
    msgs = _messages(_case(tmp_path, "site"))
    assert any("sites.geojson, row 1 ('dc')" in m and "no grid_limit_mw" in m for m in msgs)
    assert any("sites.geojson, row 1 ('dc')" in m and "no grid_cost_per_kw" in m for m in msgs)


def test_segments_that_swallow_flexible_windows_are_warned(tmp_path):
    """4-hour windows on days of 8 segments (3 h on average): most windows hold one step, so
    the class cannot move work; the warning gives the numbers."""
    folder = _case(tmp_path, "seg", steps=96, site={"grid_limit_mw": 10,
                                                    "grid_cost_per_kw": 100},
                   workloads=[{"class": "chat", "max_latency_ms": 50, "flexible_share": 0.5,
                               "window_hours": 4}])
    with pytest.warns(UserWarning, match=r"'chat'.*window.*4 h.*one step") as record:
        run(folder, write=False, days=2, segments=8)
    assert any("%" in str(w.message) for w in record)
