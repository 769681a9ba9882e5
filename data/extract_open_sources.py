"""Cut the small source subsets in ``data/china/sources/`` and ``data/us/sources/`` out of the
upstream open datasets, and derive the source tables built from them.

This is a one-off, documented transformation, not part of the case build: the case builders
(``data/china/build_china.py``, ``data/us/build_us.py``) read only the subsets this script writes,
so the cases rebuild without the upstream files. To re-run it you need local git copies of the
upstream repositories named in ``data/china/SOURCES.md`` and ``data/us/SOURCES.md`` (commits
listed there) and ``openpyxl`` (for the GEM ``.xlsx`` files)::

    python data/extract_open_sources.py --china-pik PATH/PyPSA-China-PIK.git \
        --pypsa-usa PATH/pypsa-usa.git --pypsa-eur PATH/pypsa-eur.git \
        --gem-csv PATH/gem-powerplant-data.git

What is kept depends on the licence of each upstream file: CC BY 4.0 / MIT / BSD files are
copied (as a column and row subset), CC BY-NC-SA or unclear-licence files only as derived
aggregates (sums, medians) - see SOURCES.md for the reasoning per file.
"""

from __future__ import annotations

import argparse
import io
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent
CN_SRC = ROOT / "china" / "sources"
US_SRC = ROOT / "us" / "sources"

# upstream commits (the files are read with `git show COMMIT:PATH`)
PIK_GEM_COMMIT = "a10678a"  # "add data from Xiaowei" (2024-10-25): the GEM tracker copies
PIK_GEM_DIR = "resources/data/existing_infrastructure"
USA_COMMIT = "338af9912addbaf038c6098fe27e1e6ef099d8aa"
USA_REEDS = "workflow/repo_data/ReEDS_Constraints"
USA_ADS = "workflow/repo_data/WECC_ADS_public"
EUR_COMMIT = "5c3e0947b636fed9b1e61a0f7a14938517399e9c"
GEMCSV_COMMIT = "3c3b2c9"

CN_NAME_TO_ID = {"Inner Mongolia": "neimenggu", "Tibet": "xizang"}
EXISTING_BY = 2023  # units operating, or in construction with a start year <= this, are "existing"


def git_show(repo: Path, commit: str, path: str) -> bytes:
    return subprocess.run(
        ["git", "--git-dir", str(repo), "show", f"{commit}:{path}"],
        check=True, capture_output=True,
    ).stdout


CN_SUFFIXES = (" Uygur Autonomous Region", " Zhuang Autonomous Region", " Hui Autonomous Region",
               " Autonomous Region", " Province", " City")


def cn_id(name) -> str:
    """GEM province name -> case id; "A - B border" goes to A; missing -> "unknown"."""
    if not isinstance(name, str):
        return "unknown"
    name = name.split(" - ")[0]
    for suffix in CN_SUFFIXES:
        name = name.removesuffix(suffix)
    return CN_NAME_TO_ID.get(name, name.lower().replace(" ", ""))


def write(df: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, lineterminator="\n")
    print(f"wrote {path.relative_to(ROOT.parent)} ({len(df)} rows)")


# ----------------------------------------------------------------------------------------------
# GEM Global Coal Plant Tracker (CC BY 4.0): unit subsets
# ----------------------------------------------------------------------------------------------
GCPT_COLS = {
    "GEM unit/phase ID": "gem_unit_id",
    "Plant name": "plant",
    "Unit name": "unit",
    "Plant name (local)": "plant_local",
    "Subnational unit (province, state)": "subnational",
    "Capacity (MW)": "mw",
    "Status": "status",
    "Start year": "start_year",
    "Combustion technology": "combustion",
    "Captive": "captive",
    "CHP": "chp_flag_pik",
}


def gcpt_units(pik: Path) -> pd.DataFrame:
    raw = git_show(pik, PIK_GEM_COMMIT, f"{PIK_GEM_DIR}/Global-Coal-Plant-Tracker-add-CHP.xlsx")
    df = pd.read_excel(io.BytesIO(raw), sheet_name="Units")
    out = df[["Country", *GCPT_COLS]].rename(columns=GCPT_COLS)
    out["start_year"] = pd.to_numeric(out["start_year"], errors="coerce").astype("Int64")
    return out


