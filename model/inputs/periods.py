"""Investment periods: when capacity can be online, how long it lives, what money is worth.

``case.yaml``::

    periods: [2027, 2030, 2035]   # years of operation; absent: one static year (as before)
    decision_year: 2026           # when decisions are taken (default: first period − 1)
    foresight: perfect            # or myopic: period by period, each build carried forward
    base_year: 2025               # the year money is discounted to

Period p stands for the years y_p … y_{p+1} − 1 (the last period for as many years as the gap
before it, or ``horizon_end_year`` − y_P). What a period's year is worth, as in PyPSA's
multi-investment optimisation (``investment_period_weightings["objective"]``):

    W_p = Σ_{y = y_p}^{y_p + n_p − 1} (1 + r)^−(y − base_year)

Capacity built for period b (online from y_b) with lifetime L is **active** in period q when
y_b ≤ y_q < y_b + L. It can be **built** for period b only when its lead time ℓ allows:
y_b ≥ decision_year + ℓ. Existing capacity is active while y_q < its retirement year.

End of horizon: capital is paid as annuities, counted only for the periods in which an asset
is active inside the horizon, weighted by W_q — an asset outliving the horizon pays nothing for
the years after it (PyPSA's multi-investment rule; GenX's multi-stage model does the same with
its "remaining life" not charged). So the objective is

    Σ_q W_q · ( Σ_u annuity_u · Σ_{b: active(b,q)} new[u,b] + running costs of period q )

With ``periods`` absent, there is one period, W = 1, every asset is active and nothing is
restricted by lead times: the model is today's static year, identical to the last digit.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

FORESIGHT = ("perfect", "myopic")


@dataclass(frozen=True)
class Periods:
    years: np.ndarray  # first year of operation of each period
    span_years: np.ndarray  # years each period stands for
    weights: np.ndarray  # W_p: discounted years, the objective weight of one year of period p
    decision_year: float  # decisions are taken in this year (−inf for the static case)
    foresight: str = "perfect"
    base_year: float = 0.0  # the year money is discounted to

    @property
    def n(self) -> int:
        return len(self.years)

    @property
    def static(self) -> bool:
        """One static year (no ``periods`` in case.yaml): today's model."""
        return not np.isfinite(self.decision_year)

    def active(self, lifetimes: np.ndarray) -> np.ndarray:
        """active[u, b, q]: capacity of item u built for period b runs in period q."""
        life = np.asarray(lifetimes, float)[:, None, None]
        yb = self.years[None, :, None]
        yq = self.years[None, None, :]
        if self.static:
            return np.ones((len(life), self.n, self.n), bool)
        return (yb <= yq) & (yq < yb + life)

    def buildable(self, lead_times: np.ndarray) -> np.ndarray:
        """buildable[u, b]: capacity of item u may be new in period b (lead time allows)."""
        lead = np.nan_to_num(np.asarray(lead_times, float), nan=0.0)[:, None]
        return self.years[None, :] >= self.decision_year + lead

    def existing_active(self, retire_years: np.ndarray) -> np.ndarray:
        """alive[u, q]: existing capacity of item u still runs in period q."""
        retire = np.asarray(retire_years, float)[:, None]
        alive = self.years[None, :] < np.where(np.isfinite(retire), retire, np.inf)
        return np.ones_like(alive) if self.static else alive

    def capital_weight(self, lifetimes: np.ndarray) -> np.ndarray:
        """Σ_q W_q · active[u, b, q]: years of annuity a MW built for b pays, discounted."""
        return (self.active(lifetimes) * self.weights[None, None, :]).sum(axis=2)


def static_periods() -> Periods:
    return Periods(np.array([0]), np.array([1.0]), np.array([1.0]), -np.inf)


def discount_weights(years: np.ndarray, spans: np.ndarray, rate: float,
                     base_year: float) -> np.ndarray:
    """W_p = Σ_{y in period p} (1 + r)^−(y − base_year)."""
    return np.array([sum((1.0 + rate) ** -(y0 + k - base_year) for k in range(int(n)))
                     for y0, n in zip(years, spans, strict=True)])


