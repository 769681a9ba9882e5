"""PyPSA lines, transformers and links between region buses → corridors.

WattBit's corridors are a transport model: a flow in either direction up to the corridor's
capacity, a share λ = loss_per_1000km · length_km / 1000 of it lost on the way.

- Line / Transformer ``s_nom`` (``s_nom_min`` where extendable) · ``s_max_pu`` →
  ``existing_mw``; ``(s_nom_max − s_nom_min) · s_max_pu`` where extendable, else 0 →
  ``max_new_mw``; Link ``p_nom`` · ``p_max_pu`` likewise;
- ``length`` (the great-circle distance between the buses where 0) → ``length_km``;
- annual ``capital_cost`` + ``fom_cost`` per MW of flow → ``cost_per_mw_km`` = that /
  (CRF · length);
- Link ``efficiency`` η → ``loss_per_1000km`` = (1 − η) · 1000 / length;
- two one-way links a → b and b → a → one lossy corridor (capital costs added).

Lines obey Kirchhoff's voltage law in PyPSA; corridors do not. On a radial (tree) network
that law never binds and the mapping is exact; on a meshed one the import report says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.inputs.finance import capital_recovery_factor
from model.inputs.geo import great_circle_km
from model.inputs.pypsa_common import (
    DEFAULT_CORRIDOR_LIFETIME_YEARS,
    ImportContext,
    active,
    annual_costs,
    capacity,
    column,
    flagged,
    lifetimes,
    meta_ties,
    time_mean,
)

CORRIDOR_COLUMNS = ["from", "to", "existing_mw", "max_new_mw", "length_km", "cost_per_mw_km",
                    "lifetime_years", "loss_per_1000km", "name"]
NOMINAL_LENGTH_KM = 1000.0


def _between_regions(cx: ImportContext, component: str, df: pd.DataFrame) -> pd.DataFrame:
    ok = df["bus0"].isin(list(cx.regions)) & df["bus1"].isin(list(cx.regions))
    cx.not_mapped(component, flagged(df, ~ok), f"{component.lower()}s touching non-electric "
                  "buses", "sector coupling: only buses with carrier AC or DC become regions")
    return df.loc[ok.to_numpy()]


def _corridor_rows(cx: ImportContext, component: str, df: pd.DataFrame, existing, max_new,
                   annual, efficiency) -> list[dict]:
    """Corridor rows from per-row capacities, annual cost per MW and efficiency."""
    life = lifetimes(cx, df, DEFAULT_CORRIDOR_LIFETIME_YEARS)
    loss = 1.0 - np.asarray(efficiency, dtype=float)
    given = column(df, "length", 0.0).astype(float).fillna(0.0).to_numpy()
    a = np.array([cx.locations[b] for b in df["bus0"]]).reshape(-1, 2)
    b = np.array([cx.locations[b] for b in df["bus1"]]).reshape(-1, 2)
    length = np.where(given > 0, given, great_circle_km(a[:, 0], a[:, 1], b[:, 0], b[:, 1]))
    needs = (length <= 0) & ((np.asarray(annual) > 0) | (loss > 0))
    cx.approximated(component, flagged(df, needs), "no length (buses at one place)",
                    f"length_km = {NOMINAL_LENGTH_KM:g} to carry the cost and losses exactly")
    length = np.where(needs, NOMINAL_LENGTH_KM, length)
    short = loss * 1000.0 > length * (1 + 1e-12)
    cx.approximated(component, flagged(df, short), "losses above 100 % per 1000 km",
                    "length_km raised to (1 − efficiency) · 1000 km; cost per MW kept")
    length = np.where(short, loss * 1000.0, length)
    crf = capital_recovery_factor(cx.discount_rate, life)
    per_km = np.divide(annual, crf * length, out=np.zeros(len(df)), where=length > 0)
    rows = []
    for i, name in enumerate(df.index):
        rows.append({"from": cx.regions[df["bus0"].iloc[i]],
                     "to": cx.regions[df["bus1"].iloc[i]], "existing_mw": existing[i],
                     "max_new_mw": max_new[i], "length_km": length[i],
                     "cost_per_mw_km": per_km[i], "lifetime_years": life[i],
                     "loss_per_1000km": (loss[i] * 1000.0 / length[i]) if loss[i] > 0 else 0.0,
                     "name": str(name)})
    cx.record(component, df.index, [f"corridors.csv {r['name']}" for r in rows])
    return rows


def lines(cx: ImportContext, df: pd.DataFrame, component: str = "Line") -> list[dict]:
    """Lines (or transformers) between region buses as lossless corridors."""
    df = _between_regions(cx, component, active(cx, component, df))
    if df.empty:
        return []
    if "s_nom_mod" in df.columns:
        cx.approximated(component, flagged(df, df["s_nom_mod"].astype(float) > 0),
                        "modular expansion (s_nom_mod)", "continuous")
    s_max = time_mean(cx, component, "s_max_pu", df)
    bad = ~(s_max > 0)
    cx.not_mapped(component, flagged(df, bad), "s_max_pu ≤ 0", "no flow possible; left out")
    df, s_max = df.loc[~bad], s_max[~bad]
    existing, max_new = capacity(cx, component, df, "s_nom")
    capital, fom = annual_costs(cx, df)
    return _corridor_rows(cx, component, df, existing * s_max, max_new * s_max,
                          np.clip(capital + fom, 0.0, None) / s_max, np.ones(len(df)))


def meshed(edges: list[tuple[str, str]]) -> bool:
    """Whether the graph of ``edges`` has a cycle (E − V + components > 0)."""
    parent: dict[str, str] = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra == rb:
            return True
        parent[ra] = rb
    return False


def links(cx: ImportContext, df: pd.DataFrame) -> list[dict]:
    """Links between two region buses as corridors (storage links were taken before)."""
    df = active(cx, "Link", df)
    df = df.loc[[("Link", str(x)) not in cx.used for x in df.index]]
    ends = [c for c in df.columns if c.startswith("bus") and c[3:].isdigit() and int(c[3:]) > 1]
    multi = np.zeros(len(df), dtype=bool)
    for c in ends:
        multi |= df[c].fillna("").astype(str).str.strip().ne("").to_numpy()
    cx.not_mapped("Link", flagged(df, multi), "multi-output links (bus2, …)",
                  "multi-carrier conversion (sector coupling); left out")
    df = _between_regions(cx, "Link", df.loc[~multi])
    if df.empty:
        return []
    mc = time_mean(cx, "Link", "marginal_cost", df)
    cx.approximated("Link", flagged(df, mc != 0), "marginal cost of links",
                    "dropped: corridors have no cost per MWh")
    p_min = time_mean(cx, "Link", "p_min_pu", df)
    p_max = time_mean(cx, "Link", "p_max_pu", df)
    eff = time_mean(cx, "Link", "efficiency", df)
    bad = ~((eff > 0) & (eff <= 1)) | ~(p_max > 0)
    cx.not_mapped("Link", flagged(df, bad), "links with efficiency outside (0, 1] or "
                  "p_max_pu ≤ 0", "not a transmission link; left out")
    keep = ~bad
    df, p_min, p_max, eff = df.loc[keep], p_min[keep], p_max[keep], eff[keep]
    pairs = _one_way_pairs(df, p_min, eff)
    rows = []
    paired = {name for pair in pairs for name in pair}
    single = [i for i, name in enumerate(df.index) if name not in paired]
    if single:
        rows += _single_links(cx, df.iloc[single], p_min[single], p_max[single], eff[single])
    for fwd, bwd in pairs:
        rows += _pair(cx, df.loc[[fwd]], df.loc[[bwd]], p_max[df.index.get_loc(fwd)])
    return rows


def _one_way_pairs(df: pd.DataFrame, p_min, eff) -> list[tuple[str, str]]:
    """One-way links a → b and b → a of equal efficiency, as (forward, backward)."""
    one_way = df.loc[p_min >= 0]
    groups: dict[frozenset, list[str]] = {}
    for name, row in one_way.iterrows():
        groups.setdefault(frozenset((row["bus0"], row["bus1"])), []).append(name)
    pairs = []
    for names in groups.values():
        if len(names) != 2:
            continue
        a, b = df.loc[names[0]], df.loc[names[1]]
        if a["bus0"] != b["bus1"] or abs(eff[df.index.get_loc(names[0])]
                                         - eff[df.index.get_loc(names[1])]) > 1e-9:
            continue
        if str(names[0]).lower().endswith(("reversed", "rev")):  # PyPSA-Eur, fwd/rev pairs
            names = names[::-1]
        pairs.append((names[0], names[1]))
    return pairs


def _single_links(cx: ImportContext, df: pd.DataFrame, p_min, p_max, eff) -> list[dict]:
    cx.approximated("Link", flagged(df, p_min >= 0), "one-way links",
                    "a corridor carries power both ways")
    asym = (p_min < 0) & (np.abs(p_min + p_max) > 1e-9)
    cx.approximated("Link", flagged(df, asym), "asymmetric link limits (p_min_pu ≠ −p_max_pu)",
                    "p_max_pu both ways")
    cx.approximated("Link", flagged(df, (p_min < 0) & (eff < 1)),
                    "two-way links with efficiency < 1",
                    "the loss applies to the flow sent either way")
    existing, max_new = capacity(cx, "Link", df)
    capital, fom = annual_costs(cx, df)
    return _corridor_rows(cx, "Link", df, existing * p_max, max_new * p_max,
                          np.clip(capital + fom, 0.0, None) / p_max, eff)


def _pair(cx: ImportContext, fwd: pd.DataFrame, bwd: pd.DataFrame, p_max: float) -> list[dict]:
    tied = [str(bwd.index[0]), str(fwd.index[0])] in [list(t[:2]) for t in meta_ties(cx)]
    if not tied:
        cx.approximated("Link", [fwd.index[0], bwd.index[0]],
                        "pairs of one-way links a → b, b → a",
                        "one corridor of one capacity both ways (the forward link's), as "
                        "PyPSA-Eur ties lossy bidirectional links; capital costs added")
    existing, max_new = capacity(cx, "Link", fwd)
    capital = sum(float(np.sum(c)) for c in (*annual_costs(cx, fwd), *annual_costs(cx, bwd)))
    cx.used.add(("Link", str(bwd.index[0])))
    cx.record("Link", [bwd.index[0]], f"corridors.csv {fwd.index[0]} (backward)")
    eff = time_mean(cx, "Link", "efficiency", fwd)
    return _corridor_rows(cx, "Link", fwd, existing * p_max, max_new * p_max,
                          np.array([max(capital, 0.0) / p_max]), eff)