def write_gcpt(pik: Path) -> pd.DataFrame:
    units = gcpt_units(pik)
    keep = units["status"].isin(["operating", "construction", "permitted"])
    cn = units[keep & (units["Country"] == "China")].drop(columns="Country").copy()
    cn["province"] = cn.pop("subnational").map(cn_id)
    cn = cn.sort_values(["province", "gem_unit_id"])
    write(cn, CN_SRC / "gem_gcpt_2023-07_china_units.csv")
    us = units[(units["status"] == "operating") & (units["Country"] == "United States")]
    us = us.drop(columns=["Country", "chp_flag_pik"]).rename(columns={"subnational": "state_name"})
    write(us.sort_values(["state_name", "gem_unit_id"]), US_SRC / "gem_gcpt_2023-07_us_units.csv")
    return cn


# ----------------------------------------------------------------------------------------------
# GEM Global Gas Plant Tracker (CC BY-NC-SA 4.0): aggregates only
# ----------------------------------------------------------------------------------------------
def ggpt_units(pik: Path) -> pd.DataFrame:
    path = f"{PIK_GEM_DIR}/Global-Gas-Plant-Tracker-GGPT-February-2023-v2.xlsx"
    df = pd.read_excel(io.BytesIO(git_show(pik, PIK_GEM_COMMIT, path)), sheet_name="Gas Units")
    df["mw"] = pd.to_numeric(df["Capacity elec. (MW)"], errors="coerce").fillna(0.0)
    df["start_year"] = pd.to_numeric(df["Start year"], errors="coerce").astype("Int64")
    df["technology"] = df["Technology"].replace({"not found": "unknown"})
    df["chp"] = df["CHP"].fillna("unknown").replace({"not found": "unknown"})
    return df


def aggregate_gas(df: pd.DataFrame, region_col: str, keys: list[str]) -> pd.DataFrame:
    g = df.groupby([region_col, *keys], dropna=False)
    out = g.agg(mw=("mw", "sum"), units=("mw", "size")).reset_index()
    out["mw"] = out["mw"].round(1)
    return out


def write_ggpt(pik: Path) -> pd.DataFrame:
    df = ggpt_units(pik)
    cn = df[df["Country"] == "China"].copy()
    cn["province"] = cn["Subnational unit (province, state)"].map(cn_id)
    cn = cn[cn["Status"].isin(["operating", "construction", "pre-construction"])]
    keys = ["Status", "technology", "chp", "start_year"]
    agg = aggregate_gas(cn, "province", keys).rename(columns={"Status": "status"})
    write(agg, CN_SRC / "gem_ggpt_2023-02_china_gas_by_province.csv")
    us = df[(df["Country"] == "United States") & (df["Status"] == "operating")].copy()
    us["state_name"] = us["Subnational unit (province, state)"]
    agg_us = aggregate_gas(us, "state_name", ["technology"])
    write(agg_us, US_SRC / "gem_ggpt_2023-02_us_gas_by_state.csv")
    return agg


# ----------------------------------------------------------------------------------------------
# GEM wind (CC BY 4.0, cross-check) and hydropower (CC BY 4.0) trackers: provincial aggregates
# ----------------------------------------------------------------------------------------------
def write_gwpt(pik: Path) -> None:
    raw = git_show(pik, PIK_GEM_COMMIT, f"{PIK_GEM_DIR}/Global-Wind-Power-Tracker-May-2023.xlsx")
    df = pd.read_excel(io.BytesIO(raw), sheet_name="Data")
    cn = df[(df["Country"] == "China") & (df["Status"] == "operating")].copy()
    cn["province"] = cn["State/Province"].map(cn_id)
    cn["kind"] = np.where(cn["Installation Type"] == "onshore", "onshore", "offshore")
    agg = cn.groupby(["province", "kind"])["Capacity (MW)"].sum().unstack(fill_value=0.0)
    agg = agg.round(1).reset_index().rename(columns={"onshore": "onshore_mw",
                                                     "offshore": "offshore_mw"})
    write(agg, CN_SRC / "gem_gwpt_2023-05_china_wind_by_province.csv")


# three operating plants without a province in GHPT, placed by their coordinates
GHPT_NO_PROVINCE = {
    "Liyuan hydroelectric plant": "yunnan",  # 27.68 N 100.29 E, Jinsha river
    "Xinzheng hydroelectric plant": "sichuan",  # 31.31 N 106.24 E
    "Zhanghewan hydroelectric plant": "hebei",  # 37.77 N 114.06 E, pumped storage
}


