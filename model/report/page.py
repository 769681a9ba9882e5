"""HTML page assembly shared by report.html and comparison.html: the page shell (style,
error hook, libraries and scripts inlined), chart sections and tables."""

from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

from model.report import embed
from model.report.format import esc
from model.report.plot import to_json

HEADERS = {
    "it_mw": "IT (MW)", "utilisation": "utilisation", "pue_mean": "PUE (mean)",
    "it_energy_mwh_per_year": "IT energy (MWh/yr)", "power_mwh_per_year": "site power (MWh/yr)",
    "peak_power_mw": "peak power (MW)", "power_cost_per_mwh_it": "power cost ({cur}/MWh IT)",
    "mwh": "IT energy (MWh/yr)", "latency_ms": "latency (ms)", "peak_mw": "peak (MW IT)",
    "existing_mw": "existing (MW)", "new_mw": "new (MW)", "total_mw": "total (MW)",
    "length_km": "length (km)", "max_abs_flow_mw": "peak flow (MW)",
    "emissions_t_per_year": "emissions (t CO₂/yr)", "average_price_per_mwh":
    "average price ({cur}/MWh)", "load_mwh_per_year": "base load (MWh/yr)",
    "unserved_mwh_per_year": "unserved power (MWh/yr)", "sites_running": "sites running",
    "online_year": "online year", "time_to_power_years": "time to power (years)",
}
FOOTER = ("Self-contained: Leaflet (BSD-2-Clause) and plotly.js (MIT) are embedded; the "
          "numbers behind every chart are in the run folder's CSV files.")


def page(title: str, subtitle: str, body: str, *, leaflet: tuple[str, str] | None,
         scripts: str) -> str:
    """A whole HTML page; ``subtitle``, ``body`` and ``scripts`` are HTML already."""
    css_leaflet = f"<style>{leaflet[1]}</style>" if leaflet else ""
    js_leaflet = f"<script>{leaflet[0]}</script>" if leaflet else ""
    stamp = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{esc(title)}</title>"
        f"<script>{embed.asset('errors.js')}</script>"
        f"<style>{embed.asset('report.css')}</style>{css_leaflet}</head><body>"
        f"<header><h1>{esc(title)}</h1><div class='sub'>{subtitle}</div></header>"
        "<div id='wb-errors' data-count='0'></div>"
        "<div id='wb-status' data-charts-rendered='0' data-charts-total='0'></div>"
        f"<main>{body}</main>"
        f"<footer>Written by WattBit on {stamp}. {FOOTER}</footer>"
        f"{js_leaflet}<script>{embed.plotly_js()}</script>"
        f"<script>{embed.asset('charts.js')}</script>"
        f"{scripts}</body></html>"
    )


def plot_script(cid: str, fig: dict) -> str:
    """The script that draws ``fig`` into the element ``cid`` (assets/charts.js)."""
    return f"<script>WB.plot('{cid}', {to_json(fig)});</script>"


def chart_section(cid: str, name: str, fig: dict, note: str) -> tuple[str, str]:
    """(section HTML, script) of a chart with a heading and a note under it."""
    return (f"<section><h2>{esc(name)}</h2><p class='muted'>{esc(note)}</p>"
            f"<div id='{cid}' class='wb-chart'></div></section>", plot_script(cid, fig))


def _cell(v, f: str | None) -> str:
    if f is not None and v is not None and not (isinstance(v, float) and np.isnan(v)):
        try:
            txt = f.format(v)
        except (ValueError, TypeError):
            txt = str(v)
    elif isinstance(v, float):
        txt = "—" if np.isnan(v) else f"{v:,.2f}"
    else:
        txt = str(v)
    num = isinstance(v, int | float | np.number) and not isinstance(v, bool)
    return f"<td class='{'num' if num else ''}'>{esc(txt)}</td>"


def table(df: pd.DataFrame, formats: dict | None = None, max_rows: int = 200,
          cur: str = "") -> str:
    """An HTML table of ``df`` (cells formatted by column with ``formats``, at most
    ``max_rows`` rows; headers from :data:`HEADERS`)."""
    if df is None or not len(df):
        return "<p class='muted'>none</p>"
    formats = formats or {}
    more = len(df) - max_rows
    df = df.head(max_rows)
    head = "".join(f"<th>{esc(HEADERS.get(c, c).format(cur=cur))}</th>" for c in df.columns)
    rows = ["<tr>" + "".join(_cell(r[c], formats.get(c)) for c in df.columns) + "</tr>"
            for _, r in df.iterrows()]
    tail = f"<p class='muted'>… {more} more rows in the CSV file</p>" if more > 0 else ""
    return (f"<div class='tablewrap'><table><thead><tr>{head}</tr></thead><tbody>"
            + "".join(rows) + f"</tbody></table></div>{tail}")
