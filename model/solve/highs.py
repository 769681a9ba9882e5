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
import pandas as pd

from model.formulation.lp import LinearProblem, Term
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


def _off(options: dict, key: str) -> bool:
    return options.get(key, True) in (False, "off")


def _pass(h: highspy.Highs, lp: LinearProblem, options: dict, col_lb=None, col_ub=None,
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
          row_bounds: tuple[np.ndarray, np.ndarray] | None = None) -> SolveResult:
    """Solve the problem with HiGHS; never raises for solver outcomes (see ``status``).

    ``start``: a feasible point handed to branch and bound as its first incumbent;
    ``col_bounds``, ``integer`` and ``row_bounds`` replace the problem's own.
    """
    options = dict(options or {})
    log: list[str] = []
    t0 = time.perf_counter()
    h = make_highs(options, log, on_log)
    lb, ub = col_bounds if col_bounds is not None else (None, None)
    nnz, scaling = _pass(h, lp, options, lb, ub, integer, row_bounds=row_bounds)
    is_mip = bool(integer.any()) if integer is not None else lp.is_mip
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
    status, highs_status = _status(h)
    info = h.getInfo()
    log_text = "".join(log)
    used = _used_algorithm(h, log_text, is_mip)
    sol = h.getSolution()
    x = scaling.x_back(np.asarray(sol.col_value, dtype=float)) if sol.value_valid else None
    duals = _unscaled_duals(sol, scaling)
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
    diagnosis = diagnose(h, lp, status) if status in ("infeasible", "unbounded") else []
    return SolveResult(status, objective, x, duals, gap if x is not None else None, requested,
                       used, t1 - t0, t2 - t1, status_msg, log, highs_status, chosen,
                       diagnosis=diagnosis, cost_scale_exponent=scaling.cost_exponent,
                       bound_scale_exponent=scaling.bound_exponent,
                       iterations=_iterations(h, is_mip), mip_bound=bound)


def _iterations(h: highspy.Highs, is_mip: bool) -> dict:
    info = h.getInfo()
    counts = {"ipm": info.ipm_iteration_count, "crossover": info.crossover_iteration_count,
              "simplex": info.simplex_iteration_count, "pdlp": info.pdlp_iteration_count,
              "mip_nodes": info.mip_node_count if is_mip else 0}
    return {key: int(value) for key, value in counts.items() if value and value > 0}


def _unscaled_duals(sol, scaling: Scaling) -> np.ndarray | None:
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


def solve_fixed(lp: LinearProblem, x: np.ndarray, options: dict | None = None,
                on_log: Callable[[str], None] | None = None) -> SolveResult:
    """Fix integer columns at their (rounded) values and solve the remaining LP."""
    lb, ub, integ = lp.col_bounds()
    lb, ub = lb.copy(), ub.copy()
    vals = np.round(x[integ])
    lb[integ] = vals
    ub[integ] = vals
    opts = dict(options or {})
    opts.pop("mip_gap", None)
    return solve(lp, opts, on_log, (lb, ub), np.zeros_like(integ))