def write_ghpt(gemcsv: Path) -> None:
    raw = git_show(gemcsv, GEMCSV_COMMIT, "Global-Hydropower-Tracker-May-2023.csv")
    df = pd.read_csv(io.BytesIO(raw))
    cn = df[(df["Country 1"] == "China") & (df["Status"] == "operating")].copy()
    cn["province"] = cn["State/Province 1"].map(cn_id)
    fix = cn["Project Name"].map(GHPT_NO_PROVINCE)
    cn["province"] = fix.fillna(cn["province"])
    agg = cn.groupby(["province", "Technology Type"])["Capacity (MW)"].agg(["sum", "size"])
    agg = agg.reset_index().rename(
        columns={"Technology Type": "technology_type", "sum": "mw", "size": "plants"}
    )
    write(agg, CN_SRC / "gem_ghpt_2023-05_china_hydro_by_province.csv")


# ----------------------------------------------------------------------------------------------
# pipeline table (units not counted as existing at end-2023)
# ----------------------------------------------------------------------------------------------
def write_pipeline(coal: pd.DataFrame, gas: pd.DataFrame) -> None:
    c = coal[coal["status"].isin(["construction", "permitted"])]
    c = c[~((c["status"] == "construction") & (c["start_year"].fillna(9999) <= EXISTING_BY))]
    rows = pd.DataFrame({
        "unit": c["gem_unit_id"] + " " + c["plant"] + " " + c["unit"].fillna(""),
        "province": c["province"], "tech": "coal", "mw": c["mw"], "status": c["status"],
        "expected_online_year": c["start_year"], "units": 1,
        "source": "GEM GCPT 2023-07 (unit)",
    })
    g = gas[gas["status"].isin(["construction", "pre-construction"])]
    g = g[~((g["status"] == "construction") & (g["start_year"].fillna(9999) <= EXISTING_BY))]
    g = g.groupby(["province", "status", "start_year"], dropna=False)
    g = g.agg(mw=("mw", "sum"), units=("units", "sum")).reset_index()
    grows = pd.DataFrame({
        "unit": "aggregate of " + g["units"].astype(str) + " GGPT units (licence: no unit rows)",
        "province": g["province"], "tech": "gas", "mw": g["mw"].round(1), "status": g["status"],
        "expected_online_year": g["start_year"], "units": g["units"],
        "source": "GEM GGPT 2023-02 (aggregate)",
    })
    out = pd.concat([rows, grows], ignore_index=True)
    out["unit"] = out["unit"].str.strip()
    write(out.sort_values(["province", "tech", "unit"]), ROOT / "china" / "pipeline_coal_gas.csv")


# ----------------------------------------------------------------------------------------------
# US: ReEDS transmission (BSD-3 upstream, MIT in pypsa-usa) - copies
# ----------------------------------------------------------------------------------------------
REEDS_FILES = {
    "transmission/transmission_capacity_init_AC_ba_NARIS2024.csv":
        "reeds_transmission_capacity_init_AC_ba_NARIS2024.csv",
    "transmission/transmission_capacity_init_AC_state_NARIS2024.csv":
        "reeds_transmission_capacity_init_AC_state_NARIS2024.csv",
    "transmission/transmission_capacity_init_nonAC_ba.csv":
        "reeds_transmission_capacity_init_nonAC_ba.csv",
}


def write_reeds(usa: Path) -> None:
    for src, dst in REEDS_FILES.items():
        (US_SRC / dst).write_bytes(git_show(usa, USA_COMMIT, f"{USA_REEDS}/{src}"))
        print(f"copied {dst}")
    m = pd.read_csv(io.BytesIO(git_show(usa, USA_COMMIT, f"{USA_REEDS}/membership.csv")))
    write(m[["ba", "st", "interconnect", "transreg", "nercr"]], US_SRC / "reeds_membership.csv")


