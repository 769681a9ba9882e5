"""Around the map of map.png: a scale bar in km that is true at its own latitude (measured
on the ellipsoid with :class:`pyproj.Geod`), a north arrow, the right-hand panel with the
colour bar and the legend, the title and a caption naming the case, its scenarios and, if
``case.yaml`` says so (``map_caption_note`` or ``options.map_caption_note``), how the regions
were derived."""

from __future__ import annotations

import math
import re
import textwrap

from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.patches import Rectangle
from pyproj import Geod

from model.report.format import money, nice
from model.report.map_frame import HALO
from model.report.periods import run_periods

_GEOD = Geod(ellps="WGS84")
MEASURE_TEXT = {"price": "load-weighted average power price ({cur}/MWh)",
                "new_capacity": "new generation and storage capacity (MW; no prices in "
                                "this run)"}


def scale_bar(frame) -> dict:
    """Scale bar in the lower left, true at its own latitude (geodesic east from its start)."""
    ax, fontsize = frame.ax, frame.fs * 0.85
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    bx, by = x0 + 0.04 * (x1 - x0), y0 + 0.045 * (y1 - y0)
    lon, lat = frame.inv.transform(bx, by)
    target_m = 0.22 * (x1 - x0)
    # metres along the map per geodesic metre, measured at the bar's own position
    lon2, lat2, _ = _GEOD.fwd(lon, lat, 90.0, target_m)
    ex, ey = frame.fwd.transform(lon2, lat2)
    map_per_m = math.hypot(ex - bx, ey - by) / target_m
    km = nice(target_m / 1000.0)
    length = km * 1000.0 * map_per_m
    h = 0.012 * (y1 - y0)
    for i, colour in enumerate(("black", "white")):
        ax.add_patch(Rectangle((bx + i * length / 2, by), length / 2, h, facecolor=colour,
                               edgecolor="black", linewidth=0.8, zorder=20, gid="scale-bar"))
    kw = dict(fontsize=fontsize, ha="center", va="bottom", zorder=21, path_effects=HALO)
    ax.text(bx, by + 1.6 * h, "0", **kw)
    ax.text(bx + length, by + 1.6 * h, f"{km:g} km", **kw)
    hemi = "N" if lat >= 0 else "S"
    ax.text(bx + length / 2, by - 0.8 * h, f"scale true at {abs(lat):.0f}°{hemi}",
            fontsize=fontsize * 0.85, ha="center", va="top", zorder=21, path_effects=HALO,
            color="#333333")
    return {"km": km, "lat": float(lat)}


def north_arrow(frame) -> None:
    frame.ax.annotate("N", xy=(0.965, 0.95), xytext=(0.965, 0.86), xycoords="axes fraction",
                      ha="center", va="center", fontsize=frame.fs, fontweight="bold",
                      zorder=21, arrowprops=dict(arrowstyle="-|>", color="black", lw=1.4),
                      path_effects=HALO, gid="north-arrow")


def legend_panel(frame, shading, cbar_label: str, handles: list):
    """Colour bar (when the regions are shaded) and legend right of the map; the legend."""
    fig, fs, fig_h = frame.fig, frame.fs, frame.fig_h
    panel_x = frame.left + frame.map_w / frame.width_in + 0.02
    panel_w = 1.0 - panel_x - 0.015
    top = 1.0 - frame.title_h / fig_h
    legend_top = top - 0.1 / fig_h
    if shading.measure != "none":
        cax = fig.add_axes((panel_x, top - 0.55 / fig_h, panel_w * 0.92, 0.16 / fig_h))
        cb = fig.colorbar(ScalarMappable(norm=Normalize(shading.lo, shading.hi),
                                         cmap=shading.cmap),
                          cax=cax, orientation="horizontal", extend=shading.extend)
        cb.ax.tick_params(labelsize=fs * 0.85)
        cb.ax.set_title(textwrap.fill(cbar_label, 30 if frame.compact else 38),
                        fontsize=fs * 0.9, loc="left", pad=4)
        legend_top = top - 1.05 / fig_h
    leg = fig.legend(handles=handles, loc="upper left",
                     bbox_to_anchor=(panel_x - 0.005, legend_top), fontsize=fs * 0.85,
                     frameon=False, labelspacing=1.1, handlelength=2.6, borderaxespad=0.0,
                     title="Legend", title_fontsize=fs * 0.95, alignment="left")
    leg.set_gid("legend")
    if frame.compact:  # short legend texts for small multiples
        for t in leg.get_texts():
            t.set_text(re.sub(r"\s*\((width|area) ∝[^)]*\)", "", t.get_text()))
    return leg


