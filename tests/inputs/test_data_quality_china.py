"""Data-quality checks of the China case: decision-relevant figures of data/cases/china asserted
against the values of the open files they were built from or can be checked against, within 10 %.

Each cited value names its file, table and row. These tests read the case files with pandas only.
The Global Energy Monitor sums below are "existing at end-2023" by the case's rule: units with
status operating, plus units in construction with start_year <= 2023 (see data/china/SOURCES.md).
The case rescales each technology column to the national statistic (coal x1.030, gas x0.991), so
the case value and the tracker sum differ by that factor, well inside the 10 % tolerance.

China has no site grid limit with a citable figure (every `grid_limit_mw` is an assumption, see
`grid_limit_basis` in data/china/sites_source.csv), so no site limit is asserted here.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

CASE = Path(__file__).resolve().parents[2] / "data" / "cases" / "china"
REL = 0.10

# Coal capacity by province, MW. Source: data/china/sources/gem_gcpt_2023-07_china_units.csv =
# GEM Global Coal Plant Tracker, July 2023, sheet "Units" (copy in pik-piam/PyPSA-China-PIK @
# a10678a); rows province == <key>, status operating or (construction and start_year <= 2023);
# column mw summed.
COAL_MW = {
    "neimenggu": 109_872.0,
    "shandong": 102_395.0,
    "jiangsu": 77_789.0,
    "shanxi": 72_902.0,
    "guangdong": 71_129.2,
    "xinjiang": 68_130.0,
    "henan": 66_400.0,
    "anhui": 53_735.0,
    "shaanxi": 51_220.0,
    "hebei": 47_770.0,
}

# Gas capacity by province, MW. Source:
# data/china/sources/gem_ggpt_2023-02_china_gas_by_province.csv = aggregate of GEM Global Gas
# Plant Tracker, February 2023, sheet "Gas Units"; rows
# province == <key>, status operating or (construction and start_year <= 2023); column mw summed.
GAS_MW = {
    "guangdong": 48_136.5,
    "jiangsu": 19_977.0,
    "zhejiang": 12_467.7,
    "beijing": 10_127.0,
    "shanghai": 8_539.4,
}

# Existing DC transfer capacity between two provinces, MW (sum of the case's dc-existing rows for
# the pair). Source: pik-piam/PyPSA-China-PIK resources/data/grids/edges_current.csv @ 5eb3866,
# the row named (independent compilation, quoted for comparison; see data/china/SOURCES.md).
DC_PAIR_MW = {
    ("xinjiang", "anhui"): 12_000,  # row "Anhui,Xinjiang,12000" (Zhundong-Wannan)
    ("neimenggu", "shandong"): 20_000,  # row "InnerMongolia,Shandong,20000"
    ("sichuan", "jiangsu"): 15_200,  # row "Jiangsu,Sichuan,15200"
    ("sichuan", "zhejiang"): 16_000,  # row "Sichuan,Zhejiang,16000"
    ("gansu", "hunan"): 8_000,  # row "Gansu,Hunan,8000" (Qishao)
    ("qinghai", "henan"): 8_000,  # row "Henan,Qinghai,8000"
    ("shaanxi", "hubei"): 8_000,  # row "Hubei,Shaanxi,8000"
    ("ningxia", "zhejiang"): 8_000,  # row "Ningxia,Zhejiang,8000"
}

# 2023 load records, MW, compared with the case's annual (coincident) peak.
PEAK_MW = {
    # Zhejiang grid load 1.02 亿kW at 13:19 on 2023-07-03 (The Paper, as reproduced at
    # vddtxlz.cn/yaowen/2023/0703/36713.html) - a record on that day, not the 2023 maximum
    ("zhejiang",): 102_000,
    # China Southern Power Grid (Guangdong, Guangxi, Yunnan, Guizhou, Hainan) record 226 GW on
    # 2023-07-10 (Reuters, 2023-07-11, channelnewsasia.com/business/chinas-southern-grid-sees-
    # electricity-demand-surge-record-3620536)
    ("guangdong", "guangxi", "yunnan", "guizhou", "hainan"): 226_000,
}


@pytest.fixture(scope="module")
def existing():
    res = pd.read_csv(CASE / "resources.csv")
    return res.set_index(["node", "tech"])["existing_mw"]


@pytest.mark.parametrize("province,cited", sorted(COAL_MW.items()))
def test_coal_capacity_by_province(existing, province, cited):
    assert existing[(province, "coal")] == pytest.approx(cited, rel=REL)


@pytest.mark.parametrize("province,cited", sorted(GAS_MW.items()))
def test_gas_capacity_by_province(existing, province, cited):
    assert existing[(province, "gas")] == pytest.approx(cited, rel=REL)


@pytest.mark.parametrize("pair,cited", sorted(DC_PAIR_MW.items()))
def test_existing_dc_between_provinces(pair, cited):
    cor = pd.read_csv(CASE / "corridors.csv")
    dc = cor[cor["kind"] == "dc-existing"]
    sel = dc[dc[["from", "to"]].apply(frozenset, axis=1) == frozenset(pair)]
    assert sel["existing_mw"].sum() == pytest.approx(cited, rel=REL)


@pytest.mark.parametrize("provinces,cited", sorted(PEAK_MW.items()))
def test_peak_load_against_2023_records(provinces, cited):
    load = pd.read_csv(CASE / "load.csv")
    assert load[list(provinces)].sum(axis=1).max() == pytest.approx(cited, rel=REL)


def test_at_least_twenty_cited_figures():
    assert len(COAL_MW) + len(GAS_MW) + len(DC_PAIR_MW) + len(PEAK_MW) >= 20
