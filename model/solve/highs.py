"""HiGHS through highspy: hand-over in one call, explicit algorithm choice, status mapping.

The matrix of :class:`model.lp.LinearProblem` goes to HiGHS with one ``passModel``. The
algorithm is never left to HiGHS's default: :func:`choose_algorithm` picks it by problem class
and size (docs/performance.md measured a 14× spread between algorithms on one LP), the user may
override it, and :func:`solve` reads back from the log and iteration counts which algorithm
actually ran (HiPO silently falls back to dual simplex without ``highspy-extras``).

For a MILP, :func:`solve_fixed` fixes every integer column at its solution value and solves
the remaining LP, whose duals are the marginal prices reported in the results.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import highspy
import numpy as np

from model.formulation.lp import LinearProblem
from model.solve.progress import ProgressCallback, ProgressTracker
from model.solve.scaling import Scaling, choose_scaling

ALGORITHMS = {"auto", "simplex", "ipm", "ipx", "hipo", "pdlp"}
# Dual simplex wins only on small LPs. Benchmark expansion LPs, 2 threads, quiet machine
# (docs/performance.md): 8.5 k nonzeros: simplex 0.10 s, HiPO 0.41 s; 24 k: 1.43 s vs 1.48 s;
# 50 k: 11.1 s vs 4.0 s; 101 k: 18.9 s vs 7.4 s; 280 k (shared machine): simplex > 300 s
# (time limit) vs HiPO 180 s. Above this size an interior point method is used (HiPO with
# highspy-extras, else IPX: slower than HiPO, but simplex stalls on large expansion LPs).
SIMPLEX_MAX_NNZ = 35_000


@dataclass
class SolveResult:
    status: str  # optimal | time_limit | infeasible | unbounded | error
    objective: float | None
    x: np.ndarray | None
    row_duals: np.ndarray | None
    mip_gap: float | None
    algorithm_requested: str
    algorithm_used: str
    handover_s: float
    solve_s: float
    message: str = ""
    log: list[str] = field(default_factory=list)
    highs_status: str = ""
    # the HiGHS ``solver`` value and the options WattBit set with it (e.g. run_crossover)
    highs_options: dict = field(default_factory=dict)
    # MILPs: False when the rounded relaxation was already within the gap (duals are final)
    branched: bool = True
    # infeasible or unbounded: the constraints involved, in words
    diagnosis: list[str] = field(default_factory=list)
    # HiGHS solved min 2^k c'x; objective and duals here are already mapped back (k ≤ 0)
    cost_scale_exponent: int = 0
    # ... and saw continuous variables in units of 2^-b MW (b ≤ 0); x and duals mapped back
    bound_scale_exponent: int = 0
    # HiGHS's iteration counts (ipm, crossover, simplex; mip nodes) of the run that answered
    iterations: dict = field(default_factory=dict)
    # MILPs: best proven lower bound on the objective (from the relaxation or HiGHS)
    mip_bound: float | None = None
    # MILPs: row_duals are already those of the pricing LP (:func:`pricing_bounds`)
    priced: bool = False


def hipo_available() -> bool:
    try:
        import highspy_extras  # noqa: F401
    except ImportError:
        return False
    return True


def choose_algorithm(lp: LinearProblem, requested: str, nnz: int,
                     is_mip: bool | None = None) -> str:
    """The HiGHS ``solver`` option value to use (user choice wins unless it is ``auto``).

    ``is_mip`` overrides ``lp.is_mip`` (the fixed-integer re-solve is an LP).
    """
    requested = (requested or "auto").lower()
    if requested not in ALGORITHMS:
        raise ValueError(f"unknown solver algorithm {requested!r}; use one of {sorted(ALGORITHMS)}")
    if requested != "auto":
        return requested
    if lp.is_mip if is_mip is None else is_mip:
        return "choose"  # branch and bound; LP relaxations use dual simplex
    if nnz <= SIMPLEX_MAX_NNZ:
        return "simplex"
    return "hipo" if hipo_available() else "ipx"


def algorithm_options(algo: str, requested: str, is_mip: bool) -> dict:
    """HiGHS options WattBit sets with the chosen algorithm (the user's ``highs_options`` win).

    Crossover stays on after an interior point method: prices are duals, and on the
    degenerate LPs of capacity expansion (fixed investments, hours where a limit binds) an
    interior-point solution sits in the middle of the optimal dual face, giving prices that
    are valid but arbitrary between the marginal running cost and the value of lost load
    (measured: 423 against 48 per MWh on a full-year check). Crossover returns a vertex.
    Turn it off with ``highs_options: {run_crossover: "off"}`` when only the objective and
    the investments matter.
    """
    if algo in ("hipo", "ipx", "ipm"):
        return {"run_crossover": "on"}
    return {}


def model_status(h: highspy.Highs) -> tuple[str, str]:
    ms = h.getModelStatus()
    name = h.modelStatusToString(ms)
    S = highspy.HighsModelStatus
    if ms == S.kOptimal:
        return "optimal", name
    if ms in (S.kTimeLimit, S.kIterationLimit, S.kSolutionLimit, S.kInterrupt,
              S.kHighsInterrupt):
        return "time_limit", name
    if ms == S.kInfeasible:
        return "infeasible", name
    if ms in (S.kUnbounded, S.kUnboundedOrInfeasible):
        return "unbounded", name
    return "error", name


def used_algorithm(h: highspy.Highs, log_text: str, is_mip: bool) -> str:
    if is_mip:
        return "mip (branch and bound, dual simplex)"
    info = h.getInfo()
    if info.pdlp_iteration_count > 0:
        return "pdlp"
    if info.ipm_iteration_count > 0:
        # HiPO reports "Hipo: Solved" / "Hipo: ..." (and solver=ipm runs HiPO when
        # highspy-extras is installed); without highspy-extras a HiPO request logs an error and
        # HiGHS runs dual simplex instead (no IPM iterations). IPX's crossover prints
        # "IPX version" after HiPO too, so that line does not tell them apart.
        hipo = "hipo:" in log_text.lower()  # also "WARNING: Hipo: Time limit"
        name = "hipo" if hipo else "ipx"
        if info.crossover_iteration_count > 0:
            name += "+crossover"
        return name
    if info.simplex_iteration_count > 0:
        return "simplex"
    return "presolve"


def tracker_for(on_progress: ProgressCallback | ProgressTracker | None
                ) -> ProgressTracker | None:
    """One tracker for all HiGHS instances of a solve (a callback gets a new one)."""
    if on_progress is None or isinstance(on_progress, ProgressTracker):
        return on_progress
    return ProgressTracker(on_progress)


def make_highs(options: dict, log_lines: list[str],
               on_log: Callable[[str], None] | None = None,
               progress: ProgressTracker | None = None, stage: str = "LP") -> highspy.Highs:
    """A HiGHS instance with WattBit's options; its log goes to ``log_lines`` and ``on_log``,
    its progress (callbacks and log) to ``progress`` under the name ``stage``."""
    h = highspy.Highs()
    h.setOptionValue("log_to_console", False)

    def _log(event) -> None:
        msg = event.message
        log_lines.append(msg)
        if on_log is not None:
            on_log(msg.rstrip("\n"))
        if progress is not None:
            progress.log_line(msg)

    h.cbLogging.subscribe(_log)
    if progress is not None:
        progress.attach(h, stage)
    threads = int(options.get("threads") or 0)
    if threads:
        h.setOptionValue("threads", threads)
    if options.get("time_limit_s"):
        h.setOptionValue("time_limit", float(options["time_limit_s"]))
    if options.get("mip_gap") is not None:
        h.setOptionValue("mip_rel_gap", float(options["mip_gap"]))
    presolve = options.get("presolve", True)
    h.setOptionValue("presolve", "on" if presolve in (True, "on") else "off")
    h.setOptionValue("random_seed", int(options.get("random_seed", 0)))
    for key, value in (options.get("highs_options") or {}).items():
        h.setOptionValue(str(key), value)
    return h


def _off(options: dict, key: str) -> bool:
    return options.get(key, True) in (False, "off")


def pass_model(h: highspy.Highs, lp: LinearProblem, options: dict, col_lb=None, col_ub=None,
          integer=None, scaling_integer=None, row_bounds=None) -> tuple[int, Scaling]:
    """Hand the problem to HiGHS, scaled (model.scaling); returns nonzeros and the scaling.

    ``scaling_integer`` marks the columns that must keep their units (default: the
    integrality handed to HiGHS); the relaxation of a MILP passes the MILP's, so rounding
    its integer columns needs no unscaling.
    """
    a, row_lb, row_ub = lp.matrix()
    if row_bounds is not None:
        row_lb, row_ub = row_bounds
    lb, ub, integ = lp.col_bounds()
    if col_lb is not None:
        lb, ub = col_lb, col_ub
    if integer is not None:
        integ = integer
    cost = lp.cost_vector()
    scaling = choose_scaling(cost, lb, ub, row_lb, row_ub,
                             integ if scaling_integer is None else scaling_integer,
                             scale_costs=not _off(options, "scale_costs"),
                             scale_bounds=not _off(options, "scale_bounds"))
    a = scaling.matrix(a)
    # One passModel with numpy arrays (read through the buffer protocol). Filling a HighsLp's
    # vector attributes instead converts element by element: 2.7 s vs 1.2 s on a 2.6 M-nonzero
    # LP (docs/performance.md). The integrality array is required by this overload, so an LP
    # passes zeros (HiGHS then logs "No semi-integer/integer variables in model with non-empty
    # integrality" and solves it as the LP it is).
    f64 = np.float64
    status = h.passModel(
        lp.n_cols, lp.n_rows, int(a.nnz), int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMinimize), 0.0,
        np.ascontiguousarray(scaling.costs(cost), f64),
        np.ascontiguousarray(scaling.columns(lb), f64),
        np.ascontiguousarray(scaling.columns(ub), f64),
        np.ascontiguousarray(scaling.rows(row_lb), f64),
        np.ascontiguousarray(scaling.rows(row_ub), f64),
        a.indptr[:-1].astype(np.int32), a.indices.astype(np.int32),
        np.ascontiguousarray(a.data, f64),
        np.asarray(integ, dtype=np.int32))  # 0 = continuous, 1 = integer (HighsVarType)
    if status == highspy.HighsStatus.kError:
        raise RuntimeError("HiGHS rejected the model in passModel")
    return int(a.nnz), scaling


def solve(lp: LinearProblem, options: dict | None = None,
          on_log: Callable[[str], None] | None = None,
          col_bounds: tuple[np.ndarray, np.ndarray] | None = None,
          integer: np.ndarray | None = None,
          start: np.ndarray | None = None,
          row_bounds: tuple[np.ndarray, np.ndarray] | None = None,
          on_progress: ProgressCallback | ProgressTracker | None = None,
          stage: str | None = None) -> SolveResult:
    """Solve the problem with HiGHS; never raises for solver outcomes (see ``status``).

    ``start``: a feasible point handed to branch and bound as its first incumbent;
    ``col_bounds``, ``integer`` and ``row_bounds`` replace the problem's own;
    ``on_progress`` receives :class:`model.solve.progress.SolveProgress` events while HiGHS
    works, for the stage named ``stage`` (default: LP or branch and bound).
    """
    options = dict(options or {})
    log: list[str] = []
    t0 = time.perf_counter()
    is_mip = bool(integer.any()) if integer is not None else lp.is_mip
    tracker = tracker_for(on_progress)
    h = make_highs(options, log, on_log, tracker,
                   stage or ("branch and bound" if is_mip else "LP"))
    lb, ub = col_bounds if col_bounds is not None else (None, None)
    nnz, scaling = pass_model(h, lp, options, lb, ub, integer, row_bounds=row_bounds)
    if tracker is not None:
        tracker.objective_back = scaling.objective_back
    requested = str(options.get("algorithm", "auto"))
    algo = choose_algorithm(lp, requested, nnz, is_mip)
    h.setOptionValue("solver", algo)
    chosen = {"solver": algo}
    user_options = options.get("highs_options") or {}
    for key, value in algorithm_options(algo, requested, is_mip).items():
        if key not in user_options:
            h.setOptionValue(key, value)
            chosen[key] = value
    if algo == "hipo" and not hipo_available():
        log.append("WattBit: HiPO requested but highspy-extras is not installed; "
                   "HiGHS will fall back to dual simplex\n")
    if start is not None and is_mip:
        incumbent = highspy.HighsSolution()
        incumbent.col_value = scaling.columns(np.asarray(start, dtype=float))
        incumbent.value_valid = True
        h.setSolution(incumbent)
    t1 = time.perf_counter()
    h.run()
    t2 = time.perf_counter()
    status, highs_status = model_status(h)
    info = h.getInfo()
    log_text = "".join(log)
    used = used_algorithm(h, log_text, is_mip)
    sol = h.getSolution()
    x = scaling.x_back(np.asarray(sol.col_value, dtype=float)) if sol.value_valid else None
    duals = unscaled_duals(sol, scaling)
    gap = float(info.mip_gap) if is_mip else 0.0
    if is_mip and not np.isfinite(gap):
        gap = None
    bound = scaling.objective_back(info.mip_dual_bound) if is_mip else None
    if bound is not None and not np.isfinite(bound):
        bound = None
    objective = scaling.objective_back(info.objective_function_value) if x is not None else None
    if status == "time_limit" and x is None:
        status_msg = "time limit reached before any feasible solution was found"
    else:
        status_msg = highs_status
    if tracker is not None:
        tracker.end(objective=objective, bound=bound,
                    gap=gap if is_mip and x is not None else None,
                    iteration=info.simplex_iteration_count + max(info.ipm_iteration_count, 0)
                    or None)
    diagnosis = diagnose(h, lp, status) if status in ("infeasible", "unbounded") else []
    return SolveResult(status, objective, x, duals, gap if x is not None else None, requested,
                       used, t1 - t0, t2 - t1, status_msg, log, highs_status, chosen,
                       diagnosis=diagnosis, cost_scale_exponent=scaling.cost_exponent,
                       bound_scale_exponent=scaling.bound_exponent,
                       iterations=iteration_counts(h, is_mip), mip_bound=bound)


def iteration_counts(h: highspy.Highs, is_mip: bool) -> dict:
    info = h.getInfo()
    counts = {"ipm": info.ipm_iteration_count, "crossover": info.crossover_iteration_count,
              "simplex": info.simplex_iteration_count, "pdlp": info.pdlp_iteration_count,
              "mip_nodes": info.mip_node_count if is_mip else 0}
    return {key: int(value) for key, value in counts.items() if value and value > 0}


def unscaled_duals(sol, scaling: Scaling) -> np.ndarray | None:
    """Row duals (prices) in the model's own units."""
    if not sol.dual_valid:
        return None
    return scaling.duals_back(np.asarray(sol.row_dual, dtype=float))


def _label(blocks, position: int) -> str:
    """'name[index label]' of the block holding a global row or column position."""
    for b in blocks:
        if b.start <= position < b.start + b.size:
            key = b.index[position - b.start]
            key = ", ".join(map(str, key)) if isinstance(key, tuple) else str(key)
            return f"{b.name}[{key}]"
    return f"#{position}"


def diagnose(h: highspy.Highs, lp: LinearProblem, status: str, limit: int = 15) -> list[str]:
    """Plain-words account of an infeasible or unbounded problem.

    Infeasible: HiGHS's irreducible infeasible subset (IIS) — a smallest set of constraints
    and variable bounds that cannot hold together — named by model block and index.
    """
    if status == "unbounded":
        return ["the objective can fall without limit: some variable with a negative cost has "
                "no upper bound (check negative costs or missing max_new_mw limits)"]
    try:
        iis_status, iis = h.getIis()
    except Exception as exc:  # noqa: BLE001 - diagnosis must never break a run
        return [f"no IIS available ({exc})"]
    if iis_status != highspy.HighsStatus.kOk or not iis.valid_:
        return ["HiGHS could not compute an irreducible infeasible subset"]
    rows = [_label(lp.constraints.values(), int(r)) for r in iis.row_index_]
    cols = [_label(lp.variables.values(), int(c)) for c in iis.col_index_]
    out = [f"these {len(rows)} constraint(s) and {len(cols)} variable bound(s) cannot all "
           "hold (HiGHS irreducible infeasible subset):"]
    out += [f"constraint {r}" for r in rows[:limit]]
    out += [f"bounds of {c}" for c in cols[:limit]]
    if len(rows) > limit or len(cols) > limit:
        out.append("… (more in the full set)")
    return out
