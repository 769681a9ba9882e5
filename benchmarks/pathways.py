"""Time to solve the multi-period (pathway) cases with the defaults a user gets.

For each case (and scenario) this runs ``python solve.py CASE [--scenario S] --out DIR`` in a
fresh subprocess with no solver options, and records the wall time, the peak memory of the
subprocess, the status, the objective, the MIP gap and the machine's load average before and
after. Target (issue "time to power"): each run within 15 minutes on 2 cores, on the cases'
representative days. A benchmark, not a test: the target is printed, never asserted.

    python benchmarks/pathways.py                    # us-pathway, china-pathway (+ scenarios)
    python benchmarks/pathways.py --cases china-pathway --no-scenarios

Results: ``benchmarks/results/pathways-<timestamp>.json`` (and ``pathways-latest.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
TARGET_S = 15 * 60
SCENARIOS = {"us-pathway": ["grid-only", "speed-to-power"], "china-pathway": ["delayed-uhv"]}


def run_one(case: str, scenario: str | None) -> dict:
    """One default solve in a subprocess: wall time, peak memory, summary figures."""
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run"
        cmd = [sys.executable, str(ROOT / "solve.py"), str(ROOT / "data" / "cases" / case),
               "--out", str(out), "--quiet"]
        if scenario:
            cmd += ["--scenario", str(ROOT / "data" / "scenarios" / case / f"{scenario}.yaml")]
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - start
        summary = (json.loads((out / "summary.json").read_text())
                   if (out / "summary.json").exists() else {})
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    return {"case": case, "scenario": scenario, "returncode": proc.returncode,
            "wall_s": wall, "peak_mb_children_so_far": peak_mb,
            "status": summary.get("status"), "objective": summary.get("objective"),
            "mip_gap": summary.get("mip_gap"), "size": summary.get("size"),
            "timings": summary.get("timings"),
            "algorithm_used": summary.get("solver", {}).get("algorithm_used"),
            "load_average_before": load_before, "load_average_after": os.getloadavg(),
            "within_target": wall <= TARGET_S and proc.returncode == 0,
            "stderr_tail": proc.stderr[-2000:] if proc.returncode else ""}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="us-pathway,china-pathway")
    parser.add_argument("--no-scenarios", action="store_true")
    args = parser.parse_args(argv)
    rows = []
    for case in args.cases.split(","):
        for scenario in [None, *([] if args.no_scenarios else SCENARIOS.get(case, []))]:
            row = run_one(case, scenario)
            rows.append(row)
            print(f"{case:16s} {scenario or '(base)':16s} {row['status']!s:10s} "
                  f"{row['wall_s']:7.1f} s  gap {row['mip_gap']}  "
                  f"load {row['load_average_before'][0]:.1f}→{row['load_average_after'][0]:.1f}"
                  f"  {'OK' if row['within_target'] else 'OVER 15 min or failed'}", flush=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    RESULTS.mkdir(exist_ok=True)
    record = {"when": stamp, "cpu_count": os.cpu_count(), "target_s": TARGET_S, "runs": rows}
    for name in (f"pathways-{stamp}.json", "pathways-latest.json"):
        (RESULTS / name).write_text(json.dumps(record, indent=1))


if __name__ == "__main__":
    main()
