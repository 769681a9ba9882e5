"""Minimum share of compute served at a group of sites ("≥ 60 % of training in the west").

Key: ``policies.min_share_in_group``: one rule or a list of rules, each
``{group: [site ids] or "label", classes: [class ids], share: s, name: optional}``. A string
``group`` is a label of the ``group`` column of sites.geojson; ``classes`` defaults to every
workload class.

With A_K the compute arcs (centre, class, site) of the classes K and A_G ⊂ A_K those ending at a
site of the group, constraint ``min_share_in_group[rule]``:

    Σ_{a∈A_G, t} w_t · served[a,t]  ≥  s · Σ_{a∈A_K, t} w_t · served[a,t]

i.e. Σ_{A_G} (1 − s)·w_t·served − Σ_{A_K∖A_G} s·w_t·served ≥ 0 (IT MWh per year of served work;
unserved work counts in neither side). The dual μ ≥ 0 is the cost per MWh of IT work moved into
the group.

Report per rule: share, achieved share, IT MWh in the group and in total, binding, price.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.formulation.context import BuildContext
from model.formulation.lp import Term
from model.formulation.policies import _common as c

KEY = "min_share_in_group"
ROW = "min_share_in_group"


def _rules(value) -> list[dict]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _labels(value) -> list[str]:
    """Unique rule names: ``name``, else the group label, else ``rule<i>``."""
    out: list[str] = []
    for i, rule in enumerate(_rules(value)):
        name = str(rule.get("name") or (rule["group"] if isinstance(rule.get("group"), str)
                                        else f"rule{i}"))
        out.append(name if name not in out else f"{name}#{i}")
    return out


def _sites(case, group) -> list[str]:
    if isinstance(group, str):
        return [s for s, g in case.sites["group"].astype(str).items() if g == group]
    return [str(s) for s in group]


def validate(case, value) -> list:
    problems = []
    for i, rule in enumerate(_rules(value)):
        key = KEY if not isinstance(value, list | tuple) else f"{KEY}[{i}]"
        p = c.check_mapping(key, rule, {"classes", "name"}, {"group", "share"})
        if p:
            problems += p
            continue
        problems += c.check_number(key, rule["share"], lo=0.0, hi=1.0, what="share")
        group = rule["group"]
        if isinstance(group, str):
            labels = set(case.sites["group"].astype(str)) - {""}
            if group not in labels:
                problems.append(c.problem(key, f"no site has group '{group}'",
                                          hint="use a label of the 'group' column of "
                                               "sites.geojson" + (f": {', '.join(sorted(labels))}"
                                                                  if labels else "")
                                               + ", or a list of site ids"))
        else:
            problems += c.check_ids(key, group, case.sites.index, "site")
        if rule.get("classes") is not None:
            problems += c.check_ids(key, rule["classes"], case.workloads.index,
                                    "workload class")
    return problems


def _arcs(ctx: BuildContext, rule: dict):
    """(arc positions of the classes, mask of those in the group)."""
    cb = c.compute(ctx)
    a = cb.arcs if cb is not None else None
    if a is None or not len(a):
        return np.zeros(0, np.int64), np.zeros(0, bool)
    classes = rule.get("classes")
    cls = a["class"].isin([str(k) for k in classes]) if classes is not None else \
        pd.Series(True, index=a.index)
    pos = np.flatnonzero(cls.to_numpy())
    in_group = a["site"].isin(_sites(ctx.case, rule["group"])).to_numpy()[pos]
    return pos, in_group


def add_components(ctx: BuildContext, value) -> None:
    if c.compute(ctx) is None:
        return
    n_t, w = ctx.n_steps, ctx.weights
    served = c.compute(ctx).served_it_mw
    terms, labels = [], []
    for rule, name in zip(_rules(value), _labels(value), strict=True):
        s = float(rule["share"])
        pos, in_group = _arcs(ctx, rule)
        if s <= 0 or not len(pos):
            continue
        row = len(labels)
        labels.append(name)
        coef = np.where(in_group, 1.0 - s, -s)[:, None] * w[None, :]
        terms.append(Term(served, served.at(pos).ravel(), coef.ravel(),
                          np.full(len(pos) * n_t, row)))
    if labels:
        ctx.lp.add_constraints(ROW, pd.Index(labels, name="rule"), terms, ">=", 0.0)


def report(ctx: BuildContext, value, x, duals) -> dict:
    dual = c.row_duals(ctx, duals, ROW)
    labels = list(ctx.lp.constraints[ROW].index) if ROW in ctx.lp.constraints else []
    out = {}
    for rule, name in zip(_rules(value), _labels(value), strict=True):
        pos, in_group = _arcs(ctx, rule)
        mwh = np.zeros(len(pos))
        if len(pos):
            mwh = c.compute(ctx).served_it_mw.value(x)[pos] @ ctx.weights
        total, inside = float(mwh.sum()), float(mwh[in_group].sum())
        price = None
        if name in labels:
            price = c.shadow_price(dual[labels.index(name)], ">=") if dual is not None else None
        elif dual is not None:
            price = 0.0
        share = float(rule["share"])
        out[name] = {"share": share, "achieved_share": inside / total if total > 0 else None,
                     "it_mwh_in_group": inside, "it_mwh_total": total,
                     "binding": bool(name in labels and c.is_binding(inside, share * total,
                                                                     price)),
                     "price_per_mwh": price}
    return {"rules": out, "binding": any(r["binding"] for r in out.values())}
