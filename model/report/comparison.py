"""Scenario comparison (``comparison.html``): several runs side by side — a key-figure table
with differences against the first run, the charts of :mod:`model.report.comparison_charts`,
the sites built by each run and a small map per run. Self-contained like report.html.

``runs`` is a list of ``(label, case, tables, summary)``; each case gives geography and
names only, every number comes from its run's tables and summary.
"""

from __future__ import annotations

import base64
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from model.report import maps
from model.report.comparison_charts import (
    cmp_build,
    cmp_compute,
    cmp_costs,
    cmp_metrics,
    cmp_sites,
)
from model.report.format import esc
from model.report.page import page, plot_script, table
from model.report.plot import safe
from model.report.run_data import capacity_table


# ------------------------------------------------------------------------ key figures
def _dc_cost_per_mwh_it(tables: dict, summary: dict) -> float | None:
    """Data-centre capital + O&M + power per MWh of IT energy (None without sites)."""
    st = tables.get("sites")
    it_e = summary.get("it_energy_mwh")
    if st is None or not len(st) or not it_e:
        return None
    costs = summary.get("costs") or {}
    power = float(st["power_cost_per_year"].sum()) if "power_cost_per_year" in st else np.nan
    return (float(costs.get("capex_datacentres", 0.0) or 0.0)
            + float(costs.get("fixed_om_datacentres", 0.0) or 0.0) + power) / it_e


def _frame_row(label: str, case, tables: dict, summary: dict) -> dict:
    cap = capacity_table(tables)
    gen = cap[cap["kind"] == "generator"]
    sto = cap[cap["kind"] == "storage"]
    cor = tables.get("corridors")
    has_cor = cor is not None and len(cor)
    return {
        "run": label,
        "status": summary.get("status"),
        "objective": summary.get("objective"),
        "sites_built": len(summary.get("sites_built") or []),
        "it_mw_built": summary.get("it_mw_built"),
        "new_generation_mw": float(gen["new_mw"].sum()),
        "new_storage_mw": float(sto["new_mw"].sum()),
        "new_storage_mwh": float(sto["new_mwh"].fillna(0).sum()) if len(sto) else 0.0,
        "new_transmission_mw": float(cor["new_mw"].sum()) if has_cor else 0.0,
        "new_transmission_mw_km": (float((cor["new_mw"] * cor["length_km"]).sum())
                                   if has_cor and "length_km" in cor else 0.0),
        "emissions_t": summary.get("emissions_t"),
        "average_price_per_mwh": summary.get("average_price_per_mwh"),
        "power_cost_per_mwh_it": summary.get("power_cost_per_mwh_it"),
        "dc_cost_per_mwh_it": _dc_cost_per_mwh_it(tables, summary),
        "unserved_compute_mwh": summary.get("unserved_compute_mwh"),
        "unserved_energy_mwh": summary.get("unserved_energy_mwh"),
        "capex_datacentres": (summary.get("costs") or {}).get("capex_datacentres"),
        "currency": case.currency,
    }


def comparison_frame(runs) -> pd.DataFrame:
    """Key figures of each run (rows = runs, index = label)."""
    return pd.DataFrame([_frame_row(*r) for r in runs]).set_index("run")


def _rows(cur: str) -> list[tuple[str, str, float | None]]:
    """(column, row name, scale) of the key-figure table; scale None: shown as text."""
    return [
        ("status", "status", None), ("objective", f"objective (M {cur}/yr)", 1e-6),
        ("sites_built", "sites built", None), ("it_mw_built", "IT built (MW)", 1.0),
        ("new_generation_mw", "new generation (MW)", 1.0),
        ("new_storage_mw", "new storage (MW)", 1.0), ("new_storage_mwh", "new storage (MWh)", 1.0),
        ("new_transmission_mw", "new transmission (MW)", 1.0),
        ("new_transmission_mw_km", "new transmission (GW·km)", 1e-3),
        ("emissions_t", "emissions (kt CO₂/yr)", 1e-3),
        ("average_price_per_mwh", f"average power price ({cur}/MWh)", 1.0),
        ("power_cost_per_mwh_it", f"power cost per MWh compute ({cur}/MWh IT)", 1.0),
        ("dc_cost_per_mwh_it", f"data-centre capital + O&M + power per MWh compute ({cur}/MWh IT)",
         1.0),
        ("unserved_compute_mwh", "unserved compute (MWh/yr)", 1.0),
        ("unserved_energy_mwh", "unserved power (MWh/yr)", 1.0),
    ]


def _finite(v) -> bool:
    return v is not None and np.isfinite(float(v))


def _value_cell(v, scale: float | None) -> str:
    if scale is None or v is None or (isinstance(v, float) and not np.isfinite(v)):
        return f"<td>{esc('—' if v is None else v)}</td>"
    return f"<td class='num'>{float(v) * scale:,.1f}</td>"