def pricing_bounds(lp: LinearProblem, x: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Column and row bounds of the pricing LP around an integer solution ``x``.

    Binary decisions (which sites are built, which blocks exist) are fixed; general integers
    (modules, corridor blocks) become continuous within the case's own limits
    (``price_ub``), and big-M rows of built sites are dropped
    (:meth:`LinearProblem.add_gate`). The duals are then long-run marginal costs at the chosen
    sites: one more MW of compute demand costs the power and the IT capital it needs, not a
    scarcity rent of capacity that whole modules or a derived bound happened to fix. (Fixing
    the modules instead leaves any value between the running cost and the value of lost
    compute a valid dual where IT capacity binds.)
    """
    lb, ub, integ = lp.col_bounds()
    lb, ub = lb.copy(), ub.copy()
    for b in lp.variables.values():
        if b.price_ub is not None:
            ub[b.start: b.start + b.size] = b.price_ub
    binary = integ & (ub <= 1.0)
    lb[binary] = ub[binary] = np.round(x[binary])
    _, row_lb, row_ub = lp.matrix()
    row_ub = row_ub.copy()
    for name, (binary_block, pos) in lp.gates.items():
        rows = lp.constraints[name]
        on = x[binary_block.cols(pos)] > 0.5
        row_ub[rows.start + np.flatnonzero(on)] = np.inf
    return lb, ub, row_lb, row_ub


def solve_pricing(lp: LinearProblem, x: np.ndarray, options: dict | None = None,
                  on_log: Callable[[str], None] | None = None) -> SolveResult:
    """The pricing LP of :func:`pricing_bounds`: its row duals are the reported prices."""
    lb, ub, row_lb, row_ub = pricing_bounds(lp, x)
    opts = {k: v for k, v in (options or {}).items() if k != "mip_gap"}
    return solve(lp, opts, on_log, (lb, ub), np.zeros(lp.n_cols, dtype=bool),
                 row_bounds=(row_lb, row_ub))


def relative_gap(objective: float, bound: float) -> float:
    """(objective − bound) / |objective|, 0 when they agree to 1e-9 (relative)."""
    diff = objective - bound
    scale = max(abs(objective), 1e-9)
    return 0.0 if diff <= 1e-9 * scale else diff / scale


@dataclass
class _Clock:
    """The case's time limit counts for the whole solve, over every stage."""

    limit_s: float | None
    start: float = field(default_factory=time.perf_counter)

    def remaining(self) -> float | None:
        if not self.limit_s:
            return None
        return max(float(self.limit_s) - (time.perf_counter() - self.start), 1e-3)

    def options(self, options: dict) -> dict:
        out = dict(options)
        if self.limit_s:
            out["time_limit_s"] = self.remaining()
        return out


def _round_up(h: highspy.Highs, scaling: Scaling, x_relax: np.ndarray, lb: np.ndarray,
              ub: np.ndarray, integ: np.ndarray) -> tuple[np.ndarray, float] | None:
    """A feasible integer point near the relaxation, or None.

    Every integer decision is rounded up at once (a site with any fractional build is built,
    modules and blocks rounded up) and the LP re-solved from the relaxation's basis. Where
    that fails (say a site's minimum size above its rounded modules), binary decisions are
    rounded first with the other integers still continuous, so that the modules follow the
    build, and the general integers are rounded up from that LP.
    """
    cols = np.flatnonzero(integ)
    rounded = _fix_and_run(h, scaling, cols, np.minimum(np.ceil(x_relax[cols] - 1e-6),
                                                        ub[cols]))
    if rounded is not None:
        return rounded
    h.changeColsBounds(len(cols), cols.astype(np.int32), lb[cols], ub[cols])
    x = x_relax
    for part in (np.flatnonzero(integ & (ub <= 1.0)), np.flatnonzero(integ & (ub > 1.0))):
        if not len(part):
            continue
        found = _fix_and_run(h, scaling, part, np.minimum(np.ceil(x[part] - 1e-6), ub[part]))
        if found is None:
            return None
        x = found[0]
    return x, scaling.objective_back(h.getInfo().objective_function_value)


def _fix_and_run(h: highspy.Highs, scaling: Scaling, cols: np.ndarray, values: np.ndarray
                 ) -> tuple[np.ndarray, float] | None:
    """Fix integer columns (unscaled units) at values, re-solve; the point or None."""
    h.changeColsBounds(len(cols), cols.astype(np.int32), values, values)
    h.run()
    status, _ = _status(h)
    sol = h.getSolution()
    if status != "optimal" or not sol.value_valid:
        return None
    return (scaling.x_back(np.asarray(sol.col_value, dtype=float)),
            scaling.objective_back(h.getInfo().objective_function_value))


def _price_in_place(h: highspy.Highs, lp: LinearProblem, scaling: Scaling,
                    x: np.ndarray) -> np.ndarray | None:
    """Re-solve the instance that holds the rounded LP as the pricing LP (warm start);
    its row duals in model units, or None."""
    lb, ub, row_lb, row_ub = pricing_bounds(lp, x)
    cols = np.arange(lp.n_cols, dtype=np.int32)
    h.changeColsBounds(lp.n_cols, cols, scaling.columns(lb), scaling.columns(ub))
    rows = np.arange(lp.n_rows, dtype=np.int32)
    h.changeRowsBounds(lp.n_rows, rows, scaling.rows(row_lb), scaling.rows(row_ub))
    h.run()
    status, _ = _status(h)
    sol = h.getSolution()
    return _unscaled_duals(sol, scaling) if status == "optimal" else None


def _relaxation(lp: LinearProblem, options: dict, on_log, log: list[str]):
    """Solve the LP relaxation; returns (highs, scaling, algorithm, status)."""
    lb, ub, integ = lp.col_bounds()
    relaxed_opts = {k: v for k, v in options.items() if k != "mip_gap"}
    # a basic solution is needed to warm-start the rounded LP from the relaxation
    relaxed_opts["highs_options"] = {"run_crossover": "on",
                                     **(options.get("highs_options") or {})}
    h = make_highs(relaxed_opts, log, on_log)
    nnz, scaling = _pass(h, lp, options, lb, ub, np.zeros_like(integ), scaling_integer=integ)
    algo = choose_algorithm(lp, str(options.get("algorithm", "auto")), nnz, is_mip=False)
    h.setOptionValue("solver", algo)
    for key, value in relaxed_opts["highs_options"].items():
        h.setOptionValue(str(key), value)
    h.run()
    status, _ = _status(h)
    return h, scaling, algo, status


def solve_milp(lp: LinearProblem, options: dict | None = None,
               on_log: Callable[[str], None] | None = None) -> SolveResult:
    """MILP strategy: relax, round up, and branch only if the rounding is not good enough.

    1. Solve the LP relaxation: its objective is a lower bound on the MILP optimum.
    2. Round up (:func:`_round_up`): a feasible MILP solution when the LPs stay feasible.
    3. If (incumbent − bound) / |incumbent| ≤ mip_gap, that is a proven gap: stop. Otherwise
       run HiGHS's branch and bound with the incumbent as a start, for what is left of the
       case's time limit (``time_limit_s`` bounds the whole solve).

    The reported bound is the best proven lower bound of either stage (the relaxation's, or
    HiGHS's dual bound), the reported gap (incumbent − bound) / |incumbent| with differences
    below 1e-9 (relative) counted as zero. Prices come from :func:`solve_pricing`.
    """
    options = dict(options or {})
    clock = _Clock(options.get("time_limit_s"))
    lb, ub, integ = lp.col_bounds()
    log: list[str] = []
    h, scaling, algo, status = _relaxation(lp, options, on_log, log)
    requested = str(options.get("algorithm", "auto"))
    if status in ("infeasible", "unbounded"):
        # the relaxation already fails: explain it from the LP (IIS is an LP notion)
        return SolveResult(status, None, None, None, None, requested, "relaxation", 0.0,
                           time.perf_counter() - clock.start, f"the LP relaxation is {status}",
                           log, status, diagnosis=diagnose(h, lp, status))
    sol = h.getSolution()
    if status != "optimal" or not sol.value_valid:
        return _branch(lp, clock.options(options), on_log, log, None, -np.inf, clock)
    bound = scaling.objective_back(h.getInfo().objective_function_value)
    relax_used = _used_algorithm(h, "".join(log), False)
    # re-solves after bound changes start from the relaxation's basis: dual simplex, not a
    # fresh interior-point solve
    h.setOptionValue("solver", "simplex")
    rounded = _round_up(h, scaling, scaling.x_back(np.asarray(sol.col_value, dtype=float)),
                        lb, ub, integ)
    if rounded is None:
        log.append("WattBit: rounding the relaxation did not give a feasible point; "
                   "branch and bound\n")
        return _branch(lp, clock.options(options), on_log, log, None, bound, clock)
    x0, obj0 = rounded
    gap = relative_gap(obj0, bound)
    target = float(options.get("mip_gap") if options.get("mip_gap") is not None else 1e-4)
    if gap > target:
        return _branch(lp, clock.options(options), on_log, log, (x0, obj0), bound, clock)
    res = SolveResult("optimal", obj0, x0, None, gap, requested,
                      f"relaxation ({relax_used}) + rounding", 0.0,
                      time.perf_counter() - clock.start,
                      "optimal within the MIP gap (rounded relaxation)", log, "Optimal",
                      {"solver": algo}, cost_scale_exponent=scaling.cost_exponent,
                      bound_scale_exponent=scaling.bound_exponent,
                      iterations=_iterations(h, False))
    res.branched = False
    res.mip_bound = bound
    res.row_duals = _price_in_place(h, lp, scaling, x0)
    res.priced = res.row_duals is not None
    res.solve_s = time.perf_counter() - clock.start
    return res


def _branch(lp: LinearProblem, options: dict, on_log, log: list[str],
            incumbent: tuple[np.ndarray, float] | None, bound: float,
            clock: _Clock) -> SolveResult:
    """HiGHS branch and bound from an incumbent; keeps the better incumbent and the best
    bound of the two stages."""
    res = solve(lp, options, on_log, start=None if incumbent is None else incumbent[0])
    res.log = log + res.log
    res.solve_s = time.perf_counter() - clock.start - res.handover_s
    res.branched = True
    if incumbent is not None:
        x0, obj0 = incumbent
        if res.x is None or res.objective > obj0 + 1e-9 * max(abs(obj0), 1.0):
            # branch and bound found nothing better in time: keep the rounded incumbent
            res.x, res.objective = x0, obj0
            if res.status not in ("optimal", "time_limit"):
                res.status = "time_limit"
    if res.x is None:
        return res
    best = max(bound, res.mip_bound if res.mip_bound is not None else -np.inf)
    res.mip_bound = min(best, res.objective)
    res.mip_gap = relative_gap(res.objective, res.mip_bound)
    return res


def solve_separable(lp: LinearProblem, col_lb: np.ndarray, col_ub: np.ndarray,
                    col_part: np.ndarray, options: dict | None = None,
                    on_log: Callable[[str], None] | None = None) -> SolveResult | None:
    """Solve an LP that falls apart into independent parts once some columns are fixed.

    ``col_part[j]`` is the part of column j (0, 1, …) or −1 for a column fixed by its bounds
    (``col_lb == col_ub``). Fixed columns move to the right-hand sides; every row then touches
    the columns of one part only, or of none (a constant row, which must hold). Each part is
    solved as its own LP (same options, own scaling and algorithm choice) and the solutions
    and row duals are put back together — the optimum of the whole LP, since nothing links
    the parts. Returns None when some row links two parts (the caller solves it whole).
    """

    options = dict(options or {})
    a, row_lb, row_ub = lp.matrix()
    cost = lp.cost_vector()
    col_part = np.asarray(col_part, dtype=np.int64)
    fixed = col_part < 0
    if not np.array_equal(col_lb[fixed], col_ub[fixed]):
        raise ValueError("columns outside every part must be fixed (lower bound = upper bound)")
    x = np.where(fixed, col_lb, 0.0)
    shift = a @ x
    coo = a.tocoo()
    free = ~fixed[coo.col]
    rows, cols, vals = coo.row[free], coo.col[free], coo.data[free]
    lo = np.full(lp.n_rows, np.iinfo(np.int64).max)
    hi = np.full(lp.n_rows, -1)
    np.minimum.at(lo, rows, col_part[cols])
    np.maximum.at(hi, rows, col_part[cols])
    touched = hi >= 0
    if np.any(lo[touched] != hi[touched]):
        return None
    rl, ru = row_lb - shift, row_ub - shift
    constant = ~touched
    tol = 1e-6 * np.maximum(1.0, np.abs(shift))
    if np.any((rl[constant] > tol[constant]) | (ru[constant] < -tol[constant])):
        return SolveResult("infeasible", None, None, None, None, str(options.get("algorithm")),
                           "separable", 0.0, 0.0, "a constraint on fixed decisions only fails",
                           [], "Infeasible")
    row_part = np.where(touched, lo, -1)
    duals = np.zeros(lp.n_rows)
    log: list[str] = []
    iterations: dict[str, int] = {}
    handover = solve_s = 0.0
    used: set[str] = set()
    n_parts = int(col_part.max()) + 1 if col_part.size else 0
    col_order = np.argsort(col_part, kind="stable")
    col_bounds_of = np.searchsorted(col_part[col_order], np.arange(n_parts + 1))
    row_order = np.argsort(row_part, kind="stable")
    row_bounds_of = np.searchsorted(row_part[row_order], np.arange(n_parts + 1))
    entry_order = np.argsort(col_part[cols], kind="stable")
    entry_bounds_of = np.searchsorted(col_part[cols][entry_order], np.arange(n_parts + 1))
    col_pos = np.empty(lp.n_cols, np.int64)
    row_pos = np.empty(lp.n_rows, np.int64)
    for part in range(n_parts):
        pc = col_order[col_bounds_of[part]:col_bounds_of[part + 1]]
        pr = row_order[row_bounds_of[part]:row_bounds_of[part + 1]]
        pe = entry_order[entry_bounds_of[part]:entry_bounds_of[part + 1]]
        col_pos[pc] = np.arange(len(pc))
        row_pos[pr] = np.arange(len(pr))
        sub = LinearProblem()
        var = sub.add_variables("x", pd.RangeIndex(len(pc)), col_lb[pc], col_ub[pc])
        sub.add_ranged_constraints("rows", pd.RangeIndex(len(pr)),
                                   [Term(var, col_pos[cols[pe]], vals[pe], row_pos[rows[pe]])],
                                   rl[pr], ru[pr])
        sub.add_cost("cost", var, None, cost[pc])
        part_options = dict(options)
        if options.get("time_limit_s"):  # one limit for all parts together
            part_options["time_limit_s"] = max(float(options["time_limit_s"]) - solve_s
                                               - handover, 1.0)
        res = solve(sub, part_options, on_log)
        log += res.log
        handover += res.handover_s
        solve_s += res.solve_s
        used.add(res.algorithm_used)
        for key, value in res.iterations.items():
            iterations[key] = iterations.get(key, 0) + value
        if res.status != "optimal" or res.x is None:
            return SolveResult(res.status, None, None, None, None, res.algorithm_requested,
                               res.algorithm_used, handover, solve_s,
                               f"part {part} of {n_parts}: {res.message}", log,
                               res.highs_status, res.highs_options, iterations=iterations)
        x[pc] = res.x
        if res.row_duals is not None:
            duals[pr] = res.row_duals
    return SolveResult("optimal", float(cost @ x), x, duals, None,
                       str(options.get("algorithm", "auto")),
                       f"{n_parts} separate parts: " + ", ".join(sorted(used)), handover,
                       solve_s, "optimal", log, "Optimal", iterations=iterations)
