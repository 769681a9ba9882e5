"""The comparison chart as a PNG: the fallback when the HTML comparison cannot be written.

:func:`write_charts` writes ``comparison.html`` with :func:`model.report.html.write_comparison_html`
when that module is available and works, else ``comparison.png`` (:func:`comparison_png`,
matplotlib): objective, new capacity, compute by host region × class, emissions and price.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.outputs.catalog import read_json, read_tables

log = logging.getLogger(__name__)


def write_charts(out: Path, runs: list[tuple[str, Any, Path]], table: pd.DataFrame) -> Path | None:
    """``comparison.html`` via model.report when it exists, else ``comparison.png``."""
    try:
        from model.report.html import write_comparison_html
    except ImportError:
        write_comparison_html = None
    if write_comparison_html is not None:
        try:
            from model.report.html import read_run
        except ImportError:
            def read_run(folder):
                return read_tables(folder), read_json(folder / "summary.json")
        items = [(name, case, *read_run(folder)) for name, case, folder in runs]
        path = out / "comparison.html"
        try:
            write_comparison_html(items, path)
            return path
        except Exception as exc:  # noqa: BLE001 - the PNG below still gives a chart
            log.warning("model.report.write_comparison_html failed (%s); writing a PNG", exc)
    return comparison_png(table, out / "comparison.png")


def comparison_png(table: pd.DataFrame, path: Path) -> Path | None:
    """Four panels: objective, new capacity, compute by host region, emissions and price."""
    if table.empty:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = table["scenario"].astype(str).tolist()
    x = np.arange(len(names))
    fig, axes = plt.subplots(2, 2, figsize=(12, 8))
    axes[0, 0].bar(x, _column(table, "objective") / 1e6, color="#4C72B0")
    axes[0, 0].set_title("Objective (million per year)")
    _new_capacity(axes[0, 1], table, x)
    _compute_by_region(axes[1, 0], table, x)
    _emissions_and_price(axes[1, 1], table, x)
    for a in axes.ravel():
        a.set_xticks(x)
        a.set_xticklabels(names, rotation=20, ha="right", fontsize=8)
    status = table["status"].astype(str).tolist()
    fig.suptitle("Scenario comparison — " + ", ".join(
        f"{n}: {s}" for n, s in zip(names, status, strict=True)), fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _column(table: pd.DataFrame, name: str) -> np.ndarray:
    """A numeric column (0 where missing)."""
    if name not in table:
        return np.zeros(len(table))
    return pd.to_numeric(table[name], errors="coerce").fillna(0.0).to_numpy(float)


def _new_capacity(ax, table: pd.DataFrame, x: np.ndarray) -> None:
    w = 0.27
    for i, (c, lab) in enumerate((("new_generation_mw", "generation"),
                                  ("new_storage_mw", "storage"),
                                  ("new_transmission_mw", "transmission"))):
        ax.bar(x + (i - 1) * w, _column(table, c), w, label=lab)
    ax.set_title("New capacity (MW)")
    ax.legend(fontsize=8)


def _compute_by_region(ax, table: pd.DataFrame, x: np.ndarray) -> None:
    it_cols = [c for c in table.columns if c.startswith("it_mwh_")]
    bottom = np.zeros(len(table))
    for c in it_cols:
        v = _column(table, c) / 1e3
        ax.bar(x, v, bottom=bottom, label=c[len("it_mwh_"):])
        bottom += v
    ax.set_title("Compute served by host region × class (GWh IT)")
    if it_cols and len(it_cols) <= 15:
        ax.legend(fontsize=7)


def _emissions_and_price(ax, table: pd.DataFrame, x: np.ndarray) -> None:
    ax.bar(x, _column(table, "emissions_t") / 1e6, color="#8C8C8C")
    ax.set_title("Emissions (Mt CO2) and average power price")
    ax2 = ax.twinx()
    ax2.plot(x, _column(table, "average_price_per_mwh"), "o-", color="#C44E52")
    ax2.set_ylabel("price per MWh")