def _delta_cell(v, base, scale: float | None) -> str:
    """Difference to the baseline run, with its percentage."""
    if scale is None or not _finite(v) or not _finite(base):
        return "<td></td>"
    d = (float(v) - float(base)) * scale
    pct = f" ({100 * (float(v) - float(base)) / abs(float(base)):+.1f} %)" if float(base) else ""
    return f"<td class='num'>{d:+,.1f}{pct}</td>"


def _key_figures_section(frame: pd.DataFrame, base: str, cur: str) -> str:
    head = "<th>figure</th>" + "".join(f"<th>{esc(r)}</th>" for r in frame.index)
    if len(frame) > 1:
        head += "".join(f"<th>Δ {esc(r)} vs {esc(base)}</th>" for r in frame.index[1:])
    body = []
    for col, name, scale in _rows(cur):
        vals = frame[col].tolist()
        cells = [_value_cell(v, scale) for v in vals]
        if len(frame) > 1:
            cells += [_delta_cell(v, vals[0], scale) for v in vals[1:]]
        body.append(f"<tr><th>{esc(name)}</th>{''.join(cells)}</tr>")
    return ("<section id='key-figures'><h2>Key figures</h2><div class='tablewrap'><table>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
            "</section>")


# --------------------------------------------------------------------- sites and maps
def _sites_section(runs) -> str:
    """IT MW built at each site by each run (sites no run builds left out)."""
    site_rows: dict[str, dict] = {}
    for label, _case, tables, _ in runs:
        s = tables.get("sites")
        if s is None or not len(s):
            continue
        for _, r in s.iterrows():
            d = site_rows.setdefault(str(r["site"]), {"site": str(r["site"]),
                                                      "region": str(r.get("region", ""))})
            d[label] = float(r["it_mw"]) if int(r.get("built", 0)) else 0.0
    if not site_rows:
        return ""
    df = pd.DataFrame(list(site_rows.values()))
    df = df[df[[r[0] for r in runs if r[0] in df]].sum(axis=1) > 0] if len(df) else df
    return ("<section><h2>Sites built (MW IT; 0 = not built)</h2>"
            + table(df, {r[0]: "{:,.0f}" for r in runs}) + "</section>")


def _maps_section(runs) -> str:
    """A small static map per run."""
    imgs = []
    for label, case, tables, summary in runs:
        try:
            png = maps.render_map_png(case, tables, summary, dpi=110, compact=True,
                                      title=label, width_in=9.0)
        except Exception as exc:  # noqa: BLE001
            warnings.warn(f"comparison: no map for {label}: {exc!r}", RuntimeWarning,
                          stacklevel=2)
            continue
        imgs.append(f"<figure><img alt='map {esc(label)}' src='data:image/png;base64,"
                    f"{base64.b64encode(png).decode()}'><figcaption class='muted'>"
                    f"{esc(label)}</figcaption></figure>")
    if not imgs:
        return ""
    return ("<section><h2>Maps</h2><p class='muted'>Colour scales are set per "
            "run; compare the numbers in the key-figure table.</p>"
            f"<div class='grid2 maps'>{''.join(imgs)}</div></section>")


# -------------------------------------------------------------------------------- page
def render_comparison_html(runs, small_maps: bool = True) -> str:
    """Side-by-side comparison of several runs, as one HTML string."""
    if not runs:
        raise ValueError("write_comparison_html needs at least one run")
    runs = [(str(lbl), c, t or {}, s or {}) for lbl, c, t, s in runs]
    cur = runs[0][1].currency
    frame = comparison_frame(runs)
    base = runs[0][0]
    charts = [
        ("chart-cmp-costs", safe(cmp_costs, "costs", runs)),
        ("chart-cmp-sites", safe(cmp_sites, "sites", runs)),
        ("chart-cmp-compute", safe(cmp_compute, "compute", runs)),
        ("chart-cmp-build", safe(cmp_build, "build", runs, frame)),
        ("chart-cmp-metrics", safe(cmp_metrics, "metrics", frame, cur)),
    ]
    parts = [_key_figures_section(frame, base, cur)]
    parts += [f"<section><div id='{cid}' class='wb-chart'></div></section>" for cid, _ in charts]
    parts.append(_sites_section(runs))
    if small_maps:
        parts.append(_maps_section(runs))
    names = ", ".join(r[0] for r in runs)
    sub = f"{len(runs)} runs: {esc(names)} · differences against <b>{esc(base)}</b>"
    return page(f"Scenario comparison — {runs[0][1].name}", sub, "".join(parts),
                leaflet=None, scripts="".join(plot_script(cid, fig) for cid, fig in charts))


def write_comparison_html(runs: list[tuple], path, small_maps: bool = True) -> Path:
    """Write a side-by-side comparison of runs to ``path``.

    ``runs`` is a list of ``(label, case, tables, summary)``; the first run is the baseline
    for the differences column. Returns the path.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = render_comparison_html(runs, small_maps=small_maps)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
