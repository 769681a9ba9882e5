"""Data-quality checks of the US case: decision-relevant figures of data/cases/us asserted against
the values of the open files they were built from, within 10 %.

Each cited value names its file, table and row. These tests read the case files with
pandas/geopandas only.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

CASE = Path(__file__).resolve().parents[2] / "data" / "cases" / "us"
REL = 0.10
LOWER48 = sorted(
    "al az ar ca co ct de fl ga id il in ia ks ky la me md ma mi mn ms mo mt ne nv nh nj nm ny "
    "nc nd oh ok or pa ri sc sd tn tx ut vt va wa wv wi wy".split()
)

# Corridor existing_mw. AC part: NREL NARIS 2024 state-to-state limits,
# data/us/sources/reeds_transmission_capacity_init_AC_state_NARIS2024.csv (pypsa-usa @ 338af99,
# workflow/repo_data/ReEDS_Constraints/transmission/), row(s) named, value = (MW_f0 + MW_r0) / 2
# summed over the rows of the pair. DC part:
# data/us/sources/reeds_transmission_capacity_init_nonAC_ba.csv, row named, column MW.
CORRIDOR_MW = {
    ("or", "wa"): 21_279.1,  # row WA||OR: (24025.977 + 18532.195) / 2
    ("oh", "wv"): 22_076.4,  # row OH||WV: (20797.424 + 23355.344) / 2
    ("il", "in"): 14_930.0,  # row IL||IN: (14140.393 + 15719.607) / 2
    ("va", "wv"): 12_882.8,  # rows VA||WV 8233.0 + WV||VA 4649.8
    ("in", "oh"): 10_699.8,  # row IN||OH: (10399.796 + 10999.710) / 2
    ("nj", "pa"): 10_660.3,  # row PA||NJ: (9557.589 + 11763.077) / 2
    ("ca", "nv"): 8_767.9,  # row CA||NV: (9049.131 + 8486.698) / 2
    ("nc", "sc"): 8_422.8,  # row SC||NC: (8456.952 + 8388.730) / 2
    ("md", "pa"): 7_733.4,  # rows MD||PA 130.7 + PA||MD 7602.7
    ("al", "ga"): 6_192.8,  # row AL||GA: (7239.065 + 5146.552) / 2
    ("ga", "sc"): 6_550.0,  # row GA||SC: (6941.772 + 6158.139) / 2
    # row OR||CA (5312.228 + 5209.120) / 2 = 5260.7,
    # plus nonAC row p5-p10 Pacific DC Intertie 2780
    ("ca", "or"): 8_040.7,
    # row ND||MN (2304.656 + 2109.492) / 2 = 2207.1,
    # plus nonAC row p37-p43 CU HVDC and Square Butte 1500
    ("mn", "nd"): 3_707.1,
    # ERCOT (tx = ERCOT BAs only): no AC interface; nonAC rows p50-p60 Oklaunion Intertie 220 MW and
    # p57-p63 Welsh Intertie 600 MW (p57 is SWEPCO east Texas, attached to Louisiana)
    ("ok", "tx"): 220.0,
    ("la", "tx"): 600.0,
}

# State share of lower-48 coal capacity. Source: data/us/sources/gem_gcpt_2023-07_us_units.csv
# (GEM Global Coal Plant Tracker, July 2023, sheet Units, Country = United States, status
# operating); rows state_name == <state>, mw summed, divided by the lower-48 + DC sum 202,863.06 MW.
COAL_SHARE = {
    "tx": 17_555.60 / 202_863.06,
    "in": 15_257.66 / 202_863.06,
    "wv": 11_635.30 / 202_863.06,
    "ky": 11_099.30 / 202_863.06,
    "pa": 10_472.80 / 202_863.06,
    "mo": 10_172.50 / 202_863.06,
}

# State share of lower-48 gas capacity. Source: data/us/sources/gem_ggpt_2023-02_us_gas_by_state.csv
# (GEM Global Gas Plant Tracker, February 2023, operating, aggregated by state x technology); rows
# state_name == <state>, mw summed, divided by the lower-48 + DC sum 522,107.4 MW.
GAS_SHARE = {
    "tx": 76_485.0 / 522_107.4,
    "fl": 50_485.4 / 522_107.4,
    "ca": 37_429.0 / 522_107.4,
    "pa": 25_571.0 / 522_107.4,
}

# Site grid limits, MW, from approved interconnections / utility filings
# (data/us/sites_src.csv column grid_limit_basis names the source of each)
SITE_GRID_MW = {
    # TVA board approvals for MLGW supply to xAI: 150 MW (Nov 2024) + 150 MW (Feb 2026)
    "memphis_tn": 300,
    # FERC-accepted Susquehanna ISA: 300 MW co-located load (480 MW rejected, docket ER24-2172)
    "salem_pa": 300,
    "richland_la": 2_200,  # LPSC-approved (2025-08-20) Entergy Louisiana CCs for Meta, ~2,200 MW
}


@pytest.fixture(scope="module")
def corridors():
    cor = pd.read_csv(CASE / "corridors.csv")
    cor["pair"] = [tuple(sorted(p)) for p in zip(cor["from"], cor["to"], strict=True)]
    return cor.set_index("pair")["existing_mw"]


@pytest.fixture(scope="module")
def capacity():
    res = pd.read_csv(CASE / "resources.csv")
    res = res[res["node"].isin(LOWER48)]
    cap = res.pivot_table(index="node", columns="tech", values="existing_mw", aggfunc="sum")
    cap["gas"] = cap["gas_cc"].fillna(0) + cap["gas_ct"].fillna(0)
    return cap.fillna(0.0)


@pytest.mark.parametrize("pair,cited", sorted(CORRIDOR_MW.items()))
def test_corridor_limits(corridors, pair, cited):
    assert corridors[tuple(sorted(pair))] == pytest.approx(cited, rel=REL)


@pytest.mark.parametrize("state,cited", sorted(COAL_SHARE.items()))
def test_coal_share_by_state(capacity, state, cited):
    assert capacity.loc[state, "coal"] / capacity["coal"].sum() == pytest.approx(cited, rel=REL)


@pytest.mark.parametrize("state,cited", sorted(GAS_SHARE.items()))
def test_gas_share_by_state(capacity, state, cited):
    assert capacity.loc[state, "gas"] / capacity["gas"].sum() == pytest.approx(cited, rel=REL)


@pytest.mark.parametrize("site,cited", sorted(SITE_GRID_MW.items()))
def test_site_grid_limits(site, cited):
    sites = gpd.read_file(CASE / "sites.geojson").set_index("id")
    assert sites.loc[site, "grid_limit_mw"] == pytest.approx(cited, rel=REL)


def test_ercot_has_no_ac_tie():
    """NARIS 2024 BA file: no AC interface between an ERCOT BA (p60-p65, p67) and any other BA."""
    cor = pd.read_csv(CASE / "corridors.csv")
    tx = cor[(cor["from"] == "tx") | (cor["to"] == "tx")]
    assert tx["existing_mw"].sum() == pytest.approx(820.0)
    assert tx["name"].str.contains("NARIS2024 AC 0 MW").all()


def test_at_least_twenty_cited_figures():
    assert len(CORRIDOR_MW) + len(COAL_SHARE) + len(GAS_SHARE) + len(SITE_GRID_MW) >= 20