# ----------------------------------------------------------------------------------------------
# operations: WECC ADS thermal parameters (aggregates) and PyPSA-Eur unit commitment (copy)
# ----------------------------------------------------------------------------------------------
def ads_tech(turbine: str, fuel: str) -> str | None:
    t = str(turbine).strip()
    if fuel == "Coal":
        return "coal"
    if fuel == "Uranium" and t == "ST-NUC":
        return "nuclear"
    if fuel != "NG":
        return None
    if t.startswith(("CC", "OT CC")):
        return "gas_ccgt"
    if t.startswith(("GT", "CT", "OT GT")):
        return "gas_ocgt"
    return None


def read_ads(usa: Path, name: str) -> pd.DataFrame:
    text = git_show(usa, USA_COMMIT, f"{USA_ADS}/{name}").decode("utf-8", "replace")
    df = pd.read_csv(io.StringIO(text.split("\n", 1)[1]), skipinitialspace=True)
    df.columns = [c.strip() for c in df.columns]
    return df


def write_ads(usa: Path) -> None:
    t = read_ads(usa, "Thermal_General_Info.csv")
    io_ = read_ads(usa, "Thermal_IOCurve_Info.csv")
    t = t.merge(io_[["Generator Name", "IOMaxCap(MW)", "IOMinCap(MW)"]],
                left_on="GeneratorName", right_on="Generator Name", how="left")
    t["tech"] = [ads_tech(a, str(b).split("_")[0]) for a, b in zip(t["Turbine Type"],
                                                                    t["Fuel Name"], strict=True)]
    t = t[t["tech"].notna() & (t["Installed Capacity(MW)"] > 0)].copy()
    cap = t["Installed Capacity(MW)"]
    t["ramp_share_per_h"] = (t["RampUp Rate(MW/minute)"] * 60 / cap).clip(upper=1.0)
    t["start_cost_per_mw"] = t["Startup Cost Fixed($)"] / cap
    t["min_stable_share"] = (t["IOMinCap(MW)"] / t["IOMaxCap(MW)"]).where(t["IOMaxCap(MW)"] > 0)
    cols = {"min_stable_share": "min_stable_share", "ramp_share_per_h": "ramp_share_per_h",
            "start_cost_per_mw": "start_cost_usd_per_mw", "MinimumUpTime(hr)": "min_up_h",
            "MinimumDownTime(hr)": "min_down_h"}
    rows = []
    for tech, g in t.groupby("tech"):
        row = {"tech": tech, "generators": len(g), "mw": round(float(g["Installed Capacity(MW)"]
                                                                      .sum()), 1)}
        for src, dst in cols.items():
            row[f"{dst}_median"] = round(float(g[src].median()), 3)
        rows.append(row)
    write(pd.DataFrame(rows), US_SRC / "wecc_ads_2032_thermal_by_tech.csv")


def write_eur(eur: Path) -> None:
    raw = git_show(eur, EUR_COMMIT, "data/unit_commitment.csv")
    for d in (CN_SRC, US_SRC):
        (d / "pypsa_eur_unit_commitment.csv").write_bytes(raw)
    print("copied pypsa_eur_unit_commitment.csv")


# ----------------------------------------------------------------------------------------------
# operations source tables (derived from the subsets above; not read by the case builders)
# ----------------------------------------------------------------------------------------------
PIK_CONFIG_COMMIT = "2cd1f55ddba4838338b28bf37c8af6bac1530139"  # config/technology_config.yaml
EUR_TECH = {"coal": "coal", "gas_ccgt": "CCGT", "gas_ocgt": "OCGT", "nuclear": "nuclear"}


def write_operations_china() -> None:
    eur = pd.read_csv(CN_SRC / "pypsa_eur_unit_commitment.csv").set_index("attribute")
    src_eur = f"PyPSA-Eur data/unit_commitment.csv @ {EUR_COMMIT[:8]} (CC BY 4.0)"
    src_pik = f"PyPSA-China-PIK config/technology_config.yaml @ {PIK_CONFIG_COMMIT[:7]} (MIT)"
    rows = []
    for tech, col in EUR_TECH.items():
        e = eur[col]
        row = {"tech": tech, "min_stable_share": e["p_min_pu"],
               "ramp_share_per_h": e["ramp_limit_up"], "start_cost_per_mw": e["start_up_cost"],
               "start_cost_currency": "EUR",
               "min_up_h": e["min_up_time"], "min_down_h": e["min_down_time"], "source": src_eur}
        if tech == "coal":
            row["ramp_share_per_h"] = 0.5
            row["source"] = f"{src_eur}; ramp_share_per_h: {src_pik} fossil_ramps.coal"
        if tech == "nuclear":
            row["min_stable_share"] = 0.7
            row["source"] = f"{src_eur}; min_stable_share: {src_pik} nuclear_reactors.p_min_pu"
        rows.append(row)
    write(pd.DataFrame(rows), ROOT / "china" / "operations_thermal.csv")


