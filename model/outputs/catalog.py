"""Results catalogue: one DuckDB file over many run folders, plus per-run comparison figures.

:func:`run_metrics` condenses one run folder into a flat row (objective, cost parts, sites
built, IT MW, compute by host region × class, new generation / storage / transmission,
emissions, prices, cost per MWh of compute, status, gap); ``compare`` writes these rows as
``comparison.csv`` and the catalogue stores them in its ``runs`` table.

:func:`build_catalog` is always rebuilt from the run folders on disk (only folders whose
``summary.json`` exists, i.e. complete runs), so every run appears exactly once however many
times its task was attempted. The database is written to a temporary file and renamed into
place. It holds

* ``runs``: one row per run folder (``run_id`` = folder name; see :data:`RUN_COLUMNS`), the
  swept parameters as JSON (``params``) and one column per swept parameter (dots and colons
  of the key replaced by ``_``, e.g. ``policies_co2_price_per_t``);
* ``compute_by_region_class`` (run_id, region, class, it_mwh);
* one view per result table found in the run folders (``sites``, ``capacity``,
  ``corridors``, ``assignment``, ``prices``, ``dispatch``, ``compute_prices``,
  ``compute_unserved``, ``load``, and any table added later) over the Parquet files of every
  run (the CSVs when some run has no Parquet copy), with a ``run_id`` column.

Views name the files by absolute path; after moving a results folder rebuild the catalogue
with ``python -m model.outputs.catalog DIR``.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
import uuid
from pathlib import Path

import pandas as pd

CATALOG_FILE = "catalog.duckdb"
RESULT_TABLES = ("sites", "capacity", "corridors", "assignment", "prices", "dispatch",
                 "compute_prices", "compute_unserved", "load")
RESERVED = {"runs", "compute_by_region_class", "comparison"}
# fixed columns of the runs table (metrics columns follow, then one per swept parameter)
RUN_COLUMNS = ("run_id", "label", "sweep", "scenarios", "params", "status", "message",
               "objective", "mip_gap", "load_s", "build_s", "solve_s", "resolve_s", "total_s",
               "case", "case_hash", "code_version", "in_latest_sweep", "folder")


# ------------------------------------------------------------------------ run folders
def read_json(path: Path) -> dict:
    try:
        with open(path) as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def is_complete(folder: Path) -> bool:
    return (Path(folder) / "summary.json").is_file()


def run_folders(root: Path) -> list[Path]:
    """Complete run folders directly under ``root`` (temporary folders start with '.')."""
    root = Path(root)
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir()
                  if p.is_dir() and not p.name.startswith(".") and is_complete(p))


def read_table(folder: Path, name: str) -> pd.DataFrame | None:
    folder = Path(folder)
    pq = folder / f"{name}.parquet"
    if pq.is_file():
        try:
            return pd.read_parquet(pq)
        except Exception:  # noqa: BLE001 - fall back to the CSV beside it
            pass
    csv = folder / f"{name}.csv"
    if csv.is_file():
        try:
            return pd.read_csv(csv)
        except pd.errors.EmptyDataError:
            return pd.DataFrame()
    return None


def read_tables(folder: Path) -> dict[str, pd.DataFrame]:
    out = {}
    for name in RESULT_TABLES:
        df = read_table(folder, name)
        if df is not None:
            out[name] = df
    return out


# ---------------------------------------------------------------------------- metrics
def _slug(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z]+", "_", str(text)).strip("_").lower()


def _num(value) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _clean(value: float) -> float:
    """Solver round-off such as -1e-10 MW reported as 0."""
    return 0.0 if abs(value) < 1e-7 else value


def compute_by_region_class(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """IT MWh per year by host region × workload class (from assignment and sites)."""
    a = tables.get("assignment")
    s = tables.get("sites")
    cols = ["region", "class", "it_mwh"]
    if a is None or s is None or not len(a) or "site" not in a or "region" not in s:
        return pd.DataFrame(columns=cols)
    region = s.set_index(s["site"].astype(str))["region"].astype(str)
    df = a.assign(region=a["site"].astype(str).map(region))
    out = df.groupby(["region", "class"], as_index=False)["mwh"].sum()
    return out.rename(columns={"mwh": "it_mwh"})[cols]


def run_metrics(summary: dict, tables: dict[str, pd.DataFrame]) -> dict:
    """A flat row of figures for one run (comparison.csv and the catalogue's runs table)."""
    row: dict = {
        "status": summary.get("status"),
        "message": summary.get("message"),
        "objective": _num(summary.get("objective")),
        "mip_gap": _num(summary.get("mip_gap")),
    }
    for key, value in (summary.get("costs") or {}).items():
        row[f"cost_{_slug(key)}"] = _num(value)
    has_results = any(len(df) for df in tables.values())
    row.update(_site_metrics(summary, tables.get("sites"), has_results))
    row.update(_capacity_metrics(tables.get("capacity")))
    row.update(_corridor_metrics(tables.get("corridors"), has_results))
    for key in ("emissions_t", "average_price_per_mwh", "unserved_energy_mwh",
                "unserved_compute_mwh"):
        row[key] = _num(summary.get(key))
    for _, r in compute_by_region_class(tables).iterrows():
        row[f"it_mwh_{_slug(r['region'])}_{_slug(r['class'])}"] = float(r["it_mwh"])
    tim = summary.get("timings") or {}
    for key in ("build_s", "solve_s", "total_s"):
        row[key] = _num(tim.get(key))
    return row


def _site_metrics(summary: dict, sites: pd.DataFrame | None, has_results: bool) -> dict:
    """Sites built, IT MW and MWh, power and data-centre cost per MWh of compute."""
    if sites is None or not len(sites) or "built" not in sites:
        if not has_results:
            return {}
        # a solved case without candidate sites
        return dict(sites_built="", n_sites_built=0, it_mw_built=0.0, it_mwh=0.0,
                    power_cost_per_mwh_it=None, dc_cost_per_mwh_it=None)
    row: dict = {}
    built = sites.loc[sites["built"].astype(float) > 0.5]
    row["sites_built"] = ";".join(built["site"].astype(str))
    row["n_sites_built"] = len(built)
    row["it_mw_built"] = float(sites["it_mw"].sum())
    it_e = float(sites.get("it_energy_mwh_per_year", pd.Series(dtype=float)).sum())
    row["it_mwh"] = it_e
    costs = summary.get("costs") or {}
    dc_cost = sum(float(costs.get(k) or 0.0)
                  for k in ("capex_datacentres", "fixed_om_datacentres"))
    power = float(sites["power_cost_per_year"].sum()) if "power_cost_per_year" in sites \
        else None
    row["power_cost_per_mwh_it"] = _num(summary.get("power_cost_per_mwh_it"))
    row["dc_cost_per_mwh_it"] = ((dc_cost + power) / it_e
                                 if power is not None and it_e > 0 else None)
    return row


def _capacity_metrics(cap: pd.DataFrame | None) -> dict:
    """New generation and storage (MW, MWh)."""
    if cap is None or not len(cap) or "kind" not in cap:
        return {}
    gen = cap["kind"] == "generator"
    sto = cap["kind"] == "storage"
    return {"new_generation_mw": _clean(float(cap.loc[gen, "new_mw"].sum())),
            "new_storage_mw": _clean(float(cap.loc[sto, "new_mw"].sum())),
            "new_storage_mwh": (float(cap.loc[sto, "new_mwh"].fillna(0).sum())
                                if "new_mwh" in cap else 0.0)}


def _corridor_metrics(cor: pd.DataFrame | None, has_results: bool) -> dict:
    """New transmission (MW, MW·km)."""
    if cor is not None and len(cor) and "new_mw" in cor:
        row = {"new_transmission_mw": _clean(float(cor["new_mw"].sum()))}
        if "length_km" in cor:
            row["new_transmission_mw_km"] = float((cor["new_mw"] * cor["length_km"]).sum())
        return row
    return {"new_transmission_mw": 0.0} if has_results else {}


def comparison_table(runs: list[tuple[str, Path]]) -> pd.DataFrame:
    """One row per (name, run folder), scenario first (comparison.csv)."""
    rows = []
    for name, folder in runs:
        summary = read_json(Path(folder) / "summary.json")
        rows.append({"scenario": name, **run_metrics(summary, read_tables(folder))})
    df = _ordered(pd.DataFrame(rows))
    # compute-by-region columns are missing for runs that serve nothing there: 0, not NaN
    solved = df["objective"].notna() if "objective" in df else pd.Series(False, df.index)
    for c in df.columns:
        if c.startswith("it_mwh_"):
            df.loc[solved, c] = df.loc[solved, c].fillna(0.0)
    return df


def _ordered(df: pd.DataFrame) -> pd.DataFrame:
    """Identity and status first, then cost parts, other figures, compute by region, times."""
    head = [c for c in ("scenario", "status", "message", "objective", "mip_gap") if c in df]
    costs = [c for c in df.columns if c.startswith("cost_")]
    regions = sorted(c for c in df.columns if c.startswith("it_mwh_"))
    times = [c for c in ("build_s", "solve_s", "total_s") if c in df]
    rest = [c for c in df.columns if c not in {*head, *costs, *regions, *times}]
    return df[head + costs + rest + regions + times]


# -------------------------------------------------------------------------- catalogue
def param_column(key: str) -> str:
    """Column name of a swept parameter in the runs table."""
    return re.sub(r"[^0-9A-Za-z_]+", "_", key).strip("_")


def _runs_frame(folders: list[Path], latest: set[str] | None) -> tuple[pd.DataFrame,
                                                                      pd.DataFrame]:
    """The runs table and the compute-by-region-class table of these run folders."""
    rows, by_region = [], []
    for folder in folders:
        row, cbr = _run_row(folder, latest)
        rows.append(row)
        if len(cbr):
            by_region.append(cbr.assign(run_id=folder.name))
    if rows:
        runs = _with_param_columns(pd.DataFrame(rows))
    else:
        runs = pd.DataFrame({c: pd.Series(dtype=object) for c in RUN_COLUMNS})
    cbr = (pd.concat(by_region, ignore_index=True)[["run_id", "region", "class", "it_mwh"]]
           if by_region else pd.DataFrame({"run_id": pd.Series(dtype=str),
                                           "region": pd.Series(dtype=str),
                                           "class": pd.Series(dtype=str),
                                           "it_mwh": pd.Series(dtype=float)}))
    return runs, cbr


def _run_row(folder: Path, latest: set[str] | None) -> tuple[dict, pd.DataFrame]:
    """One run's row of the runs table (its parameters under ``_params``) and its compute
    by host region × class."""
    summary = read_json(folder / "summary.json")
    meta = read_json(folder / "run.json")
    tables = read_tables(folder)
    run_id = folder.name
    params = meta.get("params") or {}
    tim = summary.get("timings") or {}
    row = {
        "run_id": run_id,
        "label": meta.get("label", run_id),
        "sweep": meta.get("sweep"),
        "scenarios": [str(s) for s in (meta.get("scenario_names")
                                       or summary.get("scenarios") or [])],
        "params": json.dumps(params, sort_keys=True),
        "case": summary.get("case") or meta.get("case"),
        "case_hash": meta.get("case_hash"),
        "code_version": meta.get("code_version"),
        "in_latest_sweep": None if latest is None else run_id in latest,
        "folder": str(folder.resolve()),
    }
    for key in ("load_s", "build_s", "solve_s", "resolve_s", "total_s"):
        row[key] = _num(tim.get(key))
    metrics = run_metrics(summary, tables)
    for key in ("build_s", "solve_s", "total_s"):
        metrics.pop(key, None)
    row.update(metrics)
    row["_params"] = params
    return row, compute_by_region_class(tables)


def _with_param_columns(runs: pd.DataFrame) -> pd.DataFrame:
    """One column per swept parameter (in order of first appearance), fixed columns first."""
    all_params: list[str] = []
    for params in runs["_params"]:
        all_params += [k for k in params if k not in all_params]
    taken = set(runs.columns)
    for key in all_params:
        col = param_column(key)
        if col in taken:
            col = f"param_{col}"
        taken.add(col)
        runs[col] = [p.get(key) for p in runs["_params"]]
        runs[col] = _uniform(runs[col])
    runs = runs.drop(columns="_params")
    first = [c for c in RUN_COLUMNS if c in runs.columns]
    return runs[first + [c for c in runs.columns if c not in first]]


def _uniform(col: pd.Series) -> pd.Series:
    """A parameter column with one type (numbers as float, anything else as JSON text)."""
    vals = [v for v in col if v is not None]
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in vals):
        return col.astype(float)
    if all(isinstance(v, str) for v in vals):
        return col.astype(object)
    return col.map(lambda v: None if v is None else json.dumps(v))


