"""The Pyomo route against the direct one, on one case: build, hand-over, solve, read back.

Direct: WattBit's blocks → ``LinearProblem.matrix()`` + one ``passModel`` (hand-over) → HiGHS
→ :func:`model.outputs.tables.collect`. Pyomo: the same blocks → ``to_pyomo()`` (labelled
model) → Pyomo's HiGHS interface (``pyomo.contrib.appsi.solvers.Highs``: ``set_instance`` is
the hand-over, ``solve`` runs HiGHS) → :func:`model.outputs.pyomo_results.results_from_pyomo`.
Both solve the same problem with the same HiGHS options (the case's solver settings, the
algorithm WattBit's rule picks, threads, seed); a MILP goes to HiGHS's branch and bound in
both (``mip_strategy: highs``, so that the strategy is not what is measured) and is priced by
WattBit's pricing LP in both. ``--relax`` solves the LP relaxation instead.

    python benchmarks/pyomo_route.py data/cases/two-region
    python benchmarks/pyomo_route.py data/cases/china --relax

Prints one JSON line and appends it to ``benchmarks/results/pyomo_route_api.jsonl`` with
the load average before and after (other sessions share the machine).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model.formulation.build import build  # noqa: E402
from model.outputs.pyomo_results import results_from_pyomo  # noqa: E402
from model.outputs.tables import collect  # noqa: E402
from model.solve.highs import choose_algorithm, solve  # noqa: E402
from model.solve.milp import solve_pricing  # noqa: E402
from model.studies.run import prepare_case  # noqa: E402


def highs_options(options: dict, algorithm: str, mip: bool) -> dict:
    out = {"threads": int(options["threads"]), "random_seed": 0,
           "solver": algorithm}
    if options.get("time_limit_s"):
        out["time_limit"] = float(options["time_limit_s"])
    if mip and options.get("mip_gap") is not None:
        out["mip_rel_gap"] = float(options["mip_gap"])
    if algorithm in ("hipo", "ipx", "ipm"):
        out["run_crossover"] = "on"
    return out


def direct(ctx, options: dict, integer) -> dict:
    lp = ctx.lp
    t0 = time.perf_counter()
    res = solve(lp, options, integer=integer)
    t1 = time.perf_counter()
    duals = res.row_duals
    if res.x is not None and integer is None and lp.is_mip:
        priced = solve_pricing(lp, res.x, options)
        duals = priced.row_duals
    collect(ctx, res.x, duals)
    t2 = time.perf_counter()
    return {"status": res.status, "objective": res.objective, "handover_s": res.handover_s,
            "highs_s": res.solve_s, "total_solve_s": t1 - t0, "read_back_s": t2 - t1,
            "algorithm": res.algorithm_used}


def pyomo_route(ctx, options: dict, hopts: dict, relax: bool) -> dict:
    import pyomo.environ as pyo
    from pyomo.contrib.appsi.solvers import Highs

    t0 = time.perf_counter()
    m = ctx.lp.to_pyomo(duals=relax or not ctx.lp.is_mip)
    if relax:
        pyo.TransformationFactory("core.relax_integer_vars").apply_to(m)
    t1 = time.perf_counter()
    opt = Highs()
    opt.highs_options.update(hopts)
    opt.config.load_solution = False
    opt.set_instance(m)
    t2 = time.perf_counter()
    res = opt.solve(m)
    t3 = time.perf_counter()
    highs_s = float(opt._solver_model.getRunTime())  # HiGHS's own clock of its last run
    res.solution_loader.load_vars()
    if hasattr(m, "dual"):
        m.dual.update(opt.get_duals())
    out = results_from_pyomo(m, ctx, options)
    t4 = time.perf_counter()
    return {"status": str(res.termination_condition), "objective": out["objective"],
            "to_pyomo_s": t1 - t0, "handover_s": t2 - t1, "solve_call_s": t3 - t2,
            "highs_s": highs_s, "read_back_s": t4 - t3}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("case")
    ap.add_argument("--relax", action="store_true", help="solve the LP relaxation")
    ap.add_argument("--time-limit", type=float, default=None)
    args = ap.parse_args()
    load_before = os.getloadavg()
    warnings.simplefilter("ignore")
    t0 = time.perf_counter()
    case = prepare_case(args.case, None, None, None, lambda *a: None)
    t1 = time.perf_counter()
    ctx = build(case)
    t2 = time.perf_counter()
    lp = ctx.lp
    options = {**case.solver, "mip_strategy": "highs", "threads": 2}
    if args.time_limit:
        options["time_limit_s"] = args.time_limit
    a, _, _ = lp.matrix()
    mip = lp.is_mip and not args.relax
    algorithm = choose_algorithm(lp, str(options.get("algorithm", "auto")), int(a.nnz), mip)
    if not mip:  # a MILP: "auto" makes solve() run branch and bound ("choose")
        options["algorithm"] = algorithm
    integer = np.zeros(lp.n_cols, dtype=bool) if args.relax else None
    ours = direct(ctx, options, integer)
    theirs = pyomo_route(ctx, options, highs_options(options, algorithm, mip), args.relax)
    record = {"case": args.case, "relax": args.relax, "mip": mip, "rows": lp.n_rows,
              "cols": lp.n_cols, "nnz": int(a.nnz), "load_s": t1 - t0, "build_s": t2 - t1,
              "algorithm": algorithm, "direct": ours, "pyomo": theirs,
              "objective_rel_diff": (abs(theirs["objective"] - ours["objective"])
                                     / abs(ours["objective"]) if ours["objective"] else None),
              "load_average_before": load_before, "load_average_after": os.getloadavg(),
              "cpus": os.cpu_count()}
    line = json.dumps(record)
    print(line)
    with open(ROOT / "benchmarks" / "results" / "pyomo_route_api.jsonl", "a") as fh:
        fh.write(line + "\n")


if __name__ == "__main__":
    main()