def caption_note(case) -> str | None:
    """``map_caption_note`` (or ``options.map_caption_note``) of case.yaml, if any."""
    cfg = getattr(case, "config", None) or {}
    note = cfg.get("map_caption_note")
    if note is None and isinstance(cfg.get("options"), dict):
        note = cfg["options"].get("map_caption_note")
    return str(note).strip() if note else None


def _subtitle(summary: dict, scen_txt: str, cur: str) -> str:
    sub = [f"scenarios: {scen_txt}"]
    if summary.get("status"):
        sub.append(f"status: {summary['status']}")
    if summary.get("objective") is not None:
        per = ("/yr" if not run_periods(None, summary)  # multi-period: a discounted total
               else " (discounted, all periods)")
        sub.append(f"objective {money(float(summary['objective']), cur)}{per}")
    return " · ".join(sub)


def _caption(frame, case, summary: dict, ttl: str, scen_txt: str, measure: str,
             cur: str) -> str:
    if measure in MEASURE_TEXT:
        shading = f"Regions shaded by {MEASURE_TEXT[measure].format(cur=cur)}. "
    else:
        shading = ("Regions are not shaded: the run has no prices and no new capacity"
                   + (f" (status {summary['status']}). " if summary.get("status") else ". "))
    lat0, lon0 = frame.lat0, frame.lon0
    caption = (f"Map of run '{ttl}' (scenarios: {scen_txt}). {shading}"
               "Corridors drawn straight between node locations; line width ∝ total capacity, "
               "cyan core ∝ capacity added. Built data-centre sites sized by IT capacity; "
               "hollow circles are candidate sites not built. Lambert azimuthal equal-area "
               f"projection centred at {abs(lat0):.1f}°{'N' if lat0 >= 0 else 'S'}, "
               f"{abs(lon0):.1f}°{'E' if lon0 >= 0 else 'W'}.")
    note = caption_note(case)
    return caption + (f" Note: {note}" if note else "")


def title_and_caption(frame, case, summary: dict, measure: str, cur: str,
                      title: str | None = None) -> str:
    """Title, subtitle (scenarios, status, objective) and, unless compact, the caption
    under the map; returns the caption text."""
    fig, fs, fig_h, left = frame.fig, frame.fs, frame.fig_h, frame.left
    scen = list(getattr(case, "scenario_names", None) or summary.get("scenarios") or [])
    scen_txt = ", ".join(scen) if scen else "none (base case)"
    ttl = title or str(getattr(case, "name", summary.get("case", "")))
    fig.text(left, 1.0 - 0.12 / fig_h, ttl, fontsize=fs * (1.25 if frame.compact else 1.5),
             fontweight="bold", va="top", ha="left")
    fig.text(left, 1.0 - (0.4 if frame.compact else 0.45) / fig_h,
             _subtitle(summary, scen_txt, cur), fontsize=fs * 0.95, va="top", ha="left",
             color="#444444")
    caption = _caption(frame, case, summary, ttl, scen_txt, measure, cur)
    if not frame.compact:
        fig.text(left, (frame.caption_h - 0.08) / fig_h, textwrap.fill(caption, 175),
                 fontsize=fs * 0.8, va="top", ha="left", color="#333333", gid="caption")
    return caption
