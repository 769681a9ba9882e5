"""Custom constraints: a user function ``extra(ctx)`` called after every component is built.

Like PyPSA's ``extra_functionality``: the function receives the :class:`BuildContext` with
every component's named, labelled blocks (``ctx.get(SiteBlocks).it_new_mw``,
``ctx.lp.variables["gen_new_mw"]``, :meth:`VarBlock.positions` / :meth:`VarBlock.at`) and adds
rows with the same block API as the components (``ctx.lp.add_constraints(name, index, terms,
sense, rhs)``), or variables and costs (``ctx.lp.add_variables``, ``ctx.lp.add_cost``). It runs
after the node balance is closed and before the solve; it is not applied to the additionality
reference run (a case without data centres), and it is applied again when the full-year check
rebuilds the model.

What the function added is remembered (:class:`UserBlocks`) so that the results report it under
the user's names (:func:`results`): ``user_constraints.csv`` (one row per constraint row:
activity, bounds, dual, binding), ``user_variables.csv`` and ``summary.json → user_constraints``.
The duals are those of the LP, or of the pricing LP for a MILP
(:func:`model.solve.milp.pricing_bounds` keeps every row of the problem, the user's included).

From the command line: ``--extra FILE.py``, a file defining ``def extra(ctx): ...``
(:func:`load_extra`). docs/api.md has a worked example.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from model.formulation.component import Results, Solution
from model.formulation.context import BuildContext

ExtraFunction = Callable[[BuildContext], None]
BINDING_TOL = 1e-6


@dataclass
class UserBlocks:
    """The blocks ``extra(ctx)`` added, by name, in the order it added them."""

    constraints: list[str] = field(default_factory=list)
    variables: list[str] = field(default_factory=list)
    source: str = ""


def describe(fn: ExtraFunction) -> str:
    """'module.function' or the file it came from (for summary.json)."""
    origin = getattr(fn, "__wattbit_file__", None)
    if origin:
        return str(origin)
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"


def load_extra(path: str | Path, name: str = "extra") -> ExtraFunction:
    """The function ``name`` of a Python file (``--extra FILE.py``)."""
    path = Path(path).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"--extra: no such file {path}")
    spec = importlib.util.spec_from_file_location(f"wattbit_extra_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fn = getattr(module, name, None)
    if not callable(fn):
        raise ValueError(f"{path} defines no function {name}(ctx)")
    fn.__wattbit_file__ = str(path)
    return fn


def apply_extra(ctx: BuildContext, fn: ExtraFunction) -> UserBlocks:
    """Call ``fn(ctx)``, check and remember what it added."""
    lp = ctx.lp
    cons_before, vars_before = set(lp.constraints), set(lp.variables)
    fn(ctx)
    user = UserBlocks([n for n in lp.constraints if n not in cons_before],
                      [n for n in lp.variables if n not in vars_before], describe(fn))
    for name in user.constraints:
        block = lp.constraints[name]
        bad_rows = (block.rows < 0) | (block.rows >= block.size)
        bad_cols = (block.cols < 0) | (block.cols >= lp.n_cols)
        if bad_rows.any() or bad_cols.any() or len(block.lb) != block.size:
            raise ValueError(f"extra: constraint block {name!r} has rows outside its index "
                             "or columns outside the problem (check the Term positions)")
    ctx.put(user)
    ctx.extra = fn
    return user


def _row_labels(index: pd.Index) -> list[str]:
    return [", ".join(map(str, k)) if isinstance(k, tuple) else str(k) for k in index]


def constraint_table(ctx: BuildContext, sol: Solution, names: list[str]) -> pd.DataFrame:
    """One row per user constraint row: activity Σ A x, bounds, dual, binding."""
    frames = []
    for name in names:
        b = ctx.lp.constraints[name]
        act = np.zeros(b.size)
        np.add.at(act, b.rows, b.vals * sol.x[b.cols])
        dual = sol.dual(b)
        if dual is not None:  # no "-0.0", no round-off as a price
            dual = np.where(np.abs(dual) < 1e-12, 0.0, dual)
        tol = BINDING_TOL * np.maximum(1.0, np.abs(np.where(np.isfinite(b.ub), b.ub, b.lb)))
        binding = (np.isfinite(b.ub) & (act >= b.ub - tol)) | (np.isfinite(b.lb)
                                                                & (act <= b.lb + tol))
        frames.append(pd.DataFrame({
            "constraint": name, "row": _row_labels(b.index), "activity": act,
            "lower": b.lb, "upper": b.ub,
            "dual": np.full(b.size, np.nan) if dual is None else dual,
            "binding": binding}))
    return pd.concat(frames, ignore_index=True)


def _summary(table: pd.DataFrame) -> dict:
    out = {}
    for name, rows in table.groupby("constraint", sort=False):
        entry = {"rows": len(rows), "binding": int(rows["binding"].sum())}
        if len(rows) == 1:
            r = rows.iloc[0]
            entry.update({"row": r["row"], "activity": float(r["activity"]),
                          "lower": float(r["lower"]), "upper": float(r["upper"]),
                          "dual": None if pd.isna(r["dual"]) else float(r["dual"])})
        out[name] = entry
    return out


def results(ctx: BuildContext, sol: Solution) -> Results:
    user = ctx.get(UserBlocks)
    if user is None:
        return Results()
    tables: dict[str, pd.DataFrame] = {}
    summary: dict = {"extra": user.source}
    if user.constraints:
        tables["user_constraints"] = constraint_table(ctx, sol, user.constraints)
        summary["user_constraints"] = _summary(tables["user_constraints"])
    if user.variables:
        tables["user_variables"] = pd.concat(
            [pd.DataFrame({"variable": n, "label": _row_labels(ctx.lp.variables[n].index),
                           "value": ctx.lp.values(sol.x, n).to_numpy()})
             for n in user.variables], ignore_index=True)
    return Results(tables=tables, summary=summary)