def write_operations_us() -> None:
    ads = pd.read_csv(US_SRC / "wecc_ads_2032_thermal_by_tech.csv").set_index("tech")
    src = (f"WECC ADS 2032 public, medians over generators (pypsa-usa @ {USA_COMMIT[:7]}), "
           "sources/wecc_ads_2032_thermal_by_tech.csv")
    rows = []
    for tech in EUR_TECH:
        a = ads.loc[tech]
        rows.append({"tech": tech, "min_stable_share": a["min_stable_share_median"],
                     "ramp_share_per_h": a["ramp_share_per_h_median"],
                     "start_cost_usd_per_mw": a["start_cost_usd_per_mw_median"],
                     "min_up_h": a["min_up_h_median"], "min_down_h": a["min_down_h_median"],
                     "generators": int(a["generators"]), "source": src})
    write(pd.DataFrame(rows), ROOT / "us" / "operations_thermal.csv")


# provinces north of the Qinling-Huaihe line with statutory central heating (assumption: the
# conventional definition of the northern heating zone)
NORTHERN_HEATING = ["beijing", "tianjin", "hebei", "shanxi", "neimenggu", "liaoning", "jilin",
                    "heilongjiang", "shandong", "henan", "shaanxi", "gansu", "qinghai", "ningxia",
                    "xinjiang"]
CHP_MIN_OUTPUT_HEATING = 0.5  # share of CHP capacity, assumption (see SOURCES.md)


def write_chp_china() -> None:
    u = pd.read_csv(CN_SRC / "gem_gcpt_2023-07_china_units.csv")
    start = u["start_year"].fillna(9999)
    u = u[(u["status"] == "operating") | ((u["status"] == "construction") & (start <= EXISTING_BY))]
    chp = (u["chp_flag_pik"] == "Y") | u["plant_local"].fillna("").str.contains("热电")
    g = pd.DataFrame({"province": u["province"], "mw": u["mw"], "chp_mw": u["mw"].where(chp, 0)})
    out = g.groupby("province")[["mw", "chp_mw"]].sum().reset_index()
    out = out.rename(columns={"mw": "coal_mw_gem"})
    out["chp_share"] = (out["chp_mw"] / out["coal_mw_gem"]).round(3)
    out["northern_heating"] = out["province"].isin(NORTHERN_HEATING)
    out["heating_months"] = np.where(out["northern_heating"], "10,11,12,1,2,3", "")
    out["min_output_share_heating"] = np.where(out["northern_heating"], CHP_MIN_OUTPUT_HEATING,
                                               np.nan)
    write(out, ROOT / "china" / "chp_must_run.csv")


def write_hydro_china(pik: Path) -> None:
    h = pd.read_csv(CN_SRC / "gem_ghpt_2023-05_china_hydro_by_province.csv")
    t = h.pivot_table(index="province", columns="technology_type", values="mw", aggfunc="sum",
                      fill_value=0.0)
    conv = t.drop(columns=[c for c in t.columns if c == "pumped storage"])
    out = pd.DataFrame({
        "reservoir_mw": t.get("conventional storage", 0.0)
        + t.get("conventional and pumped storage", 0.0),
        "run_of_river_mw": t.get("run-of-river", 0.0) + t.get("conventional and run-of-river", 0.0),
        "unknown_mw": t.get("unknown", 0.0), "pumped_storage_mw": t.get("pumped storage", 0.0),
    })
    out = out.round(1)
    out["reservoir_share"] = (out["reservoir_mw"] / conv.sum(axis=1)).round(3)
    write(out.reset_index(), ROOT / "china" / "hydro_reservoir_split.csv")
    try:  # the national hourly profile needs PyTables (pandas.read_hdf)
        raw = git_show(pik, "a3c2f0a", "resources/data/p_nom/hydro_p_max_pu.h5")
        tmp = Path("/tmp/hydro_p_max_pu.h5")
        tmp.write_bytes(raw)
        prof = pd.read_hdf(tmp, "p_max_pu")
    except ImportError:
        print("PyTables missing: hydro_monthly_shape.csv not rewritten")
        return
    m = prof.groupby(prof.index.month).mean()
    shape = pd.DataFrame({"month": m.index, "availability_mean": m.round(4).values,
                          "relative_to_annual_mean": (m / prof.mean()).round(3).values})
    write(shape, ROOT / "china" / "hydro_monthly_shape.csv")


