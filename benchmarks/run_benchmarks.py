"""WattBit vs PyPSA (linopy + HiGHS) on the same plain expansion LP, for a grid of sizes.

For every size (regions × hours) this script writes a seeded synthetic case
(:mod:`benchmarks.generate`), then runs, each in a fresh subprocess,

1. WattBit: ``model.run.run(case, write=False)`` (load → build → hand-over → HiGHS → results);
2. PyPSA 1.x: read the same folder, build the network (:mod:`benchmarks.pypsa_model`),
   ``n.optimize(io_api="direct")`` (linopy → highspy) and subtract the cost of existing
   capacity,

with the same HiGHS algorithm, options and threads: WattBit chooses (``--algorithm auto``, its
``choose_algorithm`` rule) or is told, and PyPSA is then given exactly the HiGHS ``solver``
value and extra options WattBit used. Peak memory is each subprocess's
``resource.getrusage(RUSAGE_SELF).ru_maxrss``. Wall times are measured inside the
subprocesses after the imports (import time is reported separately).

It prints one table and writes ``benchmarks/results/benchmark-<timestamp>.{json,csv}`` (and
``latest.{json,csv}``). Examples::

    python benchmarks/run_benchmarks.py                       # 2×168, 5×2000, 10×8760
    python benchmarks/run_benchmarks.py --max-size 30x8760    # also 30 × 8760 (long)
    python benchmarks/run_benchmarks.py --sizes 2x168,5x2000 --algorithm simplex
    python benchmarks/run_benchmarks.py --default-case        # + overhead share, default case

Benchmarks, not tests: targets (objective equal within 1e-6, WattBit ≤ 0.7 × PyPSA wall time at
10 × 8760, overhead ≤ 20 % on the default case, 30 × 8760 within 8 GB) are evaluated and
printed, never asserted.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GRID = ["2x168", "5x2000", "10x8760", "30x8760"]
DEFAULT_MAX = "10x8760"
RESULT_PREFIX = "BENCHMARK-RESULT "


def parse_size(s: str) -> tuple[int, int]:
    r, h = s.lower().split("x")
    return int(r), int(h)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def _emit(result: dict) -> None:
    print(RESULT_PREFIX + json.dumps(result), flush=True)


# ------------------------------------------------------------------------------- workers
def worker_wattbit(args) -> None:
    t_start = time.perf_counter()
    sys.path.insert(0, str(args.root))
    from model.studies.run import run

    t_imported = time.perf_counter()
    options = {"algorithm": args.algorithm, "threads": args.threads,
               "time_limit_s": args.time_limit, "presolve": True}
    if args.highs_options:
        options["highs_options"] = json.loads(args.highs_options)
    case = Path(args.case)
    if args.default_case:
        from model.cli import default_case

        case = default_case()
    t0 = time.perf_counter()
    r = run(case, write=False, solver_options=options)
    wall = time.perf_counter() - t0
    tm = r.summary["timings"]
    sr = r.solve_result
    if args.log_file and sr is not None:
        Path(args.log_file).write_text("".join(sr.log))
    lp = r.context.lp
    chosen = dict(getattr(sr, "highs_options", None) or {})
    a, _, _ = lp.matrix()
    highs_s = tm["solve_s"]  # HiGHS run() of the main solve
    resolve = tm.get("resolve_s", 0.0)
    _emit({
        "model": "wattbit", "case": str(case), "status": r.status, "objective": r.objective,
        "mip_gap": r.summary.get("mip_gap"), "is_mip": lp.is_mip,
        "rows": lp.n_rows, "cols": lp.n_cols, "nnz": int(a.nnz),
        "algorithm_requested": r.summary["solver"]["algorithm_requested"],
        "algorithm_used": r.summary["solver"]["algorithm_used"],
        # what WattBit set: the HiGHS ``solver`` value and options chosen with it
        "highs_solver": chosen.get("solver"),
        "highs_extra_options": {k: v for k, v in chosen.items() if k != "solver"},
        "iterations": sr.iterations if sr is not None else {},
        "cost_scale_exponent": r.summary["solver"].get("cost_scale_exponent"),
        "import_s": t_imported - t_start,
        "load_s": tm["load_s"], "build_s": tm["build_s"], "handover_s": tm["handover_s"],
        "solve_s": highs_s, "resolve_s": resolve, "results_s": tm["results_s"],
        "total_s": wall,
        # everything but HiGHS's own run() (the fixed-integer re-solve's hand-over is overhead
        # too, but run.py reports it inside resolve_s, so it is counted as solve here)
        "overhead_s": wall - highs_s - resolve,
        "peak_mb": _peak_mb(),
    })


def _pypsa_algorithm(h, log_file=None) -> str:
    """What HiGHS ran inside linopy (same rule as ``model.solver._used_algorithm``)."""
    info = h.getInfo()
    if info.pdlp_iteration_count > 0:
        return "pdlp"
    if info.ipm_iteration_count > 0:
        text = Path(log_file).read_text() if log_file and Path(log_file).exists() else ""
        hipo = "hipo:" in text.lower()  # "Hipo: Solved", "WARNING: Hipo: Time limit"
        name = "hipo" if hipo else ("ipx" if text else "ipm")
        return name + ("+crossover" if info.crossover_iteration_count > 0 else "")
    if info.simplex_iteration_count > 0:
        return "simplex"
    return "presolve"


def worker_pypsa(args) -> None:
    t_start = time.perf_counter()
    sys.path.insert(0, str(HERE))
    import pypsa_model as pm

    t_imported = time.perf_counter()
    opts = {"threads": args.threads, "time_limit": float(args.time_limit),
            "presolve": "on", "random_seed": 0, "output_flag": True,
            "log_to_console": False}
    if args.highs_solver:
        opts["solver"] = args.highs_solver
    if args.highs_options:
        opts.update(json.loads(args.highs_options))
    if args.log_file:
        opts["log_file"] = args.log_file
    t0 = time.perf_counter()
    n = pm.build_network(args.case)
    t1 = time.perf_counter()
    status, condition, obj = pm.solve(n, opts)
    wall = time.perf_counter() - t0
    h = getattr(n.model, "solver_model", None)
    highs_s = float(h.getRunTime()) if h is not None else float("nan")
    m = n.model
    _emit({
        "model": "pypsa", "case": str(args.case), "status": f"{status}/{condition}",
        "objective": obj, "rows": int(m.ncons), "cols": int(m.nvars),
        "algorithm_used": _pypsa_algorithm(h, args.log_file) if h is not None else None,
        "iterations": {} if h is None else {
            "ipm": int(h.getInfo().ipm_iteration_count),
            "crossover": int(h.getInfo().crossover_iteration_count),
            "simplex": int(h.getInfo().simplex_iteration_count)},
        "import_s": t_imported - t_start, "network_s": t1 - t0, "solve_s": highs_s,
        "total_s": wall, "overhead_s": wall - highs_s, "peak_mb": _peak_mb(),
    })


# -------------------------------------------------------------------------------- driver
def run_worker(kind: str, case: Path, args, highs_solver=None, highs_options=None,
               default_case=False, log_file=None) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", kind, "--case", str(case),
           "--algorithm", args.algorithm, "--threads", str(args.threads),
           "--time-limit", str(args.time_limit), "--root", str(args.root)]
    if highs_solver:
        cmd += ["--highs-solver", highs_solver]
    if highs_options:
        cmd += ["--highs-options", json.dumps(highs_options)]
    if default_case:
        cmd += ["--default-case"]
    if log_file:
        cmd += ["--log-file", str(log_file)]
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True,
                              timeout=args.time_limit * 1.5 + 300)
    except subprocess.TimeoutExpired:
        return {"model": kind, "status": "killed (wall-clock limit)",
                "process_s": time.perf_counter() - t0}
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            res = json.loads(line[len(RESULT_PREFIX):])
            res["process_s"] = time.perf_counter() - t0
            return res
    return {"model": kind, "status": f"failed (exit {proc.returncode})",
            "stderr": proc.stderr[-2000:], "process_s": time.perf_counter() - t0}


def _f(x, fmt="{:.1f}"):
    return "-" if x is None or x != x else fmt.format(x)


def rel_diff(a, b):
    if a is None or b is None:
        return None
    return abs(a - b) / max(1.0, abs(b))


def print_table(rows: list[dict]) -> None:
    head = ("size", "rows/cols (WB)", "algo", "WB build", "WB hand", "WB solve", "WB total",
            "PyPSA solve", "PyPSA total", "ratio", "WB MB", "PyPSA MB", "WB objective",
            "rel diff")
    table = [head]
    for r in rows:
        w, p = r.get("wattbit", {}), r.get("pypsa", {})
        table.append((
            r["size"], f"{w.get('rows', '-')}/{w.get('cols', '-')}",
            str(w.get("algorithm_used", "-")),
            _f(w.get("build_s"), "{:.2f}"), _f(w.get("handover_s"), "{:.2f}"),
            _f(w.get("solve_s")), _f(w.get("total_s")), _f(p.get("solve_s")),
            _f(p.get("total_s")), _f(r.get("ratio"), "{:.2f}"), _f(w.get("peak_mb"), "{:.0f}"),
            _f(p.get("peak_mb"), "{:.0f}"), _f(w.get("objective"), "{:.6e}"),
            _f(r.get("objective_rel_diff"), "{:.1e}")))
    widths = [max(len(str(row[i])) for row in table) for i in range(len(head))]
    for k, row in enumerate(table):
        print("  ".join(str(c).rjust(wd) for c, wd in zip(row, widths, strict=True)))
        if k == 0:
            print("  ".join("-" * wd for wd in widths))


def flat(row: dict) -> dict:
    out = {"size": row["size"], "ratio": row.get("ratio"),
           "objective_rel_diff": row.get("objective_rel_diff")}
    for k in ("wattbit", "pypsa"):
        for key, val in (row.get(k) or {}).items():
            if isinstance(val, (dict, list)):
                val = json.dumps(val)
            out[f"{k}_{key}"] = val
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", help="comma list like 2x168,5x2000 (default: grid up to "
                                    "--max-size)")
    ap.add_argument("--max-size", default=DEFAULT_MAX,
                    help=f"largest grid size to run (grid {', '.join(GRID)}; default "
                         f"{DEFAULT_MAX})")
    ap.add_argument("--algorithm", default="auto",
                    help="WattBit algorithm (auto, simplex, ipm, ipx, hipo, pdlp); PyPSA gets "
                         "whatever WattBit ran")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--time-limit", type=float, default=1800.0,
                    help="HiGHS time limit per run, seconds")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cases-dir", default=os.environ.get("WATTBIT_BENCH_CASES",
                                                          "/tmp/wattbit-bench-cases"))
    ap.add_argument("--out", default=str(HERE / "results"))
    ap.add_argument("--skip-pypsa", action="store_true")
    ap.add_argument("--skip-wattbit", action="store_true")
    ap.add_argument("--default-case", action="store_true",
                    help="also run WattBit's default case (python solve.py) for the overhead "
                         "share")
    ap.add_argument("--root", default=str(ROOT), help=argparse.SUPPRESS)
    # worker mode (internal)
    ap.add_argument("--worker", choices=["wattbit", "pypsa"], help=argparse.SUPPRESS)
    ap.add_argument("--case", help=argparse.SUPPRESS)
    ap.add_argument("--highs-solver", help=argparse.SUPPRESS)
    ap.add_argument("--highs-options", help=argparse.SUPPRESS)
    ap.add_argument("--log-file", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker == "wattbit":
        return worker_wattbit(args)
    if args.worker == "pypsa":
        return worker_pypsa(args)

    sys.path.insert(0, str(HERE))
    from generate import write_benchmark_case

    if args.sizes:
        sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    else:
        mr, mh = parse_size(args.max_size)
        sizes = [s for s in GRID if parse_size(s)[0] * parse_size(s)[1] <= mr * mh]
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    log_dir = Path(args.cases_dir) / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    meta = {"started_utc": stamp, "threads": args.threads, "algorithm": args.algorithm,
            "time_limit_s": args.time_limit, "seed": args.seed,
            "cpu_count": os.cpu_count(), "load_avg_start": os.getloadavg(),
            "python": sys.version.split()[0]}
    try:
        import highspy
        import linopy
        import pypsa

        meta["versions"] = {"highspy": getattr(highspy, "__version__", None) or
                            highspy.Highs().version(), "pypsa": pypsa.__version__,
                            "linopy": linopy.__version__}
        try:
            import highspy_extras  # noqa: F401

            meta["highspy_extras"] = True
        except ImportError:
            meta["highspy_extras"] = False
    except Exception as exc:  # versions are informative only
        meta["versions_error"] = repr(exc)

    rows: list[dict] = []
    for size in sizes:
        nr, nh = parse_size(size)
        case = write_benchmark_case(Path(args.cases_dir) / f"bench_{nr}x{nh}_s{args.seed}",
                                    nr, nh, args.seed)
        row: dict = {"size": size, "load_avg_before": os.getloadavg()}
        print(f"[{size}] WattBit ...", flush=True)
        wb = {} if args.skip_wattbit else run_worker(
            "wattbit", case, args, log_file=log_dir / f"wattbit_{size}.log")
        row["wattbit"] = wb
        if not args.skip_wattbit:
            print(f"[{size}] WattBit: {wb.get('status')} {_f(wb.get('total_s'))} s "
                  f"({wb.get('algorithm_used')}), {_f(wb.get('peak_mb'), '{:.0f}')} MB",
                  flush=True)
        if not args.skip_pypsa:
            solver = wb.get("highs_solver")
            if solver is None and args.algorithm != "auto":
                solver = {"ipm": "ipm", "ipx": "ipx"}.get(args.algorithm, args.algorithm)
            print(f"[{size}] PyPSA (solver={solver}) ...", flush=True)
            py = run_worker("pypsa", case, args, highs_solver=solver,
                            highs_options=wb.get("highs_extra_options"),
                            log_file=log_dir / f"pypsa_{size}.log")
            row["pypsa"] = py
            print(f"[{size}] PyPSA: {py.get('status')} {_f(py.get('total_s'))} s "
                  f"({py.get('algorithm_used')}), {_f(py.get('peak_mb'), '{:.0f}')} MB",
                  flush=True)
            if wb.get("total_s") and py.get("total_s"):
                row["ratio"] = wb["total_s"] / py["total_s"]
            row["objective_rel_diff"] = rel_diff(wb.get("objective"), py.get("objective"))
        rows.append(row)

    default_row = None
    if args.default_case:
        print("[default case] WattBit ...", flush=True)
        default_row = run_worker("wattbit", Path("."), args, default_case=True)
        if default_row.get("total_s"):
            default_row["overhead_share"] = default_row["overhead_s"] / default_row["total_s"]

    meta["load_avg_end"] = os.getloadavg()
    print()
    print_table(rows)
    targets = evaluate_targets(rows, default_row)
    print()
    for name, t in targets.items():
        print(f"target {name}: {t['verdict']} — {t['detail']}")

    payload = {"meta": meta, "rows": rows, "default_case": default_row, "targets": targets}
    for name in (f"benchmark-{stamp}", "latest"):
        (out_dir / f"{name}.json").write_text(json.dumps(payload, indent=2, default=str))
        flats = [flat(r) for r in rows]
        keys = sorted({k for f in flats for k in f}, key=lambda k: (k != "size", k))
        with open(out_dir / f"{name}.csv", "w", newline="") as fh:
            wr = csv.DictWriter(fh, fieldnames=keys)
            wr.writeheader()
            wr.writerows(flats)
    print(f"\nresults: {out_dir / f'benchmark-{stamp}.json'}")


def evaluate_targets(rows: list[dict], default_row: dict | None) -> dict:
    t: dict = {}
    diffs = [(r["size"], r.get("objective_rel_diff")) for r in rows if "pypsa" in r]
    if diffs:
        ok = all(d is not None and d <= 1e-6 for _, d in diffs)
        t["objective_equal_1e-6"] = {
            "verdict": "met" if ok else "missed",
            "detail": ", ".join(f"{s}: {_f(d, '{:.1e}')}" for s, d in diffs)}
    for r in rows:
        if r["size"] == "10x8760" and r.get("ratio") is not None:
            t["wall_time_10x8760_le_0.7"] = {
                "verdict": "met" if r["ratio"] <= 0.7 else "missed",
                "detail": f"ratio {r['ratio']:.2f} (WattBit {r['wattbit']['total_s']:.1f} s, "
                          f"PyPSA {r['pypsa']['total_s']:.1f} s)"}
        if r["size"] == "30x8760" and r.get("wattbit", {}).get("peak_mb"):
            mb = r["wattbit"]["peak_mb"]
            t["memory_30x8760_le_8GB"] = {
                "verdict": "met" if mb <= 8192 else "missed",
                "detail": f"WattBit peak {mb:.0f} MB, status {r['wattbit'].get('status')}"}
    if default_row and default_row.get("overhead_share") is not None:
        share = default_row["overhead_share"]
        t["overhead_default_case_le_20pct"] = {
            "verdict": "met" if share <= 0.2 else "missed",
            "detail": f"{100 * share:.1f} % ({default_row['overhead_s']:.1f} of "
                      f"{default_row['total_s']:.1f} s; case {default_row.get('case')})"}
    return t


if __name__ == "__main__":
    main()
