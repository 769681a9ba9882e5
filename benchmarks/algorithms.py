"""HiGHS algorithms on WattBit's benchmark LPs: the measurements behind ``choose_algorithm``.

For each size and each algorithm variant this builds the LP of a case written by
:mod:`benchmarks.generate` and solves it with :func:`model.solver.solve` (the user's choice
overrides ``auto``), 2 threads, presolve on, a time limit. Prints one line per run and appends
JSON lines to ``benchmarks/results/algorithm_probes-<timestamp>.jsonl``.

    python benchmarks/algorithms.py --sizes 2x168,5x168,10x168,5x720 --time-limit 300
    python benchmarks/algorithms.py --sizes 5x2000 --variants simplex,hipo-nox,hipo,ipx-nox,pdlp

Variants: ``simplex``, ``hipo`` (crossover on), ``hipo-nox`` (crossover off), ``ipx``,
``ipx-nox``, ``ipm`` (HiGHS's choice of IPM: HiPO when highspy-extras is installed), ``pdlp``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

VARIANTS = {
    "simplex": ("simplex", {}),
    "hipo": ("hipo", {"run_crossover": "on"}),
    "hipo-nox": ("hipo", {"run_crossover": "off"}),
    "ipx": ("ipx", {"run_crossover": "on"}),
    "ipx-nox": ("ipx", {"run_crossover": "off"}),
    "ipm": ("ipm", {}),
    "pdlp": ("pdlp", {}),
}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="2x168,5x168,10x168,5x720")
    ap.add_argument("--variants", default="simplex,hipo-nox,hipo")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--time-limit", type=float, default=300.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cases-dir", default=os.environ.get("WATTBIT_BENCH_CASES",
                                                          "/tmp/wattbit-bench-cases"))
    args = ap.parse_args(argv)

    from generate import write_benchmark_case

    from model.formulation.build import build
    from model.solve.highs import solve
    from model.studies.cases import load_case

    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = HERE / "results" / f"algorithm_probes-{stamp}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    for size in args.sizes.split(","):
        nr, nh = (int(v) for v in size.lower().split("x"))
        case = write_benchmark_case(Path(args.cases_dir) / f"bench_{nr}x{nh}_s{args.seed}",
                                    nr, nh, args.seed)
        ctx = build(load_case(case))
        for name in args.variants.split(","):
            algo, extra = VARIANTS[name]
            load = os.getloadavg()[0]
            t0 = time.perf_counter()
            r = solve(ctx.lp, {"algorithm": algo, "threads": args.threads,
                               "time_limit_s": args.time_limit, "highs_options": extra})
            wall = time.perf_counter() - t0
            log = "".join(r.log)
            ipm = [ln for ln in log.splitlines() if ln.startswith("IPM ")]
            rec = {"size": size, "variant": name, "rows": ctx.lp.n_rows, "cols": ctx.lp.n_cols,
                   "solve_s": round(r.solve_s, 2), "wall_s": round(wall, 2), "status": r.status,
                   "objective": r.objective, "algorithm_used": r.algorithm_used,
                   "ipm_line": ipm[0] if ipm else None, "load_avg_before": load}
            print(json.dumps(rec), flush=True)
            with open(out, "a") as fh:
                fh.write(json.dumps(rec) + "\n")


if __name__ == "__main__":
    main()
