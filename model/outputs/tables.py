"""Result tables and the run folder (DESIGN.md §5), written atomically.

:func:`collect` turns a solution into tables and a summary; :func:`write_run` writes them to a
temporary sibling folder and renames it into place, so an interrupted run never leaves a
folder that looks complete (``summary.json`` is the last file written inside the temporary
folder, and the rename is atomic on one filesystem).
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

from model.formulation import compute, datacentres, generation, network, policies, storage
from model.formulation.context import BuildContext


def collect(ctx: BuildContext, x: np.ndarray, duals: np.ndarray | None) -> dict:
    """All result tables of a solved model (``duals`` from the LP or fixed-integer LP)."""
    case = ctx.case
    tables: dict[str, pd.DataFrame] = {}
    parts = [generation.results(ctx, x), storage.results(ctx, x),
             network.results(ctx, x, duals), datacentres.results(ctx, x, duals),
             compute.results(ctx, x, duals)]
    capacity = [p["capacity"] for p in parts if "capacity" in p]
    tables["capacity"] = (pd.concat(capacity, ignore_index=True) if capacity else
                          pd.DataFrame(columns=["node", "tech", "existing_mw", "new_mw"]))
    merged: dict = {}
    for p in parts:
        merged.update({k: v for k, v in p.items() if k != "capacity"})
    if "corridors" in merged:
        tables["corridors"] = merged["corridors"]
    else:
        tables["corridors"] = pd.DataFrame(columns=["from", "to", "existing_mw", "new_mw"])
    for key in ("sites", "assignment", "compute_prices", "compute_unserved"):
        if key in merged:
            tables[key] = merged[key]
    time_labels = case.time.to_numpy()
    if "price_matrix" in merged:
        pm = merged["price_matrix"]
        tables["prices"] = pd.DataFrame({
            "node": np.repeat(pm.columns.to_numpy(), len(pm)),
            "time": np.tile(time_labels, pm.shape[1]),
            "price_per_mwh": pm.to_numpy().T.ravel(),
        })
    # per node: time-weighted average price and unserved energy
    node_rows = {"node": ctx.node_ids.to_numpy(),
                 "unserved_mwh_per_year": merged["unserved"].to_numpy().T @ ctx.weights}
    if "price_matrix" in merged:
        pm = merged["price_matrix"].to_numpy()
        node_rows["average_price_per_mwh"] = (pm.T @ ctx.weights) / ctx.weights.sum()
    tables["nodes"] = pd.DataFrame(node_rows)
    # dispatch: one wide table, a column per unit and flow
    cols = {"time": time_labels}
    for key, suffix in (("dispatch_generation", ""), ("dispatch_storage_discharge",
                                                      ":discharge"),
                        ("dispatch_storage_charge", ":charge"), ("storage_soc", ":soc_mwh")):
        if key in merged:
            for c in merged[key].columns:
                cols[f"{c}{suffix}"] = merged[key][c].to_numpy()
    for c in merged["unserved"].columns:
        if merged["unserved"][c].any():
            cols[f"{c}:unserved"] = merged["unserved"][c].to_numpy()
    if "flows" in merged:
        for c in merged["flows"].columns:
            cols[f"flow:{c}"] = merged["flows"][c].to_numpy()
    if "site_power" in merged:
        for c in merged["site_power"].columns:
            cols[f"{c}:dc_power"] = merged["site_power"][c].to_numpy()
    tables["dispatch"] = pd.DataFrame(cols)
    tables["load"] = case.load.assign(time=time_labels)
    # what each step stands for: presentation reads time weights from here, never from a
    # re-reduced case
    tables["steps"] = pd.DataFrame({"time": time_labels, "weight_hours": ctx.weights,
                                    "step_hours": case.hours, "period": case.periods})

    # summary figures
    w = ctx.weights
    costs = ctx.lp.cost_by_component(x)
    costs["existing_fixed_om (not in objective)"] = (generation.existing_fixed_cost(case)
                                                      + storage.existing_fixed_cost(case)
                                                      + datacentres.existing_fixed_cost(case))
    gen = ctx.info.get("generators")
    emissions = 0.0
    if gen is not None and len(gen):
        out = ctx.lp.values(x, "gen_mw").to_numpy().reshape(len(gen), ctx.n_steps)
        emissions = float(gen["co2_t_per_mwh"].to_numpy(float) @ (out @ w))
    unserved_mwh = float(merged["unserved"].to_numpy().sum(axis=1) @ w)
    summary = {
        "costs": {k: float(v) for k, v in costs.items()},
        "emissions_t": emissions,
        "unserved_energy_mwh": unserved_mwh,
        "load_mwh": float(case.load.to_numpy().sum(axis=1) @ w),
        "policies": policies.report(ctx, x, duals),
    }
    if "price_matrix" in merged:
        pm = merged["price_matrix"]
        load = network.node_load(ctx).T  # step × node
        total = (load * w[:, None]).sum()
        summary["average_price_per_mwh"] = (float((pm.to_numpy() * load * w[:, None]).sum()
                                                  / total) if total > 0 else None)
    if "sites" in tables:
        s = tables["sites"]
        summary["sites_built"] = s.loc[s["built"] == 1, "site"].tolist()
        summary["it_mw_built"] = float(s["it_mw"].sum())
        it_e = float(s["it_energy_mwh_per_year"].sum())
        summary["it_energy_mwh"] = it_e
        if "power_cost_per_year" in s and it_e > 0:
            summary["power_cost_per_mwh_it"] = float(s["power_cost_per_year"].sum() / it_e)
    if "assignment" in tables and len(tables["assignment"]):
        by = tables["assignment"].groupby(["class", "site"])["mwh"].sum()
        where = {}
        for cls, part in by.groupby(level=0):
            part = part.droplevel(0).sort_values(ascending=False)
            share = part / part.sum()
            top = [f"{site} {100 * v:.0f} %" for site, v in share.items() if v >= 0.005][:4]
            if len(share) > len(top):
                top.append("…")
            where[cls] = ", ".join(top)
        summary["compute_by_class"] = where
    if "compute_unserved" in tables:
        summary["unserved_compute_mwh"] = float(tables["compute_unserved"]["unserved_mwh"].sum())
    return {"tables": tables, "summary": summary}


def _jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    return obj


def write_run(out_dir: str | Path, summary: dict, tables: dict[str, pd.DataFrame],
              extra_files: dict[str, bytes | str] | None = None,
              parquet: bool = True) -> Path:
    """Write the run folder atomically: temp sibling folder, then rename into place."""
    out = Path(out_dir).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(out)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        for name, df in tables.items():
            df.to_csv(tmp / f"{name}.csv", index=False)
            if parquet and name in ("dispatch", "prices"):
                try:
                    df.to_parquet(tmp / f"{name}.parquet", index=False)
                except (ImportError, ValueError):
                    pass
        for name, content in (extra_files or {}).items():
            mode = "wb" if isinstance(content, bytes) else "w"
            with open(tmp / name, mode) as fh:
                fh.write(content)
        # test hook: widen the window in which a killed run must leave nothing complete
        time.sleep(float(os.environ.get("WATTBIT_TEST_WRITE_DELAY_S", "0") or 0))
        with open(tmp / "summary.json", "w") as fh:
            json.dump(_jsonable(summary), fh, indent=2)
            fh.flush()
            os.fsync(fh.fileno())
        old = None
        if out.exists():
            old = out.parent / f".{out.name}.old-{uuid.uuid4().hex[:8]}"
            os.replace(out, old)
        os.replace(tmp, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale_temporaries(out: Path) -> None:
    """Delete temporary folders of earlier runs into ``out`` whose process is gone."""
    for tmp in out.parent.glob(f".{out.name}.tmp-*"):
        try:
            pid = int(tmp.name.rsplit(".tmp-", 1)[1].split("-")[0])
        except (IndexError, ValueError):
            continue
        if not _pid_alive(pid):
            shutil.rmtree(tmp, ignore_errors=True)
    for old in out.parent.glob(f".{out.name}.old-*"):
        shutil.rmtree(old, ignore_errors=True)
