"""The investment case of one data-centre site: paired runs with the site forced in and kept out.

``python solve.py appraise CASE --site ID`` (and :func:`appraise`) solves the case (with its
scenarios) twice:

* **in**: the site must be built (``policies.required_sites`` + the site; it is taken out of
  ``forbidden_sites`` and put into ``allowed_sites`` where the case has those lists);
* **out**: the site may not be built (``policies.forbidden_sites`` + the site);
* optionally **free**: the case as it is, to see whether the optimiser builds the site by
  itself and what forcing it costs against that plan.

What an investor reads off (per period in a multi-period case, from ``sites.csv`` of the
in-run): when the site gets power (``online_year``, ``time_to_power_years``), its IT MW, its
cost of power per MWh of IT work (average and marginal), its supply mix (``grid_share`` and the
on-site rest, grid import MWh), and the **system cost of forcing it in**: objective(in) −
objective(out). The objective is per year in a static case and the discounted total of the
horizon in a multi-period case (base_year money); the per-period difference is the system cost
per year of each period (:func:`model.formulation.vintages.cost_by_period`). MILP runs stop at
their MIP gap, so a difference smaller than the gaps is noise: both gaps are reported.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console

from model.formulation.vintages import cost_by_period
from model.inputs.case import Case
from model.inputs.problems import CaseError, Problem
from model.studies.cases import load_case
from model.studies.console import compact, print_table
from model.studies.run import RunResult, run

SOLVED = ("optimal", "time_limit")
# columns of sites.csv the appraisal carries per period (those a run lacks are left empty)
SITE_COLUMNS = ("built", "online_year", "time_to_power_years", "it_mw",
                "it_energy_mwh_per_year", "power_mwh_per_year", "grid_import_mwh_per_year",
                "grid_share", "power_cost_per_mwh_it", "marginal_power_cost_per_mwh_it")


@dataclass
class Appraisal:
    site: str
    summary: dict  # appraisal.json
    periods: pd.DataFrame  # appraisal.csv: one row per period (one row in a static case)
    runs: dict[str, RunResult] = field(default_factory=dict)
    out: Path | None = None


# ----------------------------------------------------------------------- the paired runs
def run_policies(case: Case, site: str) -> dict[str, dict]:
    """The site-list policies of the in, out and free runs, on top of the case's own."""
    pol = case.policies or {}
    required = [str(s) for s in pol.get("required_sites") or []]
    forbidden = [str(s) for s in pol.get("forbidden_sites") or []]
    allowed = pol.get("allowed_sites")
    others_req = [s for s in required if s != site]
    others_forb = [s for s in forbidden if s != site]
    forced_in = {"required_sites": [*others_req, site], "forbidden_sites": others_forb or None}
    if allowed is not None and site not in map(str, allowed):
        forced_in["allowed_sites"] = [*map(str, allowed), site]
    kept_out = {"required_sites": others_req or None, "forbidden_sites": [*others_forb, site]}
    return {"in": forced_in, "out": kept_out, "free": {}}


def check_site(case: Case, site: str) -> None:
    """The site must be a candidate of the case (an existing site cannot be kept out)."""
    ids = [str(s) for s in case.sites.index]
    if site not in ids:
        hint = "sites of the case: " + ", ".join(ids[:30]) + (" …" if len(ids) > 30 else "")
        raise CaseError([Problem("sites.geojson", f"unknown site '{site}' (--site)",
                                 column="id", hint=hint)])
    if float(case.sites.loc[site, "existing_it_mw"]) > 0:
        raise CaseError([Problem(
            "sites.geojson", f"site '{site}' has existing_it_mw > 0: it is built in every run, "
            "so there is no run without it to compare with", column="existing_it_mw",
            hint="appraise a candidate site, or set its existing_it_mw to 0 in a scenario")])