def _sql_str(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _table_view(name: str, folders: list[Path]) -> str | None:
    pq = [f / f"{name}.parquet" for f in folders]
    csv = [f / f"{name}.csv" for f in folders]
    have_pq = [p for p in pq if p.is_file()]
    have_csv = [c for c in csv if c.is_file()]
    if have_pq and {c.parent for c in have_csv} <= {p.parent for p in have_pq}:
        files, reader = have_pq, "read_parquet"
        opts = "filename=true, union_by_name=true"
    elif have_csv:
        files, reader = have_csv, "read_csv"
        opts = "filename=true, union_by_name=true, header=true"
    else:
        return None
    listed = ", ".join(_sql_str(f.resolve().as_posix()) for f in files)
    run_id = r"regexp_extract(filename, '([^/\\]+)[/\\][^/\\]+$', 1)"
    return (f'CREATE VIEW "{name}" AS SELECT {run_id} AS run_id, * EXCLUDE (filename) '
            f"FROM {reader}([{listed}], {opts})")


def table_names(folders: list[Path]) -> list[str]:
    """Result tables present in any run folder (the standard ones first)."""
    found: set[str] = set()
    for f in folders:
        for p in f.iterdir():
            if p.suffix in (".csv", ".parquet") and re.fullmatch(r"[a-z][a-z0-9_]*", p.stem):
                found.add(p.stem)
    found -= RESERVED
    return [t for t in RESULT_TABLES if t in found] + sorted(found - set(RESULT_TABLES))


def build_catalog(out_dir: str | Path, folders: list[Path] | None = None,
                  latest: list[str] | None = None, db_name: str = CATALOG_FILE) -> Path:
    """(Re)build ``out_dir/catalog.duckdb`` from the complete run folders on disk.

    ``folders`` defaults to every complete folder in ``out_dir/runs``; ``latest`` (run ids of
    the sweep just run) fills the ``in_latest_sweep`` column.
    """
    import duckdb

    out_dir = Path(out_dir).resolve()
    if folders is None:
        folders = run_folders(out_dir / "runs")
    folders = [Path(f).resolve() for f in folders if is_complete(f)]
    runs, cbr = _runs_frame(folders, None if latest is None else set(latest))
    target = out_dir / db_name
    tmp = out_dir / f".{db_name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    con = duckdb.connect(str(tmp))
    try:
        con.register("runs_df", runs)
        con.execute("CREATE TABLE runs AS SELECT * FROM runs_df")
        con.unregister("runs_df")
        con.register("cbr_df", cbr)
        con.execute("CREATE TABLE compute_by_region_class AS SELECT * FROM cbr_df")
        con.unregister("cbr_df")
        for name in table_names(folders):
            sql = _table_view(name, folders)
            if sql is not None:
                con.execute(sql)
        con.execute("CHECKPOINT")
        con.close()
        os.replace(tmp, target)
    except BaseException:
        con.close()
        for p in (tmp, Path(f"{tmp}.wal")):
            if p.exists():
                p.unlink()
        raise
    return target


def connect(out_dir: str | Path, read_only: bool = True):
    """Open a results folder's catalogue (``duckdb.connect``)."""
    import duckdb

    return duckdb.connect(str(Path(out_dir) / CATALOG_FILE), read_only=read_only)


def main(argv: list[str] | None = None) -> None:
    """``python -m model.outputs.catalog DIR``: rebuild DIR/catalog.duckdb from DIR/runs/*."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m model.outputs.catalog DIR", file=sys.stderr)
        raise SystemExit(2)
    root = Path(args[0])
    folders = run_folders(root / "runs") if (root / "runs").is_dir() else run_folders(root)
    path = build_catalog(root, folders)
    print(f"{path}: {len(folders)} run(s)")


if __name__ == "__main__":
    main()
