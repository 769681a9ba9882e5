"""HiGHS through highspy: hand-over in one call, explicit algorithm choice, status mapping.

The matrix of :class:`model.lp.LinearProblem` goes to HiGHS with one ``passModel``. The
algorithm is never left to HiGHS's default: :func:`choose_algorithm` picks it by problem class
and size (DESIGN.md §6 measured a 14× spread between algorithms on one LP), the user may
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

from .lp import LinearProblem

ALGORITHMS = {"auto", "simplex", "ipm", "ipx", "hipo", "pdlp"}
# below this many matrix nonzeros dual simplex wins on the LPs we measured (DESIGN.md §6)
SIMPLEX_MAX_NNZ = 3_000_000


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


def hipo_available() -> bool:
    try:
        import highspy_extras  # noqa: F401
    except ImportError:
        return False
    return True


def choose_algorithm(lp: LinearProblem, requested: str, nnz: int) -> str:
    """The HiGHS ``solver`` option value to use (user choice wins unless it is ``auto``)."""
    requested = (requested or "auto").lower()
    if requested not in ALGORITHMS:
        raise ValueError(f"unknown solver algorithm {requested!r}; use one of {sorted(ALGORITHMS)}")
    if requested != "auto":
        return requested
    if lp.is_mip:
        return "choose"  # branch and bound; LP relaxations use dual simplex
    if nnz <= SIMPLEX_MAX_NNZ or not hipo_available():
        return "simplex"
    return "hipo"


def _status(h: highspy.Highs) -> tuple[str, str]:
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


def _used_algorithm(h: highspy.Highs, log_text: str, is_mip: bool) -> str:
    if is_mip:
        return "mip (branch and bound, dual simplex)"
    info = h.getInfo()
    if info.pdlp_iteration_count > 0:
        return "pdlp"
    if info.ipm_iteration_count > 0:
        name = "hipo" if "HiPO" in log_text and "unavailable" not in log_text else "ipx"
        if info.crossover_iteration_count > 0:
            name += "+crossover"
        return name
    if info.simplex_iteration_count > 0:
        return "simplex"
    return "presolve"


def make_highs(options: dict, log_lines: list[str],
               on_log: Callable[[str], None] | None = None) -> highspy.Highs:
    h = highspy.Highs()
    h.setOptionValue("log_to_console", False)

    def _log(event) -> None:
        msg = event.message
        log_lines.append(msg)
        if on_log is not None:
            on_log(msg.rstrip("\n"))

    h.cbLogging.subscribe(_log)
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


def _pass(h: highspy.Highs, lp: LinearProblem, col_lb=None, col_ub=None, integer=None) -> int:
    a, row_lb, row_ub = lp.matrix()
    lb, ub, integ = lp.col_bounds()
    if col_lb is not None:
        lb, ub = col_lb, col_ub
    if integer is not None:
        integ = integer
    model = highspy.HighsLp()
    model.num_col_ = lp.n_cols
    model.num_row_ = lp.n_rows
    model.col_cost_ = lp.cost_vector()
    model.col_lower_ = lb
    model.col_upper_ = ub
    model.row_lower_ = row_lb
    model.row_upper_ = row_ub
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.start_ = a.indptr.astype(np.int32)
    model.a_matrix_.index_ = a.indices.astype(np.int32)
    model.a_matrix_.value_ = a.data
    model.a_matrix_.num_col_ = lp.n_cols
    model.a_matrix_.num_row_ = lp.n_rows
    if integ.any():
        var_type = np.where(integ, int(highspy.HighsVarType.kInteger),
                            int(highspy.HighsVarType.kContinuous))
        model.integrality_ = [highspy.HighsVarType(int(v)) for v in var_type]
    h.passModel(model)
    return int(a.nnz)


def solve(lp: LinearProblem, options: dict | None = None,
          on_log: Callable[[str], None] | None = None,
          col_bounds: tuple[np.ndarray, np.ndarray] | None = None,
          integer: np.ndarray | None = None) -> SolveResult:
    """Solve the problem with HiGHS; never raises for solver outcomes (see ``status``)."""
    options = dict(options or {})
    log: list[str] = []
    t0 = time.perf_counter()
    h = make_highs(options, log, on_log)
    lb, ub = col_bounds if col_bounds is not None else (None, None)
    nnz = _pass(h, lp, lb, ub, integer)
    is_mip = bool(integer.any()) if integer is not None else lp.is_mip
    requested = str(options.get("algorithm", "auto"))
    algo = choose_algorithm(lp, requested, nnz) if is_mip == lp.is_mip else (
        "simplex" if requested == "auto" else requested)
    h.setOptionValue("solver", algo)
    if algo == "hipo" and not hipo_available():
        log.append("WattBit: HiPO requested but highspy-extras is not installed; "
                   "HiGHS will fall back to dual simplex\n")
    t1 = time.perf_counter()
    h.run()
    t2 = time.perf_counter()
    status, highs_status = _status(h)
    info = h.getInfo()
    log_text = "".join(log)
    used = _used_algorithm(h, log_text, is_mip)
    sol = h.getSolution()
    x = np.asarray(sol.col_value, dtype=float) if sol.value_valid else None
    duals = np.asarray(sol.row_dual, dtype=float) if sol.dual_valid else None
    gap = float(info.mip_gap) if is_mip else 0.0
    if is_mip and not np.isfinite(gap):
        gap = None
    objective = float(info.objective_function_value) if x is not None else None
    if status == "time_limit" and x is None:
        status_msg = "time limit reached before any feasible solution was found"
    else:
        status_msg = highs_status
    return SolveResult(status, objective, x, duals, gap if x is not None else None, requested,
                       used, t1 - t0, t2 - t1, status_msg, log, highs_status)


def solve_fixed(lp: LinearProblem, x: np.ndarray, options: dict | None = None,
                on_log: Callable[[str], None] | None = None) -> SolveResult:
    """Fix integer columns at their (rounded) values and solve the LP for duals."""
    lb, ub, integ = lp.col_bounds()
    lb, ub = lb.copy(), ub.copy()
    vals = np.round(x[integ])
    lb[integ] = vals
    ub[integ] = vals
    opts = dict(options or {})
    opts.pop("mip_gap", None)
    return solve(lp, opts, on_log, (lb, ub), np.zeros_like(integ))