def appraise(case_path: str | Path, site: str, scenarios: list | None = None,
             out: str | Path | None = None, *, free: bool = False,
             solver_options: dict | None = None, days: int | None = None,
             segments: int | None = None, report: bool = True,
             on_event: Callable[[str, str], None] | None = None,
             on_progress=None) -> Appraisal:
    """Solve the case with ``site`` forced in and kept out (and free, with ``free``); with
    ``out``, write DIR/in/, DIR/out/ (DIR/free/), appraisal.json and appraisal.csv."""
    scenarios = list(scenarios or [])
    case = load_case(case_path, scenarios)  # validates the case and the user's scenarios
    check_site(case, site)
    out = Path(out) if out is not None else None
    runs: dict[str, RunResult] = {}
    for label, policies in run_policies(case, site).items():
        if label == "free" and not free:
            continue
        extra = [{"name": f"{site}-{label}", "policies": policies}] if policies else []
        if on_event is not None:
            on_event("appraise", f"site {site} {_WHAT[label]}")
        runs[label] = run(case_path, [*scenarios, *extra], None if out is None else out / label,
                          solver_options, on_event=on_event, write=out is not None,
                          days=days, segments=segments, report=report,
                          on_progress=on_progress)
    result = summarise(case, site, runs)
    result.out = out
    if out is not None:
        write_appraisal(result, out)
    return result


_WHAT = {"in": "forced in (required_sites)", "out": "kept out (forbidden_sites)",
         "free": "free (the case as it is)"}


# ------------------------------------------------------------------------------ results
def system_cost_per_year(res: RunResult) -> np.ndarray | None:
    """System cost per year of each period (Σ of the cost components), None without x."""
    if res.context is None or res.solve_result is None or res.solve_result.x is None:
        return None
    costs = cost_by_period(res.context, res.solve_result.x)
    return np.sum(list(costs.values()), axis=0) if costs else None


def site_rows(res: RunResult, site: str) -> pd.DataFrame:
    """The site's rows of sites.csv (one per period), with the appraisal's columns."""
    table = res.tables.get("sites")
    if table is None or not len(table):
        return pd.DataFrame(columns=["period", *SITE_COLUMNS])
    rows = table[table["site"].astype(str) == site].reset_index(drop=True)
    out = pd.DataFrame({"period": rows["period"] if "period" in rows else [None] * len(rows)})
    for col in SITE_COLUMNS:
        out[col] = rows[col].to_numpy() if col in rows else np.nan
    out.insert(out.columns.get_loc("grid_share") + 1, "on_site_share",
               np.where(out["power_mwh_per_year"] > 1e-9,
                        np.clip(1.0 - out["grid_share"], 0.0, 1.0), np.nan))  # no "-0 %"
    return out


def period_table(site: str, runs: dict[str, RunResult]) -> pd.DataFrame:
    """appraisal.csv: the site in the in-run per period, and the system cost per year of
    each run and their difference (in − out)."""
    table = site_rows(runs["in"], site)
    for label, res in runs.items():
        cost = system_cost_per_year(res)
        table[f"system_cost_per_year_{label}"] = cost if cost is not None and len(cost) == len(
            table) else np.nan
    table["system_cost_per_year_in_minus_out"] = (table["system_cost_per_year_in"]
                                                  - table["system_cost_per_year_out"])
    if "free" in runs:
        table["system_cost_per_year_in_minus_free"] = (table["system_cost_per_year_in"]
                                                       - table["system_cost_per_year_free"])
    return table


def _run_record(res: RunResult) -> dict:
    s = res.summary
    return {"status": res.status, "objective": res.objective,
            "mip_gap": s.get("mip_gap") if s.get("is_mip") else None,
            "sites_built": s.get("sites_built"), "scenarios": s.get("scenarios"),
            "out_dir": None if res.out_dir is None else str(res.out_dir)}


def _difference(a: RunResult, b: RunResult) -> float | None:
    if a.status not in SOLVED or b.status not in SOLVED or None in (a.objective, b.objective):
        return None
    return float(a.objective - b.objective)