# ----------------------------------------------------------------------------------------------
# cross-checks of the China case against open files (written for SOURCES.md; not read by builders)
# ----------------------------------------------------------------------------------------------
def _pair(a: str, b: str) -> str:
    return "-".join(sorted((a, b)))


def write_link_crosscheck(pik: Path) -> None:
    """Case AC + existing DC MW per province pair vs PyPSA-China-PIK edges_current.csv (which mixes
    AC and DC). Only the comparison is kept: that file's source and licence are not documented."""
    raw = git_show(pik, "5eb3866", "resources/data/grids/edges_current.csv")
    e = pd.read_csv(io.BytesIO(raw), header=None, names=["a", "b", "mw"])
    e["pair"] = [_pair(cn_id(a), cn_id(b)) for a, b in zip(e["a"].str.replace("InnerMongolia",
                 "Inner Mongolia"), e["b"].str.replace("InnerMongolia", "Inner Mongolia"),
                 strict=True)]
    c = pd.read_csv(ROOT / "cases" / "china" / "corridors.csv")
    c = c[c["kind"].isin(["ac", "dc-existing"])]
    c["pair"] = [_pair(a, b) for a, b in zip(c["from"], c["to"], strict=True)]
    case = c.pivot_table(index="pair", columns="kind", values="existing_mw", aggfunc="sum",
                         fill_value=0.0)
    out = pd.DataFrame({"case_ac_mw": case["ac"], "case_dc_mw": case["dc-existing"],
                        "pik_edges_current_mw": e.groupby("pair")["mw"].sum()}).fillna(0.0)
    out = out[(out.sum(axis=1) > 0)]
    out["case_total_mw"] = out["case_ac_mw"] + out["case_dc_mw"]
    out["difference_mw"] = out["case_total_mw"] - out["pik_edges_current_mw"]
    write(out.reset_index(), ROOT / "china" / "crosscheck_interprovincial_links.csv")


def write_wind_crosscheck() -> None:
    """Case end-2023 wind by province vs GEM Global Wind Power Tracker (May 2023, operating)."""
    g = pd.read_csv(CN_SRC / "gem_gwpt_2023-05_china_wind_by_province.csv").set_index("province")
    r = pd.read_csv(ROOT / "cases" / "china" / "resources.csv")
    r = r.pivot_table(index="node", columns="tech", values="existing_mw", aggfunc="sum")
    out = pd.DataFrame({"case_onshore_mw_end2023": r["wind_onshore"],
                        "gem_onshore_mw_2023_05": g["onshore_mw"],
                        "case_offshore_mw_end2023": r["wind_offshore"],
                        "gem_offshore_mw_2023_05": g["offshore_mw"]})
    out = out.loc[g.index].fillna(0.0)
    out["onshore_ratio_case_to_gem"] = (out.iloc[:, 0] / out.iloc[:, 1]).round(2)
    write(out.reset_index(names="province"), ROOT / "china" / "crosscheck_wind_2023.csv")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--china-pik", type=Path, required=True)
    ap.add_argument("--pypsa-usa", type=Path, required=True)
    ap.add_argument("--pypsa-eur", type=Path, required=True)
    ap.add_argument("--gem-csv", type=Path, required=True)
    a = ap.parse_args(argv)
    CN_SRC.mkdir(parents=True, exist_ok=True)
    US_SRC.mkdir(parents=True, exist_ok=True)
    coal = write_gcpt(a.china_pik)
    gas = write_ggpt(a.china_pik)
    write_gwpt(a.china_pik)
    write_ghpt(a.gem_csv)
    write_pipeline(coal, gas)
    write_reeds(a.pypsa_usa)
    write_ads(a.pypsa_usa)
    write_eur(a.pypsa_eur)
    write_operations_china()
    write_operations_us()
    write_chp_china()
    write_hydro_china(a.china_pik)
    write_link_crosscheck(a.china_pik)
    write_wind_crosscheck()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
