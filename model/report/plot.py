"""Plumbing shared by the plotly charts: a figure is a plain ``{"data", "layout"}`` dict,
embedded in the page as JSON and drawn by ``WB.plot`` (assets/charts.js)."""

from __future__ import annotations

import json
import re
import warnings

import pandas as pd

FONT = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif"
WEEK = 168  # hourly charts longer than this open on one week, with a range slider


def to_json(obj) -> str:
    """JSON for embedding inside <script> (no '</' sequences, NaN → null)."""
    from plotly.utils import PlotlyJSONEncoder

    # PlotlyJSONEncoder turns NaN and ±Infinity into null (strict JSON)
    text = json.dumps(obj, cls=PlotlyJSONEncoder, separators=(",", ":"))
    text = text.replace("<!--", "\\u003c!--").replace("</", "<\\/")
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def layout(title: str, **kw) -> dict:
    """The common layout of every chart (title at the left, white template), with ``kw``."""
    base = dict(
        title=dict(text=title, x=0.0, xanchor="left", font=dict(size=16)),
        template="plotly_white",
        font=dict(family=FONT, size=12),
        margin=dict(l=70, r=30, t=60, b=60),
        height=430,
        hoverlabel=dict(namelength=-1),
    )
    base.update(kw)
    return base


def fig(data: list, lay: dict) -> dict:
    return {"data": data, "layout": lay}


def empty_fig(title: str, message: str) -> dict:
    """A placeholder chart that says why there is nothing to draw."""
    return fig([], layout(title, height=220, xaxis=dict(visible=False),
                          yaxis=dict(visible=False),
                          annotations=[dict(text=message, showarrow=False, x=0.5, y=0.5,
                                            xref="paper", yref="paper",
                                            font=dict(size=14, color="#666"))]))


def safe(builder, title: str, *args):
    """Run a chart builder; a failure becomes a visible placeholder, never a lost report."""
    try:
        return builder(*args)
    except Exception as exc:  # noqa: BLE001 - a report must not fail the run
        warnings.warn(f"report: could not draw '{title}': {exc!r}", RuntimeWarning,
                      stacklevel=2)
        return empty_fig(title, f"could not draw this chart: {exc}")


def panel_axes(lay: dict, i: int, k: int, name: str, unit: str) -> str:
    """Axis suffix ("", "2", …) of panel ``i`` of ``k`` side by side, with its axes and a
    bold panel title added to ``lay``."""
    ax = "" if i == 0 else str(i + 1)
    lo, hi = i / k + 0.035, (i + 1) / k - 0.035
    lay[f"xaxis{ax}"] = dict(domain=[lo, hi], anchor=f"y{ax}")
    lay[f"yaxis{ax}"] = dict(anchor=f"x{ax}", title=dict(text=unit), rangemode="tozero")
    lay.setdefault("annotations", []).append(dict(
        text=f"<b>{name}</b>", x=(lo + hi) / 2, y=1.04, xref="paper", yref="paper",
        showarrow=False, xanchor="center", yanchor="bottom"))
    return ax


# ----------------------------------------------------------------------- hourly x axis
def time_axis(steps, n: int) -> tuple[list, str]:
    """x values for ``n`` hourly values: timestamps when the run's step labels parse, else
    step numbers."""
    labels = list(steps.time) if steps is not None and steps.n == n else []
    if n and len(labels) == n and all(re.match(r"\d{4}-\d{2}-\d{2}", t) for t in labels[:3]):
        try:
            ts = pd.to_datetime(pd.Series(labels), errors="raise")
            if ts.notna().all() and ts.is_monotonic_increasing:
                return [t.strftime("%Y-%m-%d %H:%M") for t in ts], "date"
        except (ValueError, TypeError, OverflowError):
            pass
    return list(range(n)), "linear"


def x_title(summary: dict, xtype: str) -> str:
    """Axis title of hourly charts: nothing for timestamps, else what a step is."""
    if xtype == "date":
        return ""
    red = (summary or {}).get("time_reduction")
    if red:
        return (f"time step ({red.get('days')} representative days, each standing for "
                "several days of the year)")
    return "time step"