def summarise(case: Case, site: str, runs: dict[str, RunResult]) -> Appraisal:
    """appraisal.json and appraisal.csv of the runs."""
    inv = case.investment
    periods = period_table(site, runs)
    rows = periods[periods["built"] == 1]
    first = rows.iloc[0] if len(rows) else None
    summary = {
        "case": case.name, "site": site, "scenarios": list(case.scenario_names),
        "currency": case.currency, "multi_period": not inv.static,
        "decision_year": None if inv.static else float(inv.decision_year),
        "objective_basis": "per year" if inv.static else
        "discounted total over the periods (base_year money)",
        "runs": {label: _run_record(res) for label, res in runs.items()},
        "built": bool(len(rows)),
        "online_year": None if first is None else _number(first["online_year"]),
        "time_to_power_years": None if first is None else _number(first["time_to_power_years"]),
        "it_mw": None if first is None else _number(rows.iloc[-1]["it_mw"]),
        "system_cost_in_minus_out": _difference(runs["in"], runs["out"]),
        "periods": json.loads(periods.to_json(orient="records")),
    }
    if "free" in runs:
        free_site = site_rows(runs["free"], site)
        summary["built_when_free"] = bool((free_site["built"] == 1).any())
        summary["system_cost_in_minus_free"] = _difference(runs["in"], runs["free"])
    return Appraisal(site, summary, periods, runs)


def _number(v) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def write_appraisal(result: Appraisal, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "appraisal.json").write_text(json.dumps(result.summary, indent=2))
    result.periods.to_csv(out / "appraisal.csv", index=False)


# ------------------------------------------------------------------------------ console
def print_appraisal(console: Console, result: Appraisal) -> None:
    """The headline figures and the per-period table."""
    s, cur = result.summary, result.summary.get("currency", "")
    for label, r in s["runs"].items():
        gap = f", MIP gap {100 * r['mip_gap']:.2f} %" if r.get("mip_gap") is not None else ""
        obj = "—" if r["objective"] is None else f"{r['objective']:,.0f} {cur}"
        console.print(f"{label:>5}: {r['status']}, objective {obj}{gap}", highlight=False)
    diff = s["system_cost_in_minus_out"]
    basis = s["objective_basis"]
    console.print(f"System cost of forcing {result.site} in vs keeping it out: "
                  + ("—" if diff is None else f"[bold]{diff:,.0f} {cur}[/bold] ({basis})"))
    if "built_when_free" in s:
        vs = s["system_cost_in_minus_free"]
        console.print(f"Built when free: {'yes' if s['built_when_free'] else 'no'}; forcing it "
                      "in vs the free plan: " + ("—" if vs is None else f"{vs:,.0f} {cur}"))
    if s["multi_period"]:
        console.print(f"Time to power: online {_year(s['online_year'])}, "
                      f"{_year(s['time_to_power_years'])} years after the decision "
                      f"({_year(s['decision_year'])})", highlight=False)
    columns = [("period", "period", ".0f"), ("built", "built", ".0f"),
               ("it_mw", "IT MW", ",.1f"), ("grid_share", "grid", ".0%"),
               ("on_site_share", "on-site", ".0%"),
               ("grid_import_mwh_per_year", "grid MWh", compact),
               ("power_cost_per_mwh_it", "cost/MWh IT", ",.1f"),
               ("marginal_power_cost_per_mwh_it", "marginal", ",.1f"),
               ("system_cost_per_year_in_minus_out", "Δ cost/yr", compact)]
    if not s["multi_period"]:
        columns = columns[1:]
    print_table(console, f"Site {result.site} forced in ({cur}; Δ = in − out per year)",
                result.periods, columns)
    if result.out is not None:
        console.print(f"Appraisal written to [bold]{result.out}[/bold] (appraisal.json, "
                      "appraisal.csv, in/, out/)")


def _year(v) -> str:
    return "—" if v is None else f"{v:g}"
