"""When each data-centre site comes online and how much IT it runs in each period of a
multi-period run (a Gantt-like chart), from ``sites.csv`` (``period``, ``built``,
``online_year``, ``time_to_power_years``, ``it_mw``).

Each built site is a row: a dashed line from the decision year to its online year (its time
to power), then one bar per period it runs in, from that period's year to the next one's,
labelled and shaded by its IT MW. The last period's bar is as long as the gap before it:
the table does not say how many years the last period stands for.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.report.colours import SITE_COLOUR, tint
from model.report.plot import empty_fig, fig, layout

TIMELINE_COLUMNS = ["site", "name", "period", "it_mw", "online_year", "time_to_power_years"]


def site_timeline_table(tables: dict) -> pd.DataFrame:
    """Rows of ``sites.csv`` (period × site) of every site built in some period, by online
    year then site; columns :data:`TIMELINE_COLUMNS`. Empty for a static run."""
    sites = (tables or {}).get("sites")
    if sites is None or not len(sites) or "period" not in sites:
        return pd.DataFrame(columns=TIMELINE_COLUMNS)
    built = sites.loc[(sites["built"] == 1) & (sites["it_mw"] > 1e-6), "site"].unique()
    rows = sites[sites["site"].isin(built)].copy()
    for column in ("online_year", "time_to_power_years"):
        if column not in rows:
            rows[column] = np.nan
    if "name" not in rows:
        rows["name"] = rows["site"]
    rows["period"] = rows["period"].astype(int)
    return (rows[TIMELINE_COLUMNS].sort_values(["online_year", "site", "period"])
            .reset_index(drop=True))


def _period_ends(years: list[int]) -> dict[int, int]:
    """Where each period's bar ends: the next period's year; the last, one gap later."""
    gaps = np.diff(years) if len(years) > 1 else np.array([1])
    return {y: (years[i + 1] if i + 1 < len(years) else y + int(gaps[-1]))
            for i, y in enumerate(years)}


def _label(row) -> str:
    return f"{row['name']} ({row['site']})" if row["name"] != row["site"] else str(row["site"])


def _it_bars(rows: pd.DataFrame, ends: dict[int, int], largest: float) -> dict:
    """One horizontal bar per site and period it runs in, shaded by IT MW."""
    running = rows[rows["it_mw"] > 1e-6]
    start = running["period"].to_numpy(int)
    length = np.array([ends[p] - p for p in start])
    shade = [tint(SITE_COLOUR, 0.75 * (1 - mw / max(largest, 1e-9)))
             for mw in running["it_mw"]]
    return {"type": "bar", "orientation": "h", "name": "IT capacity running (MW)",
            "y": [_label(r) for _, r in running.iterrows()], "base": start.tolist(),
            "x": length.tolist(), "marker": {"color": shade, "line": {"color": "white",
                                                                       "width": 1}},
            "text": [f"{mw:,.0f} MW" for mw in running["it_mw"]],
            "textposition": "inside", "insidetextanchor": "middle",
            "customdata": np.column_stack([start, running["it_mw"]]).tolist(),
            "hovertemplate": "%{y}<br>period %{customdata[0]}: %{customdata[1]:,.0f} MW IT"
                             "<extra></extra>"}


def _time_to_power(rows: pd.DataFrame, decided: int | None) -> list[dict]:
    """Dashed lines decision year → online year, and a diamond at the online year."""
    first = rows.drop_duplicates("site")
    first = first[first["online_year"].notna()]
    names = [_label(r) for _, r in first.iterrows()]
    online = first["online_year"].astype(int).tolist()
    waits = first["time_to_power_years"].tolist()
    hover = [f"online {y}" + (f" · time to power {w:g} years" if pd.notna(w) else "")
             for y, w in zip(online, waits, strict=True)]
    traces = []
    if decided is not None:
        xs, ys = [], []
        for name, y in zip(names, online, strict=True):
            xs += [decided, y, None]
            ys += [name, name, None]
        traces.append({"type": "scatter", "mode": "lines", "x": xs, "y": ys,
                       "name": f"waiting for power (decided {decided})", "hoverinfo": "skip",
                       "line": {"color": "#888888", "dash": "dot", "width": 2}})
    traces.append({"type": "scatter", "mode": "markers", "x": online, "y": names,
                   "name": "online year", "text": hover,
                   "marker": {"symbol": "diamond", "size": 11, "color": SITE_COLOUR,
                              "line": {"color": "white", "width": 1}},
                   "hovertemplate": "%{y}<br>%{text}<extra></extra>"})
    return traces


def chart_site_timeline(case, tables: dict, years: list[int],
                        decided: int | None) -> dict:
    """The sites' online timeline (see the module docstring)."""
    title = "Data-centre sites: online year and IT capacity per period"
    rows = site_timeline_table(tables)
    if not len(rows):
        return empty_fig(title, "no site is built in any period")
    ends = _period_ends(years)
    rows = rows[rows["period"].isin(ends)]
    data = [_it_bars(rows, ends, float(rows["it_mw"].max())),
            *_time_to_power(rows, decided)]
    order = list(dict.fromkeys(_label(r) for _, r in rows.iterrows()))
    left = decided if decided is not None else years[0]
    return fig(data, layout(
        title, barmode="overlay", height=max(260, 34 * len(order) + 140),
        xaxis=dict(title=dict(text="year"), range=[left - 0.5, max(ends.values()) + 0.5],
                   tickvals=sorted({*years, *([decided] if decided is not None else [])}),
                   zeroline=False),
        yaxis=dict(categoryorder="array", categoryarray=order[::-1], automargin=True),
        legend=dict(orientation="h", x=1.0, xanchor="right", y=1.02, yanchor="bottom")))
