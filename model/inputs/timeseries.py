"""Time-series reduction: representative days (and optional segments) with tsam.

A full-year hourly case is replaced by N typical days found by hierarchical clustering of all
its time series at once (base load per region, availability profiles, compute profiles, hourly
PUE), each day represented by its medoid and rescaled so that every column keeps its annual
mean (tsam's ``preserve_column_means``; availability is clipped back to [0, 1] afterwards).
Optionally each day is cut into ``segments`` steps of unequal length.

Resulting case:
  * step weight w_t = (days the period stands for) × (hours in the step): costs and annual
    totals scale with it;
  * ``step_hours[t]``: hours in the step (1 without segmentation): storage and flexible work
    move ``step_hours`` per step;
  * ``period_of_step[t]``: storage state of charge is cyclic within each representative day,
    and flexible-work windows never cross a day boundary (windows longer than a day are cut
    to the day).

Storage method: cyclic per representative period (as in Kotzur et al. 2018, "Time series
aggregation for energy system design: modeling seasonal storage", Applied Energy 213, the
"intra-period" formulation without inter-period linking). It cannot shift energy between
seasons; the two-stage check (:mod:`model.twostage`) shows the error this causes on the full
year.
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd

from model.inputs.case import Case

HOURS_PER_DAY = 24


def reduction_settings(case: Case, days: int | None = None,
                       segments: int | None = None) -> dict | None:
    """Effective settings: command line (``days``; 0 = full time) over ``case.yaml``."""
    cfg = dict(case.config.get("time_reduction") or {})
    if days is not None:
        if days <= 0:
            return None
        cfg["days"] = days
    if segments is not None:
        cfg["segments"] = segments
    if not cfg.get("days"):
        return None
    return cfg


def reduce_case(case: Case, days: int, segments: int | None = None) -> Case:
    """A copy of ``case`` on ``days`` representative days (see module docstring)."""
    import tsam

    n = case.n_steps
    if n % HOURS_PER_DAY:
        raise ValueError(f"time reduction needs whole days of hourly data; the case has {n} "
                         "steps")
    n_days = n // HOURS_PER_DAY
    if days >= n_days:
        return case
    frames = {"load": case.load, "profiles": case.profiles, "pue": case.pue,
              "compute_profiles": case.compute_profiles}
    cols, keys = [], []
    for name, df in frames.items():
        for c in df.columns:
            cols.append(df[c].to_numpy(float))
            keys.append((name, c))
    index = pd.date_range("2001-01-01", periods=n, freq="h")
    data = pd.DataFrame(np.column_stack(cols) if cols else np.zeros((n, 1)), index=index,
                        columns=[f"c{i}" for i in range(max(len(cols), 1))])
    # constant columns carry no information and upset normalisation
    varying = [c for c in data.columns if data[c].std() > 0]
    cluster = tsam.ClusterConfig(method="hierarchical", representation="medoid")
    seg = tsam.SegmentConfig(n_segments=int(segments)) if segments else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = tsam.aggregate(data[varying] if varying else data, n_clusters=int(days),
                                period_duration=HOURS_PER_DAY, cluster=cluster, segments=seg,
                                preserve_column_means=True)
    reps = result.cluster_representatives
    counts = result.cluster_counts
    periods = reps.index.get_level_values(0).to_numpy()
    if seg is not None:
        durations = np.concatenate([np.asarray(d, float) for d in result.segment_durations])
    else:
        durations = np.ones(len(reps))
    rep_values = pd.DataFrame({
        c: reps[c].to_numpy(float) if c in reps.columns
        else np.full(len(reps), float(data[c].iloc[0]))  # constant column
        for c in data.columns})
    reduced: dict[str, pd.DataFrame] = {}
    for name in frames:
        cols_out = {}
        for i, key in enumerate(keys):
            if key[0] == name:
                v = rep_values[f"c{i}"].to_numpy()
                if name == "profiles":
                    v = np.clip(v, 0.0, 1.0)
                elif name == "pue":
                    v = np.maximum(v, 1.0)
                else:
                    v = np.maximum(v, 0.0)
                cols_out[key[1]] = v
        reduced[name] = pd.DataFrame(cols_out, index=range(len(reps)))
    count_of = np.array([counts[p] for p in periods], dtype=float)
    weights = count_of * durations
    # scale so that the weights add up to the hours the full case stands for
    weights *= case.weights.sum() / weights.sum()
    labels = pd.Index([f"d{p}-s{s}" for p, s in zip(
        periods, reps.index.get_level_values(1).to_numpy(), strict=True)], name="time")
    reduced_case = dataclasses.replace(
        case, time=labels, weights=weights, load=reduced["load"][case.load.columns],
        profiles=reduced["profiles"], pue=reduced["pue"],
        compute_profiles=reduced["compute_profiles"], period_of_step=periods.astype(np.int64),
        step_hours=durations, full_time_case=case,
    )
    reduced_case.reduction = {
        "days": int(days), "segments": int(segments) if segments else None,
        "cluster_of_day": np.asarray(result.cluster_assignments, dtype=np.int64),
        "days_per_cluster": {int(k): float(v) for k, v in counts.items()},
        "method": "tsam hierarchical clustering, medoid representation, column means kept; "
                  "storage cyclic per representative day",
    }
    return reduced_case