def periods_of(config: dict, discount_rate: float) -> Periods:
    """The periods a validated case.yaml asks for (static when ``periods`` is absent)."""
    raw = config.get("periods")
    if not raw:
        return static_periods()
    years = np.array(sorted(int(y) for y in raw))
    gaps = np.diff(years)
    last = (int(config["horizon_end_year"]) - years[-1] if config.get("horizon_end_year")
            else (gaps[-1] if len(gaps) else 1))
    spans = np.r_[gaps, last].astype(float)
    base = float(config.get("base_year", years[0]))
    decision = float(config.get("decision_year", years[0] - 1))
    return Periods(years, spans, discount_weights(years, spans, discount_rate, base), decision,
                   str(config.get("foresight", "perfect")), base)


def period_problems(config: dict) -> list[tuple[str, str]]:
    """(key, message) for every problem with the period keys of case.yaml."""
    out = []
    raw = config.get("periods")
    if raw is None:
        return out
    if not isinstance(raw, list) or not raw or not all(
            isinstance(y, int) and not isinstance(y, bool) for y in raw):
        return [("periods", f"must be a list of years, e.g. [2027, 2030, 2035]; got {raw!r}")]
    if len(set(raw)) != len(raw):
        out.append(("periods", "years must be distinct"))
    first = min(raw)
    decision = config.get("decision_year", first - 1)
    if not isinstance(decision, int) or decision >= first:
        out.append(("decision_year", f"must be a year before the first period ({first}); "
                                     f"got {decision!r}"))
    if config.get("foresight", "perfect") not in FORESIGHT:
        out.append(("foresight", f"must be one of {', '.join(FORESIGHT)}"))
    end = config.get("horizon_end_year")
    if end is not None and (not isinstance(end, int) or end <= max(raw)):
        out.append(("horizon_end_year", f"must be a year after the last period ({max(raw)})"))
    return out


# ---------------------------------------------------------------- the multi-period case
def expand(case):
    """A multi-period case as one time axis: the case's (representative) steps once per
    period, period after period, with that period's load (load_growth.csv, the connection
    queue) and compute demand (``period`` rows of compute_demand.csv). Storage and flexible
    work cycle within each period's representative periods, never across periods. A static
    case is returned as it is."""
    inv = case.investment
    if inv.static or case.step_period is not None:
        return case
    n_t, n_p = case.n_steps, inv.n
    cycle = case.periods.astype(np.int64)
    stacked = dataclasses.replace(
        case,
        time=_stacked_time(case.time, inv.years),
        weights=np.tile(case.weights, n_p),
        load=_stacked_load(case),
        profiles=_tile(case.profiles, n_p),
        pue=_tile(case.pue, n_p),
        step_hours=None if case.step_hours is None else np.tile(case.step_hours, n_p),
        period_of_step=(np.repeat(np.arange(n_p), n_t) * (cycle.max(initial=0) + 1)
                        + np.tile(cycle, n_p)),
        step_period=np.repeat(np.arange(n_p), n_t),
        # the full-year check of a multi-period plan is not offered (it would re-run every
        # period's full year): the expanded case carries none
        full_time_case=None,
        unexpanded=case,
        **_stacked_demand(case))
    stacked.reduction = case.reduction
    return stacked


def window(case, last: int):
    """The (unexpanded) case cut to its periods 0 … ``last``: what a myopic planner sees when
    it decides period ``last``. Each period keeps the years it stands for, so assets that
    outlive the window pay nothing after it."""
    inv = case.investment
    keep = slice(0, last + 1)
    cut = dataclasses.replace(inv, years=inv.years[keep], span_years=inv.span_years[keep],
                              weights=inv.weights[keep], foresight="perfect")
    horizon = float(inv.years[last])

    def upto(df, column: str):
        if df is None or column not in df:
            return df
        return df[~(df[column].astype(float) > horizon)].reset_index(drop=True)

    return dataclasses.replace(
        case, investment=cut, load_growth=upto(case.load_growth, "period"),
        tech_costs=upto(case.tech_costs, "period"),
        compute_demand=upto(case.compute_demand, "period"))


def _stacked_time(time, years) -> pd.Index:
    return pd.Index([f"{y}|{t}" for y in years for t in time], name="time")


def _tile(df, n: int):
    if not len(df.columns):
        return pd.DataFrame(index=range(len(df) * n))
    return pd.DataFrame(np.tile(df.to_numpy(), (n, 1)), columns=df.columns)


def load_factors(case) -> np.ndarray:
    """Load multiplier of each region (columns of load.csv) in each period (regions × P)."""
    inv = case.investment
    out = np.ones((len(case.load.columns), inv.n))
    growth = case.load_growth
    if growth is None or not len(growth):
        return out
    r = case.load.columns.get_indexer(growth["region"])
    p = np.searchsorted(inv.years, growth["period"].to_numpy())
    out[r, p] = growth["factor"].to_numpy(float)
    return out


def queued_mw(case) -> np.ndarray:
    """MW of queued large loads drawing power in each region and period (regions × P)."""
    inv = case.investment
    out = np.zeros((len(case.load.columns), inv.n))
    queue = case.connection_queue
    if queue is None or not len(queue):
        return out
    r = case.load.columns.get_indexer(queue["region"])
    online = queue["online_year"].to_numpy(float)[:, None] <= inv.years[None, :]
    np.add.at(out, r, online * queue["mw"].to_numpy(float)[:, None])
    return out


def _stacked_load(case):
    base = case.load.to_numpy()  # step × region
    factors, queue = load_factors(case), queued_mw(case)
    blocks = [base * factors[:, p][None, :] + queue[:, p][None, :]
              for p in range(case.investment.n)]
    return pd.DataFrame(np.vstack(blocks), columns=case.load.columns)


def _stacked_demand(case) -> dict:
    """Compute demand rows once per (centre, class), their periods' levels as profiles."""
    cd, inv = case.compute_demand, case.investment
    profiles = _tile(case.compute_profiles, inv.n)
    if not len(cd) or cd["period"].isna().all():
        return {"compute_demand": cd, "compute_profiles": profiles}
    n_t = case.n_steps
    rows, columns = [], {}
    for (centre, cls), part in cd.groupby(["centre", "class"], sort=False):
        base = str(part["profile"].dropna().iloc[0]) if part["profile"].notna().any() else ""
        level = _levels(part, inv.years)
        ref = float(level.max(initial=0.0))
        shape = (case.compute_profiles[base].to_numpy(float) if base else np.ones(n_t))
        ramp = level / ref if ref > 0 else level
        name = f"{base or 'flat'}@" + "/".join(f"{v:.9g}" for v in ramp)
        columns.setdefault(name, np.concatenate([shape * v for v in ramp]))
        rows.append({"centre": centre, "class": cls, "it_mw": ref,
                     "profile": name if ref > 0 else "", "period": np.nan,
                     "pool_profile": base or "flat"})
    out = pd.DataFrame(rows, columns=["centre", "class", "it_mw", "profile", "period",
                                      "pool_profile"])
    profiles = pd.concat([profiles, pd.DataFrame(columns)], axis=1)
    return {"compute_demand": out, "compute_profiles": profiles}


def _levels(part: pd.DataFrame, years: np.ndarray) -> np.ndarray:
    """IT MW of one (centre, class) in each period: a row without a period holds in every
    period; rows with one hold in theirs (0 in periods without a row)."""
    if part["period"].isna().all():
        return np.full(len(years), float(part["it_mw"].sum()))
    part = part.dropna(subset=["period"]).set_index("period").reindex(years.astype(float))
    return part["it_mw"].fillna(0.0).to_numpy(float)


def by_period(case, table: str, ids, column: str, fallback: np.ndarray) -> np.ndarray:
    """A per-period value (ids × P) from tech_costs.csv-like tables, else ``fallback``."""
    inv = case.investment
    out = np.repeat(np.asarray(fallback, float)[:, None], inv.n, axis=1)
    df = getattr(case, table)
    if df is None or not len(df) or column not in df or inv.static:
        return out
    rows = df[df[column].notna()]
    key = "tech" if table == "tech_costs" else "region"
    idx = pd.Index(ids)
    for k, p, v in zip(rows[key], rows["period"], rows[column], strict=True):
        out[idx == k, int(np.searchsorted(inv.years, p))] = float(v)
    return out
